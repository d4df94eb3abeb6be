"""L1.03's ComputeGraph: its tiny engine against torch.autograd, its layout, every control."""
from __future__ import annotations

import math
import random

import pytest
import torch

from dlcourse.widgets.compute_graph import (DEFAULTS, EXPRESSIONS, INPUTS, SHOW,
                                            ComputeGraph, Var, backward, compute_graph,
                                            layered_layout, topological_order)


def _inputs(rng: random.Random) -> dict[str, float]:
    return {name: rng.uniform(-3, 3) for name in INPUTS}


@pytest.mark.parametrize("key", list(EXPRESSIONS))
def test_gradients_match_torch_autograd(key):
    expr = EXPRESSIONS[key]
    rng = random.Random(key)
    for _ in range(25):
        inputs = _inputs(rng)
        graph = compute_graph(key, inputs)
        leaves = {n.name: n for n in graph.nodes if not n.args}
        assert set(leaves) == set(expr.inputs)
        tensors = {k: torch.tensor(inputs[k], dtype=torch.float64, requires_grad=True)
                   for k in expr.inputs}
        out = expr.build(tensors)
        out.backward()
        assert graph.nodes[-1].data == pytest.approx(out.item(), abs=1e-12)
        assert graph.nodes[-1].grad == 1.0
        for k, t in tensors.items():
            assert leaves[k].grad == pytest.approx(t.grad.item(), abs=1e-12), (key, k)


def test_known_answers():
    # the default tanh neuron, by hand: n = 1*0.8 + 0.5*(-1.2) + 0.3 = 0.5
    g = compute_graph("neuron", DEFAULTS)
    by_name = {n.name: n for n in g.nodes}
    o = math.tanh(0.5)
    assert by_name["n"].data == pytest.approx(0.5)
    assert by_name["o"].data == pytest.approx(o)
    assert by_name["w1"].grad == pytest.approx(1.0 * (1 - o * o))   # x1 (1 - o²)
    assert by_name["x2"].grad == pytest.approx(-1.2 * (1 - o * o))  # w2 (1 - o²)
    assert by_name["b"].grad == pytest.approx(1 - o * o)
    # x1 used twice: the two edges add up, df/dx1 = x2 + exp(x1)
    g = compute_graph("twice", {"x1": 0.3, "x2": -2.0})
    x1 = next(i for i, n in enumerate(g.nodes) if n.name == "x1")
    flows = [e.flow for e in g.edges if e.src == x1]
    assert len(flows) == 2
    assert sum(flows) == pytest.approx(g.nodes[x1].grad)
    assert g.nodes[x1].grad == pytest.approx(-2.0 + math.exp(0.3))
    # a ReLU that is off passes no gradient back
    g = compute_graph("relu", {**DEFAULTS, "b": -3.0})
    assert all(n.grad == 0.0 for n in g.nodes[:-1])
    # the loss is zero, with zero gradients, when the prediction hits the target
    g = compute_graph("loss", {"x1": 0.5, "w1": 1.0, "b": 0.0, "x2": math.tanh(0.5)})
    assert g.nodes[-1].data == pytest.approx(0.0) and g.nodes[-1].name == "L"
    assert all(n.grad == pytest.approx(0.0) for n in g.nodes[:-1])


def test_engine_basics():
    a, b = Var(2.0, name="a"), Var(-3.0, name="b")
    c = a * b + a            # a is used twice
    order = topological_order(c)
    assert order[-1] is c and len(order) == 4
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:          # every node comes after its operands
        assert all(position[id(x)] < position[id(v)] for x in v.args)
    backward(c)
    assert (a.grad, b.grad) == (b.data + 1.0, a.data)
    backward(c)              # the widget's backward starts from zero each time
    assert a.grad == -2.0
    assert (Var(3.0) ** 2).local == (6.0,)
    assert (Var(-1.0).relu().data, Var(-1.0).relu().local) == (0.0, (0.0,))
    assert (Var(1.0) - 4).data == -3.0


@pytest.mark.parametrize("key", list(EXPRESSIONS))
def test_layout_is_layered_and_boxes_do_not_overlap(key):
    g = compute_graph(key, DEFAULTS)
    pos = layered_layout(g)
    assert pos == layered_layout(compute_graph(key, DEFAULTS))  # deterministic
    assert len(pos) == len(g.nodes)
    for e in g.edges:                       # every arrow points right
        assert pos[e.src][0] < pos[e.dst][0]
    assert pos[-1][0] == max(x for x, _ in pos)   # the output is the last layer
    for i, (xi, yi) in enumerate(pos):
        for xj, yj in pos[i + 1:]:
            assert xi != xj or abs(yi - yj) >= 1.0


def _snapshot(w: ComputeGraph):
    d = w.fig.data[0]
    return (tuple(d.text), tuple(d.x), tuple(d.y), len(w.fig.layout.annotations),
            tuple(s.fillcolor for s in w.fig.layout.shapes), w.fig.layout.title.text,
            w.status.value)


def test_first_slider_is_x1_and_changes_the_figure():
    w = ComputeGraph()
    sliders = [k for k, c in w.controls.items() if "Slider" in type(c).__name__]
    assert sliders[0] == "x1"
    for key in EXPRESSIONS:
        w.controls["expression"].value = key
        before = _snapshot(w)
        w.controls["x1"].value = w.controls["x1"].min + 0.85 * (w.controls["x1"].max -
                                                                 w.controls["x1"].min)
        assert _snapshot(w) != before, key
        w.controls["x1"].value = DEFAULTS["x1"]


@pytest.mark.parametrize("key", list(EXPRESSIONS))
def test_every_control_through_its_range(key):
    w = ComputeGraph(expression=key)
    expr = EXPRESSIONS[key]
    assert len(w.fig.layout.shapes) == len(compute_graph(key, DEFAULTS).nodes)
    for name in INPUTS:
        slider = w.controls[name]
        assert slider.disabled == (name not in expr.inputs)
        if slider.disabled:
            continue
        for value in (slider.min, (slider.min + slider.max) / 2, slider.max):
            before = _snapshot(w)
            previous, slider.value = slider.value, value
            if value != previous:
                assert _snapshot(w) != before, (key, name, value)
    for show in SHOW:
        w.controls["show"].value = show
        n_edges = len(compute_graph(key, DEFAULTS).edges)
        assert w.fig.data[0].marker.showscale == (show == SHOW[1])
        # with gradients each edge also gets a label with the gradient it carries back
        assert len(w.fig.layout.annotations) == n_edges * (2 if show == SHOW[1] else 1)
        assert ("grad" in w.fig.data[0].text[0]) == (show == SHOW[1])


def test_switching_expressions_redraws():
    w = ComputeGraph()
    seen = set()
    for key in EXPRESSIONS:
        w.controls["expression"].value = key
        assert EXPRESSIONS[key].formula in w.fig.layout.title.text
        seen.add(len(w.fig.data[0].x))
    assert len(seen) > 1
