"""Exercises of L1.03 · Automatic differentiation from scratch (自动微分).

    from dlcourse.exercises import l1_03 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

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
# q4 · the local derivative of tanh
# ---------------------------------------------------------------------------------------------
Q4_X = 0.5
Q4_TANH = math.tanh(Q4_X)

q4 = number(
    1 - Q4_TANH ** 2, what="d tanh(x)/dx at 0.5", rtol=0, atol=1e-3,
    mistakes={
        Q4_TANH: "that is tanh(0.5) itself, the value, not the slope",
        1 - Q4_X ** 2: "that is 1 − x²; the formula is 1 − tanh²(x)",
        1 - Q4_TANH: "that is 1 − tanh(x); the tanh is squared",
    },
    name="Q4 · local derivative of tanh",
    hint_text=("d tanh(x)/dx = 1 − tanh²(x): compute t = tanh(0.5) with math.tanh, then 1 − t². "
               "(This is why the engine's tanh backward uses its output, out.data.)"),
    right_answer=answers.tanh_slope,
    wrong_answers=[answers.tanh_slope_value, answers.tanh_slope_one_minus_x_squared,
                   answers.tanh_slope_not_squared, answers.tanh_slope_sech],
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
