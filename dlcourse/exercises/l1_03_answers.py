"""Answers to L1.03's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

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


# q4 · division as one node
def _div(self, other):
    Value = type(self)                       # the engine's class (in the notebook: Value itself)
    other = other if isinstance(other, Value) else Value(other)      # allow v / 2
    out = Value(self.data / other.data, (self, other), "/")
    def _backward():                         # ∂out/∂self = 1/b, ∂out/∂other = −a/b²
        self.grad += (1 / other.data) * out.grad
        other.grad += (-self.data / other.data ** 2) * out.grad
    out._backward = _backward
    return out


def div_assigns(self, other):
    """= instead of +=: x / x, or a gradient from another user, is lost."""
    Value = type(self)
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data / other.data, (self, other), "/")
    def _backward():
        self.grad = (1 / other.data) * out.grad
        other.grad = (-self.data / other.data ** 2) * out.grad
    out._backward = _backward
    return out


def div_without_out_grad(self, other):
    """The local derivatives alone: right only at the output, where out.grad = 1."""
    Value = type(self)
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data / other.data, (self, other), "/")
    def _backward():
        self.grad += 1 / other.data
        other.grad += -self.data / other.data ** 2
    out._backward = _backward
    return out


def div_sign_of_other(self, other):
    Value = type(self)
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data / other.data, (self, other), "/")
    def _backward():
        self.grad += (1 / other.data) * out.grad
        other.grad += (self.data / other.data ** 2) * out.grad
    out._backward = _backward
    return out


def div_other_without_a(self, other):
    """∂(a/b)/∂b taken as −1/b²."""
    Value = type(self)
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data / other.data, (self, other), "/")
    def _backward():
        self.grad += (1 / other.data) * out.grad
        other.grad += (-1 / other.data ** 2) * out.grad
    out._backward = _backward
    return out


def div_operands_not_recorded(self, other):
    """Right numbers, but out._prev is empty: backward() would never reach the operands."""
    Value = type(self)
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data / other.data)
    def _backward():
        self.grad += (1 / other.data) * out.grad
        other.grad += (-self.data / other.data ** 2) * out.grad
    out._backward = _backward
    return out


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
