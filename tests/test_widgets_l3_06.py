"""L3.06's explorer: EfficiencyExplorer. Its per-component counts against PyTorch (parameters by
numel, FLOPs by FlopCounterMode on a forward pass) for every block type and several settings, and
what the figure and status show against those counts (the generic sweep over every control is
tests/test_widgets.py)."""
from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from dlcourse.widgets.efficient import (
    KINDS,
    EfficiencyExplorer,
    block_costs,
    build_block,
    compound,
    separable_ratio,
)


def pytorch_counts(kind, channels, kernel, size, expand, se):
    block = build_block(kind, channels, kernel, expand, se).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = block(torch.randn(1, channels, size, size))
    assert out.shape == (1, channels, size, size)
    return sum(p.numel() for p in block.parameters()), counter.get_total_flops()


SETTINGS = [(16, 3, 14, 4, True), (64, 5, 7, 6, True), (8, 1, 28, 1, False), (24, 7, 14, 3, False)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channels, kernel, size, expand, se", SETTINGS)
def test_counts_match_pytorch(kind, channels, kernel, size, expand, se):
    rows = block_costs(kind, channels, kernel, size, expand, se)
    params, flops = pytorch_counts(kind, channels, kernel, size, expand, se)
    assert sum(r[1] for r in rows) == params
    assert sum(r[2] for r in rows) == flops


def test_separable_ratio_is_the_formula():
    for c, k in [(16, 3), (64, 5), (256, 3)]:
        sep = sum(r[2] for r in block_costs("separable", c, k, 14))
        std = sum(r[2] for r in block_costs("standard", c, k, 14))
        assert sep / std == pytest.approx(separable_ratio(c, k), rel=1e-12)


def test_compound_flops_factor():
    for phi in range(4):
        m = compound(phi)
        assert m["flops"] == pytest.approx(m["depth"] * m["width"] ** 2 * m["resolution"] ** 2)
    assert compound(1)["flops"] == pytest.approx(1.2 * 1.1 ** 2 * 1.15 ** 2)


@pytest.mark.parametrize("kind", KINDS)
def test_explorer_shows_the_counts(kind):
    ex = EfficiencyExplorer()
    with ex.quiet():
        for name, value in dict(kind=kind, channels=32, kernel=5, size=28, expand=6, se=True).items():
            ex.controls[name].value = value
    ex.update()
    params, flops = pytorch_counts(kind, 32, 5, 28, 6, True)
    assert ex.totals == {"params": params, "flops": flops}
    std_params, std_flops = pytorch_counts("standard", 32, 5, 28, 6, True)
    assert ex.ratio["flops"] == pytest.approx(flops / std_flops)
    # the stacked bars of the chosen block (first x) add up to the totals, the standard's (second) to its own
    fig = ex.fig
    params_bars = [t for t in fig.data if t.xaxis == "x" and t.visible is not False]
    flops_bars = [t for t in fig.data if t.xaxis == "x2" and t.visible is not False]
    assert sum(t.y[0] for t in params_bars) == params and sum(t.y[1] for t in params_bars) == std_params
    assert sum(t.y[0] for t in flops_bars) == flops and sum(t.y[1] for t in flops_bars) == std_flops
    assert f"{ex.ratio['flops']:.3f}" in ex.status.value
    if kind == "separable":
        assert f"{separable_ratio(32, 5):.3f}" in ex.status.value and ex.ratio["flops"] == pytest.approx(
            separable_ratio(32, 5))


def test_se_and_expansion_change_only_mbconv():
    ex = EfficiencyExplorer(kind="MBConv", channels=32, expand=4, se=True)
    with_se = ex.totals["params"]
    ex.controls["se"].value = False
    s = max(1, 32 // 4)
    assert with_se - ex.totals["params"] == 2 * 32 * 4 * s + s + 32 * 4
    ex.controls["kind"].value = "separable"
    before = ex.totals
    ex.controls["expand"].value = 6
    assert ex.totals == before
