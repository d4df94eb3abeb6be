"""L3.12: a GAN on a ring of 8 Gaussians, and a scrubber over its training snapshots. A slider picks
a saved step; the figure shows the generator's samples at that step over the discriminator's
decision surface D(x) = σ(logit), with the 8 modes' 3σ circles, and the title gives the modes
covered by the mode-coverage metric (`mode_coverage`).

Pass snapshots from any run (a list of dicts with `step`, `samples` (N, 2) and `d_grid`, the
discriminator's probabilities on the `grid_points()` lattice), for instance the lesson's; without
them, the snapshots that ship with the course (gan_ring_snapshots.json, made by
`ring_gan_snapshots()` and `save_snapshots`) open at once."""
from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from ..runtime import one_thread
from .base import Explorer, figure

MODES = 8
RADIUS = 2.0
SIGMA = 0.05        # each mode's standard deviation
SPAN = 3.0          # the plot and the discriminator's grid cover [-SPAN, SPAN]²
GRID = 41           # the discriminator's surface: GRID × GRID points


def ring_centers(modes: int = MODES, radius: float = RADIUS) -> np.ndarray:
    """The modes' centres, equally spaced on a circle: (modes, 2)."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def sample_ring(n: int, generator=None, sigma: float = SIGMA):
    """n points from the mixture of 8 equally likely Gaussians on the ring: a float32 tensor (n, 2)."""
    import torch
    centers = torch.as_tensor(ring_centers(), dtype=torch.float32)
    which = torch.randint(len(centers), (n,), generator=generator)
    return centers[which] + sigma * torch.randn(n, 2, generator=generator)


def mode_coverage(samples, centers=None, sigma: float = SIGMA, min_share: float = 0.02) -> dict:
    """How well samples (N, 2) cover the modes. A sample counts for its nearest mode when it lies
    within 3σ of that mode's centre (a *high-quality* sample); a mode is *covered* when at least
    `min_share` of all samples count for it. Returns dict(covered, high_quality, shares)."""
    x = np.asarray(samples, dtype=float).reshape(-1, 2)
    centers = ring_centers() if centers is None else np.asarray(centers, dtype=float)
    distance = np.linalg.norm(x[:, None, :] - centers[None, :, :], axis=2)
    nearest = distance.argmin(axis=1)
    good = distance[np.arange(len(x)), nearest] <= 3 * sigma
    shares = np.bincount(nearest[good], minlength=len(centers)) / max(len(x), 1)
    return dict(covered=int((shares >= min_share).sum()), high_quality=float(good.mean()) if len(x) else 0.0,
                shares=shares)


def grid_points(span: float = SPAN, grid: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    """The lattice the discriminator's surface is drawn on: (ticks, points (grid², 2), row-major in y)."""
    ticks = np.linspace(-span, span, grid)
    xx, yy = np.meshgrid(ticks, ticks)
    return ticks, np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)


def mlp(inputs: int, outputs: int, hidden: int = 64, layers: int = 2):
    from torch import nn
    parts, width = [], inputs
    for _ in range(layers):
        parts += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    return nn.Sequential(*parts, nn.Linear(width, outputs))


def ring_gan_snapshots(steps: int = 2000, every: int = 100, seed: int = 0, hidden: int = 128,
                       batch: int = 128, lr: float = 1e-3, samples: int = 300, noise: int = 2) -> list[dict]:
    """Train a small GAN (non-saturating loss, Adam(β₁ = 0.5)) on the ring and keep, every `every`
    steps, the step, `samples` generated points (fixed noise) and σ(D) on the grid."""
    import torch
    import torch.nn.functional as F
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    G, D = mlp(noise, 2, hidden), mlp(2, 1, hidden)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    fixed = torch.randn(samples, noise, generator=g)
    _, points = grid_points()
    points = torch.from_numpy(points)
    snapshots = []

    def keep(step):
        with torch.no_grad():
            snapshots.append(dict(step=step, samples=G(fixed).numpy(),
                                  d_grid=torch.sigmoid(D(points)).reshape(GRID, GRID).numpy()))

    with one_thread():
        keep(0)
        for step in range(1, steps + 1):
            real = sample_ring(batch, g)
            fake = G(torch.randn(batch, noise, generator=g))
            real_logits, fake_logits = D(real), D(fake.detach())
            loss_d = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                      + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            fake_logits = D(fake)
            loss_g = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            if step % every == 0:
                keep(step)
    return snapshots


def _encode(array) -> str:
    return base64.b64encode(np.asarray(array).astype("<f2").tobytes()).decode("ascii")


def _decode(text: str, shape) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float64).reshape(shape)


def save_snapshots(snapshots, about: str, path: Path | None = None) -> None:
    """Write snapshots as float16, base64 (gan_ring_snapshots.json)."""
    path = path or Path(__file__).with_name("gan_ring_snapshots.json")
    rows = [dict(step=int(s["step"]), samples=_encode(s["samples"]), n=len(s["samples"]),
                 d_grid=_encode(s["d_grid"])) for s in snapshots]
    path.write_text(json.dumps(dict(about=about, grid=GRID, snapshots=rows)), encoding="utf-8")


@lru_cache(maxsize=1)
def _load_snapshots():
    with open(Path(__file__).with_name("gan_ring_snapshots.json"), encoding="utf-8") as f:
        saved = json.load(f)
    return saved["about"], [dict(step=r["step"], samples=_decode(r["samples"], (r["n"], 2)),
                                 d_grid=_decode(r["d_grid"], (saved["grid"], saved["grid"])))
                            for r in saved["snapshots"]]


def default_snapshots() -> list[dict]:
    """The snapshots that ship with the course (samples and σ(D) stored as float16)."""
    return _load_snapshots()[1]


class GanSnapshotScrubber(Explorer):
    """Scrub through a GAN's training on the 8-Gaussian ring.

    Control: `snapshot` (the index of the saved step). Pass `snapshots` (a list of dicts with
    `step`, `samples` (N, 2) and `d_grid` (GRID, GRID), σ(D) on `grid_points()`); without them a
    the shipped ones."""

    def __init__(self, snapshots=None, snapshot: int | None = None, min_share: float = 0.02):
        self.snapshots = list(default_snapshots() if snapshots is None else snapshots)
        self.min_share = float(min_share)
        last = len(self.snapshots) - 1
        self.controls = {
            "snapshot": widgets.IntSlider(value=last if snapshot is None else snapshot, min=0, max=last,
                                          step=1, description="snapshot", continuous_update=True,
                                          layout=widgets.Layout(width="500px")),
        }
        ticks, _ = grid_points()
        self.fig = figure(height=560, margin=dict(l=60, r=30, t=90, b=50))
        self.fig.add_heatmap(x=ticks, y=ticks, z=np.full((GRID, GRID), 0.5), zmin=0, zmax=1,
                             colorscale="RdBu", reversescale=True, colorbar=dict(title="D(x)", len=0.8),
                             hovertemplate="x = (%{x:.2f}, %{y:.2f}): D = %{z:.2f}<extra></extra>",
                             name="D(x)")
        angle = np.linspace(0, 2 * np.pi, 40)
        for k, (cx, cy) in enumerate(ring_centers()):
            self.fig.add_scatter(x=cx + 3 * SIGMA * np.cos(angle), y=cy + 3 * SIGMA * np.sin(angle),
                                 mode="lines", line=dict(color="black", width=1.5), hoverinfo="skip",
                                 showlegend=k == 0, name="3σ around each mode", legendgroup="modes")
        self.fig.add_scatter(x=[], y=[], mode="markers", name="G(z) samples",
                             marker=dict(size=4, color="#ff7f0e", opacity=0.7))
        self.fig.update_xaxes(range=[-SPAN, SPAN], title_text="x₁", showgrid=False, zeroline=False)
        self.fig.update_yaxes(range=[-SPAN, SPAN], title_text="x₂", scaleanchor="x", showgrid=False,
                              zeroline=False)
        self.fig.update_layout(width=620, legend=dict(orientation="h", y=-0.12))
        super().__init__()

    def state(self) -> dict:
        """The snapshot shown and its coverage (a test reads it)."""
        snap = self.snapshots[self.values["snapshot"]]
        samples = np.asarray(snap["samples"], dtype=float)
        return dict(step=int(snap["step"]), samples=samples, d_grid=np.asarray(snap["d_grid"], dtype=float),
                    coverage=mode_coverage(samples, min_share=self.min_share))

    def update(self) -> None:
        s = self.state()
        cov = s["coverage"]
        with self.fig.batch_update():
            self.fig.data[0].update(z=s["d_grid"])
            self.fig.data[-1].update(x=s["samples"][:, 0], y=s["samples"][:, 1])
            self.fig.layout.title.text = (
                f"Step {s['step']}: {cov['covered']} of {MODES} modes covered<br><sup>high-quality samples "
                f"(within 3σ of a mode): {cov['high_quality']:.0%} · red: D says real, blue: D says fake</sup>")
        self.status.value = ("share of samples per mode: "
                             + " ".join(f"{v:.0%}" for v in cov["shares"]))


GALLERY = {"GanSnapshotScrubber": lambda: GanSnapshotScrubber()}
