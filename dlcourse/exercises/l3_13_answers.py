"""Answers to L3.13's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the forward process in closed form: a draw of q(x_t | x_0) with the given noise
def q_sample(x0, t, noise, alpha_bar):
    a = alpha_bar[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def q_sample_variance_weights(x0, t, noise, alpha_bar):
    """Weights x_0 and ε by ᾱ_t and 1 − ᾱ_t, the variances, instead of their square roots."""
    a = alpha_bar[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return a * x0 + (1 - a) * noise


def q_sample_noise_std_wrong(x0, t, noise, alpha_bar):
    """Scales the noise by √ᾱ_t's complement, 1 − √ᾱ_t, as if the weights summed to one."""
    a = alpha_bar[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * x0 + (1 - a.sqrt()) * noise


def q_sample_one_t_for_all(x0, t, noise, alpha_bar):
    """Uses the first example's t for the whole batch."""
    a = alpha_bar[t[0]]
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def q_sample_alpha_for_alpha_bar(x0, t, noise, alpha_bar):
    """Uses one step's α_t = ᾱ_t / ᾱ_{t-1} (the one-step process) instead of the product ᾱ_t."""
    a = (alpha_bar[t] / alpha_bar[t - 1]).reshape(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


# q2 · the mean of one reverse step from the predicted noise
def reverse_mean(x_t, eps, t, betas):
    alpha_bar = (1 - betas).cumprod(0)
    b, a, ab = betas[t], 1 - betas[t], alpha_bar[t]
    return (x_t - b / (1 - ab).sqrt() * eps) / a.sqrt()


def reverse_mean_alpha_for_alpha_bar(x_t, eps, t, betas):
    """Divides by √(1 − α_t), one step's, where the formula has √(1 − ᾱ_t)."""
    b, a = betas[t], 1 - betas[t]
    return (x_t - b / (1 - a).sqrt() * eps) / a.sqrt()


def reverse_mean_no_rescale(x_t, eps, t, betas):
    """Forgets the final division by √α_t."""
    alpha_bar = (1 - betas).cumprod(0)
    b, ab = betas[t], alpha_bar[t]
    return x_t - b / (1 - ab).sqrt() * eps


def reverse_mean_predicted_x0(x_t, eps, t, betas):
    """Returns the predicted clean image x̂_0, a jump to t = 0, instead of the mean of x_{t-1}."""
    ab = (1 - betas).cumprod(0)[t]
    return (x_t - (1 - ab).sqrt() * eps) / ab.sqrt()


def reverse_mean_off_by_one(x_t, eps, t, betas):
    """Uses β_{t-1} and ᾱ_{t-1}, the schedule one step too early."""
    return reverse_mean(x_t, eps, t - 1, betas)


# q3 · how fast a constant schedule wipes out the signal
@computed
def signal_after_100():
    return (1 - 0.02) ** (100 / 2)


@computed
def signal_after_100_no_sqrt():
    return (1 - 0.02) ** 100


@computed
def signal_after_100_linear():
    return 1 - 100 * 0.02


@computed
def signal_after_100_beta_power():
    return (1 - 0.02 ** 0.5) ** 100


# q4 · what is true of diffusion models
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_one_pass():
    return {"a", "b", "c", "e"}


@computed
def true_statements_without_pure_noise_start():
    return {"a", "c"}


@computed
def true_statements_with_ddim_same():
    return {"a", "c", "d", "e"}
