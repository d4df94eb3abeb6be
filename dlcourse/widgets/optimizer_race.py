"""L1.08: an optimizer race. Six optimizers start from the same point of a hard 2-D function and
run side by side: their paths over the contours, and f − f* against the step on a log scale.

The update rules here are small NumPy versions of PyTorch's (same conventions, PyTorch's default
hyperparameters), plumbing for the drawing; the lesson writes the real ones in the notebook and
the tests check these against torch.optim step for step.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

Array = np.ndarray

# PyTorch's defaults: SGD(momentum=0.9[, nesterov=True]), Adagrad(eps=1e-10),
# RMSprop(alpha=0.99, eps=1e-8), Adam(betas=(0.9, 0.999), eps=1e-8).
MOMENTUM = 0.9
ADAGRAD_EPS = 1e-10
RMSPROP_ALPHA, RMSPROP_EPS = 0.99, 1e-8
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8

OPTIMIZERS = {  # name → (legend label, color)
    "sgd": ("SGD", "#4a4a4a"),
    "momentum": ("momentum", "#1f77b4"),
    "nesterov": ("Nesterov", "#17becf"),
    "adagrad": ("AdaGrad", "#2ca02c"),
    "rmsprop": ("RMSprop", "#ff7f0e"),
    "adam": ("Adam", "#d62728"),
}
SETS = {  # the optimizer dropdown: label → the optimizers shown
    "all six": tuple(OPTIMIZERS),
    "SGD · momentum · Nesterov": ("sgd", "momentum", "nesterov"),
    "AdaGrad · RMSprop · Adam": ("adagrad", "rmsprop", "adam"),
    "SGD vs momentum vs Adam": ("sgd", "momentum", "adam"),
    "RMSprop vs Adam (bias correction)": ("rmsprop", "adam"),
}
LR_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)  # the first slider: × every default lr
CONTOUR_COLORS = [[0.0, "#ffffff"], [0.35, "#e3ecf5"], [1.0, "#8fa9c4"]]  # light: paths stay visible
FLOOR = 1e-12  # f − f* is drawn down to this (log axis); reaching it counts as arrived
BLOW_UP = 1e6  # a coordinate beyond this many plot widths from the start: diverged


class Landscape(NamedTuple):
    """A 2-D test function, its exact gradient, its minimum value and a good default race."""
    label: str
    f: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], tuple[Array, Array]]
    f_min: float
    minima: tuple[tuple[float, float], ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    lrs: dict[str, float]  # each optimizer's learning rate at ×1
    log: bool = False  # contours of log10(f − f* + 1): for functions spanning many decades
    extra_y: tuple[float, ...] = ()  # start-y choices besides the regular grid


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
    return (2 * a * (y - 1) + 2 * b * (y ** 2 - 1) + 2 * c * (y ** 3 - 1),
            2 * a * x + 4 * b * x * y + 6 * c * x * y ** 2)


def _saddle(x, y):
    return x ** 2 - y ** 2 + y ** 4 / 2


def _saddle_grad(x, y):
    return 2 * x, -2 * y + 2 * y ** 3


KAPPA = 50.0  # condition number of the ravines
ANGLE = 20.0  # degrees between the rotated ravine's long axis and the x axis
_C, _S = np.cos(np.radians(ANGLE)), np.sin(np.radians(ANGLE))
_ROT = np.array([[_C * _C + KAPPA * _S * _S, (1 - KAPPA) * _C * _S],
                 [(1 - KAPPA) * _C * _S, _S * _S + KAPPA * _C * _C]])  # R diag(1, κ) Rᵀ


def _ravine(x, y):
    return 0.5 * (x ** 2 + KAPPA * y ** 2)


def _ravine_grad(x, y):
    return x, KAPPA * y


def _rotated(x, y):
    return 0.5 * (_ROT[0, 0] * x * x + 2 * _ROT[0, 1] * x * y + _ROT[1, 1] * y * y)


def _rotated_grad(x, y):
    return _ROT[0, 0] * x + _ROT[0, 1] * y, _ROT[1, 0] * x + _ROT[1, 1] * y


FUNCTIONS: dict[str, Landscape] = {
    "rosenbrock": Landscape(
        "Rosenbrock  (1 − x)² + 100(y − x²)²", _rosenbrock, _rosenbrock_grad, 0.0, ((1.0, 1.0),),
        (-2.0, 2.0), (-1.0, 3.0), (-1.2, 1.0),
        dict(sgd=2e-3, momentum=1e-3, nesterov=1e-3, adagrad=0.5, rmsprop=0.02, adam=0.2),
        log=True),
    "beale": Landscape(
        "Beale  (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", _beale, _beale_grad,
        0.0, ((3.0, 0.5),), (-4.5, 4.5), (-4.5, 4.5), (1.0, 1.5),
        dict(sgd=0.01, momentum=2e-3, nesterov=2e-3, adagrad=0.5, rmsprop=0.05, adam=0.1),
        log=True),
    "saddle": Landscape(
        "saddle  x² − y² + y⁴/2", _saddle, _saddle_grad, -0.5, ((0.0, 1.0), (0.0, -1.0)),
        (-2.0, 2.0), (-2.0, 2.0), (-1.8, 0.01),
        dict(sgd=0.02, momentum=0.002, nesterov=0.002, adagrad=0.1, rmsprop=0.01, adam=0.02),
        extra_y=(-0.01, -0.001, 0.001, 0.01)),
    "ravine": Landscape(
        f"ill-conditioned quadratic  (x² + {KAPPA:g}y²)/2", _ravine, _ravine_grad, 0.0,
        ((0.0, 0.0),), (-4.0, 4.0), (-2.0, 2.0), (-3.5, 1.5),
        dict(sgd=0.035, momentum=0.01, nesterov=0.01, adagrad=0.5, rmsprop=0.03, adam=0.1)),
    "rotated": Landscape(
        f"rotated quadratic  the same ravine, its axes turned by {ANGLE:g}°", _rotated, _rotated_grad,
        0.0, ((0.0, 0.0),), (-4.0, 4.0), (-2.0, 2.0), (-3.5, -0.2),
        dict(sgd=0.035, momentum=0.01, nesterov=0.01, adagrad=0.5, rmsprop=0.03, adam=0.1)),
}


class Run(NamedTuple):
    """One optimizer's race: the points visited (steps + 1, 2), f − f* at each, its lr, and the
    step at which it diverged (None if it did not)."""
    path: Array
    gap: Array
    lr: float
    diverged_at: int | None


def optimizer_step(name: str, g: Array, state: dict, lr: float, t: int) -> Array:
    """The step θ_t − θ_{t−1} of optimizer `name` at step t ≥ 1 for gradient g (PyTorch's rules)."""
    if name == "sgd":
        return -lr * g
    if name in ("momentum", "nesterov"):
        buf = state.get("buf")
        buf = g.copy() if buf is None else MOMENTUM * buf + g  # PyTorch: b_1 = g_1
        state["buf"] = buf
        return -lr * (buf if name == "momentum" else g + MOMENTUM * buf)
    if name == "adagrad":
        state["sum"] = state.get("sum", 0.0) + g * g
        return -lr * g / (np.sqrt(state["sum"]) + ADAGRAD_EPS)
    if name == "rmsprop":
        state["sq"] = RMSPROP_ALPHA * state.get("sq", 0.0) + (1 - RMSPROP_ALPHA) * g * g
        return -lr * g / (np.sqrt(state["sq"]) + RMSPROP_EPS)
    if name == "adam":
        b1, b2 = ADAM_BETAS
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        m_hat, v_hat = state["m"] / (1 - b1 ** t), state["v"] / (1 - b2 ** t)
        return -lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
    raise KeyError(f"unknown optimizer {name!r}; choose from {list(OPTIMIZERS)}")


def trajectory(function: str, optimizer: str, lr: float, steps: int,
               start: tuple[float, float] | None = None) -> Run:
    """Run `optimizer` for `steps` steps on FUNCTIONS[function] from `start`. Pure: no widgets."""
    fn = FUNCTIONS[function]
    theta = np.array(fn.start if start is None else start, dtype=np.float64)
    width = max(fn.x_range[1] - fn.x_range[0], fn.y_range[1] - fn.y_range[0])
    points, state, diverged = [theta.copy()], {}, None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            g = np.array(fn.grad(*theta), dtype=np.float64)
            theta = theta + optimizer_step(optimizer, g, state, lr, t)
            if not np.all(np.isfinite(theta)) or np.abs(theta).max() > BLOW_UP * width \
                    or not np.isfinite(fn.f(*theta)):
                diverged = t
                break
            points.append(theta.copy())
        path = np.array(points)
        gap = np.maximum(fn.f(path[:, 0], path[:, 1]) - fn.f_min, 0.0)
    return Run(path, gap, lr, diverged)


def race(function: str, optimizers, lr_scale: float = 1.0, steps: int = 200,
         start: tuple[float, float] | None = None) -> dict[str, Run]:
    """Every optimizer in `optimizers` from the same start, each at its default lr × lr_scale."""
    fn = FUNCTIONS[function]
    return {name: trajectory(function, name, fn.lrs[name] * lr_scale, steps, start)
            for name in optimizers}


def contour_grid(function: str, n: int = 121) -> tuple[Array, Array, Array]:
    """x, y and the contour values: f − f*, or log10(f − f* + 1) for the log-scaled functions."""
    fn = FUNCTIONS[function]
    xs, ys = np.linspace(*fn.x_range, n), np.linspace(*fn.y_range, n)
    X, Y = np.meshgrid(xs, ys)
    z = fn.f(X, Y) - fn.f_min
    return xs, ys, np.log10(z + 1) if fn.log else z


def steps_to(run: Run, tol: float) -> int | None:
    """The first step at which f − f* ≤ tol, or None."""
    hit = np.nonzero(run.gap <= tol)[0]
    return int(hit[0]) if hit.size else None


def _grid(low: float, high: float, extra=()) -> tuple:
    """Slider options from low to high in round steps (about 40 of them), plus `extra` values."""
    step = next(s for s in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0) if s >= (high - low) / 40 - 1e-12)
    count = int(round((high - low) / step))
    values = sorted({round(low + k * step, 3) for k in range(count + 1)} | set(extra))
    return tuple((f"{v:g}", v) for v in values)


def _fmt_lr(lr: float) -> str:
    return f"{lr:.2g}"


class OptimizerRace(Explorer):
    """Optimizers racing on a 2-D test function: paths over the contours and f − f* per step.

    Controls: `lr` (every optimizer's learning rate × this factor), `steps`, `function`
    (Rosenbrock, Beale, a saddle, an ill-conditioned quadratic, the same rotated), the start point
    `x0`, `y0`, and `optimizers` (which to show; click a legend entry to hide or show one).
    """

    def __init__(self, function: str = "rosenbrock", optimizers: str = "all six",
                 steps: int = 200, lr_scale: float = 1.0):
        fn = FUNCTIONS[function]
        self.controls = {
            "lr": widgets.SelectionSlider(options=[(f"×{s:g}", s) for s in LR_SCALES],
                                          value=lr_scale, description="lr ×",
                                          continuous_update=False),
            "steps": widgets.IntSlider(value=steps, min=10, max=500, step=10, description="steps",
                                       continuous_update=False),
            "function": widgets.Dropdown(options=[(f.label.split("  ")[0], k)
                                                  for k, f in FUNCTIONS.items()],
                                         value=function, description="f(x, y)"),
            "x0": widgets.SelectionSlider(options=_grid(*fn.x_range, (fn.start[0],)), value=fn.start[0],
                                          description="start x", continuous_update=False),
            "y0": widgets.SelectionSlider(options=_grid(*fn.y_range, fn.extra_y + (fn.start[1],)),
                                          value=fn.start[1], description="start y",
                                          continuous_update=False),
            "optimizers": widgets.Dropdown(options=list(SETS), value=optimizers,
                                           description="show"),
        }
        self._function = function
        fig = make_subplots(rows=1, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.1,
                            subplot_titles=("paths over the contours of f",
                                            "f − f* at each step (log scale)"))
        self.fig = figure(fig, title="Optimizer race", height=540,
                          legend=dict(orientation="h", x=0, y=-0.13, font=dict(size=12)),
                          margin=dict(l=60, r=30, t=80, b=110))
        self.fig.add_contour(row=1, col=1, colorscale=CONTOUR_COLORS, ncontours=30,
                             line=dict(width=0.6, color="rgba(90,110,140,0.35)"), showscale=False,
                             hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>%{z:.3g}<extra></extra>",
                             name="f", showlegend=False)
        self.fig.add_scatter(row=1, col=1, mode="markers", name="minimum",
                             marker=dict(symbol="star", size=16, color="gold",
                                         line=dict(width=1, color="black")),
                             hovertemplate="minimum (%{x:.2f}, %{y:.2f})<extra></extra>")
        self.fig.add_scatter(row=1, col=1, mode="markers", name="start",
                             marker=dict(symbol="circle", size=11, color="white",
                                         line=dict(width=2.5, color="black")),
                             hovertemplate="start (%{x:.2f}, %{y:.2f})<extra></extra>")
        for name, (label, color) in OPTIMIZERS.items():
            self.fig.add_scatter(row=1, col=1, mode="lines+markers", name=label, legendgroup=name,
                                 line=dict(color=color, width=2), marker=dict(size=3.5, color=color),
                                 hovertemplate=f"{label}<br>step %{{customdata}}<br>"
                                               "(%{x:.3f}, %{y:.3f})<extra></extra>")
        for name, (label, color) in OPTIMIZERS.items():
            self.fig.add_scatter(row=1, col=2, mode="lines", name=label, legendgroup=name,
                                 showlegend=False, line=dict(color=color, width=2),
                                 hovertemplate=f"{label}<br>step %{{x}}<br>f − f* = %{{y:.3g}}"
                                               "<extra></extra>")
        self.fig.update_xaxes(title_text="x", row=1, col=1, constrain="domain")
        self.fig.update_yaxes(title_text="y", row=1, col=1, scaleanchor="x", constrain="domain")
        self.fig.update_xaxes(title_text="step", row=1, col=2)
        self.fig.update_yaxes(title_text="f(θ) − f*", type="log", exponentformat="power",
                              row=1, col=2)
        super().__init__()

    def update(self) -> None:
        function = self.values["function"]
        fn = FUNCTIONS[function]
        if function != self._function:  # a new function: its own start grid and default start
            self._function = function
            with self.quiet():
                self.controls["x0"].options = _grid(*fn.x_range, (fn.start[0],))
                self.controls["y0"].options = _grid(*fn.y_range, fn.extra_y + (fn.start[1],))
                self.controls["x0"].value, self.controls["y0"].value = fn.start
        v = self.values
        shown = SETS[v["optimizers"]]
        runs = race(function, OPTIMIZERS, v["lr"], v["steps"], (v["x0"], v["y0"]))
        xs, ys, z = contour_grid(function)
        n_opt = len(OPTIMIZERS)
        with self.fig.batch_update():
            data = self.fig.data
            data[0].update(x=xs, y=ys, z=z)
            data[1].update(x=[m[0] for m in fn.minima], y=[m[1] for m in fn.minima])
            data[2].update(x=[v["x0"]], y=[v["y0"]])
            for k, (name, run) in enumerate(runs.items()):
                label = OPTIMIZERS[name][0]
                legend = f"{label} (lr {_fmt_lr(run.lr)})"
                if run.diverged_at is not None:
                    legend += f" ✗ diverged at step {run.diverged_at}"
                visible = name in shown
                data[3 + k].update(x=run.path[:, 0], y=run.path[:, 1],
                                   customdata=np.arange(len(run.path)), name=legend,
                                   visible=visible)
                data[3 + n_opt + k].update(x=np.arange(len(run.gap)),
                                           y=np.maximum(run.gap, FLOOR), visible=visible)
            self.fig.layout.xaxis.range = fn.x_range
            self.fig.layout.yaxis.range = fn.y_range
            self.fig.layout.xaxis2.range = [0, v["steps"]]
            self.fig.layout.title.text = (f"{fn.label}: {v['steps']} steps from "
                                          f"({v['x0']:g}, {v['y0']:g}), lr ×{v['lr']:g}")
        self.status.value = self._summary(runs, shown)

    @staticmethod
    def _summary(runs: dict[str, Run], shown) -> str:
        parts = []
        for name in shown:
            run, label = runs[name], OPTIMIZERS[name][0]
            if run.diverged_at is not None:
                parts.append(f"<b>{label}</b> diverged at step {run.diverged_at}")
                continue
            arrived = steps_to(run, 1e-6)
            tail = f", f − f* < 10⁻⁶ from step {arrived}" if arrived is not None else ""
            parts.append(f"<b>{label}</b> ends at f − f* = {run.gap[-1]:.2g}{tail}")
        return "After the race: " + "; ".join(parts) + "."


GALLERY = {"OptimizerRace": OptimizerRace}
