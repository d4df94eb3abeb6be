"""L2.12's explorer: FineTuneExplorer. Frozen layers keep their pretrained weights, a body learning
rate of 0 equals freezing, the figure shows the same run as a direct call with the same seed (the
generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import time

import numpy as np
import torch

from dlcourse.widgets.fine_tune import (FREEZE, STEPS, FineTuneExplorer, fine_tune, frozen_unchanged,
                                        pretrained_state)


def test_pretrained_network_learned_0_to_4():
    import torch.nn.functional as F  # noqa: F401
    from dlcourse.widgets.fine_tune import build, data
    (X, y), _, _ = data()
    model = build()
    model.load_state_dict(pretrained_state())
    assert (model(X).argmax(1) == y).float().mean() > 0.95


def test_frozen_layers_keep_their_pretrained_weights():
    for frozen in FREEZE.values():
        run = fine_tune(5, frozen, 1.0)
        assert frozen_unchanged(run, frozen)
        moved = [k for k in run.state if not torch.equal(run.state[k], pretrained_state()[k])]
        assert all(k.split(".")[0] not in frozen for k in moved) and moved


def test_zero_body_lr_is_freezing():
    a = fine_tune(5, (), 0.0)
    b = fine_tune(5, ("layer1", "layer2"), 1.0)
    np.testing.assert_allclose(a.accuracy, b.accuracy)
    for k in a.state:
        torch.testing.assert_close(a.state[k], b.state[k])


def test_explorer_matches_direct_calls():
    start = time.perf_counter()
    w = FineTuneExplorer()
    assert time.perf_counter() - start < 10            # well under a second on a quiet machine
    assert list(w.controls) == ["per_class", "frozen", "lr_ratio", "seed"]
    w.controls["per_class"].value = 10
    w.controls["frozen"].value = "layer 1"
    w.controls["lr_ratio"].value = 0.3
    w.controls["seed"].value = 2
    tuned = fine_tune(10, ("layer1",), 0.3, True, 2)
    scratch = fine_tune(10, (), 1.0, False, 2)
    np.testing.assert_allclose(w.fig.data[0].y, tuned.accuracy)
    np.testing.assert_allclose(w.fig.data[1].y, scratch.accuracy)
    np.testing.assert_allclose(w.fig.data[2].y, tuned.loss)
    assert len(w.fig.data[0].x) == STEPS + 1
    assert f"{tuned.accuracy[-1]:.1%}" in w.fig.layout.title.text
    assert f"{100 * (tuned.accuracy[-1] - scratch.accuracy[-1]):+.1f} points" in w.status.value
    assert w.fig.layout.width <= 900


def test_scratch_ignores_the_fine_tuning_controls():
    w = FineTuneExplorer()
    before = list(w.fig.data[1].y)
    w.controls["frozen"].value = "layers 1–2 (feature extraction)"
    w.controls["lr_ratio"].value = 0.0
    assert list(w.fig.data[1].y) == before
    assert "freezes the body" not in w.status.value
    w.controls["frozen"].value = "nothing"
    assert "freezes the body" in w.status.value
