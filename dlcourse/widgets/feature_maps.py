"""L2.04: feature-map viewer. Pick an image and a layer of a conv net (LeNet): the input, the
learned filters of the last conv layer at or before that layer, and every channel's feature map,
captured with forward hooks. With the weights at initialization next to the trained ones, what
training changed shows at once.

Filters and maps are drawn as mosaics (one heatmap each, tiles separated by blank lines): a conv
layer with C input and O output channels shows its weight (O, C, k, k) as O rows of C tiles, so
for LeNet's C3 the 16 × 6 grid of kernels reads like a learned connection table.
"""
from __future__ import annotations

import copy
import math

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

WEIGHTS = ("trained", "at initialization")


def feature_maps(model, images, names) -> dict:
    """Run `images` (N, C, H, W) through `model` once and return {name: output} for each named
    submodule in `names`, captured with forward hooks (removed again afterwards)."""
    import torch
    modules = dict(model.named_modules())
    captured, handles = {}, []
    for name in names:
        def hook(module, inputs, output, name=name):
            captured[name] = output.detach()
        handles.append(modules[name].register_forward_hook(hook))
    try:
        was_training = model.training
        model.eval()
        with torch.no_grad():
            captured["logits"] = model(images).detach()
        model.train(was_training)
    finally:
        for handle in handles:
            handle.remove()
    return captured


def map_layers(model, input_shape) -> list[tuple[str, str, tuple]]:
    """(name, type, output shape) of each leaf module whose output is a stack of maps (C, H, W),
    in the order the forward pass meets them."""
    import torch
    leaves = [name for name, m in model.named_modules() if name and not list(m.children())]
    outputs = feature_maps(model, torch.zeros(1, *input_shape), leaves)
    modules = dict(model.named_modules())
    return [(name, type(modules[name]).__name__, tuple(out.shape[1:]))
            for name, out in outputs.items() if name != "logits" and out.ndim == 4]


def mosaic(tiles, cols: int) -> np.ndarray:
    """Tiles (T, h, w) laid out `cols` per row, with one row/column of NaN (drawn blank) between."""
    tiles = np.asarray(tiles, dtype=float)
    t, h, w = tiles.shape
    rows = math.ceil(t / cols)
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for i in range(t):
        r, c = divmod(i, cols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = tiles[i]
    return out


def filter_mosaic(weight) -> np.ndarray:
    """A conv weight (O, C, k, k) as O rows of C tiles; with one input channel, one row of O."""
    w = np.asarray(weight, dtype=float)
    o, c = w.shape[:2]
    if c == 1:
        return mosaic(w[:, 0], o)
    return mosaic(w.reshape(o * c, *w.shape[2:]), c)


def _blank_gaps(z: np.ndarray) -> list:
    """NaN as None: plotly leaves those cells blank, and JSON has no NaN."""
    return np.where(np.isnan(z), None, z).tolist()


def _demo():
    """A small LeNet, trained for 15 steps on synthetic strokes: well under a second on a free CPU."""
    import torch
    from torch import nn
    g = torch.Generator().manual_seed(0)
    r, c = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    shapes = [(c - 14).abs() < 2, (r - 14).abs() < 2, (r - c).abs() < 2,
              ((r - 14) ** 2 + (c - 14) ** 2 - 64).abs() < 14,
              ((r - 14).abs() < 2) | ((c - 14).abs() < 2)]
    names = ["vertical bar", "horizontal bar", "diagonal", "ring", "cross"]
    base = torch.stack([s.float() for s in shapes])[:, None]                 # (5, 1, 28, 28)
    x = base.repeat(8, 1, 1, 1) + 0.3 * torch.randn(40, 1, 28, 28, generator=g)
    y = torch.arange(5).repeat(8)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 5))
    initial = copy.deepcopy(model.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-3)
    for _ in range(15):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    test = base + 0.3 * torch.randn(5, 1, 28, 28, generator=g)
    return model, test, torch.arange(5), initial, names


class FeatureMapViewer(Explorer):
    """Feature maps of a conv net, image × layer.

    `model`: a conv net taking (N, C, H, W); `images` (N, C, H, W) to pick from, `labels` (N,)
    optional; `initial`: a state_dict of the same model at initialization (adds the trained /
    at-initialization switch); `classes`: names of the outputs. Without a model, a small demo.
    Controls: `image` (slider), `layer` (every leaf module whose output is maps), `weights`.
    """

    def __init__(self, model=None, images=None, labels=None, initial=None, classes=None,
                 image: int = 0, layer: str | None = None):
        if model is None:
            model, images, labels, initial, classes = _demo()
        self.images, self.labels, self.classes = images, labels, classes
        self.models = {WEIGHTS[0]: model}
        if initial is not None:
            self.models[WEIGHTS[1]] = copy.deepcopy(model)
            self.models[WEIGHTS[1]].load_state_dict(initial)
        self.layers = map_layers(model, tuple(images.shape[1:]))
        if not self.layers:
            raise ValueError("the model has no layer whose output is a stack of feature maps")
        self.modules = dict(model.named_modules())
        options = [(f"{name} · {kind} → {' × '.join(map(str, shape))}", name)
                   for name, kind, shape in self.layers]
        self.controls = {
            "image": widgets.IntSlider(value=image, min=0, max=len(images) - 1, description="Image"),
            "layer": widgets.Dropdown(options=options, value=layer or self.layers[0][0],
                                      description="Layer", layout=widgets.Layout(width="330px")),
            "weights": widgets.ToggleButtons(options=list(self.models), value=WEIGHTS[0],
                                             description="Weights"),
        }
        self.controls["weights"].style.button_width = "120px"
        self.fig = figure(make_subplots(
            rows=2, cols=2, column_widths=[0.25, 0.75], row_heights=[0.45, 0.55],
            specs=[[{}, {}], [{"colspan": 2}, None]], horizontal_spacing=0.06,
            vertical_spacing=0.1, subplot_titles=("input", "filters", "feature maps")),
            height=640, margin=dict(l=20, r=20, t=90, b=20), showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], colorscale="gray_r", showscale=False,
                             hovertemplate="pixel [%{y}, %{x}]: %{z:.2f}<extra></extra>")
        self.fig.add_heatmap(row=1, col=2, z=[[0]], colorscale="RdBu", zmid=0, showscale=False,
                             hovertemplate="weight %{z:.3f}<extra></extra>")
        self.fig.add_heatmap(row=2, col=1, z=[[0]], colorscale="Viridis", showscale=True,
                             colorbar=dict(thickness=12, len=0.5, y=0.27),
                             hovertemplate="%{z:.3f}<extra></extra>")
        self.fig.update_xaxes(visible=False)
        for axis in ("", "2", "3"):
            self.fig.update_layout({f"yaxis{axis}": dict(autorange="reversed", visible=False,
                                                         scaleanchor=f"x{axis}")})
        super().__init__()

    def _conv_for(self, name: str, model):
        """The last Conv2d at or before layer `name`, in `model`."""
        order = [n for n, _, _ in self.layers]
        modules = dict(model.named_modules())
        for n in reversed(order[:order.index(name) + 1]):
            if type(modules[n]).__name__ == "Conv2d":
                return n, modules[n]
        return None, None

    def update(self) -> None:
        i, name, which = self.values["image"], self.values["layer"], self.values["weights"]
        model = self.models[which]
        out = feature_maps(model, self.images[i:i + 1], [name])
        maps = out[name][0].cpu().numpy()                              # (C, H, W)
        probs = out["logits"][0].softmax(0).cpu().numpy()
        pred = int(probs.argmax())
        conv_name, conv = self._conv_for(name, model)
        weight = conv.weight.detach().cpu().numpy() if conv is not None else np.zeros((1, 1, 1, 1))
        cols = maps.shape[0] if maps.shape[0] <= 8 else math.ceil(maps.shape[0] / 2)
        label = "" if self.labels is None else f"label {self._name(int(self.labels[i]))}, "
        with self.fig.batch_update():
            self.fig.data[0].z = self.images[i, 0].cpu().numpy()
            self.fig.data[1].z = _blank_gaps(filter_mosaic(weight))
            self.fig.data[2].z = _blank_gaps(mosaic(maps, cols))
            o, c, k = weight.shape[0], weight.shape[1], weight.shape[2]
            titles = ("input",
                      f"{conv_name} filters ({which}): {o} × {c} kernels of {k}×{k}"
                      if conv_name else "no conv layer yet",
                      f"{name}: {maps.shape[0]} feature maps of {maps.shape[1]}×{maps.shape[2]}")
            for annotation, text in zip(self.fig.layout.annotations, titles):
                annotation.text = text
            self.fig.layout.title.text = (f"Image {i} ({label}predicted {self._name(pred)}) "
                                          f"through layer {name} "
                                          f"({self.modules[name].__class__.__name__}), "
                                          f"{which} weights")
        active = (np.abs(maps).reshape(len(maps), -1).max(1) > 1e-6).sum()
        self.status.value = (f"Image {i}: {label}predicted <b>{self._name(pred)}</b> with "
                             f"probability {probs[pred]:.2f}. Layer <b>{name}</b> has "
                             f"{maps.shape[0]} maps of {maps.shape[1]}×{maps.shape[2]}; "
                             f"{active} of them respond to this image (the others are all zero). "
                             + ("Rows of the filter grid are output maps, columns input maps."
                                if conv is not None and weight.shape[1] > 1 else ""))

    def _name(self, k: int) -> str:
        return str(self.classes[k]) if self.classes is not None else str(k)


GALLERY = {"FeatureMapViewer": FeatureMapViewer}
