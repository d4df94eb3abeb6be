"""L2.12: fine-tuning explorer. A small MLP is pretrained once on scikit-learn's 8×8 digits 0–4
(bundled, so the demo needs no download). Then a copy of it is fine-tuned on a few labelled
images of each of the digits 5–9, with a new head, some layers frozen and the body's learning rate
a chosen fraction of the head's; next to it the same network trains from scratch on the same
images with the same steps. The figure shows test accuracy and training loss step by step.

Everything runs on one thread in a fraction of a second: the net has 6,600 weights and trains on
at most 250 images, full batch.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

LAYERS = ("layer1", "layer2", "head")                        # input → output
FREEZE = {"nothing": (), "layer 1": ("layer1",), "layers 1–2 (feature extraction)": ("layer1", "layer2")}
LABELS_PER_CLASS = (1, 2, 5, 10, 20, 50)
LR_RATIOS = (0.0, 0.01, 0.1, 0.3, 1.0)
HEAD_LR, STEPS, PRETRAIN_STEPS = 0.01, 60, 60


@dataclass(frozen=True)
class Run:
    accuracy: np.ndarray          # (STEPS + 1,) test accuracy on digits 5–9 before and after each step
    loss: np.ndarray              # (STEPS + 1,) training loss on the labelled images
    state: dict                   # the final weights, by parameter name


def build(classes: int = 5, seed: int = 0):
    """64 → 64 → 32 → classes with ReLUs; PyTorch's default init drawn from `seed`."""
    import torch
    from torch import nn
    torch.manual_seed(seed)
    return nn.Sequential(OrderedDict(
        layer1=nn.Sequential(nn.Linear(64, 64), nn.ReLU()),
        layer2=nn.Sequential(nn.Linear(64, 32), nn.ReLU()),
        head=nn.Linear(32, classes)))


@lru_cache(maxsize=1)
def data():
    """(X_source, y_source): all 8×8 images of digits 0–4; (X_pool, y_pool) and (X_test, y_test):
    the images of 5–9 (labels 0–4), half to draw labelled examples from, half to test on."""
    import torch
    from sklearn.datasets import load_digits
    digits = load_digits()
    X = torch.tensor(digits.data, dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target)
    source = y < 5
    X_t, y_t = X[~source], y[~source] - 5
    order = torch.randperm(len(X_t), generator=torch.Generator().manual_seed(0))
    pool, test = order[::2], order[1::2]
    return (X[source], y[source]), (X_t[pool], y_t[pool]), (X_t[test], y_t[test])


@lru_cache(maxsize=1)
def pretrained_state() -> dict:
    """The network trained on digits 0–4 (Adam, full batch, PRETRAIN_STEPS steps)."""
    import torch
    import torch.nn.functional as F
    (X, y), _, _ = data()
    model = build(seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=HEAD_LR)
    with one_thread():
        for _ in range(PRETRAIN_STEPS):
            loss = F.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return {k: v.clone() for k, v in model.state_dict().items()}


def labelled(per_class: int, seed: int = 0):
    """`per_class` images of each of 5–9 from the pool, drawn with `seed`."""
    import torch
    _, (X, y), _ = data()
    g = torch.Generator().manual_seed(seed)
    idx = torch.cat([(y == c).nonzero()[:, 0][torch.randperm(int((y == c).sum()), generator=g)[:per_class]]
                     for c in range(5)])
    return X[idx], y[idx]


def fine_tune(per_class: int, frozen=(), lr_ratio: float = 0.1, pretrained: bool = True,
              seed: int = 0, steps: int = STEPS) -> Run:
    """Train on `per_class` labelled images per digit 5–9 for `steps` full-batch Adam steps.
    pretrained: start from the 0–4 network with a new head (drawn from `seed`), else from a fresh
    network drawn from `seed`. Layers named in `frozen` get requires_grad=False; the others of the
    body learn at HEAD_LR × lr_ratio, the head at HEAD_LR."""
    import torch
    import torch.nn.functional as F
    X, y = labelled(per_class, seed)
    _, _, (X_test, y_test) = data()
    model = build(seed=seed)                       # the head (and, from scratch, all) from `seed`
    if pretrained:
        body = {k: v for k, v in pretrained_state().items() if not k.startswith("head.")}
        model.load_state_dict(body, strict=False)
        for name in frozen:
            for p in getattr(model, name).parameters():
                p.requires_grad_(False)
        groups = [{"params": list(getattr(model, name).parameters()),
                   "lr": HEAD_LR if name == "head" else HEAD_LR * lr_ratio}
                  for name in LAYERS if name not in frozen]
    else:
        groups = [{"params": list(model.parameters()), "lr": HEAD_LR}]
    optimizer = torch.optim.Adam(groups)
    accuracy, losses = [], []

    def measure():
        with torch.no_grad():
            accuracy.append((model(X_test).argmax(1) == y_test).float().mean().item())
            losses.append(F.cross_entropy(model(X), y).item())

    with one_thread():
        measure()
        for _ in range(steps):
            loss = F.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            measure()
    return Run(np.array(accuracy), np.array(losses),
               {k: v.detach().clone() for k, v in model.state_dict().items()})


class FineTuneExplorer(Explorer):
    """Fine-tuning a network pretrained on digits 0–4 against training it from scratch on 5–9.

    Controls: `per_class` (labelled images per digit), `frozen` (which layers keep their
    pretrained weights), `lr_ratio` (the body's learning rate over the head's) and `seed`
    (which labelled images, and the new head's initial weights).
    """

    def __init__(self, per_class: int = 5, frozen: str = "nothing", lr_ratio: float = 1.0,
                 seed: int = 0):
        style = dict(style={"description_width": "110px"})
        self.controls = {
            "per_class": widgets.SelectionSlider(options=LABELS_PER_CLASS, value=per_class,
                                                 description="Labels / class", continuous_update=False,
                                                 layout=widgets.Layout(width="300px"), **style),
            "frozen": widgets.Dropdown(options=list(FREEZE), value=frozen, description="Frozen",
                                       layout=widgets.Layout(width="330px"), **style),
            "lr_ratio": widgets.SelectionSlider(options=LR_RATIOS, value=lr_ratio,
                                                description="Body lr / head lr",
                                                continuous_update=False,
                                                layout=widgets.Layout(width="300px"), **style),
            "seed": widgets.IntSlider(value=seed, min=0, max=9, description="Seed",
                                      continuous_update=False,
                                      layout=widgets.Layout(width="300px"), **style),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                                        subplot_titles=("test accuracy on digits 5–9",
                                                        "training loss (labelled images)")),
                          height=420, margin=dict(l=60, r=20, t=90, b=50),
                          legend=dict(orientation="h", y=-0.18, x=0.5, xanchor="center"))
        for name, color, col in (("fine-tuned", "#1f77b4", 1), ("from scratch", "#d62728", 1),
                                 ("fine-tuned", "#1f77b4", 2), ("from scratch", "#d62728", 2)):
            self.fig.add_scatter(x=[], y=[], name=name, line_color=color, mode="lines",
                                 showlegend=col == 1, row=1, col=col)
        self.fig.update_xaxes(title_text="step")
        self.fig.update_yaxes(range=[0, 1], tickformat=".0%", row=1, col=1)
        self.fig.update_yaxes(type="log", row=1, col=2)
        super().__init__()

    def runs(self) -> tuple[Run, Run]:
        v = self.values
        tuned = fine_tune(v["per_class"], FREEZE[v["frozen"]], float(v["lr_ratio"]), True, v["seed"])
        scratch = fine_tune(v["per_class"], (), 1.0, False, v["seed"])
        return tuned, scratch

    def update(self) -> None:
        v = self.values
        tuned, scratch = self.runs()
        steps = list(range(STEPS + 1))
        with self.fig.batch_update():
            for trace, ys in zip(self.fig.data, (tuned.accuracy, scratch.accuracy, tuned.loss, scratch.loss)):
                trace.x, trace.y = steps, ys
            self.fig.layout.title.text = (
                f"{v['per_class']} labelled image(s) per digit 5–9, frozen: {v['frozen']}, body lr = "
                f"{v['lr_ratio']} × head lr<br><sup>after {STEPS} steps: fine-tuned "
                f"{tuned.accuracy[-1]:.1%}, from scratch {scratch.accuracy[-1]:.1%}</sup>")
        gap = 100 * (tuned.accuracy[-1] - scratch.accuracy[-1])
        text = (f"Fine-tuned minus scratch after {STEPS} steps: {gap:+.1f} points "
                f"({5 * v['per_class']} labelled images).")
        if v["frozen"] == "nothing" and v["lr_ratio"] == 0:
            text += " A body learning rate of 0 freezes the body as surely as requires_grad=False."
        if gap < 0:
            text += " Here transfer hurts: the pretrained start is worse than a random one."
        self.status.value = text


def frozen_unchanged(run: Run, frozen) -> bool:
    """Whether every parameter of the `frozen` layers still has its pretrained value."""
    import torch
    start = pretrained_state()
    return all(torch.equal(run.state[k], start[k]) for k in run.state
               if k.split(".")[0] in frozen)


GALLERY = {"FineTuneExplorer": FineTuneExplorer}
