"""Answers to L3.15's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · generalized advantage estimation, backwards through the rollout
def gae(rewards, values, dones, gamma, lam):
    T = len(rewards)
    adv = torch.zeros(T, dtype=values.dtype)
    last = 0.0
    for t in reversed(range(T)):
        keep = 1.0 - dones[t]                                   # 0 where the episode ended at step t
        delta = rewards[t] + gamma * values[t + 1] * keep - values[t]
        last = delta + gamma * lam * keep * last
        adv[t] = last
    return adv


def gae_ignores_dones(rewards, values, dones, gamma, lam):
    """Bootstraps and accumulates straight across the end of an episode."""
    T = len(rewards)
    adv = torch.zeros(T, dtype=values.dtype)
    last = 0.0
    for t in reversed(range(T)):
        delta = rewards[t] + gamma * values[t + 1] - values[t]
        last = delta + gamma * lam * last
        adv[t] = last
    return adv


def gae_without_lambda(rewards, values, dones, gamma, lam):
    """Accumulates the TD errors with γ only: that is λ = 1 (the return minus V), whatever λ says."""
    T = len(rewards)
    adv = torch.zeros(T, dtype=values.dtype)
    last = 0.0
    for t in reversed(range(T)):
        keep = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * keep - values[t]
        last = delta + gamma * keep * last
        adv[t] = last
    return adv


def gae_forwards(rewards, values, dones, gamma, lam):
    """Runs the recursion forwards in time: each advantage then sums the past, not the future."""
    T = len(rewards)
    adv = torch.zeros(T, dtype=values.dtype)
    last = 0.0
    for t in range(T):
        keep = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * keep - values[t]
        last = delta + gamma * lam * keep * last
        adv[t] = last
    return adv


def gae_td_errors_only(rewards, values, dones, gamma, lam):
    """Returns the one-step TD errors δ_t: that is λ = 0."""
    keep = 1.0 - dones
    return rewards + gamma * values[1:] * keep - values[:-1]


# q2 · PPO's clipped surrogate, as a loss to minimize
def ppo_clip_loss(logp_new, logp_old, advantages, eps):
    ratio = torch.exp(logp_new - logp_old)                  # π_new(a|s) / π_old(a|s)
    clipped = ratio.clamp(1 - eps, 1 + eps)
    return -torch.min(ratio * advantages, clipped * advantages).mean()


def ppo_clip_loss_clipped_only(logp_new, logp_old, advantages, eps):
    """Only the clipped term: without the min, a ratio outside 1 ± ε never gets pulled back."""
    ratio = torch.exp(logp_new - logp_old)
    return -(ratio.clamp(1 - eps, 1 + eps) * advantages).mean()


def ppo_clip_loss_max(logp_new, logp_old, advantages, eps):
    """The max of the two terms: an optimistic bound instead of the pessimistic one."""
    ratio = torch.exp(logp_new - logp_old)
    return -torch.max(ratio * advantages, ratio.clamp(1 - eps, 1 + eps) * advantages).mean()


def ppo_clip_loss_log_ratio(logp_new, logp_old, advantages, eps):
    """Clips the difference of log-probabilities as if it were the ratio."""
    ratio = logp_new - logp_old
    return -torch.min(ratio * advantages, ratio.clamp(1 - eps, 1 + eps) * advantages).mean()


def ppo_clip_loss_no_sign(logp_new, logp_old, advantages, eps):
    """The objective itself, to maximize: as a loss for gradient descent it needs a minus sign."""
    ratio = torch.exp(logp_new - logp_old)
    return torch.min(ratio * advantages, ratio.clamp(1 - eps, 1 + eps) * advantages).mean()


# q3 · one sample of the clipped objective
@computed
def clipped_objective_value():
    ratio, advantage, eps = 0.7, -2.0, 0.2
    return min(ratio * advantage, max(min(ratio, 1 + eps), 1 - eps) * advantage)     # min(−1.4, −1.6)


@computed
def clipped_objective_unclipped():
    return 0.7 * -2.0


@computed
def clipped_objective_max():
    return 0.8 * 2.0


# q4 · what is true of DQN, REINFORCE and PPO
@computed
def true_statements():
    return {"a", "b", "c", "e"}


@computed
def true_statements_reinforce_replay():
    return {"a", "b", "c", "d", "e"}


@computed
def true_statements_baseline_biases():
    return {"a", "b", "c", "e", "f"}


@computed
def true_statements_no_double():
    return {"a", "b", "e"}
