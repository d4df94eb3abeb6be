"""L1.06: activation explorer. An activation function f and its derivative f′, with the
pre-activations z = s·x of standard-normal inputs x drawn on both curves: as the weight scale s
grows, the inputs spread into the flat tails of sigmoid and tanh, where f′ ≈ 0 (saturation)."""
from __future__ import annotations

from typing import Callable, NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

Z_MAX = 10.0         # the plots show z in [-Z_MAX, Z_MAX]
N_SAMPLES = 150      # inputs drawn on the curves
SATURATED = 0.1      # f′ below this fraction of its peak counts as saturated
LEAK = 0.1


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow for large |z|


# name → (f, f′, peak of f′)
ACTIVATIONS: dict[str, tuple[Callable, Callable, float]] = {
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), 0.25),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, 1.0),
    "ReLU": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float), 1.0),
    "leaky ReLU (0.1)": (lambda z: np.where(z > 0, z, LEAK * z),
                         lambda z: np.where(z > 0, 1.0, LEAK), 1.0),
}
FORMULAS = {
    "sigmoid": "σ(z) = 1/(1+e⁻ᶻ),  σ′ = σ(1−σ) ≤ 1/4",
    "tanh": "tanh z,  tanh′ = 1 − tanh² ≤ 1",
    "ReLU": "max(0, z),  ReLU′ = 1 if z > 0 else 0",
    "leaky ReLU (0.1)": "max(0.1z, z),  f′ = 1 or 0.1",
}


class Profile(NamedTuple):
    z: np.ndarray            # grid over [-Z_MAX, Z_MAX]
    f: np.ndarray            # f(z) on the grid
    df: np.ndarray           # f′(z) on the grid
    samples: np.ndarray      # pre-activations s·x of the fixed standard-normal inputs x
    f_samples: np.ndarray
    df_samples: np.ndarray
    mean_df: float           # average f′ over the samples: how much gradient gets through
    saturated: float         # fraction of samples with f′ < SATURATED × peak
    peak: float              # the largest value f′ takes


def activation_profile(name: str, scale: float, n_samples: int = N_SAMPLES,
                       seed: int = 0) -> Profile:
    """f and f′ on a grid, and at the pre-activations z = scale · x of `n_samples` fixed
    standard-normal inputs x (the same x for every scale, so a slider only stretches them)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {list(ACTIVATIONS)}")
    f, df, peak = ACTIVATIONS[name]
    z = np.linspace(-Z_MAX, Z_MAX, 801)
    x = np.random.default_rng(seed).standard_normal(n_samples)
    samples = scale * x
    d_samples = df(samples)
    return Profile(z=z, f=f(z), df=df(z), samples=samples, f_samples=f(samples),
                   df_samples=d_samples, mean_df=float(d_samples.mean()),
                   saturated=float((d_samples < SATURATED * peak).mean()), peak=peak)


class ActivationExplorer(Explorer):
    """An activation and its derivative, with inputs of adjustable spread drawn on both.

    Controls: `scale` (the weight scale s: pre-activations are z = s·x for x ~ N(0, 1)) and
    `activation` (sigmoid, tanh, ReLU, leaky ReLU).
    """

    def __init__(self, activation: str = "sigmoid", scale: float = 1.0):
        self.controls = {
            "scale": widgets.FloatSlider(value=scale, min=0.1, max=5.0, step=0.1,
                                         description="Scale s", readout_format=".1f"),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                           description="Activation"),
        }
        fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                            subplot_titles=("activation f(z)", "derivative f′(z)"))
        self.fig = figure(fig, title="", height=430, showlegend=True,
                          legend=dict(orientation="h", x=0, y=-0.2))
        for col, (name, color) in enumerate((("f(z)", "#1f77b4"), ("f′(z)", "#d62728")), start=1):
            self.fig.add_scatter(row=1, col=col, x=[], y=[], mode="lines", name=name,
                                 line=dict(color=color, width=3))
        for col in (1, 2):
            self.fig.add_scatter(row=1, col=col, x=[], y=[], mode="markers",
                                 name="inputs z = s·x" if col == 1 else "their f′",
                                 marker=dict(size=7, color="#ff7f0e", opacity=0.45,
                                             line=dict(width=0)),
                                 showlegend=col == 1)
        self.fig.update_xaxes(title_text="pre-activation z", range=[-Z_MAX, Z_MAX],
                              zeroline=True)
        self.fig.update_yaxes(title_text="f(z)", row=1, col=1)
        self.fig.update_yaxes(title_text="f′(z)", range=[-0.05, 1.1], row=1, col=2)
        super().__init__()

    def update(self) -> None:
        name, scale = self.values["activation"], self.values["scale"]
        p = activation_profile(name, scale)
        visible = np.abs(p.samples) <= Z_MAX
        low = {"sigmoid": (-0.05, 1.05), "tanh": (-1.1, 1.1)}.get(name, (-1.5, Z_MAX))
        with self.fig.batch_update():
            self.fig.data[0].update(x=p.z, y=p.f)
            self.fig.data[1].update(x=p.z, y=p.df)
            self.fig.data[2].update(x=p.samples[visible], y=p.f_samples[visible])
            self.fig.data[3].update(x=p.samples[visible], y=p.df_samples[visible])
            self.fig.layout.yaxis.range = low
            band = dict(type="rect", x0=max(-2 * scale, -Z_MAX), x1=min(2 * scale, Z_MAX), y0=0,
                        y1=1, fillcolor="#ff7f0e", opacity=0.1, line_width=0, layer="below")
            self.fig.layout.shapes = [dict(band, xref="x", yref="y domain"),
                                      dict(band, xref="x2", yref="y2 domain")]
            self.fig.layout.title.text = (f"{name}: scale s = {scale:.1f} → mean f′ = "
                                          f"{p.mean_df:.3f}, {p.saturated:.0%} of inputs saturated")
        self.status.value = (
            f"{FORMULAS[name]}. The shaded band holds 95% of the inputs (|z| ≤ 2s). "
            f"Average derivative over the inputs <b>{p.mean_df:.3f}</b> (its peak is {p.peak:g}); "
            f"<b>{p.saturated:.0%}</b> of them are saturated (f′ below a tenth of its peak): "
            f"backpropagation multiplies the gradient by f′ there, so little flows back.")


GALLERY = {"ActivationExplorer": ActivationExplorer}
