"""L3.01's explorer: ScheduleDesigner. Its from-scratch curves against torch.optim.lr_scheduler over
a grid of settings, and what each control is meant to do (the generic sweep over every control is
tests/test_widgets.py)."""
from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from dlcourse.widgets.lr_schedule import (SCHEDULES, ScheduleDesigner, Settings, lr_curve,
                                          torch_curve)

GRID = [Settings(schedule, steps, max_lr, floor, warmup, period, gamma, t_mult)
        for schedule, steps, max_lr, floor, warmup, period, gamma, t_mult in itertools.product(
            SCHEDULES, [200, 700], [0.1], [1e-4, 0.1], [0, 20, 150], [50, 300], [0.5],
            [1, 3])]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_curves_equal_pytorch_s_schedulers(schedule):
    for s in (s for s in GRID if s.schedule == schedule):
        ours, theirs = lr_curve(s), torch_curve(s)
        assert len(ours[0]) == s.steps
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-15, err_msg=str(s))
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-15, err_msg=str(s))


def test_the_formulas_at_known_points():
    lrs, momenta = lr_curve(Settings("step", steps=400, max_lr=0.1, warmup=0, period=100, gamma=0.5))
    assert lrs[0] == lrs[99] == 0.1 and lrs[100] == 0.05 and lrs[399] == 0.1 * 0.5 ** 3
    assert set(momenta) == {0.9}
    lrs, _ = lr_curve(Settings("cosine", steps=1000, max_lr=0.1, floor=0.01, warmup=100))
    assert lrs[0] == pytest.approx(0.001) and lrs[99] == pytest.approx(0.1) == lrs[100]
    assert lrs[550] == pytest.approx((0.1 + 0.001) / 2)                     # halfway down the cosine
    lrs, _ = lr_curve(Settings("SGDR", steps=700, max_lr=0.1, floor=1e-3, warmup=0, period=100, t_mult=2))
    restarts = [t for t in range(1, 700) if lrs[t] > lrs[t - 1]]
    assert restarts == [100, 300] and lrs[100] == lrs[300] == 0.1             # cycles of 100, 200, 400
    lrs, momenta = lr_curve(Settings("one-cycle", steps=1000, max_lr=0.1, floor=1e-3, warmup=0))
    assert lrs[0] == pytest.approx(0.1 / 25) and int(np.argmax(lrs)) == 299  # 30 % rising by default
    assert lrs[-1] == pytest.approx(1e-4) and momenta[0] == pytest.approx(0.95)
    assert momenta[299] == pytest.approx(0.85) and momenta[-1] == pytest.approx(0.95)


def test_designer_controls():
    torch_curve.cache_clear()
    start = time.perf_counter()
    w = ScheduleDesigner()
    assert time.perf_counter() - start < 10            # well under a second on a quiet machine
    assert list(w.controls) == ["schedule", "steps", "max_lr", "floor", "warmup", "period", "gamma",
                                "t_mult", "log_y"]
    assert [t.name for t in w.fig.data] == [*SCHEDULES, "momentum"]
    chosen = w.fig.data[SCHEDULES.index("cosine")]
    assert chosen.opacity == 1.0 and w.fig.data[0].opacity < 1 and len(chosen.y) == 1000
    assert "CosineAnnealingLR after LinearLR" in w.status.value and "largest difference" in w.status.value
    assert float(w.status.value.split("largest difference ")[1].rstrip(".")) < 1e-12
    assert w.fig.layout.width <= 900

    w.controls["schedule"].value = "one-cycle"
    assert "OneCycleLR" in w.status.value and min(w.fig.data[-1].y) == pytest.approx(0.85)
    w.controls["schedule"].value = "SGDR"
    w.controls["warmup"].value = 0
    w.controls["period"].value = 100
    w.controls["t_mult"].value = 2
    assert "Restarts at steps 100, 300, 700." in w.status.value   # cycles of 100, 200, 400, 800 (cut at 1000)
    sgdr = np.array(w.fig.data[SCHEDULES.index("SGDR")].y)
    np.testing.assert_allclose(sgdr, torch_curve(w.settings())[0], rtol=1e-12)
    w.controls["max_lr"].value = 0.01
    assert max(w.fig.data[SCHEDULES.index("SGDR")].y) == pytest.approx(0.01)
    w.controls["floor"].value = 0.1
    assert min(w.fig.data[SCHEDULES.index("SGDR")].y) >= 0.001 - 1e-12
    w.controls["schedule"].value = "step"
    w.controls["gamma"].value = 0.1
    step = np.array(w.fig.data[0].y)
    assert step[99] == pytest.approx(0.01) and step[100] == pytest.approx(0.001)
    w.controls["steps"].value = 2000
    assert len(w.fig.data[0].x) == 2000 and "2000 steps" in w.fig.layout.title.text
    w.controls["log_y"].value = True
    assert w.fig.layout.yaxis.type == "log"
    assert math.isfinite(float(w.status.value.split("Mean lr ")[1].split()[0]))
