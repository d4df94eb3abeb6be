"""L1.10's CapacityExplorer: the least-squares fit against known answers, and every control driven
through its range with the figure following."""
from __future__ import annotations

import numpy as np

from dlcourse.widgets.capacity import (GALLERY, MAX_DEGREE, N_VAL, CapacityExplorer, capacity_view,
                                       design, fit, make_data, rmse, truth)


def _snapshot(fig) -> str:
    return repr([fig.layout.title.text] + [(t.x, t.y) for t in fig.data])


def test_design_is_a_vandermonde_matrix_on_minus_one_to_one():
    V = design([0.0, 0.5, 1.0], 3)
    np.testing.assert_allclose(V, [[1, -1, 1, -1], [1, 0, 0, 0], [1, 1, 1, 1]])


def test_fit_recovers_an_exact_polynomial_and_matches_polyfit():
    x = np.linspace(0, 1, 30)
    z = 2 * x - 1
    y = 0.5 - 2 * z + 3 * z ** 3
    np.testing.assert_allclose(fit(x, y, 3), [0.5, -2, 0, 3], atol=1e-10)
    rng = np.random.default_rng(0)
    y = np.sin(6 * x) + rng.normal(0, 0.1, 30)
    for d in (0, 2, 5, 9):
        ours = design(x, d) @ fit(x, y, d)
        np.testing.assert_allclose(ours, np.polyval(np.polyfit(z, y, d), z), atol=1e-8)


def test_interpolation_when_there_are_as_many_coefficients_as_points():
    x, y, *_ = make_data(8, 0.3)
    assert rmse(design(x, 7) @ fit(x, y, 7), y) < 1e-8
    assert rmse(design(x, 12) @ fit(x, y, 12), y) < 1e-8     # minimum-norm, underdetermined


def test_make_data_is_reproducible_and_sized():
    a, b = make_data(20, 0.25, seed=3), make_data(20, 0.25, seed=3)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert [len(t) for t in a] == [20, 20, N_VAL, N_VAL]
    assert not np.array_equal(make_data(20, 0.25, seed=4)[1], a[1])
    clean = make_data(50, 0.0)
    np.testing.assert_allclose(clean[1], truth(clean[0]), atol=1e-6)   # float32 data


def test_capacity_view_shows_the_u_curve():
    view = capacity_view(3, 0.25, 20)
    assert len(view.train_rmse) == len(view.val_rmse) == MAX_DEGREE + 1
    # more capacity never increases the training error of nested least-squares fits
    assert np.all(np.diff(view.train_rmse) <= 1e-9)
    assert view.train_rmse[0] > 0.5 and view.val_rmse[0] > 0.5              # degree 0 underfits
    assert 3 <= view.best <= 7 and view.val_rmse[view.best] < 0.35          # near the noise level
    assert view.val_rmse[MAX_DEGREE] > 2 * view.val_rmse[view.best]         # degree 15 overfits
    assert view.curve.shape == view.grid.shape


def test_controls_drive_the_figure():
    w = GALLERY["CapacityExplorer"]()
    assert list(w.controls)[0] == "degree"         # the first slider, dragged by the browser test
    defaults = dict(w.values)
    for key, ctrl in w.controls.items():
        mid = (ctrl.min + ctrl.max) / 2 if key == "noise" else (ctrl.min + ctrl.max) // 2
        for value in (ctrl.min, mid, ctrl.max):
            before = _snapshot(w.fig)
            old = ctrl.value
            ctrl.value = value
            if value != old:
                assert _snapshot(w.fig) != before, (key, value)
            v = w.values
            assert len(w.fig.data[2].x) == v["n"] and len(w.fig.data[1].x) == N_VAL
            assert list(w.fig.data[7].x) == [v["degree"], v["degree"]]
            assert f"Degree {v['degree']} on {v['n']} points" in w.fig.layout.title.text
            assert "validation" in w.status.value
        ctrl.value = defaults[key]


def test_verdicts():
    w = CapacityExplorer(degree=0)
    assert "Underfitting" in w.status.value
    w.controls["degree"].value = 14
    assert "Overfitting" in w.status.value
    w.controls["n"].value = 10
    assert "passes through every training point" in w.status.value
