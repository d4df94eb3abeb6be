"""Answers to L1.07's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · the Huber loss
def huber(pred, target, delta):
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)).mean()


def huber_without_half(pred, target, delta):
    """The ½ missing in the quadratic part."""
    r = (pred - target).abs()
    return torch.where(r <= delta, r ** 2, delta * (r - 0.5 * delta)).mean()


def huber_linear_part_not_shifted(pred, target, delta):
    """The pieces do not meet at |r| = δ."""
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r ** 2, delta * r).mean()


def smooth_l1(pred, target, delta):
    """Huber divided by δ: equal only at δ = 1."""
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r ** 2 / delta, r - 0.5 * delta).mean()


def huber_sum_not_mean(pred, target, delta):
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)).sum()


# q2 · the best constant under MSE and under MAE
@computed
def best_constants():
    data = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0])
    return (data.mean().item(), data.median().item())


@computed
def best_constants_swapped():
    data = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0])
    return (data.median().item(), data.mean().item())


@computed
def best_constants_mean_for_both():
    data = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0])
    return (data.mean().item(), data.mean().item())


@computed
def best_constants_outlier_dropped():
    data = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5])
    return (data.mean().item(), data.median().item())


# q3 · the two gradients when confidently wrong
@computed
def two_gradients():
    p = torch.sigmoid(torch.tensor(-4.0, dtype=torch.float64)).item()
    y = 1.0
    return (p - y, 2 * (p - y) * p * (1 - p))


@computed
def two_gradients_signs_flipped():
    p = torch.sigmoid(torch.tensor(-4.0)).item()
    return (1 - p, 2 * (1 - p) * p * (1 - p))


@computed
def two_gradients_mse_without_slope():
    """σ' forgotten for the MSE."""
    p = torch.sigmoid(torch.tensor(-4.0)).item()
    return (p - 1, 2 * (p - 1))


@computed
def two_gradients_bce_with_slope():
    """σ' kept in the BCE too."""
    p = torch.sigmoid(torch.tensor(-4.0)).item()
    return ((p - 1) * p * (1 - p), 2 * (p - 1) * p * (1 - p))


# q4 · a stable log-sum-exp
def logsumexp(S):
    m = S.max(dim=-1, keepdim=True).values
    return (m + (S - m).exp().sum(dim=-1, keepdim=True).log()).squeeze(-1)


def logsumexp_overflows(S):
    return S.exp().sum(dim=-1).log()


def logsumexp_max_not_added_back(S):
    m = S.max(dim=-1, keepdim=True).values
    return (S - m).exp().sum(dim=-1).log()


def logsumexp_shifted_by_min(S):
    """exp(S − min) still overflows."""
    m = S.min(dim=-1, keepdim=True).values
    return (m + (S - m).exp().sum(dim=-1, keepdim=True).log()).squeeze(-1)


def logsumexp_only_the_max(S):
    """A bound, not the value."""
    return S.max(dim=-1).values


# q5 · cross-entropy from logits
def cross_entropy(S, y):
    return (torch.logsumexp(S, dim=1) - S[torch.arange(len(y)), y]).mean()


def cross_entropy_naive_softmax(S, y):
    """Softmax, then log: nan at large logits."""
    P = S.exp() / S.exp().sum(dim=1, keepdim=True)
    return -P[torch.arange(len(y)), y].log().mean()


def log_likelihood(S, y):
    """The log-likelihood, not its negative."""
    return (S[torch.arange(len(y)), y] - torch.logsumexp(S, dim=1)).mean()


def cross_entropy_sum_not_mean(S, y):
    return (torch.logsumexp(S, dim=1) - S[torch.arange(len(y)), y]).sum()


def cross_entropy_wrong_axis_class_0(S, y):
    return (torch.logsumexp(S, dim=0) - S[:, 0]).mean()
