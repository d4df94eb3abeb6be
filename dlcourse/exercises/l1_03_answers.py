"""Answers to L1.03's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import torch

from . import computed


# q1 · the chain rule by hand
@computed
def chain_rule():
    x, y = 1.5, -2.0
    u = x * y + y            # the inner node: -5
    return 2 * u * y         # df/du = 2u, du/dx = y


@computed
def chain_rule_inner_derivative_forgotten():
    x, y = 1.5, -2.0
    return 2 * (x * y + y)


@computed
def chain_rule_df_dy():
    x, y = 1.5, -2.0
    return 2 * (x * y + y) * (x + 1)


@computed
def chain_rule_du_dx_as_x():
    x, y = 1.5, -2.0
    return 2 * (x * y + y) * x


@computed
def chain_rule_value_of_f():
    x, y = 1.5, -2.0
    return (x * y + y) ** 2


# q2 · a valid order for backward()
@computed
def backward_order():
    return ["L", "e", "d", "c", "b", "a"]


@computed
def backward_order_forward():
    return ["a", "b", "c", "d", "e", "L"]


@computed
def backward_order_c_before_d():
    return ["L", "e", "c", "d", "b", "a"]


@computed
def backward_order_c_before_e():
    return ["L", "c", "e", "d", "a", "b"]


@computed
def backward_order_b_before_c():
    return ["L", "e", "d", "b", "c", "a"]


@computed
def backward_order_b_forgotten():
    return ["L", "e", "d", "c", "a"]


@computed
def backward_order_c_twice():
    return ["L", "e", "d", "c", "c", "b", "a"]


# q3 · backward twice without zeroing
@computed
def grad_after_two_calls():
    w = torch.tensor(1.5, requires_grad=True)
    x, y = 2.0, 1.0
    loss = (w * x - y) ** 2
    loss.backward(retain_graph=True)
    loss.backward()
    return w.grad.item()   # 2 × 8: the second call adds to the first


@computed
def grad_after_one_call():
    return 2 * (1.5 * 2.0 - 1.0) * 2.0


@computed
def grad_without_factor_x():
    return 2 * (1.5 * 2.0 - 1.0)


@computed
def grad_doubled_twice():
    return 4 * 2 * (1.5 * 2.0 - 1.0) * 2.0


@computed
def grad_reset_by_second_call():
    return 0.0


# q4 · the local derivative of tanh
@computed
def tanh_slope():
    t = math.tanh(0.5)
    return 1 - t ** 2


@computed
def tanh_slope_value():
    return math.tanh(0.5)


@computed
def tanh_slope_one_minus_x_squared():
    return 1 - 0.5 ** 2


@computed
def tanh_slope_not_squared():
    return 1 - math.tanh(0.5)


@computed
def tanh_slope_sech():
    """sech, not sech²."""
    return 1 / math.cosh(0.5)


# q5 · detach
@computed
def grad_through_detach():
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 2
    z = y.detach() * x
    z.backward()
    return x.grad.item()


@computed
def grad_as_if_no_detach():
    return 3 * 3.0 ** 2


@computed
def grad_only_through_y():
    return 2 * 3.0


@computed
def grad_as_if_x_cut_off():
    return 0.0


@computed
def grad_is_x():
    return 3.0
