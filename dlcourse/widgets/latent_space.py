"""L3.11: a latent-space explorer for a VAE with a 2-D latent. Two sliders set z = (z1, z2); the
decoder turns z into Bernoulli pixel probabilities σ(decoder(z)), drawn live on the right. On the
left, the decoded *manifold*: a grid of z values, each decoded into a small image, with the
learner's point on it, and, when given, the test images' codes coloured by digit.

Pass any decoder (an nn.Module mapping (N, 2) to (N, 784) logits), for instance the one the
lesson trains; without one, the small decoder that ships with the course (vae_decoder.json,
made by `trained_tiny_vae()`) opens at once."""
from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

SPAN = 3.0          # the sliders and the manifold cover [-SPAN, SPAN]², about ±3 prior std
GRID = 15           # the manifold's tiles per side
HIDDEN = 32         # the shipped decoder: 2 → 32 → 784
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def tiny_decoder(hidden: int = HIDDEN):
    """The shipped decoder's shape: Linear(2, hidden) → ReLU → Linear(hidden, 784), logits out."""
    from torch import nn
    return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 784))


def decode(decoder, z) -> np.ndarray:
    """Pixel probabilities σ(decoder(z)) for latent codes z of shape (N, 2): (N, 28, 28)."""
    import torch
    z = torch.as_tensor(np.asarray(z, dtype=np.float32)).reshape(-1, 2)
    with torch.no_grad():
        return torch.sigmoid(decoder(z)).reshape(-1, 28, 28).numpy()


def manifold(decoder, span: float = SPAN, grid: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    """Decode a grid×grid lattice of z over [-span, span]² into one (28·grid)² mosaic. Tile row 0
    is the largest z2 (the top of the plot), tile column 0 the smallest z1. Returns (mosaic, ticks)."""
    ticks = np.linspace(-span, span, grid)
    z = np.array([(z1, z2) for z2 in ticks[::-1] for z1 in ticks], dtype=np.float32)
    tiles = decode(decoder, z).reshape(grid, grid, 28, 28)
    return tiles.transpose(0, 2, 1, 3).reshape(grid * 28, grid * 28), ticks


@lru_cache(maxsize=2)
def trained_tiny_vae(hidden: int = HIDDEN, epochs: int = 10, seed: int = 0, train: int = 60_000):
    """A VAE with a 2-D latent (encoder 784 → 256 → (μ, log σ²), decoder `tiny_decoder`) trained with
    Adam on stochastically binarized MNIST (about a minute on one quiet core); vae_decoder.json
    holds its decoder. Returns (decoder, test negative ELBO in nats on 2,000 test images)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    from ..data import load_mnist
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X, _ = load_mnist("train", limit=train)
    X = torch.bernoulli(X.reshape(-1, 784), generator=g)
    Xt, _ = load_mnist("test", limit=2000)
    Xt = torch.bernoulli(Xt.reshape(-1, 784), generator=g)
    encoder = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 4))
    decoder = tiny_decoder(hidden)
    params = [*encoder.parameters(), *decoder.parameters()]
    optimizer = torch.optim.Adam(params, lr=1e-3)

    def negative_elbo(x):
        mu, logvar = encoder(x).chunk(2, dim=1)
        z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
        rec = F.binary_cross_entropy_with_logits(decoder(z), x, reduction="sum")
        kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum()
        return (rec + kl) / len(x)

    with one_thread():
        for _ in range(epochs):
            for idx in torch.randperm(len(X), generator=g).split(128):
                loss = negative_elbo(X[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            nelbo = negative_elbo(Xt).item()
    return decoder.eval(), nelbo


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(array.astype("<f2").tobytes()).decode("ascii")


def save_decoder(decoder, about: str, path: Path | None = None) -> None:
    """Write a `tiny_decoder`'s weights as float16, base64, with their shapes (vae_decoder.json)."""
    path = path or Path(__file__).with_name("vae_decoder.json")
    state = {k: dict(shape=list(v.shape), data=_encode(v.detach().numpy()))
             for k, v in decoder.state_dict().items()}
    hidden = decoder[0].out_features
    path.write_text(json.dumps(dict(about=about, hidden=hidden, state_dict=state)), encoding="utf-8")


@lru_cache(maxsize=1)
def default_decoder():
    """The small decoder that ships with the course (vae_decoder.json): (decoder, a note on how it
    was trained and its test negative ELBO)."""
    import torch
    with open(Path(__file__).with_name("vae_decoder.json"), encoding="utf-8") as f:
        saved = json.load(f)
    decoder = tiny_decoder(saved["hidden"])
    state = {k: torch.from_numpy(np.frombuffer(base64.b64decode(v["data"]), dtype="<f2")
                                 .astype(np.float32).reshape(v["shape"]).copy())
             for k, v in saved["state_dict"].items()}
    decoder.load_state_dict(state)
    return decoder.eval(), saved["about"]


class LatentSpaceExplorer(Explorer):
    """Decode z = (z1, z2) live with a 2-D-latent VAE's decoder.

    Controls: `z1`, `z2` (the latent code, within ±`span`). Pass `decoder` (an nn.Module mapping
    (N, 2) to (N, 784) logits) and, to see where the data lie, `codes` (N, 2), the encoder's means
    for some images, with their `labels` (N,) digits. Without a decoder, the shipped one."""

    def __init__(self, decoder=None, codes=None, labels=None, z1: float = 0.0, z2: float = 0.0,
                 span: float = SPAN):
        if decoder is None:
            decoder, _ = default_decoder()
        self.decoder = decoder.eval()
        self.span = float(span)
        slider = dict(min=-self.span, max=self.span, step=0.05, continuous_update=True,
                      layout=widgets.Layout(width="400px"), readout_format=".2f")
        self.controls = {
            "z1": widgets.FloatSlider(value=z1, description="z₁", **slider),
            "z2": widgets.FloatSlider(value=z2, description="z₂", **slider),
        }
        with one_thread():
            mosaic, ticks = manifold(self.decoder, self.span)
        step = ticks[1] - ticks[0]
        pixel = step / 28                                    # each tile spans one lattice step
        x = -self.span - step / 2 + pixel * (np.arange(GRID * 28) + 0.5)
        y = x[::-1]
        fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.08,
                            subplot_titles=["decoded manifold over z (dots: test images' codes)"
                                            if codes is not None else "decoded manifold over z",
                                            "σ(decoder(z))"])
        self.fig = figure(fig, height=470, margin=dict(l=50, r=30, t=80, b=50))
        self.fig.add_heatmap(z=mosaic, x=x, y=y, colorscale="gray_r", zmin=0, zmax=1,
                             showscale=False, hoverinfo="skip", row=1, col=1)
        if codes is not None:
            codes = np.asarray(codes, dtype=float)
            labels = np.zeros(len(codes), int) if labels is None else np.asarray(labels)
            inside = (np.abs(codes) <= self.span).all(axis=1)
            for digit in np.unique(labels):
                keep = inside & (labels == digit)
                self.fig.add_scatter(x=codes[keep, 0], y=codes[keep, 1], mode="markers",
                                     name=str(digit), legendgroup=str(digit), opacity=0.35,
                                     marker=dict(size=4, color=COLORS[int(digit) % 10]),
                                     hoverinfo="skip", row=1, col=1)
        self.fig.add_scatter(x=[z1], y=[z2], mode="markers", name="z", showlegend=False,
                             marker=dict(symbol="x", size=16, color="#d62728",
                                         line=dict(width=2, color="white")), row=1, col=1)
        self.fig.add_heatmap(z=np.zeros((28, 28)), colorscale="gray_r", zmin=0, zmax=1,
                             colorbar=dict(title="p(pixel)", len=0.8),
                             hovertemplate="row %{y}, col %{x}: p = %{z:.2f}<extra></extra>",
                             row=1, col=2)
        limits = [-self.span - step / 2, self.span + step / 2]
        self.fig.update_xaxes(range=limits, title_text="z₁", row=1, col=1, showgrid=False)
        self.fig.update_yaxes(range=limits, title_text="z₂", scaleanchor="x", row=1, col=1,
                              showgrid=False)
        self.fig.update_yaxes(autorange="reversed", scaleanchor="x2", row=1, col=2,
                              showgrid=False, zeroline=False)
        self.fig.update_xaxes(showgrid=False, zeroline=False, row=1, col=2)
        self.fig.update_layout(legend=dict(title="digit", itemsizing="constant", x=0.5))
        super().__init__()

    def state(self) -> dict:
        """The latent code and the image the figure shows for it (a test reads it)."""
        z = np.array([self.values["z1"], self.values["z2"]], dtype=np.float32)
        with one_thread():
            image = decode(self.decoder, z[None])[0]
        return dict(z=z, image=image)

    def update(self) -> None:
        s = self.state()
        z1, z2 = (float(v) for v in s["z"])
        with self.fig.batch_update():
            self.fig.data[-2].update(x=[z1], y=[z2])
            self.fig.data[-1].update(z=s["image"])
            self.fig.layout.title.text = (
                f"Decoding z = ({z1:.2f}, {z2:.2f}) live<br><sup>prior density N(z; 0, I) here: "
                f"{np.exp(-0.5 * (z1 ** 2 + z2 ** 2)) / (2 * np.pi):.4f} · far from the origin the "
                f"prior, and the decoder's training, thin out</sup>")
        self.status.value = (f"z = ({z1:.2f}, {z2:.2f}) · mean pixel probability "
                             f"{s['image'].mean():.3f} · pixels above 0.5: {(s['image'] > 0.5).sum()}")


GALLERY = {"LatentSpaceExplorer": lambda: LatentSpaceExplorer(z1=0.5, z2=-0.5)}
