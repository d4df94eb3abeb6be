"""Exercises of L3.09 · Attention (注意力机制).

    from dlcourse.exercises import l3_09 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_09_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · additive scores for L queries at once, against the formula query by query, key by key
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(9)

    def case(n, length, s, dq, dk, a):
        r = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
        return (r(n, length, dq), r(n, s, dk), r(a, dq), r(a, dk), r(a))

    return {
        "2 sequences, 3 queries of size 4, 5 keys of size 6, attention size 7": case(2, 3, 5, 4, 6, 7),
        "1 sequence, 1 query, 1 key": case(1, 1, 1, 3, 3, 2),
        "3 sequences, 10 queries of size 8, 12 keys of size 8, attention size 16": case(3, 10, 12, 8, 8, 16),
        "queries and keys of different sizes (5 and 2), attention size 1": case(2, 4, 3, 5, 2, 1),
    }


def _additive_reference(queries, keys, W_q, W_k, w):
    """e[n, i, j] = wᵀ tanh(W_q q_i + W_k k_j), one pair at a time with torch.nn.functional.linear."""
    import torch
    import torch.nn.functional as F
    n, length, s = queries.shape[0], queries.shape[1], keys.shape[1]
    out = torch.empty(n, length, s, dtype=queries.dtype)
    for b in range(n):
        for i in range(length):
            for j in range(s):
                hidden = torch.tanh(F.linear(queries[b, i], W_q) + F.linear(keys[b, j], W_k))
                out[b, i, j] = hidden @ w
    return out


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.additive_scores_no_tanh,
         "the tanh is missing: without it the score is wᵀW_q q + wᵀW_k k, a sum of a query part and "
         "a key part, and the query no longer changes which key wins"),
        (answers.additive_scores_softmaxed,
         "these are the weights: return the scores e, before the softmax (the mask and the softmax "
         "come after)"),
        (answers.additive_scores_untransposed,
         "W_q and W_k are stored as nn.Linear stores its weight, (attention size, input size): "
         "apply them as x @ W.T"),
    ]:
        try:
            mine = wrong(*args)
        except RuntimeError:
            continue
        if mine.shape == torch.as_tensor(got).shape and torch.allclose(torch.as_tensor(got, dtype=mine.dtype), mine):
            return why
    return None


q1 = write_function(
    "additive_scores(queries, keys, W_q, W_k, w)", _additive_reference, _q1_cases, rtol=1e-9, atol=1e-10,
    diagnose=_q1_diagnose, name="Q1 · additive scores",
    hint_text=("Project first: queries @ W_q.T is (N, L, A), keys @ W_k.T is (N, S, A). Put them on "
               "different axes, (N, L, 1, A) and (N, 1, S, A), so that adding broadcasts to every "
               "(query, key) pair, (N, L, S, A); then tanh, then @ w."),
    right_answer=answers.additive_scores,
    wrong_answers=[answers.additive_scores_no_tanh, answers.additive_scores_softmaxed,
                   answers.additive_scores_untransposed],
)

# ---------------------------------------------------------------------------------------------
# q2 · an additive attention mask, against PyTorch's own causal mask and key-padding convention
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    return {
        "lengths [3, 5, 1], size 5, not causal": (torch.tensor([3, 5, 1]), 5, False),
        "lengths [3, 5, 1], size 5, causal": (torch.tensor([3, 5, 1]), 5, True),
        "lengths [4, 4], size 4 (no padding), causal": (torch.tensor([4, 4]), 4, True),
        "lengths [2], size 6, causal": (torch.tensor([2]), 6, True),
        "lengths [1, 7, 3, 6], size 7, not causal": (torch.tensor([1, 7, 3, 6]), 7, False),
    }


def _mask_reference(lengths, size, causal):
    """nn.Transformer's square subsequent mask (−∞ above the diagonal, 0 elsewhere) plus −∞ on the
    keys that nn.MultiheadAttention's key_padding_mask would hide (positions ≥ the length)."""
    import torch
    from torch import nn
    padding = torch.arange(size)[None, :] >= lengths[:, None]                      # (N, S)
    mask = torch.zeros(len(lengths), size, size).masked_fill(padding[:, None, :], float("-inf"))
    if causal:
        mask = mask + nn.Transformer.generate_square_subsequent_mask(size)         # (L, S)
    return mask


def _q2_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.attention_mask_inverted,
         "0 and −∞ are the wrong way round: −∞ goes where a query may *not* attend (added to the "
         "score, it gives weight 0)"),
        (answers.attention_mask_hides_the_diagonal,
         "a query may attend to its own position: the causal part blocks only keys j > i"),
        (answers.attention_mask_pads_queries,
         "padding hides *keys* (the columns, the last axis), so that no query reads a padding "
         "token; a padded query's own row does not matter"),
    ]:
        mine = wrong(*args)
        got_t = torch.as_tensor(got, dtype=mine.dtype)
        if mine.shape == got_t.shape and torch.equal(got_t, mine):
            return why
    return None


q2 = write_function(
    "attention_mask(lengths, size, causal)", _mask_reference, _q2_cases, rtol=0, atol=0,
    diagnose=_q2_diagnose, name="Q2 · padding and causal mask",
    hint_text=("positions = torch.arange(size). Padded keys: positions >= lengths, laid out as "
               "(N, 1, S). Future keys: positions[None, :] > positions[:, None], (L, S). Combine "
               "with |, .expand(N, size, size), then torch.zeros(...).masked_fill(blocked, "
               "float('-inf'))."),
    right_answer=answers.attention_mask,
    wrong_answers=[answers.attention_mask_inverted, answers.attention_mask_hides_the_diagonal,
                   answers.attention_mask_pads_queries],
)

# ---------------------------------------------------------------------------------------------
# q3 · the spread of a raw dot-product score
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.score_std, what="the standard deviation", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.score_std_variance(): "that is the variance of q·k; the standard deviation is its "
                                      "square root",
        answers.score_std_one(): "that is the spread after dividing by √d; the question asks "
                                 "before",
    },
    name="Q3 · why divide by √d",
    hint_text=("q·k = Σᵢ qᵢkᵢ. Each product of two independent standard normal numbers has mean 0 "
               "and variance 1; the d products are independent, so their variances add."),
    right_answer=answers.score_std,
    wrong_answers=[answers.score_std_variance, answers.score_std_one],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of attention
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "an attention output is a weighted average of the value vectors, with weights that are "
         "positive and sum to 1",
    "b": "self-attention without position information can tell a sequence from its reverse: "
         "reversing the input changes what each token's output is",
    "c": "dividing the scores by a temperature above 1 spreads the weights more evenly over the keys",
    "d": "8 heads of size d/8 cost about 8 times as many multiply-adds as one head of size d",
    "e": "a key padding mask sets the scores of padding keys to −∞, so that they get weight exactly 0",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · attention",
    hint_text=("Self-attention treats its input as a set: permute the tokens and the outputs are "
               "permuted the same way, nothing more. Heads split d; they do not multiply it."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_order, answers.true_statements_with_heads_cost,
                   answers.true_statements_without_padding],
)
