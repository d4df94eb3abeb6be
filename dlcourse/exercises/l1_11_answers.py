"""Answers to L1.11's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import torch

from . import computed


# q1 · feature engineering: the circle
@computed
def circle_features():
    return {"x1^2", "x2^2"}


@computed
def circle_features_linear():
    """A straight line: no circle."""
    return {"x1", "x2"}


@computed
def circle_features_x1_squared_only():
    """A pair of vertical lines x1 = ±c."""
    return {"x1^2"}


@computed
def circle_features_xor():
    """The xor feature: hyperbolas."""
    return {"x1*x2"}


@computed
def circle_features_not_the_smallest():
    return {"x1", "x2", "x1^2", "x2^2"}


# q2 · counting parameters
@computed
def parameter_count():
    return (4 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1)


@computed
def parameter_count_weights_only():
    return 4 * 6 + 6 * 3 + 3 * 1


@computed
def parameter_count_output_layer_forgotten():
    return (4 * 6 + 6) + (6 * 3 + 3)


@computed
def parameter_count_two_inputs():
    return (2 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1)


# q3 · the largest stable learning rate, from the data
@computed
def largest_stable_lr():
    from dlcourse import playground_model as pm
    X_train = pm.split(pm.Settings(dataset="plane", seed=0))[0].double()
    A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)  # x1, x2, 1
    H = 2 * A.T @ A / len(A)                  # the Hessian of the training MSE
    return 2 / torch.linalg.eigvalsh(H)[-1].item()


@computed
def largest_stable_lr_one_over_lambda():
    from dlcourse import playground_model as pm
    X_train = pm.split(pm.Settings(dataset="plane", seed=0))[0].double()
    A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)
    return 1 / torch.linalg.eigvalsh(2 * A.T @ A / len(A))[-1].item()


@computed
def largest_stable_lr_no_bias():
    from dlcourse import playground_model as pm
    X_train = pm.split(pm.Settings(dataset="plane", seed=0))[0].double()
    return 2 / torch.linalg.eigvalsh(2 * X_train.T @ X_train / len(X_train))[-1].item()


@computed
def largest_stable_lr_hessian_without_2():
    from dlcourse import playground_model as pm
    X_train = pm.split(pm.Settings(dataset="plane", seed=0))[0].double()
    A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)
    return 2 / torch.linalg.eigvalsh(A.T @ A / len(A))[-1].item()


@computed
def best_constant_lr():
    from dlcourse import playground_model as pm
    X_train = pm.split(pm.Settings(dataset="plane", seed=0))[0].double()
    A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)
    lam = torch.linalg.eigvalsh(2 * A.T @ A / len(A))
    return 2 / (lam[-1] + lam[0]).item()


# q4 · the feature map
def features(X, names):
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
               "sin(pi*x1)": torch.sin(math.pi * x1), "sin(pi*x2)": torch.sin(math.pi * x2)}
    return torch.stack([columns[name] for name in names], dim=1)      # (n, len(names))


def features_sin_without_pi(X, names):
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
               "sin(pi*x1)": torch.sin(x1), "sin(pi*x2)": torch.sin(x2)}
    return torch.stack([columns[name] for name in names], dim=1)


def features_in_a_fixed_order(X, names):
    """The switched-on features in the list's own order, not in the order of `names`."""
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
               "sin(pi*x1)": torch.sin(math.pi * x1), "sin(pi*x2)": torch.sin(math.pi * x2)}
    return torch.stack([column for name, column in columns.items() if name in names], dim=1)


def features_one_row_per_feature(X, names):
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
               "sin(pi*x1)": torch.sin(math.pi * x1), "sin(pi*x2)": torch.sin(math.pi * x2)}
    return torch.stack([columns[name] for name in names])
