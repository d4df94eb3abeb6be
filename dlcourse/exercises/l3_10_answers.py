"""Answers to L3.10's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the sinusoidal position encoding of Vaswani et al.
def sinusoidal_encoding(length, dim, base=10_000.0):
    import torch
    position = torch.arange(length, dtype=torch.float64)[:, None]               # (L, 1)
    theta = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)      # (d/2,)
    pe = torch.zeros(length, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * theta)
    pe[:, 1::2] = torch.cos(position * theta)
    return pe


def sinusoidal_sin_cos_swapped(length, dim, base=10_000.0):
    """Cosine in the even dimensions, sine in the odd ones."""
    return sinusoidal_encoding(length, dim, base).reshape(length, dim // 2, 2).flip(-1).reshape(length, dim)


def sinusoidal_halves(length, dim, base=10_000.0):
    """All sines first, then all cosines (a layout some code uses), instead of interleaved pairs."""
    pe = sinusoidal_encoding(length, dim, base)
    import torch
    return torch.cat([pe[:, 0::2], pe[:, 1::2]], dim=1)


def sinusoidal_exponent_i_over_d(length, dim, base=10_000.0):
    """θ_i = base^(−i/d) for pair i, instead of base^(−2i/d): the frequencies fall half as fast."""
    import torch
    position = torch.arange(length, dtype=torch.float64)[:, None]
    theta = base ** (-torch.arange(dim // 2, dtype=torch.float64) / dim)
    pe = torch.zeros(length, dim, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(position * theta), torch.cos(position * theta)
    return pe


# q2 · rotary position embedding (RoPE) of a batch of query or key vectors
def rope(x, base=10_000.0):
    import torch
    *_, length, dim = x.shape
    theta = base ** (-torch.arange(0, dim, 2, dtype=x.dtype) / dim)             # (d/2,)
    angle = torch.arange(length, dtype=x.dtype)[:, None] * theta                # (L, d/2)
    cos, sin = angle.cos(), angle.sin()
    even, odd = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def rope_backwards(x, base=10_000.0):
    """Rotates by −p·θ_i (clockwise): the signs of the sine terms swapped."""
    import torch
    *_, length, dim = x.shape
    theta = base ** (-torch.arange(0, dim, 2, dtype=x.dtype) / dim)
    angle = torch.arange(length, dtype=x.dtype)[:, None] * theta
    cos, sin = angle.cos(), angle.sin()
    even, odd = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2], out[..., 1::2] = even * cos + odd * sin, -even * sin + odd * cos
    return out


def rope_halves(x, base=10_000.0):
    """Pairs dimension i with i + d/2 (the 'rotate half' layout) instead of 2i with 2i + 1."""
    import torch
    *_, length, dim = x.shape
    theta = base ** (-torch.arange(0, dim, 2, dtype=x.dtype) / dim)
    angle = torch.arange(length, dtype=x.dtype)[:, None] * theta
    cos, sin = angle.cos(), angle.sin()
    a, b = x[..., :dim // 2], x[..., dim // 2:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


def rope_added(x, base=10_000.0):
    """Adds a sinusoidal encoding instead of rotating."""
    return x + sinusoidal_encoding(x.shape[-2], x.shape[-1], base).to(x.dtype)


# q3 · how many query–key scores a causal mask keeps
@computed
def causal_pairs():
    T = 256
    return T * (T + 1) // 2              # query t sees keys 0 … t: 1 + 2 + … + T


@computed
def causal_pairs_strict():
    T = 256
    return T * (T - 1) // 2              # forgets that a token attends to itself


@computed
def causal_pairs_all():
    T = 256
    return T * T


# q4 · what is true of position encodings and the GPT
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_learned_extrapolating():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_mask_in_encoder():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_rope():
    return {"a", "c"}
