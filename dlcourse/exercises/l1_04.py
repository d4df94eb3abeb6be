"""Exercises of L1.04 · Linear regression & gradient descent (线性回归与梯度下降).

    from dlcourse.exercises import l1_04 as ex
    X, y, w, b = ex.problem()
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise


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


def _pair(answer, what):
    import torch
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise CheckFailed(f"expected a pair ({what}), got {type(answer).__name__}")
    a, b = answer
    for name, t in (("the first entry", a), ("the second entry", b)):
        if not isinstance(t, torch.Tensor):
            raise CheckFailed(f"{name} should be a torch.Tensor, got {type(t).__name__}")
    return a, b


def _autograd_grads(X, y, w, b):
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    ((X @ w + b - y) ** 2).mean().backward()
    return w.grad, b.grad


# ---------------------------------------------------------------------------------------------
# q1 · the gradient of the MSE
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    gw, gb = _pair(answer, "(grad_w, grad_b)")
    X, y, w, b = problem()
    ew, eb = _autograd_grads(X, y, w, b)
    check.shape(gw, (3,), name="grad_w")
    if gb.numel() != 1:
        raise CheckFailed(f"grad_b should be one number (b is a scalar), got shape {tuple(gb.shape)}")
    if (gw.double() + ew).abs().max() < 1e-8:
        raise CheckFailed("grad_w points the wrong way: the residual is prediction − target")
    check.close(gw, ew, name="grad_w", rtol=1e-6, atol=1e-8)
    check.close(gb.reshape(()), eb, name="grad_b", rtol=1e-6, atol=1e-8)


q1 = Exercise(
    name="Q1 · the gradient of the MSE",
    checker=_check_q1,
    hint_text=("Compute the residuals r = X @ w + b - y (shape (20,)). Then ∇_w L = (2/n) Xᵀ r "
               "and ∂L/∂b = (2/n) Σ r_i: the 2 comes from the square, the 1/n from the mean."),
    solution_code="""
from dlcourse.exercises.l1_04 import problem
X, y, w, b = problem()
r = X @ w + b - y
answer = (2 * X.T @ r / len(y), 2 * r.mean())
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_04 import problem\nX, y, w, b = problem()\n"
        "r = X @ w + b - y\nanswer = (X.T @ r / len(y), r.mean())            # the 2 is missing",
        "from dlcourse.exercises.l1_04 import problem\nX, y, w, b = problem()\n"
        "r = X @ w + b - y\nanswer = (2 * X.T @ r, 2 * r.sum())              # a sum, not a mean",
        "from dlcourse.exercises.l1_04 import problem\nX, y, w, b = problem()\n"
        "r = y - (X @ w + b)\nanswer = (2 * X.T @ r / len(y), 2 * r.mean())  # residual sign flipped",
        "from dlcourse.exercises.l1_04 import problem\nX, y, w, b = problem()\n"
        "r = X @ w - y\nanswer = (2 * X.T @ r / len(y), 2 * r.mean())      # b left out of the residual",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · the normal equations
# ---------------------------------------------------------------------------------------------
def _q2_expected():
    import torch
    X, y, _, _ = problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)


def _check_q2(answer):
    import torch
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a tensor (w₁, w₂, w₃, b), got {type(answer).__name__}")
    if answer.numel() == 3:
        raise CheckFailed("3 numbers: the bias is missing. Append a column of ones to X, "
                          "so that b is the weight of a constant feature")
    check.shape(answer.reshape(-1), (4,), name="θ = (w₁, w₂, w₃, b)")
    check.close(answer.reshape(-1), _q2_expected(), name="θ", rtol=1e-6, atol=1e-8)


q2 = Exercise(
    name="Q2 · the normal equations",
    checker=_check_q2,
    hint_text=("Build X̃ = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], dim=1), then solve "
               "X̃ᵀX̃ θ = X̃ᵀ y with torch.linalg.solve (or call torch.linalg.lstsq(X̃, y[:, None])). "
               "The answer holds 4 numbers: w₁, w₂, w₃ and, last, b."),
    solution_code="""
import torch
from dlcourse.exercises.l1_04 import problem
X, y, _, _ = problem()
A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
answer = torch.linalg.solve(A.T @ A, A.T @ y)
""",
    wrong_codes=[
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "answer = torch.linalg.solve(X.T @ X, X.T @ y)               # no bias",
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)\n"
        "answer = A.T @ y / len(y)                                    # forgot to solve",
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "A = torch.cat([torch.ones(len(y), 1, dtype=X.dtype), X], dim=1)\n"
        "answer = torch.linalg.solve(A.T @ A, A.T @ y)                # b first, not last",
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)\n"
        "answer = torch.cat([torch.linalg.solve(X.T @ X, X.T @ y), y.mean()[None]])  # fitted apart",
    ],
)


# ---------------------------------------------------------------------------------------------
# q3 · the largest stable learning rate
# ---------------------------------------------------------------------------------------------
def _q3_expected() -> float:
    import torch
    X, y, _, _ = problem()
    A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
    return 2 / torch.linalg.eigvalsh(2 * A.T @ A / len(y)).max().item()


def _check_q3(answer):
    import torch
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            raise CheckFailed(f"expected one number, got a tensor of shape {tuple(answer.shape)}")
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise CheckFailed(f"expected a number, got {type(answer).__name__}")
    expected = _q3_expected()
    if abs(answer - 2 * expected) < 1e-6 * expected:
        raise CheckFailed("twice too large: the Hessian of the MSE is 2/n · X̃ᵀX̃ (the 2 from the "
                          "square), not X̃ᵀX̃/n")
    check.close(answer, expected, name="the largest stable learning rate", rtol=1e-6)


q3 = Exercise(
    name="Q3 · the largest stable learning rate",
    checker=_check_q3,
    hint_text=("The Hessian of the MSE in θ = (w, b) is H = (2/n) X̃ᵀX̃, with X̃ = X plus a column "
               "of ones. Gradient descent multiplies the error along each eigenvector by "
               "(1 − lr·λ): it stays below 1 in size for every λ when lr < 2/λ_max. "
               "torch.linalg.eigvalsh gives the eigenvalues of a symmetric matrix, smallest first."),
    solution_code="""
import torch
from dlcourse.exercises.l1_04 import problem
X, y, _, _ = problem()
A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)
H = 2 * A.T @ A / len(y)
answer = 2 / torch.linalg.eigvalsh(H).max().item()
""",
    wrong_codes=[
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)\n"
        "answer = 2 / torch.linalg.eigvalsh(A.T @ A / len(y)).max().item()   # the 2 of H missing",
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)\n"
        "answer = 2 / torch.linalg.eigvalsh(2 * A.T @ A / len(y)).min().item()  # smallest eigenvalue",
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "A = torch.cat([X, torch.ones(len(y), 1, dtype=X.dtype)], dim=1)\n"
        "answer = 1 / torch.linalg.eigvalsh(2 * A.T @ A / len(y)).max().item()  # 1/λ, not 2/λ",
        "import torch\nfrom dlcourse.exercises.l1_04 import problem\nX, y, _, _ = problem()\n"
        "answer = 2 / torch.linalg.eigvalsh(2 * X.T @ X / len(y)).max().item()  # bias forgotten",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · one minibatch SGD step
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    w_new, b_new = _pair(answer, "(w_new, b_new)")
    X, y, w, b = problem()
    idx, lr = batch()
    gw, gb = _autograd_grads(X[idx], y[idx], w, b)
    check.shape(w_new, (3,), name="w_new")
    if b_new.numel() != 1:
        raise CheckFailed(f"b_new should be one number, got shape {tuple(b_new.shape)}")
    full_w, _ = _autograd_grads(X, y, w, b)
    if (w_new.double() - (w - lr * full_w)).abs().max() < 1e-8:
        raise CheckFailed("that step used all 20 examples: SGD uses only the batch X[idx], y[idx]")
    check.close(w_new, w - lr * gw, name="w_new", rtol=1e-6, atol=1e-8)
    check.close(b_new.reshape(()), b - lr * gb, name="b_new", rtol=1e-6, atol=1e-8)


q4 = Exercise(
    name="Q4 · one minibatch SGD step",
    checker=_check_q4,
    hint_text=("Take the batch Xb, yb = X[idx], y[idx]. Its residuals r = Xb @ w + b - yb give "
               "the batch gradient (2/B) Xbᵀ r and (2/B) Σ r; then step *against* it: "
               "w − lr · grad_w, b − lr · grad_b."),
    solution_code="""
from dlcourse.exercises.l1_04 import batch, problem
X, y, w, b = problem()
idx, lr = batch()
Xb, yb = X[idx], y[idx]
r = Xb @ w + b - yb
answer = (w - lr * 2 * Xb.T @ r / len(idx), b - lr * 2 * r.mean())
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_04 import batch, problem\nX, y, w, b = problem()\n"
        "idx, lr = batch()\nXb, yb = X[idx], y[idx]\nr = Xb @ w + b - yb\n"
        "answer = (w + lr * 2 * Xb.T @ r / len(idx), b + lr * 2 * r.mean())   # uphill",
        "from dlcourse.exercises.l1_04 import batch, problem\nX, y, w, b = problem()\n"
        "idx, lr = batch()\nr = X @ w + b - y\n"
        "answer = (w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean())      # the full batch",
        "from dlcourse.exercises.l1_04 import batch, problem\nX, y, w, b = problem()\n"
        "idx, lr = batch()\nXb, yb = X[idx], y[idx]\nr = Xb @ w + b - yb\n"
        "answer = (w - lr * 2 * Xb.T @ r, b - lr * 2 * r.sum())              # sum over the batch",
        "from dlcourse.exercises.l1_04 import batch, problem\nX, y, w, b = problem()\n"
        "idx, lr = batch()\nXb, yb = X[idx], y[idx]\nr = Xb @ w + b - yb\n"
        "answer = (w - lr * 2 * Xb.T @ r / len(idx), b)                       # b never moves",
    ],
)
