"""L1.02's explorers: GradientField and MLEFit. Pure compute functions against known answers, and
every control driven through its range with the figure following."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets.gradient_field import (SURFACES, GradientField,
                                             arrow, gradient_field)
from dlcourse.widgets.mle_fit import GALLERY as MLE_GALLERY, MLEFit, log_likelihood, mle, mle_view, sample


def _snapshot(fig) -> str:
    """The figure's state, less the big contour grids (cheap to compare)."""
    return repr([fig.layout.title.text] + [(t.x, t.y) for t in fig.data if t.type != "contour"])


# ---------------------------------------------------------------------------------- GradientField
@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_gradients_match_central_differences(name):
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    h = 1e-6
    for _ in range(20):
        x = rng.uniform(*s.x_range)
        y = rng.uniform(*s.y_range)
        gx, gy = s.grad(x, y)
        fx = (s.f(x + h, y) - s.f(x - h, y)) / (2 * h)
        fy = (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)
        scale = 1 + abs(gx) + abs(gy)
        assert abs(gx - fx) < 1e-5 * scale and abs(gy - fy) < 1e-5 * scale


def test_known_gradients_and_critical_points():
    view = gradient_field("bowl", 1.0, -1.0)
    assert view.grad == (2.0, -6.0) and view.value == 4.0
    assert view.norm == pytest.approx(np.hypot(2, 6))
    assert gradient_field("rosenbrock", 1.0, 1.0).norm == 0.0    # the minimum
    saddle = gradient_field("saddle", 0.0, 0.0)
    assert saddle.norm == 0.0 and saddle.uphill == ([], []) and saddle.downhill == ([], [])
    assert gradient_field("sin-product", np.pi / 2, np.pi / 2).norm < 1e-12   # a maximum


@pytest.mark.parametrize("name", list(SURFACES))
def test_probe_geometry(name):
    s = SURFACES[name]
    view = gradient_field(name, *s.start)
    gx, gy = view.grad
    u = np.array([gx, gy]) / view.norm
    # the uphill arrow's shaft runs along +∇f, the downhill one along −∇f
    up = np.array([view.uphill[0][1] - view.uphill[0][0], view.uphill[1][1] - view.uphill[1][0]])
    down = np.array([view.downhill[0][1] - view.downhill[0][0],
                     view.downhill[1][1] - view.downhill[1][0]])
    assert up @ u == pytest.approx(np.linalg.norm(up))
    assert down @ u == pytest.approx(-np.linalg.norm(down))
    # the tangent segment is perpendicular to the gradient
    tangent = np.array([view.tangent[0][1] - view.tangent[0][0], view.tangent[1][1] - view.tangent[1][0]])
    assert abs(tangent @ u) < 1e-9 * np.linalg.norm(tangent)
    # the slices pass through f(p); the slice along ∇f starts with slope |∇f|, the level one with 0
    mid = len(view.t) // 2
    assert view.t[mid] == pytest.approx(0.0, abs=1e-12)
    assert view.slice_grad[mid] == pytest.approx(view.value)
    dt = view.t[mid + 1] - view.t[mid - 1]
    slope_grad = (view.slice_grad[mid + 1] - view.slice_grad[mid - 1]) / dt
    slope_level = (view.slice_level[mid + 1] - view.slice_level[mid - 1]) / dt
    curvature = abs(view.slice_grad[mid + 1] - 2 * view.value + view.slice_grad[mid - 1]) + abs(
        view.slice_level[mid + 1] - 2 * view.value + view.slice_level[mid - 1])
    assert slope_grad == pytest.approx(view.norm, rel=0.02, abs=10 * curvature / dt)
    assert abs(slope_level) <= 0.02 * view.norm + 10 * curvature / dt
    np.testing.assert_allclose(view.plane_grad, view.value + view.norm * view.t)


def test_arrow_field_density_and_lengths():
    few = gradient_field("bowl", 0.5, 0.5, density=4)
    many = gradient_field("bowl", 0.5, 0.5, density=20)
    # each arrow is 3 segments of 3 entries (two points and a None)
    assert len(few.arrows_x) == 9 * 4 * 4 and len(many.arrows_x) == 9 * 20 * 20
    xs, ys = arrow(0.0, 0.0, 1.0, 0.0)
    assert (xs[0], ys[0], xs[1], ys[1]) == (0.0, 0.0, 1.0, 0.0)


def test_gradient_field_controls_drive_the_figure():
    w = GradientField()
    assert list(w.controls)[0] == "x"       # the first slider, dragged by the browser test
    x_ctrl = w.controls["x"]
    for name in SURFACES:
        w.controls["function"].value = name
        s = SURFACES[name]
        assert (x_ctrl.min, x_ctrl.max) == s.x_range
        assert tuple(w.fig.layout.xaxis.range) == s.x_range
        assert name.split("-")[0] in w.fig.layout.title.text.lower()
        for key in ("x", "y"):
            ctrl = w.controls[key]
            for value in (ctrl.min, (ctrl.min + ctrl.max) / 2, ctrl.max):
                before = _snapshot(w.fig)
                old = ctrl.value
                ctrl.value = value
                if value != old:
                    assert _snapshot(w.fig) != before, (name, key, value)
                probe = w.fig.data[6]
                assert (probe.x[0], probe.y[0]) == (w.values["x"], w.values["y"])
        density = w.controls["density"]
        for value in (density.min, (density.min + density.max) // 2, density.max):
            density.value = value
            # one arrow per grid point, except where ∇f vanishes exactly (sin-product's grid)
            assert 0.8 * 9 * value ** 2 <= len(w.fig.data[1].x) <= 9 * value ** 2
    assert "critical point" not in w.status.value or w.values["function"] == "sin-product"


# ----------------------------------------------------------------------------------------- MLEFit
def test_log_likelihood_matches_scipy_free_formula():
    x = sample(40, 3)
    mu, sigma = 0.3, 1.7
    direct = np.sum(-0.5 * np.log(2 * np.pi * sigma ** 2) - (x - mu) ** 2 / (2 * sigma ** 2))
    assert log_likelihood(x, mu, sigma) == pytest.approx(direct, rel=1e-12)
    grid = log_likelihood(x, np.array([[0.0, 1.0]]), np.array([[1.0], [2.0]]))
    assert grid.shape == (2, 2) and grid[1, 0] == pytest.approx(log_likelihood(x, 0.0, 2.0))


def test_mle_is_the_maximum():
    x = sample(200, 1, mu=-0.5, sigma=1.3)
    mu_hat, sigma_hat = mle(x)
    assert mu_hat == pytest.approx(x.mean()) and sigma_hat == pytest.approx(np.sqrt(np.mean((x - x.mean()) ** 2)))
    best = log_likelihood(x, mu_hat, sigma_hat)
    for dmu, dsig in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01), (0.05, 0.05)]:
        assert log_likelihood(x, mu_hat + dmu, sigma_hat + dsig) < best
    assert abs(mu_hat + 0.5) < 0.3 and abs(sigma_hat - 1.3) < 0.3


def test_mle_view():
    view = mle_view(0.0, 1.0, 100, 0)
    assert view.x.shape == (100,) and view.ll <= view.ll_best
    assert view.surface.shape == (len(view.sigmas), len(view.mus))
    assert view.surface.max() <= view.ll_best / 100 + 1e-12
    dx = view.grid[1] - view.grid[0]
    assert view.model.sum() * dx == pytest.approx(1.0, abs=1e-3)     # a density integrates to 1
    assert mle_view(view.mu_hat, view.sigma_hat, 100, 0).ll == pytest.approx(view.ll_best)
    assert not np.array_equal(mle_view(0, 1, 100, 1).x, view.x)      # another seed, another sample


def test_mle_fit_controls_drive_the_figure():
    w = MLE_GALLERY["MLEFit"]()
    assert list(w.controls)[0] == "mu"
    for key, ctrl in w.controls.items():
        for value in (ctrl.min, (ctrl.min + ctrl.max) / 2 if key in ("mu", "sigma")
                      else (ctrl.min + ctrl.max) // 2, ctrl.max):
            before = _snapshot(w.fig)
            old = ctrl.value
            ctrl.value = value
            if value != old:
                assert _snapshot(w.fig) != before, (key, value)
            assert len(w.fig.data[0].x) == w.values["n"]
            assert (w.fig.data[6].x[0], w.fig.data[6].y[0]) == (w.values["mu"], w.values["sigma"])
            assert "log-likelihood" in w.status.value


def test_mle_fit_first_slider_moves_the_model_curve():
    w = MLEFit()
    before = list(w.fig.data[2].y)
    ctrl = w.controls["mu"]
    ctrl.value = ctrl.min + 0.85 * (ctrl.max - ctrl.min)
    assert list(w.fig.data[2].y) != before
    w.controls["mu"].value, w.controls["sigma"].value = 1.1, 0.75
    assert "e<sup>" in w.status.value
