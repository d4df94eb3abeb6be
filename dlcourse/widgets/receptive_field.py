"""L2.03: receptive-field viewer. A stack of conv and pool layers over an n × n input; pick a unit
of the last layer (sliders, or click it) and see the input region it sees, with the recursion
r_l = r_(l−1) + (k_l − 1)·d_l·j_(l−1), j_l = j_(l−1)·s_l worked out layer by layer.

Inside the region, the shade is the number of paths from each input pixel to the unit (how many
ways its value reaches it): the centre is reached many ways, the rim once, and a dilated stack can
leave pixels that are never reached at all. Conv layers use "same" padding d(k − 1)/2; pool layers
none.
"""
from __future__ import annotations

import re
from html import escape
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure, image_axes

MAX_LAYERS = 8
TOKEN = re.compile(r"^(conv|pool)(\d+)(?:s(\d+))?(?:d(\d+))?$")
PRESETS = {
    "three 3×3 convs": "conv3, conv3, conv3",
    "LeNet-like": "conv5, pool2, conv5, pool2",
    "VGG-like": "conv3, conv3, pool2, conv3, conv3, pool2",
    "ResNet stem": "conv7s2, pool3s2, conv3, conv3",
    "dilated 1-2-4": "conv3, conv3d2, conv3d4",
    "gridding: dilation 2 × 3": "conv3d2, conv3d2, conv3d2",
}


class Layer(NamedTuple):
    kind: str      # "conv" or "pool"
    k: int         # kernel size
    s: int         # stride
    d: int         # dilation
    p: int         # padding

    def __str__(self) -> str:
        default_stride = self.k if self.kind == "pool" else 1
        return (f"{self.kind}{self.k}" + (f"s{self.s}" if self.s != default_stride else "")
                + (f"d{self.d}" if self.d != 1 else ""))


def parse_stack(text: str) -> list[Layer]:
    """"conv3, conv3d2, pool2, conv5s2" → layers. conv: stride 1 unless `sN`, padding d(k−1)/2;
    pool: stride k unless `sN`, no padding; `dN` is the dilation."""
    tokens = [t.replace(" ", "").lower() for t in text.split(",")]
    if not any(tokens):
        raise ValueError("the stack is empty: list layers such as conv3, pool2, conv3d2")
    layers = []
    for token in tokens:
        m = TOKEN.match(token)
        if not m:
            raise ValueError(f"could not read {token!r}: write convK or poolK, optionally with sN "
                             "(stride) and dN (dilation), e.g. conv3s2d2")
        kind, k = m.group(1), int(m.group(2))
        s = int(m.group(3) or (k if kind == "pool" else 1))
        d = int(m.group(4) or 1)
        if not (1 <= k <= 11 and 1 <= s <= 4 and 1 <= d <= 8):
            raise ValueError(f"{token}: keep 1 ≤ k ≤ 11, 1 ≤ s ≤ 4 and 1 ≤ d ≤ 8")
        layers.append(Layer(kind, k, s, d, d * (k - 1) // 2 if kind == "conv" else 0))
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"{len(layers)} layers: at most {MAX_LAYERS}")
    return layers


def sizes(layers: list[Layer], n: int) -> list[int]:
    """The side of the feature map before the first layer (n) and after each."""
    out = [n]
    for layer in layers:
        out.append((out[-1] + 2 * layer.p - layer.d * (layer.k - 1) - 1) // layer.s + 1)
    return out


def receptive_fields(layers: list[Layer]) -> list[tuple[int, int]]:
    """(r_l, j_l) for l = 0 … L: the receptive field (in input pixels) and the jump (input pixels
    between neighbouring units) of each layer; r_0 = j_0 = 1."""
    r, j, out = 1, 1, [(1, 1)]
    for layer in layers:
        r, j = r + (layer.k - 1) * layer.d * j, j * layer.s
        out.append((r, j))
    return out


def input_interval(layers: list[Layer], i: int) -> tuple[int, int]:
    """First and last input index (unclipped: it may run into the padding) that unit i of the
    last layer sees, along one axis."""
    lo, hi = i, i
    for layer in reversed(layers):
        lo, hi = lo * layer.s - layer.p, hi * layer.s - layer.p + layer.d * (layer.k - 1)
    return lo, hi


def path_counts(layers: list[Layer], n: int, i: int) -> np.ndarray:
    """For each of the n input positions along one axis, the number of paths through the stack
    that lead to unit i of the last layer (zero padding leads nowhere)."""
    side = sizes(layers, n)
    counts = np.zeros(side[-1], dtype=np.int64)
    counts[i] = 1
    for layer, below in zip(reversed(layers), reversed(side[:-1])):
        back = np.zeros(below, dtype=np.int64)
        for o in np.nonzero(counts)[0]:
            for u in range(layer.k):
                src = o * layer.s - layer.p + u * layer.d
                if 0 <= src < below:
                    back[src] += counts[o]
        counts = back
    return counts


class ReceptiveFieldViewer(Explorer):
    """The input region one unit of a conv/pool stack sees.

    Controls: `size` (input side n), `row`, `col` (the unit of the last layer; or click it),
    `preset` (a stack), `stack` (editable: e.g. "conv3, pool2, conv3d2").
    """

    def __init__(self, preset: str = "LeNet-like", size: int = 32):
        self.controls = {
            "size": widgets.IntSlider(value=size, min=16, max=64, step=4, description="Input n",
                                      continuous_update=False),
            "row": widgets.IntSlider(value=0, min=0, max=1, description="Unit row"),
            "col": widgets.IntSlider(value=0, min=0, max=1, description="Unit col"),
            "preset": widgets.Dropdown(options=list(PRESETS), value=preset, description="Stack"),
            "stack": widgets.Text(value=PRESETS[preset], description="Layers",
                                  continuous_update=False,
                                  layout=widgets.Layout(width="420px")),
        }
        self._centre = True   # the first drawing (and each new stack) selects the centre unit
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4],
                                        horizontal_spacing=0.16,
                                        subplot_titles=("input: the region the unit sees",
                                                        "last layer: pick a unit")),
                          height=470, margin=dict(l=40, r=30, t=95, b=40), showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], colorscale="Viridis", zmin=0,
                             colorbar=dict(title="paths", thickness=12, len=0.8, x=0.52,
                                           xanchor="left"),
                             hovertemplate="input [%{y}, %{x}]: %{z} path(s)<extra></extra>")
        self.fig.add_scatter(row=1, col=2, x=[], y=[], mode="markers",
                             marker=dict(symbol="square", size=8, color="#c7d3e3"),
                             hovertemplate="unit [%{y}, %{x}]<extra></extra>")
        self.fig.add_scatter(row=1, col=2, x=[], y=[], mode="markers",
                             marker=dict(symbol="square", size=12, color="#ff7f0e"),
                             hoverinfo="skip")
        image_axes(self.fig, 2)
        self.layers: list[Layer] = []
        super().__init__()
        self.fig.data[1].on_click(self._clicked)

    def _changed(self, change) -> None:
        if self._quiet:
            return
        if change["owner"] is self.controls["preset"]:
            with self.quiet():
                self.controls["stack"].value = PRESETS[change["new"]]
        if change["owner"] in (self.controls["preset"], self.controls["stack"]):
            self._centre = True
        self.update()

    def select(self, row: int, col: int) -> None:
        """Select unit (row, col) of the last layer, as a click on it does."""
        with self.quiet():
            self.controls["row"].value, self.controls["col"].value = row, col
        self.update()

    def _clicked(self, trace, points, _state) -> None:
        if points.point_inds:
            self.select(int(trace.y[points.point_inds[0]]), int(trace.x[points.point_inds[0]]))

    def update(self) -> None:
        n = self.values["size"]
        try:
            layers = parse_stack(self.values["stack"])
            side = sizes(layers, n)
            if min(side) < 1:
                raise ValueError(f"the stack shrinks a {n}×{n} input to nothing (sides "
                                 f"{' → '.join(map(str, side))}): use a larger input or fewer layers")
        except ValueError as error:
            self.status.value = f"<b>Could not use this stack</b>: {escape(str(error))}"
            with self.fig.batch_update():
                self.fig.layout.title.text = "—"
            return
        self.layers, m = layers, side[-1]
        with self.quiet():
            for key in ("row", "col"):
                slider = self.controls[key]
                slider.max = m - 1
                if self._centre:
                    slider.value = (m - 1) // 2
        self._centre = False
        i, j = self.controls["row"].value, self.controls["col"].value
        (r_lo, r_hi), (c_lo, c_hi) = input_interval(layers, i), input_interval(layers, j)
        paths = np.outer(path_counts(layers, n, i), path_counts(layers, n, j))
        fields = receptive_fields(layers)
        r, jump = fields[-1]
        grid_y, grid_x = np.divmod(np.arange(m * m), m)
        marker = max(3, min(14, 300 // m))
        with self.fig.batch_update():
            # unreached pixels are gaps: None, since NaN is not valid JSON for the browser
            self.fig.data[0].update(z=[[int(v) if v else None for v in row] for row in paths])
            self.fig.data[1].update(x=grid_x, y=grid_y, marker_size=marker)
            self.fig.data[2].update(x=[j], y=[i], marker_size=marker + 3)
            self.fig.update_xaxes(row=1, col=1, range=[min(-0.5, c_lo - 0.5), max(n - 0.5, c_hi + 0.5)])
            self.fig.update_yaxes(row=1, col=1, range=[max(n - 0.5, r_hi + 0.5), min(-0.5, r_lo - 0.5)],
                                  autorange=False)
            self.fig.update_xaxes(row=1, col=2, range=[-0.5, m - 0.5])
            self.fig.update_yaxes(row=1, col=2, range=[m - 0.5, -0.5], autorange=False)
            self.fig.layout.shapes = [
                dict(type="rect", xref="x", yref="y", x0=-0.5, y0=-0.5, x1=n - 0.5, y1=n - 0.5,
                     line=dict(color="#555555", width=1.5)),
                dict(type="rect", xref="x", yref="y", x0=c_lo - 0.5, y0=r_lo - 0.5,
                     x1=c_hi + 0.5, y1=r_hi + 0.5, line=dict(color="#ff7f0e", width=2.5,
                                                                dash="dash"))]
            self.fig.layout.title.text = (
                f"unit [{i}, {j}] of layer {len(layers)} ({m}×{m}) sees input rows {r_lo}…{r_hi}, "
                f"cols {c_lo}…{c_hi}: a {r}×{r} receptive field<br><sup>"
                f"r = 1 + Σ (k<sub>l</sub> − 1)·d<sub>l</sub>·j<sub>l−1</sub> = 1 + "
                + " + ".join(f"{layer.k - 1}·{layer.d}·{fields[l][1]}" for l, layer in enumerate(layers))
                + f" = {r};  jump j = {jump}</sup>")
        cell = "<td style='padding:1px 10px;text-align:right'>{}</td>"
        head = "".join(f"<th style='padding:1px 10px;text-align:right'>{h}</th>" for h in
                       ("layer", "", "k", "s", "d", "p", "side", "jump j", "field r"))
        rows = "".join(
            "<tr>" + "".join(cell.format(v) for v in (
                l + 1, escape(str(layer)), layer.k, layer.s, layer.d, layer.p, side[l + 1],
                fields[l + 1][1], fields[l + 1][0])) + "</tr>" for l, layer in enumerate(layers))
        outside = (max(0, -r_lo) + max(0, r_hi - n + 1)) or (max(0, -c_lo) + max(0, c_hi - n + 1))
        holes = int(((paths == 0) & _box(n, r_lo, r_hi, c_lo, c_hi)).sum())
        self.status.value = (
            f"<table style='border-collapse:collapse;line-height:1.3'><tr>{head}</tr>{rows}"
            f"</table>The dashed box is the {r}×{r} receptive field"
            + (" (part of it lies in the zero padding, outside the grey frame)" if outside else "")
            + "; the colour counts the paths from each input pixel to the unit."
            + (f" <b>{holes}</b> pixels inside the box are never reached (the dilations leave holes)."
               if holes else ""))


def _box(n: int, r_lo: int, r_hi: int, c_lo: int, c_hi: int) -> np.ndarray:
    rows, cols = np.arange(n)[:, None], np.arange(n)[None, :]
    return (rows >= r_lo) & (rows <= r_hi) & (cols >= c_lo) & (cols <= c_hi)


GALLERY = {"ReceptiveFieldViewer": ReceptiveFieldViewer}
