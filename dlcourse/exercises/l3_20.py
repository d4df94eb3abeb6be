"""Exercises of L3.20 · Generalization revisited (泛化再探).

    from dlcourse.exercises import l3_20 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_20_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · a Hessian-vector product by double backpropagation, against torch.autograd.functional.hvp
# ---------------------------------------------------------------------------------------------
def _quadratic(x):
    """½ xᵀAx + bᵀx with a fixed symmetric A: its Hessian is A."""
    import torch
    g = torch.Generator().manual_seed(5)
    m = torch.randn(len(x), len(x), generator=g, dtype=x.dtype)
    b = torch.randn(len(x), generator=g, dtype=x.dtype)
    return 0.5 * x @ (m + m.T) @ x + b @ x


def _rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def _tiny_network_loss(theta):
    """Cross-entropy of a 3 → 4 → 2 tanh network whose 26 weights are θ, on 5 fixed points."""
    import torch
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(7)
    X = torch.randn(5, 3, generator=g, dtype=theta.dtype)
    y = torch.tensor([0, 1, 1, 0, 1])
    W1, b1, W2, b2 = theta[:12].reshape(4, 3), theta[12:16], theta[16:24].reshape(2, 4), theta[24:26]
    return F.cross_entropy(torch.tanh(X @ W1.T + b1) @ W2.T + b2, y)


def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(21)
    r = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    return {
        "a quadratic ½xᵀAx + bᵀx in 6 dimensions (H v = A v)": (_quadratic, r(6), r(6)),
        "the Rosenbrock function in 5 dimensions": (_rosenbrock, r(5), r(5)),
        "a tiny network's cross-entropy, 26 weights": (_tiny_network_loss, 0.5 * r(26), r(26)),
    }


def _hvp_reference(f, x, v):
    import torch
    return torch.autograd.functional.hvp(f, x, v)[1]


q1 = write_function(
    "hvp(f, x, v)", _hvp_reference, _q1_cases, rtol=1e-9, atol=1e-9,
    name="Q1 · a Hessian-vector product",
    hint_text=("Make x a leaf that requires grad, take g = ∇f(x) with torch.autograd.grad(…, "
               "create_graph=True) so that g is itself differentiable, then differentiate the scalar "
               "(g · v).sum() with respect to x: ∇(∇f·v) = H v, since v does not depend on x."),
    right_answer=answers.hvp,
    mistakes=[
        (answers.hvp_gradient, "that is the gradient ∇f(x): differentiate ∇f(x)·v once more"),
        (answers.hvp_gradient_times_v, "that is ∇f(x) ⊙ v, first-order only: H v needs a second backward "
                                       "pass through the gradient (create_graph=True)"),
        (answers.hvp_outer, "that is (∇f·v)∇f, an outer product of gradients, not the Hessian"),
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · the minimum-norm least-squares solution, against torch.linalg.pinv
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(22)
    r = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    low_rank = r(6, 2) @ r(2, 9)                                        # 6 × 9 of rank 2
    return {
        "a wide X (5 samples, 12 features): infinitely many interpolators": (r(5, 12), r(5)),
        "a tall X (20 samples, 4 features): ordinary least squares": (r(20, 4), r(20)),
        "a square X (8 × 8)": (r(8, 8), r(8)),
        "a rank-2 X of shape 6 × 9 (neither XᵀX nor XXᵀ invertible)": (low_rank, r(6)),
    }


def _pinv_reference(X, y):
    import torch
    return torch.linalg.pinv(X) @ y


def _q2_diagnose(got, expected, args):
    import torch
    if not torch.isfinite(torch.as_tensor(got)).all() or torch.as_tensor(got).abs().max() > 1e6:
        return ("the result blows up: an inverse of XᵀX or XXᵀ, one of which is singular here; the "
                "pseudo-inverse (torch.linalg.pinv, or an SVD keeping only the non-zero singular values) "
                "works for every shape and rank")
    return None


q2 = write_function(
    "min_norm_solution(X, y)", _pinv_reference, _q2_cases, rtol=1e-7, atol=1e-8,
    diagnose=_q2_diagnose, name="Q2 · the minimum-norm least-squares solution",
    hint_text=("Of all w minimizing ‖Xw − y‖², the one of smallest ‖w‖ is X⁺y. With the SVD X = U S Vᵀ, "
               "X⁺ = V S⁺ Uᵀ where S⁺ inverts the non-zero singular values and keeps zeros at zero."),
    right_answer=answers.min_norm_solution,
    mistakes=[
        (answers.min_norm_ridge, "that is ridge regression with λ = 1: the minimum-norm solution is the "
                                 "limit λ → 0, not λ = 1"),
        (answers.min_norm_transpose, "Xᵀy is one gradient step's direction, not the solution: use the "
                                     "pseudo-inverse X⁺ (or an SVD)"),
    ],
    wrong_answers=[answers.min_norm_wide_formula],
)

# ---------------------------------------------------------------------------------------------
# q3 · how many of the training labels stay right
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.labels_still_right, what="the expected share of training labels that are still right",
    rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.labels_still_right_forgot_lucky(): "a replaced label is drawn uniformly from all 10 "
                                                   "classes, so one in ten of them is the right one",
        answers.labels_still_right_lucky_only(): "the 40 % of labels that were not replaced are right too",
    },
    name="Q3 · labels that stay right",
    hint_text=("A label survives if it is not replaced (probability 0.4), or if it is replaced and the "
               "random class happens to be the true one (probability 0.6 × 1/10)."),
    right_answer=answers.labels_still_right,
    wrong_answers=[answers.labels_still_right_forgot_lucky, answers.labels_still_right_lucky_only],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of generalization
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a network that fits random labels perfectly shows that training accuracy alone says nothing "
         "about test accuracy",
    "b": "since the network can memorize random labels, a bound that depends only on its parameter count "
         "explains why it generalizes on true labels",
    "c": "at the interpolation threshold there is just one set of weights that fits the noisy labels, and "
         "it has a large norm",
    "d": "adding random features past the interpolation threshold can only make the min-norm "
         "solution's test error worse, since the model gets more complex",
    "e": "gradient descent from zero on a least-squares problem stays in the row space of X and so "
         "converges to the minimum-norm solution",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · generalization revisited",
    hint_text=("A capacity measure that allows memorizing random labels cannot separate the true-label run "
               "from the random-label run. Look at the weight norm and the test error beyond p = n in "
               "section 5."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_capacity, answers.true_statements_with_more_is_worse,
                   answers.true_statements_without_min_norm],
)
