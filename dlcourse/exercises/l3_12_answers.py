"""Answers to L3.12's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the discriminator's loss from logits: −log σ(real) − log(1 − σ(fake)), averaged over each batch
def discriminator_loss(real_logits, fake_logits):
    import torch.nn.functional as F
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def discriminator_loss_swapped(real_logits, fake_logits):
    """Labels the fakes 1 and the real samples 0."""
    import torch.nn.functional as F
    return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()


def discriminator_loss_no_minus(real_logits, fake_logits):
    """Returns the log-likelihood, log σ(real) + log(1 − σ(fake)), instead of its negative."""
    import torch.nn.functional as F
    return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()


def discriminator_loss_naive(real_logits, fake_logits):
    """Goes through probabilities: log σ(ℓ) underflows to −inf for a very negative logit."""
    import torch
    return -torch.log(torch.sigmoid(real_logits)).mean() - torch.log(1 - torch.sigmoid(fake_logits)).mean()


# q2 · the non-saturating generator loss: −log σ(fake), averaged
def generator_loss(fake_logits):
    import torch.nn.functional as F
    return F.softplus(-fake_logits).mean()


def generator_loss_minimax(fake_logits):
    """The minimax loss log(1 − σ(fake)), the one that saturates."""
    import torch.nn.functional as F
    return -F.softplus(fake_logits).mean()


def generator_loss_wrong_sign(fake_logits):
    """log σ(fake): maximizing it would be right, minimizing it helps the discriminator."""
    import torch.nn.functional as F
    return -F.softplus(-fake_logits).mean()


def generator_loss_summed(fake_logits):
    """Sums over the batch where the reference averages."""
    import torch.nn.functional as F
    return F.softplus(-fake_logits).sum()


# q3 · the optimal discriminator where the data density is 0.3 and the generator's 0.1
@computed
def optimal_d():
    return 0.3 / (0.3 + 0.1)


@computed
def optimal_d_swapped():
    return 0.1 / (0.3 + 0.1)


@computed
def optimal_d_ratio():
    return 0.3 / 0.1


@computed
def optimal_d_half():
    return 0.5


# q4 · what is true of GAN training
@computed
def true_statements():
    return {"a", "c", "d"}


@computed
def true_statements_with_minimax_strong():
    return {"a", "b", "c", "d"}


@computed
def true_statements_with_loss_as_quality():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_collapse():
    return {"a", "c"}
