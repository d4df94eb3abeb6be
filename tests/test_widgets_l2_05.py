"""L2.05's explorer: ArchitectureExplorer. Its counts against PyTorch (parameters, FlopCounterMode,
per-layer output shapes from forward hooks) at several input sizes, and what the figure shows
against those counts (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from dlcourse.widgets.architectures import (
    BUILDERS,
    NAMES,
    QUANTITIES,
    ArchitectureExplorer,
    Inception,
    costs,
    leaf_cost,
    table,
    totals,
)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [96, 224])
def test_counts_match_pytorch(name, size):
    """On the meta device: no weights, but PyTorch's own shapes, parameter sizes and FLOP rules."""
    with torch.device("meta"):
        model = BUILDERS[name](size)
    rows = table(name, size)
    outputs = {}
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: outputs.__setitem__(n, tuple(o.shape[1:])))
             for n, m in model.named_children()]
    with FlopCounterMode(display=False) as counter:
        out = model(torch.empty(1, 3, size, size, device="meta"))
    for hook in hooks:
        hook.remove()
    assert totals(rows)["params"] == sum(p.numel() for p in model.parameters())
    assert totals(rows)["flops"] == counter.get_total_flops()
    assert tuple(out.shape) == (1, 1000)
    for row in rows:                      # every row of a top-level layer: its output shape
        assert row.shape == outputs[row.name], row.name
        assert row.memory >= 4 * torch.Size(row.shape).numel()


def test_a_real_forward_pass_agrees():
    """GoogLeNet at 96×96 with real weights: the same shapes and FLOPs as on the meta device."""
    torch.manual_seed(0)
    model = BUILDERS["GoogLeNet"](96).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = model(torch.randn(1, 3, 96, 96))
    assert out.shape == (1, 1000)
    assert totals(table("GoogLeNet", 96))["flops"] == counter.get_total_flops()


def test_leaf_cost_of_conv_layers():
    for args, shape in [((3, 96, 11, 4, 1), (3, 224, 224)), ((6, 6, 3, 1, 1, 1, 6), (6, 9, 9)),
                        ((4, 8, (2, 5), (2, 1), (0, 2), 2, 2, False), (4, 15, 13))]:
        layer = torch.nn.Conv2d(*args)
        with FlopCounterMode(display=False) as counter:
            y = layer(torch.zeros(1, *shape))
        assert leaf_cost(layer, shape) == (tuple(y.shape[1:]), sum(p.numel() for p in layer.parameters()),
                                           counter.get_total_flops() // 2)


def test_inception_row_adds_up_its_branches():
    block = Inception(192, 64, (96, 128), (16, 32), 32)
    (row,) = costs(torch.nn.Sequential(block), (192, 28, 28))
    assert row.shape == (256, 28, 28) and row.kind == "Inception"
    assert row.params == sum(p.numel() for p in block.parameters())
    inner = 28 * 28 * (64 + 96 + 128 + 16 + 32 + 192 + 32) * 4     # every map the branches make
    assert row.memory == inner + 256 * 28 * 28 * 4


def test_parameters_follow_the_input_size_only_with_dense_heads():
    for name, grows in [("AlexNet", True), ("VGG-11", True), ("NiN", False), ("GoogLeNet", False)]:
        small, large = totals(table(name, 224))["params"], totals(table(name, 384))["params"]
        assert (large > small) == grows, name
    assert totals(table("VGG-11", 224))["params"] == 132_863_336     # d2l / torchvision VGG-11


def test_explorer_shows_the_counts():
    w = ArchitectureExplorer()
    assert w.fig.layout.width <= 900
    assert list(w.controls) == [*NAMES, "quantity", "size"]
    for quantity, (key, _) in QUANTITIES.items():
        w.controls["quantity"].value = quantity
        for trace, name in zip(w.fig.data[:len(NAMES)], NAMES):
            rows = table(name, 224)
            assert list(trace.y) == [getattr(r, key) or None for r in rows]
            assert len(trace.x) == len(rows)
        assert list(w.fig.data[-1].y) == [totals(table(n, 224))[key] for n in NAMES]
    w.controls["quantity"].value = "parameters"
    w.controls["size"].value = 384
    assert "3×384×384" in w.fig.layout.title.text
    assert list(w.fig.data[-1].y) == [totals(table(n, 384))["params"] for n in NAMES]
    w.controls["VGG-11"].value = False
    w.controls["NiN"].value = False
    assert list(w.fig.data[-1].x) == ["AlexNet", "GoogLeNet"]
    assert w.fig.data[1].visible is False and "VGG-11" not in w.status.value
    for name in NAMES:
        w.controls[name].value = False
    assert "Tick at least one" in w.status.value and len(w.fig.data[-1].x) == 0
