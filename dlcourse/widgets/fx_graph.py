"""L3.02: a module's torch.fx graph, drawn as a DAG next to its node table and generated code.

Pick a small module and a view: the graph `torch.fx.symbolic_trace` records (one node per module
call, function call or method call), the same graph after a batch-norm folding pass, or the
graph of ATen operations `make_fx` records (what torch.export and torch.compile work on). Each
node is a dot colored by its op kind, each edge goes from a node to a node that reads its value;
the table gives every node's op, target and output shape (from `ShapeProp`), and the status line
the Python code the GraphModule generated.

The folding pass here is plumbing for the drawing; the lesson writes its own in the notebook (and
the tests check this one against `torch.fx.experimental.optimization.fuse` and eager outputs).
"""
from __future__ import annotations

import html
from typing import Callable, NamedTuple

import ipywidgets as widgets
import torch
import torch.fx as fx
import torch.nn.functional as F
from plotly.subplots import make_subplots
from torch import nn

from .base import Explorer, figure

OP_COLORS = {"placeholder": "#2b6cb0", "get_attr": "#805ad5", "call_module": "#dd6b20",
             "call_function": "#38a169", "call_method": "#d53f8c", "output": "#1a202c"}


# ---------------------------------------------------------------------------------------------
# the modules on offer
# ---------------------------------------------------------------------------------------------
class MLP(nn.Module):
    def __init__(self, d: int = 8):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(d, 4 * d), nn.ReLU(), nn.Linear(4 * d, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ResidualBlock(nn.Module):
    """Three spellings of ReLU (a module, F.relu, torch.relu) and a residual add."""

    def __init__(self, d: int = 8):
        super().__init__()
        self.norm, self.fc1, self.act, self.fc2 = nn.LayerNorm(d), nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d)

    def forward(self, x):
        h = self.fc2(self.act(self.fc1(self.norm(x))))
        return torch.relu(F.relu(h) + x)


class ConvBN(nn.Module):
    """Convolution → batch norm → ReLU, twice, then pooling and a linear head."""

    def __init__(self, c: int = 4):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, c, 3, padding=1), nn.BatchNorm2d(c)
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c)
        self.head = nn.Linear(c, 3)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.head(x.mean((2, 3)))


class Attention(nn.Module):
    """One head of self-attention: method calls (transpose, softmax) next to functions."""

    def __init__(self, d: int = 8):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.scale = d ** -0.5

    def forward(self, x):
        scores = self.q(x) @ self.k(x).transpose(-2, -1) * self.scale
        return scores.softmax(-1) @ self.v(x)


class Example(NamedTuple):
    label: str
    build: Callable[[], nn.Module]
    input_shape: tuple[int, ...]


MODULES = {
    "mlp": Example("MLP (Linear, ReLU, Linear)", MLP, (2, 8)),
    "residual": Example("residual block (3 ReLUs)", ResidualBlock, (2, 8)),
    "convbn": Example("conv + batch norm net", ConvBN, (2, 1, 6, 6)),
    "attention": Example("self-attention head", Attention, (2, 5, 8)),
}
VIEWS = {"fx": "torch.fx symbolic trace", "folded": "after the BN-folding pass",
         "aten": "ATen ops (make_fx)"}


def example(key: str, seed: int = 0) -> tuple[nn.Module, torch.Tensor]:
    """The module (evaluation mode, seeded weights, non-trivial batch-norm statistics) and an input."""
    torch.manual_seed(seed)
    ex = MODULES[key]
    model = ex.build().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.normal_(1, 0.2)
                m.bias.normal_(0, 0.2)
    return model, torch.randn(*ex.input_shape)


# ---------------------------------------------------------------------------------------------
# the folding pass and the views
# ---------------------------------------------------------------------------------------------
def fold_batch_norm(gm: fx.GraphModule) -> fx.GraphModule:
    """Every Conv2d whose only user is an eval-mode BatchNorm2d absorbs it: the conv gets
    W·γ/σ and (b − μ)·γ/σ + β, the BN node is removed. Returns a new GraphModule."""
    import copy
    gm = copy.deepcopy(gm)
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        if node.op != "call_module" or not isinstance(modules[node.target], nn.BatchNorm2d):
            continue
        conv_node = node.args[0]
        if (not isinstance(conv_node, fx.Node) or conv_node.op != "call_module"
                or not isinstance(modules[conv_node.target], nn.Conv2d) or len(conv_node.users) > 1):
            continue
        conv, bn = modules[conv_node.target], modules[node.target]
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        with torch.no_grad():
            conv.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
            conv.bias = nn.Parameter((bias - bn.running_mean) * scale + bn.bias)
        node.replace_all_uses_with(conv_node)
        gm.graph.erase_node(node)
        gm.delete_submodule(node.target)
    gm.graph.lint()
    gm.recompile()
    return gm


def graph_of(key: str, view: str) -> tuple[fx.GraphModule, torch.Tensor]:
    """The GraphModule the explorer draws for module `key` in `view`, and its example input,
    with each node's output shape in node.meta['tensor_meta'] (ShapeProp)."""
    from torch.fx.passes.shape_prop import ShapeProp
    model, x = example(key)
    if view == "aten":
        from torch.fx.experimental.proxy_tensor import make_fx
        params = dict(model.named_parameters()) | dict(model.named_buffers())
        with torch.no_grad():   # inference: no saved-for-backward detach() nodes
            gm = make_fx(lambda p, x: torch.func.functional_call(model, p, (x,)))(params, x)
        ShapeProp(gm).propagate(params, x)
        return gm, x
    gm = fx.symbolic_trace(model)
    if view == "folded":
        gm = fold_batch_norm(gm)
    ShapeProp(gm).propagate(x)
    return gm, x


class Drawn(NamedTuple):
    names: list[str]                 # node names, in graph order
    ops: list[str]
    targets: list[str]
    shapes: list[str]
    edges: list[tuple[str, str]]     # (producer, user)
    pos: list[tuple[float, float]]


def _target(node: fx.Node) -> str:
    t = node.target
    if callable(t):
        return getattr(t, "__name__", str(t)) if not hasattr(t, "_schema") else str(t)
    return str(t)


def _shape(node: fx.Node) -> str:
    meta = node.meta.get("tensor_meta")
    if meta is None or not hasattr(meta, "shape"):
        return ""
    return "×".join(str(s) for s in meta.shape) or "scalar"


def layout(graph: fx.Graph) -> list[tuple[float, float]]:
    """x: 1 + the deepest input's x (placeholders and get_attr at 0); y: order within a column."""
    depth, count, pos = {}, {}, []
    for node in graph.nodes:
        ins = node.all_input_nodes
        d = 1 + max(depth[i] for i in ins) if ins and node.op not in ("placeholder", "get_attr") else 0
        depth[node] = d
        count[d] = count.get(d, 0) + 1
        pos.append((float(d), float(count[d] - 1)))
    return pos


def draw_state(key: str, view: str) -> tuple[Drawn, str]:
    """What the explorer draws: nodes, edges and positions, and the generated code."""
    gm, _ = graph_of(key, view)
    nodes = list(gm.graph.nodes)
    drawn = Drawn([n.name for n in nodes], [n.op for n in nodes], [_target(n) for n in nodes],
                  [_shape(n) for n in nodes],
                  [(i.name, n.name) for n in nodes for i in n.all_input_nodes], layout(gm.graph))
    return drawn, gm.code.strip()


# ---------------------------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------------------------
class FxGraphExplorer(Explorer):
    """A small module's fx graph: the DAG (left), the node table (right), the code (below).

    Controls: `module` (one of MODULES) and `view` (one of VIEWS, a slider from the traced graph
    through the folding pass down to ATen operations)."""

    def __init__(self, module: str = "residual", view: str = "fx"):
        self.controls = {
            "module": widgets.Dropdown(options=[(e.label, k) for k, e in MODULES.items()],
                                       value=module, description="Module"),
            "view": widgets.SelectionSlider(options=[(v, k) for k, v in VIEWS.items()], value=view,
                                            description="Graph", continuous_update=False,
                                            layout=widgets.Layout(width="420px"),
                                            style={"description_width": "initial"}),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.03,
                            specs=[[{"type": "xy"}, {"type": "table"}]])
        self.fig = figure(fig, height=520, showlegend=False, hovermode="closest",
                          margin=dict(l=20, r=20, t=60, b=20))
        self.fig.update_xaxes(visible=False, fixedrange=True)
        self.fig.update_yaxes(visible=False, fixedrange=True, autorange="reversed")
        self.fig.add_scatter(mode="lines", line=dict(color="#a0aec0", width=1.5), hoverinfo="skip",
                             row=1, col=1)
        self.fig.add_scatter(mode="markers+text", textposition="bottom center",
                             textfont=dict(size=10), hoverinfo="text",
                             marker=dict(size=14, line=dict(color="white", width=1)), row=1, col=1)
        self.fig.add_table(header=dict(values=["node", "op", "target", "shape"],
                                       fill_color="#edf2f7", font=dict(size=11)),
                           cells=dict(values=[[], [], [], []], font=dict(size=10), height=20),
                           columnwidth=[0.9, 0.9, 1.3, 0.7], row=1, col=2)
        self.state: Drawn | None = None
        super().__init__()

    def update(self) -> None:
        key, view = self.values["module"], self.values["view"]
        drawn, code = draw_state(key, view)
        self.state = drawn
        index = {name: i for i, name in enumerate(drawn.names)}
        ex, ey = [], []
        for src, dst in drawn.edges:
            (x0, y0), (x1, y1) = drawn.pos[index[src]], drawn.pos[index[dst]]
            ex += [x0, x1, None]
            ey += [y0, y1, None]
        with self.fig.batch_update():
            self.fig.data[0].update(x=ex, y=ey)
            self.fig.data[1].update(
                x=[p[0] for p in drawn.pos], y=[p[1] for p in drawn.pos], text=drawn.names,
                hovertext=[f"{n}<br>op: {o}<br>target: {html.escape(t)}<br>shape: {s}"
                           for n, o, t, s in zip(drawn.names, drawn.ops, drawn.targets, drawn.shapes)],
                marker=dict(color=[OP_COLORS[o] for o in drawn.ops]))
            self.fig.data[2].cells.values = [drawn.names, drawn.ops,
                                            [t[:28] for t in drawn.targets], drawn.shapes]
            depth = max(p[0] for p in drawn.pos)
            self.fig.layout.xaxis.range = [-0.6, depth + 0.6]
            self.fig.layout.title.text = (f"{MODULES[key].label}: {VIEWS[view]}, "
                                          f"{len(drawn.names)} nodes, {len(drawn.edges)} edges")
        kinds = ", ".join(f"<span style='color:{OP_COLORS[o]}'>■</span> {o} "
                          f"{drawn.ops.count(o)}" for o in OP_COLORS if o in drawn.ops)
        self.status.value = (f"{kinds}<br>The code this GraphModule runs:"
                             f"<pre style='font-size:11px;line-height:1.25'>{html.escape(code)}</pre>")


GALLERY = {"FxGraphExplorer": lambda: FxGraphExplorer(module="convbn", view="fx")}
