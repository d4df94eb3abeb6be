"""L2.03: kernel editor. A 3×3 kernel slides over an image (cross-correlation, what F.conv2d
computes); type its nine weights or pick a preset (edges, blur, sharpen, …) and the feature map
redraws, with padding, stride and dilation and the output-size formula worked out for them."""
from __future__ import annotations

from functools import cached_property

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, WIDTH, figure, image_axes

SIZE = 40  # the images are SIZE × SIZE
K = 3      # the kernel is K × K

PRESETS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box blur": [[1 / 9] * 3] * 3,
    "Gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "vertical edges (Sobel x)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel y)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "outline (Laplacian)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
CUSTOM = "custom"


def _shapes() -> np.ndarray:
    """A square, a disc, a diagonal bar and a soft blob on black: edges in every direction."""
    r, c = np.mgrid[0:SIZE, 0:SIZE].astype(float)
    img = np.zeros((SIZE, SIZE))
    img[5:17, 4:16] = 1.0                                               # square
    img[(r - 11) ** 2 + (c - 29) ** 2 <= 36] = 0.8                      # disc
    img[(np.abs(r - c - 2) <= 1.5) & (r > 20) & (c > 4) & (c < 24)] = 1.0  # diagonal bar
    img += 0.7 * np.exp(-((r - 30) ** 2 + (c - 31) ** 2) / 18)          # soft blob
    return np.clip(img, 0, 1)


def _stripes() -> np.ndarray:
    """Vertical stripes on the left half, horizontal ones on the right, two frequencies each."""
    r, c = np.mgrid[0:SIZE, 0:SIZE]
    left = np.where(r < SIZE // 2, (c // 4) % 2, (c // 2) % 2)
    right = np.where(r < SIZE // 2, (r // 4) % 2, (r // 2) % 2)
    return np.where(c < SIZE // 2, left, right).astype(float)


def _checkerboard() -> np.ndarray:
    r, c = np.mgrid[0:SIZE, 0:SIZE]
    return (((r // 5) + (c // 5)) % 2).astype(float)


def _noisy_square() -> np.ndarray:
    img = np.zeros((SIZE, SIZE))
    img[10:30, 10:30] = 1.0
    return img + 0.25 * np.random.default_rng(0).standard_normal((SIZE, SIZE))


IMAGES = {"shapes": _shapes, "stripes": _stripes, "checkerboard": _checkerboard,
          "noisy square": _noisy_square}


def output_size(n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1: how many positions the kernel fits in, along one axis."""
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def feature_map(image: np.ndarray, kernel: np.ndarray, padding: int = 0, stride: int = 1,
                dilation: int = 1) -> np.ndarray:
    """Cross-correlate a 2D image with a 2D kernel, as F.conv2d does (zero padding, stride,
    dilation): for each kernel weight, add that weight times a strided slice of the padded image."""
    kh, kw = kernel.shape
    x = np.pad(np.asarray(image, dtype=float), padding)
    ho = output_size(image.shape[0], kh, padding, stride, dilation)
    wo = output_size(image.shape[1], kw, padding, stride, dilation)
    if ho < 1 or wo < 1:
        raise ValueError(f"the dilated kernel ({dilation * (kh - 1) + 1} px) does not fit in the "
                         f"padded image ({x.shape[0]} px)")
    out = np.zeros((ho, wo))
    for u in range(kh):
        for v in range(kw):
            rows = slice(u * dilation, u * dilation + stride * (ho - 1) + 1, stride)
            cols = slice(v * dilation, v * dilation + stride * (wo - 1) + 1, stride)
            out += kernel[u, v] * x[rows, cols]
    return out


def footprint(i: int, j: int, padding: int, stride: int, dilation: int, k: int = K):
    """Rows and columns, in padded-image coordinates, of the pixels output (i, j) reads."""
    return ([i * stride + u * dilation for u in range(k)],
            [j * stride + v * dilation for v in range(k)])


class KernelEditor(Explorer):
    """A 3×3 kernel on an image, its feature map live.

    Controls: `padding`, `stride`, `dilation` (sliders), `image`, `preset` (dropdowns), and the
    kernel's nine weights `k0` … `k8` (row by row). Editing a weight switches the preset to custom.
    """

    def __init__(self, preset: str = "vertical edges (Sobel x)", image: str = "shapes",
                 padding: int = 1, stride: int = 1, dilation: int = 1):
        weights = np.asarray(PRESETS[preset], dtype=float).ravel()
        self.controls = {
            "padding": widgets.IntSlider(value=padding, min=0, max=4, description="Padding p",
                                         continuous_update=False,
                                         layout=widgets.Layout(width="270px")),
            "stride": widgets.IntSlider(value=stride, min=1, max=4, description="Stride s",
                                        continuous_update=False,
                                        layout=widgets.Layout(width="270px")),
            "dilation": widgets.IntSlider(value=dilation, min=1, max=4, description="Dilation d",
                                          continuous_update=False,
                                          layout=widgets.Layout(width="270px")),
            "image": widgets.Dropdown(options=list(IMAGES), value=image, description="Image"),
            "preset": widgets.Dropdown(options=[*PRESETS, CUSTOM], value=preset,
                                       description="Kernel"),
        }
        for n, w in enumerate(weights):
            self.controls[f"k{n}"] = widgets.BoundedFloatText(
                value=round(float(w), 4), min=-10.0, max=10.0, step=0.25,
                layout=widgets.Layout(width="72px"))
        self.fig = figure(make_subplots(rows=1, cols=3, column_widths=[0.43, 0.14, 0.43],
                                        horizontal_spacing=0.06,
                                        subplot_titles=("input (with its zero padding)", "kernel",
                                                        "feature map")),
                          height=430, margin=dict(l=30, r=30, t=90, b=30), showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], colorscale="gray", showscale=False,
                             hovertemplate="row %{y}, col %{x}: %{z:.2f}<extra></extra>")
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="markers",
                             marker=dict(symbol="square-open", size=8, color="#ff7f0e",
                                         line=dict(width=2)),
                             hoverinfo="skip")
        self.fig.add_heatmap(row=1, col=2, z=[[0]], colorscale="RdBu", zmid=0, showscale=False,
                             texttemplate="%{z:.2f}", textfont=dict(size=11),
                             hovertemplate="w[%{y}, %{x}] = %{z:.3f}<extra></extra>")
        self.fig.add_heatmap(row=1, col=3, z=[[0]], colorscale="RdBu", zmid=0,
                             colorbar=dict(thickness=12, len=0.8),
                             hovertemplate="out[%{y}, %{x}] = %{z:.3f}<extra></extra>")
        image_axes(self.fig, 3)
        super().__init__()

    @property
    def kernel(self) -> np.ndarray:
        return np.array([self.controls[f"k{n}"].value for n in range(K * K)]).reshape(K, K)

    def _changed(self, change) -> None:
        """A preset fills in the nine weights; editing a weight makes the kernel custom."""
        if self._quiet:
            return
        preset = self.controls["preset"]
        with self.quiet():
            if change["owner"] is preset and preset.value != CUSTOM:
                for n, w in enumerate(np.asarray(PRESETS[preset.value], dtype=float).ravel()):
                    self.controls[f"k{n}"].value = round(float(w), 4)
            elif any(change["owner"] is w for w in self._weights) and preset.value != CUSTOM:
                preset.value = CUSTOM
        self.update()

    @property
    def _weights(self) -> list:
        return [self.controls[f"k{n}"] for n in range(K * K)]

    def update(self) -> None:
        v = self.values
        p, s, d = v["padding"], v["stride"], v["dilation"]
        image, kernel = IMAGES[v["image"]](), self.kernel
        out = feature_map(image, kernel, p, s, d)
        ho, wo = out.shape
        padded = np.pad(image, p)
        i, j = ho // 2, wo // 2
        rows, cols = footprint(i, j, p, s, d)
        with self.fig.batch_update():
            self.fig.data[0].update(z=padded, x=np.arange(-p, SIZE + p), y=np.arange(-p, SIZE + p))
            self.fig.data[1].update(x=[c - p for r in rows for c in cols],
                                    y=[r - p for r in rows for c in cols])
            self.fig.data[2].update(z=kernel)
            self.fig.data[3].update(z=out, zmid=0)
            self.fig.layout.shapes = [dict(type="rect", xref="x", yref="y", x0=-0.5, y0=-0.5,
                                           x1=SIZE - 0.5, y1=SIZE - 0.5,
                                           line=dict(color="#1f77b4", width=1.5, dash="dot")),
                                      dict(type="rect", xref="x3", yref="y3", x0=j - 0.5,
                                           y0=i - 0.5, x1=j + 0.5, y1=i + 0.5,
                                           line=dict(color="#ff7f0e", width=2.5))]
            self.fig.layout.title.text = (
                f"{v['preset']}: a {SIZE}×{SIZE} image → a {ho}×{wo} feature map<br>"
                f"<sup>out = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊({SIZE} + 2·{p} − {d}·({K}−1) − 1)"
                f"/{s}⌋ + 1 = {ho}</sup>")
        self.status.value = (
            f"Each output value is Σ<sub>u,v</sub> w[u, v] · x[s·i + d·u − p, s·j + d·v − p]: the "
            f"orange squares are the {K * K} input pixels that output [{i}, {j}] (orange frame on "
            f"the right) reads. Padding p = {p} adds a ring of zeros (outside the dotted frame), "
            f"stride s = {s} moves the kernel {s} px per output, dilation d = {d} spreads its taps "
            f"{d} px apart. Kernel weights sum to {kernel.sum():.3g}: 1 keeps the brightness "
            f"(blur, sharpen), 0 responds only to change (edges). Output range "
            f"[{out.min():.2f}, {out.max():.2f}].")

    @cached_property
    def widget(self) -> widgets.VBox:
        grid = widgets.GridBox([self.controls[f"k{n}"] for n in range(K * K)],
                               layout=widgets.Layout(grid_template_columns=f"repeat({K}, 76px)",
                                                     grid_gap="2px"))
        settings = widgets.VBox([
            widgets.HBox([self.controls["image"], self.controls["preset"]]),
            widgets.HBox([self.controls[k] for k in ("padding", "stride", "dilation")],
                         layout=widgets.Layout(flex_flow="row wrap"))])
        kernel = widgets.VBox([widgets.HTML("<b>kernel weights</b>"), grid],
                              layout=widgets.Layout(margin="0 24px 0 0", min_width="240px",
                                                    flex="0 0 auto"))
        self.status.layout.max_width = f"{self.fig.layout.width or WIDTH}px"
        return widgets.VBox([widgets.HBox([kernel, settings]), self.fig, self.status],
                            layout=widgets.Layout(width="fit-content"))


GALLERY = {"KernelEditor": KernelEditor}
