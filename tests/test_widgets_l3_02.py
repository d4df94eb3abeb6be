"""L3.02's explorer: FxGraphExplorer. The drawn nodes and edges against the fx graph itself (traced
again here), the folding pass against torch.fx's own `fuse` and eager outputs, and what each
control is meant to do (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import pytest
import torch
import torch.fx as fx
from torch.fx.experimental.optimization import fuse

from dlcourse.widgets.fx_graph import MODULES, VIEWS, FxGraphExplorer, example, fold_batch_norm


def drawn_edges(ex):
    """The edges as the figure draws them: segments (x0, y0) → (x1, y1), mapped back to names."""
    at = {(x, y): name for name, x, y in zip(ex.fig.data[1].text, ex.fig.data[1].x, ex.fig.data[1].y)}
    xs, ys = list(ex.fig.data[0].x), list(ex.fig.data[0].y)
    return sorted((at[(xs[i], ys[i])], at[(xs[i + 1], ys[i + 1])]) for i in range(0, len(xs), 3))


@pytest.mark.parametrize("key", list(MODULES))
def test_drawn_graph_is_the_fx_graph(key):
    ex = FxGraphExplorer(module=key, view="fx")
    gm = fx.symbolic_trace(example(key)[0])
    nodes = list(gm.graph.nodes)
    assert list(ex.fig.data[1].text) == [n.name for n in nodes]
    assert list(ex.fig.data[2].cells.values[0]) == [n.name for n in nodes]
    assert list(ex.fig.data[2].cells.values[1]) == [n.op for n in nodes]
    assert drawn_edges(ex) == sorted((i.name, n.name) for n in nodes for i in n.all_input_nodes)
    # every edge goes left to right: a node is drawn after everything it reads
    pos = dict(zip(ex.fig.data[1].text, ex.fig.data[1].x))
    assert all(pos[a] < pos[b] for a, b in drawn_edges(ex))
    assert f"{len(nodes)} nodes" in ex.fig.layout.title.text
    assert "def forward" in ex.status.value


def test_folding_matches_fx_fuse_and_eager():
    model, x = example("convbn")
    folded = fold_batch_norm(fx.symbolic_trace(model))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    with torch.no_grad():
        torch.testing.assert_close(folded(x), model(x), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(folded(x), fuse(model)(x), rtol=1e-5, atol=1e-5)
    assert len(folded.graph.nodes) == len(fx.symbolic_trace(model).graph.nodes) - 2


def test_view_control_changes_the_graph():
    ex = FxGraphExplorer(module="convbn", view="fx")
    assert "bn1" in ex.fig.data[1].text
    ex.controls["view"].value = "folded"
    names = list(ex.fig.data[1].text)
    assert "bn1" not in names and "bn2" not in names and len(names) == 8
    ex.controls["view"].value = "aten"
    ops = set(ex.state.targets)
    assert any("convolution" in t for t in ops) and len(ex.state.names) > 20
    ex.controls["module"].value = "mlp"
    assert ex.state.names[-1] == "output" and any("addmm" in t for t in ex.state.targets)


def test_shapes_are_propagated():
    ex = FxGraphExplorer(module="attention", view="fx")
    shapes = dict(zip(ex.state.names, ex.state.shapes))
    assert shapes["x"] == "2×5×8" and shapes["softmax"] == "2×5×5"


def test_fits_900_px():
    assert FxGraphExplorer().fig.layout.width <= 900
    assert set(VIEWS) == {"fx", "folded", "aten"}
