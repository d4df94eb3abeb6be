"""L1.09: feature scaling → the shape of the loss surface → how fast gradient descent gets there.

One feature x is multiplied by `scale` (as if measured in other units), then fed to the model
raw, min-max normalized to [0, 1], or standardized to mean 0 and standard deviation 1. The
picture is L1.04's (`loss_surface.PathExplorer`): MSE contours over the model's own (w, b), and
gradient descent from (0, 0) at the best constant learning rate for that problem, times a factor.
"""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from .loss_surface import PathExplorer, Surface, curvature, linear_data, loss_surface, optimum
from .loss_surface import square_window, steps_to_tolerance

SCALES = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20]
PREPROCESSING = ("raw", "min-max", "standardized")
TOLERANCE = 1e-3  # converged: MSE within 0.1 % of its minimum


def preprocess(x, how: str):
    """x as the model sees it: raw, (x − min)/(max − min), or (x − mean)/std (1/n convention)."""
    x = np.asarray(x, dtype=float)
    if how == "raw":
        return x
    if how == "min-max":
        return (x - x.min()) / (x.max() - x.min())
    if how == "standardized":
        return (x - x.mean()) / x.std()
    raise ValueError(f"unknown preprocessing {how!r}; choose one of {PREPROCESSING}")


class Scaled(NamedTuple):
    surface: Surface
    lr: float
    steps_needed: int | None  # steps until MSE ≤ (1 + TOLERANCE)·min, None if not within `steps`


def scaled_surface(scale: float, how: str, lr_factor: float, steps: int, x=None, y=None,
                   resolution: int = 121) -> Scaled:
    """Rescale the feature, preprocess it, and run GD from (0, 0) with lr = lr_factor times the
    best constant learning rate 2/(λ_max + λ_min) of the resulting problem."""
    if x is None:
        x, y = linear_data()
    z = preprocess(scale * np.asarray(x, dtype=float), how)
    lr = lr_factor * curvature(z).lr_best
    best = optimum(z, y)
    window = square_window([(0.0, 0.0), (best.w, best.b)])
    s = loss_surface(z, y, lr, steps, (0.0, 0.0), None, 0, window, resolution)
    return Scaled(s, lr, steps_to_tolerance(s.path.loss, s.best.loss, TOLERANCE))


class FeatureScaling(PathExplorer):
    """How a feature's scale shapes the loss surface, and what min-max normalization and
    standardization do to it.

    Controls (the feature scale is the first slider): `scale` (the feature is multiplied by it),
    `preprocessing` (raw / min-max / standardized), `lr_factor` (the learning rate as a multiple
    of the best constant one, 2/(λ_max + λ_min), so every setting gets its fairest chance) and
    `steps`. The data are L1.04's: y = 2x − 1 + noise with x of mean 1 and standard deviation 1.
    """

    def __init__(self, scale: float = 1, preprocessing: str = "raw", lr_factor: float = 1.0,
                 steps: int = 100):
        self.x, self.y = linear_data()
        self.controls = {
            "scale": widgets.SelectionSlider(options=SCALES, value=scale, description="feature ×",
                                             continuous_update=False),
            "preprocessing": widgets.ToggleButtons(options=PREPROCESSING, value=preprocessing,
                                                   description="features",
                                                   style={"button_width": "110px"}),
            "lr_factor": widgets.FloatSlider(value=lr_factor, min=0.1, max=1.5, step=0.05,
                                             description="lr ÷ best lr", continuous_update=False,
                                             style={"description_width": "initial"}),
            "steps": widgets.IntSlider(value=steps, min=5, max=500, step=5, description="steps",
                                       continuous_update=False),
        }
        self._build_figure()
        super().__init__()

    def update(self) -> None:
        v = self.values
        r = scaled_surface(v["scale"], v["preprocessing"], v["lr_factor"], v["steps"],
                           self.x, self.y)
        what = {"raw": f"raw feature ×{v['scale']:g}", "min-max": "min-max normalized feature",
                "standardized": "standardized feature"}[v["preprocessing"]]
        self._draw(r.surface, f"{what} · κ = {r.surface.curv.cond:,.3g} · lr = {r.lr:.3g}",
                   tolerance=TOLERANCE)
        self.status.value = scaling_report(r, v["preprocessing"], v["lr_factor"], v["steps"])


def scaling_report(r: Scaled, how: str, lr_factor: float, steps: int) -> str:
    c = r.surface.curv
    head = (f"Hessian condition number κ = λ_max/λ_min = <b>{c.cond:,.3g}</b> "
            f"(λ_max = {c.lam_max:.3g}, λ_min = {c.lam_min:.3g}); best constant lr "
            f"2/(λ_max + λ_min) = {c.lr_best:.3g}, divergence above 2/λ_max = {c.lr_max:.3g}. ")
    if r.surface.path.diverged_at is not None:
        return head + (f"<span style='color:#c0392b'><b>Diverged</b> with lr = {r.lr:.3g} "
                       f"({lr_factor:g} × best): above 2/λ_max.</span>")
    if r.steps_needed is None:
        return head + (f"Not converged after {steps} steps (MSE {r.surface.path.loss[-1]:.4g}, "
                       f"minimum {r.surface.best.loss:.4g}): the path crawls along the valley floor.")
    return head + (f"Converged (MSE within {TOLERANCE:.1%} of its minimum) after "
                   f"<b>{r.steps_needed}</b> step{'s' if r.steps_needed != 1 else ''}.")


GALLERY = {"FeatureScaling": FeatureScaling}
