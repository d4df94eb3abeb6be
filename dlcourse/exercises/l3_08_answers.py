"""Answers to L3.08's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · one step of beam search: the k best of all (hypothesis, next token) pairs
def beam_step(scores, log_probs, k):
    total = scores[:, None] + log_probs                   # (B, V): each hypothesis × each token
    best, flat = total.flatten().topk(k)                  # the k best of all B·V candidates
    vocab = log_probs.shape[1]
    return best, flat // vocab, flat % vocab


def beam_step_without_history(scores, log_probs, k):
    """Ranks the candidates by the new token's log-probability alone, forgetting the prefix's."""
    best, flat = log_probs.flatten().topk(k)
    vocab = log_probs.shape[1]
    return scores[flat // vocab] + best, flat // vocab, flat % vocab


def beam_step_swapped_index(scores, log_probs, k):
    """Reads the flat index as (token, hypothesis) instead of (hypothesis, token)."""
    best, flat = (scores[:, None] + log_probs).flatten().topk(k)
    beams = log_probs.shape[0]
    return best, flat % beams, flat // beams


def beam_step_best_per_hypothesis(scores, log_probs, k):
    """Extends every hypothesis by its own best token (k greedy searches side by side)."""
    total = scores[:, None] + log_probs
    best, tokens = total.max(dim=1)
    order = best.topk(min(k, len(best))).indices
    return best[order], order, tokens[order]


# q2 · BLEU's modified (clipped) n-gram precision of one candidate
def clipped_matches(candidate, reference, n):
    from collections import Counter
    cand = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
    ref = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
    matched = sum(min(count, ref[gram]) for gram, count in cand.items())
    return matched, max(len(candidate) - n + 1, 0)


def clipped_matches_unclipped(candidate, reference, n):
    """Counts every candidate n-gram found in the reference, however often it repeats."""
    cand = [tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1)]
    ref = {tuple(reference[i:i + n]) for i in range(len(reference) - n + 1)}
    return sum(gram in ref for gram in cand), len(cand)


def clipped_matches_distinct(candidate, reference, n):
    """Counts each distinct n-gram once, in the matches and in the total."""
    cand = {tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1)}
    ref = {tuple(reference[i:i + n]) for i in range(len(reference) - n + 1)}
    return len(cand & ref), len(cand)


def clipped_matches_reference_total(candidate, reference, n):
    """Divides by the reference's n-grams (a recall), not the candidate's."""
    matched, _ = clipped_matches(candidate, reference, n)
    return matched, max(len(reference) - n + 1, 0)


# q3 · the brevity penalty of a corpus
@computed
def brevity_penalty():
    import math
    candidate_chars, reference_chars = 9_000, 10_000
    return math.exp(1 - reference_chars / candidate_chars)


@computed
def brevity_penalty_inverted():
    import math
    return math.exp(1 - 9_000 / 10_000)


@computed
def brevity_penalty_ratio():
    return 9_000 / 10_000


# q4 · what is true of training and decoding a seq2seq model
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_beam_exact():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_teacher_forcing_at_test():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_bottleneck():
    return {"a", "c"}
