"""L2.13: run comparer. Reads the TensorBoard event files of several runs (one log directory each)
and overlays one scalar of all of them, smoothed the way TensorBoard's scalar charts smooth: an
exponential moving average with debiasing, drawn over the faint raw curve. Controls: the scalar
(tag), the smoothing weight, and a log scale for the y axis."""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def smooth(values, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: last = weight·last + (1 − weight)·value, from last = 0, divided by
    1 − weight^k after k finite values (debiasing: the zero start would pull the first points
    down). Non-finite values are shown as they are and skipped; a constant curve stays as it is."""
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    finite = np.isfinite(values)
    if values.size == 0 or np.all(values == values[0]):
        return out
    last, k = 0.0, 0
    for i, value in enumerate(values):
        if not finite[i]:
            continue
        last = last * weight + (1 - weight) * value
        k += 1
        out[i] = last / (1 - weight ** k) if weight != 1 else last
    return out


@dataclass(frozen=True)
class Scalars:
    steps: np.ndarray       # (n,) int
    values: np.ndarray      # (n,) float, as stored in the event file (float32)
    wall_times: np.ndarray  # (n,) seconds since the epoch


def read_scalars(logdir) -> dict[str, Scalars]:
    """Every scalar tag in the event files under `logdir`, read with TensorBoard's own reader
    (EventAccumulator), keeping every point (TensorBoard's UI samples 1,000 per tag)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    if not Path(logdir).is_dir():
        raise FileNotFoundError(f"no log directory {logdir}: pass the folder SummaryWriter wrote to")
    accumulator = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    accumulator.Reload()
    out = {}
    for tag in accumulator.Tags()["scalars"]:
        events = accumulator.Scalars(tag)
        out[tag] = Scalars(steps=np.array([e.step for e in events], dtype=np.int64),
                           values=np.array([e.value for e in events], dtype=np.float64),
                           wall_times=np.array([e.wall_time for e in events], dtype=np.float64))
    return out


class RunComparer(Explorer):
    """One scalar from several runs, raw (faint) and smoothed.

    `runs`: {name: log directory}. Controls: `tag`, `smoothing` (0 to 0.99, TensorBoard's slider),
    `log_y`.
    """

    def __init__(self, runs: dict, tag: str | None = None, smoothing: float = 0.6,
                 log_y: bool = False):
        self.runs = {name: read_scalars(path) for name, path in runs.items()}
        tags = sorted({t for scalars in self.runs.values() for t in scalars})
        if not tags:
            raise ValueError(f"no scalars in the event files under {list(runs.values())}")
        self.controls = {
            "tag": widgets.Dropdown(options=tags, value=tag if tag in tags else tags[0],
                                    description="Scalar", layout=widgets.Layout(width="300px")),
            "smoothing": widgets.FloatSlider(value=smoothing, min=0.0, max=0.99, step=0.01,
                                             description="Smoothing",
                                             layout=widgets.Layout(width="340px")),
            "log_y": widgets.Checkbox(value=log_y, description="log y",
                                      layout=widgets.Layout(width="120px")),
        }
        self.fig = figure(title="", xaxis_title="step", height=420)
        for i, name in enumerate(self.runs):
            color = COLORS[i % len(COLORS)]
            self.fig.add_scatter(x=[], y=[], name=f"{name} (raw)", line=dict(color=color, width=1),
                                 opacity=0.25, showlegend=False, hoverinfo="skip")
            self.fig.add_scatter(x=[], y=[], name=name, line=dict(color=color, width=2))
        super().__init__()

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """{run: (steps, raw values, smoothed values)} for the chosen tag; runs without it are left out."""
        v = self.values
        return {name: (s.steps, s.values, smooth(s.values, v["smoothing"]))
                for name, scalars in self.runs.items() if (s := scalars.get(v["tag"]))}

    def update(self) -> None:
        v = self.values
        curves = self.curves()
        with self.fig.batch_update():
            for i, name in enumerate(self.runs):
                steps, raw, smoothed = curves.get(name, ([], [], []))
                self.fig.data[2 * i].update(x=steps, y=raw)
                self.fig.data[2 * i + 1].update(x=steps, y=smoothed)
            self.fig.layout.yaxis.type = "log" if v["log_y"] else "linear"
            self.fig.layout.yaxis.title.text = v["tag"]
            self.fig.layout.title.text = (f"{v['tag']} in {len(curves)} run(s), smoothing "
                                          f"{v['smoothing']:.2f}")
        last = ", ".join(f"{name} {_short(smoothed[-1])}" for name, (_, _, smoothed) in curves.items()
                         if len(smoothed))
        self.status.value = f"Smoothed value at each run's last step: {last}." if last else ""


def _short(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else str(x)


def demo_runs(folder=None, steps: int = 300) -> dict[str, Path]:
    """Two synthetic runs (noisy decaying losses, learning rates 0.1 and 0.01) written as event
    files with SummaryWriter, for the gallery and the tests: no training needed."""
    from torch.utils.tensorboard import SummaryWriter
    folder = Path(folder or tempfile.mkdtemp(prefix="dlcourse-runs-"))
    rng = np.random.default_rng(0)
    runs = {}
    for name, rate in (("lr 0.1", 0.02), ("lr 0.01", 0.005)):
        runs[name] = folder / name.replace(" ", "_")
        with SummaryWriter(runs[name]) as writer:
            for step in range(steps):
                loss = 2.3 * math.exp(-rate * step) + 0.05 + 0.15 * rng.standard_normal() ** 2
                writer.add_scalar("train/loss", loss, step)
                writer.add_scalar("train/accuracy", 1 - loss / 2.5, step)
    return runs


@lru_cache(maxsize=1)
def _gallery_runs() -> dict[str, Path]:
    return demo_runs()   # written once per process


GALLERY = {"RunComparer": lambda: RunComparer(_gallery_runs())}
