"""Answers to L2.03's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch.nn.functional as F

from . import computed


# q1 · conv2d as im2col + one matrix product
def conv2d(x, weight, bias, stride, padding):
    N, C, H, W = x.shape
    O, _, kh, kw = weight.shape
    Ho = (H + 2 * padding - kh) // stride + 1
    Wo = (W + 2 * padding - kw) // stride + 1
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)   # (N, C·kh·kw, Ho·Wo)
    out = weight.reshape(O, -1) @ cols                              # (N, O, Ho·Wo)
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(N, O, Ho, Wo)


def conv2d_true_convolution(x, weight, bias, stride, padding):
    """Flips the kernel: the convolution of signal processing, not what conv2d computes."""
    return conv2d(x, weight.flip(-2, -1), bias, stride, padding)


def conv2d_forgot_padding(x, weight, bias, stride, padding):
    return conv2d(x, weight, bias, stride, 0)


def conv2d_output_size_off_by_one(x, weight, bias, stride, padding):
    """⌊(n + 2p − k)/s⌋ without the + 1: the last row and column are lost."""
    N, C, H, W = x.shape
    O, _, kh, kw = weight.shape
    Ho, Wo = (H + 2 * padding - kh) // stride, (W + 2 * padding - kw) // stride
    out = conv2d(x, weight, bias, stride, padding)
    return out[:, :, :Ho, :Wo]


def conv2d_channels_averaged(x, weight, bias, stride, padding):
    """Averages over the input channels instead of summing."""
    out = conv2d(x, weight, None, stride, padding) / x.shape[1]
    return out if bias is None else out + bias[:, None, None]


def conv2d_weights_flattened_channels_last(x, weight, bias, stride, padding):
    """Flattens the weights as (kh, kw, C) while unfold orders each column as (C, kh, kw)."""
    N, C, H, W = x.shape
    O, _, kh, kw = weight.shape
    Ho = (H + 2 * padding - kh) // stride + 1
    Wo = (W + 2 * padding - kw) // stride + 1
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = weight.permute(0, 2, 3, 1).reshape(O, -1) @ cols
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(N, O, Ho, Wo)


# q2 · output size
@computed
def output_height():
    n, k, s, p = 28, 5, 3, 2
    return (n + 2 * p - k) // s + 1


@computed
def output_height_without_plus_one():
    return (28 + 2 * 2 - 5) // 3


@computed
def output_height_stride_ignored():
    return 28 + 2 * 2 - 5 + 1


@computed
def output_height_padding_ignored():
    return (28 - 5) // 3 + 1


# q3 · receptive field
@computed
def receptive_field():
    r, jump = 1, 1
    for k, s in [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]:   # conv3, pool2, conv3, pool2, conv3
        r += (k - 1) * jump
        jump *= s
    return r


@computed
def receptive_field_strides_ignored():
    return 1 + 2 + 1 + 2 + 1 + 2


@computed
def receptive_field_kernels_summed():
    return 3 + 2 + 3 + 2 + 3


@computed
def receptive_field_kernels_multiplied():
    return 3 * 2 * 3 * 2 * 3


@computed
def receptive_field_pools_add_nothing():
    return 1 + 2 * 1 + 2 * 2 + 2 * 4


# q4 · parameters of a conv layer
@computed
def conv_parameters():
    c_in, c_out, k = 64, 128, 3
    return c_out * c_in * k * k + c_out        # weights (O, C, k, k) and one bias per output


@computed
def conv_parameters_no_bias():
    return 128 * 64 * 3 * 3


@computed
def conv_parameters_one_input_channel():
    return 128 * 3 * 3 + 128


@computed
def conv_parameters_per_position():
    """As if every position of the 32×32 map had its own weights: a locally connected layer."""
    return (128 * 64 * 3 * 3 + 128) * 32 * 32


@computed
def conv_parameters_dense():
    """A fully connected layer from the 64×32×32 input to a 128×32×32 output."""
    return (64 * 32 * 32) * (128 * 32 * 32) + 128 * 32 * 32

