"""L3.07's explorer: WindowExplorer. Its window ids and shifted-window mask against the Swin paper's
own construction (slices of a label image, window partition, pairwise comparison), rebuilt here
independently, and what each control is meant to do (the generic sweep over every control is
tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse.widgets.swin_windows import (WindowExplorer, attention_map, shifted_window_mask,
                                           stages, window_ids, window_partition, window_reverse)


def reference_partition(x, m):
    b, h, w, _ = x.shape
    return torch.stack([x[k, i:i + m, j:j + m] for k in range(b)
                        for i in range(0, h, m) for j in range(0, w, m)])


def reference_mask(h, w, m, s):
    """The Swin repository's construction: label 9 slices of the rolled grid, compare labels."""
    img = torch.zeros(1, h, w, 1)
    cnt = 0
    for hs in (slice(0, -m), slice(-m, -s), slice(-s, None)):
        for ws in (slice(0, -m), slice(-m, -s), slice(-s, None)):
            img[:, hs, ws, :] = cnt
            cnt += 1
    labels = reference_partition(img, m).reshape(-1, m * m)
    return (labels.unsqueeze(1) - labels.unsqueeze(2)) != 0


def reference_window_ids(h, w, m, s):
    """Roll a grid of position numbers by −s, partition, and read which window each number is in."""
    positions = torch.arange(h * w).reshape(1, h, w, 1)
    rolled = torch.roll(positions, shifts=(-s, -s), dims=(1, 2)) if s else positions
    ids = torch.empty(h * w, dtype=torch.long)
    for k, win in enumerate(reference_partition(rolled, m)):
        ids[win.flatten()] = k
    return ids.reshape(h, w).numpy()


GRIDS = [(8, 4), (12, 4), (12, 6), (14, 7), (16, 8), (24, 3), (28, 7)]


@pytest.mark.parametrize("size, m", GRIDS)
def test_partition_reverse_and_mask_match_the_reference(size, m):
    x = torch.randn(2, size, size, 3)
    assert torch.equal(window_partition(x, m), reference_partition(x, m))
    assert torch.equal(window_reverse(window_partition(x, m), m, size, size), x)
    assert torch.equal(shifted_window_mask(size, size, m, m // 2), reference_mask(size, size, m, m // 2))
    assert not shifted_window_mask(size, size, m, 0).any()
    for s in (0, m // 2):
        np.testing.assert_array_equal(window_ids(size, size, m, s), reference_window_ids(size, size, m, s))


def test_no_allowed_pair_crosses_a_region_border():
    """Every pair the mask allows is a pair of true neighbours in the original image."""
    size, m, s = 12, 4, 2
    coords = torch.stack(torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij"), -1)
    where = window_partition(torch.roll(coords[None], (-s, -s), (1, 2)), m).reshape(-1, m * m, 2)
    gap = (where[:, :, None] - where[:, None, :]).abs().amax(-1)
    assert torch.equal(shifted_window_mask(size, size, m, s), gap > m - 1)


def test_attention_map_agrees_with_ids_and_mask():
    size, m, s = 8, 4, 2
    mask = shifted_window_mask(size, size, m, s)
    ids = window_ids(size, size, m, s)
    for q in [(0, 0), (7, 7), (3, 4), (6, 1)]:
        a = attention_map(size, size, m, s, q)
        assert ((a > 0) == (ids == ids[q])).all()
        # the query's row of the mask, read at the keys' rolled positions
        rolled_q = ((q[0] - s) % size, (q[1] - s) % size)
        window, offset = ids[q], (rolled_q[0] % m) * m + rolled_q[1] % m
        for r in range(size):
            for c in range(size):
                if ids[r, c] == window:
                    rr, cc = (r - s) % size, (c - s) % size
                    assert (a[r, c] == 1) == bool(mask[window, offset, (rr % m) * m + cc % m])


def test_explorer_shows_the_lesson_s_functions():
    ex = WindowExplorer(size=8, window=4, shift=True, row=7, col=7)
    np.testing.assert_array_equal(np.asarray(ex.fig.data[0].z), window_ids(8, 8, 4, 2))
    np.testing.assert_array_equal(np.asarray(ex.fig.data[1].z), attention_map(8, 8, 4, 2, (7, 7)))
    # the corner token (7, 7) rolls to (5, 5): the last window, which holds 4 regions of 2×2
    assert int((np.asarray(ex.fig.data[1].z) == 2).sum()) == 4       # its own 2×2 region
    assert int((np.asarray(ex.fig.data[1].z) == 1).sum()) == 12      # the rest of its window, masked
    ex.controls["shift"].value = False
    np.testing.assert_array_equal(np.asarray(ex.fig.data[0].z), window_ids(8, 8, 4, 0))
    assert int((np.asarray(ex.fig.data[1].z) == 2).sum()) == 16 and not (np.asarray(ex.fig.data[1].z) == 1).any()
    assert "No shift" in ex.status.value


def test_controls_follow_each_other():
    ex = WindowExplorer(size=8, window=4)
    ex.controls["size"].value = 14                         # 4 does not divide 14: a divisor is chosen
    assert ex.controls["window"].value in (2, 7) and 14 % ex.controls["window"].value == 0
    ex.controls["window"].value = 7
    assert list(ex.controls["stage"].options) == [1, 2]    # 14, then 7 after one patch merging
    ex.controls["size"].value = 28
    ex.controls["window"].value = 7
    assert stages(28, 7) == [28, 14, 7]
    ex.controls["stage"].value = 3                         # the last stage: one window, nothing to shift
    s = ex.state()
    assert s["grid"] == 7 and s["shift"] == 0 and s["ids"].max() == 0
    assert ex.controls["row"].max == 6
    assert "1 windows" in ex.fig.layout.title.text


def test_fits_900_px():
    ex = WindowExplorer()
    assert ex.fig.layout.width <= 900
