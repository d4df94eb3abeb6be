"""L2.13's explorer: RunComparer. Its smoothing against a line-by-line transcription of
TensorBoard's scalar-chart smoothing, its reader against what SummaryWriter wrote, and what each
control does (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from dlcourse.widgets.run_comparer import RunComparer, demo_runs, read_scalars, smooth  # noqa: E402


def tensorboard_smoothing(ys, weight):
    """TensorBoard's classicSmoothing (webapp/widgets/line_chart_v2/lib/data_transformer.ts),
    transcribed statement by statement from its TypeScript."""
    if len(ys) == 0:
        return []
    is_constant = all(y == ys[0] for y in ys)
    if is_constant:
        return list(ys)
    last, num_accum, out = 0.0, 0, []
    for y in ys:
        if not math.isfinite(y):
            out.append(y)
            continue
        last = last * weight + (1 - weight) * y
        num_accum += 1
        debias_weight = 1 - weight ** num_accum if weight != 1 else 1
        out.append(last / debias_weight)
    return out


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.9, 0.99, 1.0])
def test_smoothing_is_tensorboard_s(weight):
    rng = np.random.default_rng(1)
    ys = list(np.cumsum(rng.standard_normal(120)))
    ys[7], ys[40] = float("nan"), float("inf")            # a diverged step is shown, not averaged
    np.testing.assert_allclose(smooth(ys, weight), tensorboard_smoothing(ys, weight),
                               rtol=1e-12, atol=1e-12, equal_nan=True)


def test_smoothing_edge_cases():
    assert smooth([], 0.6).shape == (0,)
    np.testing.assert_array_equal(smooth([2.5] * 5, 0.9), [2.5] * 5)
    np.testing.assert_allclose(smooth([4.0, 0.0], 0.5), [4.0, (0.5 * 2.0) / 0.75])   # debiased
    assert smooth([1.0, 2.0], 0.0).tolist() == [1.0, 2.0]


def test_read_scalars_returns_what_was_logged(tmp_path):
    from torch.utils.tensorboard import SummaryWriter
    logged = {step: 1.0 / (step + 1) + 1e-3 * step for step in range(0, 50, 5)}
    with SummaryWriter(tmp_path) as writer:
        for step, value in logged.items():
            writer.add_scalar("loss", value, step)
            writer.add_scalar("lr", 0.1, step)
    scalars = read_scalars(tmp_path)
    assert sorted(scalars) == ["loss", "lr"]
    assert scalars["loss"].steps.tolist() == list(logged)
    np.testing.assert_array_equal(scalars["loss"].values,
                                  np.float32(list(logged.values())).astype(np.float64))
    assert np.all(np.diff(scalars["loss"].wall_times) >= 0)


def test_explorer_controls(tmp_path):
    runs = demo_runs(tmp_path, steps=120)
    w = RunComparer(runs, tag="train/loss", smoothing=0.6)
    assert list(w.controls) == ["tag", "smoothing", "log_y"]
    assert list(w.controls["tag"].options) == ["train/accuracy", "train/loss"]
    assert len(w.fig.data) == 4 and w.fig.layout.width <= 900
    raw = read_scalars(runs["lr 0.1"])["train/loss"].values
    np.testing.assert_allclose(w.fig.data[0].y, raw)
    np.testing.assert_allclose(w.fig.data[1].y, tensorboard_smoothing(list(raw), 0.6), rtol=1e-12)
    w.controls["smoothing"].value = 0.95
    np.testing.assert_allclose(w.fig.data[1].y, tensorboard_smoothing(list(raw), 0.95), rtol=1e-12)
    assert np.std(np.diff(w.fig.data[1].y)) < np.std(np.diff(raw)) / 5    # smoother, as it should be
    w.controls["smoothing"].value = 0.0
    np.testing.assert_allclose(w.fig.data[1].y, raw)
    w.controls["log_y"].value = True
    assert w.fig.layout.yaxis.type == "log"
    w.controls["tag"].value = "train/accuracy"
    assert w.fig.layout.yaxis.title.text == "train/accuracy"
    assert "train/accuracy in 2 run(s)" in w.fig.layout.title.text
    assert "lr 0.01" in w.status.value


def test_a_run_without_the_tag_is_left_out(tmp_path):
    from torch.utils.tensorboard import SummaryWriter
    runs = demo_runs(tmp_path / "a", steps=20)
    with SummaryWriter(tmp_path / "b") as writer:
        writer.add_scalar("other", 1.0, 0)
    runs["other run"] = tmp_path / "b"
    w = RunComparer(runs, tag="train/loss")
    assert set(w.curves()) == {"lr 0.1", "lr 0.01"}
    assert len(w.fig.data[4].x) == 0
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no scalars"):
        RunComparer({"empty": tmp_path / "empty"})
    with pytest.raises(FileNotFoundError, match="no log directory"):
        RunComparer({"missing": tmp_path / "nothing"})
