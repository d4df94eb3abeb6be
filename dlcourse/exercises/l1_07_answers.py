"""Answers to L1.07's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import computed


# q1 · the weighted binary cross-entropy from logits, and its gradient
def bce_and_grad(z, y, pos_weight):
    # log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z): no log 0, no overflow
    loss = (pos_weight * y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()
    # d/dz: −w·y·(1 − σ(z)) + (1 − y)·σ(z), for the mean over all z.numel() entries
    p = torch.sigmoid(z)
    grad = (p * (pos_weight * y + 1 - y) - pos_weight * y) / z.numel()
    return loss, grad


def bce_and_grad_through_probabilities(z, y, pos_weight):
    """log σ(z) is log 0 = −inf once σ(z) rounds to 0."""
    p = torch.sigmoid(z)
    loss = -(pos_weight * y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    grad = (p * (pos_weight * y + 1 - y) - pos_weight * y) / z.numel()
    return loss, grad


def bce_and_grad_weight_on_negatives(z, y, pos_weight):
    """pos_weight multiplies the positive examples' term, y log σ(z)."""
    loss = (y * F.softplus(-z) + pos_weight * (1 - y) * F.softplus(z)).mean()
    p = torch.sigmoid(z)
    grad = (p * (y + pos_weight * (1 - y)) - y) / z.numel()
    return loss, grad


def bce_and_grad_gradient_ignores_weight(z, y, pos_weight):
    """σ(z) − y is the gradient only when pos_weight = 1."""
    loss = (pos_weight * y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()
    return loss, (torch.sigmoid(z) - y) / z.numel()


def bce_and_grad_gradient_of_the_sum(z, y, pos_weight):
    """The loss is a mean: its gradient needs the 1/n."""
    loss = (pos_weight * y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()
    p = torch.sigmoid(z)
    return loss, p * (pos_weight * y + 1 - y) - pos_weight * y


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


# q4 · cross-entropy with label smoothing
def smoothed_cross_entropy(S, y, eps):
    log_p = S - torch.logsumexp(S, dim=1, keepdim=True)          # log softmax, stably
    nll = -log_p[torch.arange(len(y)), y]                         # −log p_y
    uniform = -log_p.mean(dim=1)                                  # −(1/K) Σ_k log p_k
    return ((1 - eps) * nll + eps * uniform).mean()


def smoothed_cross_entropy_other_classes_only(S, y, eps):
    """ε spread over the K − 1 wrong classes: another convention, not PyTorch's."""
    log_p = S - torch.logsumexp(S, dim=1, keepdim=True)
    K = S.shape[1]
    nll = -log_p[torch.arange(len(y)), y]
    others = -(log_p.sum(dim=1) - log_p[torch.arange(len(y)), y]) / (K - 1)
    return ((1 - eps) * nll + eps * others).mean()


def smoothed_cross_entropy_through_probabilities(S, y, eps):
    """softmax, then log: log 0 = −inf for logits in the hundreds."""
    log_p = torch.log(torch.softmax(S, dim=1))
    nll = -log_p[torch.arange(len(y)), y]
    return ((1 - eps) * nll + eps * -log_p.mean(dim=1)).mean()


def smoothed_cross_entropy_uniform_part_forgotten(S, y, eps):
    log_p = S - torch.logsumexp(S, dim=1, keepdim=True)
    return ((1 - eps) * -log_p[torch.arange(len(y)), y]).mean()


def smoothed_cross_entropy_sum_not_mean(S, y, eps):
    log_p = S - torch.logsumexp(S, dim=1, keepdim=True)
    nll = -log_p[torch.arange(len(y)), y]
    return ((1 - eps) * nll + eps * -log_p.mean(dim=1)).sum()


# q5 · the Gaussian negative log-likelihood with a predicted variance
def gaussian_nll(mean, log_var, target):
    # −log N(target; mean, σ²) = ½ log σ² + (target − mean)² / (2σ²) + ½ log 2π; drop the constant
    return 0.5 * (log_var + (target - mean) ** 2 * torch.exp(-log_var)).mean()


def gaussian_nll_log_var_term_forgotten(mean, log_var, target):
    """Without ½ log σ², a larger variance always lowers the loss."""
    return 0.5 * ((target - mean) ** 2 * torch.exp(-log_var)).mean()


def gaussian_nll_std_for_var(mean, log_var, target):
    """Divides by σ, not σ²."""
    return 0.5 * (log_var + (target - mean) ** 2 * torch.exp(-0.5 * log_var)).mean()


def gaussian_nll_half_forgotten(mean, log_var, target):
    return (log_var + (target - mean) ** 2 * torch.exp(-log_var)).mean()
