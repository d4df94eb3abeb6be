"""Exercises of L1.02 · Calculus & probability for DL (数学基础).

    from dlcourse.exercises import l1_02 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise


def _number(answer, what) -> float:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise CheckFailed(f"expected a number ({what}), got {type(answer).__name__}") from None
    if math.isnan(value):
        raise CheckFailed(f"got NaN for {what}")
    return value


def _function(answer, what):
    if not callable(answer):
        raise CheckFailed(f"expected a function ({what}), got {type(answer).__name__}")
    return answer


# ---------------------------------------------------------------------------------------------
# q1 · a second derivative by finite differences
# ---------------------------------------------------------------------------------------------
Q1_CASES = [(math.sin, lambda x: -math.sin(x), 1.0), (math.exp, math.exp, 0.5),
            (lambda x: x ** 4, lambda x: 12 * x ** 2, 2.0), (math.log, lambda x: -1 / x ** 2, 3.0)]


def _check_q1(answer):
    fn = _function(answer, "second_diff(f, x, h)")
    h = 1e-3
    for f, d2f, x in Q1_CASES:
        got = _number(fn(f, x, h), f"second_diff(f, {x}, {h})")
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
    solution_code="""
def second_diff(f, x, h):
    return (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2

answer = second_diff
""",
    wrong_codes=[
        "def second_diff(f, x, h):\n    return (f(x + h) - 2 * f(x) + f(x - h)) / (2 * h ** 2)\n"
        "answer = second_diff",
        "def second_diff(f, x, h):\n    return (f(x + 2 * h) - 2 * f(x + h) + f(x)) / h ** 2   # one-sided\n"
        "answer = second_diff",
        "def second_diff(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)    # the first derivative\n"
        "answer = second_diff",
    ],
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
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a tensor of f'(x) at the 9 points, got {type(answer).__name__}")
    check.shape(answer, (9,), name="f'(x)")
    check.close(answer, x.grad, name="f'(x) at the 9 points", rtol=1e-6, atol=1e-9)


q2 = Exercise(
    name="Q2 · the chain rule",
    checker=_check_q2,
    hint_text=("Peel the layers from the outside in: f = exp(u) with u = sin(v) and v = 3x. "
               "Multiply the three local derivatives: exp(u) · cos(v) · 3, each evaluated at "
               "the value that layer received."),
    solution_code="""
import torch
from dlcourse.exercises.l1_02 import q2_points
x = q2_points()
answer = torch.exp(torch.sin(3 * x)) * torch.cos(3 * x) * 3
""",
    wrong_codes=[
        "import torch\nfrom dlcourse.exercises.l1_02 import q2_points\nx = q2_points()\n"
        "answer = torch.exp(torch.sin(3 * x)) * torch.cos(3 * x)       # the inner 3 is missing",
        "import torch\nfrom dlcourse.exercises.l1_02 import q2_points\nx = q2_points()\n"
        "answer = torch.cos(3 * x) * 3                                  # exp' dropped",
        "import torch\nfrom dlcourse.exercises.l1_02 import q2_points\nx = q2_points()\n"
        "answer = torch.exp(torch.cos(3 * x)) * 3                       # derivative inside exp",
    ],
)


# ---------------------------------------------------------------------------------------------
# q3 · Bayes' rule
# ---------------------------------------------------------------------------------------------
Q3_PRIOR, Q3_LIKELY_SPAM, Q3_LIKELY_HAM = 0.2, 0.4, 0.05


def _check_q3(answer):
    got = _number(answer, "P(spam | 'free')")
    prior, l_spam, l_ham = Q3_PRIOR, Q3_LIKELY_SPAM, Q3_LIKELY_HAM
    expected = l_spam * prior / (l_spam * prior + l_ham * (1 - prior))
    if not 0 <= got <= 1:
        raise CheckFailed(f"{got} is not a probability (between 0 and 1)")
    if abs(got - expected) > 1e-3:
        known = {l_spam: "that is P('free' | spam), the likelihood: Bayes' rule turns it around",
                 l_spam * prior: "that is the joint P(spam and 'free'): divide by P('free')",
                 l_spam / (l_spam + l_ham): "that ignores the prior: only 20% of mail is spam"}
        why = next((msg for value, msg in known.items() if abs(got - value) < 1e-3),
                   "not P(spam | 'free') yet")
        raise CheckFailed(f"{got:.4g}: {why}")


q3 = Exercise(
    name="Q3 · Bayes' rule",
    checker=_check_q3,
    hint_text=("P(spam | free) = P(free | spam) P(spam) / P(free), and P(free) sums over both "
               "kinds of mail: P(free | spam) P(spam) + P(free | not spam) P(not spam). Or count: "
               "of 1,000 emails, how many are spam with 'free', and how many have 'free' at all?"),
    solution_code="""
prior, p_free_spam, p_free_ham = 0.2, 0.4, 0.05
answer = p_free_spam * prior / (p_free_spam * prior + p_free_ham * (1 - prior))
""",
    wrong_codes=[
        "answer = 0.4                          # the likelihood P(free | spam)",
        "answer = 0.4 * 0.2                    # the joint, not divided by P(free)",
        "answer = 0.4 / (0.4 + 0.05)           # the prior forgotten",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · KL divergence from scratch
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import torch
    g = torch.Generator().manual_seed(4)
    p = torch.rand(6, 5, generator=g, dtype=torch.float64).softmax(-1)
    q = torch.rand(6, 5, generator=g, dtype=torch.float64).mul(3).softmax(-1)
    p_zero = torch.tensor([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    q_zero = torch.tensor([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]], dtype=torch.float64)
    return [(p, q), (q, p), (p_zero, q_zero)]


def _check_q4(answer):
    import torch
    from torch.distributions import Categorical, kl_divergence
    fn = _function(answer, "kl(p, q)")
    for i, (p, q) in enumerate(_q4_cases()):
        try:
            got = fn(p.clone(), q.clone())
        except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
            raise CheckFailed(f"kl(p, q) raised {type(exc).__name__}: {exc}") from None
        expected = kl_divergence(Categorical(probs=p), Categorical(probs=q))
        if not isinstance(got, torch.Tensor):
            raise CheckFailed(f"expected a tensor with one KL per row, got {type(got).__name__}")
        if got.shape != expected.shape:
            raise CheckFailed(f"kl(p, q) for p of shape {tuple(p.shape)} has shape "
                              f"{tuple(got.shape)}: sum over the last axis only, one KL per row")
        if torch.isnan(got).any():
            raise CheckFailed("NaN where p has a zero entry: 0 · log 0 counts as 0 "
                              "(torch.xlogy, or torch.where)")
        reverse = kl_divergence(Categorical(probs=q), Categorical(probs=p))
        if i < 2 and torch.allclose(got, reverse, atol=1e-9):
            raise CheckFailed("that is KL(q ‖ p): the expectation is over p, Σ p log(p / q)")
        check.close(got, expected, name=f"kl(p, q), case {i + 1}", rtol=1e-6, atol=1e-9)


q4 = Exercise(
    name="Q4 · KL divergence",
    checker=_check_q4,
    hint_text=("KL(p ‖ q) = Σₖ pₖ log(pₖ / qₖ), summed over the last axis. Where pₖ = 0 the term "
               "is 0 (that outcome never happens under p): torch.xlogy(p, p) computes p log p "
               "with that convention, so Σ xlogy(p, p) − p log q works."),
    solution_code="""
import torch

def kl(p, q):
    return (torch.xlogy(p, p) - p * q.log()).sum(dim=-1)

answer = kl
""",
    wrong_codes=[
        "import torch\ndef kl(p, q):\n    return (torch.xlogy(q, q) - q * p.log()).sum(-1)   # KL(q‖p)\n"
        "answer = kl",
        "import torch\ndef kl(p, q):\n    return (p * (p / q).log()).sum(-1)     # NaN at p = 0\n"
        "answer = kl",
        "import torch\ndef kl(p, q):\n    return (p.log() - q.log()).sum(-1)     # not weighted by p\n"
        "answer = kl",
        "import torch\ndef kl(p, q):\n    return (torch.xlogy(p, p) - p * q.log()).sum()   # one number\n"
        "answer = kl",
    ],
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
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise CheckFailed(f"expected a pair (mu_hat, sigma_hat), got {answer!r:.60}")
    mu, sigma = (_number(a, name) for a, name in zip(answer, ("mu_hat", "sigma_hat")))
    x = measurements()
    check.close(mu, x.mean(), name="mu_hat", rtol=1e-6)
    if abs(sigma - x.std(correction=1).item()) < 1e-6:
        raise CheckFailed("that σ divides by n − 1 (the unbiased variance): the maximum of the "
                          "likelihood divides by n")
    if abs(sigma - x.var(correction=0).item()) < 1e-6:
        raise CheckFailed("that is the variance σ²; the question asks for σ, its square root")
    check.close(sigma, torch.sqrt(((x - x.mean()) ** 2).mean()), name="sigma_hat", rtol=1e-6)


q5 = Exercise(
    name="Q5 · maximum likelihood",
    checker=_check_q5,
    hint_text=("Set the derivatives of the log-likelihood to zero: μ̂ is the sample mean and σ̂² "
               "the mean of the squared deviations (xᵢ − μ̂)², divided by n. In torch, "
               "x.std(correction=0) divides by n; plain x.std() divides by n − 1."),
    solution_code="""
from dlcourse.exercises.l1_02 import measurements
x = measurements()
mu_hat = x.mean()
sigma_hat = ((x - mu_hat) ** 2).mean().sqrt()
answer = (mu_hat, sigma_hat)
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_02 import measurements\nx = measurements()\n"
        "answer = (x.mean(), x.std())              # divides by n − 1",
        "from dlcourse.exercises.l1_02 import measurements\nx = measurements()\n"
        "answer = (x.mean(), x.var(correction=0))  # the variance, not σ",
        "from dlcourse.exercises.l1_02 import measurements\nx = measurements()\n"
        "answer = (x.median(), x.std(correction=0))   # the median is not the Gaussian MLE",
    ],
)
