"""L3.04: transposed-convolution explorer. Every input pixel stamps a copy of the kernel, scaled
by its value, into the output, `stride` pixels further than its neighbour's copy; overlapping
copies add up, and `padding` then crops that many rows and columns off each border. The figure
shows the input, the overlap count (how many copies land on each pixel of the uncropped canvas:
the checkerboard when the kernel size is not a multiple of the stride), and the output, what
F.conv_transpose2d computes. Kernel size, stride, padding, input size, the input and the kernel
are the controls; `pixel` picks the input pixel whose copy is outlined."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure, image_axes

INPUTS = ("ones", "one pixel", "random")
KERNELS = ("ones", "bilinear", "random")


def output_size(n: int, k: int, stride: int = 1, padding: int = 0, output_padding: int = 0) -> int:
    """(n − 1)·s − 2p + k + output_padding: the inverse of a convolution's ⌊(n + 2p − k)/s⌋ + 1."""
    return (n - 1) * stride - 2 * padding + k + output_padding


def conv_transpose(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
                   output_padding: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One channel, as F.conv_transpose2d: scatter-add x[i, j] · kernel at (s·i, s·j) on a canvas
    of (n − 1)·s + k (+ output_padding) pixels per side, then crop `padding` from each border.
    Returns (canvas, output); the output is empty when the padding crops everything."""
    (h, w), (kh, kw) = x.shape, kernel.shape
    canvas = np.zeros(((h - 1) * stride + kh + output_padding, (w - 1) * stride + kw + output_padding))
    for i in range(h):
        for j in range(w):
            canvas[i * stride:i * stride + kh, j * stride:j * stride + kw] += x[i, j] * kernel
    ho = output_size(h, kh, stride, padding, output_padding)
    wo = output_size(w, kw, stride, padding, output_padding)
    return canvas, canvas[padding:padding + max(ho, 0), padding:padding + max(wo, 0)]


def overlap_counts(n: int, k: int, stride: int) -> np.ndarray:
    """How many kernel copies cover each pixel of the uncropped canvas: ones scattered with ones."""
    return conv_transpose(np.ones((n, n)), np.ones((k, k)), stride)[0]


def bilinear_kernel(k: int) -> np.ndarray:
    """The k × k kernel with which a stride-⌈k/2⌉ transposed convolution interpolates bilinearly
    (the initialization of Long et al.'s FCN): a tent, 1 at the centre, falling linearly."""
    f = (k + 1) // 2
    centre = f - 1 if k % 2 == 1 else f - 0.5
    tent = 1 - np.abs(np.arange(k) - centre) / f
    return np.outer(tent, tent)


def make_input(name: str, n: int) -> np.ndarray:
    if name == "ones":
        return np.ones((n, n))
    if name == "one pixel":
        x = np.zeros((n, n))
        x[n // 2, n // 2] = 1.0
        return x
    return np.round(np.random.default_rng(1).uniform(0, 1, (n, n)), 2)


def make_kernel(name: str, k: int) -> np.ndarray:
    if name == "ones":
        return np.ones((k, k))
    if name == "bilinear":
        return bilinear_kernel(k)
    return np.round(np.random.default_rng(0).normal(0, 1, (k, k)), 2)


def interior(counts: np.ndarray, n: int, k: int, stride: int) -> np.ndarray:
    """The part of the canvas away from its edges, where a constant input should give a constant
    output: rows and columns k − 1 … (n − 1)·s (empty when the input is too small)."""
    return counts[k - 1:(n - 1) * stride + 1, k - 1:(n - 1) * stride + 1]


class TransposedConvExplorer(Explorer):
    """Input → kernel copies and their overlap → output, for one transposed convolution.

    Controls: `kernel` (k), `stride` (s), `padding` (p), `size` (n, the input is n × n), `input`,
    `weights` (the kernel's values) and `pixel` (the input pixel whose copy is outlined).
    """

    def __init__(self, kernel: int = 3, stride: int = 2, padding: int = 0, size: int = 4,
                 input: str = "ones", weights: str = "ones", pixel: int = 5):
        def slider(value, lo, hi, text, width="200px"):
            return widgets.IntSlider(value=value, min=lo, max=hi, description=text,
                                     continuous_update=False, layout=widgets.Layout(width=width))
        self.controls = {
            "kernel": slider(kernel, 1, 6, "kernel k"),
            "stride": slider(stride, 1, 4, "stride s"),
            "padding": slider(padding, 0, 3, "padding p"),
            "size": slider(size, 2, 6, "input n"),
            "input": widgets.Dropdown(options=INPUTS, value=input, description="input",
                                      layout=widgets.Layout(width="200px")),
            "weights": widgets.Dropdown(options=KERNELS, value=weights, description="kernel",
                                        layout=widgets.Layout(width="200px")),
            "pixel": slider(min(pixel, size * size - 1), 0, size * size - 1, "outline", "250px"),
        }
        self.fig = figure(make_subplots(rows=1, cols=3, column_widths=[0.22, 0.39, 0.39],
                                        horizontal_spacing=0.06,
                                        subplot_titles=("input", "copies per pixel (uncropped)",
                                                        "output")),
                          height=430, margin=dict(l=30, r=30, t=100, b=30), showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], colorscale="Greys", reversescale=True,
                             showscale=False, texttemplate="%{z:.2g}",
                             hovertemplate="x[%{y}, %{x}] = %{z:.3g}<extra></extra>")
        self.fig.add_heatmap(row=1, col=2, z=[[0]], colorscale="Viridis", showscale=False,
                             texttemplate="%{z}", zmin=0,
                             hovertemplate="canvas (%{y}, %{x}): %{z} copies<extra></extra>")
        self.fig.add_heatmap(row=1, col=3, z=[[0]], colorscale="RdBu", zmid=0,
                             colorbar=dict(thickness=12, len=0.8),
                             hovertemplate="out[%{y}, %{x}] = %{z:.3g}<extra></extra>")
        image_axes(self.fig, 3)
        super().__init__()

    def update(self) -> None:
        v = self.values
        n, k, s, p = v["size"], v["kernel"], v["stride"], v["padding"]
        with self.quiet():                           # the outlined pixel must exist
            self.controls["pixel"].max = n * n - 1
        i, j = divmod(self.controls["pixel"].value, n)
        x, w = make_input(v["input"], n), make_kernel(v["weights"], k)
        counts = overlap_counts(n, k, s)
        _, out = conv_transpose(x, w, s, p)
        size = output_size(n, k, s, p)
        box = lambda x0, y0, x1, y1, ref, color, dash="solid": dict(  # noqa: E731
            type="rect", xref=f"x{ref}", yref=f"y{ref}", x0=x0 - 0.5, y0=y0 - 0.5, x1=x1 - 0.5,
            y1=y1 - 0.5, line=dict(color=color, width=2.5, dash=dash))
        with self.fig.batch_update():
            self.fig.data[0].update(z=x)
            self.fig.data[1].update(z=counts.astype(int), zmax=max(int(counts.max()), 1))
            self.fig.data[2].update(z=out if out.size else [[None]])
            self.fig.layout.shapes = [
                box(j, i, j + 1, i + 1, "", "#ff7f0e"),
                box(s * j, s * i, s * j + k, s * i + k, "2", "#ff7f0e"),
                box(p, p, p + max(size, 0), p + max(size, 0), "2", "#d62728", "dash"),
            ]
            self.fig.layout.title.text = (
                f"{n}×{n} input, {k}×{k} kernel, stride {s}, padding {p} → "
                f"{max(size, 0)}×{max(size, 0)} output<br><sup>out = (n − 1)·s − 2p + k = "
                f"({n} − 1)·{s} − 2·{p} + {k} = {size} · orange: input ({i}, {j}) and its kernel "
                f"copy · red dashes: what padding keeps</sup>")
        self.status.value = self._verdict(counts, n, k, s, p, size)

    @staticmethod
    def _verdict(counts: np.ndarray, n: int, k: int, s: int, p: int, size: int) -> str:
        if size < 1:
            return (f"Padding {p} on each side crops away the whole canvas: the output size would "
                    f"be {size}, which PyTorch refuses. Lower the padding or raise k or n.")
        inner = interior(counts, n, k, s)
        if inner.size == 0:
            return ("The input is too small for a region that every neighbouring copy reaches; "
                    "raise n to see the pattern away from the edges.")
        lo, hi = int(inner.min()), int(inner.max())
        if lo == 0:
            return (f"Gaps: the stride {s} is larger than the kernel {k}, so some output pixels get "
                    f"no copy at all (count 0) and stay 0 whatever the input.")
        if lo == hi:
            why = "s = 1: the copies are one pixel apart" if s == 1 else f"k = {k} is a multiple of s = {s}"
            return (f"Even overlap: away from the edges every pixel is covered by {lo} copies "
                    f"({why}), so a constant input with a constant kernel gives a constant output there.")
        return (f"Uneven overlap: away from the edges pixels are covered by {lo} to {hi} copies, "
                f"because k = {k} is not a multiple of s = {s}. A constant input gives this "
                f"checkerboard, not a constant output (Odena et al. 2016).")


GALLERY = {"TransposedConvExplorer": TransposedConvExplorer}
