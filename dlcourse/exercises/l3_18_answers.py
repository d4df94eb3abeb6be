"""Answers to L3.18's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

from . import computed


# q1 · Okapi BM25 scores of every document for a query
def bm25_scores(query, docs, k1=1.5, b=0.75):
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    scores = []
    for d in docs:
        score = 0.0
        for term in query:                       # a repeated query term counts each time
            df = sum(term in other for other in docs)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = d.count(term)
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        scores.append(score)
    return scores


def bm25_scores_raw_idf(query, docs, k1=1.5, b=0.75):
    """The idf without the 1 +: ln((N − df + 0.5) / (df + 0.5)) turns negative for common terms."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        s = 0.0
        for term in query:
            df = sum(term in o for o in docs)
            tf = d.count(term)
            s += math.log((n - df + 0.5) / (df + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


def bm25_scores_no_length(query, docs, k1=1.5, b=0.75):
    """Forgets the length normalization: as if b were 0."""
    return bm25_scores(query, docs, k1, 0.0)


def bm25_scores_linear_tf(query, docs, k1=1.5, b=0.75):
    """No saturation: idf × tf, as TF-IDF."""
    n = len(docs)
    return [sum(math.log(1 + (n - sum(t in o for o in docs) + 0.5) / (sum(t in o for o in docs) + 0.5))
                * d.count(t) for t in query) for d in docs]


def bm25_scores_unique_terms(query, docs, k1=1.5, b=0.75):
    """Counts a repeated query term once."""
    return bm25_scores(list(dict.fromkeys(query)), docs, k1, b)


# q2 · the k passages most cosine-similar to each query
def top_k_cosine(queries, passages, k):
    q = queries / queries.norm(dim=1, keepdim=True)
    p = passages / passages.norm(dim=1, keepdim=True)
    return (q @ p.T).topk(k, dim=1).indices


def top_k_dot(queries, passages, k):
    """Dot products without normalizing: long passage vectors win."""
    return (queries @ passages.T).topk(k, dim=1).indices


def top_k_smallest(queries, passages, k):
    """The least similar passages."""
    q = queries / queries.norm(dim=1, keepdim=True)
    p = passages / passages.norm(dim=1, keepdim=True)
    return (q @ p.T).topk(k, dim=1, largest=False).indices


def top_k_euclidean_raw(queries, passages, k):
    """Nearest by Euclidean distance of the raw vectors: equals cosine only for unit vectors."""
    import torch
    return (-torch.cdist(queries, passages)).topk(k, dim=1).indices


# q3 · mean reciprocal rank
Q3_RANKS = [2, 1, 7, None, 3]     # rank of the relevant passage in each query's top 10; None: absent


@computed
def mrr():
    return sum(1 / r for r in [2, 1, 7, None, 3] if r is not None) / 5


@computed
def mrr_without_missing():
    return sum(1 / r for r in [2, 1, 7, 3]) / 4


@computed
def mean_rank():
    return (2 + 1 + 7 + 3) / 4


@computed
def recall_at_3():
    return 3 / 5


# q4 · what retrieval, tools and search change
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_weights():
    return {"a", "b", "c", "e"}


@computed
def true_statements_exact():
    return {"a", "c", "d", "e"}


@computed
def true_statements_no_tools():
    return {"a", "c"}
