"""Exercises of L1.02 · Calculus & probability for DL (数学基础).

    from dlcourse.exercises import l1_02 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_02_answers as answers
from .kinds import write_function

# ---------------------------------------------------------------------------------------------
# q1 · a second derivative by finite differences
# ---------------------------------------------------------------------------------------------
Q1_CASES = [(math.sin, lambda x: -math.sin(x), 1.0), (math.exp, math.exp, 0.5),
            (lambda x: x ** 4, lambda x: 12 * x ** 2, 2.0), (math.log, lambda x: -1 / x ** 2, 3.0)]


def _check_q1(answer):
    fn = check.as_function(answer, "second_diff(f, x, h)")
    h = 1e-3
    for f, d2f, x in Q1_CASES:
        got = check.as_number(check.call(fn, f, x, h, what=f"second_diff(f, {x}, {h})"),
                              f"second_diff(f, {x}, {h})")
        exact = d2f(x)
        if abs(got - exact) > 1e-5 * max(1.0, abs(exact)):
            ratio = got / exact if exact else float("nan")
            extra = ("; you are off by a factor of 2: check the denominator" if
                     min(abs(ratio - 2), abs(ratio - 0.5), abs(ratio - 0.25)) < 0.01 else
                     "; an error of order h: the three points should sit symmetrically around x"
                     if abs(got - exact) < 0.05 * abs(exact) else "")
            raise CheckFailed(f"for f at x = {x} with h = {h} you get {got:.8g}, but f''(x) = "
                              f"{exact:.8g}, and the centred formula is within ~1e-6 of it{extra}")


q1 = Exercise(
    name="Q1 · a second derivative",
    checker=_check_q1,
    hint_text=("A second derivative is the derivative of the derivative. Take the slope on the "
               "right, (f(x + h) − f(x)) / h, minus the slope on the left, (f(x) − f(x − h)) / h, "
               "and divide their difference by the distance h between them."),
    right_answer=answers.second_diff,
    wrong_answers=[answers.second_diff_twice_the_denominator, answers.second_diff_one_sided,
                   answers.second_diff_first_derivative],
)


# ---------------------------------------------------------------------------------------------
# q2 · the chain rule by hand
# ---------------------------------------------------------------------------------------------
def q2_points():
    """The x values of q2 (float64)."""
    import torch
    return torch.linspace(-1.0, 1.0, 9, dtype=torch.float64)


def _check_q2(answer):
    import torch
    x = q2_points().requires_grad_(True)
    torch.exp(torch.sin(3 * x)).sum().backward()
    got = check.as_tensor(answer, "f'(x) at the 9 points", shape=(9,))
    check.close(got, x.grad, name="f'(x) at the 9 points", rtol=1e-6, atol=1e-9)


q2 = Exercise(
    name="Q2 · the chain rule",
    checker=_check_q2,
    hint_text=("Peel the layers from the outside in: f = exp(u) with u = sin(v) and v = 3x. "
               "Multiply the three local derivatives: exp(u) · cos(v) · 3, each evaluated at "
               "the value that layer received."),
    right_answer=answers.chain_rule,
    wrong_answers=[answers.chain_rule_inner_3_missing, answers.chain_rule_exp_dropped,
                   answers.chain_rule_derivative_inside_exp],
)


# ---------------------------------------------------------------------------------------------
# q3 · Bayes' rule
# ---------------------------------------------------------------------------------------------
Q3_PRIOR, Q3_LIKELY_SPAM, Q3_LIKELY_HAM = 0.2, 0.4, 0.05


def _check_q3(answer):
    got = check.as_number(answer, "P(spam | 'free')")
    prior, l_spam, l_ham = Q3_PRIOR, Q3_LIKELY_SPAM, Q3_LIKELY_HAM
    if not 0 <= got <= 1:
        raise CheckFailed(f"{got} is not a probability (between 0 and 1)")
    check.rule_out(got, {
        l_spam: "that is P('free' | spam), the likelihood: Bayes' rule turns it around",
        l_spam * prior: "that is the joint P(spam and 'free'): divide by P('free')",
        l_spam / (l_spam + l_ham): "that ignores the prior: only 20% of mail is spam",
    }, rtol=0, atol=1e-3)
    if abs(got - l_spam * prior / (l_spam * prior + l_ham * (1 - prior))) > 1e-3:
        raise CheckFailed(f"{got:.4g}: not P(spam | 'free') yet")


q3 = Exercise(
    name="Q3 · Bayes' rule",
    checker=_check_q3,
    hint_text=("P(spam | free) = P(free | spam) P(spam) / P(free), and P(free) sums over both "
               "kinds of mail: P(free | spam) P(spam) + P(free | not spam) P(not spam). Or count: "
               "of 1,000 emails, how many are spam with 'free', and how many have 'free' at all?"),
    right_answer=answers.posterior,
    wrong_answers=[answers.posterior_is_the_likelihood, answers.posterior_is_the_joint,
                   answers.posterior_without_prior],
)


# ---------------------------------------------------------------------------------------------
# q4 · backpropagation through softmax: a vector–Jacobian product
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import torch
    g = torch.Generator().manual_seed(42)
    rand = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    z = rand(4, 5)
    return {
        "random z and v of shape (6, 4)": (rand(6, 4), rand(6, 4)),
        "one row, z = [1, 2, 0.5, -1], v = [0, 1, 0, 0]":
            (torch.tensor([[1.0, 2.0, 0.5, -1.0]], dtype=torch.float64),
             torch.tensor([[0.0, 1.0, 0.0, 0.0]], dtype=torch.float64)),
        "v the same in every entry (the answer is 0)": (z, torch.full((4, 5), 3.0,
                                                                      dtype=torch.float64)),
        "logits in the hundreds, rows [800, 810, 790] and [-900, -905, -899]":
            (torch.tensor([[800.0, 810.0, 790.0], [-900.0, -905.0, -899.0]], dtype=torch.float64),
             rand(2, 3)),
    }


def _softmax_vjp_reference(z, v):
    import torch
    z = z.clone().requires_grad_(True)
    (torch.softmax(z, dim=-1) * v).sum().backward()
    return z.grad


def _q4_diagnose(got, expected, args):
    import torch
    z, v = args
    got = check.as_array(got)
    if not bool(got.isfinite().all()):
        return "nan or inf: exp overflowed. Subtract each row's maximum from z before exp"
    if got.shape != expected.shape:
        return (f"the result has shape {tuple(got.shape)}; a gradient has the shape of z, "
                f"{tuple(z.shape)}")
    p = torch.softmax(z, dim=-1)
    if torch.allclose(got, p * v, atol=1e-9):
        return ("that is p ⊙ v, the diagonal of J only: the − p pᵀ part of J takes "
                "(p · v) away from every entry")
    return None


q4 = write_function(
    "softmax_vjp(z, v)", _softmax_vjp_reference, _q4_cases, rtol=1e-6, atol=1e-10,
    diagnose=_q4_diagnose,
    name="Q4 · backprop through softmax",
    hint_text=("Take one row. Entry j of Jᵀv is Σ_i v_i ∂p_i/∂z_j = Σ_i v_i p_i (δ_ij − p_j). "
               "Split the sum: the δ_ij part keeps only i = j, and the rest is p_j times the dot "
               "product p·v, which `(p * v).sum(-1, keepdim=True)` gives for every row at once. "
               "Compute p stably: subtract each row's max from z before exp."),
    right_answer=answers.softmax_vjp,
    wrong_answers=[answers.softmax_vjp_diagonal_only, answers.softmax_vjp_plain_sum_of_v,
                   answers.softmax_vjp_dot_over_the_batch, answers.softmax_vjp_overflows,
                   answers.softmax_vjp_leading_p_forgotten],
)


# ---------------------------------------------------------------------------------------------
# q5 · maximum likelihood for a Gaussian
# ---------------------------------------------------------------------------------------------
def measurements():
    """The data of q5: 8 measurements (float64), the same every time."""
    import torch
    return torch.tensor([2.31, 1.87, 2.95, 2.12, 1.64, 2.58, 2.40, 1.93], dtype=torch.float64)


def _check_q5(answer):
    import torch
    mu, sigma = (check.as_number(a, name)
                 for a, name in zip(check.as_pair(answer, "mu_hat, sigma_hat"),
                                    ("mu_hat", "sigma_hat")))
    x = measurements()
    check.close(mu, x.mean(), name="mu_hat", rtol=1e-6)
    check.rule_out(sigma, {
        x.std(correction=1).item(): "that σ divides by n − 1 (the unbiased variance): the "
                                    "maximum of the likelihood divides by n",
        x.var(correction=0).item(): "that is the variance σ²; the question asks for σ, its "
                                    "square root",
    }, rtol=0, atol=1e-6)
    check.close(sigma, torch.sqrt(((x - x.mean()) ** 2).mean()), name="sigma_hat", rtol=1e-6)


q5 = Exercise(
    name="Q5 · maximum likelihood",
    checker=_check_q5,
    hint_text=("Set the derivatives of the log-likelihood to zero: μ̂ is the sample mean and σ̂² "
               "the mean of the squared deviations (xᵢ − μ̂)², divided by n. In torch, "
               "x.std(correction=0) divides by n; plain x.std() divides by n − 1."),
    right_answer=answers.gaussian_mle,
    wrong_answers=[answers.gaussian_mle_unbiased_std, answers.gaussian_mle_variance,
                   answers.gaussian_mle_median],
)
