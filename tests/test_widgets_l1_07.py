"""L1.07's LossExplorer: each loss and gradient against PyTorch, and every control driven headless."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.loss_explorer import (CLASSIFICATION, LOGITS, LOSSES, PREDICTIONS,
                                            REGRESSION, TOGGLE, LossExplorer, classification_loss,
                                            loss_curves, regression_loss)

TORCH_REGRESSION = {
    "MSE": lambda p, y, d: F.mse_loss(p, y, reduction="none"),
    "MAE": lambda p, y, d: F.l1_loss(p, y, reduction="none"),
    "Huber": lambda p, y, d: F.huber_loss(p, y, reduction="none", delta=d),
}


def _autograd(fn, x):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(x)
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name", REGRESSION)
@pytest.mark.parametrize("target, delta", [(0.0, 1.0), (1.3, 0.3), (-2.0, 2.5)])
def test_regression_losses_match_torch(name, target, delta):
    x = np.array([-3.7, -1.0, -0.2, 0.05, 0.9, 2.2, 4.0]) + 1e-3  # off the kinks
    curve = regression_loss(name, x, target, delta)
    y = torch.full((len(x),), target, dtype=torch.float64)
    loss, grad = _autograd(lambda p: TORCH_REGRESSION[name](p, y, delta), x)
    assert np.allclose(curve.loss, loss) and np.allclose(curve.grad, grad)


@pytest.mark.parametrize("label", [0.0, 0.3, 1.0])
def test_classification_losses_match_torch(label):
    z = np.array([-30.0, -6.0, -1.0, 0.0, 0.7, 5.0, 30.0])
    y = torch.full((len(z),), label, dtype=torch.float64)
    bce = classification_loss("BCE", z, label)
    loss, grad = _autograd(lambda s: F.binary_cross_entropy_with_logits(s, y, reduction="none"), z)
    assert np.allclose(bce.loss, loss) and np.allclose(bce.grad, grad)
    mse = classification_loss("MSE on σ(z)", z, label)
    loss, grad = _autograd(lambda s: (torch.sigmoid(s) - y) ** 2, z)
    assert np.allclose(mse.loss, loss) and np.allclose(mse.grad, grad)
    # CE over 10 classes: z is class 0's logit, the others are 0; soft target y, (1 − y)/9 each
    ce = classification_loss("CE, 10 classes", z, label)
    target = torch.full((len(z), 10), (1 - label) / 9, dtype=torch.float64)
    target[:, 0] = label

    def cross_entropy(s):
        logits = torch.cat([s[:, None], torch.zeros(len(z), 9, dtype=torch.float64)], dim=1)
        return F.cross_entropy(logits, target, reduction="none")
    loss, grad = _autograd(cross_entropy, z)
    assert np.allclose(ce.loss, loss) and np.allclose(ce.grad, grad)


def test_known_values():
    assert regression_loss("Huber", 3.0, 0.0, 1.0).loss == pytest.approx(2.5)
    assert regression_loss("MSE", 3.0, 1.0).grad == pytest.approx(4.0)
    bce = classification_loss("BCE", 0.0, 1.0)
    assert bce.loss == pytest.approx(np.log(2)) and bce.grad == pytest.approx(-0.5)
    # CE with 10 equal logits: −log(1/10)
    assert classification_loss("CE, 10 classes", 0.0, 1.0).loss == pytest.approx(np.log(10))


def test_huber_is_mse_near_zero_and_mae_far_away():
    small = regression_loss("Huber", 0.2, 0.0, 1.0)
    assert small.loss == pytest.approx(0.5 * 0.2 ** 2)
    far = regression_loss("Huber", [10.0, -10.0], 0.0, 1.0)
    assert far.grad.tolist() == [1.0, -1.0]


def test_mse_on_sigmoid_vanishes_when_confidently_wrong():
    bce = classification_loss("BCE", -10.0, 1.0).grad
    mse = classification_loss("MSE on σ(z)", -10.0, 1.0).grad
    assert bce == pytest.approx(-1.0, abs=1e-4) and abs(mse) < 1e-4


def test_no_overflow_at_the_ends():
    for name in CLASSIFICATION:
        curve = classification_loss(name, [-1000.0, 1000.0], 1.0)
        assert np.isfinite(curve.loss).all() and np.isfinite(curve.grad).all()


def test_unknown_names():
    with pytest.raises(ValueError):
        regression_loss("BCE", 0.0, 0.0)
    with pytest.raises(ValueError):
        classification_loss("MAE", 0.0, 1.0)
    with pytest.raises(ValueError):
        loss_curves(shown=("hinge",))


def test_loss_curves_selects():
    curves = loss_curves(0.5, 1.0, 1.0, ("MSE", "BCE"))
    assert set(curves) == {"MSE", "BCE"}
    assert np.array_equal(curves["MSE"].x, PREDICTIONS) and np.array_equal(curves["BCE"].x, LOGITS)


def test_toggles_show_and_hide_each_loss():
    explorer = LossExplorer()
    for loss in LOSSES:
        toggle = explorer.controls[TOGGLE[loss]]
        i = LOSSES.index(loss)
        for value in (False, True):
            toggle.value = value
            assert explorer.fig.data[2 * i].visible is value
            assert (len(explorer.fig.data[2 * i].x) > 0) is value
    for loss in LOSSES:  # everything off still draws (empty) without error
        explorer.controls[TOGGLE[loss]].value = False
    assert all(trace.visible is False for trace in explorer.fig.data)


def test_label_changes_only_the_classification_row():
    explorer = LossExplorer()
    top = [np.array(t.y) for t in explorer.fig.data[:6]]
    bottom = [np.array(t.y) for t in explorer.fig.data[6:]]
    explorer.controls["label"].value = 0.2
    assert all(np.array_equal(a, np.array(t.y)) for a, t in zip(top, explorer.fig.data[:6]))
    assert not any(np.array_equal(a, np.array(t.y)) for a, t in zip(bottom, explorer.fig.data[6:]))


def test_delta_changes_only_huber():
    explorer = LossExplorer()
    before = [np.array(t.y) for t in explorer.fig.data]
    explorer.controls["delta"].value = 2.0
    changed = [not np.array_equal(a, np.array(t.y)) for a, t in zip(before, explorer.fig.data)]
    huber = LOSSES.index("Huber")
    assert changed == [i // 2 == huber for i in range(len(changed))]
