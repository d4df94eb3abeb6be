"""L2.08's explorer: ResidualFlowExplorer. Its compute function against an independent forward and
backward pass, the lesson's claims about plain and residual nets, and what each control is meant
to do (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.residual_flow import (PROBE, STEPS, ResidualFlowExplorer, body_layers, build,
                                            decay, flow, task)


def test_plain_and_residual_nets_share_their_weights():
    plain, residual = build(16, False, False, "PyTorch default"), build(16, True, False, "PyTorch default")
    a, b = body_layers(plain), body_layers(residual)
    assert len(a) == len(b) == 16
    for m, n in zip(a, b):
        assert torch.equal(m.weight, n.weight)
    x = torch.randn(8, 16)
    assert not torch.allclose(plain(x), residual(x))      # the shortcut makes the difference


def test_a_residual_block_adds_its_input():
    model = build(2, True, False, "He")
    block = list(model)[1]
    x = torch.randn(5, 32)
    branch = block.fc2(torch.relu(block.fc1(x)))
    torch.testing.assert_close(block(x), torch.relu(branch + x))


def test_gradient_norms_match_an_independent_backward_pass():
    run = flow(8, True, True, "He", 0.1)
    X, y, X_probe, y_probe = task(0)
    model = build(8, True, True, "He")
    F.cross_entropy(model(X_probe), y_probe).backward()
    expected = [m.weight.grad.norm().item() for m in body_layers(model)]
    np.testing.assert_allclose(run.gradient_norm, expected, rtol=1e-4)
    assert X_probe.shape[0] == PROBE
    assert run.steps[0] == 0 and run.steps[-1] == STEPS
    assert run.losses[0] == pytest.approx(F.cross_entropy(model(X_probe), y_probe).item(), rel=1e-4)


def test_the_lesson_s_claims_hold():
    plain = flow(32, False, False, "PyTorch default", 0.1)
    residual = flow(32, True, False, "PyTorch default", 0.1)
    assert decay(plain.gradient_norm) < 1e-6          # the plain net's gradient vanishes on the way down
    assert decay(residual.gradient_norm) > 0.05        # the residual one arrives
    assert plain.losses[-1] > 1.3                      # ln 4 ≈ 1.39: the plain net learns nothing
    assert residual.losses[-1] < plain.losses[-1] - 0.4
    shallow = flow(4, False, False, "PyTorch default", 0.1)
    assert decay(shallow.gradient_norm) > 1e-3 > decay(plain.gradient_norm)   # it is depth
    bn_plain = flow(32, False, True, "PyTorch default", 0.1)
    assert decay(bn_plain.gradient_norm) > 10          # with BN the plain net's gradient grows instead
    he_plain = {depth: flow(depth, False, True, "He", 0.1) for depth in (4, 32)}   # He et al.'s setting
    assert he_plain[32].losses[-1] > he_plain[4].losses[-1] + 0.2   # the deeper plain net trains worse
    assert flow(32, True, True, "He", 0.1).losses[-1] < he_plain[32].losses[-1] - 0.3   # its twin does not
    he_residual = flow(32, True, False, "He", 0.1)
    assert not np.isfinite(he_residual.losses[-1]) or he_residual.losses[0] > 100   # the signal blows up


def test_explorer_controls():
    flow.cache_clear()
    start = time.perf_counter()
    w = ResidualFlowExplorer()
    assert time.perf_counter() - start < 20       # a few s here; generous for a loaded CI machine
    assert list(w.controls) == ["depth", "batch_norm", "init", "lr"]
    assert len(w.fig.data) == 4
    assert len(w.fig.data[0].x) == len(w.fig.data[1].x) == 32
    assert w.fig.data[2].y[-1] > w.fig.data[3].y[-1] + 0.3            # plain above residual
    assert "32 layers, with batch norm, He init" in w.fig.layout.title.text
    assert "plain" in w.status.value and "residual" in w.status.value
    w.controls["init"].value = "PyTorch default"
    w.controls["batch_norm"].value = False
    assert "no batch norm, PyTorch default init" in w.fig.layout.title.text
    assert w.fig.data[0].y[0] < 1e-6 * w.fig.data[0].y[-1]            # plain: vanished
    assert w.fig.data[1].y[0] > 0.05 * w.fig.data[1].y[-1]            # residual: arrives
    w.controls["depth"].value = 8
    assert len(w.fig.data[0].x) == 8 and "8 layers" in w.fig.layout.title.text
    w.controls["lr"].value = 0.03
    assert "lr 0.03" in w.fig.layout.title.text
    assert w.fig.data[2].x[-1] == STEPS
    assert w.fig.layout.width <= 900
