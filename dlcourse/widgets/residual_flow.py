"""L2.08: residual-flow explorer. Two deep MLPs of the same depth, width and initial weights, one
plain and one with an identity shortcut around every pair of layers, are run on the same small
synthetic classification task. At initialization the figure shows, layer by layer, the norm of the
gradient that reaches each layer's weights; then both are trained with the same SGD steps on the
same batches and the figure shows their training loss. Depth, batch norm on or off, the init and
the learning rate are the controls."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

DEPTHS = (4, 8, 16, 32, 48)               # Linear layers in the body (two per residual block)
INITS = ("He", "PyTorch default")
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3)
WIDTH, INPUTS, CLASSES = 32, 16, 4
STEPS, BATCH, PROBE, EVERY = 60, 64, 256, 3
COLORS = {"plain": "#d62728", "residual": "#1f77b4"}


@dataclass(frozen=True)
class Run:
    gradient_norm: np.ndarray     # (depth,) ‖∂L/∂W_l‖ at initialization on the probe batch
    steps: np.ndarray             # (STEPS / EVERY + 1,) the steps where the loss was measured
    losses: np.ndarray            # training loss on the probe batch at those steps (nan: diverged)


def task(seed: int = 0):
    """A synthetic 4-class problem: x ~ N(0, I) in 16 dimensions, the label the argmax of a fixed
    random two-layer teacher. Returns (X_train, y_train, X_probe, y_probe)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    w1, w2 = torch.randn(INPUTS, 32, generator=g), torch.randn(32, CLASSES, generator=g)
    x = torch.randn(2048 + PROBE, INPUTS, generator=g)
    y = (torch.tanh(x @ w1 / INPUTS ** 0.5) @ w2).argmax(1)
    return x[:2048], y[:2048], x[2048:], y[2048:]


def build(depth: int, residual: bool, batch_norm: bool, init: str, seed: int = 0):
    """INPUTS → Linear(WIDTH) → ReLU → depth/2 blocks → Linear(CLASSES). A block is
    Linear → [BN] → ReLU → Linear → [BN], then ReLU of (that + x) if `residual`, else ReLU of
    that alone. The plain and the residual net draw the same weights (same seed, same shapes)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    stem = nn.Sequential(nn.Linear(INPUTS, WIDTH), nn.ReLU())
    blocks = [_block(WIDTH, residual, batch_norm) for _ in range(depth // 2)]
    model = nn.Sequential(stem, *blocks, nn.Linear(WIDTH, CLASSES))
    if init == "He":
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return model


def _block(width: int, residual: bool, batch_norm: bool):
    """One block of `build`, as a module (torch is imported only when a figure is computed)."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(width, width), nn.Linear(width, width)
            self.bn1 = nn.BatchNorm1d(width) if batch_norm else nn.Identity()
            self.bn2 = nn.BatchNorm1d(width) if batch_norm else nn.Identity()

        def forward(self, x):
            out = self.bn2(self.fc2(torch.relu(self.bn1(self.fc1(x)))))
            return torch.relu(out + x if residual else out)

    return Block()


def body_layers(model) -> list:
    """The Linear layers of the blocks, from the input side up (the stem and head left out)."""
    from torch import nn
    return [m for block in list(model)[1:-1] for m in block.modules() if isinstance(m, nn.Linear)]


@lru_cache(maxsize=64)
def flow(depth: int, residual: bool, batch_norm: bool, init: str, lr: float, seed: int = 0) -> Run:
    """Gradient norms of the body's weights at initialization on the probe batch (training mode,
    as in the first step), then STEPS steps of plain SGD on batches of BATCH, with the probe loss
    every EVERY steps (in training mode too, so that BN and no BN are measured alike)."""
    with one_thread():
        return _flow(depth, residual, batch_norm, init, lr, seed)


def _flow(depth, residual, batch_norm, init, lr, seed) -> Run:
    import torch
    import torch.nn.functional as F
    X, y, X_probe, y_probe = task(seed)
    model = build(depth, residual, batch_norm, init, seed)
    F.cross_entropy(model(X_probe), y_probe).backward()
    norms = np.array([m.weight.grad.norm().item() for m in body_layers(model)])
    model.zero_grad()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    steps, losses = [], []
    for step in range(STEPS + 1):
        if step % EVERY == 0:
            with torch.no_grad():
                loss = F.cross_entropy(model(X_probe), y_probe).item()
            steps.append(step)
            losses.append(loss if np.isfinite(loss) else np.nan)
            if not np.isfinite(loss):
                break
        if step == STEPS:
            break
        batch = torch.randint(0, len(X), (BATCH,), generator=g)
        loss = F.cross_entropy(model(X[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return Run(gradient_norm=norms, steps=np.array(steps), losses=np.array(losses))


class ResidualFlowExplorer(Explorer):
    """Plain vs residual deep MLP: per-layer gradient norms at initialization (left) and the
    training loss over STEPS SGD steps (right).

    Controls: `depth` (Linear layers in the body), `batch_norm`, `init` and `lr`.
    """

    def __init__(self, depth: int = 32, batch_norm: bool = True, init: str = "He",
                 lr: float = 0.1):
        self.controls = {
            "depth": widgets.SelectionSlider(options=DEPTHS, value=depth, description="Layers",
                                             continuous_update=False,
                                             layout=widgets.Layout(width="280px")),
            "batch_norm": widgets.Checkbox(value=batch_norm, description="batch norm",
                                           indent=False, layout=widgets.Layout(width="120px")),
            "init": widgets.Dropdown(options=INITS, value=init, description="Init",
                                     layout=widgets.Layout(width="220px")),
            "lr": widgets.SelectionSlider(options=LEARNING_RATES, value=lr, description="SGD lr",
                                          continuous_update=False,
                                          layout=widgets.Layout(width="240px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(
            "‖∂L/∂W‖ of each layer at initialization", f"training loss, {STEPS} SGD steps")),
            height=420, margin=dict(l=60, r=30, t=90, b=55),
            legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.18))
        for name, color in COLORS.items():
            self.fig.add_scatter(row=1, col=1, x=[], y=[], name=name, mode="lines+markers",
                                 line_color=color, legendgroup=name,
                                 hovertemplate="layer %{x}: %{y:.3g}<extra>" + name + "</extra>")
        for name, color in COLORS.items():
            self.fig.add_scatter(row=1, col=2, x=[], y=[], name=name, mode="lines",
                                 line_color=color, legendgroup=name, showlegend=False,
                                 hovertemplate="step %{x}: %{y:.3g}<extra>" + name + "</extra>")
        self.fig.update_yaxes(row=1, col=1, type="log", exponentformat="power")
        self.fig.update_xaxes(row=1, col=1, title_text="layer (1 = nearest the input)")
        self.fig.update_xaxes(row=1, col=2, title_text="step")
        self.fig.update_yaxes(row=1, col=2, title_text="loss", rangemode="tozero")
        super().__init__()

    def runs(self) -> dict:
        v = self.values
        return {name: flow(v["depth"], name == "residual", bool(v["batch_norm"]), v["init"],
                           float(v["lr"])) for name in COLORS}

    def update(self) -> None:
        v = self.values
        runs = self.runs()
        with self.fig.batch_update():
            for i, run in enumerate(runs.values()):
                layers = np.arange(1, len(run.gradient_norm) + 1)
                self.fig.data[i].update(x=layers, y=run.gradient_norm)
                self.fig.data[2 + i].update(x=run.steps, y=run.losses)
            self.fig.layout.title.text = (
                f"{v['depth']} layers, {'with' if v['batch_norm'] else 'no'} batch norm, "
                f"{v['init']} init, SGD lr {v['lr']}")
        self.status.value = self._verdict(runs)

    @staticmethod
    def _verdict(runs: dict) -> str:
        parts = []
        for name, run in runs.items():
            g = run.gradient_norm
            final = run.losses[-1]
            end = (f"loss {run.losses[0]:.2f} → {final:.2f} after {run.steps[-1]} steps"
                   if np.isfinite(final) else f"diverged (nan) by step {run.steps[-1]}")
            parts.append(f"<b>{name}</b>: gradient at layer 1 / at layer {len(g)} = "
                         f"{decay(g):.2g}; {end}")
        return " · ".join(parts)


def decay(gradient_norm: np.ndarray) -> float:
    """‖∂L/∂W‖ of the first body layer over that of the last: ≪ 1 when the gradient fades on its
    way down to the input."""
    return float(gradient_norm[0] / gradient_norm[-1])


GALLERY = {"ResidualFlowExplorer": ResidualFlowExplorer}
