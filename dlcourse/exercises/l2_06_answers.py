"""Answers to L2.06's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

from . import computed


# q1 · He (Kaiming) standard deviation for any weight shape
def kaiming_std(shape, a, mode):
    receptive_field = math.prod(shape[2:])          # 1 for nn.Linear, kh·kw for nn.Conv2d
    fan_in, fan_out = shape[1] * receptive_field, shape[0] * receptive_field
    fan = fan_in if mode == "fan_in" else fan_out
    gain = math.sqrt(2.0 / (1.0 + a ** 2))          # ReLU (a = 0) or Leaky ReLU (slope a)
    return gain / math.sqrt(fan)


def kaiming_std_variance(shape, a, mode):
    """Returns the variance 2 / fan, not its square root."""
    return kaiming_std(shape, a, mode) ** 2


def kaiming_std_out_features_as_fan_in(shape, a, mode):
    """Reads nn.Linear's weight (out, in) as (in, out): fan_in from shape[0]."""
    swapped = (shape[1], shape[0], *shape[2:])
    return kaiming_std(swapped, a, mode)


def kaiming_std_kernel_ignored(shape, a, mode):
    """Counts channels only: a 3×3 kernel over C channels reads 9·C inputs, not C."""
    return kaiming_std(shape[:2], a, mode)


def kaiming_std_mode_ignored(shape, a, mode):
    return kaiming_std(shape, a, "fan_in")


def kaiming_std_slope_ignored(shape, a, mode):
    return kaiming_std(shape, 0.0, mode)


def kaiming_std_xavier(shape, a, mode):
    """Glorot's √(2 / (fan_in + fan_out)): the tanh choice, half the variance ReLU needs."""
    receptive_field = math.prod(shape[2:])
    return math.sqrt(2.0 / ((shape[0] + shape[1]) * receptive_field))


# q2 · the sigmoid's bound on a chain of weighted derivatives
@computed
def sigmoid_chain_bound():
    weight, largest_slope = 3.0, 0.25    # σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4, at z = 0
    return (weight * largest_slope) ** 5


@computed
def sigmoid_chain_bound_weights_ignored():
    return 0.25 ** 5


@computed
def sigmoid_chain_bound_sigmoid_ignored():
    return 3.0 ** 5


@computed
def sigmoid_chain_bound_sum():
    return 3.0 * 0.25 * 5


@computed
def sigmoid_chain_bound_half():
    """σ(0) = 1/2 is the value at 0, not the slope."""
    return (3.0 * 0.5) ** 5


# q3 · Xavier's standard deviation
@computed
def xavier_std():
    fan_in, fan_out = 300, 100
    return math.sqrt(2.0 / (fan_in + fan_out))


@computed
def xavier_std_variance():
    return 2.0 / (300 + 100)


@computed
def xavier_std_he():
    return math.sqrt(2.0 / 300)


@computed
def xavier_std_uniform_bound():
    """The bound of Glorot's *uniform* version, U(−b, b) with b = √(6 / (fan_in + fan_out))."""
    return math.sqrt(6.0 / (300 + 100))


@computed
def xavier_std_fan_in_only():
    return math.sqrt(1.0 / 300)


# q4 · what attacks vanishing gradients
@computed
def fixes():
    return {"b", "d"}


@computed
def fixes_with_clipping():
    return {"a", "b", "d"}


@computed
def fixes_with_learning_rate():
    return {"b", "c", "d"}


@computed
def fixes_with_constant_init():
    return {"b", "d", "e"}
