"""L3.20's explorer: DoubleDescentExplorer. The errors it shows against a direct solve written here
(NumPy's least squares for λ = 0, the ridge normal equations for λ > 0) on the module's own data and
features, for control values set through the controls; the shape of the curve it is meant to show
(interpolation from p = n, the peak there, ridge flattening it) (the generic sweep over every
control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets.double_descent import (DRAWS, N_TRAIN, WIDTHS, DoubleDescentExplorer, feature_matrix,
                                             random_features, ridge_weights, teacher_data)


def direct_errors(p, noise, ridge):
    """Mean over the draws of (training MSE, test MSE), each fit solved from scratch."""
    x_train, y_clean, eps, x_test, y_test = teacher_data(0)
    y = y_clean + noise * eps
    train, test = [], []
    for draw in range(DRAWS):
        W = feature_matrix(draw, p)
        phi, phi_test = random_features(x_train, W), random_features(x_test, W)
        if ridge == 0:
            w = np.linalg.lstsq(phi, y, rcond=None)[0]                     # minimum norm when p > n
        else:
            w = np.linalg.solve(phi.T @ phi + ridge * np.eye(p), phi.T @ y)
        train.append(np.mean((phi @ w - y) ** 2))
        test.append(np.mean((phi_test @ w - y_test) ** 2))
    return float(np.mean(train)), float(np.mean(test))


@pytest.mark.parametrize("p, noise, ridge", [(22, 0.5, 0.0), (161, 0.5, 0.0), (482, 0.2, 0.0),
                                             (54, 1.0, 0.01), (232, 0.5, 0.1), (1000, 0.0, 1.0)])
def test_shown_errors_are_a_direct_solve(p, noise, ridge):
    explorer = DoubleDescentExplorer()
    explorer.controls["features"].value = p
    explorer.controls["noise"].value = noise
    explorer.controls["ridge"].value = ridge
    train, test = direct_errors(p, noise, ridge)
    j = list(WIDTHS).index(p)
    shown_test = np.asarray(explorer.fig.data[0].y, dtype=float)
    assert shown_test[j] == pytest.approx(test, rel=1e-6)
    assert explorer.fig.data[2].x[0] == p
    assert explorer.fig.data[2].y[0] == pytest.approx(test, rel=1e-6)
    state = explorer.state()
    assert state["train"] == pytest.approx(train, rel=1e-6, abs=1e-12)
    assert f"p = {p}:" in explorer.fig.layout.title.text
    assert f"{test:.4g}" in explorer.status.value


def test_ridge_weights_is_the_min_norm_solution_and_ridge():
    rng = np.random.default_rng(3)
    phi, y = rng.normal(size=(30, 80)), rng.normal(size=30)
    np.testing.assert_allclose(ridge_weights(phi, y, 0.0), np.linalg.pinv(phi) @ y, atol=1e-10)
    np.testing.assert_allclose(ridge_weights(phi, y, 0.5), np.linalg.solve(phi.T @ phi + 0.5 * np.eye(80), phi.T @ y),
                               atol=1e-10)


def test_the_curve_shows_double_descent_and_ridge_removes_the_peak():
    explorer = DoubleDescentExplorer(noise=0.5, ridge=0.0)
    curve = explorer.state()["curve"]
    widths = list(curve.widths)
    at_n = widths.index(N_TRAIN)
    assert np.all(curve.train[at_n:] < 1e-12)                     # interpolation from p = n on
    assert np.all(curve.train[:at_n] > 1e-3)                      # not before
    assert int(np.argmax(curve.test)) == at_n                     # the peak at the threshold
    assert curve.test[-1] < curve.test[at_n] / 10                 # the second descent
    assert curve.norm[at_n] == curve.norm.max()
    explorer.controls["ridge"].value = 0.1
    ridged = explorer.state()["curve"]
    assert ridged.test.max() < curve.test[at_n] / 10
    assert not np.any(ridged.train[at_n:] < 1e-12)                # ridge does not interpolate
