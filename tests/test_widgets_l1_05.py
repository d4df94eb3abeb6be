"""L1.05's DecisionBoundary explorer: the training it runs, and every control driven headless."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse.widgets.decision_boundary import (DATASETS, FEATURES, MODELS,
                                                DecisionBoundary, decision_boundary, features,
                                                train_logistic, train_perceptron)


def _snapshot(explorer) -> str:
    return explorer.fig.to_json()


def test_features_are_the_named_columns():
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    assert features(X, "x1, x2").tolist() == X.tolist()
    assert features(X, "x1, x2, x1·x2")[:, 2].tolist() == [6.0, -0.5]
    assert features(X, "x1, x2, x1², x2²")[:, 2:].tolist() == [[4.0, 9.0], [1.0, 0.25]]
    assert features(X, "x1, x2, x1·x2, x1², x2²").shape == (2, 5)
    with pytest.raises(ValueError, match="unknown features"):
        features(X, "x3")


def test_logistic_gradient_descent_matches_autograd():
    """Our hand-written BCE gradient steps equal torch's SGD on BCEWithLogitsLoss."""
    rng = np.random.default_rng(0)
    Phi, y = rng.normal(size=(30, 3)), (rng.random(30) > 0.5).astype(np.int64)
    w, b, acc, loss = train_logistic(Phi, y, steps=5, lr=0.7)
    model = torch.nn.Linear(3, 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight), torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.7)
    X_t, y_t = torch.from_numpy(Phi), torch.from_numpy(y).double()
    for step in range(5):
        value = torch.nn.functional.binary_cross_entropy_with_logits(model(X_t).squeeze(1), y_t)
        assert loss[step] == pytest.approx(value.item(), rel=1e-10)
        opt.zero_grad()
        value.backward()
        opt.step()
    assert np.allclose(w, model.weight.detach().numpy()[0]) and b == pytest.approx(model.bias.item())
    assert len(acc) == len(loss) == 6 and loss[0] == pytest.approx(np.log(2))


def test_perceptron_rule_by_hand():
    Phi = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1, 0])
    # point 0: score 0 ≤ 0 → w = (1, 0), b = 1; point 1: score 0 + 1 = 1 > 0 for t = −1 → update
    w, b, acc, mistakes = train_perceptron(Phi, y, epochs=1, lr=1.0)
    assert w.tolist() == [1.0, -1.0] and b == 0.0
    assert mistakes[1] == 1.0 and mistakes[0] is None


def test_perceptron_converges_on_separable_data_and_not_on_xor():
    sep = decision_boundary("gauss", "perceptron", steps=50)
    assert sep.converged_at is not None and sep.accuracy[-1] == 1.0 and sep.correct.all()
    xor = decision_boundary("xor", "perceptron", steps=50)
    assert xor.converged_at is None and max(xor.accuracy) < 0.8


def test_the_product_feature_solves_xor():
    plain = decision_boundary("xor", "logistic regression", "x1, x2", steps=300, lr=3.0,
                              noise=0.05)
    product = decision_boundary("xor", "logistic regression", "x1, x2, x1·x2", steps=300, lr=3.0,
                                noise=0.05)
    assert plain.accuracy[-1] < 0.75 and product.accuracy[-1] > 0.95


def test_perceptron_boundary_does_not_depend_on_the_learning_rate():
    a = decision_boundary("moons", "perceptron", steps=10, lr=0.01)
    b = decision_boundary("moons", "perceptron", steps=10, lr=10.0)
    assert np.array_equal(a.prob, b.prob) and np.allclose(a.w * 1000, b.w)


def test_result_shapes():
    r = decision_boundary("spiral", steps=7, grid=21)
    assert r.prob.shape == (21, 21) and r.xs.shape == (21,)
    assert r.X.shape == (200, 2) and len(r.accuracy) == len(r.curve) == 8
    assert ((0 <= r.prob) & (r.prob <= 1)).all()
    assert r.xs[0] <= r.X.min() and r.xs[-1] >= r.X.max()


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="unknown model"):
        decision_boundary(model="svm")


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("model", MODELS)
def test_every_dataset_and_model_draws(dataset, model):
    explorer = DecisionBoundary(dataset=dataset, model=model, steps=5)
    heat = explorer.fig.data[0]
    assert np.array(heat.z).shape == (len(heat.x), len(heat.y))
    points = len(explorer.fig.data[2].x) + len(explorer.fig.data[3].x)
    assert points == 200
    assert model.capitalize() in explorer.fig.layout.title.text
    assert ("mistakes" in explorer.fig.data[6].name) == (model == "perceptron")


def test_noise_and_lr_change_the_figure():
    explorer = DecisionBoundary(dataset="moons", steps=30)
    before = _snapshot(explorer)
    explorer.controls["noise"].value = 0.4
    assert _snapshot(explorer) != before
    before = _snapshot(explorer)
    explorer.controls["lr"].value = 0.05
    assert _snapshot(explorer) != before


def test_all_feature_sets_listed():
    assert list(FEATURES)[0] == "x1, x2" and len(FEATURES) == 4


def test_an_unlisted_learning_rate_is_added_to_the_slider():
    explorer = DecisionBoundary(lr=0.3, steps=3)
    assert explorer.controls["lr"].value == 0.3 and 0.3 in explorer.controls["lr"].options
