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
# q2 · one gradient step of logistic regression, with labels ±1
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(52)
    cases = {}
    for label, n, d, scale, lr in [("7 points in 3-D, lr 0.5", 7, 3, 1.0, 0.5),
                                   ("20 points in 2-D, lr 2", 20, 2, 1.0, 2.0),
                                   ("confident scores (|s| in the thousands), lr 0.1", 10, 2,
                                    1000.0, 0.1)]:
        X = torch.randn(n, d, generator=g, dtype=torch.float64) * scale
        t = torch.randint(0, 2, (n,), generator=g).double() * 2 - 1
        w = torch.randn(d, generator=g, dtype=torch.float64)
        b = torch.randn((), generator=g, dtype=torch.float64)
        cases[label] = (X, t, w, b, lr)
    return cases


def _logistic_step_reference(X, t, w, b, lr):
    import torch.nn.functional as F
    w, b = w.requires_grad_(), b.requires_grad_()
    F.softplus(-t * (X @ w + b)).mean().backward()    # log(1 + e^(−t s)), stably
    return (w - lr * w.grad).detach(), (b - lr * b.grad).detach()


q2 = write_function(
    "logistic_step(X, t, w, b, lr)", _logistic_step_reference, _q2_cases, rtol=1e-6, atol=1e-9,
    parts=("w", "b"),
    diagnose=finite_or("exp(−t·s) overflowed; write the derivative with torch.sigmoid, "
                      "which never does"),
    name="Q2 · one logistic-regression step, labels ±1",
    hint_text=("With p = σ(s) and y = (1 + t)/2, the BCE of one point is log(1 + e^(−t s)). Its "
               "derivative in s is −t e^(−t s)/(1 + e^(−t s)) = −t σ(−t s): large when t s < 0 "
               "(a mistake, as for the perceptron), near 0 when the point is safely right. Then "
               "the chain rule as in section 3: ∇_w L = Xᵀg and ∂L/∂b = Σ g, with g the vector "
               "of those derivatives divided by n; step against the gradient."),
    right_answer=answers.logistic_step,
    wrong_answers=[answers.logistic_step_ascent, answers.logistic_step_zero_one_formula,
                   answers.logistic_step_overflows, answers.logistic_step_sum_not_mean],
)


# ---------------------------------------------------------------------------------------------
# q3 · backward through the softmax
# ---------------------------------------------------------------------------------------------
def _q3_cases():
    import torch
    g = torch.Generator().manual_seed(53)
    S = torch.randn(6, 4, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (6,), generator=g)
    P = torch.softmax(S, dim=-1)
    return {
        "random scores (4, 5) and a random dP": (torch.randn(4, 5, generator=g, dtype=torch.float64),
                                                 torch.randn(4, 5, generator=g, dtype=torch.float64)),
        "a 1-D score vector": (torch.randn(6, generator=g, dtype=torch.float64),
                               torch.randn(6, generator=g, dtype=torch.float64)),
        "dP = −Y/P, the cross-entropy's own upstream gradient":
            (S, -torch.nn.functional.one_hot(y, 4).double() / P),
        "rows [1000, 1001, 1002] and [-1000, -999, -998]":
            (torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]],
                          dtype=torch.float64),
             torch.tensor([[1.0, -2.0, 0.5], [0.3, 0.0, -1.0]], dtype=torch.float64)),
    }


def _softmax_backward_reference(S, dP):
    import torch
    S = S.requires_grad_()
    torch.softmax(S, dim=-1).backward(dP)
    return S.grad


q3 = write_function(
    "softmax_backward(S, dP)", _softmax_backward_reference, _q3_cases, rtol=1e-6, atol=1e-9,
    diagnose=finite_or("exp overflowed: compute P with torch.softmax or with the max subtracted"),
    name="Q3 · backward through the softmax",
    hint_text=("∂p_k/∂s_j = p_k (δ_jk − p_j): every probability depends on every score. So "
               "dS_j = Σ_k dP_k p_k (δ_jk − p_j) = p_j (dP_j − Σ_k dP_k p_k): one weighted sum "
               "per row (keepdim=True, so it broadcasts back), no K × K matrix needed. "
               "torch.softmax gives a stable P."),
    right_answer=answers.softmax_backward,
    wrong_answers=[answers.softmax_backward_diagonal_only, answers.softmax_backward_unweighted_sum,
                   answers.softmax_backward_naive_softmax,
                   answers.softmax_backward_sum_over_the_batch],
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
# q5 · precision from a confusion matrix
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
    got = check.as_tensor(answer, "10 precisions, one per digit").double().flatten()
    if got.numel() != 10:
        raise CheckFailed(f"expected 10 numbers, one per digit, got {got.numel()}")
    if torch.allclose(got, C.diag() / C.sum(1)):
        raise CheckFailed("you divided by the row sums (all images whose *true* digit is k): "
                          "that is the recall. Precision divides by the column sums, everything "
                          "*predicted* as k.")
    check.close(got, C.diag() / C.sum(0), name="precision per digit")


q5 = Exercise(
    name="Q5 · precision from a confusion matrix",
    checker=_check_q5,
    hint_text=("Column k of the matrix counts the images the model *predicted* as k, split by "
               "their true digit. The diagonal entry C[k, k] is the ones that really are k. "
               "Precision of class k = C[k, k] / (sum of column k); `C.diag()` and "
               "`C.sum(dim=0)` do it for all ten at once."),
    right_answer=answers.precision,
    wrong_answers=[answers.precision_is_recall, answers.precision_share_of_all,
                   answers.precision_overall_accuracy],
)
