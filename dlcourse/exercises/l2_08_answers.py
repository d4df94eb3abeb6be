"""Answers to L2.08's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import computed


# q1 · a basic residual block, identity or 1×1 projection shortcut
def residual_block(x, params, stride):
    def conv_bn(x, w, gamma, beta, stride, padding):
        """Convolution without bias, then batch norm with the batch's statistics (training mode)."""
        z = F.conv2d(x, w, stride=stride, padding=padding)
        return F.batch_norm(z, None, None, gamma, beta, training=True)

    out = F.relu(conv_bn(x, params["w1"], params["g1"], params["b1"], stride, 1))
    out = conv_bn(out, params["w2"], params["g2"], params["b2"], 1, 1)
    if "ws" in params:                                   # shape changes: 1×1 conv (stride) + BN
        shortcut = conv_bn(x, params["ws"], params["gs"], params["bs"], stride, 0)
    else:                                                # same shape: the identity
        shortcut = x
    return F.relu(out + shortcut)


def residual_block_relu_before_add(x, params, stride):
    """ReLU on the branch before the addition (and none after): not the original block."""
    def conv_bn(x, w, gamma, beta, stride, padding):
        return F.batch_norm(F.conv2d(x, w, stride=stride, padding=padding), None, None, gamma, beta, training=True)
    out = F.relu(conv_bn(x, params["w1"], params["g1"], params["b1"], stride, 1))
    out = F.relu(conv_bn(out, params["w2"], params["g2"], params["b2"], 1, 1))
    shortcut = conv_bn(x, params["ws"], params["gs"], params["bs"], stride, 0) if "ws" in params else x
    return out + shortcut


def residual_block_no_shortcut(x, params, stride):
    """The plain block: the shortcut is forgotten."""
    def conv_bn(x, w, gamma, beta, stride, padding):
        return F.batch_norm(F.conv2d(x, w, stride=stride, padding=padding), None, None, gamma, beta, training=True)
    out = F.relu(conv_bn(x, params["w1"], params["g1"], params["b1"], stride, 1))
    return F.relu(conv_bn(out, params["w2"], params["g2"], params["b2"], 1, 1))


def residual_block_stride_on_second(x, params, stride):
    """Downsamples in the second convolution instead of the first (same shape, other numbers)."""
    def conv_bn(x, w, gamma, beta, stride, padding):
        return F.batch_norm(F.conv2d(x, w, stride=stride, padding=padding), None, None, gamma, beta, training=True)
    out = F.relu(conv_bn(x, params["w1"], params["g1"], params["b1"], 1, 1))
    out = conv_bn(out, params["w2"], params["g2"], params["b2"], stride, 1)
    shortcut = conv_bn(x, params["ws"], params["gs"], params["bs"], stride, 0) if "ws" in params else x
    return F.relu(out + shortcut)


def residual_block_projection_without_bn(x, params, stride):
    """The 1×1 projection without its batch norm."""
    def conv_bn(x, w, gamma, beta, stride, padding):
        return F.batch_norm(F.conv2d(x, w, stride=stride, padding=padding), None, None, gamma, beta, training=True)
    out = F.relu(conv_bn(x, params["w1"], params["g1"], params["b1"], stride, 1))
    out = conv_bn(out, params["w2"], params["g2"], params["b2"], 1, 1)
    shortcut = F.conv2d(x, params["ws"], stride=stride) if "ws" in params else x
    return F.relu(out + shortcut)


def residual_block_eval_statistics(x, params, stride):
    """Batch norm with running statistics 0 and 1 (eval mode of a fresh layer), not the batch's."""
    def conv_bn(x, w, gamma, beta, stride, padding):
        c = w.shape[0]
        return F.batch_norm(F.conv2d(x, w, stride=stride, padding=padding),
                            torch.zeros(c, dtype=x.dtype), torch.ones(c, dtype=x.dtype), gamma, beta,
                            training=False)
    out = F.relu(conv_bn(x, params["w1"], params["g1"], params["b1"], stride, 1))
    out = conv_bn(out, params["w2"], params["g2"], params["b2"], 1, 1)
    shortcut = conv_bn(x, params["ws"], params["gs"], params["bs"], stride, 0) if "ws" in params else x
    return F.relu(out + shortcut)


# q2 · channels after a dense block and a transition layer
@computed
def transition_channels():
    c0, growth, layers, compression = 24, 12, 6, 0.5
    block_out = c0 + layers * growth                 # every layer adds `growth` channels: 96
    return int(compression * block_out)              # the transition's 1×1 conv halves them: 48


@computed
def transition_channels_no_compression():
    return 24 + 6 * 12


@computed
def transition_channels_without_input():
    return int(0.5 * 6 * 12)


@computed
def transition_channels_last_layer_only():
    return int(0.5 * 12)


# q3 · what is true of residual and dense networks
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_overfitting():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_addition():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_degradation():
    return {"c", "e"}
