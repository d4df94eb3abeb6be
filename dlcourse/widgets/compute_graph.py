"""L1.03: the computational graph of a small expression, with each node's value and gradient.

Move an input slider: the forward pass recomputes every value, the backward pass every gradient,
and the boxes are colored by |gradient| so you can watch it flow back from the output.

The engine here is plumbing for the drawing, kept tiny: each operation stores the numbers of its
local derivatives; `backward` walks the nodes in reverse topological order. The lesson builds the
real one, with closures, in the notebook (and the tests check this one against torch.autograd).
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import ipywidgets as widgets
from plotly.colors import sample_colorscale

from .base import Explorer, figure

INPUTS = ("x1", "x2", "w1", "w2", "b")
DEFAULTS = {"x1": 1.0, "x2": 0.5, "w1": 0.8, "w2": -1.2, "b": 0.3}
SLIDER_RANGE = (-3.0, 3.0, 0.05)  # min, max, step of every input slider
SHOW = ("values", "values + gradients")
BOX_W, BOX_H = 0.64, 0.72  # node boxes, in layer / row units
MIN_SPAN_X, MIN_SPAN_Y = 5.0, 5.0  # the axes show at least this many layers / rows
GRAD_SCALE = [[0.0, "#f7fbff"], [0.5, "#fdd0a2"], [1.0, "#f16913"]]  # |grad| → fill
FORWARD_FILL, LINE, INK, MUTED, FLOW_INK = "#eaf1fb", "#4a5568", "#1a202c", "#a0aec0", "#8c2d04"
FORMULA = {"+": "{0} + {1}", "−": "{0} − {1}", "×": "{0}·{1}", "tanh": "tanh({0})",
           "relu": "relu({0})", "exp": "exp({0})", "^2": "{0}²", "^3": "{0}³"}


# ---------------------------------------------------------------------------------------------
# a tiny scalar engine: local derivatives are stored as numbers when the node is made
# ---------------------------------------------------------------------------------------------
class Var:
    """A scalar that remembers how it was computed: its operands and d(self)/d(operand)."""

    __slots__ = ("data", "grad", "args", "local", "op", "name")

    def __init__(self, data: float, args: tuple = (), local: tuple = (), op: str = "",
                 name: str = ""):
        self.data, self.grad = float(data), 0.0
        self.args, self.local, self.op, self.name = args, local, op, name

    @staticmethod
    def _wrap(other) -> Var:
        return other if isinstance(other, Var) else Var(other, name=f"{other:g}")

    def __add__(self, other):
        other = self._wrap(other)
        return Var(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other):
        other = self._wrap(other)
        return Var(self.data - other.data, (self, other), (1.0, -1.0), "−")

    def __mul__(self, other):
        other = self._wrap(other)
        return Var(self.data * other.data, (self, other), (other.data, self.data), "×")

    def __pow__(self, k: float):
        return Var(self.data ** k, (self,), (k * self.data ** (k - 1),), f"^{k:g}")

    def tanh(self):
        t = math.tanh(self.data)
        return Var(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self):
        return Var(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,), "relu")

    def exp(self):
        e = math.exp(self.data)
        return Var(e, (self,), (e,), "exp")


def topological_order(out: Var) -> list[Var]:
    """Every node `out` depends on, each after its operands (depth-first, post-order)."""
    order, seen = [], set()

    def visit(v: Var) -> None:
        if id(v) not in seen:
            seen.add(id(v))
            for a in v.args:
                visit(a)
            order.append(v)

    visit(out)
    return order


def backward(out: Var) -> list[Var]:
    """Fill in d(out)/d(v) for every node v; return the nodes in topological order."""
    order = topological_order(out)
    for v in order:
        v.grad = 0.0
    out.grad = 1.0
    for v in reversed(order):  # a node passes its gradient on only once it is complete
        for a, d in zip(v.args, v.local):
            a.grad += d * v.grad  # += : a node used twice collects both contributions
    return order


# ---------------------------------------------------------------------------------------------
# the expressions on offer; each builder also runs on torch tensors (the tests use that)
# ---------------------------------------------------------------------------------------------
def named(v, name: str):
    """Give a node a display name (a no-op on anything but a Var, e.g. a torch tensor)."""
    if isinstance(v, Var):
        v.name = name
    return v


def _neuron(v: dict, activation: str):
    p1 = named(v["x1"] * v["w1"], "p1")
    p2 = named(v["x2"] * v["w2"], "p2")
    s = named(p1 + p2, "s")
    n = named(s + v["b"], "n")
    return named(getattr(n, activation)(), "o")


def _used_twice(v: dict):
    p = named(v["x1"] * v["x2"], "p")
    e = named(v["x1"].exp(), "e")
    return named(p + e, "f")


def _squared_error(v: dict):
    z = named(v["x1"] * v["w1"], "z")
    n = named(z + v["b"], "n")
    y = named(n.tanh(), "y")
    d = named(y - v["x2"], "d")
    return named(d ** 2, "L")


class Expression(NamedTuple):
    label: str  # what the dropdown shows
    formula: str  # the whole expression, for the title
    inputs: tuple[str, ...]  # the sliders it reads
    build: Callable  # dict of input name → Var (or tensor) → output
    note: str  # one line for the status bar


EXPRESSIONS = {
    "neuron": Expression("tanh neuron", "o = tanh(x1·w1 + x2·w2 + b)", INPUTS,
                         lambda v: _neuron(v, "tanh"),
                         "∂o/∂w1 = x1 · (1 − o²): a weight's gradient is scaled by its input, and "
                         "a saturated tanh (|n| large) passes almost nothing back."),
    "relu": Expression("ReLU neuron", "o = relu(x1·w1 + x2·w2 + b)", INPUTS,
                       lambda v: _neuron(v, "relu"),
                       "When n < 0 the ReLU is off: its local derivative is 0 and every "
                       "gradient behind it vanishes."),
    "twice": Expression("x1 used twice", "f = x1·x2 + exp(x1)", ("x1", "x2"), _used_twice,
                        "x1 feeds two nodes: its gradient is the sum of the two edges, "
                        "∂f/∂x1 = x2 + exp(x1)."),
    "loss": Expression("squared error", "L = (tanh(x1·w1 + b) − x2)²", ("x1", "x2", "w1", "b"),
                       _squared_error,
                       "A loss: x2 plays the target. The gradient vanishes when the prediction y "
                       "equals x2, and grows with the error d."),
}


class GraphNode(NamedTuple):
    name: str
    op: str  # "" for an input
    formula: str  # how it is computed from its operands' names ("" for an input)
    data: float
    grad: float  # d(output)/d(this node)
    args: tuple[int, ...]  # indices of its operands in Graph.nodes


class GraphEdge(NamedTuple):
    src: int  # operand
    dst: int  # the node that uses it
    local: float  # d(dst)/d(src)
    flow: float  # local · grad(dst): the share of grad(src) that arrives along this edge


class Graph(NamedTuple):
    nodes: list[GraphNode]  # in topological order: the output is last
    edges: list[GraphEdge]


def compute_graph(expression: str, inputs: dict[str, float]) -> Graph:
    """Forward and backward pass of one of EXPRESSIONS at `inputs` (missing ones use DEFAULTS)."""
    expr = EXPRESSIONS[expression]
    leaves = {k: Var(inputs.get(k, DEFAULTS[k]), name=k) for k in expr.inputs}
    order = backward(expr.build(leaves))
    index = {id(v): i for i, v in enumerate(order)}
    nodes = [GraphNode(v.name, v.op,
                       FORMULA.get(v.op, "{0}" + v.op).format(*(a.name for a in v.args))
                       if v.op else "", v.data, v.grad, tuple(index[id(a)] for a in v.args))
             for v in order]
    edges = [GraphEdge(index[id(a)], i, d, d * v.grad)
             for i, v in enumerate(order) for a, d in zip(v.args, v.local)]
    return Graph(nodes, edges)


def layered_layout(graph: Graph) -> list[tuple[float, float]]:
    """(x, y) of every node: x is its layer (1 + the deepest operand's; an input sits one layer
    before its first use), y spreads the inputs in depth-first order from the output and puts
    each operation at the mean height of its operands, at least one row from its neighbours."""
    nodes = graph.nodes
    layer = [0] * len(nodes)
    for i, node in enumerate(nodes):  # topological order: operands come first
        if node.args:
            layer[i] = 1 + max(layer[a] for a in node.args)
    for i, node in enumerate(nodes):
        users = [layer[j] for j, other in enumerate(nodes) if i in other.args]
        if not node.args and users:
            layer[i] = min(users) - 1
    slot: dict[int, float] = {}

    def visit(i: int) -> None:  # inputs get rows in the order a DFS from the output meets them
        for a in nodes[i].args:
            visit(a)
        if not nodes[i].args and i not in slot:
            slot[i] = float(len(slot))

    visit(len(nodes) - 1)
    y = [0.0] * len(nodes)
    for depth in range(max(layer) + 1):
        here = [i for i in range(len(nodes)) if layer[i] == depth]
        for i in here:
            args = nodes[i].args
            y[i] = slot.get(i, 0.0) if not args else sum(y[a] for a in args) / len(args)
        here.sort(key=lambda i: (y[i], i))
        for before, i in zip(here, here[1:]):  # keep boxes one row apart
            y[i] = max(y[i], y[before] + 1.0)
    return [(float(layer[i]), y[i]) for i in range(len(nodes))]


def _fmt(x: float) -> str:
    return f"{x:.3f}".replace("-", "−")


# ---------------------------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------------------------
class ComputeGraph(Explorer):
    """The computational graph of a small expression: values forward, gradients backward.

    Controls: `expression` (dropdown), the input sliders `x1`, `x2`, `w1`, `w2`, `b` (the ones the
    expression does not use are disabled) and `show` ("values" or "values + gradients").
    Boxes show each node's name, how it is computed, its value and its gradient d(output)/d(node),
    colored by |gradient|; the number on an edge is the gradient that flows back along it.
    """

    def __init__(self, expression: str = "neuron", show: str = SHOW[1], **inputs: float):
        lo, hi, step = SLIDER_RANGE
        self.controls = {"expression": widgets.Dropdown(
            options=[(e.label, key) for key, e in EXPRESSIONS.items()], value=expression,
            description="Expression")}
        for name in INPUTS:
            self.controls[name] = widgets.FloatSlider(
                value=inputs.get(name, DEFAULTS[name]), min=lo, max=hi, step=step,
                description=name, readout_format=".2f", continuous_update=True)
        self.controls["show"] = widgets.ToggleButtons(options=list(SHOW), value=show,
                                                      description="Show")
        self.fig = figure(
            title="", height=500, showlegend=False, hovermode="closest",
            margin=dict(l=30, r=30, t=60, b=55),
            xaxis=dict(title="layer: values flow forward (left → right), gradients backward "
                             "(right → left)", showgrid=False, zeroline=False,
                       showticklabels=False, fixedrange=True),
            yaxis=dict(showgrid=False, zeroline=False, showticklabels=False,
                       fixedrange=True),
        )
        self.fig.add_scatter(  # node text; its invisible markers carry the |grad| colorbar
            mode="markers+text", textfont=dict(size=11, color=INK), hoverinfo="text",
            marker=dict(size=1, opacity=0, colorscale=GRAD_SCALE, cmin=0,
                        colorbar=dict(title=dict(text="|gradient|", side="right"), thickness=14,
                                      len=0.75)))
        super().__init__()

    def update(self) -> None:
        key, show_grad = self.values["expression"], self.values["show"] == SHOW[1]
        expr = EXPRESSIONS[key]
        with self.quiet():
            for name in INPUTS:
                self.controls[name].disabled = name not in expr.inputs
        graph = compute_graph(key, {k: self.values[k] for k in expr.inputs})
        pos = layered_layout(graph)
        out = graph.nodes[-1]
        top = max((abs(n.grad) for n in graph.nodes), default=1.0) or 1.0
        flows = max((abs(e.flow) for e in graph.edges), default=1.0) or 1.0
        with self.fig.batch_update():
            self._draw_nodes(graph, pos, show_grad, top, out.name)
            self._draw_edges(graph, pos, show_grad, flows, out.name)
            self._frame(pos)
            what = "values and gradients ∂{0}/∂(node)".format(out.name) if show_grad else "values"
            self.fig.layout.title.text = f"Computational graph of {expr.formula}: {what}"
        leaves = ", ".join(f"∂{out.name}/∂{n.name} = <b>{_fmt(n.grad)}</b>"
                           for n in graph.nodes if not n.args)
        self.status.value = (f"{out.name} = <b>{_fmt(out.data)}</b>. " +
                             (f"Gradients of the inputs: {leaves}. {expr.note}" if show_grad else
                              "Switch <i>Show</i> to <i>values + gradients</i> to run the "
                              "backward pass."))

    def _draw_nodes(self, graph: Graph, pos, show_grad: bool, top: float, out: str) -> None:
        shapes, text, hover = [], [], []
        fills = sample_colorscale(GRAD_SCALE, [abs(n.grad) / top for n in graph.nodes])
        for node, (x, y), fill in zip(graph.nodes, pos, fills):
            head = f"<b>{node.name}</b>" + (f" = {node.formula}" if node.formula else "")
            lines = [head, f"value {_fmt(node.data)}"]
            if show_grad:
                lines.append(f"grad {_fmt(node.grad)}")
            text.append("<br>".join(lines))
            how = f"{node.name} = {node.formula}" if node.formula else f"{node.name}: an input"
            hover.append(f"{how}<br>value {node.data:.6g}<br>∂{out}/∂{node.name} = {node.grad:.6g}"
                         if show_grad else f"{how}<br>value {node.data:.6g}")
            shapes.append(dict(type="rect", xref="x", yref="y", layer="below",
                               x0=x - BOX_W / 2, x1=x + BOX_W / 2, y0=y - BOX_H / 2,
                               y1=y + BOX_H / 2, fillcolor=fill if show_grad else FORWARD_FILL,
                               line=dict(color=LINE, width=2 if not node.args else 1)))
        self.fig.layout.shapes = shapes
        trace = self.fig.data[0]
        trace.update(x=[p[0] for p in pos], y=[p[1] for p in pos], text=text, hovertext=hover)
        trace.marker.update(color=[abs(n.grad) for n in graph.nodes], cmax=top,
                            showscale=show_grad)

    def _draw_edges(self, graph: Graph, pos, show_grad: bool, flows: float, out: str) -> None:
        """An arrow per edge; with gradients, its width and color say how much flows back along
        it, and a label at its middle gives the number (hover it for the chain-rule product)."""
        annotations = []
        colors = sample_colorscale(GRAD_SCALE, [0.25 + 0.75 * abs(e.flow) / flows
                                                for e in graph.edges])
        for edge, color in zip(graph.edges, colors):
            (x0, y0), (x1, y1) = pos[edge.src], pos[edge.dst]
            x0, x1 = x0 + BOX_W / 2, x1 - BOX_W / 2
            width = 1.5 + 3.5 * abs(edge.flow) / flows if show_grad else 1.5
            annotations.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x",
                                    ayref="y", showarrow=True, arrowhead=2, arrowsize=0.8,
                                    arrowwidth=width, arrowcolor=color if show_grad else MUTED,
                                    text=""))
            if show_grad:
                src, dst = graph.nodes[edge.src].name, graph.nodes[edge.dst].name
                annotations.append(dict(
                    x=(x0 + x1) / 2, y=(y0 + y1) / 2, xref="x", yref="y", showarrow=False,
                    text=_fmt(edge.flow), font=dict(size=11, color=FLOW_INK),
                    bgcolor="rgba(255,255,255,0.9)", borderpad=1,
                    hovertext=(f"{src} → {dst}: local derivative ∂{dst}/∂{src} = "
                               f"{edge.local:.6g}<br>× ∂{out}/∂{dst} = "
                               f"{graph.nodes[edge.dst].grad:.6g}<br>= {edge.flow:.6g}, "
                               f"added to ∂{out}/∂{src}")))
        self.fig.layout.annotations = annotations

    def _frame(self, pos) -> None:
        xs, ys = [p[0] for p in pos], [p[1] for p in pos]
        (x0, x1), (y0, y1) = _span(xs, MIN_SPAN_X), _span(ys, MIN_SPAN_Y)
        self.fig.layout.xaxis.range = [x0, x1]
        self.fig.layout.yaxis.range = [y1, y0]  # reversed: the first input on top


def _span(values: list[float], at_least: float) -> tuple[float, float]:
    """An axis range around `values`, padded to at least `at_least` units (and half a unit)."""
    lo, hi = min(values), max(values)
    pad = max(at_least - (hi - lo), 1.0) / 2
    return lo - pad, hi + pad


GALLERY = {"ComputeGraph": ComputeGraph}
