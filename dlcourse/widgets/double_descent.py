"""L3.20: double descent in random-features regression, in closed form.

A teacher y = x·β/√d on d = 10 inputs, n = 100 training points whose targets carry Gaussian noise
of standard deviation `noise`, and 2,000 clean test points. The model is linear in p random ReLU
features φ(x) = max(0, Wx/√d), W Gaussian and fixed (the first p rows of one matrix, so that
models of different widths share features); its weights minimize ‖Φw − y‖² + λ‖w‖², with λ = 0
meaning the minimum-norm least-squares solution. Errors are averaged over `DRAWS` draws of W.
Every fit goes through one SVD Φ = U S Vᵀ per (draw, p), computed once: w = V diag(s/(s² + λ)) Uᵀy.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure

D, N_TRAIN, N_TEST, DRAWS = 10, 100, 2_000, 3
WIDTHS = tuple(sorted({int(round(v)) for v in np.geomspace(5, 1_000, 30)} | {N_TRAIN}))
RIDGES = (0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)
RCOND = 1e-10   # singular values below RCOND × the largest count as zero (λ = 0: the pseudo-inverse)


def teacher_data(seed: int = 0):
    """x_train (n, d), clean y_train (n,), the training noise ε (n,) of unit scale, x_test, y_test."""
    rng = np.random.default_rng(seed)
    beta = rng.normal(size=D)
    x_train, x_test = rng.normal(size=(N_TRAIN, D)), rng.normal(size=(N_TEST, D))
    eps = rng.normal(size=N_TRAIN)
    return x_train, x_train @ beta / np.sqrt(D), eps, x_test, x_test @ beta / np.sqrt(D)


def random_features(x, W):
    """max(0, x Wᵀ / √d): one column per row of W."""
    return np.maximum(x @ W.T / np.sqrt(x.shape[1]), 0.0)


def feature_matrix(draw: int, p: int):
    """The first p rows of draw `draw`'s feature matrix W (max width × d)."""
    return np.random.default_rng(1_000 + draw).normal(size=(max(WIDTHS), D))[:p]


def _svd(phi):
    """Thin SVD (torch float64 tensors) of the feature matrix."""
    import torch
    return torch.linalg.svd(torch.as_tensor(phi, dtype=torch.float64), full_matrices=False)


def ridge_weights(phi, y, ridge: float):
    """argmin ‖Φw − y‖² + λ‖w‖²; for λ = 0 the minimum-norm least-squares solution (NumPy in and out)."""
    import torch

    from ..runtime import one_thread
    with one_thread():
        u, s, vt = _svd(phi)
        return _weights(u, s, vt, torch.as_tensor(y, dtype=torch.float64), ridge).numpy()


def _weights(u, s, vt, y, ridge):
    import torch
    if ridge > 0:
        scale = s / (s ** 2 + ridge)
    else:
        keep = s > RCOND * s.max()
        scale = torch.where(keep, 1.0 / torch.where(keep, s, torch.ones_like(s)), torch.zeros_like(s))
    return vt.T @ (scale * (u.T @ y))


@lru_cache(maxsize=None)
def _svds(seed: int):
    """Per width p and draw: (U, S, Vᵀ) of the training features and the test features, as torch
    tensors computed on one thread (a multithreaded BLAS crawls on a busy machine)."""
    import torch

    from ..runtime import one_thread
    x_train, _, _, x_test, _ = teacher_data(seed)
    out = {}
    with one_thread():
        for draw in range(DRAWS):
            W_all = feature_matrix(draw, max(WIDTHS))
            phi_train_all = torch.from_numpy(random_features(x_train, W_all))
            phi_test_all = torch.from_numpy(random_features(x_test, W_all))
            for p in WIDTHS:
                u, s, vt = _svd(phi_train_all[:, :p])
                out[draw, p] = (u, s, vt, phi_test_all[:, :p].contiguous())
    return out


class Curve(NamedTuple):
    widths: np.ndarray
    train: np.ndarray      # training MSE (against the noisy targets), mean over draws
    test: np.ndarray       # test MSE against the clean teacher, mean over draws
    norm: np.ndarray       # ‖w‖, mean over draws


def double_descent_curve(noise: float, ridge: float, seed: int = 0) -> Curve:
    """Train and test MSE and the weight norm for every width in WIDTHS."""
    import torch

    from ..runtime import one_thread
    _, y_clean, eps, _, y_test = teacher_data(seed)
    y, y_test = torch.from_numpy(y_clean + noise * eps), torch.from_numpy(y_test)
    svds = _svds(seed)
    train, test, norm = (np.zeros((DRAWS, len(WIDTHS))) for _ in range(3))
    with one_thread():
        for draw in range(DRAWS):
            for j, p in enumerate(WIDTHS):
                u, s, vt, phi_test = svds[draw, p]
                w = _weights(u, s, vt, y, ridge)
                train[draw, j] = ((u @ (s * (vt @ w)) - y) ** 2).mean().item()
                test[draw, j] = ((phi_test @ w - y_test) ** 2).mean().item()
                norm[draw, j] = w.norm().item()
    return Curve(np.array(WIDTHS), train.mean(0), test.mean(0), norm.mean(0))


class DoubleDescentExplorer(Explorer):
    """Test and training error of random-features regression against the number of features p.

    Controls: `features` (the p marked on the curve), `noise` (the standard deviation of the
    training targets' noise) and `ridge` (λ; 0 is the minimum-norm interpolator). The dotted line
    is the interpolation threshold p = n = 100.
    """

    def __init__(self, features: int = N_TRAIN, noise: float = 0.5, ridge: float = 0.0):
        self.controls = {
            "features": widgets.SelectionSlider(options=list(WIDTHS), value=features, description="features p",
                                                continuous_update=False, style={"description_width": "initial"}),
            "noise": widgets.FloatSlider(value=noise, min=0.0, max=1.0, step=0.05, description="label noise σ",
                                         continuous_update=False, style={"description_width": "initial"}),
            "ridge": widgets.SelectionSlider(options=list(RIDGES), value=ridge, description="ridge λ",
                                             continuous_update=False),
        }
        self.fig = figure(title="", xaxis=dict(title="number of random features p", type="log"),
                          yaxis=dict(title="mean squared error", type="log"), legend=dict(x=0.72, y=0.98))
        for name, color in (("test", "#d62728"), ("train", "#1f77b4")):
            self.fig.add_scatter(x=[], y=[], mode="lines+markers", name=f"{name} error", marker=dict(size=4),
                                 line=dict(color=color, width=3 if name == "test" else 2))
        self.fig.add_scatter(x=[], y=[], mode="markers", name="chosen p", showlegend=False,
                             marker=dict(size=13, color="black", symbol="circle-open", line=dict(width=2)))
        self.fig.add_vline(x=N_TRAIN, line_dash="dot", annotation_text="p = n", annotation_position="top left")
        super().__init__()

    def state(self) -> dict:
        v = self.values
        curve = double_descent_curve(v["noise"], v["ridge"])
        j = list(WIDTHS).index(v["features"])
        return dict(curve=curve, features=v["features"], train=float(curve.train[j]),
                    test=float(curve.test[j]), norm=float(curve.norm[j]))

    def update(self) -> None:
        st = self.state()
        c, v = st["curve"], self.values
        with self.fig.batch_update():
            self.fig.data[0].update(x=c.widths, y=c.test)
            self.fig.data[1].update(x=c.widths, y=np.maximum(c.train, 1e-6))
            self.fig.data[2].update(x=[st["features"]] * 2, y=[st["test"], max(st["train"], 1e-6)])
            self.fig.layout.title.text = (f"Random ReLU features, n = {N_TRAIN}, noise σ = {v['noise']:.2f}, "
                                          f"λ = {v['ridge']:g} · p = {st['features']}: test {st['test']:.3g}")
        peak = int(c.widths[np.argmax(c.test)])
        self.status.value = (f"p = {st['features']}: training MSE <b>{st['train']:.4g}</b>, test MSE "
                             f"<b>{st['test']:.4g}</b>, ‖w‖ = {st['norm']:.3g}. Test error peaks at p = {peak} "
                             f"({c.test.max():.3g}); at p = {c.widths[-1]}: {c.test[-1]:.3g}." + (
                             " With λ = 0 the training MSE is 0 (interpolation) from p = n on." if v["ridge"] == 0 else ""))


GALLERY = {"DoubleDescentExplorer": DoubleDescentExplorer}
