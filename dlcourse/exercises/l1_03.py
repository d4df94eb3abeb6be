"""Exercises of L1.03 · Automatic differentiation from scratch (自动微分).

    from dlcourse.exercises import l1_03 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise


def _number(answer, what: str) -> float:
    """A learner's numeric answer (int, float or a one-element tensor) as a float."""
    if isinstance(answer, bool) or isinstance(answer, (str, bytes)):
        raise CheckFailed(f"expected a number ({what}), got {type(answer).__name__} {answer!r}")
    try:
        value = float(answer)
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(f"expected a number ({what}), got {type(answer).__name__}") from None
    if math.isnan(value):
        raise CheckFailed(f"expected a number ({what}), got NaN")
    return value


def _known_mistakes(value: float, mistakes: dict[float, str], atol: float) -> None:
    for wrong, why in mistakes.items():
        if abs(value - wrong) <= atol:
            raise CheckFailed(f"{value:g} is not it: {why}")


# ---------------------------------------------------------------------------------------------
# q1 · the chain rule by hand
# ---------------------------------------------------------------------------------------------
Q1_X, Q1_Y = 1.5, -2.0


def _q1_expected() -> float:
    u = Q1_X * Q1_Y + Q1_Y          # f = u², u = x·y + y
    return 2 * u * Q1_Y             # df/dx = df/du · du/dx = 2u · y


def _check_q1(answer):
    value = _number(answer, "∂f/∂x at x = 1.5, y = −2")
    u = Q1_X * Q1_Y + Q1_Y
    _known_mistakes(value, {
        2 * u: "that is df/du = 2u only; multiply by the inner derivative du/dx",
        2 * u * (Q1_X + 1): "that is ∂f/∂y (du/dy = x + 1); the question asks for ∂f/∂x",
        u * u: "that is the value of f, not its derivative",
    }, atol=1e-6)
    check.close(value, _q1_expected(), name="∂f/∂x")


q1 = Exercise(
    name="Q1 · chain rule",
    checker=_check_q1,
    hint_text=("Name the inner part: u = x·y + y, so f = u². Then ∂f/∂x = (df/du)·(∂u/∂x) = 2u · y. "
               "Evaluate u first, at x = 1.5 and y = −2."),
    solution_code="""
x, y = 1.5, -2.0
u = x * y + y            # the inner node: -5
answer = 2 * u * y       # df/du = 2u, du/dx = y
""",
    wrong_codes=[
        "x, y = 1.5, -2.0\nanswer = 2 * (x * y + y)                 # forgot du/dx",
        "x, y = 1.5, -2.0\nanswer = 2 * (x * y + y) * (x + 1)       # that is df/dy",
        "x, y = 1.5, -2.0\nanswer = 2 * (x * y + y) * x             # du/dx taken as x",
        "x, y = 1.5, -2.0\nanswer = (x * y + y) ** 2                # the value, not the slope",
    ],
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
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        raise CheckFailed(f"expected a list of node names such as ['L', ...], got {answer!r}")
    names = [str(n).strip() for n in answer]
    unknown = sorted(set(names) - set(Q2_GRAPH))
    if unknown:
        raise CheckFailed(f"unknown names {unknown}; the nodes are {sorted(Q2_GRAPH)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CheckFailed(f"{twice} appear more than once: backward() calls each node's "
                          "_backward exactly once")
    missing = sorted(set(Q2_GRAPH) - set(names))
    if missing:
        raise CheckFailed(f"{missing} missing: list all {len(Q2_GRAPH)} nodes")
    position = {n: i for i, n in enumerate(names)}
    for node, operands in Q2_GRAPH.items():
        for op in operands:
            if position[op] < position[node]:
                raise CheckFailed(
                    f"{op} comes before {node}, but {node} uses {op}: when {op} passes its "
                    f"gradient on, the share that {node} adds to it has not arrived yet")
    return True


q2 = Exercise(
    name="Q2 · order of the backward pass",
    checker=_check_q2,
    hint_text=("A node may pass its gradient on only when it is complete, that is after every "
               "node that uses it has run. Start from L (nothing uses it), and before writing c, "
               "check that both of its users are already in your list."),
    solution_code="""
answer = ["L", "e", "d", "c", "b", "a"]
""",
    wrong_codes=[
        'answer = ["a", "b", "c", "d", "e", "L"]       # the forward order',
        'answer = ["L", "e", "c", "d", "b", "a"]       # c before d, which uses it',
        'answer = ["L", "c", "e", "d", "a", "b"]       # c before e and d',
        'answer = ["L", "e", "d", "b", "c", "a"]       # b before c, which uses it',
        'answer = ["L", "e", "d", "c", "a"]            # b forgotten',
        'answer = ["L", "e", "d", "c", "c", "b", "a"]  # c twice',
    ],
)

# ---------------------------------------------------------------------------------------------
# q3 · backward twice without zeroing
# ---------------------------------------------------------------------------------------------
Q3_CODE = """import torch
w = torch.tensor(1.5, requires_grad=True)
x, y = 2.0, 1.0
loss = (w * x - y) ** 2
loss.backward(retain_graph=True)
loss.backward()"""


def _check_q3(answer):
    value = _number(answer, "w.grad after the two backward() calls")
    once = 2 * (1.5 * 2.0 - 1.0) * 2.0
    _known_mistakes(value, {
        once: "that is the gradient of one backward() call; PyTorch adds into .grad",
        2 * (1.5 * 2.0 - 1.0): "that is d(loss)/d(prediction); multiply by d(w·x)/dw = x",
    }, atol=1e-6)
    check.close(value, 2 * once, name="w.grad")


q3 = Exercise(
    name="Q3 · backward twice",
    checker=_check_q3,
    hint_text=("First the gradient of one call: loss = (w·x − y)², so d(loss)/dw = 2(w·x − y)·x. "
               "Then remember what backward() does with a .grad that already holds a number."),
    solution_code=Q3_CODE + """
answer = w.grad.item()   # 2 × 8: the second call adds to the first
""",
    wrong_codes=[
        "answer = 2 * (1.5 * 2.0 - 1.0) * 2.0          # one call's gradient",
        "answer = 2 * (1.5 * 2.0 - 1.0)                # missing the factor x",
        "answer = 4 * 2 * (1.5 * 2.0 - 1.0) * 2.0      # doubled twice",
        "answer = 0.0                                  # as if the second call reset it",
    ],
)

# ---------------------------------------------------------------------------------------------
# q4 · the local derivative of tanh
# ---------------------------------------------------------------------------------------------
Q4_X = 0.5


def _check_q4(answer):
    value = _number(answer, "d tanh(x)/dx at x = 0.5")
    t = math.tanh(Q4_X)
    _known_mistakes(value, {
        t: "that is tanh(0.5) itself, the value, not the slope",
        1 - Q4_X ** 2: "that is 1 − x²; the formula is 1 − tanh²(x)",
        1 - t: "that is 1 − tanh(x); the tanh is squared",
    }, atol=1e-3)
    check.close(value, 1 - t * t, name="d tanh(x)/dx at 0.5", rtol=0, atol=1e-3)


q4 = Exercise(
    name="Q4 · local derivative of tanh",
    checker=_check_q4,
    hint_text=("d tanh(x)/dx = 1 − tanh²(x): compute t = tanh(0.5) with math.tanh, then 1 − t². "
               "(This is why the engine's tanh backward uses its output, out.data.)"),
    solution_code="""
import math
t = math.tanh(0.5)
answer = 1 - t ** 2
""",
    wrong_codes=[
        "import math\nanswer = math.tanh(0.5)                  # the value",
        "answer = 1 - 0.5 ** 2                             # 1 - x², not 1 - tanh²(x)",
        "import math\nanswer = 1 - math.tanh(0.5)              # tanh not squared",
        "import math\nanswer = 1 / math.cosh(0.5)              # sech, not sech²",
    ],
)

# ---------------------------------------------------------------------------------------------
# q5 · detach
# ---------------------------------------------------------------------------------------------
Q5_CODE = """import torch
x = torch.tensor(3.0, requires_grad=True)
y = x ** 2
z = y.detach() * x
z.backward()"""


def _check_q5(answer):
    value = _number(answer, "x.grad")
    _known_mistakes(value, {
        27.0: "that is d(x³)/dx = 3x²: it would be right without detach(), but the detached y "
              "is a constant to autograd",
        6.0: "that is dy/dx = 2x, the path that detach() cuts",
        0.0: "detach() cuts only the path through y; x still reaches z directly",
    }, atol=1e-6)
    check.close(value, 9.0, name="x.grad")


q5 = Exercise(
    name="Q5 · detach",
    checker=_check_q5,
    hint_text=("y.detach() is a new tensor with y's value, 9, but no history: autograd treats it "
               "as a constant. So z = 9 · x as far as gradients go."),
    solution_code=Q5_CODE + """
answer = x.grad.item()
""",
    wrong_codes=[
        "answer = 3 * 3.0 ** 2       # d(x^3)/dx: as if there were no detach",
        "answer = 2 * 3.0            # only the path through y",
        "answer = 0.0                # as if detach cut x off entirely",
        "answer = 3.0                # the value of x",
    ],
)
