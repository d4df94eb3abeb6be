"""Answers to L2.07's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · batch norm, train and eval, for (N, C) and (N, C, H, W)
def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    dims = [0] + list(range(2, x.dim()))            # every axis but the channels (axis 1)
    shape = [1, -1] + [1] * (x.dim() - 2)           # gamma, beta and the statistics broadcast per channel
    if training:
        mean = x.mean(dim=dims)
        var = x.var(dim=dims, unbiased=False)       # normalize with the biased batch variance
        n = x.numel() // x.shape[1]
        with torch.no_grad():                       # the running estimate uses the unbiased one
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


def batch_norm_biased_running_var(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """Puts the biased batch variance (÷ n) into the running estimate; PyTorch uses ÷ (n − 1)."""
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    if training:
        mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=False)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var)
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


def batch_norm_batch_axis_only(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """Averages over the batch axis only: for (N, C, H, W) every pixel gets its own statistics."""
    if x.dim() == 2:
        return batch_norm(x, gamma, beta, running_mean, running_var, training, momentum, eps)
    shape = [1, -1] + [1] * (x.dim() - 2)
    if training:
        mean, var = x.mean(dim=0, keepdim=True), x.var(dim=0, unbiased=False, keepdim=True)
        n = x.shape[0]
        running_mean.mul_(1 - momentum).add_(momentum * mean.mean(dim=list(range(2, x.dim()))).flatten())
        running_var.mul_(1 - momentum).add_(
            momentum * (var * n / (n - 1)).mean(dim=list(range(2, x.dim()))).flatten())
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


def batch_norm_over_features(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """Normalizes each example over its features (axis 1): that is layer norm's axis, not BN's."""
    shape = [1, -1] + [1] * (x.dim() - 2)
    dims = list(range(1, x.dim()))
    mean, var = x.mean(dim=dims, keepdim=True), x.var(dim=dims, unbiased=False, keepdim=True)
    if training:
        c = [0] + list(range(2, x.dim()))
        n = x.numel() // x.shape[1]
        running_mean.mul_(1 - momentum).add_(momentum * x.mean(dim=c))
        running_var.mul_(1 - momentum).add_(momentum * x.var(dim=c, unbiased=False) * n / (n - 1))
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


def batch_norm_batch_stats_in_eval(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """Normalizes with the batch's statistics in eval mode too; eval must use the running ones."""
    if training:
        return batch_norm(x, gamma, beta, running_mean, running_var, training, momentum, eps)
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=False)
    x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


def batch_norm_momentum_reversed(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """new = momentum · old + (1 − momentum) · batch: PyTorch's momentum weighs the *new* batch."""
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    if training:
        mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=False)
        n = x.numel() // x.shape[1]
        running_mean.mul_(momentum).add_((1 - momentum) * mean)
        running_var.mul_(momentum).add_((1 - momentum) * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


def batch_norm_unbiased_normalization(x, gamma, beta, running_mean, running_var, training, momentum,
                                      eps):
    """Normalizes the batch with the unbiased variance (÷ (n − 1)); the batch is normalized ÷ n."""
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    if training:
        mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=True)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var)
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var


# q2 · the running mean after three batches
@computed
def running_mean_after_three():
    momentum, batch_mean, running = 0.1, 2.0, 0.0   # PyTorch: new = (1 − momentum)·old + momentum·batch
    for _ in range(3):
        running = (1 - momentum) * running + momentum * batch_mean
    return running


@computed
def running_mean_after_three_momentum_reversed():
    running = 0.0
    for _ in range(3):
        running = 0.1 * running + 0.9 * 2.0
    return running


@computed
def running_mean_after_three_batch_mean():
    return 2.0


@computed
def running_mean_after_one():
    return 0.1 * 2.0


# q3 · what is true of batch norm
@computed
def true_statements():
    return {"a", "b", "d"}


@computed
def true_statements_with_batch_independence():
    return {"a", "b", "c", "d"}


@computed
def true_statements_without_bias():
    return {"a", "d"}


@computed
def true_statements_with_batch_of_one():
    return {"a", "b", "d", "e"}
