"""Answers to L2.04's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import copy

from torch import nn

from . import computed


# q1 · output shapes through a stack of layers
def output_shapes(layers, input_shape):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    shapes, shape = [], tuple(input_shape)
    for layer in layers:
        kind = type(layer).__name__
        if kind in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            k, s, p = pair(layer.kernel_size), pair(layer.stride), pair(layer.padding)
            d = pair(getattr(layer, "dilation", 1))                  # AvgPool2d has none
            C = layer.out_channels if kind == "Conv2d" else shape[0]
            shape = (C, *((n + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1
                          for a, n in enumerate(shape[1:])))
        elif kind == "Flatten":
            shape = (shape[0] * shape[1] * shape[2],)
        elif kind == "Linear":
            shape = (layer.out_features,)
        shapes.append(shape)                                          # activations keep it
    return shapes


def output_shapes_without_plus_one(layers, input_shape):
    """⌊(n + 2p − d(k − 1) − 1)/s⌋ without the + 1: counts steps, not positions."""
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    shapes, shape = [], tuple(input_shape)
    for layer in layers:
        kind = type(layer).__name__
        if kind in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            k, s, p = pair(layer.kernel_size), pair(layer.stride), pair(layer.padding)
            d = pair(getattr(layer, "dilation", 1))
            C = layer.out_channels if kind == "Conv2d" else shape[0]
            shape = (C, *((n + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a]
                          for a, n in enumerate(shape[1:])))
        elif kind == "Flatten":
            shape = (shape[0] * shape[1] * shape[2],)
        elif kind == "Linear":
            shape = (layer.out_features,)
        shapes.append(shape)
    return shapes


def output_shapes_pool_stride_one(layers, input_shape):
    """Pools as if their stride were 1, a conv's default, instead of their kernel size."""
    layers = [copy.copy(layer) for layer in layers]
    for layer in layers:
        if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            layer.stride = 1
    return output_shapes(layers, input_shape)


def output_shapes_dilation_ignored(layers, input_shape):
    """Forgets that a dilated kernel spans d(k − 1) + 1 pixels."""
    layers = [copy.copy(layer) for layer in layers]
    for layer in layers:
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            layer.dilation = 1
    return output_shapes(layers, input_shape)


def output_shapes_padding_ignored(layers, input_shape):
    layers = [copy.copy(layer) for layer in layers]
    for layer in layers:
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            layer.padding = 0
    return output_shapes(layers, input_shape)


def output_shapes_flatten_ignores_channels(layers, input_shape):
    """Flatten keeps H·W only: as if each channel were a separate example."""
    out, before = [], tuple(input_shape)
    for layer, shape in zip(layers, output_shapes(layers, input_shape)):
        if type(layer).__name__ == "Flatten":
            shape = (before[1] * before[2],)
        out.append(shape)
        before = shape
    return out


# q2 · parameters of the 1998 C3 layer, with its connection table
@computed
def c3_parameters():
    k = 5
    inputs_per_map = [3] * 6 + [4] * 6 + [4] * 3 + [6]   # LeCun et al. 1998, Table I
    return sum(c * k * k for c in inputs_per_map) + 16    # kernels, plus one bias per map


@computed
def c3_parameters_fully_connected():
    return 16 * 6 * 5 * 5 + 16


@computed
def c3_parameters_no_bias():
    return (6 * 3 + 9 * 4 + 6) * 5 * 5


@computed
def c3_parameters_kernel_per_map():
    """One 5×5 kernel per output map, as if each read a single input map."""
    return 16 * 5 * 5 + 16


# q3 · what the 1998 LeNet-5 had that the lesson's model does not
@computed
def lenet_1998_only():
    return {"a", "c", "d", "e"}


@computed
def lenet_1998_only_with_max_pooling():
    return {"a", "b", "c", "d", "e"}


@computed
def lenet_1998_only_missing_rbf():
    return {"a", "c", "d"}


@computed
def lenet_1998_only_with_kernels():
    return {"a", "c", "d", "e", "f"}
