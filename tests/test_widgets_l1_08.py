"""L1.08's optimizer race: the NumPy update rules against torch.optim step for step, the test
functions' gradients against autograd, the claims the lesson makes about the race, and every
control of the widget driven through its range."""
from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest
import torch

from dlcourse.widgets import optimizer_race as race_module
from dlcourse.widgets.optimizer_race import (FUNCTIONS, LR_SCALES, OPTIMIZERS, SETS,
                                             OptimizerRace, race, steps_to, trajectory)

TORCH = {  # each optimizer of the race as torch.optim builds it, with the race's settings
    "sgd": torch.optim.SGD,
    "momentum": partial(torch.optim.SGD, momentum=race_module.MOMENTUM),
    "nesterov": partial(torch.optim.SGD, momentum=race_module.MOMENTUM, nesterov=True),
    "adagrad": partial(torch.optim.Adagrad, eps=race_module.ADAGRAD_EPS),
    "rmsprop": partial(torch.optim.RMSprop, alpha=race_module.RMSPROP_ALPHA,
                       eps=race_module.RMSPROP_EPS),
    "adam": partial(torch.optim.Adam, betas=race_module.ADAM_BETAS, eps=race_module.ADAM_EPS),
}


def torch_path(function: str, optimizer: str, lr: float, steps: int, start) -> np.ndarray:
    """The same race run by torch.optim, with the gradient from autograd (not our formulas)."""
    fn = FUNCTIONS[function]
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = TORCH[optimizer]([theta], lr=lr)
    points = [theta.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        fn.f(theta[0], theta[1]).backward()
        opt.step()
        points.append(theta.detach().numpy().copy())
    return np.array(points)


def snapshot(explorer) -> str:
    return json.dumps(explorer.fig.to_plotly_json(), default=str, sort_keys=True)


def option_values(control) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


# ---------------------------------------------------------------- the compute functions


@pytest.mark.parametrize("function", list(FUNCTIONS))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_trajectory_matches_torch_optim_step_for_step(function, optimizer):
    fn = FUNCTIONS[function]
    run = trajectory(function, optimizer, fn.lrs[optimizer], 60)
    assert run.diverged_at is None, "the default learning rates must not diverge"
    expected = torch_path(function, optimizer, fn.lrs[optimizer], 60, fn.start)
    assert run.path.shape == (61, 2)
    np.testing.assert_allclose(run.path, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(run.gap, fn.f(expected[:, 0], expected[:, 1]) - fn.f_min,
                               rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_gradients_match_autograd(function):
    fn = FUNCTIONS[function]
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, y = rng.uniform(*fn.x_range), rng.uniform(*fn.y_range)
        xy = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
        fn.f(xy[0], xy[1]).backward()
        np.testing.assert_allclose(fn.grad(x, y), xy.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_minima_and_defaults(function):
    fn = FUNCTIONS[function]
    for mx, my in fn.minima:
        assert fn.f(mx, my) == pytest.approx(fn.f_min, abs=1e-12)
        assert np.allclose(fn.grad(mx, my), 0.0, atol=1e-12)
        assert fn.x_range[0] <= mx <= fn.x_range[1] and fn.y_range[0] <= my <= fn.y_range[1]
    assert fn.x_range[0] <= fn.start[0] <= fn.x_range[1]
    assert fn.y_range[0] <= fn.start[1] <= fn.y_range[1]
    assert set(fn.lrs) == set(OPTIMIZERS)
    xs, ys, z = race_module.contour_grid(function, n=31)
    assert z.shape == (31, 31) and np.all(np.isfinite(z)) and z.min() >= -1e-12


def test_rotated_ravine_is_the_ravine_turned():
    c, s = np.cos(np.radians(race_module.ANGLE)), np.sin(np.radians(race_module.ANGLE))
    rotated, ravine = FUNCTIONS["rotated"].f, FUNCTIONS["ravine"].f
    for u, v in [(1.0, 0.0), (0.3, -0.7), (-2.0, 0.5)]:  # (u, v) in the ravine's own axes
        assert rotated(c * u - s * v, s * u + c * v) == pytest.approx(ravine(u, v), rel=1e-12)
    eig = np.linalg.eigvalsh(race_module._ROT)
    assert eig == pytest.approx([1.0, race_module.KAPPA])


def test_divergence_is_caught_and_the_path_stays_finite():
    run = trajectory("rosenbrock", "sgd", 0.02, 200)  # 10 × the default: far past 2 / λ_max
    assert run.diverged_at is not None and run.diverged_at < 20
    assert len(run.path) == run.diverged_at and np.all(np.isfinite(run.path))
    assert np.all(np.isfinite(run.gap))


def test_steps_to():
    run = trajectory("ravine", "nesterov", FUNCTIONS["ravine"].lrs["nesterov"], 200)
    hit = steps_to(run, 1e-6)
    assert hit is not None and run.gap[hit] <= 1e-6 and np.all(run.gap[:hit] > 1e-6)
    assert steps_to(run, -1.0) is None


def test_the_races_the_lesson_describes():
    """What section 9 of the lesson tells the learner to look for, at the default settings."""
    ravine = race("ravine", OPTIMIZERS, steps=200)
    assert steps_to(ravine["momentum"], 1e-6) < 120 and steps_to(ravine["sgd"], 1e-6) is None
    rotated = race("rotated", OPTIMIZERS, steps=200)
    assert steps_to(rotated["nesterov"], 1e-6) < 120
    for name in ("adagrad", "rmsprop", "adam"):  # per-coordinate scaling no longer helps
        assert rotated[name].gap[-1] > 100 * rotated["nesterov"].gap[-1]
    saddle = race("saddle", OPTIMIZERS, steps=200)
    escaped = {name: steps_to(run, 0.25) for name, run in saddle.items()}  # f < saddle − 0.25
    assert escaped["adam"] < escaped["sgd"] and escaped["rmsprop"] < escaped["sgd"]
    closer = race("saddle", OPTIMIZERS, steps=200, start=(-1.8, 0.001))
    for name in ("adagrad", "rmsprop", "adam"):  # scale-free: a 10× smaller push, the same escape
        assert abs(steps_to(closer[name], 0.25) - escaped[name]) <= 2
    assert steps_to(closer["sgd"], 0.25) > escaped["sgd"] + 30
    on_ridge = race("saddle", OPTIMIZERS, steps=200, start=(-1.8, 0.0))
    for run in on_ridge.values():  # exactly on the ridge, nothing ever pushes y off 0
        assert np.all(run.path[:, 1] == 0.0) and run.gap.min() >= 0.5 - 1e-12  # stuck above f = 0
    rosenbrock = race("rosenbrock", OPTIMIZERS, steps=200)
    assert rosenbrock["momentum"].gap[-1] < rosenbrock["sgd"].gap[-1] / 10
    faster = race("rosenbrock", OPTIMIZERS, lr_scale=5.0, steps=200)
    for name in ("sgd", "momentum", "nesterov"):
        assert faster[name].diverged_at is not None and faster[name].diverged_at < 20
    for name in ("adagrad", "rmsprop", "adam"):
        assert faster[name].diverged_at is None and faster[name].gap[-1] < rosenbrock[name].gap[-1]
    for start in [(-1.0, 3.0), (0.5, -3.0)]:  # Beale's steep edges: huge gradients
        steep = race("beale", OPTIMIZERS, steps=200, start=start)
        assert all(steep[name].diverged_at is not None for name in ("sgd", "momentum", "nesterov"))
        assert all(steep[name].diverged_at is None for name in ("adagrad", "rmsprop", "adam"))
    assert all(run.diverged_at is None for run in race("beale", OPTIMIZERS, steps=200).values())


def test_unknown_optimizer():
    with pytest.raises(KeyError, match="unknown optimizer"):
        race_module.optimizer_step("lion", np.zeros(2), {}, 0.1, 1)


# ---------------------------------------------------------------- the widget


def test_lr_slider_moves_the_paths_and_the_legend():
    explorer = OptimizerRace()
    paths = [np.array(t.x) for t in explorer.fig.data[3:9]]
    explorer.controls["lr"].value = 2.0
    for trace, old, (name, (label, _)) in zip(explorer.fig.data[3:9], paths, OPTIMIZERS.items()):
        assert len(trace.x) != len(old) or not np.allclose(trace.x, old)
        assert f"lr {2 * FUNCTIONS['rosenbrock'].lrs[name]:.2g}" in trace.name
    explorer.controls["lr"].value = max(LR_SCALES)
    assert "diverged" in explorer.fig.data[3].name and "diverged" in explorer.status.value


def test_function_change_resets_the_start():
    explorer = OptimizerRace()
    for name, fn in FUNCTIONS.items():
        explorer.controls["function"].value = name
        assert (explorer.controls["x0"].value, explorer.controls["y0"].value) == fn.start
        assert fn.start[0] in option_values(explorer.controls["x0"])
        assert list(explorer.fig.layout.xaxis.range) == list(fn.x_range)
        assert tuple(explorer.fig.data[2].x) == (fn.start[0],)
        assert fn.label in explorer.fig.layout.title.text
    assert 0.001 not in option_values(explorer.controls["y0"])
    explorer.controls["function"].value = "saddle"
    assert {0.0, 0.001, 0.01} <= set(option_values(explorer.controls["y0"]))  # near the ridge


def test_optimizer_sets_show_exactly_their_traces():
    explorer = OptimizerRace()
    names = list(OPTIMIZERS)
    n = len(names)
    for label, shown in SETS.items():
        explorer.controls["optimizers"].value = label
        for k, name in enumerate(names):
            assert explorer.fig.data[3 + k].visible == (name in shown)
            assert explorer.fig.data[3 + n + k].visible == (name in shown)
        for name in names:
            assert (f"<b>{OPTIMIZERS[name][0]}</b>" in explorer.status.value) == (name in shown)


def test_steps_and_loss_panel():
    explorer = OptimizerRace(function="ravine", steps=50)
    loss_traces = explorer.fig.data[3 + len(OPTIMIZERS):]
    assert all(len(t.x) == 51 for t in loss_traces)
    assert all(min(t.y) >= race_module.FLOOR for t in loss_traces)
    explorer.controls["steps"].value = 300
    assert all(len(t.x) == 301 for t in loss_traces) and explorer.fig.layout.xaxis2.range[1] == 300
