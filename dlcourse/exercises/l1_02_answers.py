"""Answers to L1.02's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · a second derivative by finite differences
def second_diff(f, x, h):
    return (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2


def second_diff_twice_the_denominator(f, x, h):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (2 * h ** 2)


def second_diff_one_sided(f, x, h):
    return (f(x + 2 * h) - 2 * f(x + h) + f(x)) / h ** 2


def second_diff_first_derivative(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# q2 · the chain rule by hand
@computed
def chain_rule():
    from dlcourse.exercises import l1_02 as ex
    x = ex.q2_points()
    return torch.exp(torch.sin(3 * x)) * torch.cos(3 * x) * 3


@computed
def chain_rule_inner_3_missing():
    from dlcourse.exercises import l1_02 as ex
    x = ex.q2_points()
    return torch.exp(torch.sin(3 * x)) * torch.cos(3 * x)


@computed
def chain_rule_exp_dropped():
    from dlcourse.exercises import l1_02 as ex
    x = ex.q2_points()
    return torch.cos(3 * x) * 3


@computed
def chain_rule_derivative_inside_exp():
    from dlcourse.exercises import l1_02 as ex
    x = ex.q2_points()
    return torch.exp(torch.cos(3 * x)) * 3


# q3 · Bayes' rule
@computed
def posterior():
    prior, p_free_spam, p_free_ham = 0.2, 0.4, 0.05
    return p_free_spam * prior / (p_free_spam * prior + p_free_ham * (1 - prior))


@computed
def posterior_is_the_likelihood():
    return 0.4


@computed
def posterior_is_the_joint():
    return 0.4 * 0.2


@computed
def posterior_without_prior():
    return 0.4 / (0.4 + 0.05)


# q4 · backpropagation through softmax: a vector–Jacobian product
def softmax_vjp(z, v):
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)     # stable: exp sees numbers ≤ 0
    p = e / e.sum(dim=-1, keepdim=True)
    return p * (v - (p * v).sum(dim=-1, keepdim=True))        # p_j (v_j − p·v), row by row


def softmax_vjp_diagonal_only(z, v):
    """diag(p) v: the − p pᵀ part of the Jacobian left out."""
    p = torch.softmax(z, dim=-1)
    return p * v


def softmax_vjp_plain_sum_of_v(z, v):
    """Σ v_i instead of Σ p_i v_i."""
    p = torch.softmax(z, dim=-1)
    return p * (v - v.sum(dim=-1, keepdim=True))


def softmax_vjp_dot_over_the_batch(z, v):
    """One dot product over the whole batch instead of one per row."""
    p = torch.softmax(z, dim=-1)
    return p * (v - (p * v).sum())


def softmax_vjp_overflows(z, v):
    """exp of raw logits: inf / inf = nan for large z."""
    p = torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)
    return p * (v - (p * v).sum(dim=-1, keepdim=True))


def softmax_vjp_leading_p_forgotten(z, v):
    p = torch.softmax(z, dim=-1)
    return v - (p * v).sum(dim=-1, keepdim=True)


# q5 · maximum likelihood for a Gaussian
@computed
def gaussian_mle():
    from dlcourse.exercises import l1_02 as ex
    x = ex.measurements()
    mu_hat = x.mean()
    sigma_hat = ((x - mu_hat) ** 2).mean().sqrt()
    return (mu_hat, sigma_hat)


@computed
def gaussian_mle_unbiased_std():
    from dlcourse.exercises import l1_02 as ex
    x = ex.measurements()
    return (x.mean(), x.std())


@computed
def gaussian_mle_variance():
    from dlcourse.exercises import l1_02 as ex
    x = ex.measurements()
    return (x.mean(), x.var(correction=0))


@computed
def gaussian_mle_median():
    """The median is not the Gaussian MLE."""
    from dlcourse.exercises import l1_02 as ex
    x = ex.measurements()
    return (x.median(), x.std(correction=0))
