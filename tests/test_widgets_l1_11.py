"""L1.11's Playground: the model code against known answers, the diagram's layout functions, and
every control, button and headless call of the widget driven without a browser."""
from __future__ import annotations

import json
import math

import ipywidgets as widgets
import numpy as np
import pytest
import torch

from dlcourse import playground_model as pm
from dlcourse.widgets.playground import (GAP, RES, ROW_STEP, Playground, column_sizes,
                                         column_tile, column_z, link_segments, rounded, thin,
                                         tile_origins)

SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider, widgets.IntRangeSlider)


def snapshot(pg: Playground) -> str:
    return json.dumps(pg.fig.to_plotly_json(), default=lambda a: np.asarray(a).tolist(),
                      sort_keys=True)


def sample_values(control) -> list:
    if hasattr(control, "options"):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    mid = control.min + (control.max - control.min) / 2
    return [control.min, round(mid) if isinstance(control.value, int) else mid, control.max]


@pytest.fixture(scope="module")
def pg() -> Playground:
    return Playground()


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
    assert isinstance(a.optimizer, torch.optim.Adam) and a.optimizer.param_groups[0]["lr"] == 0.3
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


# ---------------------------------------------------------------- layout


def test_columns_are_centred_tiles():
    assert column_sizes((4, 2)) == [7, 4, 2, 1]
    origins = tile_origins((4, 2))
    assert [len(c) for c in origins] == [7, 4, 2, 1]
    for column in origins:
        centres = [y + 0.5 for _, y in column]
        assert sum(centres) == pytest.approx(0, abs=1e-9)          # centred on y = 0
        assert np.allclose(np.diff(centres), -ROW_STEP)            # top to bottom
    assert origins[3] == [(3 * origins[1][0][0], -0.5)]


def test_links_one_per_weight_grouped_by_sign_and_width():
    weights = [np.array([[0.1, -2.0], [0.5, 0.0]]), np.array([[-0.4, 5.0]])]
    groups = link_segments(weights, (2,), sources=[0, 3])
    assert groups.keys() == {(1, 0), (0, 2), (1, 1), (0, 1), (1, 2)}
    assert sum(len(xs) for xs, _ in groups.values()) == 3 * 6      # 6 weights, 3 entries each
    xs, ys = groups[(0, 2)]                                        # the -2.0: feature 3 → neuron 0
    origins = tile_origins((2,))
    assert xs[:2].tolist() == [origins[0][3][0] + 1, origins[1][0][0]]
    assert ys[:2].tolist() == [origins[0][3][1] + 0.5, origins[1][0][1] + 0.5]
    assert np.isnan(xs[2]) and np.isnan(ys[2])
    assert link_segments([np.array([[np.nan, 1.0]])], (), [0, 1]).keys() == {(1, 1)}


def test_a_column_of_tiles_is_one_heatmap_with_gaps():
    rng = np.random.default_rng(0)
    top, bottom = rng.normal(size=RES * RES), rng.normal(size=RES * RES)
    z = column_z([top, None, bottom])
    assert z.shape == (3 * RES + 2 * GAP, RES) and z.dtype == np.float64
    assert np.allclose(z[:RES], bottom.reshape(RES, RES), atol=1e-6)   # row 0 is the bottom
    assert np.allclose(z[-RES:], top.reshape(RES, RES), atol=1e-6)
    assert (z[RES:RES + GAP] == 0).all() and (column_tile(z, 1) == 0).all()   # drawn white
    assert np.allclose(column_tile(z, 0), top.reshape(RES, RES), atol=1e-6)
    # the tiles' cells fall exactly on the diagram's tiles, ROW_STEP apart
    assert (RES + GAP) / RES == pytest.approx(ROW_STEP)


def test_values_are_rounded_for_the_browser():
    z = rounded(np.array([1 / 3, -2 / 3], dtype=np.float32))
    assert z.dtype == np.float64 and z.tolist() == [0.333333, -0.666667]


def test_thin_keeps_the_ends():
    assert thin(range(5)).tolist() == [0, 1, 2, 3, 4]
    t = thin(range(1001), limit=100)
    assert len(t) <= 101 and t[0] == 0 and t[-1] == 1000 and np.all(np.diff(t) > 0)


# ---------------------------------------------------------------- the widget


def test_all_controls_in_turn_then_train():
    pg = Playground()
    for control in pg.controls.values():
        for value in sample_values(control):
            control.value = value
    assert pg.run.settings.hidden == (8,) * 6 and pg.run.settings.dataset == "multi_gauss"
    pg.set(lr=0.001, reg_rate=0.001)
    pg.step(3)
    assert pg.run.steps == 3 and math.isfinite(pg.test_loss())


def test_step_trains_and_records_every_tick():
    pg = Playground(dataset="xor", hidden=(4,), steps_per_tick=5)
    pg.step(12)
    assert pg.run.steps == 12 and pg.history.step == [0, 5, 10, 12]
    assert "step 12" in pg.fig.layout.title.text
    pg.step()
    assert pg.run.steps == 17
    ms = pg.tick()
    assert pg.run.steps == 22 and ms > 0 and list(pg.tick_ms)[-1] == ms
    assert len(pg.fig.data[pg._trace["loss_test"]].x) == len(pg.history)


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


def test_hidden_layers_show_and_hide():
    pg = Playground(hidden=(4, 2))
    layers = [pg.fig.data[i] for i in pg._layer_traces]
    assert [t.visible for t in layers] == [True, True] + [False] * 4
    pg.controls["layers"].value = 0
    assert not any(t.visible for t in layers) and pg.run.settings.hidden == ()
    assert pg.controls["neurons_1"].layout.display == "none"
    pg.controls["neurons_3"].value = 6           # a width for layer 3 adds layers 1 to 3
    assert pg.run.settings.hidden == (4, 2, 6) and pg.controls["layers"].value == 3
    assert np.asarray(layers[2].z).shape == (6 * RES + 5 * GAP, RES) and layers[2].visible


def test_features_switch_and_the_last_one_stays():
    pg = Playground()
    pg.controls["x1^2"].value = True
    assert pg.run.settings.features == ("x1", "x2", "x1^2")
    assert pg.run.model.linears[0].in_features == 3
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
    assert run.settings.lr == 0.3 and isinstance(run.optimizer, torch.optim.Adam)
    assert "Adam, learning rate 0.3, batch 50 · regularization L2 (rate 0.01)" in \
        pg.fig.layout.title.text
    pg.controls["batch_size"].value = pm.N_POINTS
    assert "batch all" in pg.fig.layout.title.text


def test_reset_starts_the_same_run_again():
    pg = Playground()
    first = [p.clone() for p in pg.model.parameters()]
    pg.step(50)
    pg.reset()
    assert pg.run.steps == 0 and len(pg.history) == 1
    assert all(torch.equal(p, q) for p, q in zip(first, pg.model.parameters()))
    pg.reset_button.click()
    pg.step_button.click()
    assert pg.run.steps == pg.values["steps_per_tick"]


def test_play_ticks_only_while_playing():
    pg = Playground(steps_per_tick=10)
    pg.play.value += 1                           # paused: a stray tick does nothing
    assert pg.run.steps == 0
    pg.play.playing = True
    pg.play.value += 1
    assert pg.run.steps == 10
    pg.play.value += 1                           # arrived right after the last tick: dropped
    assert pg.run.steps == 10
    pg._last_tick_end = 0.0
    pg.play.value += 1
    assert pg.run.steps == 20
    pg.play.playing = False


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
    pg.controls["show_test"].value = False
    assert pg.fig.data[pg._trace["test"]].visible is False
    pg.set(dataset="plane")                      # regression: the colours span −1 … 1
    assert pg.fig.data[pg._trace["output"]].zmin == -1
    assert set(np.unique(pg.drawn_output())) <= {-1.0, 1.0}
    assert "accuracy" not in pg.fig.layout.title.text


def test_divergence_is_reported_not_raised():
    pg = Playground(dataset="plane", activation="linear", lr=10.0)
    pg.step(100)
    assert pg.run.diverged and "Diverged" in pg.status.value
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
