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


# q2 · one gradient step of logistic regression, labels ±1
def logistic_step(X, t, w, b, lr):
    s = X @ w + b
    g = -t * torch.sigmoid(-t * s) / len(t)   # dL/ds of the mean of log(1 + exp(-t s))
    return w - lr * X.T @ g, b - lr * g.sum()


def logistic_step_ascent(X, t, w, b, lr):
    """A step up the loss, not down."""
    g = -t * torch.sigmoid(-t * (X @ w + b)) / len(t)
    return w + lr * X.T @ g, b + lr * g.sum()


def logistic_step_zero_one_formula(X, t, w, b, lr):
    """σ(s) − y is the gradient for labels y in {0, 1}; here the labels are ±1."""
    g = (torch.sigmoid(X @ w + b) - t) / len(t)
    return w - lr * X.T @ g, b - lr * g.sum()


def logistic_step_overflows(X, t, w, b, lr):
    """exp(−t s) / (1 + exp(−t s)) is inf / inf = nan when t s is below about −710."""
    e = torch.exp(-t * (X @ w + b))
    g = -t * e / (1 + e) / len(t)
    return w - lr * X.T @ g, b - lr * g.sum()


def logistic_step_sum_not_mean(X, t, w, b, lr):
    g = -t * torch.sigmoid(-t * (X @ w + b))
    return w - lr * X.T @ g, b - lr * g.sum()


# q3 · backward through the softmax
def softmax_backward(S, dP):
    P = torch.softmax(S, dim=-1)
    return P * (dP - (dP * P).sum(dim=-1, keepdim=True))


def softmax_backward_diagonal_only(S, dP):
    """Treats the softmax as elementwise, like the sigmoid: only ∂p_k/∂s_k."""
    P = torch.softmax(S, dim=-1)
    return dP * P * (1 - P)


def softmax_backward_unweighted_sum(S, dP):
    """The sum over j needs each dP_j weighted by p_j."""
    P = torch.softmax(S, dim=-1)
    return P * (dP - dP.sum(dim=-1, keepdim=True))


def softmax_backward_naive_softmax(S, dP):
    """exp(1000) overflows: nan."""
    E = S.exp()
    P = E / E.sum(dim=-1, keepdim=True)
    return P * (dP - (dP * P).sum(dim=-1, keepdim=True))


def softmax_backward_sum_over_the_batch(S, dP):
    P = torch.softmax(S, dim=-1)
    return P * (dP - (dP * P).sum(dim=0, keepdim=True))


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


# q5 · precision from a confusion matrix
@computed
def precision():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return C.diag() / C.sum(dim=0)


@computed
def precision_is_recall():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return C.diag() / C.sum(dim=1)


@computed
def precision_share_of_all():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return C.diag() / C.sum()


@computed
def precision_overall_accuracy():
    from dlcourse.exercises import l1_05 as ex
    C = ex.confusion().double()
    return torch.full((10,), (C.diag().sum() / C.sum()).item())
