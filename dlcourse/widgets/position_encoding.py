"""L3.10: position-encoding explorer. Left, the encoding as a heatmap (position × dimension);
right, the cosine similarity between the encoding at an anchor position and at every other
position, as a function of the offset between them.

Three encodings:
- sinusoidal (Vaswani et al.): PE[p, 2i] = sin(p·θ_i), PE[p, 2i+1] = cos(p·θ_i), θ_i = base^(−2i/d).
  Its similarity depends on the offset k only: PE(p)·PE(p+k) = Σ_i cos(k·θ_i).
- RoPE (Su et al.): nothing is added; the query and key at position p are rotated, pair
  (2i, 2i+1) by the angle p·θ_i. The heatmap shows a fixed random query rotated to each
  position; the curve is the score of that query at the anchor with a fixed random key at
  anchor + k, normalized, next to the same curve from position 0: the two coincide, because
  the score depends on the offset only.
- learned: a (positions, d) matrix passed in (the lesson passes its trained GPT's `pos`
  embedding); nothing forces its similarity to depend on the offset alone.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure


def frequencies(dim: int, base: float = 10_000.0) -> np.ndarray:
    """θ_i = base^(−2i/d) for i = 0 … d/2 − 1: one angular frequency per pair of dimensions."""
    if dim % 2:
        raise ValueError(f"the dimension must be even (pairs of sin and cos), got {dim}")
    return base ** (-np.arange(0, dim, 2) / dim)


def sinusoidal(length: int, dim: int, base: float = 10_000.0) -> np.ndarray:
    """(length, dim): sin(p·θ_i) in the even dimensions 2i, cos(p·θ_i) in the odd ones."""
    angles = np.arange(length)[:, None] * frequencies(dim, base)[None, :]     # (length, d/2)
    pe = np.empty((length, dim))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


def rope_rotate(x: np.ndarray, positions: np.ndarray, base: float = 10_000.0) -> np.ndarray:
    """RoPE: rotate each pair (x[..., 2i], x[..., 2i+1]) of the vector at position p by p·θ_i.
    x is (len(positions), d)."""
    x = np.asarray(x, dtype=float)
    angles = np.asarray(positions)[:, None] * frequencies(x.shape[-1], base)[None, :]
    cos, sin = np.cos(angles), np.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = even * cos - odd * sin, even * sin + odd * cos
    return out


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of (n, d) arrays (a row may be broadcast)."""
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def rope_vectors(dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The fixed random query and key the RoPE view rotates."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(dim), rng.standard_normal(dim)


def view(kind: str, length: int, dim: int, base: float, anchor: int, learned=None) -> dict:
    """What the explorer draws: `heatmap` (length, d), `offsets`, `similarity` from the anchor,
    and `reference` (for RoPE: the same curve from position 0; for sinusoidal: Σcos(kθ)/(d/2))."""
    anchor = min(anchor, length - 1)
    positions = np.arange(length)
    offsets = positions - anchor
    reference = None
    if kind == "sinusoidal":
        heat = sinusoidal(length, dim, base)
        similarity = cosine(heat, heat[anchor])
        reference = np.cos(np.outer(offsets, frequencies(dim, base))).sum(1) / (dim / 2)
    elif kind == "RoPE":
        q, k = rope_vectors(dim)
        heat = rope_rotate(np.tile(q, (length, 1)), positions, base)
        keys = rope_rotate(np.tile(k, (length, 1)), positions, base)
        similarity = cosine(heat[anchor], keys)
        # the same offsets seen from position 0 (keys beyond the range rotated on the fly)
        from_zero = rope_rotate(np.tile(k, (length, 1)), offsets, base)
        reference = cosine(rope_rotate(q[None], np.zeros(1), base), from_zero)
    elif kind == "learned":
        if learned is None:
            raise ValueError("no learned embeddings were given to the explorer")
        heat = np.asarray(learned, dtype=float)[:length]
        similarity = cosine(heat, heat[anchor])
        offsets = np.arange(len(heat)) - anchor
    else:
        raise ValueError(f"unknown encoding {kind!r}")
    return dict(heatmap=heat, offsets=offsets, similarity=similarity, reference=reference,
                anchor=anchor)


class PositionEncodingExplorer(Explorer):
    """Sinusoidal, RoPE and (when `learned`, a (positions, d) array, is given) learned position
    encodings: heatmap and cosine similarity against the offset from an anchor position.
    Controls: `kind`, `dim`, `base`, `length`, `anchor`."""

    def __init__(self, learned=None, kind: str = "sinusoidal", dim: int = 64, base: float = 10_000.0,
                 length: int = 128, anchor: int = 32):
        self.learned = None if learned is None else np.asarray(
            learned.detach().cpu() if hasattr(learned, "detach") else learned, dtype=float)
        kinds = ["sinusoidal", "RoPE"] + (["learned"] if self.learned is not None else [])
        slider = dict(continuous_update=False, style={"description_width": "70px"},
                      layout=widgets.Layout(width="270px"))
        self.controls = {
            "kind": widgets.Dropdown(options=kinds, value=kind, description="Encoding",
                                     style={"description_width": "70px"},
                                     layout=widgets.Layout(width="220px")),
            "dim": widgets.IntSlider(value=dim, min=8, max=256, step=8, description="d", **slider),
            "base": widgets.FloatLogSlider(value=base, base=10, min=1, max=5, step=0.25,
                                           description="base", readout_format=".3g", **slider),
            "length": widgets.IntSlider(value=length, min=16, max=512, step=16,
                                        description="positions", **slider),
            # its maximum follows the number of positions shown (update)
            "anchor": widgets.IntSlider(value=anchor, min=0, max=511, description="anchor", **slider),
        }
        self.state: dict = {}
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5],
                                        horizontal_spacing=0.12,
                                        subplot_titles=["encoding (position × dimension)",
                                                        "cosine similarity with the anchor"]),
                          height=440, legend=dict(orientation="h", x=1, xanchor="right", y=-0.18))
        self.fig.add_heatmap(z=[[0]], colorscale="RdBu_r", zmid=0, row=1, col=1,
                             colorbar=dict(x=0.44, len=0.9, thickness=12),
                             hovertemplate="position %{y}, dim %{x}: %{z:.3f}<extra></extra>")
        self.fig.add_scatter(x=[], y=[], mode="lines", name="from the anchor", row=1, col=2,
                             line=dict(color="#1f77b4", width=2))
        self.fig.add_scatter(x=[], y=[], mode="lines", name="", row=1, col=2,
                             line=dict(color="#ff7f0e", width=2, dash="dot"))
        self.fig.update_yaxes(title_text="position", autorange="reversed", row=1, col=1)
        self.fig.update_xaxes(title_text="dimension", row=1, col=1)
        self.fig.update_xaxes(title_text="offset k (other position − anchor)", row=1, col=2)
        self.fig.update_yaxes(title_text="cosine", range=[-1.05, 1.05], row=1, col=2)
        super().__init__()

    def update(self) -> None:
        v = self.values
        learned = v["kind"] == "learned"
        length = min(v["length"], len(self.learned)) if learned else v["length"]
        dim = self.learned.shape[1] if learned else max(2, v["dim"] // 2 * 2)
        with self.quiet():                  # the anchor is one of the positions shown
            self.controls["anchor"].max = length - 1
        anchor = self.controls["anchor"].value
        self.state = view(v["kind"], length, dim, v["base"], anchor, self.learned)
        s = self.state
        ref_name = {"sinusoidal": "Σᵢ cos(kθᵢ) / (d/2)", "RoPE": "the same offsets from position 0"}
        with self.fig.batch_update():
            self.fig.data[0].update(z=s["heatmap"])
            self.fig.data[1].update(x=s["offsets"], y=s["similarity"])
            ref = s["reference"]
            self.fig.data[2].update(x=s["offsets"] if ref is not None else [],
                                    y=ref if ref is not None else [],
                                    name=ref_name.get(v["kind"], ""), showlegend=ref is not None)
            self.fig.layout.title.text = (
                f"{v['kind']} position encoding, {length} positions × d = {dim}"
                + ("" if learned else f", base {v['base']:.3g}") + f" · anchor {s['anchor']}")
        self.status.value = {
            "sinusoidal": "Each pair of columns is a sine and a cosine of one frequency; the "
                          "similarity depends only on the offset k, whatever the anchor.",
            "RoPE": "Rows: one query vector rotated to each position. The score of a query at p "
                    "with a key at p + k depends only on k: the blue and dotted curves coincide.",
            "learned": "The trained GPT's position embeddings: learned from data, no formula.",
        }[v["kind"]]


GALLERY = {"PositionEncodingExplorer": PositionEncodingExplorer}
