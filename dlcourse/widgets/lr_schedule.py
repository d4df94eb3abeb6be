"""L3.01: the learning-rate schedule designer. Pick a schedule (step, cosine, SGDR warm restarts,
one-cycle) and its knobs (steps, peak and floor learning rate, warmup, period, decay factor,
T_mult) and see the learning rate step by step, with the momentum one-cycle cycles below it. The
other three schedules are drawn faintly with the same knobs, for comparison.

Two compute functions: `lr_curve` writes every schedule from its formula in plain Python, and
`torch_curve` runs `torch.optim.lr_scheduler` (StepLR, CosineAnnealingLR,
CosineAnnealingWarmRestarts, OneCycleLR, and LinearLR + SequentialLR for the warmup) on a
one-parameter optimizer. The status line says how far apart the two are; the test holds them to
1e-12."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

SCHEDULES = ("step", "cosine", "SGDR", "one-cycle")
COLORS = {"step": "#7f7f7f", "cosine": "#1f77b4", "SGDR": "#2ca02c", "one-cycle": "#d62728"}
FLOORS = (1e-4, 1e-3, 0.01, 0.05, 0.1)          # min lr as a fraction of max lr
MOMENTUM = 0.9                                   # SGD's momentum for the schedules that keep it
BASE_MOMENTUM, MAX_MOMENTUM, DIV_FACTOR = 0.85, 0.95, 25.0   # OneCycleLR's defaults
TORCH_NAMES = {"step": "StepLR", "cosine": "CosineAnnealingLR", "SGDR": "CosineAnnealingWarmRestarts",
               "one-cycle": "OneCycleLR"}


@dataclass(frozen=True)
class Settings:
    schedule: str = "cosine"
    steps: int = 1000         # total optimizer steps
    max_lr: float = 0.1       # the peak
    floor: float = 1e-3       # min lr = floor · max_lr (cosine, SGDR; one-cycle's final lr)
    warmup: int = 50          # linear warmup steps (one-cycle: its rising phase; 0 there means 30 %)
    period: int = 200         # StepLR's step_size, SGDR's T_0
    gamma: float = 0.5        # StepLR's factor
    t_mult: int = 2           # SGDR's T_mult

    def rising(self) -> int:
        """One-cycle's rising phase in steps: the warmup, or PyTorch's default 30 % without one."""
        return self.warmup if self.warmup >= 2 else round(0.3 * self.steps)


def _cosine(start: float, end: float, fraction: float) -> float:
    """From `start` at fraction 0 to `end` at fraction 1 along half a cosine."""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def lr_at(s: Settings, t: int) -> tuple[float, float]:
    """(learning rate, momentum) at step t, from the formulas."""
    if s.schedule == "one-cycle":
        initial = s.max_lr / DIV_FACTOR
        final = s.max_lr * s.floor
        peak = float(s.rising() / s.steps * s.steps) - 1      # OneCycleLR: pct_start · total − 1
        if t <= peak:
            f = t / peak
            return _cosine(initial, s.max_lr, f), _cosine(MAX_MOMENTUM, BASE_MOMENTUM, f)
        f = (t - peak) / (s.steps - 1 - peak)
        return _cosine(s.max_lr, final, f), _cosine(BASE_MOMENTUM, MAX_MOMENTUM, f)
    w = s.warmup
    if t < w:                                                 # linear warmup: (t + 1) / w of the peak
        return s.max_lr * (t + 1) / w, MOMENTUM
    k, low = t - w, s.max_lr * s.floor                        # steps since the warmup ended
    if s.schedule == "step":
        return s.max_lr * s.gamma ** (k // s.period), MOMENTUM
    if s.schedule == "cosine":
        return _cosine(s.max_lr, low, k / (s.steps - w)), MOMENTUM
    period = s.period                                         # SGDR: restart when a cycle ends
    while k >= period:
        k -= period
        period *= s.t_mult
    return _cosine(s.max_lr, low, k / period), MOMENTUM


def lr_curve(s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The learning rate and the momentum at steps 0 … steps − 1."""
    pairs = [lr_at(s, t) for t in range(s.steps)]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


@lru_cache(maxsize=64)
def torch_curve(s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The same curves read off torch.optim.lr_scheduler, stepped once per optimizer step."""
    import torch
    from torch.optim import lr_scheduler as sched
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=s.max_lr, momentum=MOMENTUM)
    low = s.max_lr * s.floor
    if s.schedule == "one-cycle":
        scheduler = sched.OneCycleLR(opt, max_lr=s.max_lr, total_steps=s.steps,
                                     pct_start=s.rising() / s.steps, div_factor=DIV_FACTOR,
                                     final_div_factor=1 / (DIV_FACTOR * s.floor),
                                     base_momentum=BASE_MOMENTUM, max_momentum=MAX_MOMENTUM)
    else:
        after = s.steps - s.warmup
        main = {"step": lambda: sched.StepLR(opt, step_size=s.period, gamma=s.gamma),
                "cosine": lambda: sched.CosineAnnealingLR(opt, T_max=after, eta_min=low),
                "SGDR": lambda: sched.CosineAnnealingWarmRestarts(opt, T_0=s.period, T_mult=s.t_mult,
                                                                  eta_min=low)}[s.schedule]
        if s.warmup:
            warm = sched.LinearLR(opt, start_factor=1 / s.warmup, end_factor=1.0,
                                  total_iters=s.warmup - 1)
            scheduler = sched.SequentialLR(opt, [warm, main()], milestones=[s.warmup])
        else:
            scheduler = main()
    lrs, momenta = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # SequentialLR passes an epoch to the scheduler it starts
        for _ in range(s.steps):
            lrs.append(opt.param_groups[0]["lr"])
            momenta.append(opt.param_groups[0]["momentum"])
            opt.step()
            scheduler.step()
    return np.array(lrs), np.array(momenta)


class ScheduleDesigner(Explorer):
    """Learning rate (top) and momentum (bottom) against the step, for the chosen schedule in
    colour and the other three faint with the same knobs.

    Controls: `schedule`, `steps`, `max_lr`, `floor` (min lr as a fraction of max lr), `warmup`,
    `period` (step size / T_0), `gamma` (step's factor), `t_mult` (SGDR) and `log_y`.
    """

    def __init__(self, schedule: str = "cosine", steps: int = 1000, max_lr: float = 0.1,
                 floor: float = 1e-3, warmup: int = 50, period: int = 200, gamma: float = 0.5,
                 t_mult: int = 2, log_y: bool = False):
        short = widgets.Layout(width="270px")
        self.controls = {
            "schedule": widgets.Dropdown(options=SCHEDULES, value=schedule, description="Schedule",
                                         layout=widgets.Layout(width="210px")),
            "steps": widgets.IntSlider(value=steps, min=200, max=3000, step=100, description="Steps",
                                       continuous_update=False, layout=short),
            "max_lr": widgets.FloatLogSlider(value=max_lr, base=10, min=-4, max=0, step=0.25,
                                             description="Max lr", continuous_update=False,
                                             readout_format=".2g", layout=short),
            "floor": widgets.SelectionSlider(options=FLOORS, value=floor, description="Min/max",
                                             continuous_update=False, layout=short),
            "warmup": widgets.IntSlider(value=warmup, min=0, max=400, step=10, description="Warmup",
                                        continuous_update=False, layout=short),
            "period": widgets.IntSlider(value=period, min=50, max=1000, step=50,
                                        description="Period", continuous_update=False, layout=short),
            "gamma": widgets.FloatSlider(value=gamma, min=0.1, max=0.9, step=0.1, description="γ (step)",
                                         continuous_update=False, readout_format=".1f", layout=short),
            "t_mult": widgets.IntSlider(value=t_mult, min=1, max=3, description="T_mult",
                                        continuous_update=False, layout=short),
            "log_y": widgets.Checkbox(value=log_y, description="log lr axis", indent=False,
                                      layout=widgets.Layout(width="130px")),
        }
        self.fig = figure(make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28],
                                        vertical_spacing=0.07),
                          height=470, margin=dict(l=70, r=30, t=75, b=50),
                          legend=dict(orientation="h", y=1.0, x=1.0, xanchor="right", yanchor="bottom"))
        for name in SCHEDULES:
            self.fig.add_scatter(row=1, col=1, x=[], y=[], name=name, mode="lines",
                                 line=dict(color=COLORS[name]),
                                 hovertemplate="step %{x}: lr %{y:.4g}<extra>" + name + "</extra>")
        self.fig.add_scatter(row=2, col=1, x=[], y=[], name="momentum", mode="lines", showlegend=False,
                             line=dict(color="#9467bd"),
                             hovertemplate="step %{x}: momentum %{y:.3f}<extra></extra>")
        self.fig.update_yaxes(row=1, col=1, title_text="learning rate", exponentformat="power")
        self.fig.update_yaxes(row=2, col=1, title_text="momentum", range=[0.83, 0.97])
        self.fig.update_xaxes(row=2, col=1, title_text="optimizer step")
        super().__init__()

    def settings(self, schedule: str | None = None) -> Settings:
        v = self.values
        return Settings(schedule=schedule or v["schedule"], steps=int(v["steps"]),
                        max_lr=float(v["max_lr"]), floor=float(v["floor"]), warmup=int(v["warmup"]),
                        period=int(v["period"]), gamma=round(float(v["gamma"]), 6),
                        t_mult=int(v["t_mult"]))

    def update(self) -> None:
        s = self.settings()
        x = np.arange(s.steps)
        with self.fig.batch_update():
            for i, name in enumerate(SCHEDULES):
                lrs, momenta = lr_curve(self.settings(name))
                chosen = name == s.schedule
                self.fig.data[i].update(x=x, y=lrs, opacity=1.0 if chosen else 0.3,
                                        line_width=3 if chosen else 1.5)
                if chosen:
                    self.fig.data[-1].update(x=x, y=momenta)
                    mine = (lrs, momenta)
            self.fig.update_yaxes(row=1, col=1, type="log" if self.values["log_y"] else "linear")
            self.fig.layout.title.text = (f"{s.schedule}: learning rate over {s.steps} steps"
                                          f"<br><sup>{self._knobs(s)}</sup>")
        self.status.value = self._verdict(s, *mine)

    @staticmethod
    def _knobs(s: Settings) -> str:
        if s.schedule == "one-cycle":
            return (f"rises for {s.rising()} steps from max/{DIV_FACTOR:g} to {s.max_lr:.3g}, then "
                    f"falls to {s.max_lr * s.floor:.3g}; momentum {MAX_MOMENTUM} → {BASE_MOMENTUM} → "
                    f"{MAX_MOMENTUM}")
        warm = f"warmup {s.warmup} steps, then " if s.warmup else ""
        if s.schedule == "step":
            return f"{warm}× {s.gamma:.1f} every {s.period} steps"
        if s.schedule == "cosine":
            return f"{warm}half a cosine from {s.max_lr:.3g} to {s.max_lr * s.floor:.3g}"
        return (f"{warm}cycles of {s.period}, ×{s.t_mult} each restart, from {s.max_lr:.3g} down to "
                f"{s.max_lr * s.floor:.3g}")

    @staticmethod
    def _verdict(s: Settings, lrs: np.ndarray, momenta: np.ndarray) -> str:
        theirs, their_momenta = torch_curve(s)
        diff = max(float(np.abs(lrs - theirs).max()), float(np.abs(momenta - their_momenta).max()))
        text = (f"Mean lr {lrs.mean():.3g} (the area under the curve, per step), last lr "
                f"{lrs[-1]:.3g}. torch.optim.lr_scheduler.{TORCH_NAMES[s.schedule]}"
                f"{' after LinearLR (SequentialLR)' if s.warmup and s.schedule != 'one-cycle' else ''}"
                f" gives the same curve: largest difference {diff:.1e}.")
        if s.schedule == "SGDR":
            restarts = [t for t in range(1, s.steps) if lrs[t] > lrs[t - 1] and t > s.warmup]
            text += f" Restarts at steps {', '.join(map(str, restarts)) or 'none (one long cycle)'}."
        return text


GALLERY = {"ScheduleDesigner": ScheduleDesigner}
