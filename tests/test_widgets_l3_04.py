"""L3.04's explorer: TransposedConvExplorer. Its compute functions against F.conv_transpose2d, and
what each control is meant to do (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.transposed_conv import (TransposedConvExplorer, bilinear_kernel, conv_transpose,
                                              interior, make_input, make_kernel, output_size,
                                              overlap_counts)


def reference(x: np.ndarray, kernel: np.ndarray, stride: int, padding: int = 0,
              output_padding: int = 0) -> np.ndarray:
    return F.conv_transpose2d(torch.from_numpy(x)[None, None], torch.from_numpy(kernel)[None, None],
                              stride=stride, padding=padding, output_padding=output_padding)[0, 0].numpy()


def test_conv_transpose_matches_pytorch():
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(80):
        h, w, k = (int(v) for v in rng.integers(1, 6, 3))
        s, p = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        op = int(rng.integers(0, s))
        if output_size(h, k, s, p, op) < 1 or output_size(w, k, s, p, op) < 1:
            continue
        x, kernel = rng.normal(size=(h, w)), rng.normal(size=(k, k))
        canvas, out = conv_transpose(x, kernel, s, p, op)
        ref = reference(x, kernel, s, p, op)
        assert out.shape == ref.shape == (output_size(h, k, s, p, op), output_size(w, k, s, p, op))
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(canvas[:(h - 1) * s + k, :(w - 1) * s + k], reference(x, kernel, s),
                                   rtol=1e-12, atol=1e-12)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("n,k,s", [(4, 3, 2), (5, 4, 2), (3, 2, 3), (6, 5, 3), (2, 1, 1)])
def test_overlap_counts_are_ones_scattered_with_ones(n, k, s):
    counts = overlap_counts(n, k, s)
    np.testing.assert_array_equal(counts, reference(np.ones((n, n)), np.ones((k, k)), s))
    assert counts.sum() == n * n * k * k               # every copy lands somewhere


def test_the_checkerboard_and_its_absence():
    inner = interior(overlap_counts(6, 3, 2), 6, 3, 2)      # k = 3, s = 2: 1, 2 and 4 copies
    assert set(np.unique(inner)) == {1, 2, 4}
    assert np.all(interior(overlap_counts(6, 4, 2), 6, 4, 2) == 4)   # k a multiple of s: even
    assert np.all(interior(overlap_counts(6, 3, 1), 6, 3, 1) == 9)
    assert interior(overlap_counts(6, 2, 3), 6, 2, 3).min() == 0      # s > k: gaps


def test_bilinear_kernel_interpolates():
    for s in (2, 3, 4):
        k = 2 * s - s % 2
        x = np.arange(12.0).reshape(3, 4)           # a linear ramp in both directions
        out = reference(x, bilinear_kernel(k), s, padding=(k - s + 1) // 2)
        inner = out[s:-s, s:-s]
        # a ramp stays a ramp: second differences vanish away from the edges
        np.testing.assert_allclose(np.diff(inner, 2, axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(np.diff(inner, 2, axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(bilinear_kernel(4)[0], [0.0625, 0.1875, 0.1875, 0.0625])


def test_explorer_shows_what_f_conv_transpose2d_computes():
    w = TransposedConvExplorer()
    assert list(w.controls) == ["kernel", "stride", "padding", "size", "input", "weights", "pixel"]
    assert w.fig.layout.width <= 900
    for k, s, p, n in itertools.product((1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (2, 4)):
        for name, value in (("kernel", k), ("stride", s), ("padding", p), ("size", n)):
            w.controls[name].value = value
        counts = np.array(w.fig.data[1].z, dtype=float)
        np.testing.assert_array_equal(counts, reference(np.ones((n, n)), np.ones((k, k)), s))
        size = output_size(n, k, s, p)
        if size < 1:
            assert "crops away" in w.status.value
            continue
        out = np.array(w.fig.data[2].z, dtype=float)
        # input and kernel "ones": the output is the cropped overlap map
        np.testing.assert_array_equal(out, reference(np.ones((n, n)), np.ones((k, k)), s, p))
        assert f"→ {size}×{size} output" in w.fig.layout.title.text


def test_explorer_inputs_kernels_and_outline():
    w = TransposedConvExplorer(kernel=3, stride=2, padding=1, size=4)
    assert "Uneven overlap" in w.status.value and "1 to 4 copies" in w.status.value
    for input_name, kernel_name in itertools.product(("ones", "one pixel", "random"),
                                                     ("ones", "bilinear", "random")):
        w.controls["input"].value, w.controls["weights"].value = input_name, kernel_name
        np.testing.assert_allclose(np.array(w.fig.data[2].z, dtype=float),
                                   reference(make_input(input_name, 4), make_kernel(kernel_name, 3), 2, 1),
                                   atol=1e-12)
    w.controls["kernel"].value = 4
    assert "Even overlap" in w.status.value
    w.controls["pixel"].value = 6                      # input pixel (1, 2)
    copy = w.fig.layout.shapes[1]
    assert (copy.x0, copy.y0, copy.x1, copy.y1) == (3.5, 1.5, 7.5, 5.5)   # columns 4–7, rows 2–5
    w.controls["size"].value = 2                       # the outlined pixel must stay inside
    assert w.controls["pixel"].max == 3 and w.controls["pixel"].value <= 3
    w.controls["stride"].value, w.controls["kernel"].value = 3, 2
    assert "Gaps" in w.status.value
