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
    sizes = [784, 300, 100, 10]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@computed
def parameter_count_weights_only():
    return 784 * 300 + 300 * 100 + 100 * 10


@computed
def parameter_count_input_biases():
    return 784 * 300 + 300 * 100 + 100 * 10 + 784 + 300 + 100 + 10


@computed
def parameter_count_product():
    return 784 * 300 * 100 * 10


@computed
def parameter_count_output_layer_forgotten():
    return 784 * 300 + 300 + 300 * 100 + 100


# q3 · backward through two hidden ReLU layers
def mlp3_backward(params, X, y):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    N = len(y)
    Z1 = X @ W1 + b1                             # forward, keeping what backward needs
    H1 = np.maximum(Z1, 0)
    Z2 = H1 @ W2 + b2
    H2 = np.maximum(Z2, 0)
    S = H2 @ W3 + b3
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dS = P.copy()                                # backward: softmax + cross-entropy
    dS[np.arange(N), y] -= 1
    dS /= N
    dZ2 = (dS @ W3.T) * (Z2 > 0)                 # through W3, then the second ReLU
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)                # through W2, then the first ReLU
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0),
            "W2": H1.T @ dZ2, "b2": dZ2.sum(axis=0),
            "W3": H2.T @ dS, "b3": dS.sum(axis=0)}


def mlp3_backward_second_relu_skipped(params, X, y):
    """The gradient goes straight through the second ReLU, as if it were not there."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = X @ W1 + b1
    H1 = np.maximum(Z1, 0)
    H2 = np.maximum(H1 @ W2 + b2, 0)
    S = H2 @ W3 + b3
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dS = P.copy()
    dS[np.arange(len(y)), y] -= 1
    dS /= len(y)
    dZ2 = dS @ W3.T
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H1.T @ dZ2, "b2": dZ2.sum(axis=0),
            "W3": H2.T @ dS, "b3": dS.sum(axis=0)}


def mlp3_backward_first_relu_skipped(params, X, y):
    """relu' applied once, at the second hidden layer only."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    H1 = np.maximum(X @ W1 + b1, 0)
    Z2 = H1 @ W2 + b2
    H2 = np.maximum(Z2, 0)
    S = H2 @ W3 + b3
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dS = P.copy()
    dS[np.arange(len(y)), y] -= 1
    dS /= len(y)
    dZ2 = (dS @ W3.T) * (Z2 > 0)
    dZ1 = dZ2 @ W2.T
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H1.T @ dZ2, "b2": dZ2.sum(axis=0),
            "W3": H2.T @ dS, "b3": dS.sum(axis=0)}


def mlp3_backward_sum_not_mean(params, X, y):
    """The loss is a mean over the N examples: dS needs the 1/N."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = X @ W1 + b1
    H1 = np.maximum(Z1, 0)
    Z2 = H1 @ W2 + b2
    H2 = np.maximum(Z2, 0)
    S = H2 @ W3 + b3
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dS = P.copy()
    dS[np.arange(len(y)), y] -= 1
    dZ2 = (dS @ W3.T) * (Z2 > 0)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H1.T @ dZ2, "b2": dZ2.sum(axis=0),
            "W3": H2.T @ dS, "b3": dS.sum(axis=0)}


def mlp3_backward_bias_averaged(params, X, y):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = X @ W1 + b1
    H1 = np.maximum(Z1, 0)
    Z2 = H1 @ W2 + b2
    H2 = np.maximum(Z2, 0)
    S = H2 @ W3 + b3
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dS = P.copy()
    dS[np.arange(len(y)), y] -= 1
    dS /= len(y)
    dZ2 = (dS @ W3.T) * (Z2 > 0)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.mean(axis=0), "W2": H1.T @ dZ2, "b2": dZ2.mean(axis=0),
            "W3": H2.T @ dS, "b3": dS.mean(axis=0)}


# q4 · backward of a tanh network with one logit and the binary cross-entropy
def bce_mlp_backward(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = len(y)
    H = np.tanh(X @ W1 + b1)                     # (N, H)
    s = H @ W2 + b2                              # (N, 1): one logit per example
    p = 0.5 * (1 + np.tanh(s / 2))               # sigmoid, without overflow
    ds = (p - y[:, None]) / N                    # (N, 1): y as a column, not (N,)
    dZ = (ds @ W2.T) * (1 - H ** 2)              # tanh' = 1 - tanh²
    return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0), "W2": H.T @ ds, "b2": ds.sum(axis=0)}


def bce_mlp_backward_labels_not_a_column(params, X, y):
    """(N, 1) − (N,) broadcasts to an (N, N) array."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    H = np.tanh(X @ W1 + b1)
    p = 0.5 * (1 + np.tanh((H @ W2 + b2) / 2))
    ds = (p - y) / len(y)
    dZ = (ds @ W2.T) * (1 - H ** 2)
    return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0), "W2": H.T @ ds, "b2": ds.sum(axis=0)}


def bce_mlp_backward_relu_derivative(params, X, y):
    """relu' copied from the lesson's default, but the units are tanh."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z = X @ W1 + b1
    H = np.tanh(Z)
    p = 0.5 * (1 + np.tanh((H @ W2 + b2) / 2))
    ds = (p - y[:, None]) / len(y)
    dZ = (ds @ W2.T) * (Z > 0)
    return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0), "W2": H.T @ ds, "b2": ds.sum(axis=0)}


def bce_mlp_backward_extra_sigmoid_slope(params, X, y):
    """p(1 − p) kept: that is the gradient of (p − y)², not of the BCE."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    H = np.tanh(X @ W1 + b1)
    p = 0.5 * (1 + np.tanh((H @ W2 + b2) / 2))
    ds = (p - y[:, None]) * p * (1 - p) / len(y)
    dZ = (ds @ W2.T) * (1 - H ** 2)
    return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0), "W2": H.T @ ds, "b2": ds.sum(axis=0)}


def bce_mlp_backward_overflows(params, X, y):
    """e^s / (1 + e^s) is inf / inf for logits in the hundreds."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    H = np.tanh(X @ W1 + b1)
    s = H @ W2 + b2
    p = np.exp(s) / (1 + np.exp(s))
    ds = (p - y[:, None]) / len(y)
    dZ = (ds @ W2.T) * (1 - H ** 2)
    return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0), "W2": H.T @ ds, "b2": ds.sum(axis=0)}


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
