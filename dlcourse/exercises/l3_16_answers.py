"""Answers to L3.16's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from collections import Counter

from . import computed


# q1 · replace every occurrence of a pair, left to right, by a new id
def merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)           # the pair becomes one token, and both are consumed
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def merge_overlapping(ids, pair, new_id):
    """Steps one position after a match instead of two: "a a a" with (a, a) gives two new ids."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 1
            if i == len(ids) - 1:
                i += 1
        else:
            out.append(ids[i])
            i += 1
    return out


def merge_first_only(ids, pair, new_id):
    """Replaces only the first occurrence."""
    for i in range(len(ids) - 1):
        if ids[i] == pair[0] and ids[i + 1] == pair[1]:
            return list(ids[:i]) + [new_id] + list(ids[i + 2:])
    return list(ids)


def merge_drops_last(ids, pair, new_id):
    """Loops to len(ids) − 1 to look at pairs and forgets the last id when it is not merged."""
    out, i = [], 0
    while i < len(ids) - 1:
        if ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def merge_unordered(ids, pair, new_id):
    """Also merges the reversed pair (b, a): a pair is ordered."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and {ids[i], ids[i + 1]} == set(pair) and \
                (ids[i], ids[i + 1]) in (tuple(pair), tuple(pair)[::-1]):
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


# q2 · training: count adjacent pairs, merge the most frequent, repeat
def train_bpe(ids, n_merges):
    ids, merges = list(ids), []
    for k in range(n_merges):
        counts = {}                      # filled left to right: the first pair seen comes first
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + 1
        if not counts:                   # one id left: nothing to merge
            break
        pair = max(counts, key=counts.get)   # ties: the pair that occurs first
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                out.append(256 + k)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
        merges.append(pair)
    return merges


def train_bpe_counts_once(ids, n_merges):
    """Counts the pairs once and takes the n most frequent: merges change the counts."""
    counts = Counter(zip(ids, ids[1:]))
    ranked = sorted(counts, key=counts.get, reverse=True)[:n_merges]
    return ranked


def train_bpe_least_frequent(ids, n_merges):
    """Merges the least frequent pair."""
    ids, merges = list(ids), []
    for k in range(n_merges):
        counts = Counter(zip(ids, ids[1:]))
        if not counts:
            break
        pair = min(counts, key=counts.get)
        ids = merge(ids, pair, 256 + k)
        merges.append(pair)
    return merges


def train_bpe_same_id(ids, n_merges):
    """Gives every merge the id 256, so later merges cannot tell the new tokens apart."""
    ids, merges = list(ids), []
    for _ in range(n_merges):
        counts = Counter(zip(ids, ids[1:]))
        if not counts:
            break
        pair = max(counts, key=counts.get)
        ids = merge(ids, pair, 256)
        merges.append(pair)
    return merges


def train_bpe_last_tie(ids, n_merges):
    """Breaks ties in favour of the pair seen last."""
    ids, merges = list(ids), []
    for k in range(n_merges):
        counts = Counter(zip(ids, ids[1:]))
        if not counts:
            break
        best = max(counts.values())
        pair = [p for p in counts if counts[p] == best][-1]
        ids = merge(ids, pair, 256 + k)
        merges.append(pair)
    return merges


# q3 · tokens of a string after a few merges trained on itself
Q3_TEXT = "low lower lowest newer newest wider widest"
Q3_MERGES = 6


@computed
def tokens_after_merges():
    # six merges trained on the string's own bytes, applied as they are learned: the ids left
    # at the end of training are the string encoded with those merges
    ids = list("low lower lowest newer newest wider widest".encode("utf-8"))
    for k in range(6):
        counts = {}
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + 1
        pair = max(counts, key=counts.get)
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                out.append(256 + k)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
    return len(ids)


@computed
def tokens_no_merges():
    return len("low lower lowest newer newest wider widest".encode("utf-8"))


@computed
def tokens_one_more_merge():
    # the same as tokens_after_merges with a seventh merge
    ids = list("low lower lowest newer newest wider widest".encode("utf-8"))
    for k in range(7):
        counts = Counter(zip(ids, ids[1:]))
        pair = max(counts, key=counts.get)
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                out.append(256 + k)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
    return len(ids)


@computed
def tokens_bytes_minus_merges():
    return len("low lower lowest newer newest wider widest".encode("utf-8")) - 6


@computed
def tokens_words():
    return len("low lower lowest newer newest wider widest".split())


# q4 · what byte-level BPE does
@computed
def true_statements():
    return {"a", "b", "c", "e"}


@computed
def true_statements_frequency_order():
    return {"a", "b", "c", "d", "e"}


@computed
def true_statements_across_words():
    return {"a", "b", "c", "e", "f"}


@computed
def true_statements_one_byte():
    return {"a", "b", "e"}
