"""Answers to L3.23's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

from . import computed


# q1 · the seasonal-naive forecast
def seasonal_naive(series, period, horizon):
    last = series[..., -period:]                                   # the last full season
    index = [h % period for h in range(horizon)]                   # step h repeats step h mod m of it
    return last[..., index]


def seasonal_naive_last_value(series, period, horizon):
    """The plain naive forecast: the last value, repeated; ignores the season."""
    return series[..., -1:].expand(*series.shape[:-1], horizon)


def seasonal_naive_first_season(series, period, horizon):
    """Repeats the first season of the series, not the last (stale, and off phase in general)."""
    first = series[..., :period]
    return first[..., [h % period for h in range(horizon)]]


def seasonal_naive_no_wrap(series, period, horizon):
    """Slices `horizon` values starting one season back: past the end of the data once
    horizon > period, where it runs into the last values instead of starting the season again."""
    t = series.shape[-1]
    index = [min(t - period + h, t - 1) for h in range(horizon)]
    return series[..., index]


def seasonal_naive_off_by_one(series, period, horizon):
    """Starts one step too late: each forecast copies the value period − 1 steps before it."""
    last = series[..., -period:]
    return last[..., [(h + 1) % period for h in range(horizon)]]


# q2 · the seasonal-naive forecast's MAE on a noisy but perfectly seasonal series
@computed
def naive_over_best_mae():
    # error of the best forecast: e ~ N(0, σ²), E|e| = σ·√(2/π)
    # error of the seasonal naive: e_t − e_{t−m} ~ N(0, 2σ²), E|·| = √2 · σ·√(2/π)
    return math.sqrt(2)


@computed
def naive_over_best_mae_variance():
    return 2.0


@computed
def naive_over_best_mae_same():
    return 1.0


# q3 · what is true of the three applications
@computed
def true_statements():
    return {"a", "b", "e"}


@computed
def true_statements_with_resolution():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_shuffled_split():
    return {"a", "b", "d", "e"}


@computed
def true_statements_without_masking():
    return {"b", "e"}
