"""Answers to L3.06's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the cost of a depthwise separable convolution ('same' padding, stride 1, no bias)
def depthwise_separable_cost(c_in, c_out, k, h, w):
    depthwise = c_in * k * k                  # one k×k filter per input channel
    pointwise = c_in * c_out                  # a 1×1 convolution mixing the channels
    params = depthwise + pointwise
    macs = h * w * (depthwise + pointwise)    # every weight once per output position
    return params, macs


def separable_cost_standard(c_in, c_out, k, h, w):
    """The cost of a standard k×k convolution instead."""
    return c_in * c_out * k * k, h * w * c_in * c_out * k * k


def separable_cost_no_pointwise(c_in, c_out, k, h, w):
    """Forgets the pointwise 1×1 convolution."""
    return c_in * k * k, h * w * c_in * k * k


def separable_cost_flops(c_in, c_out, k, h, w):
    """Returns FLOPs (2 per multiply-accumulate) where the multiply-accumulates were asked for."""
    params, macs = depthwise_separable_cost(c_in, c_out, k, h, w)
    return params, 2 * macs


def separable_cost_depthwise_to_out(c_in, c_out, k, h, w):
    """Gives the depthwise convolution C_out filters."""
    return c_out * k * k + c_in * c_out, h * w * (c_out * k * k + c_in * c_out)


# q2 · the expansion ratio t at which MBConv (C → tC → tC → C, 3×3 depthwise) costs 9C² per pixel
@computed
def break_even_expansion():
    C, k = 64, 3
    return k * k * C * C / (2 * C * C + k * k * C)      # 9C² = t(2C² + 9C)


@computed
def break_even_expansion_without_depthwise():
    return 9 * 64 * 64 / (2 * 64 * 64)


@computed
def break_even_expansion_one_1x1():
    return 9 * 64 * 64 / (64 * 64 + 9 * 64)


# q3 · what each idea does
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_resolution_linear():
    return {"a", "c", "d", "e"}


@computed
def true_statements_se_costly():
    return {"a", "b", "c", "e"}
