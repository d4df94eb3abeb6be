"""L2.06: gradient-flow explorer. A deep MLP of square layers is initialized (too small, Xavier,
He, too large, times a scale) and run once, forward and backward, on a small random batch: no
training. The figure shows, layer by layer on log axes, the standard deviation of the activations
and the norms of the gradients (the one sent back to each layer, and the one reaching its weights),
plus a histogram of one layer's activations. Depth, width, activation and init are the controls."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

LEAKY_SLOPE = 0.01   # PyTorch's default negative slope
ACTIVATIONS = ("sigmoid", "tanh", "ReLU", "Leaky ReLU")
INITS = ("std 0.01 (too small)", "Xavier", "He", "std 1 (too large)")
BATCH = 128


def activation_function(name: str):
    import torch
    import torch.nn.functional as F
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "ReLU": torch.relu,
            "Leaky ReLU": lambda z: F.leaky_relu(z, LEAKY_SLOPE)}[name]


def init_std(init: str, fan_in: int, fan_out: int, activation: str) -> float:
    """The weights' standard deviation. Xavier: √(2 / (fan_in + fan_out)); He: √(2 / fan_in), or
    √(2 / ((1 + a²) fan_in)) for a Leaky ReLU of slope a (as kaiming_normal_ with that slope)."""
    if init == "Xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if init == "He":
        slope = LEAKY_SLOPE if activation == "Leaky ReLU" else 0.0
        return math.sqrt(2.0 / ((1.0 + slope ** 2) * fan_in))
    return {"std 0.01 (too small)": 0.01, "std 1 (too large)": 1.0}[init]


@dataclass(frozen=True)
class LayerStats:
    std: float                     # the init's standard deviation, scale included
    activation_std: np.ndarray     # (depth,) std of each layer's output over batch and units
    backward_norm: np.ndarray      # (depth,) ‖∂L/∂z_l‖, z_l = W_l h_{l−1}: what reaches layer l
    gradient_norm: np.ndarray      # (depth,) ‖∂L/∂W_l‖ (Frobenius) = ‖∂L/∂z_lᵀ h_{l−1}‖
    activations: tuple             # depth arrays (batch · width,) of each layer's output


@lru_cache(maxsize=64)
def layer_statistics(depth: int, width: int, activation: str, init: str, scale: float = 1.0,
                     batch: int = BATCH, seed: int = 0) -> LayerStats:
    """One forward and backward pass through `depth` layers h_l = φ(W_l h_{l−1}) (no biases) of
    `width` units, in float64, from inputs x ~ N(0, 1). The loss is L = Σ h_L · G / batch with a
    fixed random G ~ N(0, 1): the gradient sent down from the top has the same size whatever the
    network does, so what happens to it on the way down is the network's doing alone. Every init
    scales the same standard-normal draws, so inits are compared on the same random weights."""
    with one_thread():
        return _statistics(depth, width, activation, init, scale, batch, seed)


def _statistics(depth, width, activation, init, scale, batch, seed) -> LayerStats:
    import torch
    g = torch.Generator().manual_seed(seed)
    phi = activation_function(activation)
    std = scale * init_std(init, width, width, activation)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [(torch.randn(width, width, generator=g, dtype=torch.float64) * std).requires_grad_()
               for _ in range(depth)]
    top = torch.randn(batch, width, generator=g, dtype=torch.float64)
    h, pre, outputs = x, [], []
    for w in weights:
        pre.append(h @ w.T)
        h = phi(pre[-1])
        outputs.append(h)
    loss = (h * top).sum() / batch
    grads = torch.autograd.grad(loss, weights + pre)
    return LayerStats(
        std=std,
        activation_std=np.array([o.detach().std().item() for o in outputs]),
        backward_norm=np.array([gz.norm().item() for gz in grads[depth:]]),
        gradient_norm=np.array([gw.norm().item() for gw in grads[:depth]]),
        activations=tuple(o.detach().flatten().numpy() for o in outputs))


def _positive(values: np.ndarray) -> list:
    """What a log axis can show: finite positive values, None (a gap) elsewhere."""
    return [float(v) if np.isfinite(v) and v > 0 else None for v in values]


def histogram(values: np.ndarray, bins: int = 40):
    """Bin centres, fractions and the bin width of the finite values."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.zeros(0), np.zeros(0), 1.0
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-300 * max(1.0, abs(lo)):
        lo, hi = lo - 0.5 * max(abs(lo), 1e-300), hi + 0.5 * max(abs(hi), 1e-300)
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    return (edges[:-1] + edges[1:]) / 2, counts / values.size, float(edges[1] - edges[0])


def _short(x: float) -> str:
    return f"{x:.2g}" if np.isfinite(x) else str(x)


def _ratio(a: float, b: float) -> str:
    with np.errstate(all="ignore"):
        return _short(a / b) if b > 0 and np.isfinite(a / b) else "undefined"


class GradientFlowExplorer(Explorer):
    """Activation and gradient statistics through a deep MLP at initialization.

    Controls: `depth`, `width`, `activation`, `init`, `scale` (a factor on the init's standard
    deviation) and `layer` (the layer whose activations the histogram shows).
    """

    def __init__(self, depth: int = 20, width: int = 128, activation: str = "tanh",
                 init: str = "Xavier", scale: float = 1.0, layer: int | None = None):
        slider = dict(continuous_update=False, style={"description_width": "70px"},
                      layout=widgets.Layout(width="280px"))
        self.controls = {
            "depth": widgets.IntSlider(value=depth, min=2, max=50, description="Depth", **slider),
            "width": widgets.SelectionSlider(options=[16, 32, 64, 128, 256], value=width,
                                             description="Width", **slider),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation,
                                           description="Activation",
                                           layout=widgets.Layout(width="240px")),
            "init": widgets.Dropdown(options=INITS, value=init, description="Init",
                                     layout=widgets.Layout(width="240px")),
            "scale": widgets.FloatLogSlider(value=scale, base=2, min=-2, max=2, step=0.25,
                                            description="Init × ", readout_format=".2f",
                                            **slider),
            "layer": widgets.IntSlider(value=layer or depth, min=1, max=depth,
                                       description="Histogram", **slider),
        }
        self.fig = figure(make_subplots(rows=1, cols=3, column_widths=[0.34, 0.38, 0.28],
                                        horizontal_spacing=0.09,
                                        subplot_titles=("activation std per layer",
                                                        "gradient norms per layer",
                                                        "activations of one layer")),
                          height=450, margin=dict(l=60, r=20, t=95, b=55),
                          legend=dict(orientation="h", x=0.36, y=-0.2, xanchor="left"))
        traces = ((1, "#1f77b4", "activation std", "solid"),
                  (2, "#d62728", "‖∂L/∂z_l‖ sent back to layer l", "solid"),
                  (2, "#9467bd", "‖∂L/∂W_l‖ reaching its weights", "dot"))
        for col, color, name, dash in traces:
            self.fig.add_scatter(row=1, col=col, x=[], y=[], mode="lines+markers", name=name,
                                 line=dict(color=color, dash=dash), marker=dict(size=5),
                                 showlegend=col == 2,
                                 hovertemplate="layer %{x}: %{y:.3g}<extra></extra>")
        for col in (1, 2):
            self.fig.update_yaxes(row=1, col=col, type="log", exponentformat="power")
            self.fig.update_xaxes(row=1, col=col, title_text="layer")
        self.fig.add_bar(row=1, col=3, x=[], y=[], marker_color="#ff7f0e", showlegend=False,
                         hovertemplate="%{x:.3g}: %{y:.1%}<extra></extra>")
        self.fig.update_xaxes(row=1, col=3, title_text="activation value", exponentformat="e",
                              nticks=5)
        self.fig.update_yaxes(row=1, col=3, tickformat=".0%")
        super().__init__()

    def update(self) -> None:
        v = self.values
        with self.quiet():   # the histogram's layer follows the depth
            layer_control = self.controls["layer"]
            layer_control.max = v["depth"]
            layer_control.value = min(layer_control.value, v["depth"])
        layer = layer_control.value
        stats = layer_statistics(v["depth"], v["width"], v["activation"], v["init"],
                                 float(v["scale"]))
        layers = np.arange(1, v["depth"] + 1)
        centres, fractions, bin_width = histogram(stats.activations[layer - 1])
        act, back = stats.activation_std, stats.backward_norm
        with self.fig.batch_update():
            self.fig.data[0].update(x=layers, y=_positive(act))
            self.fig.data[1].update(x=layers, y=_positive(back))
            self.fig.data[2].update(x=layers, y=_positive(stats.gradient_norm))
            self.fig.data[3].update(x=centres, y=fractions, width=bin_width)
            self.fig.layout.annotations[2].text = f"layer {layer}'s outputs: std {_short(act[layer - 1])}"
            self.fig.layout.shapes = [dict(type="line", xref="x", yref="y domain", x0=layer,
                                           x1=layer, y0=0, y1=1,
                                           line=dict(color="#ff7f0e", width=2, dash="dot"))]
            self.fig.layout.title.text = (
                f"{v['activation']}, {v['init']} × {v['scale']:.2f} (std {stats.std:.3g}), "
                f"{v['depth']} layers of {v['width']}<br><sup>‖∂L/∂z‖ at layer 1 / at layer "
                f"{v['depth']}: {_ratio(back[0], back[-1])} · activation std at layer "
                f"{v['depth']} / at layer 1: {_ratio(act[-1], act[0])}</sup>")
        self.status.value = self._verdict(act, back)

    @staticmethod
    def _verdict(act: np.ndarray, grad: np.ndarray) -> str:
        with np.errstate(all="ignore"):
            ratio = grad[0] / grad[-1]
        if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(act))):
            return "Some values overflowed (inf or nan): this network explodes."
        if grad[-1] == 0 or grad[0] == 0:
            return "Some gradients are exactly zero: no signal reaches those weights."
        if ratio < 1e-2:
            verdict = "the gradient <b>vanishes</b> on its way down: early layers barely learn"
        elif ratio > 1e2:
            verdict = "the gradient <b>explodes</b> on its way down: early layers take huge steps"
        else:
            verdict = "the gradient keeps its size through the network: every layer can learn"
        return (f"The gradient sent back to layer 1 is {ratio:.2g}× the one at the last layer: "
                f"{verdict}. "
                f"Activation std goes from {act[0]:.2g} (layer 1) to {act[-1]:.2g} "
                f"(layer {len(act)}).")


GALLERY = {"GradientFlowExplorer": GradientFlowExplorer}
