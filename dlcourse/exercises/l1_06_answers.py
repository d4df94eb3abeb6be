"""Answers to L1.06's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import numpy as np

from . import computed


# q1 · the derivative of softplus, stable
def softplus_grad(z):
    # d/dz log(1 + e^z) = e^z / (1 + e^z) = sigmoid(z), written without overflow
    return 0.5 * (1 + np.tanh(z / 2))


def softplus_grad_overflows(z):
    """inf / inf = NaN at z = 1000."""
    return np.exp(z) / (1 + np.exp(z))


def softplus_grad_sigmoid_of_minus_z(z):
    return 1 / (1 + np.exp(z))


def softplus_itself(z):
    return np.log1p(np.exp(z))


def softplus_grad_relu_derivative(z):
    return (z > 0).astype(float)


# q2 · counting parameters
@computed
def parameter_count():
    sizes = [784, 512, 256, 10]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@computed
def parameter_count_weights_only():
    return 784 * 512 + 512 * 256 + 256 * 10


@computed
def parameter_count_input_biases():
    return 784 * 512 + 512 * 256 + 256 * 10 + 784 + 512 + 256 + 10


@computed
def parameter_count_product():
    return 784 * 512 * 256 * 10


@computed
def parameter_count_output_layer_forgotten():
    return 784 * 512 + 512 + 512 * 256 + 256


# q3 · backward of an affine layer
def linear_backward(X, W, dY):
    dX = dY @ W.T
    dW = X.T @ dY
    db = dY.sum(axis=0)
    return dX, dW, db


def linear_backward_bias_averaged(X, W, dY):
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)


def linear_backward_dw_transposed(X, W, dY):
    return dY @ W.T, dY.T @ X, dY.sum(axis=0)


def linear_backward_w_not_transposed(X, W, dY):
    return dY @ W, X.T @ dY, dY.sum(axis=0)


def linear_backward_bias_not_summed(X, W, dY):
    return dY @ W.T, X.T @ dY, dY


# q4 · the gradient of softmax cross-entropy
def ce_grad(S, y):
    S = S - S.max(axis=1, keepdims=True)        # stable: exp sees numbers <= 0
    P = np.exp(S)
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1                 # P - Y
    return P / len(y)                            # the loss is a mean over N rows


def ce_grad_overflows(S, y):
    """No max-shift: exp(700) overflows."""
    P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P / len(y)


def ce_grad_not_divided_by_n(S, y):
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P


def ce_grad_sign_flipped(S, y):
    """Y − P."""
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    Y = np.eye(S.shape[1])[y]
    return (Y - P) / len(y)


def ce_grad_softmax_over_batch(S, y):
    P = np.exp(S - S.max(axis=0, keepdims=True))
    P /= P.sum(axis=0, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P / len(y)


# q5 · a hat from three ReLUs
@computed
def hat_weights():
    a = [1.0, 1.0, 1.0]      # input weights
    b = [1.0, 0.0, -1.0]     # kinks at x = -1, 0, 1
    v = [1.0, -2.0, 1.0]     # slope changes: 0 → 1 → -1 → 0
    c = 0.0
    return (a, b, v, c)


@computed
def hat_weights_slope_after_top():
    """The slope after the top is 1, not -1."""
    return ([1, 1, 1], [1, 0, -1], [1, -1, 1], 0.0)


@computed
def hat_weights_twice_as_wide():
    """Kinks at ±2: twice as wide and high."""
    return ([1, 1, 1], [2, 0, -2], [1, -2, 1], 0.0)


@computed
def hat_weights_shifted_up():
    return ([1, 1, 1], [1, 0, -1], [1, -2, 1], 1.0)


@computed
def hat_weights_keeps_falling():
    """Keeps falling after x = 1."""
    return ([1, 1, 1], [1, 0, -1], [1, -2, 0], 0.0)
