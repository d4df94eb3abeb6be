"""Answers to L1.05's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · one step of the perceptron rule
@computed
def perceptron_update():
    w, b = torch.tensor([0.5, -1.0]), 0.2
    x, t, lr = torch.tensor([1.0, 2.0]), 1.0, 0.5
    if t * (w @ x + b) <= 0:            # -1.3: on the wrong side, so update
        w, b = w + lr * t * x, b + lr * t
    return [w[0].item(), w[1].item(), b]


@computed
def perceptron_no_update():
    """The point was misclassified, so the rule must update."""
    return [0.5, -1.0, 0.2]


@computed
def perceptron_bias_not_updated():
    return [1.0, 0.0, 0.2]


@computed
def perceptron_sign_flipped():
    """Moved away from the point."""
    return [0.0, -2.0, -0.3]


@computed
def perceptron_learning_rate_forgotten():
    return [1.5, 1.0, 1.2]


# q2 · the gradient of the binary cross-entropy
def grad(X, y, w, b):
    p = torch.sigmoid(X @ w + b)
    g = (p - y) / len(y)          # dL/ds for each point
    return X.T @ g, g.sum()


def grad_ascent(X, y, w, b):
    """The sign flipped: the ascent direction."""
    g = (y - torch.sigmoid(X @ w + b)) / len(y)
    return X.T @ g, g.sum()


def grad_sum_not_mean(X, y, w, b):
    g = torch.sigmoid(X @ w + b) - y
    return X.T @ g, g.sum()


def grad_of_the_score(X, y, w, b):
    """The score instead of the probability."""
    g = ((X @ w + b) - y) / len(y)
    return X.T @ g, g.sum()


def grad_extra_sigmoid_factor(X, y, w, b):
    """An extra σ' factor: the gradient of MSE∘σ (up to 2)."""
    p = torch.sigmoid(X @ w + b)
    g = (p - y) * p * (1 - p) / len(y)
    return X.T @ g, g.sum()


# q3 · a numerically stable softmax
def softmax(S):
    Z = S - S.max(dim=-1, keepdim=True).values
    E = Z.exp()
    return E / E.sum(dim=-1, keepdim=True)


def softmax_overflows(S):
    E = S.exp()
    return E / E.sum(dim=-1, keepdim=True)


def softmax_one_global_max(S):
    """One global max: the second row underflows to 0/0."""
    E = (S - S.max()).exp()
    return E / E.sum(dim=-1, keepdim=True)


def softmax_wrong_axis(S):
    Z = S - S.max(dim=0, keepdim=True).values
    E = Z.exp()
    return E / E.sum(dim=0, keepdim=True)


# q4 · features that make the circle linearly separable
def phi(X):
    return torch.stack([X[:, 0] ** 2, X[:, 1] ** 2], dim=1)


def phi_identity(X):
    """A line cannot enclose a disc."""
    return X


def phi_xor_feature(X):
    """x1·x2 solves XOR, not the circle."""
    return torch.stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]], 1)


def phi_diagonal_band(X):
    """A band along a diagonal, not a disc."""
    return ((X[:, 0] + X[:, 1]) ** 2)[:, None]


# q5 · recall from a confusion matrix
@computed
def recall():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return C.diag() / C.sum(dim=1)


@computed
def recall_is_precision():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return C.diag() / C.sum(dim=0)


@computed
def recall_share_of_all():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return C.diag() / C.sum()


@computed
def recall_overall_accuracy():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return torch.full((10,), (C.diag().sum() / C.sum()).item())
