"""Answers to L2.05's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the cost of one convolution layer
def conv_cost(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias):
    c, h, w = in_shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = [v if isinstance(v, (tuple, list)) else (v, v)   # int → (v, v)
                                              for v in (kernel_size, stride, padding, dilation)]
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    weights = out_channels * (c // groups) * kh * kw          # each output channel sees c / groups inputs
    params = weights + (out_channels if bias else 0)
    macs = h_out * w_out * weights                            # every weight once per output position
    return params, macs, (out_channels, h_out, w_out)


def conv_cost_no_groups(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias):
    """Ignores groups: each output channel reads every input channel."""
    return conv_cost(in_shape, out_channels, kernel_size, stride, padding, dilation, 1, bias)


def conv_cost_macs_per_input_pixel(in_shape, out_channels, kernel_size, stride, padding, dilation,
                                   groups, bias):
    """Counts the multiply-accumulates at every input position, not every output position."""
    params, _, shape = conv_cost(in_shape, out_channels, kernel_size, stride, padding, dilation,
                                 groups, bias)
    return params, in_shape[1] * in_shape[2] * (params - (out_channels if bias else 0)), shape


def conv_cost_no_dilation(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias):
    """Forgets that a dilated kernel spans d·(k − 1) + 1 pixels."""
    return conv_cost(in_shape, out_channels, kernel_size, stride, padding, 1, groups, bias)


def conv_cost_bias_always(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias):
    """Counts a bias even for bias=False."""
    return conv_cost(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, True)


def conv_cost_flops(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias):
    """Returns FLOPs (2 per multiply-accumulate) where the multiply-accumulates were asked for."""
    params, macs, shape = conv_cost(in_shape, out_channels, kernel_size, stride, padding, dilation,
                                    groups, bias)
    return params, 2 * macs, shape


# q2 · what the 1×1 bottleneck saves in branch 3 of inception 3a
@computed
def bottleneck_saving():
    h = w = 28                                       # inception 3a's input: 192 channels, 28×28
    direct = h * w * 32 * 192 * 5 * 5                # a 5×5 conv straight from 192 to 32 channels
    reduced = h * w * (16 * 192 * 1 * 1 + 32 * 16 * 5 * 5)   # 1×1 to 16, then 5×5 to 32
    return direct / reduced


@computed
def bottleneck_saving_without_the_1x1():
    return (28 * 28 * 32 * 192 * 25) / (28 * 28 * 32 * 16 * 25)


@computed
def bottleneck_saving_inverted():
    return (28 * 28 * (16 * 192 + 32 * 16 * 25)) / (28 * 28 * 32 * 192 * 25)


# q3 · what each network introduced
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_vgg_larger_field():
    return {"a", "b", "c", "e"}


@computed
def true_statements_nin_params():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_gap():
    return {"a", "e"}
