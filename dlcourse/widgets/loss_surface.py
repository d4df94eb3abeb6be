"""L1.04: the loss surface of a one-feature linear regression, with a gradient-descent path on it.

The compute core here serves two widgets: `LossSurface` (L1.04: learning rate, steps, batch size,
start point) and `FeatureScaling` (L1.09, in feature_scaling.py: the same picture for a feature
rescaled, min-max normalized or standardized).

The model is ŷ = w·x + b and the loss the mean squared error

    L(w, b) = mean((w·x + b − y)²) = L* + ½ eᵀ H e,   e = (w − w*, b − b*),

an exact quadratic whose Hessian H = 2·[[mean x², mean x], [mean x, 1]] does not depend on (w, b).
Everything below is NumPy in float64, fast enough to recompute on every slider move.
"""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

DIVERGED = 1e6  # |w| or |b| beyond this: the run has left for infinity
PATH_COLOR = "#ff5a36"
EXCESS_FLOOR = 1e-8  # the loss panel is logarithmic: a (numerically) perfect fit is drawn here
MARKER_STEPS = 60  # paths with more steps than this are drawn as plain lines


# ---------------------------------------------------------------------------------------------
# data and the exact loss
# ---------------------------------------------------------------------------------------------
def linear_data(n: int = 100, w: float = 2.0, b: float = -1.0, noise: float = 0.5,
                x_mean: float = 1.0, x_std: float = 1.0, seed: int = 0):
    """n points of y = w·x + b + noise. x has *exactly* the given sample mean and standard
    deviation (1/n convention), so the Hessian of the MSE is known in closed form:
    2·[[x_std² + x_mean², x_mean], [x_mean, 1]]."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    z = (z - z.mean()) / z.std()
    x = x_mean + x_std * z
    y = w * x + b + noise * rng.standard_normal(n)
    return x, y


def hessian(x) -> np.ndarray:
    """∇²L for L(w, b) = mean((w·x + b − y)²): a 2×2 matrix that depends on x only."""
    x = np.asarray(x, dtype=float)
    return 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


class Optimum(NamedTuple):
    w: float
    b: float
    loss: float


def optimum(x, y) -> Optimum:
    """The least-squares solution: the normal equations H θ = 2·(mean x·y, mean y)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w, b = np.linalg.solve(hessian(x), 2 * np.array([np.mean(x * y), np.mean(y)]))
    return Optimum(float(w), float(b), float(np.mean((w * x + b - y) ** 2)))


def mse(x, y, w, b, best: Optimum | None = None) -> np.ndarray:
    """L(w, b) for arrays w and b of any (broadcastable) shape, in the excess form
    L* + ½ eᵀHe, which is exact for a quadratic and loses no digits near the minimum."""
    best = best or optimum(x, y)
    H = hessian(x)
    dw, db = np.asarray(w, dtype=float) - best.w, np.asarray(b, dtype=float) - best.b
    return best.loss + 0.5 * (H[0, 0] * dw * dw + 2 * H[0, 1] * dw * db + H[1, 1] * db * db)


class Curvature(NamedTuple):
    """What the Hessian says about gradient descent on this problem."""
    lam_max: float
    lam_min: float
    lr_max: float   # 2 / λ_max: GD diverges for larger learning rates
    lr_best: float  # 2 / (λ_max + λ_min): the fastest constant learning rate
    cond: float     # κ = λ_max / λ_min


def curvature(x) -> Curvature:
    lam_min, lam_max = np.linalg.eigvalsh(hessian(x))
    return Curvature(float(lam_max), float(lam_min), 2 / lam_max, 2 / (lam_max + lam_min),
                     float(lam_max / lam_min))


# ---------------------------------------------------------------------------------------------
# gradient descent
# ---------------------------------------------------------------------------------------------
class Path(NamedTuple):
    params: np.ndarray       # (k + 1, 2): (w, b) before the first step and after each step
    loss: np.ndarray         # (k + 1,): the full-data MSE at each of those points
    diverged_at: int | None  # the step after which |w| or |b| passed DIVERGED, or None


def gd_path(x, y, lr: float, steps: int, start=(0.0, 0.0), batch_size: int | None = None,
            seed: int = 0) -> Path:
    """Gradient descent on the MSE from `start`: θ ← θ − lr·∇L_batch(θ).

    batch_size None (or ≥ n) is full-batch GD. A smaller batch_size is minibatch SGD: each epoch
    shuffles the points and walks through them batch_size at a time (a last, incomplete batch is
    dropped); the shuffles come from NumPy's Generator(seed). The gradient of the batch MSE is
    (2/B)·Σ r_i·(x_i, 1) with residuals r_i = w·x_i + b − y_i.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    B = n if batch_size is None or batch_size >= n else int(batch_size)
    if B < 1 or steps < 0:
        raise ValueError(f"need batch_size ≥ 1 and steps ≥ 0, got {batch_size} and {steps}")
    rng = np.random.default_rng(seed)
    best = optimum(x, y)
    w, b = (float(v) for v in start)
    params = [(w, b)]
    order, pos = np.arange(n), n
    diverged_at = None
    for step in range(1, steps + 1):
        if B == n:
            xb, yb = x, y
        else:
            if pos + B > n:  # a new epoch: reshuffle
                order, pos = rng.permutation(n), 0
            idx = order[pos:pos + B]
            pos += B
            xb, yb = x[idx], y[idx]
        r = w * xb + b - yb
        w, b = w - lr * 2 * np.mean(r * xb), b - lr * 2 * np.mean(r)
        if not (abs(w) < DIVERGED and abs(b) < DIVERGED):  # also catches inf and nan
            diverged_at = step
            break
        params.append((w, b))
    params = np.array(params)
    return Path(params, mse(x, y, params[:, 0], params[:, 1], best), diverged_at)


def steps_to_tolerance(loss, loss_star: float, tol: float = 1e-3) -> int | None:
    """The first step whose loss is within a fraction `tol` of the minimum, L ≤ (1 + tol)·L*."""
    hits = np.flatnonzero(np.asarray(loss) <= (1 + tol) * loss_star)
    return int(hits[0]) if hits.size else None


# ---------------------------------------------------------------------------------------------
# everything one picture needs
# ---------------------------------------------------------------------------------------------
class Surface(NamedTuple):
    w_axis: np.ndarray
    b_axis: np.ndarray
    log_loss: np.ndarray  # (len(b_axis), len(w_axis)): log10 of the MSE on the grid
    path: Path
    best: Optimum
    curv: Curvature
    window: tuple[float, float, float, float]  # w_lo, w_hi, b_lo, b_hi


def square_window(points, margin: float = 0.25, min_half: float = 0.5):
    """The smallest square (equal sides in w and b) around `points`, plus a margin: on equal
    axes, a circle stays a circle and an elongated bowl looks elongated."""
    pts = np.asarray(points, dtype=float)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    center = (lo + hi) / 2
    half = max((hi - lo).max() / 2 * (1 + 2 * margin), min_half)
    return (center[0] - half, center[0] + half, center[1] - half, center[1] + half)


def loss_surface(x, y, lr: float, steps: int, start=(0.0, 0.0), batch_size: int | None = None,
                 seed: int = 0, window=None, resolution: int = 121) -> Surface:
    """The MSE on a grid over (w, b), and the descent path from `start`. The default window is a
    square around the start and the minimum."""
    best = optimum(x, y)
    if window is None:
        window = square_window([start, (best.w, best.b)])
    w_lo, w_hi, b_lo, b_hi = window
    w_axis = np.linspace(w_lo, w_hi, resolution)
    b_axis = np.linspace(b_lo, b_hi, resolution)
    grid = mse(x, y, w_axis[None, :], b_axis[:, None], best)
    path = gd_path(x, y, lr, steps, start, batch_size, seed)
    return Surface(w_axis, b_axis, np.log10(grid), path, best, curvature(x), tuple(window))


# ---------------------------------------------------------------------------------------------
# the picture, shared by LossSurface and FeatureScaling
# ---------------------------------------------------------------------------------------------
class PathExplorer(Explorer):
    """Base of the loss-surface widgets: contours of the MSE with the descent path on the left,
    the loss along the path on the right. Subclasses build `controls`, then call
    `_build_figure()` and `super().__init__()`; their update() computes a `Surface` and hands it
    to `_draw()`."""

    def _build_figure(self, w_label: str = "weight w", b_label: str = "bias b") -> None:
        fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.14,
                            subplot_titles=("MSE contours (darker = lower) and the path",
                                            "Loss along the path"))
        self.fig = figure(fig, title="", height=500, showlegend=True,
                          legend=dict(orientation="h", x=0.0, y=-0.16, font=dict(size=12)),
                          margin=dict(l=70, r=30, t=80, b=90))
        self.fig.add_contour(row=1, col=1, colorscale="Viridis", ncontours=28, showscale=False,
                             line=dict(width=0.6, color="rgba(255,255,255,0.45)"),
                             hovertemplate=("w = %{x:.3f}<br>b = %{y:.3f}<br>"
                                            "log₁₀ MSE = %{z:.2f}<extra></extra>"), name="MSE")
        self.fig.add_scatter(row=1, col=1, mode="lines+markers", name="descent path",
                             line=dict(color=PATH_COLOR, width=2),
                             marker=dict(size=5, color=PATH_COLOR, line=dict(width=0.5, color="white")),
                             hovertemplate="step %{customdata}<br>w = %{x:.3f}, b = %{y:.3f}<extra></extra>")
        self.fig.add_scatter(row=1, col=1, mode="markers", name="start",
                             marker=dict(size=13, color="white", symbol="circle",
                                         line=dict(width=2.5, color=PATH_COLOR)),
                             hovertemplate="start: w = %{x:.3f}, b = %{y:.3f}<extra></extra>")
        self.fig.add_scatter(row=1, col=1, mode="markers", name="least-squares minimum",
                             marker=dict(size=17, color="white", symbol="star",
                                         line=dict(width=1, color="black")),
                             hovertemplate="minimum: w* = %{x:.3f}, b* = %{y:.3f}<extra></extra>")
        self.fig.add_scatter(row=1, col=2, mode="lines", name="MSE − min MSE",
                             line=dict(color=PATH_COLOR, width=2), showlegend=False,
                             hovertemplate="step %{x}<br>MSE − min = %{y:.3g}<extra></extra>")
        self.fig.add_scatter(row=1, col=2, mode="lines", name="tolerance", showlegend=False,
                             line=dict(color="gray", width=1, dash="dot"), hoverinfo="skip")
        self.fig.update_xaxes(title_text=w_label, row=1, col=1, constrain="domain")
        self.fig.update_yaxes(title_text=b_label, row=1, col=1, scaleanchor="x", scaleratio=1,
                              constrain="domain")
        self.fig.update_xaxes(title_text="step", row=1, col=2)
        self.fig.update_yaxes(title_text="MSE − min MSE (log scale)", type="log",
                              exponentformat="power", dtick=1, row=1, col=2)

    def _draw(self, s: Surface, title: str, tolerance: float | None = None) -> None:
        contour, path, start, star, curve, tol_line = self.fig.data[:6]
        p = s.path.params
        with self.fig.batch_update():
            contour.update(x=s.w_axis, y=s.b_axis, z=s.log_loss)
            few = len(p) <= MARKER_STEPS + 1
            path.update(x=p[:, 0], y=p[:, 1], customdata=np.arange(len(p)),
                        mode="lines+markers" if few else "lines", line_width=2 if few else 1)
            start.update(x=p[:1, 0], y=p[:1, 1])
            star.update(x=[s.best.w], y=[s.best.b])
            excess = np.maximum(s.path.loss - s.best.loss, EXCESS_FLOOR)
            curve.update(x=np.arange(len(excess)), y=excess)
            if tolerance is None:
                tol_line.update(x=[], y=[])
            else:
                level = max(tolerance * s.best.loss, EXCESS_FLOOR)
                tol_line.update(x=[0, max(len(excess) - 1, 1)], y=[level, level])
            w_lo, w_hi, b_lo, b_hi = s.window
            self.fig.layout.xaxis.range = [w_lo, w_hi]
            self.fig.layout.yaxis.range = [b_lo, b_hi]
            self.fig.layout.title.text = title


def _lr_options() -> list[float]:
    return [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.37, 0.39, 0.42, 0.5]


class LossSurface(PathExplorer):
    """MSE contours over (w, b) for a one-feature regression, with the gradient-descent path.

    Controls (the learning rate is the first slider): `lr`, `steps`, `batch_size` (minibatch SGD,
    or the full batch), and the start point `w0`, `b0`. The default data, y = 2x − 1 + noise with x
    of mean 1 and standard deviation 1, give λ_max = 3 + √5 ≈ 5.24, so GD diverges for
    lr > 2/λ_max ≈ 0.382.
    """

    def __init__(self, x=None, y=None, lr: float = 0.1, steps: int = 40,
                 batch_size: int | None = None, start=(-1.0, 2.5), window=None, seed: int = 0):
        if (x is None) != (y is None):
            raise ValueError("give both x and y, or neither for the default data")
        self.x, self.y = linear_data() if x is None else (np.asarray(x, float), np.asarray(y, float))
        self.seed = seed
        best = optimum(self.x, self.y)
        self.window = window or (best.w - 4, best.w + 4, best.b - 4, best.b + 4)
        n = len(self.x)
        sizes = [B for B in (1, 2, 5, 10, 20, 50) if B < n]
        batch_options = [(str(B), B) for B in sizes] + [(f"{n} (full)", n)]
        lr_options = sorted(set(_lr_options()) | {lr})
        w_lo, w_hi, b_lo, b_hi = self.window
        self.controls = {
            "lr": widgets.SelectionSlider(options=lr_options, value=lr, description="learning rate",
                                          continuous_update=False,
                                          style={"description_width": "initial"}),
            "steps": widgets.IntSlider(value=steps, min=1, max=200, description="steps",
                                       continuous_update=False),
            "batch_size": widgets.SelectionSlider(options=batch_options,
                                                  value=n if batch_size is None else batch_size,
                                                  description="batch size", continuous_update=False),
            "w0": widgets.FloatSlider(value=start[0], min=round(w_lo, 1), max=round(w_hi, 1),
                                      step=0.1, description="start w", continuous_update=False),
            "b0": widgets.FloatSlider(value=start[1], min=round(b_lo, 1), max=round(b_hi, 1),
                                      step=0.1, description="start b", continuous_update=False),
        }
        self._build_figure()
        super().__init__()

    def update(self) -> None:
        v = self.values
        n = len(self.x)
        B = v["batch_size"]
        s = loss_surface(self.x, self.y, v["lr"], v["steps"], (v["w0"], v["b0"]),
                         None if B >= n else B, self.seed, self.window)
        kind = "gradient descent" if B >= n else f"minibatch SGD, batch size {B}"
        self._draw(s, f"{kind} · learning rate {v['lr']:g} · {v['steps']} steps")
        self.status.value = lr_report(s, v["lr"]) + (
            "" if B >= n else f" <i>Batch size {B}: each step follows a noisy estimate of the "
            "gradient, so SGD jitters around the minimum; a smaller learning rate or a larger "
            "batch shrinks the jitter.</i>")


def lr_report(s: Surface, lr: float) -> str:
    """The status line: the stability bound, where the path ended, or that it diverged."""
    c = s.curv
    factor = abs(1 - lr * c.lam_max)
    head = (f"Hessian eigenvalues λ_max = {c.lam_max:.3g}, λ_min = {c.lam_min:.3g} "
            f"(κ = {c.cond:.3g}). GD is stable for lr &lt; 2/λ_max = <b>{c.lr_max:.3g}</b>; "
            f"the fastest constant lr is 2/(λ_max + λ_min) = {c.lr_best:.3g}. ")
    if s.path.diverged_at is not None:
        return (head + f"<span style='color:#c0392b'><b>Diverged</b>: with lr = {lr:g} the "
                f"error along the steepest direction is multiplied by |1 − lr·λ_max| = "
                f"{factor:.2f} &gt; 1 every step; |w| or |b| passed {DIVERGED:.0e} after "
                f"{s.path.diverged_at} steps.</span>")
    w, b = s.path.params[-1]
    verdict = ("<span style='color:#c0392b'>growing: it will diverge</span>" if factor > 1
               else "zig-zags" if lr * c.lam_max > 1 else "shrinks steadily")
    return (head + f"With lr = {lr:g}, the error along the steepest direction is multiplied by "
            f"{1 - lr * c.lam_max:+.2f} per step ({verdict}). After {len(s.path.params) - 1} "
            f"steps: w = {w:.3f}, b = {b:.3f} (least squares: {s.best.w:.3f}, {s.best.b:.3f}); "
            f"MSE {s.path.loss[-1]:.4g} (minimum {s.best.loss:.4g}).")


GALLERY = {"LossSurface": LossSurface}
