"""L2.07: batch-norm explorer. Two copies of a small deep MLP, one plain and one with a batch-norm
layer before each nonlinearity, start from the same weights and train with the same SGD steps on
the same batches of a small synthetic classification task. Every few steps the run stores, for a
fixed probe batch, each hidden layer's pre-activations (the values the nonlinearity receives). The
figure shows their histograms layer by layer, plain run on top and batch-norm run below, at the
training step the slider picks. Activation, learning rate and step are the controls."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

ACTIVATIONS = ("sigmoid", "tanh", "ReLU")
LEARNING_RATES = (0.05, 0.2, 0.5, 1.0)
DEPTH, WIDTH, INPUTS, CLASSES = 5, 64, 32, 4
STEPS, EVERY, BATCH, PROBE = 150, 10, 64, 256
BINS = 30


@dataclass(frozen=True)
class Run:
    steps: tuple                  # the steps at which a snapshot was taken (0 = before training)
    pre_activations: tuple        # per snapshot: DEPTH arrays (PROBE · WIDTH,) of the values φ receives
    losses: np.ndarray            # (len(steps),) training loss on the probe batch at each snapshot
    accuracy: np.ndarray          # (len(steps),) accuracy on the probe batch at each snapshot


def task(seed: int = 0):
    """A synthetic 4-class problem: x ~ N(0, I) in 32 dimensions, the label the argmax of a fixed
    random two-layer teacher. Returns (X_train, y_train, X_probe, y_probe)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    w1 = torch.randn(INPUTS, 48, generator=g)
    w2 = torch.randn(48, CLASSES, generator=g)
    x = torch.randn(4096 + PROBE, INPUTS, generator=g)
    y = (torch.tanh(x @ w1 / INPUTS ** 0.5) @ w2).argmax(1)
    return x[:4096], y[:4096], x[4096:], y[4096:]


def build(batch_norm: bool, activation: str, seed: int = 0):
    """INPUTS → DEPTH × (Linear(WIDTH) [→ BatchNorm1d] → φ) → CLASSES, PyTorch's default init;
    the same weights with or without batch norm (the BN net's linear layers keep their bias,
    which BN's mean subtraction cancels, so that both nets draw the same numbers)."""
    import torch
    from torch import nn
    phi = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU}[activation]
    torch.manual_seed(seed)
    layers, n = [], INPUTS
    for _ in range(DEPTH):
        layers.append(nn.Linear(n, WIDTH))
        if batch_norm:
            layers.append(nn.BatchNorm1d(WIDTH))
        layers.append(phi())
        n = WIDTH
    return nn.Sequential(*layers, nn.Linear(n, CLASSES))


@lru_cache(maxsize=32)
def training_run(batch_norm: bool, activation: str, lr: float, steps: int = STEPS,
                 every: int = EVERY, seed: int = 0) -> Run:
    """Train with plain SGD (batches of BATCH) for `steps` steps, storing every `every` steps the
    pre-activations of each hidden layer on the probe batch (in eval mode: BN uses its running
    statistics, as a deployed network would), the probe loss and the probe accuracy."""
    with one_thread():
        return _train(batch_norm, activation, lr, steps, every, seed)


def _train(batch_norm, activation, lr, steps, every, seed) -> Run:
    import torch
    import torch.nn.functional as F
    X, y, X_probe, y_probe = task(seed)
    model = build(batch_norm, activation, seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    phis = [m for m in model if isinstance(m, (torch.nn.Sigmoid, torch.nn.Tanh, torch.nn.ReLU))]
    captured: list = []
    hooks = [m.register_forward_hook(lambda _m, inputs, _out: captured.append(inputs[0]))
             for m in phis]
    taken, snapshots, losses, accuracy = [], [], [], []

    def snapshot(step):
        model.eval()
        captured.clear()
        with torch.no_grad():
            logits = model(X_probe)
        model.train()
        taken.append(step)
        snapshots.append(tuple(z.flatten().numpy().copy() for z in captured))
        losses.append(F.cross_entropy(logits, y_probe).item())
        accuracy.append((logits.argmax(1) == y_probe).float().mean().item())

    try:
        snapshot(0)
        for step in range(1, steps + 1):
            batch = torch.randint(0, len(X), (BATCH,), generator=g)
            loss = F.cross_entropy(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % every == 0:
                snapshot(step)
    finally:
        for hook in hooks:
            hook.remove()
    return Run(steps=tuple(taken), pre_activations=tuple(snapshots), losses=np.array(losses),
               accuracy=np.array(accuracy))


def histogram(values: np.ndarray, lo: float, hi: float, bins: int = BINS):
    """Bin centres and fractions of the finite values over [lo, hi] (values outside are clipped
    into the end bins, so every value is counted)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.zeros(0), np.zeros(0)
    if not hi - lo > 0:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(np.clip(values, lo, hi), bins=bins, range=(lo, hi))
    return (edges[:-1] + edges[1:]) / 2, counts / values.size


def common_range(*arrays: np.ndarray) -> tuple[float, float]:
    """The 0.5th to 99.5th percentile over all finite values: one x range for both rows."""
    values = np.concatenate([a[np.isfinite(a)] for a in arrays])
    if values.size == 0:
        return -1.0, 1.0
    lo, hi = np.percentile(values, [0.5, 99.5])
    return float(lo), float(hi)


class BatchNormExplorer(Explorer):
    """Per-layer pre-activation histograms of a deep MLP during training, without and with BN.

    Controls: `activation`, `lr` (SGD's learning rate, the same for both nets) and `step` (the
    training step whose snapshot is shown).
    """

    def __init__(self, activation: str = "sigmoid", lr: float = 0.2, step: int = 50):
        self.controls = {
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation,
                                           description="Activation",
                                           layout=widgets.Layout(width="220px")),
            "lr": widgets.SelectionSlider(options=LEARNING_RATES, value=lr, description="SGD lr",
                                          continuous_update=False,
                                          layout=widgets.Layout(width="260px")),
            "step": widgets.SelectionSlider(options=list(range(0, STEPS + 1, EVERY)), value=step,
                                            description="Step", continuous_update=False,
                                            layout=widgets.Layout(width="340px")),
        }
        titles = [f"layer {i + 1}" for i in range(DEPTH)] + [""] * DEPTH
        self.fig = figure(make_subplots(rows=2, cols=DEPTH, subplot_titles=titles,
                                        horizontal_spacing=0.03, vertical_spacing=0.16,
                                        row_titles=["no BN", "with BN"]),
                          height=470, margin=dict(l=50, r=40, t=95, b=50), showlegend=False,
                          bargap=0.05)
        for row, color in ((1, "#d62728"), (2, "#1f77b4")):
            for col in range(1, DEPTH + 1):
                self.fig.add_bar(row=row, col=col, x=[], y=[], marker_color=color,
                                 hovertemplate="%{x:.3g}: %{y:.1%}<extra></extra>")
                self.fig.update_yaxes(row=row, col=col, showticklabels=col == 1,
                                      tickformat=".0%", matches="y")
                self.fig.update_xaxes(row=row, col=col, nticks=4)
        for col in range(1, DEPTH + 1):
            self.fig.update_xaxes(row=2, col=col, title_text="z")
        super().__init__()

    def update(self) -> None:
        v = self.values
        plain = training_run(False, v["activation"], float(v["lr"]))
        normed = training_run(True, v["activation"], float(v["lr"]))
        k = plain.steps.index(v["step"])
        with self.fig.batch_update():
            for layer in range(DEPTH):
                a, b = plain.pre_activations[k][layer], normed.pre_activations[k][layer]
                lo, hi = common_range(a, b)
                for row, values in ((0, a), (1, b)):
                    centres, fractions = histogram(values, lo, hi)
                    self.fig.data[row * DEPTH + layer].update(x=centres, y=fractions,
                                                              width=(hi - lo) / BINS)
                self.fig.layout.annotations[layer].text = (
                    f"layer {layer + 1}<br><sup>std {_std(a)} · {_std(b)}</sup>")
            self.fig.layout.title.text = (
                f"{v['activation']}, SGD lr {v['lr']}, step {v['step']}: what each layer's "
                f"nonlinearity receives<br><sup>probe loss: no BN {_short(plain.losses[k])}, "
                f"with BN {_short(normed.losses[k])} · probe accuracy: no BN "
                f"{plain.accuracy[k]:.0%}, with BN {normed.accuracy[k]:.0%}</sup>")
        self.status.value = self._verdict(plain, normed, k, v["activation"])

    @staticmethod
    def _verdict(plain: Run, normed: Run, k: int, activation: str) -> str:
        a = plain.pre_activations[k]
        if not all(np.all(np.isfinite(z)) for z in a):
            return ("The plain network's values overflowed (inf or nan): at this learning rate it "
                    "diverged; the batch-norm network did not.")
        spread = [float(np.std(z)) for z in a]
        normed_spread = [float(np.std(z)) for z in normed.pre_activations[k]]
        text = (f"Standard deviation of z from layer 1 to layer {DEPTH}: no BN "
                f"{spread[0]:.2g} → {spread[-1]:.2g}, with BN {normed_spread[0]:.2g} → "
                f"{normed_spread[-1]:.2g}.")
        if activation in ("sigmoid", "tanh"):
            saturated = [float(np.mean(np.abs(z) > 3)) for z in (a[-1], normed.pre_activations[k][-1])]
            text += (f" Share of layer {DEPTH}'s values with |z| > 3 (saturated): no BN "
                     f"{saturated[0]:.0%}, with BN {saturated[1]:.0%}.")
        return text


def _std(values: np.ndarray) -> str:
    return _short(float(np.std(values))) if np.all(np.isfinite(values)) else "nan"


def _short(x: float) -> str:
    return f"{x:.2g}" if np.isfinite(x) else str(x)


GALLERY = {"BatchNormExplorer": BatchNormExplorer}
