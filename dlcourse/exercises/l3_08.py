"""Exercises of L3.08 · Encoder–decoder & seq2seq (编码器-解码器).

    from dlcourse.exercises import l3_08 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_08_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · one beam-search step, against topk over the flattened (hypothesis, token) scores
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(11)

    def case(beams, vocab, k):
        scores = -torch.rand(beams, generator=g, dtype=torch.float64) * 5
        log_probs = torch.randn(beams, vocab, generator=g, dtype=torch.float64).log_softmax(-1)
        return scores, log_probs, k

    return {
        "3 hypotheses, 5 tokens, k = 3": case(3, 5, 3),
        "the first step: 1 hypothesis, 14 tokens, k = 4": case(1, 14, 4),
        "4 hypotheses, 6 tokens, k = 4": case(4, 6, 4),
        "2 hypotheses, 9 tokens, k = 5 (more than the hypotheses)": case(2, 9, 5),
        "5 hypotheses, 3 tokens, k = 2 (fewer than the hypotheses)": case(5, 3, 2),
    }


def _beam_step_reference(scores, log_probs, k):
    """Every candidate's total, sorted: the k best, with the row (hypothesis) and column (token)."""
    import torch
    total = scores[:, None] + log_probs
    order = torch.argsort(total.flatten(), descending=True)[:k]
    rows, cols = torch.unravel_index(order, total.shape)
    return total.flatten()[order], rows, cols


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.beam_step_without_history,
         "rank the candidates by their whole log-probability: the hypothesis's score plus the "
         "new token's log-probability (scores[:, None] + log_probs), not the new token's alone"),
        (answers.beam_step_swapped_index,
         "in the flattened (B, V) scores, index i is hypothesis i // V and token i % V"),
        (answers.beam_step_best_per_hypothesis,
         "the k best candidates may extend the same hypothesis several times: take the top k of "
         "all B·V candidates, not the best token of each hypothesis"),
    ]:
        mine = wrong(*args)
        if all(torch.as_tensor(a).shape == b.shape and torch.allclose(torch.as_tensor(a).to(b.dtype), b)
               for a, b in zip(got, mine)):
            return why
    return None


q1 = write_function(
    "beam_step(scores, log_probs, k)", _beam_step_reference, _q1_cases, rtol=0, atol=1e-12,
    parts=("new scores", "hypothesis index", "token"),
    diagnose=_q1_diagnose, name="Q1 · one beam-search step",
    hint_text=("Add each hypothesis's score to its row of log-probabilities: (B, V) totals. "
               "Flatten, take .topk(k), and turn each flat index back into "
               "(flat // V, flat % V)."),
    right_answer=answers.beam_step,
    wrong_answers=[answers.beam_step_without_history, answers.beam_step_swapped_index,
                   answers.beam_step_best_per_hypothesis],
)

# ---------------------------------------------------------------------------------------------
# q2 · BLEU's clipped n-gram matches of one candidate
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    return {
        "the paper's example: 'the the the the the the the' against 'the cat is on the mat', n = 1":
            ("the the the the the the the".split(), "the cat is on the mat".split(), 1),
        "'the cat the cat on the mat' against 'the cat is on the mat', n = 2":
            ("the cat the cat on the mat".split(), "the cat is on the mat".split(), 2),
        "the characters of '今天天气很好' against '今天天气不错', n = 1": (list("今天天气很好"), list("今天天气不错"), 1),
        "'2019-03-21' against '2019-03-12' character by character, n = 3": (list("2019-03-21"), list("2019-03-12"), 3),
        "a candidate of 2 tokens, n = 4 (no 4-grams)": (["a", "b"], ["a", "b", "c", "d"], 4),
        "a a b a a against a a a, n = 2": (list("aabaa"), list("aaa"), 2),
    }


def _q2_diagnose(got, expected, args):
    for wrong, why in [
        (answers.clipped_matches_unclipped,
         "clip each n-gram's count at the number of times it occurs in the reference: "
         "'the' seven times against a reference with two 'the' is 2 matches, not 7"),
        (answers.clipped_matches_distinct,
         "count n-gram occurrences, not distinct n-grams: use a Counter of the candidate's n-grams"),
        (answers.clipped_matches_reference_total,
         "precision divides by the candidate's n-grams (len(candidate) − n + 1), not the reference's"),
    ]:
        if tuple(got) == tuple(wrong(*args)):
            return why
    return None


q2 = write_function(
    "clipped_matches(candidate, reference, n)", answers.clipped_matches, _q2_cases, rtol=0, atol=0,
    parts=("matched", "total"), diagnose=_q2_diagnose, name="Q2 · clipped n-gram matches",
    hint_text=("Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) − n + 1)), the same "
               "for the reference; matched = Σ min(count, reference count); total = the number of "
               "candidate n-grams (0 when the candidate is shorter than n)."),
    right_answer=answers.clipped_matches,
    wrong_answers=[answers.clipped_matches_unclipped, answers.clipped_matches_distinct,
                   answers.clipped_matches_reference_total],
)

# ---------------------------------------------------------------------------------------------
# q3 · the brevity penalty
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.brevity_penalty, what="the brevity penalty", rtol=1e-4, atol=0,
    mistakes=lambda: {
        answers.brevity_penalty_inverted(): "that is above 1: the penalty is exp(1 − r/c) with r "
                                            "the reference length and c the candidate's, and "
                                            "r/c > 1 when the candidates are short",
        answers.brevity_penalty_ratio(): "the penalty is exponential: exp(1 − r/c), not c/r",
    },
    name="Q3 · brevity penalty",
    hint_text="BP = exp(1 − r/c) when c < r (r: reference characters, c: candidate characters), else 1.",
    right_answer=answers.brevity_penalty,
    wrong_answers=[answers.brevity_penalty_inverted, answers.brevity_penalty_ratio],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of training and decoding a seq2seq model
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "with teacher forcing the decoder never sees its own mistakes during training, so at test "
         "time it meets prefixes it was not trained on (exposure bias)",
    "b": "beam search with k = 5 always returns the output sequence of highest probability",
    "c": "beam search with k = 1 is greedy decoding",
    "d": "at test time the decoder is fed the reference's previous token, as in training",
    "e": "without attention, everything the decoder knows about the source passes through the "
         "encoder's final state, the context vector",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · training and decoding",
    hint_text=("At test time there is no reference to feed. Beam search prunes: a hypothesis that "
               "looks bad early is gone for good, unless the beam holds every candidate."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_beam_exact,
                   answers.true_statements_with_teacher_forcing_at_test,
                   answers.true_statements_without_bottleneck],
)
