"""Exercises of L3.18 · Prompting, RAG & agents (提示工程、RAG 与智能体).

    from dlcourse.exercises import l3_18 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import random

from . import l3_18_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · bm25_scores(query, docs, k1, b)
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    rng = random.Random(18)
    words = ["river", "town", "salt", "mayor", "the", "of", "kalo", "venmir", "founded", "in"]
    cases = {
        "a term in every document (a common word)": (["the", "salt"], [["the", "salt"], ["the", "town"],
                                                                        ["the", "the", "mayor"]], 1.5, 0.75),
        "a query term repeated": (["salt", "salt", "town"], [["salt", "town", "of"], ["town"], ["of", "the"]],
                                  1.2, 0.75),
        "a term in no document": (["amber"], [["salt"], ["town", "of"]], 1.5, 0.75),
        "documents of very different lengths": (["river"], [["river"], ["river"] + ["of"] * 12, ["town"]],
                                                1.5, 0.75),
        "b = 0 (no length normalization)": (["river", "town"], [["river", "river", "of"], ["town", "the"]],
                                           2.0, 0.0),
    }
    for j in range(6):
        docs = [[rng.choice(words) for _ in range(rng.randint(1, 12))] for _ in range(rng.randint(3, 8))]
        query = [rng.choice(words) for _ in range(rng.randint(1, 4))]
        cases[f"random corpus {j + 1}"] = (query, docs, rng.choice([0.9, 1.2, 1.5, 2.0]),
                                           rng.choice([0.5, 0.75, 1.0]))
    return cases


q1 = write_function(
    "bm25_scores(query, docs, k1, b)", answers.bm25_scores, _q1_cases,
    name="Q1 · BM25 scores",
    hint_text=("N = len(docs), avgdl = the mean document length. For each document d, sum over the "
               "query's terms t: idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · len(d) / avgdl)), with "
               "tf = d.count(t), df = the number of documents containing t and "
               "idf = math.log(1 + (N − df + 0.5) / (df + 0.5)). Return one score per document."),
    right_answer=answers.bm25_scores,
    mistakes=[
        (answers.bm25_scores_raw_idf, "the idf is ln(1 + (N − df + 0.5) / (df + 0.5)): without the 1 + it "
                                      "goes negative for a term in more than half of the documents"),
        (answers.bm25_scores_no_length, "the denominator is tf + k1·(1 − b + b·|d| / avgdl): a long "
                                        "document's term frequency counts for less"),
        (answers.bm25_scores_linear_tf, "BM25 saturates the term frequency: tf·(k1 + 1) / (tf + k1·(…)), "
                                        "not tf itself"),
        (answers.bm25_scores_unique_terms, "sum over the query's terms as given: a term that appears twice "
                                           "in the query adds its part twice"),
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · top_k_cosine(queries, passages, k)
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(181)
    cases = {}
    for j, (nq, npass, dim, k) in enumerate([(3, 10, 8, 3), (5, 40, 16, 5), (1, 7, 4, 7), (4, 25, 32, 1)]):
        q = torch.randn(nq, dim, generator=g)
        p = torch.randn(npass, dim, generator=g) * torch.rand(npass, 1, generator=g).mul(5).add(0.2)
        cases[f"{nq} queries, {npass} passages of dimension {dim} and mixed lengths, k = {k}"] = (q, p, k)
    return cases


q2 = write_function(
    "top_k_cosine(queries, passages, k)", answers.top_k_cosine, _q2_cases,
    name="Q2 · cosine top-k retrieval",
    hint_text=("Divide each row of queries and of passages by its length (x.norm(dim=1, keepdim=True)), "
               "multiply queries by the transposed passages to get a (queries, passages) table of "
               "cosines, and take .topk(k, dim=1).indices: a (queries, k) tensor, best first."),
    right_answer=answers.top_k_cosine,
    wrong_answers=[answers.top_k_dot, answers.top_k_smallest, answers.top_k_euclidean_raw],
)


# ---------------------------------------------------------------------------------------------
# q3 · mean reciprocal rank
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.mrr, what="the MRR", rtol=1e-3,
    mistakes=lambda: {
        answers.mrr_without_missing(): "the query whose passage is missing counts too, with 1/rank = 0",
        answers.mean_rank(): "that is the mean rank; MRR averages 1/rank",
        answers.recall_at_3(): "that is recall@3",
    },
    name="Q3 · mean reciprocal rank",
    hint_text="Average 1/rank over all five queries; a query whose passage is not retrieved adds 0.",
    right_answer=answers.mrr,
    wrong_answers=[answers.mrr_without_missing, answers.mean_rank, answers.recall_at_3],
)


# ---------------------------------------------------------------------------------------------
# q4 · what retrieval, tools and search change
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "RAG updates what a system knows by changing its index, without retraining the generator",
    "b": "retrieval changes the generator's weights at query time",
    "c": "a tool-calling loop puts each tool's result into the context before the model's next step",
    "d": "BM25 finds a Chinese passage for an English query about as well as a trained cross-lingual dense encoder",
    "e": "tree of thoughts keeps several partial solutions and uses an evaluator to choose which to extend",
    "f": "recall@k can go down when k grows",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · retrieval, tools and search",
    hint_text=("Retrieval only changes the prompt. BM25 scores shared words: how many words do an "
               "English query and a Chinese passage share? Recall@k counts a hit in the first k, and "
               "the first k + 1 contain the first k."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_weights, answers.true_statements_exact,
                   answers.true_statements_no_tools],
)
