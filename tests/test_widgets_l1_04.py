"""L1.04's loss-surface widget and the compute core it shares with L1.09's FeatureScaling."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets import loss_surface as ls
from dlcourse.widgets.base import Explorer
from dlcourse.widgets.loss_surface import GALLERY, LossSurface


# ---------------------------------------------------------------------------------------------
# the pure compute functions, against known answers
# ---------------------------------------------------------------------------------------------
def test_linear_data_has_exact_moments_and_is_seeded():
    x, y = ls.linear_data(n=50, x_mean=1.5, x_std=0.5, seed=3)
    assert x.shape == y.shape == (50,)
    assert x.mean() == pytest.approx(1.5, abs=1e-12) and x.std() == pytest.approx(0.5, abs=1e-12)
    x2, y2 = ls.linear_data(n=50, x_mean=1.5, x_std=0.5, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(y, ls.linear_data(n=50, x_mean=1.5, x_std=0.5, seed=4)[1])


def test_hessian_and_curvature_in_closed_form():
    x, _ = ls.linear_data()  # mean 1, std 1: H = 2 [[2, 1], [1, 1]], eigenvalues 3 ± √5
    np.testing.assert_allclose(ls.hessian(x), [[4, 2], [2, 2]], atol=1e-12)
    c = ls.curvature(x)
    assert c.lam_max == pytest.approx(3 + 5 ** 0.5) and c.lam_min == pytest.approx(3 - 5 ** 0.5)
    assert c.lr_max == pytest.approx(2 / (3 + 5 ** 0.5)) and c.lr_best == pytest.approx(2 / 6)
    assert c.cond == pytest.approx((3 + 5 ** 0.5) / (3 - 5 ** 0.5))


def test_optimum_matches_polyfit_and_mse_matches_direct_formula():
    x, y = ls.linear_data(n=80, noise=0.3, seed=1)
    best = ls.optimum(x, y)
    w, b = np.polyfit(x, y, 1)
    assert best.w == pytest.approx(w) and best.b == pytest.approx(b)
    assert best.loss == pytest.approx(np.mean((w * x + b - y) ** 2))
    ws, bs = np.array([[-1.0, 0.5, 3.0]]), np.array([[2.0], [-0.5]])
    direct = ((ws[..., None] * x + bs[..., None] - y) ** 2).mean(-1)
    np.testing.assert_allclose(ls.mse(x, y, ws, bs), direct, rtol=1e-10)


def test_one_gd_step_is_theta_minus_lr_times_gradient():
    x, y = ls.linear_data(n=30, seed=2)
    w0, b0, lr = 0.5, -2.0, 0.1
    r = w0 * x + b0 - y
    expected = (w0 - lr * 2 * np.mean(r * x), b0 - lr * 2 * np.mean(r))
    path = ls.gd_path(x, y, lr, 1, (w0, b0))
    np.testing.assert_allclose(path.params, [(w0, b0), expected])
    assert path.loss[0] == pytest.approx(np.mean(r ** 2))


def test_gd_converges_below_two_over_lambda_max_and_diverges_above():
    x, y = ls.linear_data()
    c, best = ls.curvature(x), ls.optimum(x, y)
    ok = ls.gd_path(x, y, 0.97 * c.lr_max, 600, (-1, 2.5))
    assert ok.diverged_at is None
    np.testing.assert_allclose(ok.params[-1], (best.w, best.b), atol=1e-6)
    bad = ls.gd_path(x, y, 1.03 * c.lr_max, 2000, (-1, 2.5))
    assert bad.diverged_at is not None and len(bad.params) == bad.diverged_at
    assert np.all(np.isfinite(bad.params)) and np.all(np.abs(bad.params) < ls.DIVERGED)
    # the best constant rate shrinks the error by (κ − 1)/(κ + 1) per step (in the slowest direction)
    fast = ls.gd_path(x, y, c.lr_best, 30, (-1, 2.5))
    err = np.linalg.norm(fast.params - (best.w, best.b), axis=1)
    assert err[-1] / err[-2] == pytest.approx((c.cond - 1) / (c.cond + 1), rel=1e-3)


def test_minibatch_path_is_noisy_seeded_and_full_batch_is_deterministic():
    x, y = ls.linear_data()
    full = ls.gd_path(x, y, 0.1, 50, batch_size=None)
    assert np.array_equal(full.params, ls.gd_path(x, y, 0.1, 50, batch_size=len(x)).params)
    sgd = ls.gd_path(x, y, 0.1, 50, batch_size=5, seed=1)
    assert np.array_equal(sgd.params, ls.gd_path(x, y, 0.1, 50, batch_size=5, seed=1).params)
    assert not np.array_equal(sgd.params, ls.gd_path(x, y, 0.1, 50, batch_size=5, seed=2).params)
    assert not np.allclose(sgd.params, full.params)
    with pytest.raises(ValueError):
        ls.gd_path(x, y, 0.1, 5, batch_size=0)


def test_steps_to_tolerance_and_square_window():
    assert ls.steps_to_tolerance([5.0, 2.0, 1.0005, 1.0], 1.0, 1e-3) == 2
    assert ls.steps_to_tolerance([5.0, 2.0], 1.0, 1e-3) is None
    w_lo, w_hi, b_lo, b_hi = ls.square_window([(0, 0), (4, 1)], margin=0.25)
    assert w_hi - w_lo == pytest.approx(b_hi - b_lo) == pytest.approx(6.0)
    assert (w_lo + w_hi) / 2 == pytest.approx(2) and (b_lo + b_hi) / 2 == pytest.approx(0.5)


def test_loss_surface_grid_has_its_minimum_at_the_optimum():
    x, y = ls.linear_data()
    s = ls.loss_surface(x, y, 0.1, 10, (-1, 2.5), resolution=201)
    assert s.log_loss.shape == (201, 201)
    i, j = np.unravel_index(np.argmin(s.log_loss), s.log_loss.shape)
    step = s.w_axis[1] - s.w_axis[0]
    assert abs(s.w_axis[j] - s.best.w) <= step and abs(s.b_axis[i] - s.best.b) <= step
    assert s.log_loss.min() >= np.log10(s.best.loss) - 1e-12


# ---------------------------------------------------------------------------------------------
# the widget, driven headless through every control
# ---------------------------------------------------------------------------------------------
def _snapshot(w):
    path = w.fig.data[1]
    return (tuple(np.round(np.asarray(path.x, float), 9)), tuple(np.round(np.asarray(path.y, float), 9)),
            tuple(np.asarray(w.fig.data[4].y, float)))


def test_gallery_and_explorer_pattern():
    w = GALLERY["LossSurface"]()
    assert isinstance(w, Explorer) and isinstance(w, LossSurface)
    first = next(c for c in w.controls.values() if "Slider" in type(c).__name__)
    assert first is w.controls["lr"], "the browser test drags the first slider: the learning rate"
    assert all(getattr(c, "continuous_update", False) is False for c in w.controls.values())
    assert w.fig.layout.title.text and w.fig.layout.xaxis.title.text and w.fig.layout.yaxis.title.text
    assert "2/λ_max" in w.status.value


def test_learning_rate_slider_changes_the_path_and_can_diverge():
    w = LossSurface()
    before = _snapshot(w)
    slider = w.controls["lr"]
    slider.index = round(0.85 * (len(slider.options) - 1))  # where the browser test drags it
    assert _snapshot(w) != before
    for lr in slider.options:
        slider.value = lr
        diverges = lr > ls.curvature(w.x).lr_max
        assert ("Diverged" in w.status.value or "will diverge" in w.status.value) == diverges, lr
        assert np.all(np.isfinite(np.asarray(w.fig.data[1].x, float)))


@pytest.mark.parametrize("name", ["steps", "w0", "b0"])
def test_numeric_sliders_min_mid_max(name):
    w = LossSurface()
    s = w.controls[name]
    seen = set()
    for value in (s.min, (s.min + s.max) / 2, s.max):
        s.value = type(s.value)(round(value, 1)) if name != "steps" else int(value)
        seen.add(_snapshot(w))
        assert w.fig.data[2].x[0] == pytest.approx(w.values["w0"])
    assert len(seen) == 3, f"{name} did not change the figure"
    if name == "steps":
        assert len(w.fig.data[1].x) == s.max + 1


def test_every_batch_size_and_full_batch_title():
    w = LossSurface()
    seen = set()
    for label, B in w.controls["batch_size"].options:
        w.controls["batch_size"].value = B
        seen.add(_snapshot(w))
        title = w.fig.layout.title.text
        assert ("gradient descent" in title) == (B == len(w.x)), title
    assert len(seen) == len(w.controls["batch_size"].options)


def test_custom_data_and_window():
    x, y = ls.linear_data(n=40, w=-1.0, b=3.0, noise=0.2, x_mean=0.0, seed=5)
    w = LossSurface(x=x, y=y, lr=0.25, window=(-3, 1, 1, 5), start=(0.0, 2.0))
    assert tuple(w.fig.layout.xaxis.range) == (-3, 1)
    assert [o[1] for o in w.controls["batch_size"].options][-1] == 40
    with pytest.raises(ValueError):
        LossSurface(x=x)
