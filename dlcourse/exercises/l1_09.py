"""Exercises of L1.09 · Data: splits & preprocessing (数据处理).

    from dlcourse.exercises import l1_09 as ex
    ex.q1.check(RunningStandardize); ex.q1.hint(); ex.q1.solution()
    X_train, X_test = ex.data()       # the data of q2
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed, NotAttempted
from . import Exercise
from . import l1_09_answers as answers
from .kinds import choices, number


def data():
    """The data of q2: X_train (30, 3) and X_test (10, 3), float64, features on very different
    scales (like age in years, a ratio, and an income), always the same."""
    import torch
    g = torch.Generator().manual_seed(109)
    scale = torch.tensor([12.0, 0.05, 3000.0], dtype=torch.float64)
    shift = torch.tensor([45.0, 0.3, 20000.0], dtype=torch.float64)
    X = torch.randn(40, 3, generator=g, dtype=torch.float64) * scale + shift
    return X[:30], X[30:]


# ---------------------------------------------------------------------------------------------
# q1 · standardization statistics from training batches
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    """{label: (training batches, X_test, names of the columns)}, float64. The test rows come
    from a shifted distribution, so statistics that peek at them show."""
    import torch
    g = torch.Generator().manual_seed(91)

    def table(n, mean, std):
        mean, std = (torch.tensor(v, dtype=torch.float64) for v in (mean, std))
        return torch.randn(n, len(mean), generator=g, dtype=torch.float64) * std + mean

    def batches(X, sizes):
        return list(torch.split(X, sizes))

    scales = ([45.0, 0.3, 20000.0, 120.0], [12.0, 0.05, 3000.0, 15.0])
    shifted = ([52.0, 0.35, 24000.0, 110.0], [15.0, 0.04, 5000.0, 20.0])
    mixed = ["age", "a ratio", "an income", "blood pressure"]
    twos = torch.full((40, 1), 2.0, dtype=torch.float64)
    sex_train = torch.cat([table(40, [50.0], [10.0]), twos], 1)
    sex_test = torch.cat([table(10, [50.0], [10.0]),
                          torch.tensor([[1.0], [2.0]], dtype=torch.float64).repeat(5, 1)], 1)
    stamps = ([1.7e9, 36.6], [60.0, 0.4])
    return {
        "300 rows in batches of 64 (the last one 44)":
            (batches(table(300, *scales), [64, 64, 64, 64, 44]), table(20, *shifted), mixed),
        "batches of 1, 7 and 50 rows":
            (batches(table(58, *scales), [1, 7, 50]), table(20, *shifted), mixed),
        "a column that is 2 in every training row (sex, all patients 2)":
            (batches(sex_train, [16, 16, 8]), sex_test, ["age", "sex"]),
        "a timestamp column (seconds since 1970, about 1.7e9, spread over minutes)":
            (batches(table(200, *stamps), [64, 64, 64, 8]),
             table(10, [1.7e9 + 30, 36.8], [60.0, 0.4]), ["timestamp", "temperature"]),
    }


def _q1_reference(batches, X_test):
    """scikit-learn's StandardScaler, fitted batch by batch with partial_fit."""
    import torch
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler()
    for X in batches:
        scaler.partial_fit(X.numpy())
    return torch.from_numpy(scaler.transform(X_test.numpy()))


def _standardized_with(X_fit, X):
    import torch
    std = X_fit.std(dim=0, correction=0)
    return (X - X_fit.mean(dim=0)) / torch.where(std > 0, std, torch.ones_like(std))


def _q1_leaks(batches, X_test):
    """What comes out when test rows reach the statistics: (result, why) pairs."""
    import torch
    X_train = torch.cat(batches)
    return [(_standardized_with(X_test, X_test),
             "transform used X_test's own mean and standard deviation: it must use the "
             "statistics partial_fit learned from the training batches, and nothing else"),
            (_standardized_with(torch.cat([X_train, X_test]), X_test),
             "transform(X_test) changed the statistics: X_test's rows were added to them "
             "(a leak); transform must only apply what partial_fit learned")]


def _q1_run(answer, batches, X_test, label):
    import copy
    scaler = check.call(answer, what=f"{answer.__name__}()")
    for i, X in enumerate(batches):
        check.call(scaler.partial_fit, copy.deepcopy(X),
                   what=f"partial_fit(batch {i + 1}) on {label}")
    return check.call(scaler.transform, copy.deepcopy(X_test), what=f"transform(X_test) on {label}")


def _check_q1(answer):
    import torch
    if not isinstance(answer, type):
        raise CheckFailed(f"expected a class (RunningStandardize itself, not an instance), got "
                          f"{check.describe(answer)}")
    if check.is_stub(answer):
        raise NotAttempted(f"the methods of {answer.__name__} are still `...`")
    for label, (batches, X_test, columns) in _q1_cases().items():
        got = check.as_array(_q1_run(answer, batches, X_test, label),
                             f"transform(X_test) on {label}", shape=tuple(X_test.shape))
        expected = _q1_reference(batches, X_test)
        if not bool(got.isfinite().all()):
            j = int((~got.isfinite()).any(dim=0).nonzero()[0])
            raise CheckFailed(f"on {label}: column {j} ({columns[j]}) holds nan or inf. A column "
                              "whose training values are all equal has standard deviation 0: "
                              "StandardScaler leaves its scale at 1; and a variance from "
                              "Σx²/n − mean² can even come out negative")
        for wrong, why in _q1_leaks(batches, X_test):
            if torch.allclose(got, wrong, rtol=0, atol=1e-6) and \
                    not torch.allclose(got, expected, rtol=0, atol=1e-6):
                raise CheckFailed(f"on {label}: {why}")
        diff = (got - expected).abs().max(dim=0).values
        if bool((diff > 1e-6).any()):
            j = int(diff.argmax())
            raise CheckFailed(f"on {label}: column {j} ({columns[j]}) of transform(X_test) differs "
                              f"from StandardScaler's by up to {diff[j].item():.3g}")


q1 = Exercise(
    name="Q1 · statistics from batches",
    checker=_check_q1,
    hint_text=("Keep three things: the count n, the mean, and M2 = Σ(x − mean)² over the rows "
               "seen so far (per column). For a batch of m rows with its own mean and M2: "
               "δ = batch mean − mean; n' = n + m; mean' = mean + δ·m/n'; "
               "M2' = M2 + M2_batch + δ²·n·m/n'. transform divides X − mean by √(M2/n), with 1 "
               "in place of a standard deviation of 0, and never changes the statistics."),
    right_answer=answers.RunningStandardize,
    wrong_answers=[answers.AverageOfBatchStatistics, answers.SumOfSquaresStandardize,
                   answers.LastBatchStandardize, answers.TransformAlsoFits,
                   answers.StandardizeWithoutZeroGuard],
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
