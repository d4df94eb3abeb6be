"""L2.02's RegularizationExplorer: its runs against PyTorch's own regularizers, the effects each
regularizer must show, and what the figure says. (The control sweep of every widget is in
test_widgets.py.)"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse.widgets.regularization import (KINDS, NEAR_ZERO, STRENGTHS, RegularizationExplorer,
                                             digits_sweep, train_one)


@pytest.fixture(scope="module")
def sweep():
    return digits_sweep()


@pytest.fixture(scope="module")
def data():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(120, 12, generator=g)
    y = (X[:, :10].argmax(1))                                  # 10 classes, learnable
    return X[:80], y[:80], X[80:], y[80:]


def test_l2_is_weight_decay_on_the_weights_only(data):
    """train_one's L2 run equals a run whose loss carries (λ/2)·Σ‖W‖², biases unpenalized."""
    X, y, Xt, yt = data
    lam, steps = 0.05, 25
    model, *_ = train_one(X, y, Xt, yt, "L2", lam, hidden=16, steps=steps, lr=0.1, seed=3)
    reference, *_ = train_one(X, y, Xt, yt, "L2", 0.0, hidden=16, steps=0, lr=0.1, seed=3)
    weights = [reference[1].weight, reference[4].weight]
    opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    reference.train()
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(reference(X), y)
        loss = loss + lam / 2 * sum((w ** 2).sum() for w in weights)
        opt.zero_grad()
        loss.backward()
        opt.step()
    for a, b in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_l1_soft_threshold_gives_exact_zeros_and_l2_does_not(data):
    X, y, Xt, yt = data
    l1, *_ = train_one(X, y, Xt, yt, "L1", 0.05, hidden=16, steps=60, seed=0)
    l2, *_ = train_one(X, y, Xt, yt, "L2", 0.05, hidden=16, steps=60, seed=0)
    print("exact zeros of 192 first-layer weights:", int((l1[1].weight == 0).sum()))
    assert (l1[1].weight == 0).sum() >= 10
    assert (l2[1].weight == 0).sum() == 0


def test_dropout_run_uses_nn_dropout_in_training_only(data):
    X, y, Xt, yt = data
    model, train_acc, test_acc = train_one(X, y, Xt, yt, "dropout", 0.5, hidden=16, steps=5)
    assert [m.p for m in model if isinstance(m, torch.nn.Dropout)] == [0.5, 0.5]
    assert not model.training                                 # measured in eval mode
    with torch.no_grad():
        again = (model(X).argmax(1) == y).float().mean().item()
    assert again == train_acc and 0 <= test_acc <= 1
    with pytest.raises(ValueError, match="kind"):
        train_one(X, y, Xt, yt, "L3", 0.1)


def test_sweep_shares_the_unregularized_run_and_shows_each_effect(sweep):
    assert set(sweep.runs) == {(k, i) for k in KINDS for i in range(len(STRENGTHS[k]))}
    base = sweep.runs["L2", 0]
    for kind in ("L1", "dropout"):
        same = sweep.runs[kind, 0]
        assert same[:2] == base[:2] and np.array_equal(same.counts, base.counts)
    assert base.train_accuracy == 1.0 and base.gap > 0.03           # 200 digits: memorized
    for kind in KINDS:                                              # pushed hard, each underfits
        strongest = sweep.runs[kind, len(STRENGTHS[kind]) - 1]
        assert strongest.train_accuracy < base.train_accuracy
    l1 = [sweep.runs["L1", i].near_zero for i in range(len(STRENGTHS["L1"]))]
    assert l1[-1] > 0.5 > l1[0] and l1 == sorted(l1)                # L1 makes weights vanish
    assert all(int(run.counts.sum()) == 64 * 64 for run in sweep.runs.values())
    assert len(sweep.edges) == len(base.counts) + 1


def test_explorer_draws_the_chosen_run(sweep):
    w = RegularizationExplorer(sweep, kind="L2", strength=0)
    train, test, chosen, grey, green = w.fig.data
    assert list(train.x) == ["none", "1e-3", "3e-3", "1e-2", "3e-2", "6e-2", "1e-1"]
    assert list(train.y) == [sweep.runs["L2", i].train_accuracy for i in range(7)]
    assert test.fill == "tonexty"                                    # the gap, shaded
    assert list(grey.y) == list(green.y)                             # none against none
    assert "+0%" in w.status.value and "λ₂ = none" in w.status.value
    w.controls["kind"].value = "L1"
    w.controls["strength"].value = 6
    run = sweep.runs["L1", 6]
    assert list(chosen.y) == [run.train_accuracy, run.test_accuracy]
    assert list(green.y) == run.counts.tolist() and list(grey.y) != list(green.y)
    assert "λ₁ = 1e-1" in w.status.value and f"{run.near_zero:.1%}" in w.status.value
    assert f"|w| &lt; {NEAR_ZERO:g}" in w.status.value
    assert "L1 strength" in w.fig.layout.xaxis.title.text
    w.controls["kind"].value = "dropout"
    assert list(w.fig.data[0].x)[-1] == "0.8" and "p = 0.8" in w.status.value
    assert np.isclose(w.fig.data[4].width, sweep.edges[1] - sweep.edges[0])
