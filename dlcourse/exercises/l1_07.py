"""Exercises of L1.07 · Loss functions (损失函数).

    from dlcourse.exercises import l1_07 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_07_answers as answers
from .kinds import finite_or, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the Huber loss
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(71)
    pred = torch.randn(40, generator=g, dtype=torch.float64) * 3
    target = torch.randn(40, generator=g, dtype=torch.float64)
    cases = [(pred, target, delta) for delta in (1.0, 0.5, 2.0)]
    return cases + [(pred.reshape(8, 5), target.reshape(8, 5), 1.5), (target, target, 1.0)]


def _huber_reference(pred, target, delta):
    import torch.nn.functional as F
    return F.huber_loss(pred, target, delta=delta)


q1 = write_function(
    "huber(pred, target, delta)", _huber_reference, _q1_cases, rtol=1e-5, atol=1e-6,
    name="Q1 · the Huber loss",
    hint_text=("With r = pred − target: ½ r² where |r| ≤ δ, and δ (|r| − ½ δ) elsewhere; then "
               "the mean. `torch.where(r.abs() <= delta, a, b)` picks between the two pieces. "
               "The pieces meet at |r| = δ with the same value and the same slope."),
    right_answer=answers.huber,
    wrong_answers=[answers.huber_without_half, answers.huber_linear_part_not_shifted,
                   answers.smooth_l1, answers.huber_sum_not_mean],
)

# ---------------------------------------------------------------------------------------------
# q2 · the best constant under MSE and under MAE
# ---------------------------------------------------------------------------------------------
Q2_DATA = (2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0)


def _check_q2(answer):
    c_mse, c_mae = (check.as_number(c, name) for c, name in
                    zip(check.as_pair(answer, "c_mse, c_mae"), ("c_mse", "c_mae")))
    data = sorted(Q2_DATA)
    mean, median = sum(data) / len(data), data[len(data) // 2]
    if abs(c_mse - median) < 1e-6 and abs(c_mae - mean) < 1e-6:
        raise CheckFailed("the two are swapped: which loss does the outlier 40 pull hard?")
    check.close(c_mse, mean, name="the constant that minimises the MSE")
    check.close(c_mae, median, name="the constant that minimises the MAE")


q2 = Exercise(
    name="Q2 · the best constant",
    checker=_check_q2,
    hint_text=("Set the derivative with respect to c to zero. For Σ(yᵢ − c)² it is "
               "−2 Σ(yᵢ − c): zero at the average. For Σ|yᵢ − c| it is (number of yᵢ below c) − "
               "(number above c): zero where half the data lies on each side."),
    right_answer=answers.best_constants,
    wrong_answers=[answers.best_constants_swapped, answers.best_constants_mean_for_both,
                   answers.best_constants_outlier_dropped],
)

# ---------------------------------------------------------------------------------------------
# q3 · the two gradients when confidently wrong
# ---------------------------------------------------------------------------------------------
Q3_LOGIT, Q3_LABEL = -4.0, 1.0


def _check_q3(answer):
    import torch
    g_bce, g_mse = (check.as_number(g, name) for g, name in
                    zip(check.as_pair(answer, "g_bce, g_mse"), ("g_bce", "g_mse")))
    z = torch.tensor(Q3_LOGIT, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(z)
    bce = -(Q3_LABEL * torch.log(p) + (1 - Q3_LABEL) * torch.log(1 - p))
    (expected_bce,) = torch.autograd.grad(bce, z)
    z2 = torch.tensor(Q3_LOGIT, dtype=torch.float64, requires_grad=True)
    (expected_mse,) = torch.autograd.grad((torch.sigmoid(z2) - Q3_LABEL) ** 2, z2)
    if abs(g_bce + expected_bce.item()) < 1e-4 and abs(g_bce) > 1e-3:
        raise CheckFailed("the BCE gradient has the wrong sign: it is σ(z) − y, and a smaller "
                          "σ(z) than y makes it negative")
    check.close(g_bce, expected_bce, name="dBCE/dz", rtol=1e-4, atol=1e-5)
    check.close(g_mse, expected_mse, name="d(σ(z) − y)²/dz", rtol=1e-4, atol=1e-5)


q3 = Exercise(
    name="Q3 · two gradients",
    checker=_check_q3,
    hint_text=("With p = σ(z): d BCE/dz = p − y, and d(p − y)²/dz = 2 (p − y) · p (1 − p) "
               "(the chain rule through the sigmoid, σ'(z) = p (1 − p)). Here p = σ(−4) ≈ 0.018."),
    right_answer=answers.two_gradients,
    wrong_answers=[answers.two_gradients_signs_flipped, answers.two_gradients_mse_without_slope,
                   answers.two_gradients_bce_with_slope],
)


# ---------------------------------------------------------------------------------------------
# q4 · a stable log-sum-exp
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import torch
    g = torch.Generator().manual_seed(74)
    return {
        "random scores of shape (3, 6)": (torch.randn(3, 6, generator=g, dtype=torch.float64),),
        "a 1-D score vector": (torch.randn(5, generator=g, dtype=torch.float64),),
        "rows [1000, 1001, 1002] and [-1000, -999, -998]":
            (torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]],
                          dtype=torch.float64),),
        "rows [0, 500, 1000] and [-1000, 0, 3]":
            (torch.tensor([[0.0, 500.0, 1000.0], [-1000.0, 0.0, 3.0]], dtype=torch.float64),),
    }


def _logsumexp_reference(S):
    import torch
    return torch.logsumexp(S, dim=-1)


q4 = write_function(
    "logsumexp(S)", _logsumexp_reference, _q4_cases, rtol=1e-5, atol=1e-6,
    diagnose=finite_or("exp overflowed, or everything underflowed to log 0"),
    name="Q4 · a stable log-sum-exp",
    hint_text=("log Σ exp(sⱼ) = m + log Σ exp(sⱼ − m) for any m. With m the row's maximum "
               "(`S.max(dim=-1, keepdim=True).values`) the largest term is exp(0) = 1: no "
               "overflow, and the sum is at least 1, so no log 0. Add m back at the end."),
    right_answer=answers.logsumexp,
    wrong_answers=[answers.logsumexp_overflows, answers.logsumexp_max_not_added_back,
                   answers.logsumexp_shifted_by_min, answers.logsumexp_only_the_max],
)


# ---------------------------------------------------------------------------------------------
# q5 · cross-entropy from logits
# ---------------------------------------------------------------------------------------------
def _q5_cases():
    import torch
    g = torch.Generator().manual_seed(75)
    cases = {}
    for scale, label in ((1.0, "ordinary logits"), (500.0, "logits in the hundreds")):
        S = torch.randn(12, 5, generator=g, dtype=torch.float64) * scale
        cases[label] = (S, torch.randint(0, 5, (12,), generator=g))
    return cases


def _cross_entropy_reference(S, y):
    import torch.nn.functional as F
    return F.cross_entropy(S, y)


q5 = write_function(
    "cross_entropy(S, y)", _cross_entropy_reference, _q5_cases, rtol=1e-5, atol=1e-6,
    diagnose=finite_or("compute it from the logits with a stable log-sum-exp, never as "
                       "log(softmax)"),
    name="Q5 · cross-entropy from logits",
    hint_text=("For one example, −log softmax(s)[y] = log Σⱼ exp(sⱼ) − s_y. Compute the "
               "log-sum-exp stably (Q4, or `torch.logsumexp`), pick each row's true-class logit "
               "with `S[torch.arange(len(y)), y]`, and average."),
    right_answer=answers.cross_entropy,
    wrong_answers=[answers.cross_entropy_naive_softmax, answers.log_likelihood,
                   answers.cross_entropy_sum_not_mean, answers.cross_entropy_wrong_axis_class_0],
)
