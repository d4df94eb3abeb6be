"""Answers to L1.00's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import numpy as np

from . import computed


# q1 · learning paradigms
@computed
def paradigms():
    return {"a": "supervised", "b": "unsupervised", "c": "reinforcement",
            "d": "generative", "e": "supervised"}


@computed
def paradigms_go_as_supervised():
    """Everything with a label looks supervised."""
    return {"a": "supervised", "b": "unsupervised", "c": "supervised",
            "d": "generative", "e": "supervised"}


@computed
def paradigms_faces_as_clusters():
    """Generating faces mistaken for unsupervised clustering."""
    return {"a": "supervised", "b": "unsupervised", "c": "reinforcement",
            "d": "unsupervised", "e": "supervised"}


@computed
def paradigms_segments_as_classes():
    return {"a": "supervised", "b": "supervised", "c": "reinforcement",
            "d": "generative", "e": "supervised"}


@computed
def paradigms_one_left_out():
    return {"a": "supervised", "b": "unsupervised", "c": "reinforcement", "d": "generative"}


# q2 · classification or regression
@computed
def task_types():
    return {"a": "regression", "b": "classification", "c": "regression",
            "d": "classification", "e": "classification"}


@computed
def task_types_digits_as_numbers():
    """Digits are numbers, so it must be regression?"""
    return {"a": "regression", "b": "regression", "c": "regression",
            "d": "classification", "e": "classification"}


@computed
def task_types_vocabulary_too_big():
    """50,000 classes feels like too many for classification."""
    return {"a": "regression", "b": "classification", "c": "regression",
            "d": "classification", "e": "regression"}


@computed
def task_types_age_as_classes():
    """Age in whole years treated as classes."""
    return {"a": "regression", "b": "classification", "c": "classification",
            "d": "classification", "e": "classification"}


# q3 · compute, not dates
@computed
def compute_order():
    from dlcourse.widgets.compute_timeline import LANDMARKS
    names = {"AlexNet": "AlexNet", "Stupid-backoff LM (Brants et al.)": "Stupid-backoff LM",
             "Transformer (big)": "Transformer", "GNMT (Google Translate)": "GNMT",
             "AlphaGo Zero": "AlphaGo Zero"}
    ours = [m for m in LANDMARKS if m.name in names]
    return [names[m.name] for m in sorted(ours, key=lambda m: m.compute)]


@computed
def compute_order_by_date():
    """The order of publication, not of compute."""
    return ["Stupid-backoff LM", "AlexNet", "GNMT", "Transformer", "AlphaGo Zero"]


@computed
def compute_order_largest_first():
    return ["AlphaGo Zero", "GNMT", "Transformer", "Stupid-backoff LM", "AlexNet"]


@computed
def compute_order_transformer_biggest():
    """The most influential taken for the largest."""
    return ["AlexNet", "Stupid-backoff LM", "GNMT", "AlphaGo Zero", "Transformer"]


@computed
def compute_order_one_left_out():
    return ["AlexNet", "Stupid-backoff LM", "Transformer", "AlphaGo Zero"]


# q4 · doubling time from a growth factor
@computed
def doubling_time():
    return 12 * 2.5 / math.log2(300)   # months


@computed
def doubling_time_natural_log():
    return 12 * 2.5 / math.log(300)


@computed
def doubling_time_in_years():
    return 2.5 / math.log2(300)


@computed
def doubling_time_linear():
    """Linear, not exponential growth."""
    return 12 * 2.5 / (300 / 2)


# q5 · extrapolate the trend
def year_reaching(t, compute, flops):
    y = np.log2(compute)
    t_c = t - t.mean()
    slope = (t_c * (y - y.mean())).sum() / (t_c ** 2).sum()    # doublings per year
    intercept = y.mean() - slope * t.mean()                   # the line: y = intercept + slope·t
    return (np.log2(flops) - intercept) / slope


def year_reaching_intercept_not_shifted(t, compute, flops):
    """ȳ used as the intercept, as if the years were centred."""
    y = np.log2(compute)
    t_c = t - t.mean()
    slope = (t_c * (y - y.mean())).sum() / (t_c ** 2).sum()
    return (np.log2(flops) - y.mean()) / slope


def year_reaching_line_through_origin(t, compute, flops):
    """No intercept: a line through year 0."""
    y = np.log2(compute)
    slope = (t * y).sum() / (t ** 2).sum()
    return np.log2(flops) / slope


def year_reaching_mixed_log_bases(t, compute, flops):
    """The data in log2, the target in log10."""
    y = np.log2(compute)
    t_c = t - t.mean()
    slope = (t_c * (y - y.mean())).sum() / (t_c ** 2).sum()
    intercept = y.mean() - slope * t.mean()
    return (np.log10(flops) - intercept) / slope


def year_reaching_from_the_last_system(t, compute, flops):
    """Extrapolated from the last system instead of from the fitted line."""
    y = np.log2(compute)
    t_c = t - t.mean()
    slope = (t_c * (y - y.mean())).sum() / (t_c ** 2).sum()
    return t[-1] + (np.log2(flops) - y[-1]) / slope
