"""L3.17's explorer: LoRARankExplorer. On the demo, the plotted update is the best rank-r
approximation and has exactly r non-zero singular values; on a sweep made from real LoRA
factors, the heatmap is (α/r)·B·A, the share is r(d_in + d_out) per adapted layer over the
model's parameters, and the slider moves the marker along the measured curve (the generic sweep
over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse.widgets.lora_rank import LoRARankExplorer, Sweep, demo_sweep, rank_view


def test_demo_updates_have_rank_r_and_shrinking_error():
    sweep = demo_sweep()
    e = LoRARankExplorer(sweep)
    errors = []
    for r in sweep.ranks:
        e.controls["rank"].value = r
        s = e.state()
        assert s["numerical_rank"] == r
        singular = s["singular"]
        assert singular[r - 1] > 1e-6 and singular[r] < 1e-10
        shown = np.asarray(e.fig.data[3].y)                              # the largest 24, drawn
        np.testing.assert_allclose(shown, np.maximum(singular[:24], 1e-12), rtol=1e-12)
        errors.append(s["loss"])
    assert all(a > b for a, b in zip(errors, errors[1:]))               # more rank, less error
    # the error of the best rank-r approximation is the tail of the singular values (Eckart–Young)
    sig = 0.7 ** np.arange(48)
    expected = np.sqrt((sig[4:] ** 2).sum() / (sig ** 2).sum())
    assert rank_view(sweep, 4)["loss"] == pytest.approx(expected, rel=1e-9)


def test_a_sweep_of_real_lora_factors():
    g = torch.Generator().manual_seed(0)
    d_in, d_out, total, layers = 32, 24, 10_000, 3
    ranks, deltas, counts, losses = [1, 2, 8], [], [], [2.0, 1.9, 1.85]
    for r in ranks:
        A, B = torch.randn(r, d_in, generator=g), torch.randn(d_out, r, generator=g)
        deltas.append(((2 * r / r) * B @ A).numpy())
        counts.append(layers * r * (d_in + d_out))
    sweep = Sweep.make(ranks[::-1], counts[::-1], total, losses[::-1], deltas[::-1], full_loss=1.8, none_loss=2.5)
    assert sweep.ranks == (1, 2, 8)                                     # sorted with their data
    e = LoRARankExplorer(sweep, rank=2)
    np.testing.assert_allclose(np.asarray(e.fig.data[2].z), deltas[1])
    assert e.state()["numerical_rank"] == 2
    assert e.fig.data[1].x[0] == pytest.approx(100 * layers * 2 * (d_in + d_out) / total)
    assert e.fig.data[1].y[0] == pytest.approx(1.9)
    assert "1.056× full fine-tuning" in e.fig.layout.title.text
    e.controls["rank"].value = 8
    assert e.state()["numerical_rank"] == 8 and e.fig.data[1].y[0] == pytest.approx(1.85)
    np.testing.assert_allclose(np.asarray(e.fig.data[2].z), deltas[2])
    assert list(e.fig.data[0].y) == losses and e.fig.layout.xaxis.type == "log"


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Sweep.make([1, 2], [10], 100, [1.0, 2.0], [np.eye(2), np.eye(2)])
    with pytest.raises(ValueError):
        rank_view(demo_sweep(), 3)
