"""L3.18's explorer, RetrievalExplorer, and the sparse retrieval it shows.

- `knowledge_base(n, seed)`: a synthetic knowledge base of made-up towns, one passage per fact, and
  questions whose answer passage is known (so recall@k can be measured offline).
- `tokenize`: lower-cased words of two or more characters, scikit-learn's default token pattern.
- `BM25`: Okapi BM25 scores of every passage for a query, and each query term's share of them.
- `RetrievalExplorer`: type a query, pick BM25 or TF-IDF (or a dense encoder passed in), read the
  top-k passages with their scores split into per-term contributions.

The lesson writes BM25 and TF-IDF itself and checks them against a loop and scikit-learn; this
module is what the explorer and the tool-calling loop reuse.
"""
from __future__ import annotations

import html
import random
import re
from collections import Counter
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure

TOKEN = re.compile(r"(?u)\b\w\w+\b")   # TfidfVectorizer's default token_pattern


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


# ------------------------------------------------------------------------------------------------
# The synthetic knowledge base
# ------------------------------------------------------------------------------------------------
SYLLABLES = ["ka", "lo", "mir", "ven", "tor", "sa", "bel", "quo", "rin", "dra", "fen", "ul", "zar",
             "pe", "nim", "gos", "tha", "vel", "cor", "yun", "bri", "od", "hal", "spe"]
KINGDOMS = ["Arvania", "Belmora", "Corvale", "Dunmark", "Esteria", "Falkreth", "Galdor", "Hyronia"]
RIVERS = ["Ulda", "Serrin", "Maro", "Teveth", "Oskel", "Piran", "Quiller", "Rhune", "Vashti", "Wend"]
GOODS = ["copper", "wool", "salt", "amber", "timber", "glass", "silk", "honey", "tin", "pottery"]

# relation: (passage template, question templates); {e} the town, {v} the answer
RELATIONS = {
    "kingdom": ("{e} is a town in the kingdom of {v}.",
                ["In which kingdom is {e}?", "Which country does {e} belong to?"]),
    "founded": ("{e} was founded in {v} by settlers from the coast.",
                ["When was {e} founded?", "In what year was {e} established?"]),
    "population": ("The population of {e} is {v} people.",
                   ["What is the population of {e}?", "How many people live in {e}?"]),
    "river": ("{e} lies on the banks of the river {v}.",
              ["Which river flows through {e}?", "On the banks of which river does {e} lie?"]),
    "mayor": ("The mayor of {e} is {v}.",
              ["Who is the mayor of {e}?", "Who governs {e}?"]),
    "export": ("{e} is known for exporting {v}.",
               ["What does {e} export?", "What trade is {e} famous for?"]),
}


# passages that name two towns and answer no question: a town's name alone does not find its facts
LINKS = ["{e} signed a trade treaty with {o} long ago.", "Pilgrims from {e} walk to {o} every spring.",
         "The old road from {e} ends in {o}."]


@dataclass
class KnowledgeBase:
    passages: list[str]           # one fact each
    facts: list[tuple[str, str, str]]   # (town, relation, value) of each passage; relation "link"
                                        # for a passage naming a second town (its value)
    questions: list[tuple[str, int, str]]   # (question, index of its answer passage, answer)
    towns: list[str]

    def value(self, town: str, relation: str) -> str | None:
        for t, r, v in self.facts:
            if t == town and r == relation:
                return v
        return None


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def knowledge_base(n_towns: int = 60, seed: int = 0) -> KnowledgeBase:
    """n_towns made-up towns with six facts each (one passage per fact) and two questions per fact:
    one that shares the passage's words, one paraphrased; and three passages per town naming
    another town, which answer no question (distractors)."""
    rng = random.Random(seed)
    towns, mayors = [], []
    while len(towns) < n_towns:
        name = _name(rng, rng.choice([2, 3]))
        if name not in towns and len(name) > 3:
            towns.append(name)
    while len(mayors) < n_towns:
        name = _name(rng, 2)
        if name not in towns and name not in mayors:
            mayors.append(name)
    passages, facts, questions = [], [], []
    for town, mayor in zip(towns, mayors):
        values = {"kingdom": rng.choice(KINGDOMS), "founded": str(rng.randint(1100, 1899)),
                  "population": str(rng.randint(300, 99_000)), "river": rng.choice(RIVERS),
                  "mayor": mayor, "export": rng.choice(GOODS)}
        for relation, (passage, asks) in RELATIONS.items():
            index = len(passages)
            passages.append(passage.format(e=town, v=values[relation]))
            facts.append((town, relation, values[relation]))
            questions += [(q.format(e=town), index, values[relation]) for q in asks]
        for link in LINKS:
            other = rng.choice([t for t in towns if t != town])
            passages.append(link.format(e=town, o=other))
            facts.append((town, "link", other))
    order = list(range(len(passages)))      # shuffle, so a town's passages are not neighbours
    rng.shuffle(order)
    new = {old: i for i, old in enumerate(order)}
    passages = [passages[i] for i in order]
    facts = [facts[i] for i in order]
    questions = [(q, new[i], a) for q, i, a in questions]
    return KnowledgeBase(passages, facts, questions, towns)


# ------------------------------------------------------------------------------------------------
# BM25 and TF-IDF over tokenized passages
# ------------------------------------------------------------------------------------------------
class BM25:
    """Okapi BM25 (Robertson & Zaragoza 2009) with idf = ln(1 + (N − df + 0.5) / (df + 0.5))."""

    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d}))}
        self.n_docs = len(docs)
        self.tf = np.zeros((len(docs), len(self.vocab)))
        for i, d in enumerate(docs):
            for t, c in Counter(d).items():
                self.tf[i, self.vocab[t]] = c
        self.lengths = self.tf.sum(1)
        self.avgdl = self.lengths.mean() if len(docs) else 0.0
        df = (self.tf > 0).sum(0)
        self.idf = np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def contributions(self, query: list[str]) -> tuple[list[str], np.ndarray]:
        """The distinct known query terms and a (docs, terms) array: each term's part of each score
        (a term repeated in the query counts once per repetition)."""
        counts = Counter(t for t in query if t in self.vocab)
        terms = list(counts)
        cols = [self.vocab[t] for t in terms]
        tf = self.tf[:, cols]
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.avgdl)
        part = self.idf[cols] * tf * (self.k1 + 1) / (tf + norm[:, None])
        return terms, part * np.array([counts[t] for t in terms])

    def scores(self, query: list[str]) -> np.ndarray:
        return self.contributions(query)[1].sum(1)


class TfIdf:
    """TF-IDF vectors as scikit-learn's TfidfVectorizer makes them by default (smoothed idf,
    ln((1 + N) / (1 + df)) + 1, rows scaled to unit length); the score is the cosine."""

    def __init__(self, docs: list[list[str]]):
        self.bm = BM25(docs)            # reuse its vocabulary and counts
        self.vocab = self.bm.vocab
        df = (self.bm.tf > 0).sum(0)
        self.idf = np.log((1 + len(docs)) / (1 + df)) + 1
        x = self.bm.tf * self.idf
        self.matrix = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)

    def query_vector(self, query: list[str]) -> np.ndarray:
        q = np.zeros(len(self.vocab))
        for t in query:
            if t in self.vocab:
                q[self.vocab[t]] += 1
        q *= self.idf
        return q / max(np.linalg.norm(q), 1e-12)

    def contributions(self, query: list[str]) -> tuple[list[str], np.ndarray]:
        q = self.query_vector(query)
        terms = list(dict.fromkeys(t for t in query if t in self.vocab))
        cols = [self.vocab[t] for t in terms]
        return terms, self.matrix[:, cols] * q[cols]

    def scores(self, query: list[str]) -> np.ndarray:
        return self.matrix @ self.query_vector(query)


def ranking(scores: np.ndarray) -> np.ndarray:
    """Indices from best to worst score; ties keep the lower index first."""
    return np.argsort(-np.asarray(scores), kind="stable")


def recall_at_k(ranked: list, relevant: list, k: int) -> float:
    """Share of queries whose relevant item is among the first k of its ranking."""
    return float(np.mean([rel in list(r[:k]) for r, rel in zip(ranked, relevant)]))


def mrr(ranked: list, relevant: list) -> float:
    """Mean reciprocal rank of the relevant item (0 when it is not ranked at all)."""
    out = []
    for r, rel in zip(ranked, relevant):
        r = list(r)
        out.append(1 / (r.index(rel) + 1) if rel in r else 0.0)
    return float(np.mean(out))


# ------------------------------------------------------------------------------------------------
# The explorer
# ------------------------------------------------------------------------------------------------
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


class RetrievalExplorer(Explorer):
    """Top-k passages for a typed query, their scores split into each query term's contribution.

    `passages` defaults to a small synthetic knowledge base. `dense`, optional, is a pair
    (encode_queries, passage_vectors): a function mapping a list of query texts to unit-length
    vectors and the passages' unit-length vectors (rows). It adds a "dense" method whose score,
    the cosine, has no per-term split and is drawn as one bar. Controls: `query`, `method`, `k`.
    """

    def __init__(self, passages: list[str] | None = None, query: str = "When was Kalomir founded?",
                 method: str = "BM25", k: int = 5, dense=None):
        if passages is None:
            kb = knowledge_base(40, seed=0)
            passages = kb.passages
            if query == "When was Kalomir founded?":
                query = kb.questions[2][0]
        self.passages = list(passages)
        docs = [tokenize(p) for p in self.passages]
        self.scorers = {"BM25": BM25(docs), "TF-IDF": TfIdf(docs)}
        self.dense = dense
        if dense is not None:
            self.encode_queries, vectors = dense
            self.passage_vectors = np.asarray(vectors, dtype=float)
            if self.passage_vectors.shape[0] != len(self.passages):
                raise ValueError(f"{self.passage_vectors.shape[0]} passage vectors for {len(self.passages)} passages")
        if method not in self.methods:
            raise ValueError(f"method must be one of {self.methods}, got {method!r}")
        self.top: list[int] = []           # indices of the shown passages, best first
        self.scores = np.zeros(len(self.passages))
        self.terms: list[str] = []
        self.controls = {
            "query": widgets.Text(value=query, description="Query", continuous_update=False,
                                  style={"description_width": "60px"}, layout=widgets.Layout(width="520px")),
            "method": widgets.ToggleButtons(options=self.methods, value=method, description="Scorer",
                                            style={"description_width": "50px", "button_width": "70px"}),
            "k": widgets.IntSlider(value=k, min=1, max=10, description="top k", continuous_update=False,
                                   style={"description_width": "50px"}, layout=widgets.Layout(width="260px")),
        }
        self.fig = figure(height=360, barmode="stack", margin=dict(l=330, r=30, t=60, b=50),
                          legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
        self.fig.update_xaxes(title_text="score (sum of the query terms' contributions)")
        self.fig.update_yaxes(autorange="reversed")
        super().__init__()

    @property
    def methods(self) -> list[str]:
        return ["BM25", "TF-IDF"] + (["dense"] if self.dense is not None else [])

    def score(self, query: str, method: str) -> tuple[list[str], np.ndarray]:
        if method == "dense":
            q = np.asarray(self.encode_queries([query]), dtype=float)[0]
            return ["cosine"], (self.passage_vectors @ q)[:, None]
        return self.scorers[method].contributions(tokenize(query))

    def update(self) -> None:
        v = self.values
        terms, parts = self.score(v["query"], v["method"])
        self.terms = terms
        self.scores = parts.sum(1) if parts.size else np.zeros(len(self.passages))
        self.top = [int(i) for i in ranking(self.scores)[:int(v["k"])]]
        labels = [f"{r + 1}. {_short(self.passages[i])}" for r, i in enumerate(self.top)]
        with self.fig.batch_update():
            self.fig.data = []
            for j, term in enumerate(terms):
                self.fig.add_bar(y=labels, x=[float(parts[i, j]) for i in self.top], orientation="h",
                                 name=term, marker_color=PALETTE[j % len(PALETTE)],
                                 hovertemplate=f"{html.escape(term)}: %{{x:.3f}}<extra></extra>")
            if not terms:
                self.fig.add_bar(y=labels, x=[0.0] * len(labels), orientation="h", name="no known term")
            self.fig.layout.title.text = (f"{v['method']}: the top {len(self.top)} of {len(self.passages)} passages"
                                          f"<br><sup>query terms in the index: {', '.join(terms) or 'none'}</sup>")
        best = self.top[0] if self.top else None
        self.status.value = ("No query term occurs in any passage: every score is 0." if not terms
                             else f"Best: <b>{html.escape(self.passages[best])}</b> "
                                  f"(score {self.scores[best]:.3f})")


def _short(text: str, n: int = 46) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


GALLERY = {"RetrievalExplorer": RetrievalExplorer}
