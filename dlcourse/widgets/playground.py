"""L1.11: the neural-network playground, TensorFlow Playground's explorer in a notebook.

Pick a 2D dataset, the input features, hidden layers and neurons, activation, regularization,
learning rate and optimizer; press ▶ and watch every neuron's response over the input plane, the
decision boundary and the loss curves change while the network trains in the kernel. The model
code is `dlcourse.playground_model`; this module only draws it.

Headless (tests, the lesson's challenges):

    pg = Playground()
    pg.set(dataset="xor", hidden=(4,), features=("x1", "x2"))   # many controls, one rebuild
    pg.controls["lr"].value = 0.1                               # or one control at a time
    pg.step(300)                                                # 300 training steps, one redraw
    pg.test_accuracy(), pg.history.test_loss[-1], pg.fig.data
"""
from __future__ import annotations

import time
from collections import deque
from contextlib import contextmanager
from functools import cached_property, lru_cache, wraps

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import torch

from .. import playground_model as pm
from .base import Explorer, figure

ORANGE, BLUE = "#f59322", "#0877bd"
COLORSCALE = [[0, ORANGE], [0.5, "#ffffff"], [1, BLUE]]  # TF Playground's: negative, 0, positive
RES = 40                   # grid cells per side of every heatmap
GAP = 12                   # empty cell rows between two tiles of a column
COL_STEP, ROW_STEP = 2.6, 1 + GAP / RES  # the diagram: 1 × 1 tiles, columns and rows this far apart
LINK_BINS = (0.3, 1.0)     # |weight| bin edges → the link widths below
LINK_WIDTHS = (0.8, 2.2, 4.5)
MAX_CURVE_POINTS = 400     # the loss curves show at most this many points (evenly thinned)
QUEUED_MS = 10             # a ▶ tick this soon after the last one ended had been queued: dropped
EMPTY = np.zeros(0)

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500)
DATA_KEYS = ("dataset", "noise", "train_ratio", "seed")
NET_KEYS = ("layers", *(f"neurons_{i}" for i in range(1, pm.MAX_LAYERS + 1)), "activation",
            *pm.FEATURES)
TRAIN_KEYS = ("batch_size", "lr", "optimizer", "regularization", "reg_rate")
VIEW_KEYS = ("show_test", "discretize", "steps_per_tick")


# ---------------------------------------------------------------------------------------------
# Pure layout functions: where the network diagram puts each tile and each link
# ---------------------------------------------------------------------------------------------
def column_sizes(hidden) -> list[int]:
    """Tiles per column of the diagram: all the features, each hidden layer, the output."""
    return [len(pm.FEATURES), *hidden, 1]


def tile_origins(hidden) -> list[list[tuple[float, float]]]:
    """The lower-left corner (x, y) of every tile, column by column; each column is centred on
    y = 0 and the tiles are 1 × 1."""
    origins = []
    for c, k in enumerate(column_sizes(hidden)):
        top = (k - 1) * ROW_STEP / 2
        origins.append([(c * COL_STEP, top - i * ROW_STEP - 0.5) for i in range(k)])
    return origins


@lru_cache(maxsize=64)
def link_geometry(hidden: tuple, sources: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points (m, 2) of every link, in the order of the weights flattened layer by
    layer (each layer's (out, in) matrix row by row). Fixed for an architecture: cached."""
    origins = tile_origins(hidden)
    starts, ends = [], []
    sizes = [len(sources), *hidden, 1]
    for layer in range(len(sizes) - 1):
        rows = list(sources) if layer == 0 else range(sizes[layer])
        for j in range(sizes[layer + 1]):
            for i in rows:
                x0, y0 = origins[layer][i]
                x1, y1 = origins[layer + 1][j]
                starts.append((x0 + 1, y0 + 0.5))   # right edge of the tile it leaves
                ends.append((x1, y1 + 0.5))         # left edge of the tile it enters
    return np.array(starts), np.array(ends)


def link_segments(weights, hidden, sources) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """The lines between tiles, grouped by (sign, width bin) so each group is one scatter trace.

    weights: one (out, in) array per layer (the model's linear layers, in order); sources: the
    feature rows (indices into FEATURES) the first layer reads. Returns {(sign, bin): (xs, ys)},
    float arrays with NaN between segments (a gap in a plotly line); sign is 0 for negative
    weights and 1 for the others. Non-finite weights (a diverged run) draw no line.
    """
    starts, ends = link_geometry(tuple(hidden), tuple(sources))
    values = np.concatenate([np.asarray(w, dtype=float).ravel() for w in weights])
    finite = np.isfinite(values)
    sign = (values >= 0).astype(int)
    bins = np.searchsorted(LINK_BINS, np.abs(values))
    groups = {}
    for s in (0, 1):
        for b in range(len(LINK_BINS) + 1):
            pick = finite & (sign == s) & (bins == b)
            n = int(pick.sum())
            if not n:
                continue
            xs, ys = np.full((n, 3), np.nan), np.full((n, 3), np.nan)
            xs[:, :2] = np.stack([starts[pick, 0], ends[pick, 0]], axis=1)
            ys[:, :2] = np.stack([starts[pick, 1], ends[pick, 1]], axis=1)
            groups[(s, b)] = (xs.ravel(), ys.ravel())
    return groups


def column_z(tiles) -> np.ndarray:
    """The z of one heatmap that holds a whole column of tiles. `tiles` lists the column's slots
    from top to bottom, each a tile's RES² grid values (x1 varies fastest) or None for an empty
    slot. Row 0 is the bottom, as in a heatmap. The GAP rows between tiles and empty slots hold 0,
    which the colour scale draws white, like the background: no NaN, so the array travels as
    plain numbers."""
    k = len(tiles)
    z = np.zeros((k * (RES + GAP) - GAP, RES))
    for i, values in enumerate(tiles):
        if values is not None:
            row = (k - 1 - i) * (RES + GAP)
            z[row:row + RES] = np.asarray(values, dtype=np.float64).reshape(RES, RES)
    return rounded(z)


def column_tile(z: np.ndarray, i: int) -> np.ndarray:
    """Tile i (counted from the top) of a column_z array, as (RES, RES)."""
    k = (len(z) + GAP) // (RES + GAP)
    row = (k - 1 - i) * (RES + GAP)
    return z[row:row + RES]


def rounded(z: np.ndarray) -> np.ndarray:
    """Values as the browser gets them: float64 with 6 decimals, short in JSON (a float32 read as
    float64 prints 17 digits) and well within what a colour can show."""
    return np.round(np.asarray(z, dtype=np.float64), 6)


def thin(values, limit: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Every k-th value (and always the last) so that at most about `limit` remain."""
    values = np.asarray(values, dtype=float)
    if len(values) <= limit:
        return values
    k = -(-len(values) // limit)
    idx = np.r_[np.arange(0, len(values) - 1, k), len(values) - 1]
    return values[idx]


@contextmanager
def one_thread():
    """Run PyTorch on one thread inside the block. This network's tensors are tiny: extra threads
    cannot help, and on a busy machine waiting for them costs up to 100× the work itself."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _one_thread(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        with one_thread():
            return method(*args, **kwargs)
    return wrapper


def _corner(column) -> dict:
    """x0 and y0 of a column_z heatmap: the centre of the bottom tile's lower-left cell."""
    x, y = column[-1]
    return dict(x0=x + 0.5 / RES, y0=y + 0.5 / RES)


def _slider(cls, description, **kwargs):
    return cls(description=description, continuous_update=False,
               style={"description_width": "initial"}, **kwargs)


class Playground(Explorer):
    """TensorFlow Playground in a notebook: data, features, network, training, live pictures.

    Controls (`pg.controls[name]`): dataset; noise (the first slider: it redraws the data even
    while paused); train_ratio (%), batch_size, seed; one toggle per feature (x1, x2, x1^2, x2^2,
    x1*x2, sin(pi*x1), sin(pi*x2)); layers (0–6) and neurons_1 … neurons_6 (1–8); activation; lr;
    optimizer (sgd, adam); regularization (none, L1, L2) and reg_rate; steps_per_tick;
    show_test and discretize (what the output panel shows). Changing the data or the network
    starts a new run; changing batch size, lr, optimizer or regularization keeps training.

    Buttons: ▶/⏸ (`pg.play`, an ipywidgets Play whose every tick trains `steps_per_tick` steps
    and redraws once), step (one tick) and reset (the same seed's initial weights again).
    """

    def __init__(self, dataset: str = "circle", noise: float = 0.05, train_ratio: float = 0.5,
                 seed: int = 0, features=("x1", "x2"), hidden=(4, 2), activation: str = "tanh",
                 batch_size: int = 10, lr: float = 0.03, optimizer: str = "sgd",
                 regularization: str = "none", reg_rate: float = 0.0, steps_per_tick: int = 20):
        pm.Settings(dataset=dataset, features=tuple(features), hidden=tuple(hidden),
                    activation=activation, optimizer=optimizer, regularization=regularization)
        self.controls = {
            "dataset": widgets.ToggleButtons(
                options=[("circle", "circle"), ("xor", "xor"), ("gauss", "gauss"),
                         ("spiral", "spiral"), ("plane (regr.)", "plane"),
                         ("multi-gauss (regr.)", "multi_gauss")],
                value=dataset, description="Data", style={"button_width": "auto"}),
            "noise": _slider(widgets.FloatSlider, "Noise", value=noise, min=0.0, max=0.5,
                             step=0.01, readout_format=".2f"),
            "train_ratio": _slider(widgets.IntSlider, "Training data (%)",
                                   value=int(round(train_ratio * 100)), min=10, max=90, step=10),
            "batch_size": _slider(widgets.SelectionSlider, "Batch size",
                                  options=[(str(b), b) for b in BATCH_SIZES]
                                  + [("all", pm.N_POINTS)], value=batch_size),
            "seed": widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="Seed",
                                           layout=widgets.Layout(width="150px")),
        }
        for name, label in pm.FEATURE_LABELS.items():
            self.controls[name] = widgets.ToggleButton(
                value=name in features, description=label, tooltip=f"input feature {name}",
                layout=widgets.Layout(width="78px"))
        self.controls["layers"] = _slider(widgets.IntSlider, "Hidden layers", value=len(hidden),
                                          min=0, max=pm.MAX_LAYERS)
        for i in range(1, pm.MAX_LAYERS + 1):
            self.controls[f"neurons_{i}"] = _slider(
                widgets.IntSlider, f"Layer {i}", min=1, max=pm.MAX_NEURONS,
                value=hidden[i - 1] if i <= len(hidden) else 4,
                layout=widgets.Layout(width="210px"))
        self.controls.update({
            "activation": widgets.Dropdown(
                options=[("Tanh", "tanh"), ("ReLU", "relu"), ("Sigmoid", "sigmoid"),
                         ("Linear", "linear")], value=activation, description="Activation"),
            "lr": _slider(widgets.SelectionSlider, "Learning rate",
                          options=[(f"{r:g}", r) for r in LEARNING_RATES], value=lr),
            "optimizer": widgets.Dropdown(options=[("SGD", "sgd"), ("Adam", "adam")],
                                          value=optimizer, description="Optimizer"),
            "regularization": widgets.Dropdown(options=[("None", "none"), ("L1", "L1"),
                                                        ("L2", "L2")],
                                               value=regularization, description="Regularization",
                                               style={"description_width": "initial"}),
            "reg_rate": _slider(widgets.SelectionSlider, "Regularization rate",
                                options=[(f"{r:g}", r) for r in REG_RATES], value=reg_rate),
            "steps_per_tick": widgets.Dropdown(options=[1, 2, 5, 10, 20, 50, 100],
                                               value=steps_per_tick, description="Steps per tick",
                                               style={"description_width": "initial"},
                                               layout=widgets.Layout(width="190px")),
            "show_test": widgets.Checkbox(value=True, description="Show test data", indent=False),
            "discretize": widgets.Checkbox(value=False, description="Discretize output",
                                           indent=False),
        })
        self.play = widgets.Play(value=0, min=0, max=10**8, step=1, interval=80,
                                 show_repeat=False, description="Train")
        self.step_button = widgets.Button(description="Step", icon="step-forward",
                                          tooltip="one tick: steps_per_tick training steps",
                                          layout=widgets.Layout(width="90px"))
        self.reset_button = widgets.Button(description="Reset", icon="refresh",
                                           tooltip="start again from the seed's initial weights",
                                           layout=widgets.Layout(width="90px"))
        self.step_button.on_click(lambda _: self.tick())
        self.reset_button.on_click(lambda _: self.reset())
        self.play.observe(self._played, names="value")
        self.tick_ms: deque[float] = deque(maxlen=1000)  # kernel time of the recent ticks
        self._last_tick_end = 0.0
        self._message = ""

        grid_points, self.axis = pm.grid(RES)
        self.grid_points = grid_points.numpy()
        self.feature_grids = pm.features(grid_points, pm.FEATURES).numpy()  # (RES², 7), fixed
        with one_thread():
            self.run = pm.Run(self.settings, res=RES)
        self._build_figure()
        self._sync_neuron_sliders()
        super().__init__()

    # -- settings ------------------------------------------------------------------------------
    @property
    def settings(self) -> pm.Settings:
        """The run settings the controls describe now."""
        v = self.values
        return pm.Settings(
            dataset=v["dataset"], noise=float(v["noise"]), train_ratio=v["train_ratio"] / 100,
            seed=int(v["seed"]), features=tuple(f for f in pm.FEATURES if v[f]),
            hidden=tuple(v[f"neurons_{i}"] for i in range(1, v["layers"] + 1)),
            activation=v["activation"], batch_size=int(v["batch_size"]), lr=float(v["lr"]),
            optimizer=v["optimizer"], regularization=v["regularization"],
            reg_rate=float(v["reg_rate"]))

    def set(self, hidden=None, features=None, **values) -> None:
        """Set many controls with one rebuild: `pg.set(dataset="xor", hidden=(4,), lr=0.1)`.
        `hidden` (a tuple of widths) sets layers and neurons_i; `features` the feature toggles."""
        if hidden is not None:
            values["layers"] = len(hidden)
            values.update({f"neurons_{i}": n for i, n in enumerate(hidden, start=1)})
        if features is not None:
            unknown = set(features) - set(pm.FEATURES)
            if unknown:
                raise ValueError(f"unknown features {sorted(unknown)}; choose among "
                                 f"{list(pm.FEATURES)}")
            values.update({f: f in features for f in pm.FEATURES})
        if "train_ratio" in values and values["train_ratio"] <= 1:
            values["train_ratio"] = int(round(values["train_ratio"] * 100))
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no control named {sorted(unknown)}; the controls are "
                           f"{list(self.controls)}")
        with self.quiet():
            for name, value in values.items():
                self.controls[name].value = value
        self._apply(set(values))

    # -- training ------------------------------------------------------------------------------
    @_one_thread
    def step(self, n: int | None = None) -> None:
        """Train n steps (default: steps_per_tick), recording the losses every steps_per_tick
        steps, then redraw once."""
        n = self.values["steps_per_tick"] if n is None else int(n)
        if not self.run.diverged:
            self.run.train(n, record_every=self.values["steps_per_tick"])
        self._redraw()

    def tick(self) -> float:
        """One animation frame: steps_per_tick training steps and one redraw. Returns (and keeps
        in `tick_ms`) its kernel time in milliseconds."""
        start = time.perf_counter()
        self.step()
        end = time.perf_counter()
        self._last_tick_end = end
        self.tick_ms.append((end - start) * 1e3)
        return self.tick_ms[-1]

    @_one_thread
    def reset(self) -> None:
        """Start the same run again: the seed's data and initial weights, an empty history."""
        self.run = pm.Run(self.run.settings, res=RES)
        self.update()

    def _played(self, _change) -> None:
        # The browser's Play widget sends a tick every `interval` ms whether or not the kernel
        # keeps up. A tick handled within QUEUED_MS of the end of the last one was waiting in
        # the queue while the kernel was busy: drop it, so a slow kernel falls behind by at
        # most one tick and pausing stops at once.
        if not self.play.playing:
            return
        if (time.perf_counter() - self._last_tick_end) * 1e3 < QUEUED_MS:
            return
        self.tick()

    # -- what the learner asks -----------------------------------------------------------------
    @property
    def history(self) -> pm.History:
        return self.run.history

    @property
    def model(self) -> pm.MLP:
        return self.run.model

    def test_accuracy(self) -> float:
        return self.run.accuracy("test")

    def train_accuracy(self) -> float:
        return self.run.accuracy("train")

    def test_loss(self) -> float:
        return self.run.loss("test")

    def train_loss(self) -> float:
        return self.run.loss("train")

    def drawn_neuron(self, layer: int, j: int) -> np.ndarray:
        """The (RES, RES) heatmap drawn for neuron j of hidden layer `layer` (both from 0):
        row r is x2 = axis[r] (from the bottom), column c is x1 = axis[c]."""
        if not 0 <= layer < len(self.run.settings.hidden):
            raise IndexError(f"layer {layer}: this network has {len(self.run.settings.hidden)} "
                             "hidden layers (counted from 0)")
        if not 0 <= j < self.run.settings.hidden[layer]:
            raise IndexError(f"neuron {j}: layer {layer} has {self.run.settings.hidden[layer]}")
        return column_tile(np.asarray(self.fig.data[self._layer_traces[layer]].z), j).astype(float)

    def drawn_output(self) -> np.ndarray:
        """The (RES, RES) output heatmap as drawn: P(class 1), or the prediction (regression)."""
        return np.asarray(self.fig.data[self._trace["output"]].z, dtype=float)

    # -- controls ------------------------------------------------------------------------------
    def _changed(self, change) -> None:
        if self._quiet:
            return
        name = next(k for k, c in self.controls.items() if c is change["owner"])
        self._apply({name})

    @_one_thread
    def _apply(self, names: set[str]) -> None:
        """React to changed controls: a new run for data and network, a tune for training
        settings, a redraw for the view. Setting the width of a layer beyond the last one
        adds the layers up to it."""
        widths = [int(n.split("_")[1]) for n in names if n.startswith("neurons_")]
        if widths and max(widths) > self.controls["layers"].value:
            with self.quiet():
                self.controls["layers"].value = max(widths)
            names = names | {"layers"}
        if "layers" in names:
            self._sync_neuron_sliders()
        self._message = ""
        if names & {*DATA_KEYS, *NET_KEYS}:
            try:
                settings = self.settings
            except ValueError as error:
                self._message = f"<span style='color:#c0392b'>{error}.</span>"
                self._show_status()
                return
            self.run = pm.Run(settings, res=RES)
            self.update()
            return
        if names & set(TRAIN_KEYS):
            s = self.settings
            self.run.tune(**{k: getattr(s, k) for k in TRAIN_KEYS})
        if names & {*TRAIN_KEYS, *VIEW_KEYS}:
            self._redraw()

    def _sync_neuron_sliders(self) -> None:
        layers = self.controls["layers"].value
        for i in range(1, pm.MAX_LAYERS + 1):
            slider = self.controls[f"neurons_{i}"]
            slider.layout.display = None if i <= layers else "none"

    @cached_property
    def widget(self) -> widgets.VBox:
        c = self.controls
        row = lambda *items: widgets.HBox(list(items), layout=widgets.Layout(  # noqa: E731
            flex_flow="row wrap", align_items="center"))
        label = lambda text: widgets.HTML(f"<b>{text}</b>",  # noqa: E731
                                          layout=widgets.Layout(width="80px"))
        self.status.layout.max_width = f"{self.fig.layout.width}px"  # wrap, as the plot
        return widgets.VBox([
            row(label("Run"), self.play, self.step_button, self.reset_button,
                c["steps_per_tick"], c["seed"]),
            row(label("Data"), c["dataset"]),
            row(label(""), c["noise"], c["train_ratio"], c["batch_size"]),
            row(label("Features"), *(c[f] for f in pm.FEATURES)),
            row(label("Network"), c["layers"], c["activation"]),
            row(label(""), *(c[f"neurons_{i}"] for i in range(1, pm.MAX_LAYERS + 1))),
            row(label("Training"), c["lr"], c["optimizer"], c["regularization"], c["reg_rate"]),
            row(label("Show"), c["show_test"], c["discretize"]),
            self.fig, self.status,
        ], layout=widgets.Layout(width="fit-content"))

    # -- drawing -------------------------------------------------------------------------------
    def _build_figure(self) -> None:
        """All traces, once: the links, the feature tiles (switched on and off), one heatmap per
        hidden layer holding its neurons' tiles, the output tile, the output panel (heatmap,
        training and test points) and the two loss curves. Later updates only change their data
        and visibility, which is what keeps a tick fast."""
        fig = figure(title="Playground", height=640, showlegend=False,
                     margin=dict(l=20, r=30, t=90, b=50))
        fig.update_layout(width=1040)
        self._trace: dict[str, int] = {}
        self._link_traces = {}
        for sign in (0, 1):
            for b, width in enumerate(LINK_WIDTHS):
                self._link_traces[(sign, b)] = len(fig.data)
                fig.add_scatter(x=[], y=[], mode="lines", hoverinfo="skip", opacity=0.55,
                                line=dict(color=(ORANGE, BLUE)[sign], width=width))
        # One heatmap per column of tiles, on a regular grid of cells 1/RES wide (x0, dx, y0, dy):
        # plotly.js draws such a heatmap many times faster than one given cell by cell.
        tile = dict(colorscale=COLORSCALE, zmin=-1, zmax=1, showscale=False, dx=1 / RES,
                    dy=1 / RES)
        self._feature_traces = []
        for k, (name, (x, y)) in enumerate(zip(pm.FEATURES, tile_origins(())[0])):
            self._feature_traces.append(len(fig.data))
            fig.add_heatmap(z=rounded(self.feature_grids[:, k].reshape(RES, RES)),
                            x0=x + 0.5 / RES, y0=y + 0.5 / RES, **tile,
                            hovertemplate=f"{pm.FEATURE_LABELS[name]} = %{{z:.2f}}<extra></extra>")
        self._layer_traces = []
        for layer in range(pm.MAX_LAYERS):
            self._layer_traces.append(len(fig.data))
            fig.add_heatmap(z=None, visible=False, **tile,
                            hovertemplate=f"layer {layer + 1}: %{{z:.2f}}<extra></extra>")
        self._trace["out_tile"] = len(fig.data)
        fig.add_heatmap(z=None, **tile, hovertemplate="output %{z:.2f}<extra></extra>")
        self._trace["output"] = len(fig.data)
        fig.add_heatmap(z=None, x=self.axis, y=self.axis,
                        xaxis="x2", yaxis="y2", colorscale=COLORSCALE, zsmooth="best",
                        colorbar=dict(x=1.0, y=0.69, len=0.6, thickness=12),
                        hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}: %{z:.2f}<extra></extra>")
        for part, edge in (("train", "white"), ("test", "black")):
            self._trace[part] = len(fig.data)
            fig.add_scatter(x=[], y=[], mode="markers", xaxis="x2", yaxis="y2", name=part,
                            marker=dict(size=5, colorscale=COLORSCALE, line=dict(color=edge,
                                                                                  width=0.8)),
                            hovertemplate=f"{part} point (%{{x:.2f}}, %{{y:.2f}})"
                                          "<extra></extra>")
        for part, color in (("train", "#9e9e9e"), ("test", "#222222")):
            self._trace[f"loss_{part}"] = len(fig.data)
            fig.add_scatter(x=[], y=[], mode="lines", xaxis="x3", yaxis="y3",
                            name=f"{part} loss", line=dict(color=color, width=2),
                            hovertemplate=f"step %{{x}}: {part} loss %{{y:.4f}}<extra></extra>")
        hidden_axis = dict(visible=False, fixedrange=True)
        fig.update_layout(
            xaxis=dict(domain=[0, 0.58], **hidden_axis),
            yaxis=dict(domain=[0, 0.94], scaleanchor="x", scaleratio=1, **hidden_axis),
            xaxis2=dict(domain=[0.66, 0.95], range=[-pm.EXTENT, pm.EXTENT], title="x₁",
                        anchor="y2", constrain="domain", zeroline=False),
            yaxis2=dict(domain=[0.40, 0.96], range=[-pm.EXTENT, pm.EXTENT], title="x₂",
                        anchor="x2", scaleanchor="x2", constrain="domain", zeroline=False),
            xaxis3=dict(domain=[0.66, 0.95], title="training steps", anchor="y3",
                        rangemode="tozero"),
            yaxis3=dict(domain=[0.0, 0.24], title="loss", anchor="x3", rangemode="tozero"),
        )
        self.fig = fig

    @_one_thread
    def update(self) -> None:
        """Redraw everything for the current run: the diagram's structure, then its values."""
        s = self.run.settings
        hidden = s.hidden
        origins = tile_origins(hidden)
        with self.fig.batch_update():
            data = self.fig.data
            for name, index in zip(pm.FEATURES, self._feature_traces):
                data[index].opacity = 1.0 if name in s.features else 0.25
            for layer, index in enumerate(self._layer_traces):
                if layer < len(hidden):
                    data[index].update(visible=True, **_corner(origins[layer + 1]))
                elif data[index].visible:
                    data[index].update(visible=False, z=None)
            data[self._trace["out_tile"]].update(**_corner(origins[-1]))
            rows = max(column_sizes(hidden))
            self.fig.layout.xaxis.range = [-1.5, (len(hidden) + 1) * COL_STEP + 1.4]
            self.fig.layout.yaxis.range = [-rows * ROW_STEP / 2 - 0.3, rows * ROW_STEP / 2 + 0.9]
            self.fig.layout.annotations = self._labels(origins)
            self._draw_points()
            self._redraw()

    def _labels(self, origins) -> list[dict]:
        s = self.run.settings
        labels = []
        names = ["features", *(f"layer {i + 1}" for i in range(len(s.hidden))), "output"]
        for c, (name, column) in enumerate(zip(names, origins)):
            x, y = column[0]
            labels.append(dict(x=x + 0.5, y=y + 1.12, text=f"<b>{name}</b>", showarrow=False,
                               xref="x", yref="y", font=dict(size=12), yanchor="bottom"))
        for k, name in enumerate(pm.FEATURES):
            x, y = origins[0][k]
            labels.append(dict(x=x - 0.08, y=y + 0.5, text=pm.FEATURE_LABELS[name], xref="x",
                               yref="y", showarrow=False, xanchor="right", font=dict(size=11),
                               opacity=1.0 if name in s.features else 0.4))
        kind = "regression" if s.regression else "P(class 1)"
        labels.append(dict(x=0.805, y=0.975, xref="paper", yref="paper", showarrow=False,
                           yanchor="bottom", text=f"<b>output: {kind}</b> · points: training "
                           "(white edge), test (black edge)", font=dict(size=12)))
        labels.append(dict(x=0.805, y=0.26, xref="paper", yref="paper", showarrow=False,
                           yanchor="bottom", text="<b>loss</b>: training (grey), test (black)",
                           font=dict(size=12)))
        return labels

    def _draw_points(self) -> None:
        r, data = self.run, self.fig.data
        lo, hi = (-1, 1) if r.settings.regression else (0, 1)
        for part, X, y in (("train", r.X_train, r.y_train), ("test", r.X_test, r.y_test)):
            data[self._trace[part]].update(x=X[:, 0].numpy(), y=X[:, 1].numpy(),
                                           marker=dict(color=y[:, 0].numpy(), cmin=lo, cmax=hi))
        data[self._trace["output"]].update(zmin=lo, zmax=hi)
        data[self._trace["out_tile"]].update(zmin=lo, zmax=hi)

    def _redraw(self) -> None:
        """The per-tick update: every neuron's heatmap, the output, the links, the losses."""
        r, data = self.run, self.fig.data
        s, v = r.settings, self.values
        grids = r.grids()
        weights = [lin.weight.detach().numpy() for lin in r.model.linears]
        sources = [k for k, name in enumerate(pm.FEATURES) if name in s.features]
        links = link_segments(weights, s.hidden, sources)
        out = grids[-1][:, 0]
        shown = out
        if v["discretize"]:
            shown = np.where(out >= (0.5 if not s.regression else 0.0), 1.0,
                             0.0 if not s.regression else -1.0)
        h = r.history
        with self.fig.batch_update():
            for layer, g in enumerate(grids[:-1]):
                data[self._layer_traces[layer]].z = column_z(list(g.T))
            data[self._trace["out_tile"]].z = rounded(out.reshape(RES, RES))
            data[self._trace["output"]].z = rounded(shown.reshape(RES, RES))
            for key, index in self._link_traces.items():
                xs, ys = links.get(key, (EMPTY, EMPTY))
                data[index].update(x=xs, y=ys)
            data[self._trace["test"]].visible = bool(v["show_test"])
            steps = thin(h.step)
            data[self._trace["loss_train"]].update(x=steps, y=thin(h.train_loss))
            data[self._trace["loss_test"]].update(x=steps, y=thin(h.test_loss))
            self.fig.layout.title.text = self._title()
        self._show_status()

    def _title(self) -> str:
        """Two lines: where training stands, then the settings that produced it."""
        r, v = self.run, self.values
        s = r.settings
        text = (f"{s.dataset} · step {r.steps:,} · loss: test {r.history.test_loss[-1]:.3f}, "
                f"train {r.history.train_loss[-1]:.3f}")
        if not s.regression and not r.diverged:
            text += f" · test accuracy {r.accuracy('test'):.1%}"
        net = "-".join(map(str, s.hidden)) + f" {s.activation}" if s.hidden else "no hidden layer"
        batch = self.controls["batch_size"].label
        setup = (f"{net} · {dict(sgd='SGD', adam='Adam')[s.optimizer]}, learning rate {s.lr:g}, "
                 f"batch {batch} · regularization {s.regularization} (rate {s.reg_rate:g}) · "
                 f"{v['steps_per_tick']} steps per tick")
        return f"{text}<br><span style='font-size:13px;color:#555'>{setup}</span>"

    def _show_status(self) -> None:
        r = self.run
        s = r.settings
        parts = [f"{pm.n_parameters(len(s.features), s.hidden)} parameters",
                 f"{len(r.X_train)} training and {len(r.X_test)} test points"]
        if self.tick_ms:
            parts.append(f"last tick {self.tick_ms[-1]:.0f} ms in the kernel")
        line = " · ".join(parts)
        if r.diverged:
            line = ("<span style='color:#c0392b'><b>Diverged:</b> the weights are no longer "
                    "finite numbers. Lower the learning rate and press Reset.</span> " + line)
        self.status.value = (self._message + " " + line).strip()


GALLERY = {"Playground": Playground}
