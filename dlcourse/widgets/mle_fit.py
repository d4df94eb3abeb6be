"""L1.02: maximum likelihood by hand. Samples from a Gaussian; you set the model's μ and σ and see
its density over the histogram, the log-likelihood it earns, and where the maximum is."""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

LOG_2PI = float(np.log(2 * np.pi))
MU_RANGE = (-3.0, 3.0)
SIGMA_RANGE = (0.2, 3.0)
X_RANGE = (-5.0, 5.0)


def sample(n: int, seed: int, mu: float = 1.0, sigma: float = 0.8) -> np.ndarray:
    """n draws from N(mu, sigma²), the same for the same seed."""
    return np.random.default_rng(seed).normal(mu, sigma, n)


def log_likelihood(x, mu, sigma):
    """ℓ(μ, σ) = Σᵢ log N(xᵢ; μ, σ²) = −n/2 · log(2πσ²) − Σᵢ (xᵢ − μ)² / (2σ²).
    mu and sigma may be arrays (they broadcast); x is the 1-D sample."""
    x = np.asarray(x, dtype=np.float64)
    n, mean, var = x.size, x.mean(), x.var()
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    # Σ (xᵢ − μ)² = n · (var + (mean − μ)²): the data enter only through n, mean and var
    return -0.5 * n * (LOG_2PI + 2 * np.log(sigma)) - n * (var + (mean - mu) ** 2) / (2 * sigma ** 2)


def mle(x) -> tuple[float, float]:
    """The maximum-likelihood Gaussian: μ̂ = the sample mean, σ̂ = √(mean squared deviation)
    (divided by n, not n − 1)."""
    x = np.asarray(x, dtype=np.float64)
    return float(x.mean()), float(x.std())


def density(xs, mu, sigma):
    return np.exp(-0.5 * ((xs - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


class MLEView(NamedTuple):
    x: np.ndarray           # the sample
    grid: np.ndarray        # x values for the density curves
    model: np.ndarray       # N(grid; μ, σ²)
    best: np.ndarray        # N(grid; μ̂, σ̂²)
    mu_hat: float
    sigma_hat: float
    ll: float               # ℓ(μ, σ)
    ll_best: float          # ℓ(μ̂, σ̂)
    mus: np.ndarray         # the (μ, σ) grid of the right panel
    sigmas: np.ndarray
    surface: np.ndarray     # ℓ / n over that grid, floored for a readable colour scale


def mle_view(mu: float, sigma: float, n: int, seed: int, true_mu: float = 1.0,
             true_sigma: float = 0.8, floor: float = 4.0) -> MLEView:
    """Everything the explorer draws. Pure: no widgets."""
    x = sample(n, seed, true_mu, true_sigma)
    mu_hat, sigma_hat = mle(x)
    grid = np.linspace(*X_RANGE, 301)
    mus, sigmas = np.linspace(*MU_RANGE, 121), np.linspace(*SIGMA_RANGE, 113)
    per_sample = log_likelihood(x, mus[None, :], sigmas[:, None]) / n
    best = float(log_likelihood(x, mu_hat, sigma_hat))
    surface = np.maximum(per_sample, best / n - floor)
    return MLEView(x, grid, density(grid, mu, sigma), density(grid, mu_hat, sigma_hat), mu_hat,
                   sigma_hat, float(log_likelihood(x, mu, sigma)), best, mus, sigmas, surface)


class MLEFit(Explorer):
    """Fit a Gaussian by hand: move μ and σ to raise the log-likelihood of the sample.

    Controls: `mu`, `sigma` (the model), `n` (sample size) and `seed` (which sample). Left: the
    histogram, your density and the maximum-likelihood one. Right: ℓ(μ, σ)/n over the
    (μ, σ) plane, your point and the maximum.
    """

    def __init__(self, mu: float = -1.0, sigma: float = 1.5, n: int = 50, seed: int = 0,
                 true_mu: float = 1.0, true_sigma: float = 0.8):
        self.truth = (true_mu, true_sigma)
        self.controls = {
            "mu": widgets.FloatSlider(value=mu, min=MU_RANGE[0], max=MU_RANGE[1], step=0.05,
                                      description="μ (model)"),
            "sigma": widgets.FloatSlider(value=sigma, min=SIGMA_RANGE[0], max=SIGMA_RANGE[1],
                                         step=0.05, description="σ (model)"),
            "n": widgets.IntSlider(value=n, min=2, max=1000, description="samples n",
                                   continuous_update=False),
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description="sample #",
                                      continuous_update=False),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.12,
                            subplot_titles=("the sample and two Gaussians",
                                            "average log-likelihood ℓ(μ, σ) / n"))
        self.fig = figure(fig, title="Maximum likelihood", height=480,
                          legend=dict(orientation="h", x=0, y=-0.17),
                          margin=dict(l=60, r=30, t=80, b=95))
        self.fig.add_histogram(row=1, col=1, histnorm="probability density", name="sample",
                               xbins=dict(start=X_RANGE[0], end=X_RANGE[1], size=0.25),
                               marker=dict(color="#c6dbef", line=dict(color="#6baed6", width=1)))
        self.fig.add_scatter(row=1, col=1, mode="markers", name="data points", hoverinfo="x",
                             marker=dict(symbol="line-ns-open", size=12, color="#08519c"))
        self.fig.add_scatter(row=1, col=1, mode="lines", name="your model N(μ, σ²)",
                             line=dict(color="#e6550d", width=3))
        self.fig.add_scatter(row=1, col=1, mode="lines", name="maximum likelihood N(μ̂, σ̂²)",
                             line=dict(color="black", width=2, dash="dash"))
        self.fig.add_contour(row=1, col=2, colorscale="Viridis", ncontours=25, showscale=True,
                             colorbar=dict(thickness=12, len=0.8,
                                           title=dict(text="ℓ/n (nats)", side="top")),
                             hovertemplate="μ=%{x:.2f}<br>σ=%{y:.2f}<br>ℓ/n=%{z:.3f}"
                                           "<extra></extra>", showlegend=False,
                             line=dict(width=0.5, color="rgba(255,255,255,0.5)"))
        self.fig.add_scatter(row=1, col=2, mode="markers", name="maximum (μ̂, σ̂)", showlegend=False,
                             marker=dict(symbol="star", size=16, color="black",
                                         line=dict(width=1, color="white")))
        self.fig.add_scatter(row=1, col=2, mode="markers", name="your (μ, σ)", showlegend=False,
                             marker=dict(size=13, color="#e6550d", line=dict(width=2, color="white")))
        self.fig.update_xaxes(title_text="x", range=X_RANGE, row=1, col=1)
        self.fig.update_yaxes(title_text="probability density", row=1, col=1)
        self.fig.update_xaxes(title_text="μ", range=MU_RANGE, row=1, col=2)
        self.fig.update_yaxes(title_text="σ", range=SIGMA_RANGE, row=1, col=2)
        super().__init__()

    def update(self) -> None:
        v = self.values
        view = mle_view(v["mu"], v["sigma"], v["n"], v["seed"], *self.truth)
        data = self.fig.data
        with self.fig.batch_update():
            data[0].x = view.x
            data[1].update(x=view.x, y=np.zeros_like(view.x))
            data[2].update(x=view.grid, y=view.model)
            data[3].update(x=view.grid, y=view.best)
            data[4].update(x=view.mus, y=view.sigmas, z=view.surface)
            data[5].update(x=[view.mu_hat], y=[view.sigma_hat])
            data[6].update(x=[v["mu"]], y=[v["sigma"]])
            top = max(view.model.max(), view.best.max())
            self.fig.layout.yaxis.range = [-0.04 * top, 1.25 * top]
            self.fig.layout.title.text = (
                f"Maximum likelihood: ℓ(μ={v['mu']:.2f}, σ={v['sigma']:.2f}) = {view.ll:.1f} nats"
                f"   ·   best ℓ(μ̂={view.mu_hat:.2f}, σ̂={view.sigma_hat:.2f}) = {view.ll_best:.1f}")
        gap = view.ll_best - view.ll
        self.status.value = (
            f"n = {v['n']} samples from N({self.truth[0]:g}, {self.truth[1]:g}²). Your Gaussian "
            f"gives them log-likelihood <b>{view.ll:.2f}</b>; the maximum-likelihood one "
            f"(μ̂ = sample mean = {view.mu_hat:.3f}, σ̂ = {view.sigma_hat:.3f}) gives "
            f"<b>{view.ll_best:.2f}</b>: yours makes this sample e<sup>{gap:.1f}</sup> times less "
            f"likely" + (" (you found the maximum)." if gap < 0.05 else "."))


GALLERY = {"MLEFit": MLEFit}
