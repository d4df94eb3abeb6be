"""L3.18's explorer: RetrievalExplorer, and the sparse scorers it shows. BM25 against a plain loop
over documents and terms, TF-IDF against scikit-learn, the shown ranking and per-term bars against
those scores (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse.widgets.retrieval import (BM25, LINKS, RELATIONS, RetrievalExplorer, TfIdf, knowledge_base, mrr, ranking,
                                        recall_at_k, tokenize)


def bm25_loop(query, docs, k1=1.5, b=0.75):
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    out = []
    for d in docs:
        s = 0.0
        for t in query:
            df = sum(t in o for o in docs)
            f = d.count(t)
            s += math.log(1 + (n - df + 0.5) / (df + 0.5)) * f * (k1 + 1) / (f + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return np.array(out)


KB = knowledge_base(20, seed=3)
DOCS = [tokenize(p) for p in KB.passages]


def test_knowledge_base_questions_point_at_their_passage():
    assert len(KB.passages) == 20 * (len(RELATIONS) + len(LINKS)) and len(KB.questions) == 2 * len(RELATIONS) * 20
    for q, i, a in KB.questions:
        assert a in KB.passages[i]
        town, relation, value = KB.facts[i]
        assert town in q and value == a and KB.value(town, relation) == a and relation in RELATIONS
    assert knowledge_base(20, seed=3).passages == KB.passages        # reproducible


def test_bm25_and_tfidf_match_their_references():
    bm = BM25(DOCS, k1=1.2, b=0.6)
    for q, _, _ in KB.questions[:15] + [("salt salt river of the", 0, "")]:
        np.testing.assert_allclose(bm.scores(tokenize(q)), bm25_loop(tokenize(q), DOCS, 1.2, 0.6), atol=1e-12)
    sklearn = pytest.importorskip("sklearn.feature_extraction.text")
    ref = sklearn.TfidfVectorizer().fit(KB.passages)
    tf = TfIdf(DOCS)
    cols = [ref.vocabulary_[t] for t in sorted(tf.vocab, key=tf.vocab.get)]
    np.testing.assert_allclose(tf.matrix, ref.transform(KB.passages).toarray()[:, cols], atol=1e-12)
    q = KB.questions[5][0]
    np.testing.assert_allclose(tf.scores(tokenize(q)),
                               (ref.transform(KB.passages) @ ref.transform([q]).T).toarray()[:, 0], atol=1e-12)


def test_metrics():
    ranked = [[3, 1, 2], [0, 2, 1], [5, 6, 7]]
    assert recall_at_k(ranked, [1, 0, 9], 1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, [1, 0, 9], 2) == pytest.approx(2 / 3)
    assert mrr(ranked, [1, 0, 9]) == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert list(ranking([1.0, 3.0, 3.0, 0.5])) == [1, 2, 0, 3]        # ties: lower index first


def test_explorer_ranks_and_splits_scores_like_the_scorer():
    w = RetrievalExplorer(KB.passages, query=KB.questions[0][0])
    assert list(w.controls) == ["query", "method", "k"]
    for method, scorer in [("BM25", BM25(DOCS)), ("TF-IDF", TfIdf(DOCS))]:
        w.controls["method"].value = method
        for q, gold, _ in KB.questions[:8:3]:
            w.controls["query"].value = q
            for k in (1, 4, 10):
                w.controls["k"].value = k
                expected = scorer.scores(tokenize(q))
                assert w.top == list(ranking(expected)[:k])
                np.testing.assert_allclose(w.scores, expected, atol=1e-12)
                bars = np.array([trace.x for trace in w.fig.data])              # (terms, k)
                np.testing.assert_allclose(bars.sum(0), expected[w.top], atol=1e-12)
                assert [t.name for t in w.fig.data] == w.terms
                assert all(label.startswith(f"{r + 1}. ") for r, label in enumerate(w.fig.data[0].y))
            assert gold in w.top or k < 10
    assert w.fig.layout.width <= 900


def test_explorer_no_known_term_and_dense():
    w = RetrievalExplorer(KB.passages, query="zzz qqq")
    assert w.terms == [] and np.all(w.scores == 0) and "No query term" in w.status.value
    vectors = np.eye(len(KB.passages))

    def encode(texts):                       # a toy encoder: the query picks passage 7
        return np.eye(len(KB.passages))[[7] * len(texts)]

    w = RetrievalExplorer(KB.passages, query="anything", method="dense", dense=(encode, vectors), k=3)
    assert w.top[0] == 7 and w.scores[7] == 1 and w.terms == ["cosine"]
    with pytest.raises(ValueError, match="method"):
        RetrievalExplorer(KB.passages, method="dense")


def test_default_demo_finds_the_answer_passage():
    w = RetrievalExplorer()
    kb = knowledge_base(40, seed=0)
    q, gold, _ = kb.questions[2]
    assert w.controls["query"].value == q and w.top[0] == gold
