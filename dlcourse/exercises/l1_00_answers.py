"""Answers to L1.00's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

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


# q3 · the timeline
@computed
def timeline():
    return ["Perceptron", "Backpropagation", "Deep belief nets", "AlexNet", "Transformer"]


@computed
def timeline_belief_nets_too_early():
    return ["Perceptron", "Deep belief nets", "Backpropagation", "AlexNet", "Transformer"]


@computed
def timeline_backprop_first():
    return ["Backpropagation", "Perceptron", "Deep belief nets", "AlexNet", "Transformer"]


@computed
def timeline_transformer_before_alexnet():
    return ["Perceptron", "Backpropagation", "Deep belief nets", "Transformer", "AlexNet"]


@computed
def timeline_one_left_out():
    return ["Perceptron", "Backpropagation", "AlexNet", "Transformer"]


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


# q5 · two eras of growth
@computed
def two_eras():
    return (2 ** (60 / 3.4), 2 ** (60 / 24))


@computed
def two_eras_in_years():
    """Years mixed with months."""
    return (2 ** (5 / 3.4), 2 ** (5 / 24))


@computed
def two_eras_linear():
    return (2 * 60 / 3.4, 2 * 60 / 24)


@computed
def two_eras_swapped():
    return (2 ** (60 / 24), 2 ** (60 / 3.4))
