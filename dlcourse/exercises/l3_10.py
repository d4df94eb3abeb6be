"""Exercises of L3.10 · Transformer (Transformer 与位置编码).

    from dlcourse.exercises import l3_10 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_10_answers as answers
from .kinds import choices, number, write_function


def _first_match(got, args, wrongs):
    import torch
    got = torch.as_tensor(got, dtype=torch.float64)
    for wrong, why in wrongs:
        mine = wrong(*args).double()
        if mine.shape == got.shape and torch.allclose(got, mine, atol=1e-5):
            return why
    return None


# ---------------------------------------------------------------------------------------------
# q1 · the sinusoidal encoding, against the formula evaluated one entry at a time
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    return {"length 50, d = 16": (50, 16), "length 128, d = 64": (128, 64),
            "length 7, d = 2 (one pair)": (7, 2), "length 1, d = 8 (position 0 only)": (1, 8),
            "length 20, d = 10, base 100": (20, 10, 100.0)}


def _sinusoidal_reference(length, dim, base=10_000.0):
    """PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)), entry by entry."""
    import math

    import torch
    pe = torch.zeros(length, dim, dtype=torch.float64)
    for p in range(length):
        for i in range(dim // 2):
            pe[p, 2 * i] = math.sin(p / base ** (2 * i / dim))
            pe[p, 2 * i + 1] = math.cos(p / base ** (2 * i / dim))
    return pe


def _q1_diagnose(got, expected, args):
    return _first_match(got, args, [
        (answers.sinusoidal_sin_cos_swapped, "sine and cosine are swapped: sin goes in the even "
                                             "dimensions 2i, cos in the odd ones 2i + 1"),
        (answers.sinusoidal_halves, "the sines and cosines are interleaved: column 2i is the sine "
                                    "and column 2i + 1 the cosine of the same frequency"),
        (answers.sinusoidal_exponent_i_over_d, "the exponent of pair i is 2i/d (i = 0 … d/2 − 1), "
                                               "so the wavelengths run from 2π up to base·2π"),
    ])


q1 = write_function(
    "sinusoidal_encoding(length, dim, base=10_000.0)", _sinusoidal_reference, _q1_cases,
    rtol=0, atol=1e-5, diagnose=_q1_diagnose, name="Q1 · sinusoidal encoding",
    hint_text=("positions (L, 1) times θ = base ** (−arange(0, d, 2) / d) of shape (d/2,) gives the "
               "angles (L, d/2); write their sin into pe[:, 0::2] and their cos into pe[:, 1::2]."),
    right_answer=answers.sinusoidal_encoding,
    wrong_answers=[answers.sinusoidal_sin_cos_swapped, answers.sinusoidal_halves,
                   answers.sinusoidal_exponent_i_over_d],
)


# ---------------------------------------------------------------------------------------------
# q2 · RoPE, against multiplication by e^{ipθ} in complex numbers
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(10)
    return {
        "a (2, 4, 16, 8) batch (N, heads, L, d_head)": (torch.randn(2, 4, 16, 8, generator=g, dtype=torch.float64),),
        "a (3, 40, 32) batch (N, L, d)": (torch.randn(3, 40, 32, generator=g, dtype=torch.float64),),
        "a (1, 5, 2) batch (one pair)": (torch.randn(1, 5, 2, generator=g, dtype=torch.float64),),
        "a (2, 12, 6) batch, base 50": (torch.randn(2, 12, 6, generator=g, dtype=torch.float64), 50.0),
    }


def _rope_reference(x, base=10_000.0):
    """Pairs (2i, 2i+1) as complex numbers, multiplied by e^{i·p·θ_i}: torch.polar does the rotation."""
    import torch
    *_, length, dim = x.shape
    theta = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    rotation = torch.polar(torch.ones(length, dim // 2, dtype=torch.float64),
                           torch.arange(length, dtype=torch.float64)[:, None] * theta)
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], dim // 2, 2).contiguous())
    return torch.view_as_real(z * rotation).reshape(x.shape)


def _q2_diagnose(got, expected, args):
    return _first_match(got, args, [
        (answers.rope_backwards, "the rotation goes the wrong way: (a, b) ↦ (a cos − b sin, a sin + b cos)"),
        (answers.rope_halves, "pair dimension 2i with 2i + 1 (neighbours), not i with i + d/2"),
        (answers.rope_added, "RoPE rotates the vector; adding an encoding is the sinusoidal method"),
    ])


q2 = write_function(
    "rope(x, base=10_000.0)", _rope_reference, _q2_cases, rtol=0, atol=1e-10,
    diagnose=_q2_diagnose, name="Q2 · rotary position embedding",
    hint_text=("angle = arange(L)[:, None] * θ, shape (L, d/2), with θ as in Q1. With a = x[..., 0::2] "
               "and b = x[..., 1::2], the rotated pair is (a·cos − b·sin, a·sin + b·cos); write the "
               "two back into the even and odd dimensions of a new tensor."),
    right_answer=answers.rope,
    wrong_answers=[answers.rope_backwards, answers.rope_halves, answers.rope_added],
)


# ---------------------------------------------------------------------------------------------
# q3 · query–key scores kept by the causal mask
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.causal_pairs, what="the number of scores", whole=True,
    mistakes=lambda: {
        answers.causal_pairs_strict(): "a token attends to itself too: query t sees keys 0 … t",
        answers.causal_pairs_all(): "that is every pair; the mask removes the keys after the query",
    },
    name="Q3 · the causal mask",
    hint_text="Query 0 sees 1 key, query 1 sees 2, …, query T − 1 sees T. Add them up.",
    right_answer=answers.causal_pairs,
    wrong_answers=[answers.causal_pairs_strict, answers.causal_pairs_all],
)


# ---------------------------------------------------------------------------------------------
# q4 · what is true of position encodings and the blocks
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "without position information, permuting the input tokens of a transformer encoder permutes "
         "its outputs the same way and changes nothing else",
    "b": "a GPT trained with learned position embeddings for 128 positions can read a context of 256 "
         "characters without any change",
    "c": "the sinusoidal encoding of position p + k is the same linear map (a rotation of each "
         "sin/cos pair) applied to the encoding of position p, whatever p is",
    "d": "an encoder block needs the causal mask so that a token cannot see the tokens after it",
    "e": "with RoPE, the score of a query at position p with a key at position p + k depends on the "
         "positions only through k",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · position encodings and blocks",
    hint_text=("Attention is a weighted sum over a set. A learned embedding table has one row per "
               "position it was trained with. Which block predicts the next token, and which reads a "
               "whole sentence at once? sin(a + b) and cos(a + b) are linear in sin a and cos a."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_learned_extrapolating,
                   answers.true_statements_with_mask_in_encoder,
                   answers.true_statements_without_rope],
)
