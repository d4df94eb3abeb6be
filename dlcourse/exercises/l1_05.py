"""Exercises of L1.05 · Classification: perceptron, logistic & softmax regression (分类).

    from dlcourse.exercises import l1_05 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_05_answers as answers
from .kinds import finite_or, write_function

# ---------------------------------------------------------------------------------------------
# q1 · one step of the perceptron rule
# ---------------------------------------------------------------------------------------------
Q1 = dict(w=(0.5, -1.0), b=0.2, x=(1.0, 2.0), t=1.0, lr=0.5)


def _check_q1(answer):
    import torch
    got = check.as_array(answer, "the three numbers [w1, w2, b] after the update").flatten()
    if got.numel() != 3:
        raise CheckFailed(f"expected the three numbers [w1, w2, b], got {got.numel()} number(s)")
    w, x = torch.tensor(Q1["w"], dtype=torch.float64), torch.tensor(Q1["x"], dtype=torch.float64)
    score = float(w @ x + Q1["b"])
    assert Q1["t"] * score <= 0  # the point is misclassified, so the rule updates
    step = Q1["lr"] * Q1["t"]
    expected = torch.cat([w + step * x, torch.tensor([Q1["b"] + step], dtype=torch.float64)])
    if torch.allclose(got, torch.tensor([*Q1["w"], Q1["b"]], dtype=torch.float64)):
        raise CheckFailed(f"nothing changed, but the score w·x + b = {score:.1f} has the wrong "
                          "sign for a point of class +1: the rule must update")
    if torch.allclose(got[:2], expected[:2]) and abs(got[2] - Q1["b"]) < 1e-9:
        raise CheckFailed("w is right, but the bias moves too: b ← b + η t")
    check.close(got, expected, name="[w1, w2, b] after the update")


q1 = Exercise(
    name="Q1 · one perceptron update",
    checker=_check_q1,
    hint_text=("First compute the score s = w·x + b and check the sign of t·s: the rule updates "
               "only when t·s ≤ 0. The update is w ← w + η·t·x and b ← b + η·t."),
    right_answer=answers.perceptron_update,
    wrong_answers=[answers.perceptron_no_update, answers.perceptron_bias_not_updated,
                   answers.perceptron_sign_flipped, answers.perceptron_learning_rate_forgotten],
)


# ---------------------------------------------------------------------------------------------
# q2 · the gradient of the binary cross-entropy
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(52)
    cases = []
    for n, d in [(7, 3), (20, 2)]:
        X = torch.randn(n, d, generator=g, dtype=torch.float64)
        y = (torch.rand(n, generator=g) > 0.5).double()
        w = torch.randn(d, generator=g, dtype=torch.float64)
        b = torch.randn((), generator=g, dtype=torch.float64)
        cases.append((X, y, w, b))
    return cases


def _bce_gradient(X, y, w, b):
    import torch.nn.functional as F
    w, b = w.requires_grad_(), b.requires_grad_()
    F.binary_cross_entropy_with_logits(X @ w + b, y).backward()
    return (w.grad, b.grad)


q2 = write_function(
    "grad(X, y, w, b)", _bce_gradient, _q2_cases, rtol=1e-5, atol=1e-6,
    parts=("grad_w", "grad_b"),
    name="Q2 · the gradient of the BCE",
    hint_text=("Per point, the derivative of the loss with respect to the score s = x·w + b is "
               "p − y with p = σ(s). The chain rule multiplies it by x for w and by 1 for b; the "
               "loss is a mean, so divide the sums by n."),
    right_answer=answers.grad,
    wrong_answers=[answers.grad_ascent, answers.grad_sum_not_mean, answers.grad_of_the_score,
                   answers.grad_extra_sigmoid_factor],
)


# ---------------------------------------------------------------------------------------------
# q3 · a numerically stable softmax
# ---------------------------------------------------------------------------------------------
def _q3_cases():
    import torch
    g = torch.Generator().manual_seed(53)
    return {
        "random scores of shape (4, 5)": (torch.randn(4, 5, generator=g, dtype=torch.float64),),
        "a 1-D score vector": (torch.randn(6, generator=g, dtype=torch.float64),),
        "rows [1000, 1001, 1002] and [-1000, -999, -998]":
            (torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]]),),
    }


def _softmax_reference(S):
    import torch
    return torch.softmax(S, dim=-1)


q3 = write_function(
    "softmax(S)", _softmax_reference, _q3_cases, rtol=1e-5, atol=1e-6,
    diagnose=finite_or("exp overflowed, or underflowed to 0/0"),
    name="Q3 · a stable softmax",
    hint_text=("softmax(s) = softmax(s − c) for any constant c. Subtract each row's own maximum "
               "(`S.max(dim=-1, keepdim=True).values`) before exp: the largest exponent is then "
               "0, so nothing overflows, and each row's sum is at least 1."),
    right_answer=answers.softmax,
    wrong_answers=[answers.softmax_overflows, answers.softmax_one_global_max,
                   answers.softmax_wrong_axis],
)


# ---------------------------------------------------------------------------------------------
# q4 · features that make the circle linearly separable
# ---------------------------------------------------------------------------------------------
def circle_data():
    """The data of q4: dlcourse.data.two_d("circle") with 200 points (seeded, always the same)."""
    from ..data.synthetic import two_d
    return two_d("circle", n=200, noise=0.05, seed=4)


def _logistic_accuracy(Phi, y, steps: int = 400, lr: float = 1.0) -> float:
    """Training accuracy of logistic regression (full-batch GD on standardised features)."""
    import torch
    Phi = (Phi - Phi.mean(0)) / Phi.std(0).clamp(min=1e-8)
    w = torch.zeros(Phi.shape[1], dtype=torch.float64)
    b = torch.zeros((), dtype=torch.float64)
    for _ in range(steps):
        g = (torch.sigmoid(Phi @ w + b) - y) / len(y)
        w, b = w - lr * Phi.T @ g, b - lr * g.sum()
    return ((Phi @ w + b > 0).double() == y).double().mean().item()


def _check_q4(answer):
    import torch
    X, y = circle_data()
    Phi = check.as_array(check.call(answer, X.clone(), what="phi(X)"), "phi(X)")
    if Phi.ndim != 2 or Phi.shape[0] != len(X):
        raise CheckFailed(f"phi(X) should have shape (n, k) = ({len(X)}, k), got "
                          f"{tuple(Phi.shape)}")
    if not 1 <= Phi.shape[1] <= 10:
        raise CheckFailed(f"use between 1 and 10 features, not {Phi.shape[1]}")
    if not torch.isfinite(Phi).all():
        raise CheckFailed("phi(X) contains nan or inf")
    accuracy = _logistic_accuracy(Phi, y.double())
    if accuracy < 0.95:
        raise CheckFailed(f"logistic regression on your features reaches {accuracy:.0%} "
                          "training accuracy; a good feature gets at least 95%")


q4 = Exercise(
    name="Q4 · features for the circle",
    checker=_check_q4,
    hint_text=("Class 1 is the inner disc, class 0 the ring around it: the label depends on the "
               "distance from the centre, x1² + x2², not on the direction. A line in the "
               "features (x1², x2²) is a circle in the plane."),
    right_answer=answers.phi,
    wrong_answers=[answers.phi_identity, answers.phi_xor_feature, answers.phi_diagonal_band],
)


# ---------------------------------------------------------------------------------------------
# q5 · recall from a confusion matrix
# ---------------------------------------------------------------------------------------------
def confusion():
    """The data of q5: a 10 × 10 confusion matrix of counts, rows = true digit, columns =
    predicted digit (seeded, always the same)."""
    import torch
    g = torch.Generator().manual_seed(55)
    C = torch.randint(0, 4, (10, 10), generator=g) * (torch.rand(10, 10, generator=g) < 0.3)
    C = C + torch.diag(torch.randint(30, 46, (10,), generator=g))
    return C


def _check_q5(answer):
    import torch
    C = confusion().double()
    got = check.as_tensor(answer, "10 recalls, one per digit").double().flatten()
    if got.numel() != 10:
        raise CheckFailed(f"expected 10 numbers, one per digit, got {got.numel()}")
    if torch.allclose(got, C.diag() / C.sum(0)):
        raise CheckFailed("you divided by the column sums (all images *predicted* as k): that "
                          "is the precision. Recall divides by the row sums, the true k's.")
    check.close(got, C.diag() / C.sum(1), name="recall per digit")


q5 = Exercise(
    name="Q5 · recall from a confusion matrix",
    checker=_check_q5,
    hint_text=("Row k of the matrix counts the images whose true digit is k, split by what the "
               "model predicted. The diagonal entry C[k, k] is the ones it got right. Recall of "
               "class k = C[k, k] / (sum of row k); `C.diag()` and `C.sum(dim=1)` do it for all "
               "ten at once."),
    right_answer=answers.recall,
    wrong_answers=[answers.recall_is_precision, answers.recall_share_of_all,
                   answers.recall_overall_accuracy],
)
