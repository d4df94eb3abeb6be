"""L3.07: Swin's windows and shifted windows. A grid of patch tokens is split into non-overlapping
M×M windows; attention runs inside each window only. Every second block shifts the grid by ⌊M/2⌋
tokens with a cyclic roll, so that the new windows straddle the old borders; a window that the roll
has stitched together from far-apart parts of the image gets an attention mask so that no token
attends across a region border. The figure shows the grid coloured by window (left) and, for one
query token, which tokens of its window it may attend to (right). Controls: grid size, window,
shift on/off, stage (each stage halves the grid by patch merging) and the query token."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

SIZES = (8, 12, 14, 16, 24, 28)
PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
           "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f")


def window_partition(x, window: int):
    """(B, H, W, C) → (B·H/M·W/M, M, M, C): the windows in raster order, each in raster order."""
    b, h, w, c = x.shape
    x = x.reshape(b, h // window, window, w // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window, window, c)


def window_reverse(windows, window: int, h: int, w: int):
    """The inverse of window_partition: (B·nW, M, M, C) → (B, H, W, C)."""
    c = windows.shape[-1]
    x = windows.reshape(-1, h // window, w // window, window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, h, w, c)


def region_ids(h: int, w: int, window: int, shift: int) -> np.ndarray:
    """(H, W) region label of each position of the *rolled* grid: 3 bands per axis (the last
    window's two parts and everything before), 9 regions in all; 0 everywhere without a shift."""
    if shift == 0:
        return np.zeros((h, w), dtype=np.int64)

    def band(n):
        i = np.arange(n)
        return (i >= n - window).astype(np.int64) + (i >= n - shift)

    return 3 * band(h)[:, None] + band(w)[None, :]


def shifted_window_mask(h: int, w: int, window: int, shift: int):
    """(nW, M², M²) bool, True where a query may *not* attend to a key of its window (a different
    region of the rolled grid), as nn.MultiheadAttention's boolean attn_mask reads it."""
    import torch
    regions = torch.from_numpy(region_ids(h, w, window, shift))[None, :, :, None]
    regions = window_partition(regions, window).reshape(-1, window * window)   # (nW, M²)
    return regions[:, :, None] != regions[:, None, :]


def window_ids(h: int, w: int, window: int, shift: int) -> np.ndarray:
    """(H, W): the window each *original* position falls in after rolling the grid by −shift."""
    rows = (np.arange(h) - shift) % h // window            # the row it moves to, then its window row
    cols = (np.arange(w) - shift) % w // window
    return rows[:, None] * (w // window) + cols[None, :]


def attention_map(h: int, w: int, window: int, shift: int, query: tuple[int, int]) -> np.ndarray:
    """(H, W) for one query token at original position `query`: 2 where it attends, 1 where a key
    is in its window but masked, 0 outside its window."""
    ids = window_ids(h, w, window, shift)
    rolled = np.roll(region_ids(h, w, window, shift), shift, axis=(0, 1))   # regions, original grid
    qr, qc = query
    same_window = ids == ids[qr, qc]
    return np.where(same_window, np.where(rolled == rolled[qr, qc], 2, 1), 0)


def stages(size: int, window: int) -> list[int]:
    """Grid sizes of the stages: patch merging halves the grid while it stays a multiple of M."""
    out = [size]
    while out[-1] % 2 == 0 and (out[-1] // 2) % window == 0:
        out.append(out[-1] // 2)
    return out


def divisors(size: int) -> list[int]:
    return [m for m in range(2, size) if size % m == 0 and m <= 8] or [size]


class WindowExplorer(Explorer):
    """Swin's windows on a grid of patch tokens, with and without the cyclic shift.

    Controls: `size` (grid side in patches), `window` (M), `shift` (⌊M/2⌋ or none), `stage`
    (after 0–3 patch mergings, each halving the grid) and the query token (`row`, `col`)."""

    def __init__(self, size: int = 8, window: int = 4, shift: bool = True, stage: int = 1,
                 row: int = 0, col: int = 0):
        self.controls = {
            "size": widgets.Dropdown(options=SIZES, value=size, description="Grid",
                                     layout=widgets.Layout(width="150px")),
            "window": widgets.Dropdown(options=divisors(size), value=window, description="Window M",
                                       layout=widgets.Layout(width="170px")),
            "shift": widgets.Checkbox(value=shift, description="shift ⌊M/2⌋",
                                      layout=widgets.Layout(width="130px")),
            "stage": widgets.Dropdown(options=list(range(1, len(stages(size, window)) + 1)),
                                      value=stage, description="Stage",
                                      layout=widgets.Layout(width="140px")),
            "row": widgets.IntSlider(value=row, min=0, max=size - 1, description="Query row",
                                     layout=widgets.Layout(width="240px")),
            "col": widgets.IntSlider(value=col, min=0, max=size - 1, description="Query col",
                                     layout=widgets.Layout(width="240px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                                        subplot_titles=["windows", "query's attention"]),
                          height=500, margin=dict(l=40, r=20, t=100, b=40), showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], showscale=False, xgap=1, ygap=1,
                             hovertemplate="row %{y}, col %{x}: window %{z}<extra></extra>")
        self.fig.add_heatmap(row=1, col=2, z=[[0]], showscale=False, xgap=1, ygap=1, zmin=0, zmax=2,
                             colorscale=[[0, "#f0f0f0"], [0.5, "#fb8072"], [1, "#1f77b4"]],
                             hovertemplate="row %{y}, col %{x}: %{z}<extra>0 other window · "
                                           "1 masked · 2 attends</extra>")
        for trace in (1, 2):   # the query token, marked on both panels
            self.fig.add_scatter(row=1, col=trace, x=[0], y=[0], mode="markers",
                                 marker=dict(symbol="x", size=12, color="black"))
        for col in (1, 2):
            self.fig.update_yaxes(row=1, col=col, autorange="reversed", scaleanchor=f"x{col}",
                                  showgrid=False, zeroline=False)
            self.fig.update_xaxes(row=1, col=col, showgrid=False, zeroline=False)
        super().__init__()

    def state(self) -> dict:
        """What the figure shows, computed from the controls (a test reads it)."""
        v = self.values
        grid = stages(v["size"], v["window"])[v["stage"] - 1]
        window = v["window"]
        shift = window // 2 if v["shift"] and grid > window else 0   # one window: nothing to shift
        query = (min(v["row"], grid - 1), min(v["col"], grid - 1))
        return dict(grid=grid, window=window, shift=shift, query=query,
                    ids=window_ids(grid, grid, window, shift),
                    attention=attention_map(grid, grid, window, shift, query),
                    mask=shifted_window_mask(grid, grid, window, shift))

    def _sync_controls(self) -> None:
        """Window options follow the grid, stage options the window, sliders the stage's grid."""
        c = self.controls
        with self.quiet():
            options = divisors(c["size"].value)
            if list(c["window"].options) != options:
                keep = c["window"].value if c["window"].value in options else options[-1]
                c["window"].options = options
                c["window"].value = keep
            n = len(stages(c["size"].value, c["window"].value))
            if list(c["stage"].options) != list(range(1, n + 1)):
                keep = min(c["stage"].value, n)
                c["stage"].options = list(range(1, n + 1))
                c["stage"].value = keep
            grid = stages(c["size"].value, c["window"].value)[c["stage"].value - 1]
            for name in ("row", "col"):
                c[name].max = grid - 1

    def update(self) -> None:
        self._sync_controls()
        s = self.state()
        grid, window, shift = s["grid"], s["window"], s["shift"]
        n_windows = (grid // window) ** 2
        colours = [PALETTE[i % len(PALETTE)] for i in range(n_windows)]
        scale = [[i / max(n_windows - 1, 1), c] for i, c in enumerate(colours)] if n_windows > 1 \
            else [[0, colours[0]], [1, colours[0]]]
        qr, qc = s["query"]
        attends = int((s["attention"] == 2).sum())
        masked = int((s["attention"] == 1).sum())
        with self.fig.batch_update():
            self.fig.data[0].update(z=s["ids"], colorscale=scale, zmin=0, zmax=max(n_windows - 1, 1),
                                    text=s["ids"], texttemplate="%{text}" if grid <= 16 else "")
            self.fig.data[1].update(z=s["attention"])
            for trace in (2, 3):
                self.fig.data[trace].update(x=[qc], y=[qr])
            kind = f"SW-MSA, shift {shift}" if shift else "W-MSA, no shift"
            self.fig.layout.title.text = (
                f"Stage {self.values['stage']}: {grid}×{grid} tokens, {window}×{window} windows, "
                f"{kind}<br><sup>{n_windows} windows · attention pairs {n_windows * window ** 4:,} "
                f"vs global {grid ** 4:,} ({grid ** 2 // window ** 2}× fewer)</sup>")
            self.fig.layout.annotations[0].text = "window of each token (after the roll)"
            self.fig.layout.annotations[1].text = (f"query ({qr}, {qc}): attends {attends}, "
                                                   f"masked {masked}")
        cross = int(s["mask"].any(dim=(1, 2)).sum())
        self.status.value = (
            f"{cross} of {n_windows} windows need a mask: the roll stitched them together from "
            f"parts of the image that are not neighbours." if shift else
            "No shift: every window is a contiguous block of the image and needs no mask; but no "
            "information crosses a window border either.")


GALLERY = {"WindowExplorer": lambda: WindowExplorer(size=8, window=4, shift=True, row=7, col=7)}
