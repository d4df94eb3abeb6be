"""L3.19's explorer: CompressionExplorer. Its global threshold against torch.nn.utils.prune's
global magnitude pruning, its grid against torch's symmetric quantization, the storage it reports,
and that the figure shows the table entry and histogram of the chosen setting (the generic sweep
over every control is tests/test_widgets.py)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import prune

from dlcourse.widgets.compression import (BITS, SPARSITIES, CompressionExplorer, compress,
                                          global_threshold, quantize_symmetric, storage_bytes)


def layers(seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(40, 60, generator=g) * 0.05, torch.randn(20, 40, generator=g) * 0.1,
            torch.randn(5, 20, generator=g) * 0.3]


@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.9, 0.98])
def test_global_threshold_is_prune_global_unstructured(sparsity):
    ws = layers()
    net = nn.ModuleList([nn.Linear(w.shape[1], w.shape[0], bias=False) for w in ws])
    with torch.no_grad():
        for lin, w in zip(net, ws):
            lin.weight.copy_(w)
    prune.global_unstructured([(lin, "weight") for lin in net], pruning_method=prune.L1Unstructured,
                              amount=sparsity)
    for k, lin in enumerate(net):
        state = compress([w.numpy() for w in ws], 32, sparsity, layer=k)
        np.testing.assert_array_equal(state["mask"], lin.weight_mask.flatten().numpy().astype(bool))
    threshold = global_threshold([w.numpy() for w in ws], sparsity)
    kept = sum(int((w.abs() > threshold).sum()) for w in ws)
    assert kept == sum(w.numel() for w in ws) - round(sparsity * sum(w.numel() for w in ws))


@pytest.mark.parametrize("bits", [2, 4, 8])
def test_symmetric_grid_is_torch_s(bits):
    w = layers()[0]
    qmax = 2 ** (bits - 1) - 1
    values, scale = quantize_symmetric(w.numpy(), bits)
    assert scale == pytest.approx(w.abs().max().item() / qmax, rel=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.quantize_per_tensor(w, scale, 0, torch.qint8)
    ref = torch.clamp(ref.int_repr(), -qmax, qmax).numpy()        # torch's integers on the b-bit range
    np.testing.assert_array_equal(np.round(values / scale).astype(np.int64), ref)
    assert len(np.unique(values)) <= 2 ** bits - 1


def test_storage_is_the_smaller_of_dense_and_csr():
    assert storage_bytes(1000, 1000, 8) == 1000                  # dense int8
    assert storage_bytes(1000, 100, 8) == 100 * 24 / 8           # CSR: 8-bit value + 16-bit index
    assert storage_bytes(1000, 900, 32) == 4000                  # CSR would be larger
    assert storage_bytes(1000, 1000, 32) == 4000


def test_explorer_shows_the_chosen_setting():
    ws = layers()
    table = np.arange(len(BITS) * len(SPARSITIES), dtype=float).reshape(len(BITS), len(SPARSITIES)) / 100
    ex = CompressionExplorer(ws, ["a", "b", "c"], accuracy=table, finetuned={0.5: 0.3, 0.9: 0.2},
                             bits=8, sparsity=0.0)
    ex.controls["bits"].value = 4
    ex.controls["sparsity"].value = 0.9
    ex.controls["layer"].value = 1
    s = ex.state()
    n = sum(w.numel() for w in ws)
    assert s["kept_all"] == n - round(0.9 * n)
    # the histogram counts the kept weights of layer b, and they all lie on the 15-level grid
    assert int(np.asarray(ex.fig.data[0].y).sum()) == s["kept"] == int((ws[1].abs().flatten().numpy() > s["threshold"]).sum())
    levels = np.asarray(ex.fig.data[1].x)
    assert len(levels) == 15
    kept = s["quantized"][s["mask"]]
    assert np.abs(kept[:, None] - levels[None, :]).min(axis=1).max() < 1e-9
    # the marker sits on the table's entry for (4 bits, 90%), in percent
    marker = ex.fig.data[-1]
    assert list(marker.x) == [90.0] and marker.y[0] == pytest.approx(100 * table[BITS.index(4), SPARSITIES.index(0.9)])
    # the title's size: 10% of the weights as 4-bit values with 16-bit indices, against float32
    ratio = (4 * n) / storage_bytes(n, s["kept_all"], 4)
    assert f"({ratio:.1f}× smaller)" in ex.fig.layout.title.text
    assert "CSR" in ex.status.value
    # the dashed line holds the fine-tuned points
    assert list(ex.fig.data[-2].x) == [50.0, 90.0] and list(ex.fig.data[-2].y) == [30.0, 20.0]
    ex.controls["bits"].value = 32
    assert not ex.fig.data[1].visible and "float32" in ex.fig.layout.annotations[0].text
    ex.controls["sparsity"].value = 0.0
    assert int(np.asarray(ex.fig.data[0].y).sum()) == ws[1].numel()
    assert "dense" in ex.status.value


def test_without_a_table_it_shows_the_weight_error():
    ex = CompressionExplorer(layers(), bits=8, sparsity=0.0)
    assert not ex.measured
    s = ex.state()
    assert s["table_value"] < 0.01                  # 8-bit, nothing pruned: under 1% relative error
    ex.controls["bits"].value = 2
    ex.controls["sparsity"].value = 0.98
    assert ex.state()["table_value"] > 0.5
    with pytest.raises(ValueError):
        CompressionExplorer(layers(), accuracy=np.zeros((2, 2)))
