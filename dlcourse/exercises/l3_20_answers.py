"""Answers to L3.20's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · a Hessian-vector product by double backpropagation
def hvp(f, x, v):
    import torch
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv


def hvp_gradient(f, x, v):
    """Returns the gradient ∇f(x): forgets the second backward pass."""
    import torch
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x)
    return g


def hvp_gradient_times_v(f, x, v):
    """Multiplies the gradient by v elementwise: a first-order quantity, not H v."""
    return hvp_gradient(f, x, v) * v


def hvp_outer(f, x, v):
    """(∇f · v) ∇f: the Gauss–Newton-like outer product of gradients, not the Hessian."""
    g = hvp_gradient(f, x, v)
    return (g * v).sum() * g


# q2 · the minimum-norm least-squares solution
def min_norm_solution(X, y):
    import torch
    return torch.linalg.pinv(X) @ y


def min_norm_ridge(X, y):
    """Ridge with λ = 1: (XᵀX + I)⁻¹ Xᵀ y, a shrunk solution, not the interpolating one."""
    import torch
    return torch.linalg.solve(X.T @ X + torch.eye(X.shape[1], dtype=X.dtype), X.T @ y)


def min_norm_wide_formula(X, y):
    """Xᵀ (X Xᵀ)⁻¹ y: right for a wide X of full row rank, wrong when X is tall or rank deficient."""
    import torch
    return X.T @ torch.linalg.solve(X @ X.T, y)


def min_norm_transpose(X, y):
    """Uses Xᵀ in place of the pseudo-inverse: a gradient step, not the solution."""
    return X.T @ y


# q3 · how many training labels stay right when a share of them is replaced at random
@computed
def labels_still_right():
    return (1 - 0.6) + 0.6 / 10


@computed
def labels_still_right_forgot_lucky():
    return 1 - 0.6


@computed
def labels_still_right_lucky_only():
    return 0.6 / 10


# q4 · what is true of generalization in deep networks
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_capacity():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_more_is_worse():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_min_norm():
    return {"a", "c"}
