"""L2.05: architecture explorer. The four classic ImageNet networks (AlexNet, VGG-11, NiN,
GoogLeNet, in the versions of d2l chapter 8) built with torch.nn at a chosen input size, and
counted layer by layer from the layer formulas alone: parameters, FLOPs (2 × multiply-accumulates
of the convolutions and dense layers, as torch.utils.flop_counter counts them) and activation
memory (float32 outputs of one image). The figure shows one quantity per layer on a log scale,
the selected networks side by side, and their totals; the input size and the quantity are the
controls. tests/test_widgets_l2_05.py checks every count against PyTorch."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
from plotly.subplots import make_subplots

from .base import Explorer, figure

NAMES = ("AlexNet", "VGG-11", "NiN", "GoogLeNet")
COLORS = {"AlexNet": "#d62728", "VGG-11": "#1f77b4", "NiN": "#2ca02c", "GoogLeNet": "#ff7f0e"}
SIZES = (96, 128, 160, 224, 288, 384)
QUANTITIES = {"parameters": ("params", "parameters"), "FLOPs": ("flops", "FLOPs"),
              "activation memory": ("memory", "bytes")}
BYTES = 4   # float32


@dataclass(frozen=True)
class Row:
    name: str          # "conv1", "inception 3a", …
    kind: str          # the module's class name
    shape: tuple       # output shape of one image, (C, H, W) or (features,)
    params: int
    flops: int         # 2 × multiply-accumulates (convolutions and dense layers only)
    memory: int        # bytes of the output (an Inception block: its branches' maps too)


# ---------------------------------------------------------------------------------------------
# counting from the formulas
# ---------------------------------------------------------------------------------------------
def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _out(n, k, s, p, d=1, ceil=False):
    span = n + 2 * p - d * (k - 1) - 1
    return (-(-span // s) if ceil else span // s) + 1


def leaf_cost(module, shape):
    """(output shape, parameters, multiply-accumulates) of one leaf module for one input of
    `shape` (no batch axis), from the layer's formula."""
    from torch import nn
    if isinstance(module, nn.Conv2d):
        c, h, w = shape
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (module.kernel_size, module.stride,
                                                          module.padding, module.dilation))
        o, g = module.out_channels, module.groups
        out = (o, _out(h, kh, sh, ph, dh), _out(w, kw, sw, pw, dw))
        weights = o * (c // g) * kh * kw
        return out, weights + (o if module.bias is not None else 0), out[1] * out[2] * weights
    if isinstance(module, nn.Linear):
        weights = module.in_features * module.out_features
        return ((module.out_features,), weights + (module.out_features if module.bias is not None
                                                   else 0), weights)
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        c, h, w = shape
        k, s, p = map(_pair, (module.kernel_size, module.stride or module.kernel_size, module.padding))
        ceil = module.ceil_mode
        return (c, _out(h, k[0], s[0], p[0], ceil=ceil), _out(w, k[1], s[1], p[1], ceil=ceil)), 0, 0
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return (shape[0], *_pair(module.output_size)), 0, 0
    if isinstance(module, nn.Flatten):
        n = 1
        for d in shape:
            n *= d
        return (n,), 0, 0
    if isinstance(module, (nn.ReLU, nn.Dropout, nn.Identity)):
        return tuple(shape), 0, 0
    raise TypeError(f"no formula for {type(module).__name__}")


def costs(model, shape) -> list[Row]:
    """One Row per layer that computes something (convolutions, dense layers, pooling, Inception
    blocks); ReLU, dropout and flatten change no count and get no row of their own."""
    rows: list[Row] = []
    _walk(model, tuple(shape), rows, "")
    return rows


def _walk(module, shape, rows, name):
    from torch import nn
    if hasattr(module, "branches"):          # an Inception block: parallel branches, concatenated
        outs, params, macs, memory = [], 0, 0, 0
        for branch in module.branches:
            inner: list[Row] = []
            outs.append(_walk(branch, shape, inner, ""))
            params += sum(r.params for r in inner)
            macs += sum(r.flops for r in inner) // 2
            memory += sum(r.memory for r in inner)
        out = (sum(o[0] for o in outs), *outs[0][1:])
        rows.append(Row(name or "inception", "Inception", out, params, 2 * macs,
                        memory + _numel(out) * BYTES))
        return out
    if isinstance(module, nn.Sequential):
        for child_name, child in module.named_children():
            shape = _walk(child, shape, rows, child_name)
        return shape
    out, params, macs = leaf_cost(module, shape)
    if not isinstance(module, (nn.ReLU, nn.Dropout, nn.Identity, nn.Flatten)):
        rows.append(Row(name, type(module).__name__, out, params, 2 * macs, _numel(out) * BYTES))
    return out


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def totals(rows: list[Row]) -> dict:
    return {"params": sum(r.params for r in rows), "flops": sum(r.flops for r in rows),
            "memory": sum(r.memory for r in rows)}


# ---------------------------------------------------------------------------------------------
# the four networks (d2l chapter 8), for 3-channel images of `size` × `size`
# ---------------------------------------------------------------------------------------------
def _torch():
    import torch
    from torch import nn
    return torch, nn


def _named(*pairs):
    from collections import OrderedDict

    from torch import nn
    return nn.Sequential(OrderedDict(pairs))


def _classifier(features, size, hidden, classes, in_channels=3):
    """Flatten → dense(hidden) → ReLU → dropout → dense(hidden) → ReLU → dropout → dense(classes):
    the first dense layer's width follows the feature map the convolutions leave at this size."""
    _, nn = _torch()
    flat = _numel(_walk(features, (in_channels, size, size), [], ""))
    return [("flatten", nn.Flatten()), ("fc6", nn.Linear(flat, hidden)), ("relu6", nn.ReLU()),
            ("drop6", nn.Dropout(0.5)), ("fc7", nn.Linear(hidden, hidden)), ("relu7", nn.ReLU()),
            ("drop7", nn.Dropout(0.5)), ("fc8", nn.Linear(hidden, classes))]


def alexnet(size=224, classes=1000):
    _, nn = _torch()
    features = [("conv1", nn.Conv2d(3, 96, 11, stride=4, padding=1)), ("relu1", nn.ReLU()),
                ("pool1", nn.MaxPool2d(3, stride=2)),
                ("conv2", nn.Conv2d(96, 256, 5, padding=2)), ("relu2", nn.ReLU()),
                ("pool2", nn.MaxPool2d(3, stride=2)),
                ("conv3", nn.Conv2d(256, 384, 3, padding=1)), ("relu3", nn.ReLU()),
                ("conv4", nn.Conv2d(384, 384, 3, padding=1)), ("relu4", nn.ReLU()),
                ("conv5", nn.Conv2d(384, 256, 3, padding=1)), ("relu5", nn.ReLU()),
                ("pool5", nn.MaxPool2d(3, stride=2))]
    return _named(*features, *_classifier(_named(*features), size, 4096, classes))


VGG11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))   # (convolutions, channels) per block


def vgg11(size=224, classes=1000):
    _, nn = _torch()
    features, c = [], 3
    for block, (convs, channels) in enumerate(VGG11, start=1):
        for i in range(1, convs + 1):
            features += [(f"conv{block}_{i}", nn.Conv2d(c, channels, 3, padding=1)),
                         (f"relu{block}_{i}", nn.ReLU())]
            c = channels
        features.append((f"pool{block}", nn.MaxPool2d(2)))
    return _named(*features, *_classifier(_named(*features), size, 4096, classes))


def nin_block(c_in, c_out, kernel, stride, padding, prefix):
    """A k×k convolution, then two 1×1 convolutions: a small MLP applied at every pixel."""
    _, nn = _torch()
    return [(f"{prefix}_conv", nn.Conv2d(c_in, c_out, kernel, stride, padding)),
            (f"{prefix}_relu", nn.ReLU()),
            (f"{prefix}_1x1a", nn.Conv2d(c_out, c_out, 1)), (f"{prefix}_relu_a", nn.ReLU()),
            (f"{prefix}_1x1b", nn.Conv2d(c_out, c_out, 1)), (f"{prefix}_relu_b", nn.ReLU())]


def nin(size=224, classes=1000):
    _, nn = _torch()
    return _named(*nin_block(3, 96, 11, 4, 0, "nin1"), ("pool1", nn.MaxPool2d(3, stride=2)),
                  *nin_block(96, 256, 5, 1, 2, "nin2"), ("pool2", nn.MaxPool2d(3, stride=2)),
                  *nin_block(256, 384, 3, 1, 1, "nin3"), ("pool3", nn.MaxPool2d(3, stride=2)),
                  ("drop", nn.Dropout(0.5)), *nin_block(384, classes, 3, 1, 1, "nin4"),
                  ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()))


@lru_cache(maxsize=1)
def _inception_class():
    torch, nn = _torch()

    class Inception(nn.Module):
        """Inception(c_in, c1, (c2_reduce, c2), (c3_reduce, c3), c4): four parallel branches,
        concatenated along the channels (c1 + c2 + c3 + c4 of them): 1×1; 1×1 → 3×3; 1×1 → 5×5;
        3×3 max pool → 1×1. The 1×1 convolutions before the 3×3 and 5×5 are bottlenecks."""

        def __init__(self, c_in, c1, c2, c3, c4):
            super().__init__()
            self.b1 = nn.Sequential(nn.Conv2d(c_in, c1, 1), nn.ReLU())
            self.b2 = nn.Sequential(nn.Conv2d(c_in, c2[0], 1), nn.ReLU(),
                                    nn.Conv2d(c2[0], c2[1], 3, padding=1), nn.ReLU())
            self.b3 = nn.Sequential(nn.Conv2d(c_in, c3[0], 1), nn.ReLU(),
                                    nn.Conv2d(c3[0], c3[1], 5, padding=2), nn.ReLU())
            self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(c_in, c4, 1),
                                    nn.ReLU())

        @property
        def branches(self):
            return (self.b1, self.b2, self.b3, self.b4)

        def forward(self, x):
            return torch.cat([branch(x) for branch in self.branches], dim=1)

    return Inception


def __getattr__(name):
    # `Inception` is an nn.Module class made on first use: importing the widgets needs no torch.
    if name == "Inception":
        return _inception_class()
    raise AttributeError(name)


GOOGLENET = {  # name: (c_in, c1, (c2 reduce, c2), (c3 reduce, c3), c4), from Szegedy et al. Table 1
    "3a": (192, 64, (96, 128), (16, 32), 32), "3b": (256, 128, (128, 192), (32, 96), 64),
    "4a": (480, 192, (96, 208), (16, 48), 64), "4b": (512, 160, (112, 224), (24, 64), 64),
    "4c": (512, 128, (128, 256), (24, 64), 64), "4d": (512, 112, (144, 288), (32, 64), 64),
    "4e": (528, 256, (160, 320), (32, 128), 128), "5a": (832, 256, (160, 320), (32, 128), 128),
    "5b": (832, 384, (192, 384), (48, 128), 128),
}


def googlenet(size=224, classes=1000):
    _, nn = _torch()
    layers = [("conv1", nn.Conv2d(3, 64, 7, stride=2, padding=3)), ("relu1", nn.ReLU()),
              ("pool1", nn.MaxPool2d(3, stride=2, padding=1)),
              ("conv2", nn.Conv2d(64, 64, 1)), ("relu2", nn.ReLU()),
              ("conv3", nn.Conv2d(64, 192, 3, padding=1)), ("relu3", nn.ReLU()),
              ("pool2", nn.MaxPool2d(3, stride=2, padding=1))]
    for name, spec in GOOGLENET.items():
        layers.append((f"inception {name}", _inception_class()(*spec)))
        if name in ("3b", "4e"):
            layers.append((f"pool{name[0]}", nn.MaxPool2d(3, stride=2, padding=1)))
    layers += [("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()),
               ("fc", nn.Linear(1024, classes))]
    return _named(*layers)


BUILDERS = {"AlexNet": alexnet, "VGG-11": vgg11, "NiN": nin, "GoogLeNet": googlenet}


@lru_cache(maxsize=64)
def table(name: str, size: int = 224) -> tuple[Row, ...]:
    """The rows of network `name` for one 3×size×size image, built on the meta device (no
    weights are allocated: the counts need only the layers' sizes)."""
    import torch
    with torch.device("meta"):
        model = BUILDERS[name](size)
    return tuple(costs(model, (3, size, size)))


def human(x: float, unit: str = "") -> str:
    """1.2 G, 61 M, 3.4 k; bytes as MB."""
    if unit == "bytes":
        return f"{x / 2 ** 20:.1f} MB"
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.0f}"


# ---------------------------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------------------------
class ArchitectureExplorer(Explorer):
    """Per-layer parameters, FLOPs or activation memory of the classic networks, and totals.

    Controls: one checkbox per network, `quantity` and `size` (the input's height and width)."""

    def __init__(self, quantity: str = "parameters", size: int = 224, networks=NAMES):
        self.controls = {name: widgets.Checkbox(value=name in networks, description=name,
                                                indent=False, layout=widgets.Layout(width="110px"))
                         for name in NAMES}
        self.controls["quantity"] = widgets.ToggleButtons(
            options=list(QUANTITIES), value=quantity, description="Show",
            style=widgets.ToggleButtonsStyle(button_width="130px"))
        self.controls["size"] = widgets.SelectionSlider(
            options=SIZES, value=size, description="Input size", continuous_update=False,
            layout=widgets.Layout(width="330px"))
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.76, 0.24],
                                        horizontal_spacing=0.09,
                                        subplot_titles=["per layer", "total"]),
                          height=490, margin=dict(l=70, r=20, t=90, b=95), barmode="group",
                          bargap=0.15, legend=dict(orientation="h", y=-0.2, x=0))
        for name in NAMES:
            self.fig.add_bar(row=1, col=1, x=[], y=[], name=name, marker_color=COLORS[name],
                             customdata=[], hovertemplate="%{customdata}<extra></extra>")
        self.fig.add_bar(row=1, col=2, x=[], y=[], marker_color=[], showlegend=False, text=[],
                         textposition="outside", cliponaxis=False,
                         hovertemplate="%{x}: %{text}<extra></extra>")
        self.fig.update_yaxes(type="log", exponentformat="SI")
        self.fig.update_xaxes(title_text="layer (in order)", row=1, col=1)
        super().__init__()

    @property
    def selected(self) -> list[str]:
        return [name for name in NAMES if self.controls[name].value]

    def update(self) -> None:
        v = self.values
        key, unit = QUANTITIES[v["quantity"]]
        size = int(v["size"])
        chosen = self.selected
        self.shown = {}          # name → (rows, totals) drawn now, for tests and the status line
        with self.fig.batch_update():
            for trace, name in zip(self.fig.data[:len(NAMES)], NAMES):
                if name not in chosen:
                    trace.update(x=[], y=[], customdata=[], visible=False)
                    continue
                rows = table(name, size)
                self.shown[name] = (rows, totals(rows))
                trace.update(visible=True, x=list(range(1, len(rows) + 1)),
                             y=[max(getattr(r, key), 0) or None for r in rows],
                             customdata=[f"{name} · {r.name} ({r.kind}) → {'×'.join(map(str, r.shape))}"
                                         f"<br>{human(getattr(r, key), unit)} {v['quantity']}"
                                         for r in rows])
            self.fig.data[-1].update(x=chosen, y=[self.shown[n][1][key] for n in chosen],
                                     marker_color=[COLORS[n] for n in chosen],
                                     text=[human(self.shown[n][1][key], unit) for n in chosen])
            if chosen:   # the totals' log axis from a decade below the smallest: bars compare fairly
                values = [self.shown[n][1][key] for n in chosen]
                self.fig.layout.yaxis2.range = [math.log10(min(values)) - 1, math.log10(max(values)) + 0.4]
            what = {"params": "parameters (log scale; zero for pooling)",
                    "flops": "FLOPs = 2 × multiply-accumulates, one image (log scale)",
                    "memory": "activation memory, float32 outputs of one image (log scale)"}[key]
            self.fig.layout.title.text = (f"{what}<br><sup>input 3×{size}×{size}, 1,000 classes"
                                          f"</sup>")
        if not chosen:
            self.status.value = "Tick at least one network."
            return
        lines = [f"<b>{n}</b>: {human(t['params'])} parameters ({human(t['params'] * 4, 'bytes')}), "
                 f"{human(t['flops'])}FLOPs, {human(t['memory'], 'bytes')} of activations"
                 for n, (_, t) in self.shown.items()]
        self.status.value = "<br>".join(lines)


GALLERY = {"ArchitectureExplorer": ArchitectureExplorer}
