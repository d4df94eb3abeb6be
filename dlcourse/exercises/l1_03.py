"""Exercises of L1.03 · Automatic differentiation from scratch (自动微分).

    from dlcourse.exercises import l1_03 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import random

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_03_answers as answers
from .kinds import number

# ---------------------------------------------------------------------------------------------
# q1 · the chain rule by hand
# ---------------------------------------------------------------------------------------------
Q1_X, Q1_Y = 1.5, -2.0
Q1_U = Q1_X * Q1_Y + Q1_Y          # f = u², u = x·y + y

q1 = number(
    2 * Q1_U * Q1_Y,               # df/dx = df/du · du/dx = 2u · y
    what="∂f/∂x", rtol=1e-5, atol=1e-6,
    mistakes={
        2 * Q1_U: "that is df/du = 2u only; multiply by the inner derivative du/dx",
        2 * Q1_U * (Q1_X + 1): "that is ∂f/∂y (du/dy = x + 1); the question asks for ∂f/∂x",
        Q1_U * Q1_U: "that is the value of f, not its derivative",
    },
    name="Q1 · chain rule",
    hint_text=("Name the inner part: u = x·y + y, so f = u². Then ∂f/∂x = (df/du)·(∂u/∂x) = 2u · y. "
               "Evaluate u first, at x = 1.5 and y = −2."),
    right_answer=answers.chain_rule,
    wrong_answers=[answers.chain_rule_inner_derivative_forgotten, answers.chain_rule_df_dy,
                   answers.chain_rule_du_dx_as_x, answers.chain_rule_value_of_f],
)

# ---------------------------------------------------------------------------------------------
# q2 · a valid order for backward()
# ---------------------------------------------------------------------------------------------
Q2_GRAPH = {  # node → its operands
    "a": (), "b": (),
    "c": ("a", "b"),       # c = a * b
    "d": ("c", "b"),       # d = c + b
    "e": ("d",),           # e = d.tanh()
    "L": ("e", "c"),       # L = e * c
}


def _check_q2(answer):
    names = check.as_ordering(answer, Q2_GRAPH, "node names such as ['L', ...]")
    position = {n: i for i, n in enumerate(names)}
    for node, operands in Q2_GRAPH.items():
        for op in operands:
            if position[op] < position[node]:
                raise CheckFailed(
                    f"{op} comes before {node}, but {node} uses {op}: when {op} passes its "
                    f"gradient on, the share that {node} adds to it has not arrived yet")


q2 = Exercise(
    name="Q2 · order of the backward pass",
    checker=_check_q2,
    hint_text=("A node may pass its gradient on only when it is complete, that is after every "
               "node that uses it has run. Start from L (nothing uses it), and before writing c, "
               "check that both of its users are already in your list."),
    right_answer=answers.backward_order,
    wrong_answers=[answers.backward_order_forward, answers.backward_order_c_before_d,
                   answers.backward_order_c_before_e, answers.backward_order_b_before_c,
                   answers.backward_order_b_forgotten, answers.backward_order_c_twice],
)

# ---------------------------------------------------------------------------------------------
# q3 · backward twice without zeroing
# ---------------------------------------------------------------------------------------------
Q3_ONE_CALL = 2 * (1.5 * 2.0 - 1.0) * 2.0   # loss = (w·x − y)², w = 1.5, x = 2, y = 1

q3 = number(
    2 * Q3_ONE_CALL, what="w.grad", rtol=1e-5, atol=1e-6,
    mistakes={
        Q3_ONE_CALL: "that is the gradient of one backward() call; PyTorch adds into .grad",
        2 * (1.5 * 2.0 - 1.0): "that is d(loss)/d(prediction); multiply by d(w·x)/dw = x",
    },
    name="Q3 · backward twice",
    hint_text=("First the gradient of one call: loss = (w·x − y)², so d(loss)/dw = 2(w·x − y)·x. "
               "Then remember what backward() does with a .grad that already holds a number."),
    right_answer=answers.grad_after_two_calls,
    wrong_answers=[answers.grad_after_one_call, answers.grad_without_factor_x,
                   answers.grad_doubled_twice, answers.grad_reset_by_second_call],
)

# ---------------------------------------------------------------------------------------------
# q4 · a new operation for the engine: division as one node
# ---------------------------------------------------------------------------------------------
class _Scalar:
    """The engine's node, reduced to what a check of one operation touches (the lesson's `Value`
    has the same attributes). Used when the answer does not come from the notebook."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op


def _value_class(fn):
    """The notebook's `Value` when the learner's function sees one, else `_Scalar`."""
    cls = getattr(fn, "__globals__", {}).get("Value")
    return cls if isinstance(cls, type) else _Scalar


def _q4_cases():
    """(label, a, b, out.grad, a.grad before, b.grad before); b = None: b is the same Value as a;
    a plain number b: it is passed as a number, not a Value."""
    rng = random.Random(34)
    cases = [("a / b at the output of the graph (out.grad = 1)", 1.5, -0.8, 1.0, 0.0, 0.0),
             ("a / b inside a graph (out.grad = -2.5)", -0.6, 1.25, -2.5, 0.0, 0.0),
             ("operands that already hold gradients from other users", 2.0, 0.5, 0.75, 0.3, -1.1),
             ("x / x, one Value on both sides (its two shares cancel)", 1.7, None, 1.5, 0.0, 0.0),
             ("a / 4, a plain number on the right", 0.9, 4, 2.0, 0.0, 0.0)]
    for i in range(5):
        b = rng.choice((-1, 1)) * rng.uniform(0.3, 3.0)
        cases.append((f"random case {i + 1}", rng.uniform(-3, 3), b, rng.uniform(-2, 2),
                      rng.uniform(-1, 1), rng.uniform(-1, 1)))
    return cases


def _torch_grads(a, b, upstream):
    """∂(a/b)/∂a and ∂(a/b)/∂b times upstream, by torch.autograd (b None: a / a)."""
    import torch
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = ta if b is None else torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    (ta / tb).backward(torch.tensor(upstream, dtype=torch.float64))
    return ta.grad.item(), (None if b is None else tb.grad.item())


def _check_q4(answer):
    fn = check.as_function(answer, "_div(self, other)")
    V = _value_class(fn)
    for label, a, b, upstream, a_before, b_before in _q4_cases():
        call = f"_div on {label}"
        x = V(a)
        x.grad = a_before
        y = x if b is None else (b if isinstance(b, int) else V(b))
        if isinstance(y, V) and y is not x:
            y.grad = b_before
        out = check.call(fn, x, y, what=call)
        if not all(hasattr(out, attr) for attr in ("data", "grad", "_backward", "_prev")):
            raise CheckFailed(f"{call} returned {check.describe(out)}: return the new Value, out")
        divisor = a if b is None else b
        check.close(out.data, a / divisor, name=f"out.data of {call}")
        operands = [x] if b is None or isinstance(b, int) else [x, y]
        if not all(any(p is v for p in out._prev) for v in operands):
            raise CheckFailed(f"{call}: out._prev does not hold the operands, so backward() "
                              "would never reach them. Make out = Value(…, (self, other), '/'): "
                              "one node with its own _backward, not self * other ** -1")
        out.grad = upstream
        try:
            out._backward()
        except Exception as exc:  # noqa: BLE001 -- the learner's closure
            raise CheckFailed(f"out._backward() of {call} raised {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        da, db = _torch_grads(a, None if b is None else divisor, upstream)
        x_grad = check.as_number(x.grad, f"x.grad after {call}")
        if b is None and abs(x_grad - (a_before + da)) > 1e-9:
            raise CheckFailed(f"x.grad after {call}: got {x_grad:.6g}, expected "
                              f"{a_before + da:.6g}. "
                              "x is both self and other: its two shares, (1/x)·out.grad and "
                              "(−x/x²)·out.grad, must add up in x.grad (+=), not overwrite "
                              "each other")
        _compare_grad(x_grad, a_before, a_before + da, upstream, f"self.grad after {call}")
        if operands == [x, y]:
            _compare_grad(y.grad, b_before, b_before + db, upstream,
                          f"other.grad after {call}", sign_hint=True)


def _compare_grad(got, before, expected, upstream, name, sign_hint=False):
    got = check.as_number(got, name)
    if abs(got - expected) <= 1e-9 + 1e-9 * abs(expected):
        return
    share = expected - before
    if before != 0 and abs(got - share) < 1e-9:
        raise CheckFailed(f"{name}: {got:.6g}, but the {before:g} it held before is gone: "
                          "add your share with +=, never assign with =")
    if upstream not in (0, 1) and abs(got - before - share / upstream) < 1e-9:
        raise CheckFailed(f"{name}: {got:.6g}, expected {expected:.6g}. Multiply the local "
                          "derivative by out.grad (the chain rule)")
    if sign_hint and abs(got - before + share) < 1e-9:
        raise CheckFailed(f"{name}: {got:.6g}, expected {expected:.6g}. Check the sign: "
                          "∂(a/b)/∂b = −a/b²")
    raise CheckFailed(f"{name}: got {got:.6g}, expected {expected:.6g} (torch.autograd)")


q4 = Exercise(
    name="Q4 · division as one node",
    checker=_check_q4,
    hint_text=("Follow `_pow` and `_tanh`: wrap a plain number as a Value, make out = Value(a / b, "
               "(self, other), '/'), and give out a _backward that adds to both operands: "
               "self.grad += (1 / b) · out.grad and other.grad += (−a / b²) · out.grad, with a and "
               "b the operands' .data. Use += (x / x sends two shares to x), and return out."),
    right_answer=answers._div,
    wrong_answers=[answers.div_assigns, answers.div_without_out_grad,
                   answers.div_sign_of_other, answers.div_other_without_a,
                   answers.div_operands_not_recorded],
)

# ---------------------------------------------------------------------------------------------
# q5 · detach
# ---------------------------------------------------------------------------------------------
q5 = number(
    9.0, what="x.grad", rtol=1e-5, atol=1e-6,
    mistakes={
        27.0: "that is d(x³)/dx = 3x²: it would be right without detach(), but the detached y "
              "is a constant to autograd",
        6.0: "that is dy/dx = 2x, the path that detach() cuts",
        0.0: "detach() cuts only the path through y; x still reaches z directly",
    },
    name="Q5 · detach",
    hint_text=("y.detach() is a new tensor with y's value, 9, but no history: autograd treats it "
               "as a constant. So z = 9 · x as far as gradients go."),
    right_answer=answers.grad_through_detach,
    wrong_answers=[answers.grad_as_if_no_detach, answers.grad_only_through_y,
                   answers.grad_as_if_x_cut_off, answers.grad_is_x],
)
