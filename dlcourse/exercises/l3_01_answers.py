"""Answers to L3.01's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import computed


# q1 · linear warmup, then half a cosine (PyTorch's LinearLR + CosineAnnealingLR in a SequentialLR)
def warmup_cosine(step, total, warmup, max_lr, min_lr):
    if step < warmup:                                   # (step + 1) / warmup of the peak: max at warmup − 1
        return max_lr * (step + 1) / warmup
    fraction = (step - warmup) / (total - warmup)       # 0 → 1 over the steps after the warmup
    return min_lr + (max_lr - min_lr) * (1 + math.cos(math.pi * fraction)) / 2


def warmup_cosine_from_zero(step, total, warmup, max_lr, min_lr):
    """Warms up from 0 (step / warmup): one step behind LinearLR(1 / warmup, total_iters=warmup − 1)."""
    if step < warmup:
        return max_lr * step / warmup
    fraction = (step - warmup) / (total - warmup)
    return min_lr + (max_lr - min_lr) * (1 + math.cos(math.pi * fraction)) / 2


def warmup_cosine_over_total(step, total, warmup, max_lr, min_lr):
    """Runs the cosine over all `total` steps instead of the `total − warmup` after the warmup."""
    if step < warmup:
        return max_lr * (step + 1) / warmup
    return min_lr + (max_lr - min_lr) * (1 + math.cos(math.pi * step / total)) / 2


def warmup_cosine_to_zero(step, total, warmup, max_lr, min_lr):
    """Forgets the floor: the cosine ends at 0, not at min_lr."""
    if step < warmup:
        return max_lr * (step + 1) / warmup
    return max_lr * (1 + math.cos(math.pi * (step - warmup) / (total - warmup))) / 2


def warmup_cosine_full_period(step, total, warmup, max_lr, min_lr):
    """A whole cosine period (cos 2πf): the learning rate comes back up at the end."""
    if step < warmup:
        return max_lr * (step + 1) / warmup
    fraction = (step - warmup) / (total - warmup)
    return min_lr + (max_lr - min_lr) * (1 + math.cos(2 * math.pi * fraction)) / 2


# q2 · the sigmoid focal loss (Lin et al.; torchvision.ops.sigmoid_focal_loss, mean reduction)
def focal_loss(logits, targets, gamma, alpha):
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")   # −log p_t, stable
    p = torch.sigmoid(logits)
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = (1 - p_t) ** gamma * ce
    if alpha is not None:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss.mean()


def focal_loss_modulating_p(logits, targets, gamma, alpha):
    """(1 − p)^γ for every example: for a negative the modulating factor is p^γ = (1 − p_t)^γ."""
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    loss = (1 - torch.sigmoid(logits)) ** gamma * ce
    if alpha is not None:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss.mean()


def focal_loss_alpha_swapped(logits, targets, gamma, alpha):
    """Gives α to the negatives and 1 − α to the positives."""
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p = torch.sigmoid(logits)
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = (1 - p_t) ** gamma * ce
    if alpha is not None:
        loss = ((1 - alpha) * targets + alpha * (1 - targets)) * loss
    return loss.mean()


def focal_loss_naive_log(logits, targets, gamma, alpha):
    """log(sigmoid(x)) and log(1 − sigmoid(x)): 1 − sigmoid(40) is 0 in float32, and log 0 = −inf."""
    p = torch.sigmoid(logits)
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = -(1 - p_t) ** gamma * torch.log(p_t)
    if alpha is not None:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss.mean()


def focal_loss_summed(logits, targets, gamma, alpha):
    """The sum over examples; torchvision's reduction='mean' (and this exercise) average."""
    return focal_loss(logits, targets, gamma, alpha) * logits.numel()


# q3 · SGDR: the step of the third restart with T_0 = 10, T_mult = 2
@computed
def third_restart():
    start, period = 0, 10
    for _ in range(3):                 # each restart comes one cycle after the last
        start += period
        period *= 2
    return start


@computed
def third_restart_fixed_period():
    return 3 * 10


@computed
def third_cycle_length():
    return 10 * 2 ** 2


@computed
def fourth_restart():
    return 10 + 20 + 40 + 80


# q4 · what is true of the recipe
@computed
def true_statements():
    return {"a", "b", "d", "f"}


@computed
def true_statements_with_norm_clipping_turning():
    return {"a", "b", "c", "d", "f"}


@computed
def true_statements_with_bf16_scaler():
    return {"a", "b", "d", "e", "f"}


@computed
def true_statements_without_adam_l2():
    return {"a", "d", "f"}
