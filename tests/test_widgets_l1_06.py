"""L1.06's explorers: ActivationExplorer and UniversalApproximation. Pure compute functions against
known answers (and torch.autograd), and every control driven through its range."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dlcourse.widgets.activations import (ACTIVATIONS, GALLERY as ACT_GALLERY, SATURATED,
                                          ActivationExplorer, activation_profile)
from dlcourse.widgets.universal_approx import (ACTIVATIONS as UA_ACTIVATIONS, GALLERY as UA_GALLERY,
                                               MAX_NEURONS, TARGETS, UniversalApproximation,
                                               error_curve, fit_random_features, hidden_features)

TORCH_ACT = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "ReLU": torch.relu,
    "leaky ReLU (0.1)": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
}


def _snapshot(explorer) -> str:
    return json.dumps(explorer.fig.to_plotly_json(), default=str, sort_keys=True)


def _sample(control) -> list:
    if hasattr(control, "options"):
        return list(control.options)
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    mid = control.min + (control.max - control.min) / 2
    return [control.min, round(mid) if isinstance(control.value, int) else mid, control.max]


# ------------------------------------------------------------------------------ activations
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_and_derivative_match_torch_autograd(name):
    f, df, peak = ACTIVATIONS[name]
    z = np.concatenate([np.linspace(-30, 30, 301), [-1e-3, 1e-3, 1.0]])
    z = z[z != 0]  # ReLU has no derivative at 0
    t = torch.from_numpy(z).requires_grad_(True)
    out = TORCH_ACT[name](t)
    out.sum().backward()
    np.testing.assert_allclose(f(z), out.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(df(z), t.grad.numpy(), rtol=1e-9, atol=1e-15)
    assert df(np.linspace(-10, 10, 2001)).max() == pytest.approx(peak)


def test_known_derivatives():
    f, df, _ = ACTIVATIONS["sigmoid"]
    assert df(np.array([0.0]))[0] == 0.25             # σ′ ≤ 1/4, reached at 0
    assert f(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]  # no overflow warning / NaN
    assert ACTIVATIONS["tanh"][1](np.array([0.0]))[0] == 1.0
    relu_df = ACTIVATIONS["ReLU"][1]
    assert relu_df(np.array([-2.0, 0.0, 3.0])).tolist() == [0.0, 0.0, 1.0]


def test_profile_saturation_grows_with_scale():
    for name in ("sigmoid", "tanh"):
        means = [activation_profile(name, s).mean_df for s in (0.1, 1, 3, 5)]
        sat = [activation_profile(name, s).saturated for s in (0.1, 1, 3, 5)]
        assert means == sorted(means, reverse=True) and means[-1] < 0.5 * means[0]
        assert sat == sorted(sat) and sat[0] == 0.0 and sat[-1] > 0.3
    small = activation_profile("sigmoid", 0.1)
    assert small.mean_df == pytest.approx(0.25, abs=0.002)  # near 0, σ′ ≈ 1/4
    # ReLU does not saturate: the fraction of inputs with f′ = 0 is the negative half, any scale
    relu = [activation_profile("ReLU", s) for s in (0.1, 1, 5)]
    assert len({round(p.saturated, 12) for p in relu}) == 1
    assert 0.3 < relu[0].saturated < 0.7 and relu[0].mean_df == pytest.approx(1 - relu[0].saturated)


def test_profile_samples_only_stretch():
    a, b = activation_profile("tanh", 1.0), activation_profile("tanh", 2.5)
    np.testing.assert_allclose(b.samples, 2.5 * a.samples)
    assert a.saturated == pytest.approx(np.mean(a.df_samples < SATURATED * a.peak))
    with pytest.raises(ValueError):
        activation_profile("softplus", 1.0)


def test_activation_explorer_controls():
    w = ACT_GALLERY["ActivationExplorer"]()
    assert list(w.controls)[0] == "scale"          # the first slider, dragged by the browser test
    for key in w.controls:
        w = ActivationExplorer()
        for value in _sample(w.controls[key]):
            before, old = _snapshot(w), w.controls[key].value
            w.controls[key].value = value
            assert "mean f′" in w.fig.layout.title.text and "saturated" in w.status.value
            if value != old:
                assert _snapshot(w) != before, (key, value)
    w = ActivationExplorer(activation="tanh", scale=4.0)
    p = activation_profile("tanh", 4.0)
    visible = np.abs(p.samples) <= 10
    assert len(w.fig.data[3].x) == visible.sum()
    assert f"{p.saturated:.0%}" in w.fig.layout.title.text
    band = w.fig.layout.shapes[0]
    assert (band.x0, band.x1) == (-8.0, 8.0)


# ----------------------------------------------------------------------- universal approximation
def test_hidden_features_are_nested_and_shaped():
    x = np.linspace(-1, 1, 50)
    for act in UA_ACTIVATIONS:
        small, big = hidden_features(x, 5, act), hidden_features(x, 20, act)
        assert small.shape == (50, 5) and big.shape == (50, 20)
        np.testing.assert_array_equal(big[:, :5], small)
    relu = hidden_features(x, 20, "ReLU")
    assert relu.min() == 0.0 and (relu == 0).any(axis=0).all()  # every unit has a kink inside
    assert np.abs(hidden_features(x, 20, "tanh")).max() <= 1
    with pytest.raises(ValueError):
        hidden_features(x, MAX_NEURONS + 1)
    with pytest.raises(ValueError):
        hidden_features(x, 3, "sigmoid")


def test_fit_is_the_sum_of_its_parts_and_beats_a_constant():
    for target in TARGETS:
        for act in UA_ACTIVATIONS:
            r = fit_random_features(target, 12, act)
            np.testing.assert_allclose(r.parts.sum(axis=0) + r.offset, r.fit, atol=1e-9)
            assert r.rmse <= r.max_error
            assert r.rmse < np.std(r.target)  # better than the best constant


def test_relu_network_represents_a_kink_exactly():
    # |x| is one kink at 0; among 50 random kinks least squares gets it almost exactly
    assert fit_random_features("|x|", MAX_NEURONS, "ReLU").rmse < 0.01


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("act", UA_ACTIVATIONS)
def test_more_neurons_fit_better(target, act):
    curve = error_curve(target, act)
    assert curve.shape == (MAX_NEURONS,)
    assert curve[-1] < 0.35 * curve[0]
    assert curve[-1] <= curve[9] <= curve[0]
    assert np.all(np.diff(curve) < 1e-3)  # (almost) never worse with one more neuron


def test_universal_approximation_controls():
    w = UA_GALLERY["UniversalApproximation"]()
    assert list(w.controls)[0] == "neurons"
    slider = w.controls["neurons"]
    assert (slider.min, slider.max) == (1, MAX_NEURONS)
    for key in w.controls:
        w = UniversalApproximation()
        for value in _sample(w.controls[key]):
            before, old = _snapshot(w), w.controls[key].value
            w.controls[key].value = value
            assert "RMSE" in w.fig.layout.title.text and "RMSE" in w.status.value
            if value != old:
                assert _snapshot(w) != before, (key, value)
    w = UniversalApproximation(neurons=7, target="step", activation="tanh")
    r = fit_random_features("step", 7, "tanh")
    np.testing.assert_allclose(w.fig.data[2].y, r.fit)
    assert w.fig.data[4].x == (7,) and w.fig.data[4].y[0] == pytest.approx(r.rmse)
    assert sum(v is None for v in w.fig.data[0].x) == 7   # one curve per neuron
    w.controls["show_neurons"].value = False
    assert len(w.fig.data[0].x) == 0
