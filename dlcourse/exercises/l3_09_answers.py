"""Answers to L3.09's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · additive (Bahdanau) scores for a whole block of queries at once
def additive_scores(queries, keys, W_q, W_k, w):
    q = queries @ W_q.T                                   # (N, L, A)
    k = keys @ W_k.T                                      # (N, S, A)
    return (q[:, :, None, :] + k[:, None, :, :]).tanh() @ w   # (N, L, S, A) @ (A,) → (N, L, S)


def additive_scores_no_tanh(queries, keys, W_q, W_k, w):
    """Leaves out the tanh: the score becomes linear, wᵀW_q q + wᵀW_k k, and the key's part no
    longer depends on the query."""
    q = queries @ W_q.T
    k = keys @ W_k.T
    return (q[:, :, None, :] + k[:, None, :, :]) @ w


def additive_scores_softmaxed(queries, keys, W_q, W_k, w):
    """Returns the attention weights (softmax over the keys), not the scores."""
    return additive_scores(queries, keys, W_q, W_k, w).softmax(dim=-1)


def additive_scores_untransposed(queries, keys, W_q, W_k, w):
    """Multiplies by W instead of Wᵀ (the convention of nn.Linear: y = x Wᵀ)."""
    q = queries @ W_q
    k = keys @ W_k
    return (q[:, :, None, :] + k[:, None, :, :]).tanh() @ w


# q2 · one additive attention mask for a right-padded batch, optionally causal
def attention_mask(lengths, size, causal):
    positions = torch.arange(size)
    blocked = positions[None, None, :] >= lengths[:, None, None]          # padded keys: (N, 1, S)
    if causal:
        blocked = blocked | (positions[None, :] > positions[:, None])     # future keys: (L, S)
    blocked = blocked.expand(len(lengths), size, size)
    return torch.zeros(blocked.shape).masked_fill(blocked, float("-inf"))


def attention_mask_inverted(lengths, size, causal):
    """−∞ where a query *may* attend and 0 where it may not: the blocked pairs the wrong way round."""
    allowed = attention_mask(lengths, size, causal) == 0
    return torch.zeros(allowed.shape).masked_fill(allowed, float("-inf"))


def attention_mask_hides_the_diagonal(lengths, size, causal):
    """Masks the query's own position as well as the future (triu with diagonal 0)."""
    positions = torch.arange(size)
    blocked = positions[None, None, :] >= lengths[:, None, None]
    if causal:
        blocked = blocked | (positions[None, :] >= positions[:, None])
    blocked = blocked.expand(len(lengths), size, size)
    return torch.zeros(blocked.shape).masked_fill(blocked, float("-inf"))


def attention_mask_pads_queries(lengths, size, causal):
    """Masks the padded *queries* (rows) instead of the padded keys (columns)."""
    positions = torch.arange(size)
    blocked = positions[None, :, None] >= lengths[:, None, None]
    if causal:
        blocked = blocked | (positions[None, :] > positions[:, None])
    blocked = blocked.expand(len(lengths), size, size)
    return torch.zeros(blocked.shape).masked_fill(blocked, float("-inf"))


# q3 · why divide by √d
@computed
def score_std():
    d = 256
    return d ** 0.5          # q·k = Σ q_i k_i: d terms of variance 1 each, so variance d


@computed
def score_std_variance():
    return 256.0


@computed
def score_std_one():
    return 1.0


# q4 · what is true of attention
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_order():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_heads_cost():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_padding():
    return {"a", "c"}
