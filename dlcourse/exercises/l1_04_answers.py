"""Answers to L1.04's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · the gradient of the MSE of a linear layer with k outputs
def linear_mse_grad(X, Y, W, b):
    R = X @ W + b - Y                      # residuals, (n, k)
    n = len(X)
    return 2 * X.T @ R / n, 2 * R.sum(dim=0) / n      # (d, k) and (k,)


def linear_mse_grad_divided_by_k(X, Y, W, b):
    """Averaged over the outputs too, as F.mse_loss would."""
    R = X @ W + b - Y
    return 2 * X.T @ R / R.numel(), 2 * R.sum(dim=0) / R.numel()


def linear_mse_grad_transposed(X, Y, W, b):
    """Rᵀ X: shape (k, d), not W's (d, k)."""
    R = X @ W + b - Y
    return 2 * R.T @ X / len(X), 2 * R.sum(dim=0) / len(X)


def linear_mse_grad_one_bias_gradient(X, Y, W, b):
    """Section 2's scalar ∂L/∂b: one number for k biases."""
    R = X @ W + b - Y
    return 2 * X.T @ R / len(X), 2 * R.mean()


def linear_mse_grad_residual_flipped(X, Y, W, b):
    R = Y - (X @ W + b)
    return 2 * X.T @ R / len(X), 2 * R.sum(dim=0) / len(X)


def linear_mse_grad_bias_summed_over_outputs(X, Y, W, b):
    """Each row's residuals summed: shape (n,), not (k,)."""
    R = X @ W + b - Y
    return 2 * X.T @ R / len(X), 2 * R.sum(dim=1) / len(X)


# q2 · the normal equations
@computed
def normal_equations():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return torch.linalg.solve(A.T @ A, A.T @ y)


@computed
def normal_equations_no_bias():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    return torch.linalg.solve(X.T @ X, X.T @ y)


@computed
def normal_equations_not_solved():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return A.T @ y / len(y)


@computed
def normal_equations_bias_first():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([torch.ones(len(y), 1, dtype=X.dtype), X], dim=1)
    return torch.linalg.solve(A.T @ A, A.T @ y)


@computed
def normal_equations_fitted_apart():
    """The weights without a bias, then the mean of y as the bias."""
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    return torch.cat([torch.linalg.solve(X.T @ X, X.T @ y), y.mean()[None]])


# q3 · the largest stable learning rate
@computed
def largest_stable_lr():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    H = 2 * A.T @ A / len(y)
    return 2 / torch.linalg.eigvalsh(H).max().item()


@computed
def largest_stable_lr_hessian_without_2():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return 2 / torch.linalg.eigvalsh(A.T @ A / len(y)).max().item()


@computed
def largest_stable_lr_smallest_eigenvalue():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return 2 / torch.linalg.eigvalsh(2 * A.T @ A / len(y)).min().item()


@computed
def largest_stable_lr_one_over_lambda():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return 1 / torch.linalg.eigvalsh(2 * A.T @ A / len(y)).max().item()


@computed
def largest_stable_lr_bias_forgotten():
    from dlcourse.exercises import l1_04 as ex
    X, y, _, _ = ex.problem()
    return 2 / torch.linalg.eigvalsh(2 * X.T @ X / len(y)).max().item()


# q4 · one minibatch SGD step
@computed
def sgd_step():
    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    idx, lr = ex.batch()
    Xb, yb = X[idx], y[idx]
    r = Xb @ w + b - yb
    return (w - lr * 2 * Xb.T @ r / len(idx), b - lr * 2 * r.mean())


@computed
def sgd_step_uphill():
    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    idx, lr = ex.batch()
    Xb, yb = X[idx], y[idx]
    r = Xb @ w + b - yb
    return (w + lr * 2 * Xb.T @ r / len(idx), b + lr * 2 * r.mean())


@computed
def sgd_step_full_batch():
    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    _, lr = ex.batch()
    r = X @ w + b - y
    return (w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean())


@computed
def sgd_step_sum_over_batch():
    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    idx, lr = ex.batch()
    Xb, yb = X[idx], y[idx]
    r = Xb @ w + b - yb
    return (w - lr * 2 * Xb.T @ r, b - lr * 2 * r.sum())


@computed
def sgd_step_b_never_moves():
    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    idx, lr = ex.batch()
    Xb, yb = X[idx], y[idx]
    r = Xb @ w + b - yb
    return (w - lr * 2 * Xb.T @ r / len(idx), b)
