"""Exercises of L1.09 · Data: splits & preprocessing (数据处理).

    from dlcourse.exercises import l1_09 as ex
    X_train, X_test = ex.data()
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise


def data():
    """The data of q1 and q2: X_train (30, 3) and X_test (10, 3), float64, features on very
    different scales (like age in years, a ratio, and an income), always the same."""
    import torch
    g = torch.Generator().manual_seed(109)
    scale = torch.tensor([12.0, 0.05, 3000.0], dtype=torch.float64)
    shift = torch.tensor([45.0, 0.3, 20000.0], dtype=torch.float64)
    X = torch.randn(40, 3, generator=g, dtype=torch.float64) * scale + shift
    return X[:30], X[30:]


def _tensor(answer, what):
    import torch
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a torch.Tensor ({what}), got {type(answer).__name__}")
    return answer


# ---------------------------------------------------------------------------------------------
# q1 · standardize without leakage
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    X_train, X_test = data()
    t = _tensor(answer, "the standardized X_test, shape (10, 3)")
    check.shape(t, (10, 3), name="standardized X_test")
    own = (X_test - X_test.mean(0)) / X_test.std(0, correction=0)
    if (t.double() - own).abs().max() < 1e-6:
        raise CheckFailed("you used X_test's own mean and standard deviation: the test set must be "
                          "transformed with statistics computed on the training set only")
    expected = (X_test - X_train.mean(0)) / X_train.std(0, correction=0)
    unbiased = (X_test - X_train.mean(0)) / X_train.std(0)
    if (t.double() - unbiased).abs().max() < 1e-6:
        raise CheckFailed("close, but that is the n − 1 (unbiased) standard deviation; use the "
                          "population one, std(0, correction=0), as StandardScaler does")
    check.close(t, expected, name="standardized X_test", rtol=1e-6, atol=1e-8)


q1 = Exercise(
    name="Q1 · standardize without leakage",
    checker=_check_q1,
    hint_text=("Compute the mean and the standard deviation of each column on X_train only: "
               "X_train.mean(dim=0) and X_train.std(dim=0, correction=0) (divide by n, as "
               "sklearn's StandardScaler does). Then apply them to X_test."),
    solution_code="""
from dlcourse.exercises.l1_09 import data
X_train, X_test = data()
mean, std = X_train.mean(dim=0), X_train.std(dim=0, correction=0)
answer = (X_test - mean) / std
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_09 import data\nX_train, X_test = data()\n"
        "answer = (X_test - X_test.mean(0)) / X_test.std(0, correction=0)    # test statistics",
        "import torch\nfrom dlcourse.exercises.l1_09 import data\nX_train, X_test = data()\n"
        "X_all = torch.cat([X_train, X_test])\n"
        "answer = (X_test - X_all.mean(0)) / X_all.std(0, correction=0)      # all the data",
        "from dlcourse.exercises.l1_09 import data\nX_train, X_test = data()\n"
        "answer = (X_test - X_train.mean(0)) / X_train.std(0)                # n − 1",
        "from dlcourse.exercises.l1_09 import data\nX_train, X_test = data()\n"
        "answer = X_test / X_train.std(0, correction=0)                      # not centred",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · the condition number of the MSE's Hessian
# ---------------------------------------------------------------------------------------------
def _kappa(X):
    import torch
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)
    lam = torch.linalg.eigvalsh(2 * A.T @ A / len(X))
    return (lam[-1] / lam[0]).item()


def _check_q2(answer):
    import torch
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            raise CheckFailed(f"expected one number, got a tensor of shape {tuple(answer.shape)}")
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise CheckFailed(f"expected a number (κ = λ_max / λ_min), got {type(answer).__name__}")
    X_train, _ = data()
    expected = _kappa(X_train)
    if abs(answer - expected ** 0.5) < 1e-6 * expected ** 0.5:
        raise CheckFailed("that is the condition number of X̃ itself (singular values); the "
                          "Hessian 2/n X̃ᵀX̃ squares it")
    check.close(answer, expected, name="κ of the Hessian", rtol=1e-6)


q2 = Exercise(
    name="Q2 · the condition number",
    checker=_check_q2,
    hint_text=("Append a column of ones to X_train (the bias), form H = 2/n X̃ᵀX̃, take its "
               "eigenvalues with torch.linalg.eigvalsh (ascending) and divide the largest by the "
               "smallest. Do not standardize first: the question is about the raw features."),
    solution_code="""
import torch
from dlcourse.exercises.l1_09 import data
X_train, _ = data()
A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)
lam = torch.linalg.eigvalsh(2 * A.T @ A / len(A))
answer = (lam[-1] / lam[0]).item()
""",
    wrong_codes=[
        "import torch\nfrom dlcourse.exercises.l1_09 import data\nX_train, _ = data()\n"
        "lam = torch.linalg.eigvalsh(2 * X_train.T @ X_train / len(X_train))\n"
        "answer = (lam[-1] / lam[0]).item()                         # the bias column is missing",
        "import torch\nfrom dlcourse.exercises.l1_09 import data\nX_train, _ = data()\n"
        "A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)\n"
        "s = torch.linalg.svdvals(A)\nanswer = (s[0] / s[-1]).item()       # κ of X̃, not of X̃ᵀX̃",
        "import torch\nfrom dlcourse.exercises.l1_09 import data\nX_train, _ = data()\n"
        "Z = (X_train - X_train.mean(0)) / X_train.std(0, correction=0)\n"
        "A = torch.cat([Z, torch.ones(len(Z), 1, dtype=Z.dtype)], dim=1)\n"
        "lam = torch.linalg.eigvalsh(2 * A.T @ A / len(A))\n"
        "answer = (lam[-1] / lam[0]).item()                         # standardized first",
        "from dlcourse.exercises.l1_09 import data\nX_train, _ = data()\n"
        "s = X_train.std(0)\nanswer = (s.max() / s.min()).item()          # a ratio of spreads",
    ],
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


def _check_q3(answer):
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        raise CheckFailed(f"expected a set of letters such as {{'a', 'b'}}, got {answer!r}")
    got = {str(k).strip().lower() for k in answer}
    unknown = got - set(Q3_CHOICES)
    if unknown:
        raise CheckFailed(f"unknown letters {sorted(unknown)}; choose among {sorted(Q3_CHOICES)}")
    if got != Q3_LEAKS:
        extra, missing = len(got - Q3_LEAKS), len(Q3_LEAKS - got)
        parts = []
        if extra:
            parts.append(f"{extra} of your choices are fine practice")
        if missing:
            parts.append(f"{missing} leak(s) are missing")
        raise CheckFailed("; ".join(parts))


q3 = Exercise(
    name="Q3 · spot the leaks",
    checker=_check_q3,
    hint_text=("Ask of each step: does anything computed from the test set (its values, its "
               "targets or its score) influence the model or its choices? The validation set "
               "exists to be used for choices; the test set is used once, at the end. And "
               "'one patient, two sets' lets the model recognize the patient rather than the "
               "disease."),
    solution_code="""
answer = {"b", "c", "d", "g"}
""",
    wrong_codes=[
        'answer = {"b", "c", "d"}            # the patient split is a leak too',
        'answer = {"b", "c", "d", "f", "g"}  # early stopping on validation is fine',
        'answer = {"a", "b", "c", "d", "g"}  # a scaler fitted on train is the right way',
        'answer = {"b", "g"}                 # test-set tuning and whole-data imputation leak',
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · batches per epoch
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise CheckFailed(f"expected three whole numbers (batches, size of the last batch, batches "
                          f"with drop_last=True), got {answer!r}")
    try:
        got = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        raise CheckFailed(f"expected three whole numbers, got {answer!r}") from None
    if any(g != v for g, v in zip(got, answer)):
        raise CheckFailed(f"expected whole numbers, got {answer!r}")
    check.equal(got, (16, 40, 15), name="(batches, last batch size, batches with drop_last)")


q4 = Exercise(
    name="Q4 · batches per epoch",
    checker=_check_q4,
    hint_text=("1000 = 15 × 64 + 40. Without drop_last the 40 leftover examples make one more, "
               "smaller batch; drop_last=True throws them away for this epoch."),
    solution_code="""
import math
n, B = 1000, 64
answer = (math.ceil(n / B), n - (math.ceil(n / B) - 1) * B, n // B)
""",
    wrong_codes=[
        "answer = (15, 64, 15)        # the leftover 40 forgotten",
        "answer = (16, 64, 16)        # the last batch is not full",
        "answer = (16, 40, 16)        # drop_last drops the short batch",
        "answer = (16, 24, 15)        # 64 − 40 is what is missing, not what is there",
    ],
)
