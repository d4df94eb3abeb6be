"""L3.06: efficiency explorer. One convolution block, C channels in and out at H × W (stride 1),
built four ways: a standard k×k convolution, a depthwise separable one (depthwise k×k, then
pointwise 1×1, as in MobileNet), and an MBConv block (MobileNetV2's inverted residual: 1×1
expansion to t·C channels, depthwise k×k, optional squeeze-and-excitation, linear 1×1 projection
back to C). Each component is counted from its formula: parameters (convolutions without bias,
each followed by batch norm's 2 per channel; the SE layers with biases) and FLOPs (2 ×
multiply-accumulates of the convolutions and dense layers, as torch.utils.flop_counter counts
them). The convolutions are counted with L2.05's `leaf_cost`. tests/test_widgets_l3_06.py checks
every count against PyTorch."""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
from plotly.subplots import make_subplots

from .architectures import human, leaf_cost
from .base import Explorer, figure

KINDS = ("standard", "separable", "MBConv")
COLORS = {"expand 1×1": "#9467bd", "k×k conv": "#1f77b4", "depthwise k×k": "#2ca02c",
          "pointwise 1×1": "#ff7f0e", "squeeze-excite": "#d62728", "project 1×1": "#8c564b"}
SE_RATIO = 0.25      # EfficientNet: the SE bottleneck has a quarter of the block's input channels
COMPOUND = (1.2, 1.1, 1.15)   # Tan & Le's α (depth), β (width), γ (resolution) for B0 → B1…B7


def squeezed(channels: int) -> int:
    return max(1, int(channels * SE_RATIO))


def _conv(c_in, c_out, k, size, groups=1, bias=False, bn=True):
    """(parameters, FLOPs) of a stride-1 'same' k×k convolution (+ batch norm's 2 per channel)."""
    import torch
    from torch import nn
    with torch.device("meta"):            # sizes only, no weights
        layer = nn.Conv2d(c_in, c_out, k, padding=k // 2, groups=groups, bias=bias)
    _, params, macs = leaf_cost(layer, (c_in, size, size))
    return params + (2 * c_out if bn else 0), 2 * macs


def block_costs(kind: str, channels: int, kernel: int = 3, size: int = 14, expand: int = 4,
                se: bool = True) -> list[tuple[str, int, int]]:
    """[(component, parameters, FLOPs)] of one block on a channels × size × size input."""
    c, k = channels, kernel
    if kind == "standard":
        return [("k×k conv", *_conv(c, c, k, size))]
    if kind == "separable":
        return [("depthwise k×k", *_conv(c, c, k, size, groups=c)),
                ("pointwise 1×1", *_conv(c, c, 1, size))]
    if kind != "MBConv":
        raise ValueError(f"unknown block kind {kind!r}")
    wide, rows = c * expand, []
    if expand != 1:
        rows.append(("expand 1×1", *_conv(c, wide, 1, size)))
    rows.append(("depthwise k×k", *_conv(wide, wide, k, size, groups=wide)))
    if se:                   # two 1×1 convolutions with bias on the pooled 1×1 map
        s = squeezed(c)
        p1, f1 = _conv(wide, s, 1, 1, bias=True, bn=False)
        p2, f2 = _conv(s, wide, 1, 1, bias=True, bn=False)
        rows.append(("squeeze-excite", p1 + p2, f1 + f2))
    rows.append(("project 1×1", *_conv(wide, c, 1, size)))
    return rows


def separable_ratio(c_out: int, k: int) -> float:
    """A depthwise separable conv's multiply-accumulates over a standard one's: 1/C_out + 1/k²."""
    return 1 / c_out + 1 / k ** 2


def compound(phi: float, alpha: float = COMPOUND[0], beta: float = COMPOUND[1],
             gamma: float = COMPOUND[2]) -> dict:
    """Depth, width and resolution multipliers at φ, and the FLOPs factor (α β² γ²)^φ."""
    return {"depth": alpha ** phi, "width": beta ** phi, "resolution": gamma ** phi,
            "flops": (alpha * beta ** 2 * gamma ** 2) ** phi}


@lru_cache(maxsize=1)
def _classes():
    import torch
    from torch import nn

    def conv_bn(c_in, c_out, k, stride=1, groups=1, act=True):
        layers = [nn.Conv2d(c_in, c_out, k, stride, padding=k // 2, groups=groups, bias=False),
                  nn.BatchNorm2d(c_out)]
        return nn.Sequential(*layers, nn.SiLU()) if act else nn.Sequential(*layers)

    class SqueezeExcite(nn.Module):
        """Global average pool → 1×1 conv (C → s) → ReLU → 1×1 conv (s → C) → sigmoid → scale."""

        def __init__(self, channels, hidden):
            super().__init__()
            self.reduce, self.expand = nn.Conv2d(channels, hidden, 1), nn.Conv2d(hidden, channels, 1)

        def forward(self, x):
            s = x.mean((2, 3), keepdim=True)
            return x * torch.sigmoid(self.expand(torch.relu(self.reduce(s))))

    class Block(nn.Module):
        """standard: k×k conv–BN–SiLU. separable: depthwise k×k–BN–SiLU, pointwise 1×1–BN–SiLU.
        MBConv: expand 1×1–BN–SiLU (if t > 1), depthwise k×k–BN–SiLU, SE, project 1×1–BN (linear),
        plus the input when the shapes match (stride 1, C_in = C_out)."""

        def __init__(self, kind, c_in, c_out, kernel=3, stride=1, expand=4, se=True):
            super().__init__()
            k = kernel
            self.residual = kind == "MBConv" and stride == 1 and c_in == c_out
            if kind == "standard":
                parts = [conv_bn(c_in, c_out, k, stride)]
            elif kind == "separable":
                parts = [conv_bn(c_in, c_in, k, stride, groups=c_in), conv_bn(c_in, c_out, 1)]
            elif kind == "MBConv":
                wide = c_in * expand
                parts = [conv_bn(c_in, wide, 1)] if expand != 1 else []
                parts += [conv_bn(wide, wide, k, stride, groups=wide)]
                parts += [SqueezeExcite(wide, squeezed(c_in))] if se else []
                parts += [conv_bn(wide, c_out, 1, act=False)]      # linear bottleneck: no activation
            else:
                raise ValueError(f"unknown block kind {kind!r}")
            self.body = nn.Sequential(*parts)

        def forward(self, x):
            return x + self.body(x) if self.residual else self.body(x)

    return SqueezeExcite, Block


def build_block(kind, channels, kernel=3, expand=4, se=True, c_out=None, stride=1):
    """The block as torch.nn layers (SiLU activations): `channels` in, `c_out` (default the same)
    out. The explorer's counts are for stride 1 and c_out = channels."""
    return _classes()[1](kind, channels, c_out or channels, kernel, stride, expand, se)


def __getattr__(name):
    # `SqueezeExcite` and `Block` are nn.Module classes made on first use: importing needs no torch.
    if name in ("SqueezeExcite", "Block"):
        return _classes()[("SqueezeExcite", "Block").index(name)]
    raise AttributeError(name)


# ---------------------------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------------------------
class EfficiencyExplorer(Explorer):
    """Parameters and FLOPs of one block, component by component, for the chosen block type,
    channels, kernel size, resolution, expansion ratio and SE; and their ratio to a standard conv.

    Controls: `kind`, `channels`, `kernel`, `size`, `expand`, `se`."""

    def __init__(self, kind: str = "separable", channels: int = 64, kernel: int = 3, size: int = 14,
                 expand: int = 4, se: bool = True):
        self.controls = {
            "kind": widgets.ToggleButtons(options=list(KINDS), value=kind, description="Block",
                                          style=widgets.ToggleButtonsStyle(button_width="100px")),
            "channels": widgets.SelectionSlider(options=[8, 16, 24, 32, 48, 64, 96, 128, 192, 256],
                                                value=channels, description="Channels C",
                                                continuous_update=False, layout=widgets.Layout(width="420px")),
            "kernel": widgets.SelectionSlider(options=[1, 3, 5, 7], value=kernel, description="Kernel k",
                                              continuous_update=False, layout=widgets.Layout(width="300px")),
            "size": widgets.SelectionSlider(options=[7, 14, 28, 56, 112], value=size, description="H = W",
                                            continuous_update=False, layout=widgets.Layout(width="420px")),
            "expand": widgets.SelectionSlider(options=[1, 2, 3, 4, 6], value=expand, description="Expand t",
                                              continuous_update=False, layout=widgets.Layout(width="300px")),
            "se": widgets.Checkbox(value=se, description="squeeze-and-excitation (MBConv)", indent=False),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                                        subplot_titles=["parameters", "FLOPs (one image)"]),
                          height=430, margin=dict(l=60, r=20, t=90, b=60), barmode="stack",
                          legend=dict(orientation="h", y=-0.12, x=0))
        for name, color in COLORS.items():
            for col in (1, 2):
                self.fig.add_bar(row=1, col=col, x=[], y=[], name=name, marker_color=color,
                                 legendgroup=name, showlegend=col == 1,
                                 hovertemplate=f"{name}: %{{y:,}}<extra></extra>")
        super().__init__()

    def update(self) -> None:
        v = self.values
        c, k, size, t, se = int(v["channels"]), int(v["kernel"]), int(v["size"]), int(v["expand"]), bool(v["se"])
        self.rows = block_costs(v["kind"], c, k, size, t, se)
        self.standard = block_costs("standard", c, k, size)
        self.totals = {"params": sum(r[1] for r in self.rows), "flops": sum(r[2] for r in self.rows)}
        std = {"params": self.standard[0][1], "flops": self.standard[0][2]}
        self.ratio = {key: self.totals[key] / std[key] for key in self.totals}
        labels = [v["kind"], "standard"]
        with self.fig.batch_update():
            for i, name in enumerate(COLORS):
                mine = {r[0]: r for r in self.rows}.get(name)
                base = {r[0]: r for r in self.standard}.get(name)
                for col, field in ((0, 1), (1, 2)):
                    ys = [mine[field] if mine else 0, base[field] if base else 0]
                    self.fig.data[2 * i + col].update(x=labels, y=ys, visible=bool(mine or base))
            self.fig.layout.title.text = (
                f"one {v['kind']} block: {c} → {c} channels, {k}×{k}, {size}×{size}"
                + "<br><sup>convolutions without bias + batch norm; FLOPs = 2 × multiply-accumulates; "
                + f"MBConv's t = {t}, SE {'on' if se else 'off'}"
                + ("" if v["kind"] == "MBConv" else " (not used by this block)") + "</sup>")
        parts = ", ".join(f"{name} {human(p)} / {human(f)}FLOPs" for name, p, f in self.rows)
        line = (f"<b>{human(self.totals['params'])} parameters, {human(self.totals['flops'])}FLOPs</b> "
                f"= {self.ratio['params']:.3f} and {self.ratio['flops']:.3f} × the standard conv's ({parts})")
        if v["kind"] == "separable":
            line += f"<br>formula for the FLOPs ratio: 1/C + 1/k² = {separable_ratio(c, k):.3f}"
        self.status.value = line


GALLERY = {"EfficiencyExplorer": EfficiencyExplorer}
