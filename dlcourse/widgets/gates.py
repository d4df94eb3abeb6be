"""L2.11: gate explorer. A small LSTM trained on the adding problem (sum the two marked values of
a long sequence) reads one sequence; the figure shows, step by step, the input it receives and
what every unit's input, forget and output gates open to, with the cell state they write, as
heatmaps (units × time). The gates are recomputed from the model's weights with the LSTM
equations, not read from inside nn.LSTM, so what is shown is exactly what the formulae give.
Controls: which sequence, where its two markers sit, and the sequence length."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

HIDDEN, LENGTH, STEPS, BATCH, LR = 16, 50, 1500, 64, 1e-2
PANELS = ("input gate i", "forget gate f", "output gate o", "cell state c")


@dataclass(frozen=True)
class Gates:
    """One sequence read by an LSTM layer: every array is (T, H), the values after step t."""
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


def lstm_gates(lstm, x) -> Gates:
    """Run a one-layer, one-direction nn.LSTM over one sequence x (T, input_size) from h = c = 0,
    with the equations written out on its weights (PyTorch's row order: i, f, g, o)."""
    import torch
    W_ih, W_hh = lstm.weight_ih_l0.detach(), lstm.weight_hh_l0.detach()
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    H = lstm.hidden_size
    h, c = torch.zeros(H), torch.zeros(H)
    out = {k: [] for k in "ifgoch"}
    for x_t in torch.as_tensor(x, dtype=W_ih.dtype):
        z = W_ih @ x_t + W_hh @ h + b
        i, f, o = torch.sigmoid(z[:H]), torch.sigmoid(z[H:2 * H]), torch.sigmoid(z[3 * H:])
        g = torch.tanh(z[2 * H:3 * H])
        c = f * c + i * g
        h = o * torch.tanh(c)
        for k, v in zip("ifgoch", (i, f, g, o, c, h)):
            out[k].append(v.numpy().copy())
    return Gates(**{k: np.array(v) for k, v in out.items()})


def adding_lstm(hidden: int = HIDDEN):
    """nn.LSTM(2, hidden) → Linear(hidden, 1) on the last hidden state: the adding-problem model,
    initialized from the current torch seed."""
    from torch import nn

    class AddingLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(2, hidden, batch_first=True)
            self.head = nn.Linear(hidden, 1)

        def forward(self, x):                          # x: (N, T, 2) → (N,)
            out, _ = self.lstm(x)
            return self.head(out[:, -1]).squeeze(-1)

    return AddingLSTM()


@lru_cache(maxsize=2)
def trained_model(hidden: int = HIDDEN, length: int = LENGTH, steps: int = STEPS, seed: int = 0):
    """A small LSTM trained with Adam on fresh adding-problem batches (about 20 s on one quiet
    core); gate_lstm.json holds its weights. Returns (model, validation MSE on 500 new sequences)."""
    import torch
    import torch.nn.functional as F

    from ..data import adding_problem
    torch.manual_seed(seed)
    model = adding_lstm(hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    rng = np.random.default_rng(seed)
    with one_thread():
        for _ in range(steps):
            x, y = adding_problem(BATCH, length, rng)
            loss = F.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        x, y = adding_problem(500, length, seed + 1)
        with torch.no_grad():
            mse = F.mse_loss(model(x), y).item()
    return model.eval(), mse


def sequence(index: int, length: int, first: int | None = None, second: int | None = None):
    """Sequence number `index` (values and markers from its own seed) of the given length, with
    its markers moved to steps `first` and `second` when they are given."""
    from ..data import adding_problem
    x, _ = adding_problem(1, length, seed=1000 + index)
    x = x[0]
    if first is not None or second is not None:
        marked = np.flatnonzero(x[:, 1].numpy())
        first = marked[0] if first is None else first
        second = marked[1] if second is None else second
        if first == second:
            raise ValueError("the two markers must be at different steps")
        x[:, 1] = 0
        x[[first, second], 1] = 1
    return x


def memory_order(gates: Gates, marked) -> np.ndarray:
    """Units ordered by how much of what they wrote at the marked steps is still in their cell at
    the end: |i_t·g_t| at a marker times the product of the forget gates after it, summed over
    both markers (largest first). The units that hold the marked values come to the top."""
    kept = np.zeros(gates.c.shape[1])
    for t in marked:
        kept += np.abs(gates.i[t] * gates.g[t]) * np.prod(gates.f[t + 1:], axis=0)
    return np.argsort(-kept, kind="stable")


@lru_cache(maxsize=1)
def default_model():
    """The small LSTM that ships with the course (gate_lstm.json, made by `trained_model()`), so
    the explorer opens at once: (model, the validation MSE noted when it was trained)."""
    import torch
    with open(Path(__file__).with_name("gate_lstm.json"), encoding="utf-8") as f:
        saved = json.load(f)
    model = adding_lstm(saved["hidden"])
    model.load_state_dict({k: torch.tensor(v) for k, v in saved["state_dict"].items()})
    return model.eval(), saved["about"]


class GateExplorer(Explorer):
    """What an LSTM's gates do on one adding-problem sequence, unit by unit and step by step.

    Controls: `sequence` (which random sequence), `length`, and `first` and `second` (the steps
    of the two markers). Pass `model` (an nn.Module mapping (N, T, 2) to (N,) with a one-layer
    nn.LSTM of input size 2 inside, as `adding_lstm` builds) to explore your own trained model;
    without one, the small LSTM that ships with the course (`default_model()`).
    """

    def __init__(self, model=None, sequence: int = 0, length: int = LENGTH):
        if model is None:
            model, _ = default_model()
        from torch import nn
        self.model = model
        self.lstm = next(m for m in model.modules() if isinstance(m, nn.LSTM))
        if self.lstm.num_layers != 1 or self.lstm.bidirectional or self.lstm.input_size != 2:
            raise ValueError("GateExplorer shows a one-layer, one-direction nn.LSTM with 2 inputs "
                             "(value, marker), as adding_lstm() builds")
        self.controls = {
            "sequence": widgets.IntSlider(value=sequence, min=0, max=49, description="Sequence",
                                          continuous_update=False,
                                          layout=widgets.Layout(width="250px")),
            "length": widgets.SelectionSlider(options=(20, 30, 50, 75, 100), value=length,
                                              description="Length", continuous_update=False,
                                              layout=widgets.Layout(width="240px")),
            "first": widgets.IntSlider(value=0, min=0, max=length // 2 - 1,
                                       description="Marker 1 at", continuous_update=False,
                                       layout=widgets.Layout(width="250px")),
            "second": widgets.IntSlider(value=length // 2, min=length // 2, max=length - 1,
                                        description="Marker 2 at", continuous_update=False,
                                        layout=widgets.Layout(width="250px")),
        }
        self._place_markers(sequence, length)
        self.controls["sequence"].observe(self._new_sequence, names="value")
        self.controls["length"].observe(self._new_sequence, names="value")
        self.fig = figure(make_subplots(rows=5, cols=1, shared_xaxes=True, vertical_spacing=0.05,
                                        row_heights=[0.12, 0.22, 0.22, 0.22, 0.22],
                                        subplot_titles=("input: value (bars), marked steps (red)",)
                                        + PANELS),
                          height=640, margin=dict(l=60, r=30, t=95, b=50), showlegend=False)
        self.fig.add_bar(row=1, col=1, x=[], y=[], marker_color=[],
                         hovertemplate="step %{x}: value %{y:.3f}<extra></extra>")
        for row, panel in enumerate(PANELS, start=2):
            cell = panel.startswith("cell")
            domain = self.fig.layout[f"yaxis{row}"].domain        # the colour bar beside its panel
            self.fig.add_heatmap(row=row, col=1, z=[[0]], colorscale="RdBu" if cell else "Viridis",
                                 zmid=0 if cell else None, zmin=None if cell else 0,
                                 zmax=None if cell else 1, showscale=True,
                                 colorbar=dict(len=0.18, y=sum(domain) / 2, thickness=12),
                                 hovertemplate="step %{x}, unit #%{customdata}: %{z:.3f}<extra></extra>")
            self.fig.update_yaxes(row=row, col=1, title_text="unit", showticklabels=False,
                                  autorange="reversed")          # the memory units on top
        self.fig.update_yaxes(row=1, col=1, range=[0, 1], showticklabels=False)
        self.fig.update_xaxes(row=5, col=1, title_text="step t")
        super().__init__()

    def _place_markers(self, index: int, length: int) -> None:
        """Put the marker sliders where sequence `index` has its markers (without redrawing)."""
        marked = np.flatnonzero(sequence(index, length)[:, 1].numpy())
        first, second = self.controls["first"], self.controls["second"]
        first.max = length // 2 - 1
        second.min = 0                         # widen first, so that min never passes max
        second.max, second.min = length - 1, length // 2
        first.value, second.value = int(marked[0]), int(marked[1])

    def _new_sequence(self, _change) -> None:
        with self.quiet():
            self._place_markers(self.controls["sequence"].value, self.controls["length"].value)

    def state(self):
        """(x, gates, unit order, prediction, target) for the current controls."""
        import torch
        v = self.values
        x = sequence(v["sequence"], v["length"], v["first"], v["second"])
        gates = lstm_gates(self.lstm, x)
        marked = np.array([v["first"], v["second"]])
        with torch.no_grad():
            prediction = self.model(x[None]).item()
        target = float(x[marked, 0].sum())
        return x, gates, memory_order(gates, marked), prediction, target

    def update(self) -> None:
        x, gates, order, prediction, target = self.state()
        v = self.values
        T = len(x)
        steps = np.arange(T)
        with self.fig.batch_update():
            colors = np.where(x[:, 1].numpy() > 0, "#d62728", "#b0b0b0")
            self.fig.data[0].update(x=steps, y=x[:, 0].numpy(), marker_color=list(colors))
            for k, name in enumerate("ifoc", start=1):
                values = getattr(gates, name)[:, order].T           # (units, T), memory units first
                self.fig.data[k].update(z=values, x=steps, y=list(range(len(order))),
                                        customdata=np.repeat(order[:, None], T, axis=1))
            self.fig.layout.shapes = [   # the marked steps, one dotted line through all panels
                dict(type="line", xref="x", yref="paper", x0=t, x1=t, y0=0, y1=1,
                     line=dict(color="#d62728", width=1, dash="dot"))
                for t in (v["first"], v["second"])]
            self.fig.layout.title.text = (
                f"Sequence {v['sequence']}, length {T}: marked values {x[v['first'], 0]:.3f} + "
                f"{x[v['second'], 0]:.3f} = {target:.3f}, the LSTM says {prediction:.3f}"
                f"<br><sup>units sorted by how much of what they wrote at the markers is still in "
                f"their cell at the end (top: the memory units)</sup>")
        self.status.value = self._verdict(gates, order, v["first"], prediction, target)

    @staticmethod
    def _verdict(gates: Gates, order, first: int, prediction: float, target: float) -> str:
        unit = int(order[0])
        held = gates.f[first + 1:, unit]
        kept = float(np.prod(held)) if held.size else 1.0
        return (f"Top unit (#{unit}): forget gate between the first marker and the end "
                f"mean {held.mean():.3f}, min {held.min():.3f}; the product of its forget gates, "
                f"the share of the cell state written at step {first} still there at the end, is "
                f"{kept:.2f}. Error of the prediction: {prediction - target:+.3f}.")


GALLERY = {"GateExplorer": GateExplorer}
