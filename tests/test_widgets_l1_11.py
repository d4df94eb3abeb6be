"""L1.11's Playground: the model code against known answers and against autograd and torch.optim,
the arrays the browser draws, and every control, button and headless call of the widget driven
without a browser."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from dlcourse import playground_model as pm
from dlcourse.widgets.playground import (MAX_FPS, RES, WINDOW, Playground, dequantize, quantize,
                                         thin)


def sample_values(control) -> list:
    if hasattr(control, "options"):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    mid = control.min + (control.max - control.min) / 2
    return [control.min, round(mid) if isinstance(control.value, int) else mid, control.max]


# ---------------------------------------------------------------- the model


def test_features_by_hand():
    X = torch.tensor([[0.5, -1.0], [0.0, 0.25]])
    F = pm.features(X, list(pm.FEATURES))
    expected = [[0.5, -1.0, 0.25, 1.0, -0.5, 1.0, 0.0],
                [0.0, 0.25, 0.0, 0.0625, 0.0, 0.0, math.sin(math.pi / 4)]]
    assert torch.allclose(F, torch.tensor(expected), atol=1e-6)
    assert pm.features(X, ["x2"]).tolist() == [[-1.0], [0.25]]


def test_grid_is_row_major_with_x1_fastest():
    points, axis = pm.grid(5, extent=1.0)
    assert axis.tolist() == pytest.approx([-1, -0.5, 0, 0.5, 1])
    assert points[:5, 1].tolist() == [-1.0] * 5            # row 0: the bottom, x2 = -1
    assert points[:5, 0].tolist() == pytest.approx(axis.tolist())
    assert points[5 * 3 + 1].tolist() == pytest.approx([-0.5, 0.5])  # row 3, column 1


@pytest.mark.parametrize("n_in, hidden, expected", [(2, (), 3), (2, (4, 2), 25), (7, (8, 8), 145),
                                                     (3, (1,), 6)])
def test_parameter_count(n_in, hidden, expected):
    assert pm.n_parameters(n_in, hidden) == expected
    model = pm.MLP(n_in, hidden, "tanh", torch.Generator().manual_seed(0))
    assert sum(p.numel() for p in model.parameters()) == expected


def test_init_is_pytorchs_default_and_seeded():
    a = pm.MLP(2, (8, 8), "relu", torch.Generator().manual_seed(3))
    b = pm.MLP(2, (8, 8), "relu", torch.Generator().manual_seed(3))
    for la, lb in zip(a.linears, b.linears):
        assert torch.equal(la.weight, lb.weight) and torch.equal(la.bias, lb.bias)
        assert la.weight.abs().max() <= 1 / math.sqrt(la.in_features)


def test_layers_are_activations_of_linear_maps():
    model = pm.MLP(2, (3,), "tanh", torch.Generator().manual_seed(0))
    F = torch.randn(5, 2)
    hidden, out = model.layers(F)
    l0, l1 = model.linears
    assert torch.allclose(hidden, torch.tanh(F @ l0.weight.T + l0.bias))
    assert torch.allclose(out, hidden @ l1.weight.T + l1.bias)
    model.activation = "linear"
    assert torch.allclose(model.layers(F)[0], F @ l0.weight.T + l0.bias)


def test_penalty_by_hand():
    model = pm.MLP(2, (2,), "tanh", torch.Generator().manual_seed(0))
    w = [lin.weight for lin in model.linears]
    l1 = sum(x.abs().sum() for x in w).item()
    l2 = sum((x ** 2).sum() for x in w).item() / 2
    assert pm.penalty(model, "none", 1.0) == 0.0 and pm.penalty(model, "L2", 0.0) == 0.0
    assert pm.penalty(model, "L1", 0.1).item() == pytest.approx(0.1 * l1)
    assert pm.penalty(model, "L2", 0.1).item() == pytest.approx(0.1 * l2)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="at least one"):
        pm.Settings(features=())
    with pytest.raises(ValueError, match="unknown features"):
        pm.Settings(features=("x3",))
    with pytest.raises(ValueError, match="at most"):
        pm.Settings(hidden=(9,))
    with pytest.raises(ValueError, match="at most"):
        pm.Settings(hidden=(2,) * 7)
    with pytest.raises(ValueError, match="dataset"):
        pm.Settings(dataset="moons")
    with pytest.raises(ValueError, match="optimizer"):
        pm.Settings(optimizer="rmsprop")


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.9])
def test_split_sizes(ratio):
    X_tr, y_tr, X_te, y_te = pm.split(pm.Settings(train_ratio=ratio))
    assert len(X_tr) == round(ratio * pm.N_POINTS) and len(X_tr) + len(X_te) == pm.N_POINTS
    assert y_tr.shape == (len(X_tr), 1) and y_tr.dtype == torch.float32
    assert set(y_tr.flatten().tolist()) == {0.0, 1.0}


def test_a_run_reproduces_and_tune_keeps_the_weights():
    settings = pm.Settings(dataset="xor", hidden=(4,), lr=0.1)
    a, b = pm.Run(settings), pm.Run(settings)
    a.train(50, record_every=10)
    b.train(50, record_every=10)
    assert a.history.step == [0, 10, 20, 30, 40, 50]
    assert a.history.test_loss == b.history.test_loss
    before = [p.clone() for p in a.model.parameters()]
    a.tune(lr=0.3, optimizer="adam", batch_size=20, regularization="L1", reg_rate=0.01)
    assert all(torch.equal(p, q) for p, q in zip(before, a.model.parameters()))
    assert a.settings.optimizer == "adam" and a.settings.lr == 0.3 and a._adam_t == 0
    with pytest.raises(ValueError, match="mid-run"):
        a.tune(hidden=(2,))


def test_minibatches_cover_an_epoch_without_repeats():
    run = pm.Run(pm.Settings(train_ratio=0.1, batch_size=20))   # 100 training points
    seen = torch.cat([run._batch() for _ in range(5)])
    assert sorted(seen.tolist()) == list(range(100))
    run.tune(batch_size=10**6)                                   # larger than the data: all of it
    assert len(run._batch()) == 100


def test_regression_has_a_loss_not_an_accuracy():
    run = pm.Run(pm.Settings(dataset="multi_gauss"))
    assert run.loss("test") > 0 and run.y_train.dtype == torch.float32
    with pytest.raises(ValueError, match="regression"):
        run.accuracy()


def test_grids_hold_every_layer():
    run = pm.Run(pm.Settings(hidden=(3, 5)), res=10)
    grids = run.grids()
    assert [g.shape for g in grids] == [(100, 3), (100, 5), (100, 1)]
    assert ((grids[-1] >= 0) & (grids[-1] <= 1)).all()     # classification: P(class 1)


def test_feature_engineering_makes_the_circle_linear():
    plain = pm.Run(pm.Settings(dataset="circle", hidden=(), lr=0.3, batch_size=50))
    squares = pm.Run(pm.Settings(dataset="circle", hidden=(), lr=0.3, batch_size=50,
                                 features=("x1", "x2", "x1^2", "x2^2")))
    plain.train(300)
    squares.train(300)
    assert plain.accuracy() < 0.75 and squares.accuracy() > 0.97


def test_too_large_a_learning_rate_diverges():
    run = pm.Run(pm.Settings(dataset="plane", activation="linear", lr=10.0))
    run.train(100)
    assert run.diverged and math.isnan(run.loss())


# ---------------------------------------------------------------- the NumPy steps against PyTorch


def torch_run(settings: pm.Settings, steps: int) -> pm.MLP:
    """The same training with autograd and torch.optim: the model's initial weights and the
    minibatches come from a Run with the same settings."""
    run = pm.Run(settings)
    model = pm.MLP(len(settings.features), settings.hidden, settings.activation,
                   torch.Generator().manual_seed(settings.seed))
    opt = (torch.optim.Adam if settings.optimizer == "adam" else torch.optim.SGD)(
        model.parameters(), lr=settings.lr)
    for _ in range(steps):
        idx = run._batch()
        loss = pm.data_loss(model(run.F_train[idx]), run.y_train[idx], settings.regression)
        loss = loss + pm.penalty(model, settings.regularization, settings.reg_rate)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


@pytest.mark.parametrize("settings", [
    dict(),
    dict(activation="relu", optimizer="adam", regularization="L1", reg_rate=0.01),
    dict(dataset="multi_gauss", activation="sigmoid", hidden=(8, 8, 8), regularization="L2",
         reg_rate=0.03),
    dict(dataset="spiral", activation="linear", hidden=(), optimizer="adam", batch_size=1000,
         features=("x1", "x2", "x1^2", "sin(pi*x1)")),
], ids=["tanh-sgd", "relu-adam-L1", "sigmoid-regression-L2", "linear-no-hidden-adam"])
def test_numpy_steps_match_autograd_and_torch_optim(settings):
    s = pm.Settings(**settings)
    reference = torch_run(s, 150)
    run = pm.Run(s)
    run.train(150)
    for ours, theirs in zip(run.model.parameters(), reference.parameters()):
        assert torch.allclose(ours, theirs, atol=2e-5), (ours - theirs).abs().max()
    with torch.no_grad():   # the losses too, and the module still computes what the vector holds
        expected = pm.data_loss(reference(run.F_test), run.y_test, s.regression).item()
    assert run.loss("test") == pytest.approx(expected, abs=1e-5)


def test_the_module_is_a_view_of_the_trained_vector():
    run = pm.Run(pm.Settings(hidden=(3,)))
    run.train(10)
    first = run.model.linears[0]
    assert np.shares_memory(first.weight.detach().numpy(), run.theta)
    assert run.theta.size == pm.n_parameters(2, (3,))
    second = run.model.linears[1]
    assert np.array_equal(run.weights(), np.r_[first.weight.detach().numpy().ravel(),
                                               second.weight.detach().numpy().ravel()])
    with torch.no_grad():
        logits = run.model(run.F_test)
    right = ((logits > 0).float() == run.y_test).float().mean().item()
    assert run.accuracy() == pytest.approx(right)


def test_a_training_step_is_fast():
    """The playground's ▶ needs ~1,000 steps per second beside the drawing: CPU time per step
    of the default network, with room for a loaded machine."""
    import time
    run = pm.Run(pm.Settings())
    run.train(50)
    start = time.thread_time()
    run.train(500)
    assert (time.thread_time() - start) / 500 < 400e-6


# ---------------------------------------------------------------- what the browser gets


def test_quantize_spans_the_colour_scale():
    codes = quantize([-1.0, 0.0, 1.0, 5.0, -7.0, np.nan], -1, 1)
    assert codes.dtype == np.uint8 and codes.tolist() == [0, 128, 255, 255, 0, 128]
    assert quantize([0.0, 0.5, 1.0], 0, 1).tolist() == [0, 128, 255]
    values = np.linspace(-1, 1, 101)
    assert np.abs(dequantize(quantize(values, -1, 1), -1, 1) - values).max() <= 1 / 255 + 1e-9


def test_thin_keeps_the_ends():
    assert thin(range(5)).tolist() == [0, 1, 2, 3, 4]
    t = thin(range(1001), limit=100)
    assert len(t) <= 101 and t[0] == 0 and t[-1] == 1000 and np.all(np.diff(t) > 0)


def test_a_frame_is_compact_arrays():
    pg = Playground(hidden=(4, 2))
    pg.step(40)
    fig, run = pg.fig, pg.run
    heat = np.frombuffer(fig.heatmaps, np.uint8).reshape(-1, RES, RES)
    assert heat.shape[0] == 4 + 2 + 1                          # every hidden neuron, the output
    for j in range(4):
        assert np.array_equal(heat[j], quantize(pg.drawn_neuron(0, j), -1, 1))
    assert np.array_equal(heat[5], quantize(pg.drawn_neuron(1, 1), -1, 1))
    assert np.array_equal(heat[-1], quantize(pg.drawn_output(), 0, 1))
    weights = np.frombuffer(fig.weights, np.float32)
    assert weights.size == 2 * 4 + 4 * 2 + 2 and np.array_equal(weights, run.weights())
    curves = np.frombuffer(fig.curves, np.float32).reshape(3, -1)
    assert curves[0].tolist() == pg.history.step == [0, 25, 40]
    assert np.allclose(curves[2], pg.history.test_loss)
    points = np.frombuffer(fig.points, np.float32).reshape(-1, 4)
    assert len(points) == pm.N_POINTS and points[:, 3].sum() == len(run.X_test)
    assert np.array_equal(points[:len(run.X_train), :2], run.X_train.numpy())
    features = np.frombuffer(fig.feature_maps, np.uint8).reshape(len(pm.FEATURES), RES, RES)
    assert features[0, 0, -1] == 255 and features[0, 0, 0] == 0    # x1: left to right
    assert fig.spec["hidden"] == [4, 2] and [f[2] for f in fig.spec["features"]][:3] == [
        True, True, False]
    # a default network's frame, all of it, is a few kB
    assert len(fig.heatmaps) + len(fig.weights) + len(fig.curves) < 12_000


def test_the_drawn_heatmaps_are_the_activations_on_the_grid():
    pg = Playground(hidden=(3, 2))
    pg.step(20)
    points, _ = pm.grid(RES)
    l0, l1, l2 = pg.model.linears
    with torch.no_grad():
        h1 = torch.tanh(points @ l0.weight.T + l0.bias)
        h2 = torch.tanh(h1 @ l1.weight.T + l1.bias)
        p = torch.sigmoid(h2 @ l2.weight.T + l2.bias)
    for j in range(3):
        assert np.allclose(pg.drawn_neuron(0, j), h1[:, j].reshape(RES, RES), atol=1e-6)
    assert np.allclose(pg.drawn_neuron(1, 1), h2[:, 1].reshape(RES, RES), atol=1e-6)
    assert np.allclose(pg.drawn_output(), p.reshape(RES, RES), atol=1e-6)
    with pytest.raises(IndexError):
        pg.drawn_neuron(2, 0)
    with pytest.raises(IndexError):
        pg.drawn_neuron(1, 2)


# ---------------------------------------------------------------- the widget


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_play_trains_on_a_thread_paced_by_the_browser():
    pg = Playground(steps_per_tick=10)
    start = pg.fig.frame
    pg.fig.playing = True                         # what the browser's ▶ sets
    wait_for(lambda: pg.fig.frame - start >= WINDOW)
    time.sleep(0.3)                               # no browser has drawn any: it waits
    assert pg.fig.frame - start == WINDOW and pg.run.steps == 10 * WINDOW
    drawn = {"type": "drawn", "frame": pg.fig.frame, "fps": 30.0}
    pg._on_message(pg.fig, drawn, [])
    wait_for(lambda: pg.fig.frame - start > WINDOW)
    assert 30 < pg._fps < 45                      # a little more than the browser drew
    pg._on_message(pg.fig, {**drawn, "fps": 58.0}, [])
    assert pg._fps == MAX_FPS
    pg.controls["lr"].value = 0.1                 # the controls work while it plays
    pg.set(dataset="xor")
    assert pg.run.settings.dataset == "xor"
    pg.fig.playing = False
    pg._player.join(timeout=10)
    assert not pg._player.is_alive()
    steps, frame = pg.run.steps, pg.fig.frame
    time.sleep(0.2)
    assert pg.run.steps == steps and pg.fig.frame == frame and steps % 10 == 0
    pg._on_message(pg.fig, {"type": "step"}, [])  # the step button
    assert pg.run.steps == steps + 10 and pg.fig.frame == frame + 1
    pg._on_message(pg.fig, {"type": "reset"}, [])
    assert pg.run.steps == 0 and len(pg.history) == 1


def test_play_stops_when_training_diverges():
    pg = Playground(dataset="plane", activation="linear", lr=10.0, steps_per_tick=50)
    pg.fig.playing = True
    wait_for(lambda: not pg.fig.playing)
    assert pg.run.diverged and "Diverged" in pg.status.value


def test_a_frame_is_fast():
    """Kernel CPU time of one ▶ frame (25 steps and every array) of the default network."""
    import time
    pg = Playground()
    for _ in range(5):
        pg.tick()
    start = time.thread_time()
    for _ in range(50):
        pg.tick()
    assert (time.thread_time() - start) / 50 < 15e-3


def test_all_controls_in_turn_then_train():
    pg = Playground()
    for control in pg.controls.values():
        for value in sample_values(control):
            control.value = value
    assert pg.run.settings.hidden == (8,) * 6 and pg.run.settings.dataset == "multi_gauss"
    assert len(pg.fig.heatmaps) == (6 * 8 + 1) * RES * RES
    pg.set(lr=0.001, reg_rate=0.001)
    pg.step(3)
    assert pg.run.steps == 3 and math.isfinite(pg.test_loss())


def test_step_trains_and_records_every_tick():
    pg = Playground(dataset="xor", hidden=(4,), steps_per_tick=5)
    pg.step(12)
    assert pg.run.steps == 12 and pg.history.step == [0, 5, 10, 12]
    assert "step 12" in pg.title and pg.fig.stats["step"] == 12
    pg.step()
    assert pg.run.steps == 17
    ms = pg.tick()
    assert pg.run.steps == 22 and ms > 0 and list(pg.tick_ms)[-1] == ms
    assert len(np.frombuffer(pg.fig.curves, np.float32)) == 3 * len(pg.history)


def test_hidden_layers_show_and_hide():
    pg = Playground(hidden=(4, 2))
    pg.controls["layers"].value = 0
    assert pg.run.settings.hidden == () and pg.fig.spec["hidden"] == []
    assert len(pg.fig.heatmaps) == RES * RES
    assert pg.controls["neurons_1"].layout.display == "none"
    pg.controls["neurons_3"].value = 6           # a width for layer 3 adds layers 1 to 3
    assert pg.run.settings.hidden == (4, 2, 6) and pg.controls["layers"].value == 3
    assert pg.fig.spec["hidden"] == [4, 2, 6] and len(pg.fig.heatmaps) == 13 * RES * RES


def test_features_switch_and_the_last_one_stays():
    pg = Playground()
    pg.controls["x1^2"].value = True
    assert pg.run.settings.features == ("x1", "x2", "x1^2")
    assert pg.run.model.linears[0].in_features == 3 and len(pg.fig.weights) == 4 * (3 * 4 + 8 + 2)
    pg.controls["x1"].value = False
    pg.controls["x2"].value = False
    run = pg.run
    pg.controls["x1^2"].value = False            # none left: refused, the run stays
    assert pg.run is run and "at least one" in pg.status.value
    pg.controls["x1*x2"].value = True
    assert pg.run.settings.features == ("x1*x2",) and "at least one" not in pg.status.value


def test_training_settings_change_without_a_restart():
    pg = Playground()
    pg.step(30)
    run = pg.run
    pg.set(lr=0.3, optimizer="adam", regularization="L2", reg_rate=0.01, batch_size=50)
    assert pg.run is run and run.steps == 30
    assert run.settings.lr == 0.3 and run.settings.optimizer == "adam"
    assert "Adam, learning rate 0.3, batch 50 · regularization L2 (rate 0.01)" in pg.title
    pg.controls["batch_size"].value = pm.N_POINTS
    assert "batch all" in pg.title


def test_reset_starts_the_same_run_again():
    pg = Playground()
    first = [p.clone() for p in pg.model.parameters()]
    pg.step(50)
    pg.reset()
    assert pg.run.steps == 0 and len(pg.history) == 1
    assert all(torch.equal(p, q) for p, q in zip(first, pg.model.parameters()))


def test_seed_changes_data_and_weights():
    pg = Playground()
    X, w = pg.run.X_train.clone(), pg.model.linears[0].weight.clone()
    pg.controls["seed"].value = 1
    assert not torch.equal(X, pg.run.X_train) and not torch.equal(w, pg.model.linears[0].weight)
    pg.controls["seed"].value = 0
    assert torch.equal(X, pg.run.X_train)


def test_view_controls():
    pg = Playground(hidden=(4,))
    pg.step(100)
    pg.controls["discretize"].value = True
    assert set(np.unique(pg.drawn_output())) <= {0.0, 1.0}
    assert set(np.unique(np.frombuffer(pg.fig.heatmaps, np.uint8)[-RES * RES:])) <= {0, 255}
    pg.controls["show_test"].value = False
    assert pg.fig.spec["show_test"] is False
    pg.set(dataset="plane")                      # regression: the colours span −1 … 1
    assert pg.fig.spec["regression"] and pg.output_range == (-1.0, 1.0)
    assert set(np.unique(pg.drawn_output())) <= {-1.0, 1.0}
    assert "accuracy" not in pg.title


def test_divergence_is_reported_not_raised():
    pg = Playground(dataset="plane", activation="linear", lr=10.0)
    pg.step(100)
    assert pg.run.diverged and "Diverged" in pg.status.value and pg.fig.stats["diverged"]
    pg.step(10)                                  # nothing left to train, and no error
    pg.set(lr=0.01)
    pg.reset()
    assert not pg.run.diverged and "Diverged" not in pg.status.value


def test_set_rejects_unknown_names():
    pg = Playground()
    with pytest.raises(KeyError, match="no control"):
        pg.set(momentum=0.9)
    with pytest.raises(ValueError, match="unknown features"):
        pg.set(features=("x3",))
    pg.set(train_ratio=0.3)
    assert pg.controls["train_ratio"].value == 30 and len(pg.run.X_train) == 300


def test_it_learns_xor_with_a_hidden_layer():
    pg = Playground(dataset="xor", hidden=(4,), optimizer="adam", lr=0.03)
    pg.step(300)
    assert pg.test_accuracy() > 0.95 and pg.train_accuracy() > 0.95
    assert pg.history.test_loss[-1] < pg.history.test_loss[0] / 4
