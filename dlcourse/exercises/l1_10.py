"""Exercises of L1.10 · Overfitting & underfitting (过拟合与欠拟合).

    from dlcourse.exercises import l1_10 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_10_answers as answers
from .kinds import labels, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the Vandermonde matrix
# ---------------------------------------------------------------------------------------------
def q1_x():
    """The inputs of q1: 5 values (float64)."""
    import torch
    return torch.tensor([-1.0, -0.5, 0.0, 0.5, 2.0], dtype=torch.float64)


def _check_q1(answer):
    import torch
    V = check.as_tensor(answer, "a tensor of shape (5, 4)")
    x = q1_x()
    expected = torch.stack([x ** j for j in range(4)], dim=1)
    if tuple(V.shape) == (5, 3):
        raise CheckFailed("shape (5, 3): degree 3 has 4 coefficients, w₀ … w₃, so 4 columns")
    check.shape(V, (5, 4), name="V")
    if torch.allclose(V.double(), expected.flip(1)):
        raise CheckFailed("the columns run from x³ down to 1 (numpy.vander's order); the lesson "
                          "uses increasing powers 1, x, x², x³ so that V @ w uses w₀ … w₃")
    check.close(V, expected, name="V")


q1 = Exercise(
    name="Q1 · the Vandermonde matrix",
    checker=_check_q1,
    hint_text=("Column j holds x to the power j, for j = 0, 1, 2, 3. Broadcasting builds it in one "
               "line: x[:, None] has shape (5, 1) and torch.arange(4) shape (4,)."),
    right_answer=answers.vandermonde,
    wrong_answers=[answers.vandermonde_degree_2, answers.vandermonde_decreasing_powers,
                   answers.vandermonde_no_constant_column],
)

# ---------------------------------------------------------------------------------------------
# q2 · diagnose from train and validation error
# ---------------------------------------------------------------------------------------------
Q2_MODELS = {"A": (0.71, 0.74), "B": (0.29, 0.32), "C": (0.04, 0.93)}  # (train RMSE, val RMSE)
Q2_EXPECTED = {"A": "underfitting", "B": "good fit", "C": "overfitting"}

q2 = labels(
    Q2_EXPECTED, ("underfitting", "good fit", "overfitting"), what="verdict",
    aliases={"underfit": "underfitting", "good": "good fit", "overfit": "overfitting"},
    name="Q2 · diagnose the fit",
    hint_text=("Compare each training error with the noise level (0.3): far above it means the "
               "model cannot even fit the data it sees. Then compare validation with training: a "
               "large gap means it fits what it saw, noise included, and not what it did not."),
    right_answer=answers.diagnoses,
    wrong_answers=[answers.diagnoses_swapped_ends, answers.diagnoses_a_and_b_swapped,
                   answers.diagnoses_b_as_overfitting],
)


# ---------------------------------------------------------------------------------------------
# q3 · bias² and variance from refitted models
# ---------------------------------------------------------------------------------------------
def q3_data():
    """The data of q3: `preds` (K=6, m=50), the predictions of 6 models fitted on 6 resampled
    training sets at 50 test inputs, and `f` (50,), the true function there (float64)."""
    import torch
    g = torch.Generator().manual_seed(310)
    x = torch.linspace(0, 1, 50, dtype=torch.float64)
    f = torch.sin(2 * torch.pi * x)
    offsets = 0.3 * torch.randn(6, 1, generator=g, dtype=torch.float64)
    wiggles = 0.2 * torch.randn(6, 50, generator=g, dtype=torch.float64)
    preds = 0.7 * f + 0.1 + offsets + wiggles
    return preds, f


def _check_q3(answer):
    bias2, variance = (check.as_number(v, name) for v, name in
                       zip(check.as_pair(answer, "bias2, variance"), ("bias2", "variance")))
    preds, f = q3_data()
    average_model = preds.mean(dim=0)
    check.rule_out(bias2, {
        ((preds - f) ** 2).mean().item(): "bias2 is the total squared error, bias² + variance: "
                                          "average the predictions over the models first, then "
                                          "compare with f",
        ((average_model - f).mean() ** 2).item(): "bias2 squares the average error over x; "
                                                  "square at each x first, then average "
                                                  "(positive and negative errors must not cancel)",
    }, rtol=0, atol=1e-9)
    check.close(bias2, ((average_model - f) ** 2).mean(), name="bias2", rtol=1e-6)
    check.rule_out(variance, {
        preds.var(dim=0, correction=1).mean().item(): "variance divides by K − 1; the "
                                                      "decomposition that adds up exactly "
                                                      "divides by K (correction=0)",
        preds.var(dim=1, correction=0).mean().item(): "that variance is across x for each "
                                                      "model; the variance of interest is across "
                                                      "the models (dim 0), at each x",
    }, rtol=0, atol=1e-9)
    check.close(variance, preds.var(dim=0, correction=0).mean(), name="variance", rtol=1e-6)


q3 = Exercise(
    name="Q3 · bias and variance",
    checker=_check_q3,
    hint_text=("Average the K predictions at each x (dim 0): that is the average model. bias² is "
               "the mean over x of (average model − f)². variance is the mean over x of the "
               "variance across models at each x: preds.var(dim=0, correction=0)."),
    right_answer=answers.bias_and_variance,
    wrong_answers=[answers.bias_is_total_error, answers.bias_squared_after_averaging,
                   answers.variance_across_x, answers.variance_unbiased],
)


# ---------------------------------------------------------------------------------------------
# q4 · early stopping with patience
# ---------------------------------------------------------------------------------------------
Q4_CASES = [
    ([1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 1.0, 1.1], 2),
    ([1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 1.0, 1.1], 3),
    ([0.9, 0.7, 0.7, 0.7, 0.5, 0.6], 2),
    ([3.0, 2.0, 1.0, 0.5], 2),
    ([0.5, 0.6, 0.4, 0.45, 0.41, 0.42, 0.39, 0.5, 0.6, 0.7], 2),
]


def _reference(losses, patience):
    best, best_loss = 0, float("inf")
    for epoch, loss in enumerate(losses):
        if loss < best_loss:
            best, best_loss = epoch, loss
        elif epoch - best >= patience:
            return best, epoch
    return best, len(losses) - 1


q4 = write_function(
    "early_stopping(val_losses, patience)", _reference, lambda: Q4_CASES,
    parts=("best_epoch", "stop_epoch"),
    name="Q4 · early stopping",
    hint_text=("Walk through the epochs in order, remembering the best loss so far and its epoch. "
               "A loss strictly lower than the best is an improvement; otherwise, stop as soon as "
               "`patience` epochs have passed since the best one (epoch − best ≥ patience). You "
               "may not look ahead: the future is not known during training."),
    right_answer=answers.early_stopping,
    wrong_answers=[answers.early_stopping_looks_ahead, answers.early_stopping_one_epoch_late,
                   answers.early_stopping_tie_improves],
)
