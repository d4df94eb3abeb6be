"""L2.02: regularization strength against the generalization gap, and what each penalty does to
the weights.

`regularization_sweep` trains one small MLP (one hidden layer) per setting: no
regularization, then a range of strengths for each of an L2 penalty, an L1 penalty and dropout
(on the input and the hidden layer), full-batch SGD with momentum. It keeps each run's train and test accuracy and a histogram
of its first layer's weights. The explorer only looks the runs up, so it answers at once; the
default demo sweeps scikit-learn's 8×8 digits (bundled, no download) and is computed once.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

KINDS = ("L2", "L1", "dropout")
# strengths of each kind, weakest first; index 0 of every kind is the same unregularized run
STRENGTHS = {"L2": (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 6e-2, 1e-1),
             "L1": (0.0, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
             "dropout": (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8)}
SYMBOL = {"L2": "λ₂", "L1": "λ₁", "dropout": "p"}
NEAR_ZERO = 1e-3   # a weight is counted as (practically) zero below this magnitude
BINS = 61


class Run(NamedTuple):
    train_accuracy: float
    test_accuracy: float
    counts: np.ndarray        # histogram of the first layer's weights over `Sweep.edges`
    near_zero: float          # fraction of first-layer weights with |w| < NEAR_ZERO

    @property
    def gap(self) -> float:
        return self.train_accuracy - self.test_accuracy


class Sweep(NamedTuple):
    runs: dict                # (kind, index into STRENGTHS[kind]) → Run; index 0 is shared
    edges: np.ndarray         # histogram bin edges, the same for every run
    description: str          # what was trained, for the figure's title


def _label(kind: str, strength: float) -> str:
    if strength == 0:
        return "none"
    return f"{strength:g}" if kind == "dropout" else f"{strength:.0e}".replace("e-0", "e-")


def train_one(X_train, y_train, X_test, y_test, kind: str = "L2", strength: float = 0.0,
              hidden: int = 64, steps: int = 300, lr: float = 0.1, seed: int = 0):
    """One full-batch run (SGD, momentum 0.9) of a d-hidden-10 ReLU MLP; returns (model, train
    accuracy, test accuracy). L2 is weight decay λ on the weight matrices (for SGD, the penalty
    (λ/2)·Σw²); L1 is the proximal step, a soft threshold of lr·λ after each step; dropout drops
    inputs and hidden units with probability p in training (nn.Dropout)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    torch.manual_seed(seed)
    p = strength if kind == "dropout" else 0.0
    model = nn.Sequential(nn.Dropout(p), nn.Linear(X_train.shape[1], hidden), nn.ReLU(),
                          nn.Dropout(p), nn.Linear(hidden, 10))
    weights, biases = [model[1].weight, model[4].weight], [model[1].bias, model[4].bias]
    decay = strength if kind == "L2" else 0.0
    optimizer = torch.optim.SGD([{"params": weights, "weight_decay": decay},
                                 {"params": biases, "weight_decay": 0.0}], lr=lr, momentum=0.9)
    model.train()
    for _ in range(steps):
        loss = F.cross_entropy(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if kind == "L1" and strength:
            with torch.no_grad():
                for w in weights:      # soft threshold: sign(w)·max(|w| − lr·λ, 0)
                    w.copy_(w.sign() * (w.abs() - lr * strength).clamp(min=0))
    model.eval()
    with torch.no_grad():
        accuracy = [(model(X).argmax(1) == y).float().mean().item()
                    for X, y in ((X_train, y_train), (X_test, y_test))]
    return model, accuracy[0], accuracy[1]


def regularization_sweep(X_train, y_train, X_test, y_test, hidden: int = 64, steps: int = 300,
                         lr: float = 0.1, seed: int = 0, description: str = "") -> Sweep:
    """Every setting of STRENGTHS trained by `train_one` (inputs flattened to (N, features)).
    The runs are small enough that one CPU thread is faster than several (threads would only
    wait for each other), so they run on one and the setting is restored afterwards."""
    X_train, X_test = X_train.flatten(1), X_test.flatten(1)
    models, runs = {}, {}
    with one_thread():
        for kind in KINDS:
            for i, strength in enumerate(STRENGTHS[kind]):
                if i == 0 and ("L2", 0) in models:      # "none" is one run, shared by all kinds
                    models[kind, 0], runs[kind, 0] = models["L2", 0], runs["L2", 0]
                    continue
                model, train_acc, test_acc = train_one(X_train, y_train, X_test, y_test, kind,
                                                       strength, hidden, steps, lr, seed)
                models[kind, i] = model
                runs[kind, i] = (train_acc, test_acc)
    first = {key: m[1].weight.detach().flatten().numpy() for key, m in models.items()}
    bound = float(np.quantile(np.abs(first["L2", 0]), 0.995))
    edges = np.linspace(-bound, bound, BINS + 1)
    out = {}
    for key, (train_acc, test_acc) in runs.items():
        w = first[key]
        counts, _ = np.histogram(np.clip(w, -bound, bound), bins=edges)
        out[key] = Run(train_acc, test_acc, counts, float(np.mean(np.abs(w) < NEAR_ZERO)))
    n, d = X_train.shape
    text = description or f"{n} training examples"
    return Sweep(out, edges, f"{text}, {d}-{hidden}-10 MLP, {steps} full-batch SGD steps")


@lru_cache(maxsize=4)
def digits_sweep(n_train: int = 200, steps: int = 200, seed: int = 0) -> Sweep:
    """The demo's sweep: `n_train` of scikit-learn's 8×8 digits for training, the rest for test
    (computed once per session: a few seconds)."""
    import torch

    from ..data import load_digits
    X, y = load_digits("all")
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    train, test = order[:n_train], order[n_train:]
    return regularization_sweep(X[train], y[train], X[test], y[test], hidden=64, steps=steps,
                                seed=seed, description=f"{n_train} of the 8×8 digits")


class RegularizationExplorer(Explorer):
    """Train and test accuracy against regularization strength (the gap shaded between them),
    and the first layer's weights at the chosen strength beside the unregularized ones.

    Controls: `kind` (L2, L1 or dropout) and `strength` (its position in STRENGTHS[kind], 0 =
    none). `sweep` is a `regularization_sweep`; by default the digits demo.
    """

    def __init__(self, sweep: Sweep | None = None, kind: str = "L2", strength: int = 4):
        self.sweep = sweep if sweep is not None else digits_sweep()
        self.controls = {
            "kind": widgets.ToggleButtons(options=list(KINDS), value=kind,
                                          description="Regularizer"),
            "strength": widgets.IntSlider(value=strength, min=0, max=len(STRENGTHS[kind]) - 1,
                                          description="Strength", readout=False),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.12,
                            subplot_titles=("accuracy against strength",
                                            "first-layer weights"))
        self.fig = figure(fig, title="", height=460,
                          legend=dict(orientation="h", y=-0.2, x=0.0))
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines+markers", name="train",
                             line=dict(color="#1f77b4"))
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines+markers", name="test",
                             line=dict(color="#ff7f0e"), fill="tonexty",
                             fillcolor="rgba(214, 39, 40, 0.12)")
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="markers", name="chosen",
                             marker=dict(size=15, color="rgba(0,0,0,0)",
                                         line=dict(color="#d62728", width=2.5)))
        self.fig.add_bar(row=1, col=2, x=[], y=[], name="no regularization",
                         marker_color="#9e9e9e", opacity=0.55)
        self.fig.add_bar(row=1, col=2, x=[], y=[], name="chosen strength",
                         marker_color="#2ca02c", opacity=0.75)
        self.fig.update_layout(barmode="overlay", bargap=0)
        self.fig.update_xaxes(title_text="strength (index 0: none)", type="category",
                              row=1, col=1)
        self.fig.update_yaxes(title_text="accuracy", tickformat=".0%", row=1, col=1)
        self.fig.update_xaxes(title_text="weight value", row=1, col=2)
        self.fig.update_yaxes(title_text="count (log)", type="log", row=1, col=2)
        super().__init__()

    def update(self) -> None:
        kind, index = self.values["kind"], self.values["strength"]
        runs = [self.sweep.runs[kind, i] for i in range(len(STRENGTHS[kind]))]
        labels = [_label(kind, s) for s in STRENGTHS[kind]]
        run, base = runs[index], runs[0]
        centres = (self.sweep.edges[:-1] + self.sweep.edges[1:]) / 2
        width = float(self.sweep.edges[1] - self.sweep.edges[0])
        with self.fig.batch_update():
            self.fig.data[0].update(x=labels, y=[r.train_accuracy for r in runs])
            self.fig.data[1].update(x=labels, y=[r.test_accuracy for r in runs])
            self.fig.data[2].update(x=[labels[index]] * 2,
                                    y=[run.train_accuracy, run.test_accuracy])
            self.fig.data[3].update(x=centres.tolist(), y=base.counts.tolist(), width=width)
            self.fig.data[4].update(x=centres.tolist(), y=run.counts.tolist(), width=width)
            self.fig.layout.xaxis.title.text = f"{kind} strength {SYMBOL[kind]}"
            self.fig.layout.title.text = self.sweep.description
        change = (run.gap - base.gap) / base.gap if base.gap > 0 else 0.0
        self.status.value = (
            f"{kind}, {SYMBOL[kind]} = {labels[index]}: train {run.train_accuracy:.1%}, test "
            f"{run.test_accuracy:.1%}, gap <b>{100 * run.gap:.1f}</b> points "
            f"(unregularized {100 * base.gap:.1f}: {change:+.0%}). "
            f"First-layer weights with |w| &lt; {NEAR_ZERO:g}: {run.near_zero:.1%} "
            f"(unregularized {base.near_zero:.1%}).")


GALLERY = {"RegularizationExplorer": RegularizationExplorer}
