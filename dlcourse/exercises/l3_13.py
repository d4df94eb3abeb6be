"""Exercises of L3.13 · Diffusion models (扩散模型).

    from dlcourse.exercises import l3_13 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_13_answers as answers
from .kinds import choices, number, write_function


def _schedule(steps=1000):
    """The linear schedule of the lesson in float64: β_1 … β_T = 1e-4 … 0.02, with β_0 = 0 in
    front, so that index t is step t and index 0 is the clean data (ᾱ_0 = 1)."""
    import torch
    betas = torch.cat([torch.zeros(1, dtype=torch.float64),
                       torch.linspace(1e-4, 0.02, steps, dtype=torch.float64)])
    return betas, (1 - betas).cumprod(0)


# ---------------------------------------------------------------------------------------------
# q1 · q_sample, against iterating the one-step forward process with the same noise
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    _, alpha_bar = _schedule()
    g = torch.Generator().manual_seed(13)
    cases = {}
    for label, shape, t in [
        ("a batch of 3 images (3, 1, 4, 4) at t = 1, 500, 1000", (3, 1, 4, 4), [1, 500, 1000]),
        ("a batch of 4 points (4, 2) at mixed t", (4, 2), [10, 10, 250, 999]),
        ("t = 0 for every point: x_t is x_0 itself", (2, 2), [0, 0]),
    ]:
        x0 = torch.randn(shape, generator=g, dtype=torch.float64)
        noise = torch.randn(shape, generator=g, dtype=torch.float64)
        cases[label] = (x0, torch.tensor(t), noise, alpha_bar)
    return cases


def _iterated_reference(x0, t, noise, alpha_bar):
    """The closed form's answer reached the long way, by T one-step updates
    x_s = √(1 − β_s) x_{s-1} + √β_s ε_s, whose noises combine into one N(0, (1 − ᾱ_t) I) draw.
    With that draw written as √(1 − ᾱ_t)·noise, x_t's signal part is the iterated product of
    the √(1 − β_s), and its noise part has the iterated variance; both checked here."""
    import torch
    betas = 1 - alpha_bar / torch.cat([alpha_bar[:1], alpha_bar[:-1]])
    mean_coef, variance = torch.ones_like(alpha_bar), torch.zeros_like(alpha_bar)
    for s in range(1, len(alpha_bar)):                       # x_s from x_{s-1}, one step at a time
        mean_coef[s] = (1 - betas[s]).sqrt() * mean_coef[s - 1]
        variance[s] = (1 - betas[s]) * variance[s - 1] + betas[s]
    shape = (-1, *([1] * (x0.dim() - 1)))
    return mean_coef[t].reshape(shape) * x0 + variance[t].sqrt().reshape(shape) * noise


q1 = write_function(
    "q_sample(x0, t, noise, alpha_bar)", _iterated_reference, _q1_cases, rtol=1e-9, atol=1e-9,
    name="Q1 · the forward process in one step",
    hint_text=("x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε. t holds one step per example: alpha_bar[t] has "
               "shape (N,); reshape it to (N, 1, …) so that it broadcasts over the other axes."),
    right_answer=answers.q_sample,
    mistakes=[
        (answers.q_sample_variance_weights,
         "x_0 is weighted by √ᾱ_t and the noise by √(1 − ᾱ_t), the square roots of the variances"),
        (answers.q_sample_noise_std_wrong,
         "the noise's weight is √(1 − ᾱ_t), not 1 − √ᾱ_t: the *variances* ᾱ_t and 1 − ᾱ_t sum to one"),
        (answers.q_sample_one_t_for_all, "each example has its own t: index alpha_bar with the whole t"),
    ],
    wrong_answers=[answers.q_sample_alpha_for_alpha_bar],
)


# ---------------------------------------------------------------------------------------------
# q2 · the mean of one reverse step, against the posterior mean at the predicted x_0
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    betas, _ = _schedule()
    g = torch.Generator().manual_seed(31)
    cases = {}
    for label, shape, t in [("a (3, 1, 4, 4) batch at t = 1000", (3, 1, 4, 4), 1000),
                            ("a (5, 2) batch at t = 400", (5, 2), 400),
                            ("a (2, 2) batch at t = 2, where the mean is almost x̂_0", (2, 2), 2)]:
        cases[label] = (torch.randn(shape, generator=g, dtype=torch.float64),
                        torch.randn(shape, generator=g, dtype=torch.float64), t, betas)
    return cases


def _posterior_reference(x_t, eps, t, betas):
    """μ̃_t(x_t, x̂_0), the mean of q(x_{t-1} | x_t, x_0), at the x_0 that the predicted noise
    implies, x̂_0 = (x_t − √(1 − ᾱ_t) ε) / √ᾱ_t."""
    alpha_bar = (1 - betas).cumprod(0)
    ab, ab_prev, b = alpha_bar[t], alpha_bar[t - 1], betas[t]
    x0 = (x_t - (1 - ab).sqrt() * eps) / ab.sqrt()
    return (ab_prev.sqrt() * b * x0 + (1 - b).sqrt() * (1 - ab_prev) * x_t) / (1 - ab)


q2 = write_function(
    "reverse_mean(x_t, eps, t, betas)", _posterior_reference, _q2_cases, rtol=1e-9, atol=1e-9,
    name="Q2 · one reverse step's mean",
    hint_text=("μ_θ = (x_t − β_t / √(1 − ᾱ_t) · ε̂) / √α_t with α_t = 1 − β_t and ᾱ_t = "
               "(1 − betas).cumprod(0)[t] (betas[0] = 0, so index t is step t)."),
    right_answer=answers.reverse_mean,
    mistakes=[
        (answers.reverse_mean_alpha_for_alpha_bar,
         "the noise is scaled by β_t / √(1 − ᾱ_t), with ᾱ_t the product over all steps so far"),
        (answers.reverse_mean_no_rescale, "the whole bracket is divided by √α_t = √(1 − β_t)"),
        (answers.reverse_mean_predicted_x0,
         "that is the predicted x̂_0, a jump all the way to t = 0; one step removes only a little noise"),
        (answers.reverse_mean_off_by_one, "use β_t and ᾱ_t of step t itself, not of t − 1"),
    ],
)

# ---------------------------------------------------------------------------------------------
# q3 · the signal left after 100 steps of a constant schedule
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.signal_after_100, what="the signal coefficient √ᾱ_100", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.signal_after_100_no_sqrt(): "that is ᾱ_100, the signal's *variance*; x_0 is "
                                            "multiplied by its square root",
        answers.signal_after_100_linear(): "the factors multiply, they do not add: ᾱ_t is a "
                                           "product of (1 − β)",
        answers.signal_after_100_beta_power(): "each step keeps √(1 − β) of the signal, not 1 − √β",
    },
    name="Q3 · how much signal is left",
    hint_text="ᾱ_t = Π_s (1 − β_s) = (1 − β)^t for a constant β; x_0's coefficient is √ᾱ_t.",
    right_answer=answers.signal_after_100,
    wrong_answers=[answers.signal_after_100_no_sqrt, answers.signal_after_100_linear,
                   answers.signal_after_100_beta_power],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of diffusion models
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "x_t can be drawn from x_0 in one step, without running the t steps before it, because "
         "a chain of Gaussian steps is again Gaussian",
    "b": "generating a digit takes one pass of the denoiser, as a VAE's decoder takes one pass",
    "c": "the DDPM loss is the squared error between the noise that was added and the noise the "
         "network predicts, at a random t",
    "d": "the deterministic DDIM sampler needs a network trained with another objective than "
         "DDPM's",
    "e": "at t = T the signal coefficient √ᾱ_T is nearly 0, which is why sampling can start from "
         "pure N(0, I) noise",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · diffusion models",
    hint_text=("Count the denoiser calls in section 4's sampler. DDIM reuses the very network "
               "trained with the DDPM loss; only the update between steps changes."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_one_pass,
                   answers.true_statements_without_pure_noise_start,
                   answers.true_statements_with_ddim_same],
)
