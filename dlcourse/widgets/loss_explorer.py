"""L1.07: loss explorer. Each loss and its gradient, for one example: regression losses (MSE, MAE,
Huber) against the prediction ŷ for a target y, and classification losses (binary cross-entropy,
squared error on the sigmoid's probability, 10-class cross-entropy) against the logit z for a label y.
"""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

REGRESSION = ("MSE", "MAE", "Huber")
CLASSIFICATION = ("BCE", "MSE on σ(z)", "CE, 10 classes")
LOSSES = REGRESSION + CLASSIFICATION
COLORS = {"MSE": "#1f77b4", "MAE": "#ff7f0e", "Huber": "#2ca02c",
          "BCE": "#d62728", "MSE on σ(z)": "#9467bd", "CE, 10 classes": "#8c564b"}
TOGGLE = {"MSE": "mse", "MAE": "mae", "Huber": "huber", "BCE": "bce",
          "MSE on σ(z)": "mse_sigmoid", "CE, 10 classes": "ce"}
PREDICTIONS = np.linspace(-4, 4, 401)   # ŷ for the regression losses
LOGITS = np.linspace(-8, 8, 401)        # z for the classification losses
CLASSES = 10
WRONG_LOGIT = -6.0                      # "confidently wrong" for a label of 1


class Curve(NamedTuple):
    x: np.ndarray
    loss: np.ndarray
    grad: np.ndarray  # d loss / d x


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(z):  # log(1 + e^z) without overflow
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def regression_loss(name: str, pred, target: float, delta: float = 1.0) -> Curve:
    """One example's loss and its derivative with respect to the prediction.
    MSE (ŷ − y)²; MAE |ŷ − y|; Huber ½r² for |r| ≤ δ, else δ(|r| − ½δ), as F.huber_loss."""
    pred = np.asarray(pred, dtype=float)
    r = pred - target
    if name == "MSE":
        return Curve(pred, r ** 2, 2 * r)
    if name == "MAE":
        return Curve(pred, np.abs(r), np.sign(r))
    if name == "Huber":
        small = np.abs(r) <= delta
        return Curve(pred, np.where(small, 0.5 * r ** 2, delta * (np.abs(r) - 0.5 * delta)),
                     np.clip(r, -delta, delta))
    raise ValueError(f"unknown regression loss {name!r}; choose one of {list(REGRESSION)}")


def classification_loss(name: str, logit, label: float, classes: int = CLASSES) -> Curve:
    """One example's loss and its derivative with respect to the logit z, for a target
    probability `label` ∈ [0, 1] of this class (1: the example belongs to it).
    BCE: −y log σ(z) − (1 − y) log(1 − σ(z)); MSE on σ(z): (σ(z) − y)²; CE over `classes`
    classes, z the logit of this class and the others' logits 0, the rest of the target spread
    evenly over them."""
    z = np.asarray(logit, dtype=float)
    p = _sigmoid(z)
    if name == "BCE":
        return Curve(z, _softplus(z) - label * z, p - label)
    if name == "MSE on σ(z)":
        return Curve(z, (p - label) ** 2, 2 * (p - label) * p * (1 - p))
    if name == "CE, 10 classes":
        others = np.log(classes - 1)
        log_p = -_softplus(others - z)                         # log e^z / (e^z + K − 1)
        log_rest = -others - _softplus(z - others)             # log 1 / (e^z + K − 1), each other class
        p_k = np.exp(log_p)
        return Curve(z, -label * log_p - (1 - label) * log_rest, p_k - label)
    raise ValueError(f"unknown classification loss {name!r}; choose one of {list(CLASSIFICATION)}")


def loss_curves(target: float = 0.0, label: float = 1.0, delta: float = 1.0,
                shown=LOSSES) -> dict[str, Curve]:
    """The curves the explorer draws, by loss name (only those in `shown`)."""
    curves = {}
    for name in shown:
        if name in REGRESSION:
            curves[name] = regression_loss(name, PREDICTIONS, target, delta)
        elif name in CLASSIFICATION:
            curves[name] = classification_loss(name, LOGITS, label)
        else:
            raise ValueError(f"unknown loss {name!r}; choose among {list(LOSSES)}")
    return curves


class LossExplorer(Explorer):
    """Each loss and its gradient for one example, as the prediction (top) or the logit (bottom)
    moves. Controls: `target` (the regression target y), `label` (the class label, or target
    probability, y), `delta` (Huber's δ) and one toggle per loss."""

    def __init__(self, target: float = 0.0, label: float = 1.0, delta: float = 1.0,
                 shown=LOSSES):
        style = {"description_width": "initial"}
        self.controls = {
            "target": widgets.FloatSlider(value=target, min=-2.0, max=2.0, step=0.1,
                                          description="Regression target y", style=style),
            "label": widgets.FloatSlider(value=label, min=0.0, max=1.0, step=0.05,
                                         description="Class label y", style=style),
            "delta": widgets.FloatSlider(value=delta, min=0.1, max=3.0, step=0.1,
                                         description="Huber δ", style=style),
            **{TOGGLE[name]: widgets.ToggleButton(value=name in shown, description=name,
                                                  layout=widgets.Layout(width="130px"))
               for name in LOSSES},
        }
        fig = make_subplots(rows=2, cols=2, vertical_spacing=0.2, horizontal_spacing=0.1,
                            subplot_titles=("regression loss", "its gradient dL/dŷ",
                                            "classification loss", "its gradient dL/dz"))
        self.fig = figure(fig, title="Loss functions and their gradients", height=720,
                          legend=dict(orientation="h", x=0, y=-0.1),
                          margin=dict(l=70, r=30, t=90, b=80))
        for name in LOSSES:
            row = 1 if name in REGRESSION else 2
            for col in (1, 2):
                self.fig.add_scatter(row=row, col=col, mode="lines", name=name,
                                     legendgroup=name, showlegend=col == 1,
                                     line=dict(color=COLORS[name], width=2.5,
                                               dash="dash" if name == "MSE on σ(z)" else None))
        for row, x in ((1, PREDICTIONS), (2, LOGITS)):
            self.fig.update_xaxes(range=[x[0], x[-1]], row=row)
        self.fig.update_xaxes(title_text="prediction ŷ", row=1)
        self.fig.update_xaxes(title_text="logit z (BCE and MSE: probability p = σ(z))", row=2)
        self.fig.update_yaxes(title_text="loss", rangemode="tozero", col=1)
        self.fig.update_yaxes(title_text="gradient", col=2)
        super().__init__()

    def update(self) -> None:
        v = self.values
        shown = [name for name in LOSSES if v[TOGGLE[name]]]
        curves = loss_curves(v["target"], v["label"], v["delta"], shown)
        with self.fig.batch_update():
            for i, name in enumerate(LOSSES):
                loss_trace, grad_trace = self.fig.data[2 * i], self.fig.data[2 * i + 1]
                curve = curves.get(name)
                loss_trace.update(x=curve.x if curve else [], y=curve.loss if curve else [],
                                  visible=curve is not None)
                grad_trace.update(x=curve.x if curve else [], y=curve.grad if curve else [],
                                  visible=curve is not None)
            # dotted verticals: the target (top row) and the logit 0, where σ(z) = 0.5 (bottom)
            self.fig.layout.shapes = [
                dict(type="line", xref=f"x{k}", yref=f"y{k} domain", x0=x, x1=x, y0=0, y1=1,
                     line=dict(color="gray", dash="dot", width=1.5))
                for k, x in (("", v["target"]), ("2", v["target"]), ("3", 0.0), ("4", 0.0))]
            huber = f", Huber δ = {v['delta']:.1f}" if "Huber" in shown else ""
            self.fig.layout.title.text = (f"Losses and gradients: target y = {v['target']:.1f}"
                                          f"{huber}; class label y = {v['label']:.2f}")
        self.status.value = self._summary(v)

    @staticmethod
    def _summary(v) -> str:
        miss = v["target"] + 3.0
        pulls = ", ".join(f"{name} {float(regression_loss(name, miss, v['target'], v['delta']).grad):.2f}"
                          for name in REGRESSION)
        y = v["label"]
        z = WRONG_LOGIT if y >= 0.5 else -WRONG_LOGIT
        bce = float(classification_loss("BCE", z, y).grad)
        mse = float(classification_loss("MSE on σ(z)", z, y).grad)
        ratio = abs(bce / mse) if mse else float("inf")
        return (f"A miss of 3 (ŷ = y + 3) is pulled back with gradient: {pulls}. "
                f"Confidently wrong (z = {z:+.0f} for label y = {y:.2f}): BCE's gradient is "
                f"<b>{bce:+.3f}</b>, MSE on σ(z)'s <b>{mse:+.4f}</b>, "
                f"{ratio:,.0f}× smaller.")


GALLERY = {"LossExplorer": LossExplorer}
