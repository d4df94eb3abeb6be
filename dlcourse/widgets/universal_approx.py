"""L1.06: universal approximation. A network with one hidden layer of n neurons fits a 1D target;
move n and watch the fit close in.

For speed the hidden layer is not trained: each neuron gets a random kink position (and, for tanh,
a random steepness), and only the output layer is fitted, by least squares (with a tiny ridge
penalty that keeps the output weights moderate). That is a *random-features* model: a lower bound
on what training all the weights achieves (the lesson trains full networks for comparison). The
random draw is the same for every n, so the network with n + 1 neurons is the one with n plus one.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

MAX_NEURONS = 50
N_TRAIN = 200      # evenly spaced training points in [-1, 1]
N_GRID = 600       # where fit and error are drawn and measured
RIDGE = 1e-4       # penalty on the squared output weights (not the bias)

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin(2πx)": lambda x: np.sin(2 * np.pi * x),
    "|x|": np.abs,
    "step": lambda x: (x > 0).astype(float),
    "two bumps": lambda x: (np.exp(-((x - 0.45) / 0.12) ** 2)
                            - 0.7 * np.exp(-((x + 0.35) / 0.25) ** 2)),
}
ACTIVATIONS = ("ReLU", "tanh")


class Fit(NamedTuple):
    x: np.ndarray              # N_GRID points in [-1, 1]
    target: np.ndarray
    fit: np.ndarray            # the network's output
    parts: np.ndarray          # (n, N_GRID): each neuron's contribution v_j · h_j(x)
    offset: float              # the output bias
    rmse: float                # root-mean-square error on the grid
    max_error: float


def hidden_features(x: np.ndarray, n: int, activation: str = "ReLU", seed: int = 0) -> np.ndarray:
    """(len(x), n) outputs of n random hidden neurons. Neuron j has its kink (ReLU) or centre
    (tanh) at a random c_j in [-1, 1]; ReLU units face left or right at random, tanh units get a
    random steepness. The draw depends only on `seed`: neuron j is the same for every n ≥ j."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}")
    if not 0 <= n <= MAX_NEURONS:
        raise ValueError(f"n must be between 0 and {MAX_NEURONS}, got {n}")
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-1, 1, MAX_NEURONS)[:n]
    signs = rng.choice([-1.0, 1.0], MAX_NEURONS)[:n]
    steep = rng.uniform(3, 15, MAX_NEURONS)[:n]
    z = x[:, None] - centres[None, :]
    if activation == "ReLU":
        return np.maximum(signs * z, 0.0)
    return np.tanh(steep * z)


def fit_random_features(target: str, n: int, activation: str = "ReLU", seed: int = 0) -> Fit:
    """Fit the output layer (n weights and a bias) of a 1-hidden-layer network with random hidden
    neurons to `target` on N_TRAIN points, by (ridge) least squares; evaluate on a finer grid."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {list(TARGETS)}")
    f = TARGETS[target]
    x_train = np.linspace(-1, 1, N_TRAIN)
    design = np.hstack([hidden_features(x_train, n, activation, seed), np.ones((N_TRAIN, 1))])
    penalty = RIDGE * np.eye(n + 1)
    penalty[n, n] = 0.0  # the bias is free
    weights = np.linalg.solve(design.T @ design + penalty, design.T @ f(x_train))
    x = np.linspace(-1, 1, N_GRID)
    parts = (hidden_features(x, n, activation, seed) * weights[:n]).T
    fit = parts.sum(axis=0) + weights[n]
    err = fit - f(x)
    return Fit(x=x, target=f(x), fit=fit, parts=parts, offset=float(weights[n]),
               rmse=float(np.sqrt(np.mean(err ** 2))), max_error=float(np.abs(err).max()))


def error_curve(target: str, activation: str = "ReLU", seed: int = 0,
                max_neurons: int = MAX_NEURONS) -> np.ndarray:
    """RMSE of fit_random_features for n = 1 … max_neurons."""
    return np.array([fit_random_features(target, n, activation, seed).rmse
                     for n in range(1, max_neurons + 1)])


def _joined(x: np.ndarray, rows: np.ndarray) -> tuple[list, list]:
    """Many curves as one trace, separated by gaps (None): fast to draw and to update."""
    xs, ys = [], []
    for row in rows:
        xs += [*x.tolist(), None]
        ys += [*row.tolist(), None]
    return xs, ys


class UniversalApproximation(Explorer):
    """One hidden layer of n random ReLU or tanh neurons, output layer fitted by least squares.

    Controls: `neurons` (1–50), `target` (the function to fit), `activation` (ReLU or tanh) and
    `show_neurons` (draw each neuron's contribution).
    """

    def __init__(self, neurons: int = 3, target: str = "sin(2πx)", activation: str = "ReLU"):
        self.controls = {
            "neurons": widgets.IntSlider(value=neurons, min=1, max=MAX_NEURONS,
                                         description="Neurons n"),
            "target": widgets.Dropdown(options=list(TARGETS), value=target, description="Target"),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                           description="Activation"),
            "show_neurons": widgets.Checkbox(value=True, description="show each neuron"),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.64, 0.36], horizontal_spacing=0.1,
                            subplot_titles=("fit vs target", "error vs number of neurons"))
        self.fig = figure(fig, title="", height=450, showlegend=True,
                          legend=dict(orientation="h", x=0, y=-0.18))
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines", name="neuron contributions",
                             line=dict(color="#9ecae1", width=1))
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines", name="target",
                             line=dict(color="black", width=2, dash="dot"))
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines", name="network",
                             line=dict(color="#d62728", width=3))
        self.fig.add_scatter(row=1, col=2, x=[], y=[], mode="lines+markers", name="RMSE",
                             line=dict(color="#7f7f7f"), marker=dict(size=4), showlegend=False)
        self.fig.add_scatter(row=1, col=2, x=[], y=[], mode="markers", name="this n",
                             marker=dict(size=13, color="#d62728"), showlegend=False)
        self.fig.update_xaxes(title_text="x", row=1, col=1)
        self.fig.update_yaxes(title_text="y", row=1, col=1)
        self.fig.update_xaxes(title_text="neurons n", range=[0, MAX_NEURONS + 1], row=1, col=2)
        self.fig.update_yaxes(title_text="RMSE (log scale)", type="log", dtick=1, row=1, col=2)
        self._curve_key = None
        super().__init__()

    def update(self) -> None:
        v = self.values
        n, target, activation = v["neurons"], v["target"], v["activation"]
        result = fit_random_features(target, n, activation)
        if self._curve_key != (target, activation):
            self._curve_key = (target, activation)
            self._curve = error_curve(target, activation)
        lo, hi = result.target.min(), result.target.max()
        pad = 0.35 * (hi - lo)
        with self.fig.batch_update():
            xs, ys = _joined(result.x, result.parts) if v["show_neurons"] else ([], [])
            self.fig.data[0].update(x=xs, y=ys)
            self.fig.data[1].update(x=result.x, y=result.target)
            self.fig.data[2].update(x=result.x, y=result.fit)
            self.fig.data[3].update(x=list(range(1, MAX_NEURONS + 1)), y=self._curve)
            self.fig.data[4].update(x=[n], y=[result.rmse])
            self.fig.layout.yaxis.range = [lo - pad, hi + pad]
            self.fig.layout.title.text = (f"{n} {activation} neuron{'s' if n > 1 else ''} fitting "
                                          f"{target}: RMSE {result.rmse:.3g}")
        self.status.value = (
            f"Hidden layer: {n} random {activation} neurons (not trained); output layer: "
            f"{n} weights and a bias fitted by least squares on {N_TRAIN} points. "
            f"RMSE <b>{result.rmse:.3g}</b>, largest error <b>{result.max_error:.3g}</b>. "
            "The network is the sum of the light blue curves plus a constant.")


GALLERY = {"UniversalApproximation": UniversalApproximation}
