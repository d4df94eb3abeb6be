"""Answers to L2.13's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import numpy as np

from . import computed


# q1 · TensorBoard's smoothing: a debiased exponential moving average
def smooth(values, weight):
    out = np.empty(len(values))
    last = 0.0
    for k, value in enumerate(values, start=1):
        last = weight * last + (1 - weight) * value
        out[k - 1] = last / (1 - weight ** k)      # debiasing: undo the pull of the zero start
    return out


def smooth_without_debiasing(values, weight):
    """The plain average from 0: the first points are pulled towards 0."""
    out = np.empty(len(values))
    last = 0.0
    for k, value in enumerate(values):
        last = weight * last + (1 - weight) * value
        out[k] = last
    return out


def smooth_from_first_value(values, weight):
    """Starts the average at the first value instead of debiasing a zero start."""
    out = np.empty(len(values))
    last = values[0]
    for k, value in enumerate(values):
        last = weight * last + (1 - weight) * value
        out[k] = last
    return out


def smooth_weight_swapped(values, weight):
    """Gives the weight to the new value: smoothing 0.9 then barely smooths."""
    out = np.empty(len(values))
    last = 0.0
    for k, value in enumerate(values, start=1):
        last = (1 - weight) * last + weight * value
        out[k - 1] = last / (1 - (1 - weight) ** k)
    return out


# q2 · serving a demo and reading event files
@computed
def true_statements():
    return {"a", "b", "d"}


@computed
def true_statements_open_to_all():
    return {"a", "d"}


@computed
def true_statements_keeps_all():
    return {"a", "b", "d", "e"}


@computed
def true_statements_writes_at_once():
    return {"a", "b", "d", "f"}


# q3 · smoothing 0.9, values 2 then 1: the second smoothed point
@computed
def second_smoothed_point():
    weight, last = 0.9, 0.0
    for value in (2.0, 1.0):
        last = weight * last + (1 - weight) * value
    return last / (1 - weight ** 2)


@computed
def second_smoothed_point_without_debiasing():
    return 0.9 * (0.1 * 2.0) + 0.1 * 1.0


@computed
def second_smoothed_point_from_first_value():
    return 0.9 * 2.0 + 0.1 * 1.0


@computed
def second_smoothed_point_mean():
    return 1.5
