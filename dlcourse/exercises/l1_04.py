"""Exercises of L1.04 · Linear regression & gradient descent (线性回归与梯度下降).

    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    ex.q2.check(answer); ex.q2.hint(); ex.q2.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_04_answers as answers
from .kinds import number, write_function


def problem():
    """The data of the exercises: X (20, 3), y (20,), and a current guess w (3,), b (scalar),
    all float64 and always the same."""
    import torch
    g = torch.Generator().manual_seed(104)
    X = torch.randn(20, 3, generator=g, dtype=torch.float64)
    X[:, 2] += 2.0
    y = X @ torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64) + 3.0 \
        + 0.3 * torch.randn(20, generator=g, dtype=torch.float64)
    w = torch.tensor([0.2, 0.1, -0.3], dtype=torch.float64)
    b = torch.tensor(0.5, dtype=torch.float64)
    return X, y, w, b


def batch():
    """The minibatch of q4: indices into problem()'s 20 examples, and the learning rate."""
    import torch
    return torch.tensor([3, 17, 8, 11, 0]), 0.1


def _weights_and_bias(answer, names: tuple[str, str]):
    """A pair (a tensor of 3 weights, one number for the bias) as float64 tensors."""
    import torch
    w, b = check.as_pair(answer, ", ".join(names))
    w = check.as_tensor(w, names[0], shape=(3,)).double()
    return w, torch.tensor(check.as_number(b, names[1]), dtype=torch.float64)


def _autograd_grads(X, y, w, b):
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    ((X @ w + b - y) ** 2).mean().backward()
    return w.grad, b.grad


def _with_bias_column(X):
    import torch
    return torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)


# ---------------------------------------------------------------------------------------------
# q1 · the gradient of the MSE of a linear layer with k outputs
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(41)
    rand = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    cases = {}
    for label, (n, d, k) in {"n = 20 examples, d = 3 features, k = 2 outputs": (20, 3, 2),
                             "n = 7, d = 4, k = 4 (W is square)": (7, 4, 4),
                             "n = 12 examples, d = 1 feature, k = 3 outputs": (12, 1, 3),
                             "a single example, n = 1, d = 3, k = 5": (1, 3, 5)}.items():
        cases[label] = (rand(n, d), rand(n, k), rand(d, k), rand(k))
    return cases


def _linear_mse_grad_reference(X, Y, W, b):
    W = W.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    ((X @ W + b - Y) ** 2).sum(dim=1).mean().backward()
    return W.grad, b.grad


def _q1_diagnose(got, expected, args):
    import torch
    X, Y, W, b = args
    parts = check.as_tuple(got, 2)
    for name, g, e in zip(("grad_W", "grad_b"), parts, expected):
        g = check.as_array(g)
        if g.shape != e.shape:
            return (f"{name} has shape {tuple(g.shape)}: a gradient has the shape of its "
                    f"parameter, {tuple(e.shape)}")
    gW, gb = (check.as_array(g) for g in parts)
    k = Y.shape[1]
    if k > 1 and torch.allclose(gW * k, expected[0], atol=1e-9):
        return (f"{k} times too small: L averages over the n examples only, and sums over "
                "the k outputs of each (it is not F.mse_loss, which also divides by k)")
    if torch.allclose(gW, -expected[0], atol=1e-9):
        return "the sign is flipped: the residual is prediction − target, XW + b − Y"
    return None


q1 = write_function(
    "linear_mse_grad(X, Y, W, b)", _linear_mse_grad_reference, _q1_cases, rtol=1e-9,
    atol=1e-12, parts=("grad_W", "grad_b"), diagnose=_q1_diagnose,
    name="Q1 · the gradient for k outputs",
    hint_text=("The residuals R = X @ W + b - Y have shape (n, k): column j is section 2's r for "
               "output j, and output j has its own weights W[:, j] and bias b[j]. So column j of "
               "∇_W L is (2/n) Xᵀ R[:, j]: all at once, (2/n) Xᵀ R, shape (d, k). ∂L/∂b_j is "
               "(2/n) Σ_i R[i, j]: R's column sums, times 2/n."),
    right_answer=answers.linear_mse_grad,
    wrong_answers=[answers.linear_mse_grad_divided_by_k, answers.linear_mse_grad_transposed,
                   answers.linear_mse_grad_one_bias_gradient,
                   answers.linear_mse_grad_residual_flipped,
                   answers.linear_mse_grad_bias_summed_over_outputs],
)


# ---------------------------------------------------------------------------------------------
# q2 · the normal equations
# ---------------------------------------------------------------------------------------------
def _q2_expected():
    import torch
    X, y, _, _ = problem()
    return torch.linalg.lstsq(_with_bias_column(X), y.unsqueeze(1)).solution.squeeze(1)


def _check_q2(answer):
    theta = check.as_tensor(answer, "w₁, w₂, w₃, b").reshape(-1)
    if theta.numel() == 3:
        raise CheckFailed("3 numbers: the bias is missing. Append a column of ones to X, "
                          "so that b is the weight of a constant feature")
    check.shape(theta, (4,), name="θ = (w₁, w₂, w₃, b)")
    check.close(theta, _q2_expected(), name="θ", rtol=1e-6, atol=1e-8)


q2 = Exercise(
    name="Q2 · the normal equations",
    checker=_check_q2,
    hint_text=("Build X̃ = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], dim=1), then solve "
               "X̃ᵀX̃ θ = X̃ᵀ y with torch.linalg.solve (or call torch.linalg.lstsq(X̃, y[:, None])). "
               "The answer holds 4 numbers: w₁, w₂, w₃ and, last, b."),
    right_answer=answers.normal_equations,
    wrong_answers=[answers.normal_equations_no_bias, answers.normal_equations_not_solved,
                   answers.normal_equations_bias_first, answers.normal_equations_fitted_apart],
)


# ---------------------------------------------------------------------------------------------
# q3 · the largest stable learning rate
# ---------------------------------------------------------------------------------------------
def _q3_expected() -> float:
    import torch
    X, y, _, _ = problem()
    A = _with_bias_column(X)
    return 2 / torch.linalg.eigvalsh(2 * A.T @ A / len(y)).max().item()


q3 = number(
    _q3_expected, what="the largest stable learning rate", rtol=1e-6,
    mistakes=lambda: {2 * _q3_expected(): "twice too large: the Hessian of the MSE is 2/n · X̃ᵀX̃ "
                                          "(the 2 from the square), not X̃ᵀX̃/n"},
    name="Q3 · the largest stable learning rate",
    hint_text=("The Hessian of the MSE in θ = (w, b) is H = (2/n) X̃ᵀX̃, with X̃ = X plus a column "
               "of ones. Gradient descent multiplies the error along each eigenvector by "
               "(1 − lr·λ): it stays below 1 in size for every λ when lr < 2/λ_max. "
               "torch.linalg.eigvalsh gives the eigenvalues of a symmetric matrix, smallest first."),
    right_answer=answers.largest_stable_lr,
    wrong_answers=[answers.largest_stable_lr_hessian_without_2,
                   answers.largest_stable_lr_smallest_eigenvalue,
                   answers.largest_stable_lr_one_over_lambda,
                   answers.largest_stable_lr_bias_forgotten],
)


# ---------------------------------------------------------------------------------------------
# q4 · one minibatch SGD step
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    w_new, b_new = _weights_and_bias(answer, ("w_new", "b_new"))
    X, y, w, b = problem()
    idx, lr = batch()
    gw, gb = _autograd_grads(X[idx], y[idx], w, b)
    full_w, _ = _autograd_grads(X, y, w, b)
    if (w_new - (w - lr * full_w)).abs().max() < 1e-8:
        raise CheckFailed("that step used all 20 examples: SGD uses only the batch X[idx], y[idx]")
    check.close(w_new, w - lr * gw, name="w_new", rtol=1e-6, atol=1e-8)
    check.close(b_new, b - lr * gb, name="b_new", rtol=1e-6, atol=1e-8)


q4 = Exercise(
    name="Q4 · one minibatch SGD step",
    checker=_check_q4,
    hint_text=("Take the batch Xb, yb = X[idx], y[idx]. Its residuals r = Xb @ w + b - yb give "
               "the batch gradient (2/B) Xbᵀ r and (2/B) Σ r; then step *against* it: "
               "w − lr · grad_w, b − lr · grad_b."),
    right_answer=answers.sgd_step,
    wrong_answers=[answers.sgd_step_uphill, answers.sgd_step_full_batch,
                   answers.sgd_step_sum_over_batch, answers.sgd_step_b_never_moves],
)
