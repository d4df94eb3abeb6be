"""Answers to L1.09's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import torch

from . import computed


# q1 · standardization statistics from training batches
class RunningStandardize:
    """StandardScaler's statistics, accumulated batch by batch (Chan, Golub & LeVeque's update)."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0   # rows so far, their mean, Σ(x − mean)²

    def partial_fit(self, X):
        m = len(X)
        batch_mean = X.mean(dim=0)
        batch_m2 = ((X - batch_mean) ** 2).sum(dim=0)
        n = self.n + m
        delta = batch_mean - self.mean
        self.mean = self.mean + delta * m / n
        self.m2 = self.m2 + batch_m2 + delta ** 2 * self.n * m / n
        self.n = n
        return self

    def transform(self, X):
        std = (self.m2 / self.n).sqrt()
        std = torch.where(std > 0, std, torch.ones_like(std))   # a constant column keeps scale 1
        return (X - self.mean) / std


class AverageOfBatchStatistics:
    """The average of each batch's mean and standard deviation: wrong when batch sizes differ,
    and an average of standard deviations is not the standard deviation of the whole."""

    def __init__(self):
        self.means, self.stds = [], []

    def partial_fit(self, X):
        self.means.append(X.mean(dim=0))
        self.stds.append(X.std(dim=0, correction=0))
        return self

    def transform(self, X):
        std = torch.stack(self.stds).mean(dim=0)
        std = torch.where(std > 0, std, torch.ones_like(std))
        return (X - torch.stack(self.means).mean(dim=0)) / std


class SumOfSquaresStandardize:
    """Σx and Σx², then var = Σx²/n − mean²: right on paper, but for values near 1.7e9 the two
    terms agree in all the digits a float64 has, and their difference is rounding noise."""

    def __init__(self):
        self.n, self.s1, self.s2 = 0, 0.0, 0.0

    def partial_fit(self, X):
        self.n += len(X)
        self.s1 = self.s1 + X.sum(dim=0)
        self.s2 = self.s2 + (X ** 2).sum(dim=0)
        return self

    def transform(self, X):
        mean = self.s1 / self.n
        std = (self.s2 / self.n - mean ** 2).clamp(min=0).sqrt()
        std = torch.where(std > 0, std, torch.ones_like(std))
        return (X - mean) / std


class LastBatchStandardize(RunningStandardize):
    """Each partial_fit starts over: only the last batch counts."""

    def partial_fit(self, X):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0
        return super().partial_fit(X)


class TransformAlsoFits(RunningStandardize):
    """transform updates the statistics with the rows it transforms: test rows leak in."""

    def transform(self, X):
        self.partial_fit(X)
        return super().transform(X)


class StandardizeWithoutZeroGuard(RunningStandardize):
    """Divides by a standard deviation of 0 where a column is constant in the training data."""

    def transform(self, X):
        return (X - self.mean) / (self.m2 / self.n).sqrt()


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
