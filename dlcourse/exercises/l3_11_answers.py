"""Answers to L3.11's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the closed-form KL of a diagonal Gaussian from the standard normal, one value per row
def gaussian_kl(mu, logvar):
    return -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(dim=-1)


def gaussian_kl_std_for_variance(mu, logvar):
    """Uses σ = exp(½ log σ²) where the formula has σ²."""
    return -0.5 * (1 + logvar - mu ** 2 - (0.5 * logvar).exp()).sum(dim=-1)


def gaussian_kl_no_half(mu, logvar):
    """Forgets the ½ in front."""
    return -(1 + logvar - mu ** 2 - logvar.exp()).sum(dim=-1)


def gaussian_kl_wrong_sign(mu, logvar):
    """Writes +½ Σ(1 + log σ² − μ² − σ²): the negative of the KL."""
    return 0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(dim=-1)


def gaussian_kl_log_std(mu, logvar):
    """Reads `logvar` as log σ: log σ² = 2·logvar and σ² = exp(2·logvar)."""
    return -0.5 * (1 + 2 * logvar - mu ** 2 - (2 * logvar).exp()).sum(dim=-1)


# q2 · the reparameterization trick
def reparameterize(mu, logvar, eps):
    return mu + (0.5 * logvar).exp() * eps


def reparameterize_variance(mu, logvar, eps):
    """Scales the noise by σ² = exp(log σ²) instead of σ."""
    return mu + logvar.exp() * eps


def reparameterize_logvar_as_scale(mu, logvar, eps):
    """Multiplies the noise by log σ² itself."""
    return mu + logvar * eps


def reparameterize_scaled_mean(mu, logvar, eps):
    """Scales the mean with the noise: (μ + ε)·σ instead of μ + σ·ε."""
    return (mu + eps) * (0.5 * logvar).exp()


# q3 · the negative log-likelihood of a model that only knows how much ink a digit has
@computed
def constant_model_nats():
    import math
    on, off, p = 100, 784 - 100, 0.13
    return -(on * math.log(p) + off * math.log(1 - p))


@computed
def constant_model_bits():
    import math
    on, off, p = 100, 784 - 100, 0.13
    return -(on * math.log2(p) + off * math.log2(1 - p))


@computed
def constant_model_on_pixels_only():
    import math
    return -100 * math.log(0.13)


@computed
def constant_model_coin():
    import math
    return 784 * math.log(2)


# q4 · what is true of autoencoders, VAEs and their bounds
@computed
def true_statements():
    return {"a", "c", "d"}


@computed
def true_statements_with_ae_sampling():
    return {"a", "b", "c", "d"}


@computed
def true_statements_with_elbo_above():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_iwae():
    return {"a", "c"}
