"""Exercises of L1.09 · Data: splits & preprocessing (数据处理).

    from dlcourse.exercises import l1_09 as ex
    X_train, X_test = ex.data()
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from . import Exercise
from . import l1_09_answers as answers
from .kinds import choices, number


def data():
    """The data of q1 and q2: X_train (30, 3) and X_test (10, 3), float64, features on very
    different scales (like age in years, a ratio, and an income), always the same."""
    import torch
    g = torch.Generator().manual_seed(109)
    scale = torch.tensor([12.0, 0.05, 3000.0], dtype=torch.float64)
    shift = torch.tensor([45.0, 0.3, 20000.0], dtype=torch.float64)
    X = torch.randn(40, 3, generator=g, dtype=torch.float64) * scale + shift
    return X[:30], X[30:]


# ---------------------------------------------------------------------------------------------
# q1 · standardize without leakage
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    X_train, X_test = data()
    t = check.as_tensor(answer, "the standardized X_test", shape=(10, 3)).double()
    check.rule_out(t, [
        ((X_test - X_test.mean(0)) / X_test.std(0, correction=0),
         ("you used X_test's own mean and standard deviation: the test set must be transformed "
          "with statistics computed on the training set only")),
        ((X_test - X_train.mean(0)) / X_train.std(0),
         ("close, but that is the n − 1 (unbiased) standard deviation; use the population one, "
          "std(0, correction=0), as StandardScaler does")),
    ], rtol=0, atol=1e-6)
    expected = (X_test - X_train.mean(0)) / X_train.std(0, correction=0)
    check.close(t, expected, name="standardized X_test", rtol=1e-6, atol=1e-8)


q1 = Exercise(
    name="Q1 · standardize without leakage",
    checker=_check_q1,
    hint_text=("Compute the mean and the standard deviation of each column on X_train only: "
               "X_train.mean(dim=0) and X_train.std(dim=0, correction=0) (divide by n, as "
               "sklearn's StandardScaler does). Then apply them to X_test."),
    right_answer=answers.standardized_test_set,
    wrong_answers=[answers.standardized_with_test_statistics,
                   answers.standardized_with_all_the_data,
                   answers.standardized_with_unbiased_std, answers.scaled_not_centred],
)


# ---------------------------------------------------------------------------------------------
# q2 · the condition number of the MSE's Hessian
# ---------------------------------------------------------------------------------------------
def _kappa() -> float:
    import torch
    X, _ = data()
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)
    lam = torch.linalg.eigvalsh(2 * A.T @ A / len(X))
    return (lam[-1] / lam[0]).item()


q2 = number(
    _kappa, what="κ of the Hessian", rtol=1e-4,  # κ ≈ 2e11: equally right routes differ by 1e-5
    mistakes=lambda: {_kappa() ** 0.5: "that is the condition number of X̃ itself (singular "
                                       "values); the Hessian 2/n X̃ᵀX̃ squares it"},
    name="Q2 · the condition number",
    hint_text=("Append a column of ones to X_train (the bias), form H = 2/n X̃ᵀX̃, take its "
               "eigenvalues with torch.linalg.eigvalsh (ascending) and divide the largest by the "
               "smallest. Do not standardize first: the question is about the raw features."),
    right_answer=answers.condition_number,
    wrong_answers=[answers.condition_number_without_bias,
                   answers.condition_number_of_the_features,
                   answers.condition_number_after_standardizing,
                   answers.ratio_of_spreads],
)


# ---------------------------------------------------------------------------------------------
# q3 · spot the leaks
# ---------------------------------------------------------------------------------------------
Q3_CHOICES = {
    "a": "fit a StandardScaler on the training set and apply it to the test set",
    "b": "keep the 20 features most correlated with the target, chosen on the whole data set",
    "c": "try ten learning rates and keep the one with the best test-set score",
    "d": "fill missing values with the mean of each column over the whole data set",
    "e": "reshuffle the training set at the start of every epoch",
    "f": "stop training at the epoch with the lowest validation loss",
    "g": "split patients' X-ray images randomly, so one patient's images land in train and test",
}
Q3_LEAKS = {"b", "c", "d", "g"}

q3 = choices(
    list(Q3_CHOICES), Q3_LEAKS,
    extra="{n} of your choices are fine practice", missing="{n} leak(s) are missing",
    name="Q3 · spot the leaks",
    hint_text=("Ask of each step: does anything computed from the test set (its values, its "
               "targets or its score) influence the model or its choices? The validation set "
               "exists to be used for choices; the test set is used once, at the end. And "
               "'one patient, two sets' lets the model recognize the patient rather than the "
               "disease."),
    right_answer=answers.leaks,
    wrong_answers=[answers.leaks_without_patient_split, answers.leaks_with_early_stopping,
                   answers.leaks_with_train_fitted_scaler, answers.leaks_two_only],
)


# ---------------------------------------------------------------------------------------------
# q4 · batches per epoch
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    what = "batches, size of the last batch, batches with drop_last=True"
    got = tuple(check.as_whole_number(v, name) for v, name in
                zip(check.as_tuple(answer, 3, what), what.split(", ")))
    check.equal(got, (16, 40, 15), name="(batches, last batch size, batches with drop_last)")


q4 = Exercise(
    name="Q4 · batches per epoch",
    checker=_check_q4,
    hint_text=("1000 = 15 × 64 + 40. Without drop_last the 40 leftover examples make one more, "
               "smaller batch; drop_last=True throws them away for this epoch."),
    right_answer=answers.batches,
    wrong_answers=[answers.batches_leftover_forgotten, answers.batches_last_one_full,
                   answers.batches_drop_last_keeps_short, answers.batches_missing_not_there],
)
