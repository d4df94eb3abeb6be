"""L3.17: LoRA rank explorer. A sweep over the LoRA rank r, measured by the lesson: for each r, the
validation loss after fine-tuning, the number of trainable parameters, and the learned update
ΔW = (α/r)·B·A of one adapted layer. The rank slider picks one run; the figure shows the loss
against the trainable share with the chosen run marked (full fine-tuning and no fine-tuning as
lines), the update ΔW as a heatmap, and its singular values: at most r of them are not zero,
whatever the layer's size, which is what "low-rank" means.

Without a sweep from the lesson, the demo uses a synthetic update: a 48×48 matrix with singular
values 0.7^i, and for each r its best rank-r approximation (the truncated SVD, Eckart–Young); the
"loss" is then the relative error ‖ΔW* − ΔW_r‖_F / ‖ΔW*‖_F. It needs no training and no data.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

SHOWN = 24          # singular values drawn (the largest)


@dataclass(frozen=True)
class Sweep:
    """What the lesson measured, one entry per rank (ranks increasing).

    `trainable[i]` parameters train at rank `ranks[i]`, out of `total` in the model;
    `loss[i]` is the validation loss reached; `delta[i]` is the (out, in) update of `layer`.
    `full_loss` and `none_loss` are the loss of full fine-tuning and of no fine-tuning (or None)."""
    ranks: tuple
    trainable: tuple
    total: int
    loss: tuple
    delta: tuple
    layer: str = "ΔW"
    metric: str = "validation loss"
    full_loss: float | None = None
    none_loss: float | None = None

    @classmethod
    def make(cls, ranks, trainable, total, loss, delta, **labels) -> "Sweep":
        if not (len(ranks) == len(trainable) == len(loss) == len(delta)) or not ranks:
            raise ValueError("ranks, trainable, loss and delta need one entry per rank")
        order = np.argsort(ranks)
        pick = lambda xs: tuple(xs[i] for i in order)                       # noqa: E731
        return cls(ranks=tuple(int(r) for r in pick(list(ranks))), trainable=tuple(int(t) for t in pick(list(trainable))),
                   total=int(total), loss=tuple(float(v) for v in pick(list(loss))),
                   delta=tuple(np.asarray(d, dtype=np.float64) for d in pick(list(delta))), **labels)


def demo_sweep(size: int = 48, decay: float = 0.7, ranks=(1, 2, 4, 8, 16, 32), seed: int = 0) -> Sweep:
    """A synthetic 'true' update with singular values decay^i and its best rank-r approximations."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((size, size)))
    v, _ = np.linalg.qr(rng.standard_normal((size, size)))
    s = decay ** np.arange(size)
    target = (u * s) @ v.T
    deltas = [(u[:, :r] * s[:r]) @ v[:, :r].T for r in ranks]             # Eckart–Young
    errors = [np.linalg.norm(target - d) / np.linalg.norm(target) for d in deltas]
    return Sweep.make(ranks, [r * 2 * size for r in ranks], size * size, errors, deltas,
                      layer=f"best rank-r approximation of a {size}×{size} update",
                      metric="relative error ‖ΔW* − ΔW‖/‖ΔW*‖", full_loss=0.0)


def rank_view(sweep: Sweep, rank: int) -> dict:
    """Everything the figure shows for one rank of the sweep."""
    if rank not in sweep.ranks:
        raise ValueError(f"rank {rank} is not in the sweep {list(sweep.ranks)}")
    i = sweep.ranks.index(rank)
    delta = sweep.delta[i]
    singular = np.linalg.svd(delta, compute_uv=False)
    return dict(rank=rank, trainable=sweep.trainable[i], share=sweep.trainable[i] / sweep.total,
                loss=sweep.loss[i], delta=delta, singular=singular,
                numerical_rank=int((singular > 1e-5 * max(singular[0], 1e-300)).sum()))


class LoRARankExplorer(Explorer):
    """The rank slider picks one LoRA run of a sweep; see the module docstring."""

    def __init__(self, sweep: Sweep | None = None, rank: int | None = None):
        self.sweep = sweep or demo_sweep()
        ranks = list(self.sweep.ranks)
        self.controls = {
            "rank": widgets.SelectionSlider(options=ranks, value=rank if rank in ranks else ranks[len(ranks) // 2],
                                            description="rank r", continuous_update=False,
                                            layout=widgets.Layout(width="420px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=3, column_widths=[0.4, 0.3, 0.3], horizontal_spacing=0.09,
                                        subplot_titles=["loss vs trainable share", "ΔW = (α/r)·B·A",
                                                        "singular values of ΔW"]),
                          height=430, margin=dict(l=60, r=20, t=100, b=55), showlegend=False)
        shares = [100 * t / self.sweep.total for t in self.sweep.trainable]
        self.fig.add_scatter(row=1, col=1, x=shares, y=list(self.sweep.loss), mode="lines+markers",
                             text=[f"r = {r}" for r in ranks], line_color="#1f77b4",
                             hovertemplate="%{text}: %{x:.2f} % trainable, loss %{y:.3f}<extra></extra>")
        self.fig.add_scatter(row=1, col=1, x=[0], y=[0], mode="markers",
                             marker=dict(size=14, color="#d62728", symbol="circle-open", line_width=3))
        self.fig.add_heatmap(row=1, col=2, z=[[0]], colorscale="RdBu", zmid=0, showscale=False,
                             hovertemplate="row %{y}, col %{x}: %{z:.4f}<extra></extra>")
        self.fig.add_bar(row=1, col=3, x=[1], y=[1], marker_color="#1f77b4",
                         hovertemplate="σ%{x} = %{y:.3g}<extra></extra>")
        for name, value, dash in (("full fine-tuning", self.sweep.full_loss, "dash"),
                                  ("no fine-tuning", self.sweep.none_loss, "dot")):
            if value is not None:
                self.fig.add_hline(row=1, col=1, y=value, line_dash=dash, line_color="#555",
                                   annotation_text=name, annotation_position="top right")
        self.fig.update_xaxes(row=1, col=1, type="log", title_text="trainable parameters (%)")
        self.fig.update_yaxes(row=1, col=1, title_text=self.sweep.metric)
        self.fig.update_yaxes(row=1, col=2, autorange="reversed", showgrid=False, zeroline=False)
        self.fig.update_xaxes(row=1, col=2, showgrid=False, zeroline=False)
        self.fig.update_yaxes(row=1, col=3, type="log")
        self.fig.update_xaxes(row=1, col=3, title_text="index i")
        super().__init__()

    def state(self) -> dict:
        return rank_view(self.sweep, self.values["rank"])

    def update(self) -> None:
        s = self.state()
        shown = s["singular"][:SHOWN]
        floor = max(float(shown[0]) * 1e-12, 1e-300)
        with self.fig.batch_update():
            self.fig.data[1].update(x=[100 * s["share"]], y=[s["loss"]])
            self.fig.data[2].update(z=s["delta"])
            self.fig.data[3].update(x=list(range(1, len(shown) + 1)), y=np.maximum(shown, floor),
                                    marker_color=["#1f77b4" if i < s["rank"] else "#d9d9d9" for i in range(len(shown))])
            ratio = (f", {s['loss'] / self.sweep.full_loss:.3f}× full fine-tuning's"
                     if self.sweep.full_loss else "")
            self.fig.layout.title.text = (
                f"LoRA rank r = {s['rank']}: {s['trainable']:,} trainable parameters "
                f"({100 * s['share']:.2f} % of {self.sweep.total:,})<br><sup>{self.sweep.metric} "
                f"{s['loss']:.3f}{ratio} · {self.sweep.layer}: {s['numerical_rank']} singular values "
                f"above 1e-5 of the largest</sup>")
        rows, cols = s["delta"].shape
        top = ", ".join(f"{v:.3g}" for v in s["singular"][:min(s["rank"], 4)])
        self.status.value = (
            f"The update ΔW of {self.sweep.layer} has {rows}×{cols} = {rows * cols:,} entries and rank "
            f"{s['numerical_rank']}: it is a sum of {s['rank']} outer products (columns of B times rows of A), "
            f"with largest singular values {top}. All adapted layers together train "
            f"{100 * s['share']:.2f} % of the model's parameters.")


GALLERY = {"LoRARankExplorer": lambda: LoRARankExplorer()}
