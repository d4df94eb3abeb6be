"""L3.03's explorer: AllReduceExplorer and its compute function ring_trace. The trace against a
simulation with real tensors, the final state and the bytes of the 2(N − 1)/N argument, and what
each control does (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import pytest
import torch

from dlcourse.exercises.l3_03_answers import ring_allreduce
from dlcourse.widgets.allreduce import AllReduceExplorer, naive_bytes, ring_trace


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8])
def test_final_state_is_the_sum_everywhere_and_bytes_match(n):
    states = ring_trace(n, size=120.0)
    assert len(states) == 2 * (n - 1) + 1
    final = states[-1]
    assert all(c == frozenset(range(n)) for row in final.holds for c in row)
    assert final.bytes_sent == pytest.approx([2 * (n - 1) / n * 120.0] * n)
    if n > 1:   # after reduce-scatter, worker w holds exactly chunk (w + 1) mod n complete
        middle = states[n - 1]
        assert middle.phase == "reduce-scatter"
        for w, row in enumerate(middle.holds):
            assert [c for c in range(n) if row[c] == frozenset(range(n))] == [(w + 1) % n]


@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_trace_agrees_with_a_tensor_simulation(n):
    """Run the ring on one-hot 'gradients' (worker w's tensor is 1 at position w of each chunk)
    step by step; the nonzero positions of each chunk are the contributors the trace lists."""
    inputs = [torch.zeros(n * n, dtype=torch.float64) for _ in range(n)]
    for w in range(n):
        inputs[w][w::n] = 2.0 ** w                       # position w of every chunk of length n
    states = ring_trace(n)
    chunks = [list(t.clone().tensor_split(n)) for t in inputs]
    for k, state in enumerate(states[1:], start=1):      # replay each step's sends on tensors
        outgoing = [chunks[w][c].clone() for w, _, c in state.sends]
        for (w, right, c), value in zip(state.sends, outgoing):
            if state.phase == "reduce-scatter":
                chunks[right][c] += value
            else:
                chunks[right][c] = value
        for w in range(n):
            for c in range(n):
                got = {i for i in range(n) if chunks[w][c][i] != 0}
                assert got == set(state.holds[w][c]), (k, w, c)
    assert all(torch.equal(torch.cat(chunks[w]), ring_allreduce(inputs)[w]) for w in range(n))


def test_naive_bytes():
    assert naive_bytes(4, 10.0) == (30.0, 10.0) and naive_bytes(1, 10.0) == (0.0, 0.0)


def test_explorer_controls():
    w = AllReduceExplorer()
    assert list(w.controls) == ["workers", "step", "size_mb"]
    assert w.fig.layout.width <= 900
    assert w.controls["step"].max == 6 and "step 0 of 6" in w.fig.layout.title.text
    heat, received, bars, ring_line, naive_line = w.fig.data
    assert [list(r) for r in heat.text] == [[str(i)] * 4 for i in range(4)] and len(received.x) == 0
    w.controls["step"].value = 6
    assert all(t == "Σ" for row in w.fig.data[0].text for t in row)
    assert list(w.fig.data[2].x) == pytest.approx([150.0] * 4)           # 2 · 3/4 · 100 MB
    assert list(w.fig.data[3].x) == pytest.approx([150.0, 150.0]) and w.fig.data[4].x[0] == 300.0
    assert "Done" in w.status.value
    w.controls["workers"].value = 8                                          # step stays 6 of 14
    assert w.controls["step"].max == 14 and "step 6 of 14" in w.fig.layout.title.text
    assert "all-gather" not in w.fig.layout.title.text
    w.controls["size_mb"].value = 1000
    assert list(w.fig.data[2].x) == pytest.approx([6 * 125.0] * 8)         # 6 chunks of 1000/8 sent
    w.controls["workers"].value = 2                                          # the step is clamped
    assert w.controls["step"].value == 2 and "step 2 of 2" in w.fig.layout.title.text
    assert list(w.fig.data[2].x) == pytest.approx([1000.0, 1000.0])
