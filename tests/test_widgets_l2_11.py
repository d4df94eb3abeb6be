"""L2.11's explorer: GateExplorer. The gates it shows against the LSTM equations evaluated here
on the model's own weights and against nn.LSTM's hidden and cell states, the shipped model
against the adding problem, and what each control does (the generic sweep over every control is
tests/test_widgets.py). Also the adding-problem generator it reads."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.data import adding_problem
from dlcourse.widgets.gates import (PANELS, GateExplorer, adding_lstm, default_model, lstm_gates,
                                    sequence)


def gates_by_hand(lstm, x):
    """i, f, o, c of a one-layer nn.LSTM over x (T, 2): the whole sequence's input projection at
    once, then the recurrence, written independently of the widget's loop."""
    H = lstm.hidden_size
    with torch.no_grad():
        xz = F.linear(x, lstm.weight_ih_l0, lstm.bias_ih_l0)            # (T, 4H)
        h, c, rows = torch.zeros(1, H), torch.zeros(1, H), []
        for t in range(len(x)):
            z = xz[t:t + 1] + F.linear(h, lstm.weight_hh_l0, lstm.bias_hh_l0)
            i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), \
                torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            rows.append(torch.cat([i, f, o, c, g]))
    i, f, o, c, g = torch.stack(rows, 1).numpy()                          # each (T, H)
    return {"i": i, "f": f, "o": o, "c": c, "g": g}


def test_adding_problem():
    X, y = adding_problem(500, length=40, seed=3)
    assert X.shape == (500, 40, 2) and y.shape == (500,) and X.dtype == torch.float32
    markers = X[:, :, 1]
    assert torch.equal(markers.sum(1), torch.full((500,), 2.0))
    assert torch.equal(markers[:, :20].sum(1), torch.ones(500))          # one marker per half
    assert torch.allclose(y, (X[:, :, 0] * markers).sum(1))
    assert X[:, :, 0].min() >= 0 and X[:, :, 0].max() <= 1
    X2, y2 = adding_problem(500, length=40, seed=3)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    rng = np.random.default_rng(0)
    assert not torch.equal(adding_problem(4, 10, rng)[0], adding_problem(4, 10, rng)[0])
    _, y_big = adding_problem(20_000, length=10, seed=0)
    assert F.mse_loss(torch.ones_like(y_big), y_big).item() == pytest.approx(1 / 6, abs=0.01)
    with pytest.raises(ValueError):
        adding_problem(3, length=1)


def test_gates_match_nn_lstm_and_the_equations():
    torch.manual_seed(1)
    model = adding_lstm(8)
    x = sequence(2, 30)
    gates = lstm_gates(model.lstm, x)
    with torch.no_grad():
        out, (h_n, c_n) = model.lstm(x[None])
    np.testing.assert_allclose(gates.h, out[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gates.c[-1], c_n[0, 0].numpy(), rtol=1e-5, atol=1e-6)
    by_hand = gates_by_hand(model.lstm, x)
    for name in "ifoc":
        np.testing.assert_allclose(getattr(gates, name), by_hand[name], rtol=1e-5, atol=1e-6)


def test_shown_heatmaps_are_the_chosen_sequence_s_gates():
    model, _ = default_model()
    w = GateExplorer(sequence=4)
    w.controls["first"].value = 7
    w.controls["second"].value = 33
    x = sequence(4, 50, 7, 33)
    assert np.flatnonzero(x[:, 1].numpy()).tolist() == [7, 33]
    np.testing.assert_allclose(w.fig.data[0].y, x[:, 0].numpy())
    by_hand = gates_by_hand(model.lstm, x)
    _, _, order, prediction, target = w.state()
    assert sorted(order.tolist()) == list(range(model.lstm.hidden_size))
    for k, name in enumerate("ifoc", start=1):
        shown = np.array(w.fig.data[k].z)
        assert shown.shape == (model.lstm.hidden_size, 50)
        np.testing.assert_allclose(shown, by_hand[name][:, order].T, rtol=1e-5, atol=1e-6)
    for name in "ifo":
        assert 0 < by_hand[name].min() and by_hand[name].max() < 1
    # the top unit is the one that keeps most of what it wrote at the markers
    kept = sum(np.abs(by_hand["i"][t] * by_hand["g"][t]) * by_hand["f"][t + 1:].prod(0) for t in (7, 33))
    assert order[0] == int(np.argmax(kept))
    assert target == pytest.approx(float(x[7, 0] + x[33, 0]), abs=1e-6)
    with torch.no_grad():
        assert prediction == pytest.approx(model(x[None]).item(), abs=1e-6)
    assert f"{target:.3f}" in w.fig.layout.title.text
    assert [s.x0 for s in w.fig.layout.shapes] == [7, 33]


def test_shipped_model_solves_the_adding_problem_and_holds_the_value():
    model, about = default_model()
    x, y = adding_problem(1_000, length=50, seed=99)
    with torch.no_grad():
        assert F.mse_loss(model(x), y).item() < 0.01
    w = GateExplorer()
    _, gates, order, prediction, target = w.state()
    first = w.controls["first"].value
    assert gates.f[first + 1:, order[0]].mean() > 0.9             # the forget gate holds the value
    others = np.delete(gates.i[:, order[0]], [first, w.controls["second"].value])
    assert gates.i[first, order[0]] > 0.5 > 0.1 > np.median(others)   # written at the marker only
    assert abs(prediction - target) < 0.2
    assert "validation MSE" in about


def test_explorer_controls():
    default_model.cache_clear()
    start = time.perf_counter()
    w = GateExplorer()
    assert time.perf_counter() - start < 10          # well under 1 s here; generous for a loaded CI machine
    assert list(w.controls) == ["sequence", "length", "first", "second"]
    assert len(w.fig.data) == 1 + len(PANELS) and w.fig.layout.width <= 900
    w.controls["sequence"].value = 5
    marked = np.flatnonzero(sequence(5, 50)[:, 1].numpy()).tolist()
    assert [w.controls["first"].value, w.controls["second"].value] == marked
    assert "Sequence 5" in w.fig.layout.title.text
    w.controls["length"].value = 100
    assert len(w.fig.data[0].x) == 100 and np.array(w.fig.data[1].z).shape[1] == 100
    assert w.controls["first"].max == 49 and w.controls["second"].min == 50
    assert w.controls["second"].max == 99
    w.controls["length"].value = 20
    assert w.controls["second"].max == 19 and w.controls["first"].max == 9
    assert "forget gate" in w.status.value
    with pytest.raises(ValueError):
        GateExplorer(model=torch.nn.Sequential(torch.nn.LSTM(3, 4)))
