"""L2.03's explorers: KernelEditor and ReceptiveFieldViewer. Their compute functions against
F.conv2d and autograd, and what each control is meant to do (the generic sweep over every control
is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.kernel_editor import (CUSTOM, IMAGES, PRESETS, SIZE, KernelEditor,
                                            feature_map, footprint, output_size)
from dlcourse.widgets.receptive_field import (PRESETS as STACKS, Layer, ReceptiveFieldViewer,
                                              input_interval, parse_stack, path_counts,
                                              receptive_fields, sizes)


# ------------------------------------------------------------------------------ kernel editor
def test_feature_map_matches_f_conv2d():
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(60):
        image = rng.normal(size=(rng.integers(4, 15), rng.integers(4, 15)))
        kernel = rng.normal(size=(rng.integers(1, 4), rng.integers(1, 4)))
        p, s, d = (int(v) for v in (rng.integers(0, 3), rng.integers(1, 4), rng.integers(1, 3)))
        ref_args = dict(padding=p, stride=s, dilation=d)
        if min(image.shape) + 2 * p < d * (max(kernel.shape) - 1) + 1:
            with pytest.raises(ValueError, match="does not fit"):
                feature_map(image, kernel, p, s, d)
            continue
        ours = feature_map(image, kernel, p, s, d)
        ref = F.conv2d(torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None],
                       **ref_args)[0, 0].numpy()
        assert ours.shape == ref.shape == (output_size(image.shape[0], kernel.shape[0], p, s, d),
                                           output_size(image.shape[1], kernel.shape[1], p, s, d))
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
        checked += 1
    assert checked > 40


def test_presets_do_what_their_names_say():
    flat = np.ones((10, 10))
    inside = (slice(2, 8), slice(2, 8))
    for name in ("identity", "box blur", "Gaussian blur", "sharpen"):
        assert np.sum(PRESETS[name]) == pytest.approx(1.0)  # keep the brightness of flat regions
        np.testing.assert_allclose(feature_map(flat, np.array(PRESETS[name]), 1)[inside], 1.0)
    for name in ("vertical edges (Sobel x)", "horizontal edges (Sobel y)", "outline (Laplacian)"):
        np.testing.assert_allclose(feature_map(flat, np.array(PRESETS[name]), 1)[inside], 0.0,
                                   atol=1e-12)
    image = IMAGES["shapes"]()
    np.testing.assert_array_equal(feature_map(image, np.array(PRESETS["identity"]), 1), image)
    stripes = IMAGES["stripes"]()
    vertical = np.abs(feature_map(stripes, np.array(PRESETS["vertical edges (Sobel x)"])))
    # vertical stripes (left half) light up a vertical-edge kernel; horizontal ones (right) do not
    assert vertical[:, :15].mean() > 1.0 and vertical[:, 22:].max() == 0.0
    assert all(IMAGES[name]().shape == (SIZE, SIZE) for name in IMAGES)


def test_footprint_is_where_the_output_reads():
    image = np.zeros((SIZE, SIZE))
    image[7, 9] = 1.0                                   # one bright pixel
    p, s, d = 1, 2, 2
    rows, cols = footprint(3, 4, p, s, d)               # in padded coordinates
    assert rows == [6, 8, 10] and cols == [8, 10, 12]
    kernel = np.zeros((3, 3))
    kernel[rows.index(7 + p), cols.index(9 + p)] = 1.0  # the tap that lands on the pixel
    assert feature_map(image, kernel, p, s, d)[3, 4] == 1.0


def test_kernel_editor_presets_and_custom_weights():
    w = KernelEditor()
    assert list(w.controls)[0] == "padding"             # the first slider, dragged in the browser
    w.controls["preset"].value = "sharpen"
    np.testing.assert_array_equal(w.kernel, PRESETS["sharpen"])
    np.testing.assert_allclose(w.fig.data[3].z, feature_map(IMAGES["shapes"](), w.kernel, 1))
    w.controls["k4"].value = 1.0                        # editing a weight makes the kernel custom
    assert w.controls["preset"].value == CUSTOM and w.kernel[1, 1] == 1.0
    assert w.fig.layout.title.text.startswith(CUSTOM)
    w.controls["preset"].value = CUSTOM                 # choosing custom keeps the weights
    assert w.kernel[1, 1] == 1.0


def test_kernel_editor_shows_the_output_size_formula():
    w = KernelEditor(padding=0, stride=2, dilation=3)
    n = output_size(SIZE, 3, 0, 2, 3)
    assert n == (40 - 6 - 1) // 2 + 1 == 17
    assert np.shape(w.fig.data[3].z) == (n, n)
    assert f"⌊({SIZE} + 2·0 − 3·(3−1) − 1)/2⌋ + 1 = {n}" in w.fig.layout.title.text
    assert len(w.fig.data[1].x) == 9 and "9 input pixels" in w.status.value
    w.controls["padding"].value = 4
    assert np.shape(w.fig.data[0].z) == (SIZE + 8, SIZE + 8)   # the padding is drawn


# ------------------------------------------------------------------------------ receptive field
def ones_stack_gradient(layers: list[Layer], n: int, i: int, j: int) -> np.ndarray:
    """d unit(i, j) / d input for all-ones kernels: the number of paths, by autograd."""
    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    h = x
    for layer in layers:
        ones = torch.ones(1, 1, layer.k, layer.k, dtype=torch.float64)
        h = F.conv2d(h, ones, stride=layer.s, padding=layer.p, dilation=layer.d)
    h[0, 0, i, j].backward()
    return x.grad[0, 0].numpy()


@pytest.mark.parametrize("preset", list(STACKS))
def test_path_counts_and_sizes_match_autograd_and_torch(preset):
    layers, n = parse_stack(STACKS[preset]), 32
    side = sizes(layers, n)
    x = torch.zeros(1, 1, n, n)
    for layer, expected in zip(layers, side[1:]):
        op = (torch.nn.Conv2d(1, 1, layer.k, layer.s, layer.p, layer.d) if layer.kind == "conv"
              else torch.nn.MaxPool2d(layer.k, layer.s))
        x = op(x)
        assert x.shape[-1] == expected
    m = side[-1]
    for i, j in [(0, 0), (m // 2, m - 1), (m - 1, m // 3)]:
        counts = np.outer(path_counts(layers, n, i), path_counts(layers, n, j))
        np.testing.assert_array_equal(counts, ones_stack_gradient(layers, n, i, j))
        (r_lo, r_hi), (c_lo, c_hi) = input_interval(layers, i), input_interval(layers, j)
        rows, cols = np.nonzero(counts)
        assert r_lo <= rows.min() and rows.max() <= r_hi and c_lo <= cols.min() and cols.max() <= c_hi
        assert r_hi - r_lo + 1 == c_hi - c_lo + 1 == receptive_fields(layers)[-1][0]


def test_receptive_field_recursion_on_known_stacks():
    assert receptive_fields(parse_stack("conv3, conv3, conv3"))[-1] == (7, 1)
    assert receptive_fields(parse_stack("conv3, pool2, conv3, pool2, conv3"))[-1] == (18, 4)
    assert receptive_fields(parse_stack("conv3, conv3d2, conv3d4"))[-1] == (15, 1)
    assert receptive_fields(parse_stack("conv7s2, pool3s2"))[-1] == (11, 4)  # ResNet's stem
    # the interior of a dilated-by-2 stack is never reached at odd offsets (gridding)
    counts = path_counts(parse_stack(STACKS["gridding: dilation 2 × 3"]), 32, 16)
    assert counts[16] > 0 and counts[17] == 0 and counts[10] > 0 and counts[11] == 0 and counts[9] == 0


@pytest.mark.parametrize("text", ["conv", "conv3x", "pool2, , conv3", "conv13", "conv3s5",
                                  "conv3, " * 9 + "conv3"])
def test_parse_stack_rejects_with_a_message(text):
    with pytest.raises(ValueError):
        parse_stack(text)


def test_parse_stack_defaults():
    conv, pool, strided = parse_stack("Conv5d2, pool3, conv3 s2")
    assert conv == Layer("conv", 5, 1, 2, 4) and str(conv) == "conv5d2"
    assert pool == Layer("pool", 3, 3, 1, 0) and str(pool) == "pool3"
    assert strided == Layer("conv", 3, 2, 1, 1) and str(strided) == "conv3s2"


def test_viewer_selects_units_and_reports_the_field():
    w = ReceptiveFieldViewer(preset="three 3×3 convs", size=32)
    assert list(w.controls)[0] == "size"
    assert (w.controls["row"].value, w.controls["col"].value) == (15, 15)  # the centre
    assert "a 7×7 receptive field" in w.fig.layout.title.text
    w.select(0, 31)                                     # what a click on the corner unit does
    assert "rows -3…3, cols 28…34" in w.fig.layout.title.text
    assert "padding" in w.status.value
    z = np.asarray(w.fig.data[0].z, dtype=float)
    counts = np.outer(path_counts(w.layers, 32, 0), path_counts(w.layers, 32, 31))
    np.testing.assert_array_equal(np.nan_to_num(z), counts)
    assert counts[:4, 28:].all() and counts[4:].sum() == counts[:, :28].sum() == 0  # 4×4 visible
    w.controls["preset"].value = "gridding: dilation 2 × 3"
    assert w.controls["stack"].value == STACKS["gridding: dilation 2 × 3"]
    assert "never reached" in w.status.value
    w.controls["stack"].value = "conv3, pool2, conv3x"
    assert "Could not use this stack" in w.status.value and "conv3x" in w.status.value
    w.controls["stack"].value = "pool4, pool4, pool4"
    assert "shrinks" in w.status.value                   # 32 → 8 → 2 → 0
    w.controls["stack"].value = "conv5, pool2"
    assert w.controls["row"].max == 15 and "a 6×6 receptive field" in w.fig.layout.title.text
