"""Answers to L2.02's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · dropout with inverted scaling
def dropout(x, p, training):
    if not training or p == 0:
        return x                                   # evaluation: the plain network
    if p == 1:
        return torch.zeros_like(x)                 # everything dropped (and no 0 · inf = nan)
    mask = torch.rand_like(x) >= p                 # keep with probability 1 − p
    return x * mask / (1 - p)                      # inverted scaling: the mean stays x


def dropout_no_rescaling(x, p, training):
    """Drops, but forgets to scale the survivors: the mean shrinks to (1 − p)·x."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p)


def dropout_scaled_by_keep_probability(x, p, training):
    """Multiplies the survivors by 1 − p instead of dividing."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) * (1 - p)


def dropout_scaling_at_eval(x, p, training):
    """The original paper's convention mixed with the inverted one: scaled in both modes."""
    if not training:
        return x * (1 - p)
    if p == 1:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) >= p) / (1 - p)


def dropout_keeps_with_probability_p(x, p, training):
    """Keeps each unit with probability p: drops 1 − p of them."""
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    return x * (torch.rand_like(x) < p) / (1 - p)


def dropout_nan_at_p_one(x, p, training):
    """Right, except that p = 1 divides by zero: 0 · inf = nan."""
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def dropout_in_place(x, p, training):
    """Zeroes and scales the caller's tensor itself."""
    if not training:
        return x
    if p == 1:
        return x.zero_()
    return x.mul_(torch.rand_like(x) >= p).div_(1 - p)


def dropout_same_mask_every_call(x, p, training):
    """Seeds the generator inside: every call drops the same units."""
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    g = torch.Generator().manual_seed(0)
    return x * (torch.rand(x.shape, generator=g, dtype=x.dtype) >= p) / (1 - p)


# q2 · weight_decay in torch.optim: an L2 penalty, or decoupled decay?
@computed
def same_as_l2_penalty():
    # every torch optimizer adds λw to the gradient, except AdamW, which decays the weights
    # directly, outside Adam's per-coordinate scaling
    return {"a": "same", "b": "same", "c": "same", "d": "different", "e": "same"}


@computed
def same_as_l2_penalty_adam_decoupled():
    return {"a": "same", "b": "same", "c": "different", "d": "different", "e": "different"}


@computed
def same_as_l2_penalty_momentum_differs():
    return {"a": "same", "b": "different", "c": "same", "d": "different", "e": "same"}


@computed
def same_as_l2_penalty_everywhere():
    return {"a": "same", "b": "same", "c": "same", "d": "same", "e": "same"}


# q3 · L1 or L2
@computed
def which_penalty():
    return {"a": "L1", "b": "L2", "c": "L2", "d": "L1", "e": "L1"}


@computed
def which_penalty_priors_swapped():
    return {"a": "L1", "b": "L2", "c": "L1", "d": "L1", "e": "L1"}


@computed
def which_penalty_force_proportional():
    return {"a": "L1", "b": "L2", "c": "L2", "d": "L2", "e": "L1"}


@computed
def which_penalty_lasso_is_l2():
    return {"a": "L1", "b": "L2", "c": "L2", "d": "L1", "e": "L2"}


# q4 · how many models k-fold cross-validation trains
@computed
def models_trained():
    # 6 candidates × 5 folds, then one final model on all the data
    return 6 * 5 + 1


@computed
def models_trained_without_final():
    return 6 * 5


@computed
def models_trained_one_per_candidate():
    return 6 + 1


@computed
def models_trained_folds_plus_candidates():
    return 6 + 5
