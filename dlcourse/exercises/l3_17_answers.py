"""Answers to L3.17's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the forward pass of a LoRA linear layer
def lora_forward(x, weight, bias, A, B, alpha):
    r = A.shape[0]
    return x @ weight.T + bias + (alpha / r) * (x @ A.T) @ B.T          # W x + b + (α/r) B A x


def lora_forward_no_scale(x, weight, bias, A, B, alpha):
    """Forgets the factor α/r."""
    return x @ weight.T + bias + (x @ A.T) @ B.T


def lora_forward_alpha_only(x, weight, bias, A, B, alpha):
    """Scales by α instead of α/r."""
    return x @ weight.T + bias + alpha * (x @ A.T) @ B.T


def lora_forward_transposed(x, weight, bias, A, B, alpha):
    """Applies the update as (BA)ᵀ instead of BA (only works out when the layer is square)."""
    r = A.shape[0]
    return x @ weight.T + bias + (alpha / r) * x @ (B @ A)


def lora_forward_no_base(x, weight, bias, A, B, alpha):
    """Returns the low-rank update alone, without the frozen layer."""
    r = A.shape[0]
    return (alpha / r) * (x @ A.T) @ B.T


# q2 · LoRA's trainable parameters in a GPT-2-small-sized model
@computed
def lora_parameters():
    layers, d, r = 12, 768, 8
    return layers * 2 * r * (d + d)        # W_q and W_v of each layer: A is r × d, B is d × r


@computed
def lora_parameters_one_factor():
    layers, d, r = 12, 768, 8
    return layers * 2 * r * d              # counts A or B only


@computed
def lora_parameters_full_matrix():
    layers, d = 12, 768
    return layers * 2 * d * d              # the full matrices: that is fine-tuning W_q and W_v


# q3 · BERT's 80/10/10 rule
@computed
def random_replacements():
    tokens = 10_000
    return tokens * 0.15 * 0.10            # chosen (15 %), then replaced by a random token (10 % of those)


@computed
def random_replacements_of_all():
    return 10_000 * 0.10                   # 10 % of all tokens, not of the chosen 15 %


@computed
def random_replacements_masked():
    return 10_000 * 0.15 * 0.80            # those become [MASK]


# q4 · what is true of pretraining objectives and fine-tuning
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_bert_generates():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_merge_cost():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_init():
    return {"a", "c"}
