"""L2.07's explorer: BatchNormExplorer. Its compute function against an independent training loop
with nn.BatchNorm1d read layer by layer, and what each control is meant to do (the generic sweep
over every control is tests/test_widgets.py)."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.batch_norm import (BATCH, DEPTH, PROBE, STEPS, WIDTH, BatchNormExplorer, build,
                                         common_range, histogram, task, training_run)


def test_both_networks_start_from_the_same_weights():
    plain, normed = build(False, "ReLU"), build(True, "ReLU")
    plain_linear = [m for m in plain if isinstance(m, torch.nn.Linear)]
    normed_linear = [m for m in normed if isinstance(m, torch.nn.Linear)]
    assert len(plain_linear) == len(normed_linear) == DEPTH + 1
    for a, b in zip(plain_linear, normed_linear):
        assert torch.equal(a.weight, b.weight)
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in normed) == DEPTH


def test_snapshots_match_an_independent_training_loop():
    """Re-train the BN net by hand for 20 steps and read BN's outputs in eval mode."""
    run = training_run(True, "tanh", 0.2, steps=20, every=10)
    X, y, X_probe, _ = task(0)
    model = build(True, "tanh")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    g = torch.Generator().manual_seed(0)
    for _ in range(20):
        batch = torch.randint(0, len(X), (BATCH,), generator=g)
        loss = F.cross_entropy(model(X[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    outputs, h = [], X_probe
    with torch.no_grad():
        for m in model:
            h = m(h)
            if isinstance(m, torch.nn.BatchNorm1d):
                outputs.append(h.flatten().numpy())
    assert run.steps == (0, 10, 20)
    assert len(run.pre_activations[-1]) == len(outputs) == DEPTH
    for ours, theirs in zip(run.pre_activations[-1], outputs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)   # float32, any thread count
    assert run.pre_activations[0][0].shape == (PROBE * WIDTH,)


def test_the_lesson_s_claims_hold():
    plain, normed = training_run(False, "sigmoid", 0.2), training_run(True, "sigmoid", 0.2)
    assert plain.accuracy[-1] < 0.45 and normed.accuracy[-1] > 0.7          # the plain sigmoid net is stuck
    assert np.std(plain.pre_activations[-1][-1]) < 0.5                      # narrow inputs up top
    for z in normed.pre_activations[-1]:
        assert 0.5 < np.std(z) < 2                                          # BN keeps the spread
    for a, b in zip(plain.pre_activations[0], normed.pre_activations[0]):   # step 0, eval mode: running
        np.testing.assert_allclose(b, a / np.sqrt(1 + 1e-5), rtol=1e-4, atol=1e-5)  # stats 0 and 1, BN ≈ identity


def test_histogram_and_range():
    centres, fractions = histogram(np.linspace(-1, 1, 1001), -0.5, 0.5)
    assert len(centres) == 30 and fractions.sum() == pytest.approx(1.0)    # outside values clipped in
    centres, fractions = histogram(np.array([np.nan, np.inf]), 0, 1)
    assert len(centres) == 0
    centres, fractions = histogram(np.full(5, 2.0), 2.0, 2.0)
    assert fractions.sum() == pytest.approx(1.0)
    lo, hi = common_range(np.array([0.0, 1.0]), np.array([np.nan, 2.0]))
    assert 0 <= lo < hi <= 2


def test_explorer_controls():
    training_run.cache_clear()
    start = time.perf_counter()
    w = BatchNormExplorer()
    assert time.perf_counter() - start < 10        # about 1 s here; generous for a loaded CI machine
    assert list(w.controls) == ["activation", "lr", "step"]
    assert len(w.fig.data) == 2 * DEPTH
    for trace in w.fig.data:
        assert sum(trace.y) == pytest.approx(1.0)
    assert "step 50" in w.fig.layout.title.text and "saturated" in w.status.value
    w.controls["step"].value = STEPS
    assert f"step {STEPS}" in w.fig.layout.title.text
    w.controls["activation"].value = "ReLU"
    assert "saturated" not in w.status.value and "ReLU" in w.fig.layout.title.text
    w.controls["lr"].value = 1.0
    assert "lr 1.0" in w.fig.layout.title.text
    w.controls["step"].value = 0
    assert w.fig.layout.annotations[0].text.startswith("layer 1")
    assert w.fig.layout.width <= 900
