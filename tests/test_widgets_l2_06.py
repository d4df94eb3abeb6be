"""L2.06's explorer: GradientFlowExplorer. Its compute function against torch.nn.init and an
independent nn.Linear network run through autograd, and what each control is meant to do (the
generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.gradient_flow import (ACTIVATIONS, INITS, LEAKY_SLOPE, GradientFlowExplorer,
                                            histogram, init_std, layer_statistics)


@pytest.mark.parametrize("fan_in, fan_out", [(128, 128), (784, 64), (10, 300)])
def test_init_std_is_torch_nn_init_s(fan_in, fan_out):
    xavier = torch.nn.init.calculate_gain("linear") * math.sqrt(2.0 / (fan_in + fan_out))
    assert init_std("Xavier", fan_in, fan_out, "tanh") == pytest.approx(xavier, rel=1e-12)
    for activation, slope in [("ReLU", 0.0), ("Leaky ReLU", LEAKY_SLOPE), ("tanh", 0.0)]:
        expected = torch.nn.init.calculate_gain("leaky_relu", slope) / math.sqrt(fan_in)
        assert init_std("He", fan_in, fan_out, activation) == pytest.approx(expected, rel=1e-12)
    big = torch.nn.init.kaiming_normal_(torch.empty(2000, 1000), generator=torch.Generator().manual_seed(0))
    assert big.std().item() == pytest.approx(init_std("He", 1000, 2000, "ReLU"), rel=0.01)
    assert init_std("std 0.01 (too small)", fan_in, fan_out, "ReLU") == 0.01


def reference(depth, width, activation, init, scale, batch=32, seed=0):
    """The same network as nn.Linear layers: activation std, ‖∂L/∂z_l‖ and ‖∂L/∂W_l‖."""
    g = torch.Generator().manual_seed(seed)
    std = scale * init_std(init, width, width, activation)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    layers = [torch.nn.Linear(width, width, bias=False).double() for _ in range(depth)]
    with torch.no_grad():
        for layer in layers:
            layer.weight.copy_(torch.randn(width, width, generator=g, dtype=torch.float64) * std)
    top = torch.randn(batch, width, generator=g, dtype=torch.float64)
    phi = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "ReLU": F.relu,
           "Leaky ReLU": lambda z: F.leaky_relu(z, LEAKY_SLOPE)}[activation]
    h, pre, out = x, [], []
    for layer in layers:
        z = layer(h)
        z.retain_grad()
        pre.append(z)
        h = phi(z)
        out.append(h)
    ((h * top).sum() / batch).backward()
    return (np.array([o.std().item() for o in out]), np.array([z.grad.norm().item() for z in pre]),
            np.array([layer.weight.grad.norm().item() for layer in layers]))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("init", INITS)
def test_layer_statistics_match_autograd_through_nn_linear(activation, init):
    stats = layer_statistics(12, 32, activation, init, 1.5, batch=32)
    act, back, grad = reference(12, 32, activation, init, 1.5)
    np.testing.assert_allclose(stats.activation_std, act, rtol=1e-10)
    np.testing.assert_allclose(stats.backward_norm, back, rtol=1e-10)
    np.testing.assert_allclose(stats.gradient_norm, grad, rtol=1e-10)
    assert len(stats.activations) == 12 and stats.activations[0].shape == (32 * 32,)


def test_the_lesson_s_claims_hold():
    he = layer_statistics(30, 128, "ReLU", "He")
    xavier = layer_statistics(30, 128, "ReLU", "Xavier")
    assert 0.2 < he.activation_std[-1] / he.activation_std[0] < 5             # flat
    assert 0.1 < he.backward_norm[0] / he.backward_norm[-1] < 10
    per_layer = (xavier.activation_std[-1] / xavier.activation_std[0]) ** (1 / 29)
    assert per_layer == pytest.approx(math.sqrt(0.5), rel=0.1)                # loses √2 per layer
    sigmoid = layer_statistics(30, 128, "sigmoid", "Xavier")
    assert sigmoid.backward_norm[0] / sigmoid.backward_norm[-1] < 1e-10        # vanishes
    large = layer_statistics(30, 128, "tanh", "std 1 (too large)")
    assert large.backward_norm[0] / large.backward_norm[-1] > 1e6              # explodes


def test_histogram_fractions_and_degenerate_values():
    centres, fractions, width = histogram(np.linspace(-1, 1, 1001))
    assert len(centres) == 40 and fractions.sum() == pytest.approx(1.0) and width == pytest.approx(0.05)
    centres, fractions, _ = histogram(np.full(10, 0.5))                       # all equal
    assert fractions.sum() == pytest.approx(1.0) and np.all(np.isfinite(centres))
    centres, fractions, _ = histogram(np.array([np.inf, np.nan]))
    assert len(centres) == 0


def test_explorer_controls():
    w = GradientFlowExplorer(depth=20, width=64, activation="ReLU", init="He")
    assert list(w.controls)[0] == "depth"
    assert len(w.fig.data[0].x) == len(w.fig.data[1].y) == len(w.fig.data[2].y) == 20
    assert w.fig.layout.yaxis.type == w.fig.layout.yaxis2.type == "log"
    assert "keeps its size" in w.status.value
    assert sum(w.fig.data[3].y) == pytest.approx(1.0)
    w.controls["activation"].value = "sigmoid"
    assert "vanishes" in w.status.value
    w.controls["activation"].value = "tanh"
    w.controls["init"].value = "std 1 (too large)"
    assert "explodes" in w.status.value
    w.controls["layer"].value = 5
    assert w.fig.layout.shapes[0].x0 == 5 and "layer 5's outputs" in w.fig.layout.annotations[2].text
    stats = layer_statistics(20, 64, "tanh", "std 1 (too large)", 1.0)
    np.testing.assert_allclose(np.sum(w.fig.data[3].y), 1.0)
    assert abs(w.fig.data[3].x[0]) <= 1 and stats.activations[4].min() >= -1  # tanh's range
    w.controls["depth"].value = 8                    # the histogram's layer follows the depth
    assert w.controls["layer"].max == 8 and w.controls["layer"].value == 5
    w.controls["layer"].value = 8
    w.controls["depth"].value = 3
    assert w.controls["layer"].value == 3 and len(w.fig.data[0].x) == 3
    w.controls["scale"].value = 0.25
    assert "× 0.25" in w.fig.layout.title.text
    assert w.fig.layout.width <= 900
