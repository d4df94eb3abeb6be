"""Exercises of L3.11 · Autoencoders & VAE (自编码器与 VAE).

    from dlcourse.exercises import l3_11 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_11_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the closed-form KL, against torch.distributions.kl_divergence
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(11)
    return {
        "a batch of 4 codes with 2 dimensions": (torch.randn(4, 2, generator=g, dtype=torch.float64),
                                                 torch.randn(4, 2, generator=g, dtype=torch.float64)),
        "a batch of 3 codes with 20 dimensions": (torch.randn(3, 20, generator=g, dtype=torch.float64),
                                                  2 * torch.randn(3, 20, generator=g, dtype=torch.float64)),
        "the prior itself (μ = 0, log σ² = 0): KL 0": (torch.zeros(2, 5, dtype=torch.float64),
                                                        torch.zeros(2, 5, dtype=torch.float64)),
        "μ = 0 and a narrow posterior (log σ² = −4)": (torch.zeros(1, 3, dtype=torch.float64),
                                                       torch.full((1, 3), -4.0, dtype=torch.float64)),
    }


def _kl_reference(mu, logvar):
    """KL(N(μ, σ²) ‖ N(0, 1)) per dimension from torch.distributions, summed over the latent."""
    from torch.distributions import Normal, kl_divergence
    posterior = Normal(mu, (0.5 * logvar).exp())
    prior = Normal(mu.new_zeros(()), mu.new_ones(()))
    return kl_divergence(posterior, prior).sum(dim=-1)


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.gaussian_kl_std_for_variance,
         "the formula has σ² = exp(log σ²), not σ = exp(½ log σ²)"),
        (answers.gaussian_kl_no_half, "the ½ in front is missing"),
        (answers.gaussian_kl_wrong_sign,
         "that is the negative of the KL: a KL is never negative; KL = −½ Σ (1 + log σ² − μ² − σ²)"),
        (answers.gaussian_kl_log_std,
         "`logvar` is log σ², the log of the variance, not log σ"),
    ]:
        mine = wrong(*args)
        if torch.as_tensor(got).shape == mine.shape and torch.allclose(torch.as_tensor(got, dtype=mine.dtype), mine):
            return why
    return None


q1 = write_function(
    "gaussian_kl(mu, logvar)", _kl_reference, _q1_cases, rtol=1e-9, atol=1e-9,
    diagnose=_q1_diagnose, name="Q1 · the Gaussian KL",
    hint_text=("Per dimension, KL(N(μ, σ²) ‖ N(0, 1)) = ½ (μ² + σ² − 1 − log σ²), with σ² = "
               "exp(logvar). Sum over the last axis: one number per row."),
    right_answer=answers.gaussian_kl,
    wrong_answers=[answers.gaussian_kl_std_for_variance, answers.gaussian_kl_no_half,
                   answers.gaussian_kl_wrong_sign, answers.gaussian_kl_log_std],
)


# ---------------------------------------------------------------------------------------------
# q2 · the reparameterization trick, against Normal(μ, σ).rsample() with the same noise
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    cases = {}
    for label, shape, seed in [("a (4, 2) batch", (4, 2), 0), ("a (3, 20) batch", (3, 20), 1),
                               ("a (1, 5) code with wide and narrow dimensions", (1, 5), 2)]:
        g = torch.Generator().manual_seed(100 + seed)
        mu = torch.randn(shape, generator=g, dtype=torch.float64)
        logvar = 3 * torch.randn(shape, generator=g, dtype=torch.float64)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            eps = torch.randn(shape, dtype=torch.float64)   # the noise rsample draws under this seed
        cases[label] = (mu, logvar, eps)
    return cases


def _rsample_reference(mu, logvar, eps):
    """Normal(μ, σ).rsample() drawing exactly `eps`: rsample is loc + scale · (standard normal
    noise), so with the global generator seeded as when `eps` was drawn it gives the answer."""
    import torch
    from torch.distributions import Normal
    q = Normal(mu, (0.5 * logvar).exp())
    with torch.random.fork_rng(devices=[]):
        for seed in range(3):
            torch.manual_seed(seed)
            if torch.equal(torch.randn(eps.shape, dtype=eps.dtype), eps):
                torch.manual_seed(seed)
                return q.rsample()
    raise ValueError("the noise was not drawn by one of the cases' seeds")


def _q2_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.reparameterize_variance,
         "the noise is scaled by σ = exp(½ log σ²), the standard deviation, not the variance"),
        (answers.reparameterize_logvar_as_scale,
         "`logvar` is log σ²: exponentiate half of it to get σ"),
        (answers.reparameterize_scaled_mean, "only the noise is scaled: z = μ + σ·ε"),
    ]:
        if torch.allclose(torch.as_tensor(got, dtype=torch.float64), wrong(*args)):
            return why
    return None


q2 = write_function(
    "reparameterize(mu, logvar, eps)", _rsample_reference, _q2_cases, rtol=1e-9, atol=1e-9,
    diagnose=_q2_diagnose, name="Q2 · the reparameterization trick",
    hint_text=("z = μ + σ ⊙ ε with σ = exp(½ · logvar): the noise ε ~ N(0, I) is an input, and z is "
               "a differentiable function of μ and logvar."),
    right_answer=answers.reparameterize,
    wrong_answers=[answers.reparameterize_variance, answers.reparameterize_logvar_as_scale,
                   answers.reparameterize_scaled_mean],
)

# ---------------------------------------------------------------------------------------------
# q3 · a model that gives every pixel the same probability
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.constant_model_nats, what="the negative log-likelihood in nats", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.constant_model_bits(): "that is in bits (log base 2); the lesson's numbers are "
                                       "nats, natural logarithms",
        answers.constant_model_on_pixels_only(): "the 684 pixels that are off count too: each "
                                                 "costs −log(1 − p)",
        answers.constant_model_coin(): "that is the p = ½ model; this one says p = 0.13",
    },
    name="Q3 · a model that knows only the ink",
    hint_text=("log p(x) = Σ_j x_j log p + (1 − x_j) log(1 − p): 100 pixels contribute log 0.13 "
               "each, 684 contribute log 0.87 each. Negate the sum."),
    right_answer=answers.constant_model_nats,
    wrong_answers=[answers.constant_model_bits, answers.constant_model_on_pixels_only,
                   answers.constant_model_coin],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of autoencoders, VAEs and their bounds
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "the ELBO equals log p(x) exactly when the encoder's q(z | x) equals the true posterior "
         "p(z | x)",
    "b": "decoding z ~ N(0, I) with a plain autoencoder's decoder gives digits as good as a VAE's "
         "samples, since both decoders learned to draw digits",
    "c": "without the reparameterization trick, z would be a random draw that gradients cannot "
         "flow through back to the encoder's μ and σ",
    "d": "the importance-weighted bound with k samples is at least the ELBO, and reaches log p(x) "
         "as k grows",
    "e": "the negative ELBO is below the true negative log-likelihood −log p(x)",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · autoencoders, VAEs and bounds",
    hint_text=("log p(x) = ELBO + KL(q(z|x) ‖ p(z|x)), and a KL is ≥ 0. An autoencoder's codes "
               "need not lie where N(0, I) puts its mass (look at section 5's plot)."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_ae_sampling,
                   answers.true_statements_with_elbo_above,
                   answers.true_statements_without_iwae],
)
