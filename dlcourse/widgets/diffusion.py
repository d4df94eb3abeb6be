"""L3.13: the diffusion explorer. A noise-level slider `t` shows the forward process
x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε on a digit and on a 2-D point cloud, each with one fixed draw of ε,
so that moving t fades the same noise in and out; a `frame` slider scrubs through stored
snapshots of a sampling run (the reverse process), from pure noise to the samples.

Everything the sliders show is computed in advance or in one line, so a move redraws at once.
Images live on the model's scale, [-1, 1] (ink is +1). Without arguments the explorer opens on
synthetic data: a drawn ring for the digit, a swiss roll for the cloud, and a sampling run of the
*ideal* denoiser of four drawn glyphs (`ideal_trajectory`), which needs no training."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

T = 1000            # steps of the default schedule (Ho et al. 2020)
COLS = 4            # the trajectory panel shows at most COLS × COLS samples


def linear_alpha_bar(steps: int = T, beta_1: float = 1e-4, beta_T: float = 0.02) -> np.ndarray:
    """ᾱ_t = Π_{s ≤ t} (1 − β_s) for the linear schedule, with ᾱ_0 = 1 (t = 0 is the clean data):
    an array of steps + 1 values."""
    betas = np.linspace(beta_1, beta_T, steps)
    return np.concatenate([[1.0], np.cumprod(1.0 - betas)])


def noised(x0: np.ndarray, t: int, alpha_bar: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """A draw of q(x_t | x_0) with the given standard normal noise: √ᾱ_t x_0 + √(1 − ᾱ_t) ε."""
    a = float(alpha_bar[t])
    return np.sqrt(a) * x0 + np.sqrt(1.0 - a) * noise


def ring_digit(size: int = 28) -> np.ndarray:
    """A drawn 'zero' on the [-1, 1] scale: an elliptic ring of ink on a blank page."""
    r, c = np.mgrid[0:size, 0:size] + 0.5
    d = np.sqrt(((r - size / 2) / 9.0) ** 2 + ((c - size / 2) / 6.0) ** 2)
    return np.where(np.abs(d - 1.0) < 0.22, 1.0, -1.0)


def glyphs(size: int = 28) -> np.ndarray:
    """Four drawn glyphs (ring, bar, cross, box) on the [-1, 1] scale: (4, size, size)."""
    r, c = np.mgrid[0:size, 0:size]
    bar = (np.abs(c - 13.5) < 2) & (r > 4) & (r < 23)
    cross = ((np.abs(c - 13.5) < 2) | (np.abs(r - 13.5) < 2)) & (np.abs(c - 13.5) < 9) & (np.abs(r - 13.5) < 9)
    box = (np.maximum(np.abs(r - 13.5), np.abs(c - 13.5)) < 9) & (np.maximum(np.abs(r - 13.5), np.abs(c - 13.5)) > 6)
    ink = [ring_digit(size) > 0, bar, cross, box]
    return np.stack([np.where(m, 1.0, -1.0) for m in ink])


def swiss_roll(n: int = 600, seed: int = 0) -> np.ndarray:
    """A 2-D swiss roll scaled to about unit spread: (n, 2)."""
    rng = np.random.default_rng(seed)
    angle = 1.5 * np.pi * (1 + 2 * rng.random(n))
    points = np.stack([angle * np.cos(angle), angle * np.sin(angle)], 1) / 7.0
    return points + 0.03 * rng.standard_normal((n, 2))


def ideal_trajectory(data: np.ndarray, alpha_bar: np.ndarray, steps: list[int], n: int = 16,
                     seed: int = 0) -> np.ndarray:
    """Deterministic (DDIM, η = 0) sampling with the *ideal* denoiser of a finite data set: the
    posterior mean E[x_0 | x_t] is a softmax-weighted average of the data points. `steps` are the
    timesteps visited, from T down to 0. Returns the snapshots, (len(steps), n, *data.shape[1:]):
    snapshot k is x at steps[k]; the last one lands on training points (memorization)."""
    rng = np.random.default_rng(seed)
    flat = data.reshape(len(data), -1)
    x = rng.standard_normal((n, flat.shape[1]))
    out = [x.copy()]
    for t, prev in zip(steps[:-1], steps[1:]):
        a, a_prev = alpha_bar[t], alpha_bar[prev]
        logits = -((x[:, None, :] - np.sqrt(a) * flat[None]) ** 2).sum(-1) / (2 * (1 - a))
        w = np.exp(logits - logits.max(1, keepdims=True))
        x0 = (w / w.sum(1, keepdims=True)) @ flat                          # E[x_0 | x_t]
        eps = (x - np.sqrt(a) * x0) / np.sqrt(1 - a)
        x = np.sqrt(a_prev) * x0 + np.sqrt(1 - a_prev) * eps
        out.append(x.copy())
    return np.stack(out).reshape(len(steps), n, *data.shape[1:])


def mosaic(images: np.ndarray, cols: int = COLS, pad: int = 1, fill: float = -1.0) -> np.ndarray:
    """Images (N, H, W) as one array, `cols` per row, `pad` pixels of `fill` between them."""
    n, h, w = images.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), fill, dtype=float)
    for k, image in enumerate(images):
        r, c = divmod(k, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = image
    return out


class DiffusionExplorer(Explorer):
    """The forward process on a digit and a 2-D cloud, and a sampling trajectory to scrub.

    Controls: `t` (noise level, 0 … T) and `frame` (which stored snapshot of the sampling run).
    Pass `image` (H, W) and `cloud` (N, 2) on the model's scale, `alpha_bar` (T + 1 values with
    ᾱ_0 = 1), and `snapshots` (K, n, H, W) with the timesteps `steps` (K values) they were taken
    at; at most 16 samples are shown."""

    def __init__(self, image=None, cloud=None, snapshots=None, steps=None, alpha_bar=None,
                 t: int = 0, frame: int = 0, seed: int = 0):
        self.alpha_bar = linear_alpha_bar() if alpha_bar is None else np.asarray(alpha_bar, dtype=float)
        top = len(self.alpha_bar) - 1
        self.image = ring_digit() if image is None else np.asarray(image, dtype=float).squeeze()
        self.cloud = swiss_roll() if cloud is None else np.asarray(cloud, dtype=float)
        if snapshots is None:
            steps = list(np.linspace(top, 0, 21).round().astype(int)) if steps is None else list(steps)
            snapshots = ideal_trajectory(glyphs(), self.alpha_bar, steps)
        self.snapshots = np.asarray(snapshots, dtype=float)[:, :COLS * COLS]
        self.snapshots = self.snapshots.reshape(*self.snapshots.shape[:2], *self.image.shape[-2:])
        self.steps = list(range(len(self.snapshots) - 1, -1, -1)) if steps is None else [int(s) for s in steps]
        if len(self.steps) != len(self.snapshots):
            raise ValueError(f"{len(self.snapshots)} snapshots but {len(self.steps)} steps")
        rng = np.random.default_rng(seed)                    # one fixed ε per pixel and per point
        self.image_noise = rng.standard_normal(self.image.shape)
        self.cloud_noise = rng.standard_normal(self.cloud.shape)
        self.frames = [mosaic(s) for s in self.snapshots]   # drawn once: a move only swaps arrays
        self.controls = {
            "t": widgets.IntSlider(value=t, min=0, max=top, step=1, description="noise t",
                                   continuous_update=True, layout=widgets.Layout(width="420px")),
            "frame": widgets.IntSlider(value=frame, min=0, max=len(self.frames) - 1, step=1,
                                       description="sampling", continuous_update=True,
                                       layout=widgets.Layout(width="400px")),
        }
        fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.06,
                            subplot_titles=["x_t of a digit", "x_t of the 2-D data", "sampling run"])
        self.fig = figure(fig, height=400, margin=dict(l=30, r=20, t=100, b=40))
        heat = dict(colorscale="gray_r", zmin=-1, zmax=1, showscale=False)
        self.fig.add_heatmap(z=self.image, hovertemplate="row %{y}, col %{x}: %{z:.2f}<extra></extra>",
                             row=1, col=1, **heat)
        self.fig.add_scattergl(x=self.cloud[:, 0], y=self.cloud[:, 1], mode="markers", showlegend=False,
                               marker=dict(size=3, color="#1f77b4", opacity=0.6), hoverinfo="skip",
                               row=1, col=2)
        self.fig.add_heatmap(z=self.frames[0], hoverinfo="skip", row=1, col=3, **heat)
        for col in (1, 3):
            self.fig.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if col == 1 else col}",
                                  visible=False, row=1, col=col)
            self.fig.update_xaxes(visible=False, constrain="domain", row=1, col=col)
        span = 1.1 * np.abs(self.cloud).max() + 2.5
        self.fig.update_xaxes(range=[-span, span], row=1, col=2, zeroline=False)
        self.fig.update_yaxes(range=[-span, span], scaleanchor="x2", row=1, col=2, zeroline=False)
        super().__init__()

    def state(self) -> dict:
        """What the figure shows for the current controls (a test reads it)."""
        t, k = int(self.values["t"]), int(self.values["frame"])
        a = float(self.alpha_bar[t])
        return dict(t=t, alpha_bar=a, signal=np.sqrt(a), noise_std=np.sqrt(1 - a),
                    image=noised(self.image, t, self.alpha_bar, self.image_noise),
                    cloud=noised(self.cloud, t, self.alpha_bar, self.cloud_noise),
                    frame=k, frame_step=self.steps[k], samples=self.snapshots[k])

    def update(self) -> None:
        s = self.state()
        with self.fig.batch_update():
            self.fig.data[0].z = s["image"]
            self.fig.data[1].update(x=s["cloud"][:, 0], y=s["cloud"][:, 1])
            self.fig.data[2].z = self.frames[s["frame"]]
            self.fig.layout.annotations[2].text = (f"sampling: frame {s['frame']} of "
                                                   f"{len(self.frames) - 1}, t = {s['frame_step']}")
            self.fig.layout.title.text = (
                f"Forward process at t = {s['t']}: x_t = {s['signal']:.3f}·x₀ + {s['noise_std']:.3f}·ε"
                f"<br><sup>signal √ᾱ_t = {s['signal']:.3f}, noise √(1 − ᾱ_t) = {s['noise_std']:.3f}; "
                f"signal-to-noise ratio ᾱ/(1 − ᾱ) = {s['alpha_bar'] / max(1 - s['alpha_bar'], 1e-12):.3g}</sup>")
        self.status.value = (f"t = {s['t']} · √ᾱ_t = {s['signal']:.4f} · sampling frame {s['frame']} "
                             f"at t = {s['frame_step']}")


GALLERY = {"DiffusionExplorer": lambda: DiffusionExplorer(t=250, frame=10)}
