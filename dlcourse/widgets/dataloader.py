"""L2.01: DataLoader explorer. Which examples land in which minibatch, epoch after epoch.

The dataset is stored sorted by class, as a folder-per-class dataset (torchvision's ImageFolder)
is: examples 0 … n−1, the first tenth class 0, the next tenth class 1, and so on. The batches come
from a real `torch.utils.data.DataLoader` with the chosen batch size, `shuffle`, `drop_last` and a
generator seeded once, iterated up to the chosen epoch: without shuffling every batch holds one or
two classes, and SGD follows whichever class it is fed.
"""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

CLASSES = 10
# one colour per class (plotly's D3 palette), as a discrete colour scale for the heatmap
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def labels_of(n: int, classes: int = CLASSES) -> np.ndarray:
    """The class of each example of a dataset of n stored sorted by class, in equal blocks."""
    return np.arange(n) * classes // n


def loader_batches(n: int, batch_size: int, shuffle: bool = True, drop_last: bool = False,
                   seed: int = 0, epoch: int = 1) -> list[np.ndarray]:
    """The example indices of each batch in epoch `epoch` (1, 2, …) of
    DataLoader(range(n), batch_size, shuffle, drop_last, generator seeded once with `seed`)."""
    import torch
    from torch.utils.data import DataLoader

    if n < 1 or batch_size < 1 or epoch < 1:
        raise ValueError(f"need n ≥ 1, batch_size ≥ 1 and epoch ≥ 1, got {n}, {batch_size}, {epoch}")
    loader = DataLoader(range(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        generator=torch.Generator().manual_seed(seed))
    for _ in range(epoch - 1):       # each pass over the loader draws a new order
        for _ in loader:
            pass
    return [batch.numpy() for batch in loader]


class BatchView(NamedTuple):
    batches: list[np.ndarray]   # example indices, one array per batch
    grid: np.ndarray            # (batches, batch_size) class of each slot, NaN where empty
    index: np.ndarray           # (batches, batch_size) example index of each slot, -1 where empty
    distinct: np.ndarray        # number of distinct classes in each batch
    dropped: int                # examples no batch holds this epoch (drop_last)


def batch_view(n: int, batch_size: int, shuffle: bool = True, drop_last: bool = False,
               seed: int = 0, epoch: int = 1, classes: int = CLASSES) -> BatchView:
    """`loader_batches` laid out as a grid, with the class of every example in it."""
    batches = loader_batches(n, batch_size, shuffle, drop_last, seed, epoch)
    labels = labels_of(n, classes)
    rows = max(len(batches), 1)
    grid = np.full((rows, batch_size), np.nan)
    index = np.full((rows, batch_size), -1)
    for r, b in enumerate(batches):
        grid[r, :len(b)] = labels[b]
        index[r, :len(b)] = b
    distinct = np.array([len(np.unique(labels[b])) for b in batches], dtype=int)
    return BatchView(batches, grid, index, distinct, n - sum(len(b) for b in batches))


def _class_scale(classes: int) -> list:
    """A stepped colour scale: class k gets PALETTE[k] over its whole band of [0, 1]."""
    scale = []
    for k in range(classes):
        color = PALETTE[k % len(PALETTE)]
        scale += [[k / classes, color], [(k + 1) / classes, color]]
    return scale


class DataLoaderExplorer(Explorer):
    """A DataLoader's batches, drawn as a grid coloured by class, for a dataset stored in class
    order.

    Controls (batch size first): `batch_size`, `n` (dataset size), `shuffle`, `drop_last`,
    `seed` (of the loader's generator) and `epoch` (which pass over the data).
    """

    def __init__(self, batch_size: int = 16, n: int = 100, shuffle: bool = True,
                 drop_last: bool = False, seed: int = 0, epoch: int = 1):
        self.controls = {
            "batch_size": widgets.IntSlider(value=batch_size, min=1, max=64,
                                            description="Batch size", continuous_update=False),
            "n": widgets.IntSlider(value=n, min=10, max=200, step=1, description="Examples n",
                                   continuous_update=False),
            "shuffle": widgets.Checkbox(value=shuffle, description="shuffle"),
            "drop_last": widgets.Checkbox(value=drop_last, description="drop_last"),
            "seed": widgets.IntSlider(value=seed, min=0, max=9, description="Seed",
                                      continuous_update=False),
            "epoch": widgets.IntSlider(value=epoch, min=1, max=5, description="Epoch",
                                       continuous_update=False),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.72, 0.28], horizontal_spacing=0.08,
                            shared_yaxes=True,
                            subplot_titles=("each batch's examples, coloured by class",
                                            "classes in the batch"))
        self.fig = figure(fig, title="", height=520, showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], zmin=0, zmax=CLASSES,
                             colorscale=_class_scale(CLASSES), xgap=1, ygap=1,
                             colorbar=dict(title="class", x=-0.16, len=0.9,
                                           tickvals=[k + 0.5 for k in range(CLASSES)],
                                           ticktext=[str(k) for k in range(CLASSES)]),
                             hovertemplate="batch %{y}, slot %{x}<br>example %{customdata}"
                                           "<br>class %{text}<extra></extra>")
        self.fig.add_bar(row=1, col=2, x=[], y=[], orientation="h", marker_color="#555",
                         hovertemplate="batch %{y}: %{x} classes<extra></extra>")
        self.fig.update_xaxes(title_text="position in the batch", row=1, col=1)
        self.fig.update_xaxes(title_text="distinct classes", range=[0, CLASSES + 0.5],
                              row=1, col=2)
        self.fig.update_yaxes(title_text="batch (in the order SGD sees them)",
                              autorange="reversed", row=1, col=1)
        super().__init__()

    def update(self) -> None:
        v = self.values
        view = batch_view(v["n"], v["batch_size"], v["shuffle"], v["drop_last"], v["seed"],
                          v["epoch"])
        count = len(view.batches)
        text = np.where(np.isnan(view.grid), "", np.nan_to_num(view.grid).astype(int).astype(str))
        z = view.grid + 0.5          # the middle of each class's band of the colour scale
        with self.fig.batch_update():
            self.fig.data[0].update(z=np.where(np.isnan(z), None, z).tolist(),
                                    x=list(range(v["batch_size"])), y=list(range(max(count, 1))),
                                    text=text.tolist(),
                                    customdata=np.where(view.index < 0, None, view.index).tolist())
            self.fig.data[1].update(x=view.distinct.tolist(), y=list(range(count)))
            order = (f"shuffled with seed {v['seed']}, epoch {v['epoch']}" if v["shuffle"]
                     else "in stored order")
            self.fig.layout.title.text = (f"{v['n']} examples in batches of {v['batch_size']}, "
                                          f"{order}: {count} batches")
        full, last = divmod(v["n"], v["batch_size"])
        split = f"{full} full batch{'es' if full != 1 else ''}" + (f" and a last one of {last}" if last else "")
        if view.dropped:
            split += f"; <code>drop_last=True</code> skips those {view.dropped} this epoch"
        mean = view.distinct.mean() if count else 0.0
        why = ("" if v["shuffle"] else ": in stored order a batch holds only neighbouring classes, "
               "and each step pulls the model towards them")
        self.status.value = (
            f"n = {v['n']}, batch size {v['batch_size']}: {split}, so len(loader) = {count}. "
            f"A batch holds <b>{mean:.1f}</b> distinct classes on average{why}.")

GALLERY = {"DataLoaderExplorer": DataLoaderExplorer}
