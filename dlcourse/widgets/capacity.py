"""L1.10: capacity explorer. A polynomial of the chosen degree fitted by least squares to noisy
samples of sin(2πx); its curve over the training and validation points, and the training and
validation errors of every degree, with the chosen one marked."""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

MAX_DEGREE = 15
N_VAL = 200
TAU = 2 * np.pi
Y_RANGE = (-2.2, 2.2)
FLOOR = 1e-3  # RMSE below this (an interpolating fit) is drawn at the floor of the log axis


def truth(x):
    """The function behind the data: sin(2πx), the default of dlcourse.data.regression_curve."""
    return np.sin(TAU * np.asarray(x, dtype=np.float64))


def make_data(n: int, noise: float, seed: int = 0):
    """Training (n points) and validation (N_VAL points) sets from dlcourse.data.regression_curve,
    as float64 numpy arrays (x_train, y_train, x_val, y_val)."""
    from ..data import regression_curve
    x, y = regression_curve(n=n, noise=noise, seed=seed)
    xv, yv = regression_curve(n=N_VAL, noise=noise, seed=seed + 10_000)
    return tuple(a[:, 0].double().numpy() for a in (x, y, xv, yv))


def design(x, degree: int) -> np.ndarray:
    """The Vandermonde matrix [1, z, z², …, z^degree] of z = 2x − 1 (x in [0, 1] → z in [−1, 1],
    which keeps high powers well conditioned)."""
    z = 2 * np.asarray(x, dtype=np.float64) - 1
    return z[:, None] ** np.arange(degree + 1)


def fit(x, y, degree: int) -> np.ndarray:
    """Least-squares polynomial coefficients (minimum-norm when degree + 1 > len(x))."""
    return np.linalg.lstsq(design(x, degree), y, rcond=None)[0]


def rmse(pred, y) -> float:
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(y)) ** 2)))


class CapacityView(NamedTuple):
    grid: np.ndarray        # x values for the curves
    curve: np.ndarray       # the fitted polynomial of the chosen degree on the grid
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    degrees: np.ndarray     # 0 … MAX_DEGREE
    train_rmse: np.ndarray  # per degree
    val_rmse: np.ndarray
    best: int               # the degree with the lowest validation error


def capacity_view(degree: int, noise: float, n: int, seed: int = 0) -> CapacityView:
    """Everything the explorer draws. Pure: no widgets."""
    x, y, xv, yv = make_data(n, noise, seed)
    degrees = np.arange(MAX_DEGREE + 1)
    train, val = [], []
    for d in degrees:
        w = fit(x, y, d)
        train.append(rmse(design(x, d) @ w, y))
        val.append(rmse(design(xv, d) @ w, yv))
    grid = np.linspace(0, 1, 400)
    curve = design(grid, degree) @ fit(x, y, degree)
    val = np.array(val)
    return CapacityView(grid, curve, x, y, xv, yv, degrees, np.array(train), val,
                        int(np.argmin(val)))


class CapacityExplorer(Explorer):
    """Underfitting and overfitting with a polynomial of adjustable degree.

    Controls: `degree` (0–15), `noise` (standard deviation of the noise on y), `n` (training
    points) and `seed` (which sample). Left: the fit over the training and validation points.
    Right: training and validation RMSE of every degree, the chosen one marked.
    """

    def __init__(self, degree: int = 3, noise: float = 0.25, n: int = 20, seed: int = 0):
        self.controls = {
            "degree": widgets.IntSlider(value=degree, min=0, max=MAX_DEGREE, description="degree"),
            "noise": widgets.FloatSlider(value=noise, min=0.02, max=0.6, step=0.02,
                                         description="noise σ", continuous_update=False),
            "n": widgets.IntSlider(value=n, min=5, max=200, description="train points",
                                   continuous_update=False),
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description="sample #",
                                      continuous_update=False),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
                            subplot_titles=("the fit", "error of every degree"))
        self.fig = figure(fig, title="Capacity", height=480,
                          legend=dict(orientation="h", x=0, y=-0.17),
                          margin=dict(l=60, r=30, t=80, b=95))
        self.fig.add_scatter(row=1, col=1, mode="lines", name="truth sin(2πx)", hoverinfo="skip",
                             line=dict(color="gray", width=2, dash="dot"))
        self.fig.add_scatter(row=1, col=1, mode="markers", name="validation points",
                             marker=dict(size=5, color="#fdae6b", opacity=0.7))
        self.fig.add_scatter(row=1, col=1, mode="markers", name="training points",
                             marker=dict(size=9, color="#08519c", line=dict(width=1, color="white")))
        self.fig.add_scatter(row=1, col=1, mode="lines", name="fitted polynomial",
                             line=dict(color="#d62728", width=3))
        self.fig.add_scatter(row=1, col=2, mode="lines+markers", name="training RMSE",
                             line=dict(color="#08519c", width=2.5))
        self.fig.add_scatter(row=1, col=2, mode="lines+markers", name="validation RMSE",
                             line=dict(color="#e6550d", width=2.5))
        self.fig.add_scatter(row=1, col=2, mode="lines", name="noise σ (the floor)",
                             line=dict(color="gray", dash="dash"), hoverinfo="skip")
        self.fig.add_scatter(row=1, col=2, mode="markers", name="chosen degree", showlegend=False,
                             marker=dict(size=16, symbol="circle-open", color="#d62728",
                                         line=dict(width=3)))
        self.fig.update_xaxes(title_text="x", range=[-0.02, 1.02], row=1, col=1)
        self.fig.update_yaxes(title_text="y", range=Y_RANGE, row=1, col=1)
        self.fig.update_xaxes(title_text="polynomial degree", dtick=1, range=[-0.5, MAX_DEGREE + 0.5],
                                 row=1, col=2)
        self.fig.update_yaxes(title_text="RMSE (units of y, log scale)", type="log", row=1, col=2,
                              exponentformat="power")
        super().__init__()

    def update(self) -> None:
        v = self.values
        view = capacity_view(v["degree"], v["noise"], v["n"], v["seed"])
        d = v["degree"]
        data = self.fig.data
        train = np.maximum(view.train_rmse, FLOOR)
        val = np.maximum(view.val_rmse, FLOOR)
        with self.fig.batch_update():
            data[0].update(x=view.grid, y=truth(view.grid))
            data[1].update(x=view.x_val, y=view.y_val)
            data[2].update(x=view.x_train, y=view.y_train)
            data[3].update(x=view.grid, y=view.curve)  # the axis range clips wild values
            data[4].update(x=view.degrees, y=train)
            data[5].update(x=view.degrees, y=val)
            data[6].update(x=[-0.5, MAX_DEGREE + 0.5], y=[v["noise"]] * 2)
            data[7].update(x=[d, d], y=[train[d], val[d]])
            top = max(np.log10(max(val.max(), train.max())) + 0.15, 0.3)
            self.fig.layout.yaxis2.range = [np.log10(FLOOR) - 0.2, top]
            self.fig.layout.title.text = (
                f"Degree {d} on {v['n']} points: training RMSE {view.train_rmse[d]:.3f}, "
                f"validation RMSE {view.val_rmse[d]:.3f}")
        gap = view.val_rmse[d] - view.train_rmse[d]
        if d + 1 >= v["n"]:
            verdict = (f"{d + 1} coefficients for {v['n']} points: the curve passes through every "
                       "training point (training error ≈ 0), noise and all. Overfitting.")
        elif view.train_rmse[d] > 1.5 * v["noise"]:
            verdict = ("The training error is well above the noise level: the model cannot follow "
                       "the curve. Underfitting (high bias).")
        elif view.val_rmse[d] > 1.5 * view.val_rmse[view.best]:
            verdict = ("The training error is low but the validation error is much higher: the fit "
                       "chases the noise. Overfitting (high variance).")
        else:
            verdict = "Close to the best this data allows."
        self.status.value = (f"{verdict} Generalization gap (validation − training RMSE): "
                             f"<b>{gap:.3f}</b>. Lowest validation error at degree "
                             f"<b>{view.best}</b> ({view.val_rmse[view.best]:.3f}; the noise "
                             f"alone gives {v['noise']:.2f}).")


GALLERY = {"CapacityExplorer": CapacityExplorer}
