"""Answers to L1.09's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import torch

from . import computed


# q1 · standardize without leakage
@computed
def standardized_test_set():
    from dlcourse.exercises import l1_09 as ex
    X_train, X_test = ex.data()
    mean, std = X_train.mean(dim=0), X_train.std(dim=0, correction=0)
    return (X_test - mean) / std


@computed
def standardized_with_test_statistics():
    from dlcourse.exercises import l1_09 as ex
    _, X_test = ex.data()
    return (X_test - X_test.mean(0)) / X_test.std(0, correction=0)


@computed
def standardized_with_all_the_data():
    from dlcourse.exercises import l1_09 as ex
    X_train, X_test = ex.data()
    X_all = torch.cat([X_train, X_test])
    return (X_test - X_all.mean(0)) / X_all.std(0, correction=0)


@computed
def standardized_with_unbiased_std():
    from dlcourse.exercises import l1_09 as ex
    X_train, X_test = ex.data()
    return (X_test - X_train.mean(0)) / X_train.std(0)


@computed
def scaled_not_centred():
    from dlcourse.exercises import l1_09 as ex
    X_train, X_test = ex.data()
    return X_test / X_train.std(0, correction=0)


# q2 · the condition number of the MSE's Hessian
@computed
def condition_number():
    from dlcourse.exercises import l1_09 as ex
    X_train, _ = ex.data()
    A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)
    lam = torch.linalg.eigvalsh(2 * A.T @ A / len(A))
    return (lam[-1] / lam[0]).item()


@computed
def condition_number_without_bias():
    from dlcourse.exercises import l1_09 as ex
    X_train, _ = ex.data()
    lam = torch.linalg.eigvalsh(2 * X_train.T @ X_train / len(X_train))
    return (lam[-1] / lam[0]).item()


@computed
def condition_number_of_the_features():
    """κ of X̃, not of X̃ᵀX̃."""
    from dlcourse.exercises import l1_09 as ex
    X_train, _ = ex.data()
    A = torch.cat([X_train, torch.ones(len(X_train), 1, dtype=X_train.dtype)], dim=1)
    s = torch.linalg.svdvals(A)
    return (s[0] / s[-1]).item()


@computed
def condition_number_after_standardizing():
    from dlcourse.exercises import l1_09 as ex
    X_train, _ = ex.data()
    Z = (X_train - X_train.mean(0)) / X_train.std(0, correction=0)
    A = torch.cat([Z, torch.ones(len(Z), 1, dtype=Z.dtype)], dim=1)
    lam = torch.linalg.eigvalsh(2 * A.T @ A / len(A))
    return (lam[-1] / lam[0]).item()


@computed
def ratio_of_spreads():
    from dlcourse.exercises import l1_09 as ex
    X_train, _ = ex.data()
    s = X_train.std(0)
    return (s.max() / s.min()).item()


# q3 · spot the leaks
@computed
def leaks():
    return {"b", "c", "d", "g"}


@computed
def leaks_without_patient_split():
    """The patient split is a leak too."""
    return {"b", "c", "d"}


@computed
def leaks_with_early_stopping():
    """Early stopping on validation is fine."""
    return {"b", "c", "d", "f", "g"}


@computed
def leaks_with_train_fitted_scaler():
    """A scaler fitted on train is the right way."""
    return {"a", "b", "c", "d", "g"}


@computed
def leaks_two_only():
    return {"b", "g"}


# q4 · batches per epoch
@computed
def batches():
    n, B = 1000, 64
    return (math.ceil(n / B), n - (math.ceil(n / B) - 1) * B, n // B)


@computed
def batches_leftover_forgotten():
    return (15, 64, 15)


@computed
def batches_last_one_full():
    return (16, 64, 16)


@computed
def batches_drop_last_keeps_short():
    return (16, 40, 16)


@computed
def batches_missing_not_there():
    """64 − 40 is what is missing, not what is there."""
    return (16, 24, 15)
