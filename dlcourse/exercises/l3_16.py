"""Exercises of L3.16 · Tokenizers (分词器).

    from dlcourse.exercises import l3_16 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import random

from . import l3_16_answers as answers
from .kinds import choices, number, write_function


def _random_ids(rng, n, alphabet):
    return [rng.choice(alphabet) for _ in range(n)]


# ---------------------------------------------------------------------------------------------
# q1 · merge(ids, pair, new_id)
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    rng = random.Random(16)
    cases = {
        "the pair twice, apart": ([1, 2, 3, 1, 2], (1, 2), 256),
        "an overlapping run a a a a a": ([7, 7, 7, 7, 7], (7, 7), 300),
        "the pair at the very end": ([5, 6, 5, 6], (5, 6), 256),
        "the reversed pair only (nothing to merge)": ([2, 1, 2, 1], (1, 2), 256),
        "one id": ([42], (42, 42), 256),
        "no ids": ([], (1, 2), 256),
        "the last id not part of a pair": ([3, 4, 3, 4, 9], (3, 4), 261),
    }
    for j in range(6):
        ids = _random_ids(rng, rng.randint(20, 80), [97, 98, 99, 32])
        cases[f"random ids {j + 1} over 4 symbols"] = (ids, (ids[0], ids[1]), 256 + j)
    return cases


q1 = write_function(
    "merge(ids, pair, new_id)", answers.merge, _q1_cases,
    name="Q1 · merge a pair",
    hint_text=("Walk with an index i from the left: if ids[i], ids[i + 1] is the pair (check that "
               "i + 1 < len(ids) first), append new_id and step i by 2; otherwise append ids[i] "
               "and step by 1. Return the new list; a run a a a with the pair (a, a) becomes "
               "new_id, a."),
    right_answer=answers.merge,
    wrong_answers=[answers.merge_overlapping, answers.merge_first_only, answers.merge_drops_last,
                   answers.merge_unordered],
)

# ---------------------------------------------------------------------------------------------
# q2 · train_bpe(ids, n_merges)
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    rng = random.Random(61)
    cases = {
        "'aaabdaaabac' as bytes, 3 merges": (list(b"aaabdaaabac"), 3),
        "'low lower lowest' as bytes, 5 merges": (list(b"low lower lowest"), 5),
        "more merges than pairs (stops when one id is left)": (list(b"abab"), 10),
        "ties everywhere: 'abcd', 2 merges": (list(b"abcd"), 2),
        "no merges": (list(b"hello"), 0),
    }
    for j in range(5):
        ids = _random_ids(rng, rng.randint(60, 200), list(b"abcde "))
        cases[f"random bytes {j + 1}, 12 merges"] = (ids, 12)
    return cases


def _q2_diagnose(got, expected, args):
    got = [tuple(p) for p in got]
    for wrong, why in [
        (answers.train_bpe_counts_once, "count the pairs again after every merge: a merge changes "
                                        "the counts (new pairs appear, old ones go)"),
        (answers.train_bpe_same_id, "merge k makes the new id 256 + k, a different id for every merge"),
        (answers.train_bpe_last_tie, "on a tie, take the pair that occurs first in ids "
                                     "(max(counts, key=counts.get) with counts filled left to right)"),
        (answers.train_bpe_least_frequent, "merge the most frequent pair, not the least"),
    ]:
        if got == [tuple(p) for p in wrong(*args)]:
            return why
    return None


q2 = write_function(
    "train_bpe(ids, n_merges)", answers.train_bpe, _q2_cases,
    diagnose=_q2_diagnose,
    name="Q2 · train BPE",
    hint_text=("For k in range(n_merges): count the adjacent pairs of the current ids in a dict "
               "filled left to right (stop if it is empty), take pair = max(counts, "
               "key=counts.get), replace it with merge(ids, pair, 256 + k), and append the pair "
               "to the list of merges you return."),
    right_answer=answers.train_bpe,
    wrong_answers=[answers.train_bpe_counts_once, answers.train_bpe_least_frequent,
                   answers.train_bpe_same_id, answers.train_bpe_last_tie],
)

# ---------------------------------------------------------------------------------------------
# q3 · how many tokens after a few merges
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.tokens_after_merges, what="tokens", whole=True,
    mistakes=lambda: {
        answers.tokens_no_merges(): "that is the number of bytes, before any merge",
        answers.tokens_one_more_merge(): f"that is after {answers.Q3_MERGES + 1} merges",
        answers.tokens_bytes_minus_merges(): "a merge can replace a pair in several places at once: "
                                             "count the tokens after merging, do not subtract one per merge",
        answers.tokens_words(): "that is the number of words: six merges do not make whole words",
    },
    name="Q3 · tokens after six merges",
    hint_text=(f"ids = list({answers.Q3_TEXT!r}.encode('utf-8')); train {answers.Q3_MERGES} merges "
               "on these ids (your train_bpe, or the lesson's), apply them in order with merge(ids, "
               "pair, 256 + k), and count what is left: len(ids)."),
    right_answer=answers.tokens_after_merges,
    wrong_answers=[answers.tokens_no_merges, answers.tokens_one_more_merge,
                   answers.tokens_bytes_minus_merges, answers.tokens_words],
)

# ---------------------------------------------------------------------------------------------
# q4 · what byte-level BPE does
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a byte-level BPE tokenizer can encode any Unicode string without an unknown token",
    "b": "after k merges, a byte-level BPE vocabulary has 256 + k tokens",
    "c": "a common Chinese character takes 3 bytes in UTF-8, so with no merges it is 3 tokens",
    "d": "encoding applies the merges to a new text in order of how often each pair occurs in that text",
    "e": "decode(encode(s)) == s for every string s",
    "f": "with GPT-2's pre-tokenization, a merge can join the end of one word to the start of the next",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · byte-level BPE",
    hint_text=("The base vocabulary is the 256 byte values, and each merge adds one token. The "
               "merges are applied in the order they were learned, whatever the new text is. The "
               "regex splits the text into chunks first, and merges stay inside a chunk."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_frequency_order, answers.true_statements_across_words,
                   answers.true_statements_one_byte],
)
