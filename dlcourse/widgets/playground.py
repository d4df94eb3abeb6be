"""L1.11: the neural-network playground, TensorFlow Playground's explorer in a notebook.

Pick a 2D dataset, the input features, hidden layers and neurons, activation, regularization,
learning rate and optimizer; press ▶ and watch every neuron's response over the input plane, the
decision boundary and the loss curves change while the network trains in the kernel. The model
code is `dlcourse.playground_model`; this module sends what it computes to the browser.

Headless (tests, the lesson's challenges):

    pg = Playground()
    pg.set(dataset="xor", hidden=(4,), features=("x1", "x2"))   # many controls, one rebuild
    pg.controls["lr"].value = 0.1                               # or one control at a time
    pg.step(300)                                                # 300 training steps, one frame
    pg.test_accuracy(), pg.history.test_loss[-1], pg.drawn_neuron(0, 1)

How it draws: `pg.fig` is a `PlaygroundFigure`, an anywidget whose front-end (playground.js)
draws on <canvas>. Each frame the kernel sends compact arrays in the widget's binary buffers:
uint8 heatmaps (`quantize`d: one RES × RES tile per neuron), float32 weights and loss curves;
the data points (float32) go once per run. A test reads those same arrays (`pg.fig.heatmaps`,
…). While ▶ is on, a thread of the kernel sends frames (`steps_per_tick` training steps each,
25 by default: one of TensorFlow Playground's epochs per frame) a little faster than the browser
draws them, up to MAX_FPS, and at most WINDOW frames ahead of the last one it drew (it says so
five times a second): the kernel trains while the browser draws, and no request per frame keeps
the kernel's status flipping between busy and idle.
"""
from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections import deque
from functools import cached_property, wraps
from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from .. import playground_model as pm
from .base import Explorer

HERE = Path(__file__).parent
RES = 40                   # grid cells per side of every heatmap
MAX_FPS = 60               # ▶ sends at most this many frames per second (a screen's refresh rate)
START_FPS, MIN_FPS = 30, 2  # ▶'s first pace, and its slowest
HEADROOM = 1.3             # ▶ sends this many times the frames the browser drew (see _pace)
WINDOW = 16                # frames ▶ may run ahead of the last one the browser has drawn
MAX_CURVE_POINTS = 200     # the loss curves show at most this many points (evenly thinned)

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500)
DATA_KEYS = ("dataset", "noise", "train_ratio", "seed")
NET_KEYS = ("layers", *(f"neurons_{i}" for i in range(1, pm.MAX_LAYERS + 1)), "activation",
            *pm.FEATURES)
TRAIN_KEYS = ("batch_size", "lr", "optimizer", "regularization", "reg_rate")
VIEW_KEYS = ("show_test", "discretize", "steps_per_tick")


def quantize(values, lo: float, hi: float) -> np.ndarray:
    """Values as the browser gets them: uint8, lo → 0 (orange), the middle → 127.5 (white),
    hi → 255 (blue), clipped; NaN (a diverged run) → the middle."""
    q = (np.asarray(values, dtype=np.float32) - lo) * (255 / (hi - lo))
    q[np.isnan(q)] = 127.5
    return np.rint(np.clip(q, 0, 255, out=q), out=q).astype(np.uint8)


def dequantize(codes, lo: float, hi: float) -> np.ndarray:
    """The values a heatmap's colours stand for (quantize's inverse, to 1/255 of the range)."""
    return lo + np.asarray(codes, dtype=np.float64) * ((hi - lo) / 255)


def thin(values, limit: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Every k-th value (and always the last) so that at most about `limit` remain."""
    values = np.asarray(values, dtype=float)
    if len(values) <= limit:
        return values
    k = -(-len(values) // limit)
    idx = np.r_[np.arange(0, len(values) - 1, k), len(values) - 1]
    return values[idx]


def _locked(method):
    """Run the method holding the playground's lock: ▶'s thread and the controls change one run."""
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


def _slider(cls, description, **kwargs):
    return cls(description=description, continuous_update=False,
               style={"description_width": "initial"}, **kwargs)


class PlaygroundFigure(anywidget.AnyWidget):
    """The playground's picture: the network with a heatmap per neuron and its links, the output
    over the plane with the data, the loss curves, and ▶ / step / reset. Drawn by playground.js
    from these arrays, the state a test reads:

    spec          the network's shape and view: res, extent, features [(name, label, on)],
                  hidden widths, regression, show_test, discretize
    feature_maps  uint8 (7, RES, RES): the input features, sent once
    points        float32 (n, 4): x1, x2, target, is_test; sent with each new run
    heatmaps      uint8 (Σ hidden + 1, RES, RES): each hidden neuron (`quantize`d from −1 … 1),
                  then the output (from Playground.output_range); row 0 is the bottom of the
                  plane (x2 = -extent), x1 varies fastest
    weights       float32: every layer's (out, in) weight matrix, row by row
    curves        float32 (3, m): recorded steps, training loss, test loss
    stats         step, the two lines of text, diverged
    frame         frames sent so far (the browser reports the last one it drew)
    playing       ▶ is on (set by the browser)
    """
    _esm = HERE / "playground.js"
    _css = HERE / "playground.css"
    spec = traitlets.Dict().tag(sync=True)
    feature_maps = traitlets.Bytes().tag(sync=True)
    points = traitlets.Bytes().tag(sync=True)
    heatmaps = traitlets.Bytes().tag(sync=True)
    weights = traitlets.Bytes().tag(sync=True)
    curves = traitlets.Bytes().tag(sync=True)
    stats = traitlets.Dict().tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    _dlc_id = traitlets.Unicode().tag(sync=True)   # its model id, for playground.js's rescue()

    def __init__(self, **state):
        uid = uuid.uuid4().hex
        super().__init__(model_id=uid, _dlc_id=uid, **state)

    def drawn_state(self) -> dict:
        """What the browser draws, all of it: the arrays and texts above (not the counter)."""
        return {name: getattr(self, name) for name in (
            "spec", "feature_maps", "points", "heatmaps", "weights", "curves", "stats")}


class Playground(Explorer):
    """TensorFlow Playground in a notebook: data, features, network, training, live pictures.

    Controls (`pg.controls[name]`): dataset; noise (the first slider: it redraws the data even
    while paused); train_ratio (%), batch_size, seed; one toggle per feature (x1, x2, x1^2, x2^2,
    x1*x2, sin(pi*x1), sin(pi*x2)); layers (0–6) and neurons_1 … neurons_6 (1–8); activation; lr;
    optimizer (sgd, adam); regularization (none, L1, L2) and reg_rate; steps_per_tick (training
    steps per frame); show_test and discretize (what the output panel shows). Changing the data
    or the network starts a new run; changing batch size, lr, optimizer or regularization keeps
    training.

    Buttons, on the picture: ▶/⏸ (frames as fast as the browser draws them), step (one frame)
    and reset (the same seed's initial weights again). Headless: `pg.tick()`, `pg.step(n)`,
    `pg.reset()`.
    """

    def __init__(self, dataset: str = "circle", noise: float = 0.05, train_ratio: float = 0.5,
                 seed: int = 0, features=("x1", "x2"), hidden=(4, 2), activation: str = "tanh",
                 batch_size: int = 10, lr: float = 0.03, optimizer: str = "sgd",
                 regularization: str = "none", reg_rate: float = 0.0, steps_per_tick: int = 25):
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
            "steps_per_tick": widgets.Dropdown(options=[1, 2, 5, 10, 25, 50, 100],
                                               value=steps_per_tick, description="Steps per frame",
                                               style={"description_width": "initial"},
                                               layout=widgets.Layout(width="190px")),
            "show_test": widgets.Checkbox(value=True, description="Show test data", indent=False),
            "discretize": widgets.Checkbox(value=False, description="Discretize output",
                                           indent=False),
        })
        self.tick_ms: deque[float] = deque(maxlen=1000)  # kernel time of the recent frames
        self._lock = threading.RLock()
        self._player: threading.Thread | None = None
        self._drawn, self._fps = 0, float(START_FPS)  # the last frame drawn; ▶'s pace
        self._acked = threading.Event()
        self._message = ""
        self._grids: list[np.ndarray] = []               # the last frame's values, as floats
        grid_points, self.axis = pm.grid(RES)
        feature_grids = pm.features(grid_points, pm.FEATURES).numpy()      # (RES², 7), fixed
        self.fig = PlaygroundFigure(feature_maps=quantize(feature_grids.T, -1, 1).tobytes())
        self.fig.on_msg(self._on_message)
        self.fig.observe(self._playing_changed, names="playing")
        self.run = pm.Run(self.settings, res=RES)
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
    @_locked
    def step(self, n: int | None = None) -> None:
        """Train n steps (default: steps_per_tick), recording the losses every steps_per_tick
        steps, then send one frame."""
        n = self.values["steps_per_tick"] if n is None else int(n)
        if not self.run.diverged:
            self.run.train(n, record_every=self.values["steps_per_tick"])
        self._redraw()

    def tick(self) -> float:
        """One frame: steps_per_tick training steps and one redraw. Returns (and keeps in
        `tick_ms`) its kernel time in milliseconds."""
        start = time.perf_counter()
        self.step()
        self.tick_ms.append((time.perf_counter() - start) * 1e3)
        return self.tick_ms[-1]

    @_locked
    def reset(self) -> None:
        """Start the same run again: the seed's data and initial weights, an empty history."""
        self.run = pm.Run(self.run.settings, res=RES)
        self.update()

    def _on_message(self, _widget, content: dict, _buffers) -> None:
        """What the browser says: {"type": "drawn", "frame": n, "fps": d} five times a second
        while ▶ is on (the last frame it drew, and how many it drew per second), "step" and
        "reset" from their buttons."""
        kind = content.get("type")
        if kind == "drawn":
            self._drawn = max(self._drawn, int(content.get("frame", 0)))
            self._pace(float(content.get("fps", 0)))
            self._acked.set()
        elif kind == "step":
            self.tick()
        elif kind == "reset":
            self.reset()

    def _pace(self, drawn: float) -> None:
        """▶'s frames per second: HEADROOM times what the browser drew, up to MAX_FPS. A page
        that keeps up draws every frame it gets (it holds a few back to even out their uneven
        arrival), so the pace climbs until the page or MAX_FPS sets the limit; a page that
        cannot keep up drops the oldest waiting frames, and gets about 30% more than it draws,
        not a growing queue."""
        self._fps = min(MAX_FPS, max(MIN_FPS, HEADROOM * drawn + 1))

    def _playing_changed(self, change) -> None:
        if change["new"] and not (self._player and self._player.is_alive()):
            self._drawn, self._fps = self.fig.frame, float(START_FPS)
            self._player = threading.Thread(target=self._play, name="playground ▶", daemon=True)
            self._player.start()

    def _play(self) -> None:
        """▶: frames at the pace `_pace` sets, never more than WINDOW frames ahead of the last
        one the browser drew."""
        due = time.perf_counter()
        while self.fig.playing:
            if self.fig.frame - self._drawn >= WINDOW:     # the browser is behind: wait for it
                self._acked.wait(0.2)
                self._acked.clear()
                due = time.perf_counter()
                continue
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                self.tick()
            except Exception:                              # shown in the kernel's log, and ▶ stops
                traceback.print_exc()
                self.fig.playing = False
            if self.run.diverged:
                self.fig.playing = False
            due = max(due + 1 / self._fps, time.perf_counter() - 0.1)

    # -- what the learner asks -----------------------------------------------------------------
    @property
    def history(self) -> pm.History:
        return self.run.history

    @property
    def model(self) -> pm.MLP:
        return self.run.model

    @property
    def title(self) -> str:
        """The two lines above the picture (where training stands; the settings), joined by
        <br>."""
        return f"{self.fig.stats['title']}<br>{self.fig.stats['setup']}"

    def test_accuracy(self) -> float:
        return self.run.accuracy("test")

    def train_accuracy(self) -> float:
        return self.run.accuracy("train")

    def test_loss(self) -> float:
        return self.run.loss("test")

    def train_loss(self) -> float:
        return self.run.loss("train")

    def drawn_neuron(self, layer: int, j: int) -> np.ndarray:
        """The (RES, RES) values of the tile drawn for neuron j of hidden layer `layer` (both
        from 0): row r is x2 = axis[r] (from the bottom), column c is x1 = axis[c]. The browser
        gets them as `quantize(values, -1, 1)`."""
        hidden = self.run.settings.hidden
        if not 0 <= layer < len(hidden):
            raise IndexError(f"layer {layer}: this network has {len(hidden)} hidden layers "
                             "(counted from 0)")
        if not 0 <= j < hidden[layer]:
            raise IndexError(f"neuron {j}: layer {layer} has {hidden[layer]}")
        return self._grids[layer][:, j].reshape(RES, RES).astype(float)

    def drawn_output(self) -> np.ndarray:
        """The (RES, RES) output drawn: P(class 1), or the prediction (regression); 0/1 (−1/1)
        when discretized. The browser gets it as `quantize(values, *self.output_range)`."""
        return self._grids[-1].reshape(RES, RES).astype(float)

    @property
    def output_range(self) -> tuple[float, float]:
        """The values the output's colours span: (0, 1) for P(class 1), (−1, 1) for regression."""
        return (-1.0, 1.0) if self.run.settings.regression else (0.0, 1.0)

    # -- controls ------------------------------------------------------------------------------
    def _changed(self, change) -> None:
        if self._quiet:
            return
        name = next(k for k, c in self.controls.items() if c is change["owner"])
        self._apply({name})

    @_locked
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
            if "show_test" in names:
                self.fig.spec = self._spec()
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
        return widgets.VBox([
            row(label("Data"), c["dataset"]),
            row(label(""), c["noise"], c["train_ratio"], c["batch_size"], c["seed"]),
            row(label("Features"), *(c[f] for f in pm.FEATURES)),
            row(label("Network"), c["layers"], c["activation"]),
            row(label(""), *(c[f"neurons_{i}"] for i in range(1, pm.MAX_LAYERS + 1))),
            row(label("Training"), c["lr"], c["optimizer"], c["regularization"],
                c["reg_rate"]),
            row(label("Show"), c["steps_per_tick"], c["show_test"], c["discretize"]),
            self.fig, self.status,
        ], layout=widgets.Layout(max_width="900px"))

    # -- drawing -------------------------------------------------------------------------------
    def _spec(self) -> dict:
        s = self.run.settings
        return dict(res=RES, extent=pm.EXTENT, hidden=list(s.hidden), regression=s.regression,
                    features=[[name, label, name in s.features]
                              for name, label in pm.FEATURE_LABELS.items()],
                    show_test=bool(self.values["show_test"]),
                    discretize=bool(self.values["discretize"]))

    @_locked
    def update(self) -> None:
        """Everything for the current run: the network's shape, the data points, a frame."""
        r = self.run
        part = np.r_[np.zeros(len(r.X_train)), np.ones(len(r.X_test))]
        points = np.column_stack([np.concatenate([r.X_train.numpy(), r.X_test.numpy()]),
                                  np.concatenate([r.y_train.numpy(), r.y_test.numpy()])[:, 0],
                                  part])
        with self.fig.hold_sync():
            self.fig.spec = self._spec()
            self.fig.points = points.astype(np.float32).tobytes()
            self._redraw()

    def _redraw(self) -> None:
        """One frame: every neuron's heatmap, the output, the weights, the losses, the texts."""
        r, v = self.run, self.values
        s = r.settings
        grids = r.grids()
        out = grids[-1][:, 0]
        if v["discretize"]:
            low = -1.0 if s.regression else 0.0
            out = np.where(out >= (0.0 if s.regression else 0.5), 1.0, low)
        self._grids = [*grids[:-1], out]
        lo, hi = self.output_range
        tiles = [g.T for g in grids[:-1]] + [(out[None, :] - lo) * (2 / (hi - lo)) - 1]
        h = r.history
        with self.fig.hold_sync():
            self.fig.frame += 1
            self.fig.heatmaps = quantize(np.concatenate(tiles), -1, 1).tobytes()
            self.fig.weights = r.weights().tobytes()
            self.fig.curves = np.concatenate([thin(h.step), thin(h.train_loss),
                                              thin(h.test_loss)]).astype(np.float32).tobytes()
            self.fig.stats = dict(step=r.steps, diverged=r.diverged, **self._texts(v))
        self._show_status()

    def _texts(self, v: dict) -> dict:
        """Two lines: where training stands, then the settings that produced it."""
        r = self.run
        s = r.settings
        title = (f"{s.dataset} · step {r.steps:,} · loss: test {r.history.test_loss[-1]:.3f}, "
                 f"train {r.history.train_loss[-1]:.3f}")
        if not s.regression and not r.diverged:
            title += f" · test accuracy {r.accuracy('test'):.1%}"
        net = "-".join(map(str, s.hidden)) + f" {s.activation}" if s.hidden else "no hidden layer"
        batch = self.controls["batch_size"].label
        setup = (f"{net} · {dict(sgd='SGD', adam='Adam')[s.optimizer]}, learning rate {s.lr:g}, "
                 f"batch {batch} · regularization {s.regularization} (rate {s.reg_rate:g}) · "
                 f"{v['steps_per_tick']} steps per frame")
        return dict(title=title, setup=setup)

    def _show_status(self) -> None:
        r = self.run
        s = r.settings
        line = (f"{pm.n_parameters(len(s.features), s.hidden)} parameters · "
                f"{len(r.X_train)} training and {len(r.X_test)} test points")
        if r.diverged:
            line = ("<span style='color:#c0392b'><b>Diverged:</b> the weights are no longer "
                    "finite numbers. Lower the learning rate and press Reset.</span> " + line)
        self.status.value = (self._message + " " + line).strip()


GALLERY = {"Playground": Playground}
