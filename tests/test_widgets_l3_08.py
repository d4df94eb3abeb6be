"""L3.08's explorer: BeamExplorer. What it shows (the tree's nodes and edges, the table) against
seq2seq.beam_search run directly, k = 1 against greedy decoding, and a bad date reported, not
raised (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse import seq2seq
from dlcourse.widgets.beam_search import BeamExplorer


@pytest.fixture(scope="module")
def model():
    """A small date model trained for 120 steps: it has learned the shape of a date and to end
    with </s>, not yet which date, so its beams hold several different hypotheses."""
    sources, targets, sv, tv = seq2seq.date_data(500, seed=3)
    torch.manual_seed(0)
    m = seq2seq.Seq2Seq(len(sv), len(tv), emb=8, hidden=16)
    seq2seq.fit(m, sv.batch(sources), tv.batch(targets), 120, batch=32, lr=1e-2)
    return m.eval(), sv, tv


def direct(model, text, k, alpha):
    m, sv, tv = model
    state, step = seq2seq.model_step(m, sv.batch([text])[0])
    trace = []
    finished = seq2seq.beam_search(step, state, k, 12, alpha=alpha, trace=trace)
    return trace, finished


@pytest.mark.parametrize("text, k, alpha", [("3 June 1998", 3, 1.0), ("6/3/1998", 5, 0.5),
                                             ("Wed 3 Jun 1998", 2, 0.0)])
def test_table_and_tree_are_beam_search(model, text, k, alpha):
    ex = BeamExplorer(*model, text=text, k=k, alpha=alpha)
    trace, finished = direct(model, text, k, alpha)
    _, _, tv = model
    rows = list(ex.fig.data[3].cells.values)
    assert rows[0] == [tv.decode(t) for t, _, _ in finished]
    assert rows[1] == [f"{s:.3f}" for _, s, _ in finished]
    assert rows[2] == [f"{n:.3f}" for _, _, n in finished]
    assert len(finished) == k
    # one node per kept hypothesis, at (step, rank); one edge per node after the first step
    nodes = ex.fig.data[2]
    assert len(nodes.x) == sum(len(kept) for kept in trace)
    assert list(nodes.x) == [t for t, kept in enumerate(trace, 1) for _ in kept]
    assert len(ex.fig.data[0].x) == 3 * (len(nodes.x) - len(trace[0]))
    # the thick path ends at the best hypothesis and follows its parents back to step 1
    bx, by = list(ex.fig.data[1].x), list(ex.fig.data[1].y)
    t, rank = bx[0], by[0]
    seq, score, _, done = trace[t - 1][rank]
    assert (seq[:-1] if done else seq) == finished[0][0] and score == pytest.approx(finished[0][1])
    assert bx == list(range(len(seq), 0, -1))                       # one node per token, back to step 1
    for (t1, r1), (t0, r0) in zip(zip(bx, by), zip(bx[1:], by[1:])):
        assert trace[t1 - 1][r1][2] == r0                            # each node's parent is the next one
    assert any(done for kept in trace for *_, done in kept)          # some hypotheses ended with </s>


def test_steps_shown_and_partial_table(model):
    ex = BeamExplorer(*model, text="3 June 1998", k=3, step=2)
    trace, _ = direct(model, "3 June 1998", 3, 1.0)
    assert list(ex.fig.data[2].x) == [1] * len(trace[0]) + [2] * len(trace[1])
    scores = [float(s) for s in ex.fig.data[3].cells.values[1]]
    assert scores == [pytest.approx(s, abs=1e-3) for _, s, _, _ in trace[1]]
    assert scores == sorted(scores, reverse=True)                   # topk keeps them sorted
    assert list(ex.fig.data[1].x) == []                              # no best path before the end
    assert "Step 2 of" in ex.status.value


def test_beam_one_is_greedy(model):
    m, sv, tv = model
    texts = ["3 June 1998", "1998年6月3日", "03 JUN 1998", "june 3 '98"]
    greedy = seq2seq.greedy(m, sv.batch(texts), 12)
    ex = BeamExplorer(*model, text=texts[0], k=1)
    for text, g in zip(texts, greedy):
        ex.controls["text"].value = text
        assert ex.fig.data[3].cells.values[0] == (tv.decode(g),)  or \
            list(ex.fig.data[3].cells.values[0]) == [tv.decode(g)]
        assert set(np.asarray(ex.fig.data[2].y).tolist()) == {0}    # one path: rank 0 throughout


def test_unknown_character_is_reported(model):
    ex = BeamExplorer(*model, text="3 June 1998")
    ex.controls["text"].value = "3 Juné 1998"
    assert "⚠" in ex.status.value and "é" in ex.status.value
    assert len(ex.fig.data[2].x) == 0


def test_fits_900_px(model):
    assert BeamExplorer(*model).fig.layout.width <= 900
