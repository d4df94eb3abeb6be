"""L2.04's explorer: FeatureMapViewer. Its hooks against a hand-run forward pass, its mosaics, and
what each control is meant to do (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from dlcourse.widgets.feature_maps import (WEIGHTS, FeatureMapViewer, feature_maps, filter_mosaic,
                                           map_layers, mosaic)


def z_of(viewer, trace: int) -> np.ndarray:
    """A heatmap's values, its blank gaps (None, as JSON allows) read back as NaN."""
    return np.asarray(viewer.fig.data[trace].z, dtype=float)


def small_lenet():
    torch.manual_seed(1)
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(400, 10))


def test_feature_maps_are_the_layers_outputs_and_hooks_are_removed():
    model = small_lenet()
    x = torch.randn(3, 1, 28, 28)
    out = feature_maps(model, x, ["0", "2", "5"])
    h = x
    expected = {}
    for i, layer in enumerate(model):
        h = layer(h)
        expected[str(i)] = h
    for name in ("0", "2", "5"):
        torch.testing.assert_close(out[name], expected[name].detach())
    torch.testing.assert_close(out["logits"], expected["7"].detach())
    assert all(not m._forward_hooks for m in model.modules())
    assert model.training                              # put back as it was


def test_map_layers_lists_the_maps_in_forward_order():
    layers = map_layers(small_lenet(), (1, 28, 28))
    assert [(n, k, s) for n, k, s in layers] == [
        ("0", "Conv2d", (6, 28, 28)), ("1", "ReLU", (6, 28, 28)), ("2", "MaxPool2d", (6, 14, 14)),
        ("3", "Conv2d", (16, 10, 10)), ("4", "Tanh", (16, 10, 10)), ("5", "AvgPool2d", (16, 5, 5))]


def test_mosaic_places_tiles_with_blank_gaps():
    tiles = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    m = mosaic(tiles, cols=3)
    assert m.shape == (2 * 3 - 1, 3 * 4 - 1)
    np.testing.assert_array_equal(m[0:2, 0:3], tiles[0])
    np.testing.assert_array_equal(m[0:2, 8:11], tiles[2])
    np.testing.assert_array_equal(m[3:5, 4:7], tiles[4])
    assert np.isnan(m[2]).all() and np.isnan(m[:, 3]).all() and np.isnan(m[3:5, 8:11]).all()
    w = np.random.default_rng(0).normal(size=(16, 6, 5, 5))
    grid = filter_mosaic(w)                             # row o, column c: kernel w[o, c]
    np.testing.assert_array_equal(grid[2 * 6:2 * 6 + 5, 3 * 6:3 * 6 + 5], w[2, 3])
    assert filter_mosaic(w[:6, :1]).shape == (5, 6 * 6 - 1)   # one input channel: one row


def test_viewer_shows_the_chosen_layer_and_weights():
    model = small_lenet()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        model[0].weight.mul_(-2.0)                      # "training" changed C1
    images = torch.randn(4, 1, 28, 28)
    w = FeatureMapViewer(model, images, torch.tensor([3, 1, 4, 1]), initial=initial)
    assert list(w.controls)[0] == "image"               # the slider the browser test drags
    np.testing.assert_allclose(z_of(w, 1), filter_mosaic(model[0].weight.detach().numpy()))
    assert "label 3, predicted" in w.fig.layout.title.text
    w.controls["layer"].value = "4"                     # after C3's activation: C3's filters
    assert z_of(w, 1).shape == (16 * 6 - 1, 6 * 6 - 1)
    maps = torch.tanh(model[3](model[2](model[1](model[0](images[:1])))))[0].detach().numpy()
    np.testing.assert_allclose(z_of(w, 2), mosaic(maps, 8), rtol=1e-5, atol=1e-6)
    assert "16 feature maps of 10×10" in w.fig.layout.annotations[2].text
    w.controls["layer"].value = "0"
    w.controls["weights"].value = WEIGHTS[1]
    np.testing.assert_allclose(z_of(w, 1), filter_mosaic(initial["0.weight"].numpy()))
    assert model[0].weight[0, 0, 0, 0] == -2.0 * initial["0.weight"][0, 0, 0, 0]  # not touched
    w.controls["image"].value = 2
    assert "Image 2 (label 4" in w.fig.layout.title.text and "label 4" in w.status.value
    assert all(v is None or np.isfinite(v) for row in w.fig.data[2].z for v in row)  # JSON-safe


def test_viewer_without_initial_weights_and_a_model_without_maps():
    model = small_lenet()
    w = FeatureMapViewer(model, torch.randn(2, 1, 28, 28))
    assert w.controls["weights"].options == (WEIGHTS[0],)
    assert "label" not in w.status.value
    with pytest.raises(ValueError, match="no layer"):
        FeatureMapViewer(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), torch.randn(2, 1, 28, 28))


def test_gallery_demo_learns_its_shapes():
    w = FeatureMapViewer()
    assert w.controls["weights"].options == WEIGHTS
    correct = 0
    for i in range(len(w.images)):
        w.controls["image"].value = i
        correct += "predicted <b>" + w.classes[int(w.labels[i])] + "</b>" in w.status.value
    assert correct >= 4
