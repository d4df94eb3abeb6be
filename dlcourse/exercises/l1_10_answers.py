"""Answers to L1.10's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · the Vandermonde matrix
@computed
def vandermonde():
    from dlcourse.exercises import l1_10 as ex
    x = ex.q1_x()
    return x[:, None] ** torch.arange(4)


@computed
def vandermonde_degree_2():
    from dlcourse.exercises import l1_10 as ex
    x = ex.q1_x()
    return x[:, None] ** torch.arange(3)


@computed
def vandermonde_decreasing_powers():
    from dlcourse.exercises import l1_10 as ex
    x = ex.q1_x()
    return x[:, None] ** torch.arange(3, -1, -1)


@computed
def vandermonde_no_constant_column():
    from dlcourse.exercises import l1_10 as ex
    x = ex.q1_x()
    return x[:, None] ** torch.arange(1, 5)


# q2 · diagnose from train and validation error
@computed
def diagnoses():
    return {"A": "underfitting", "B": "good fit", "C": "overfitting"}


@computed
def diagnoses_swapped_ends():
    return {"A": "overfitting", "B": "good fit", "C": "underfitting"}


@computed
def diagnoses_a_and_b_swapped():
    return {"A": "good fit", "B": "underfitting", "C": "overfitting"}


@computed
def diagnoses_b_as_overfitting():
    return {"A": "underfitting", "B": "overfitting", "C": "overfitting"}


# q3 · bias² and variance from refitted models
@computed
def bias_and_variance():
    from dlcourse.exercises import l1_10 as ex
    preds, f = ex.q3_data()
    average_model = preds.mean(dim=0)
    bias2 = ((average_model - f) ** 2).mean()
    variance = ((preds - average_model) ** 2).mean()
    return (bias2, variance)


@computed
def bias_is_total_error():
    from dlcourse.exercises import l1_10 as ex
    preds, f = ex.q3_data()
    return (((preds - f) ** 2).mean(), preds.var(dim=0, correction=0).mean())


@computed
def bias_squared_after_averaging():
    from dlcourse.exercises import l1_10 as ex
    preds, f = ex.q3_data()
    return ((preds.mean(0) - f).mean() ** 2, preds.var(dim=0, correction=0).mean())


@computed
def variance_across_x():
    from dlcourse.exercises import l1_10 as ex
    preds, f = ex.q3_data()
    return (((preds.mean(0) - f) ** 2).mean(), preds.var(dim=1).mean())


@computed
def variance_unbiased():
    """Divides by K − 1."""
    from dlcourse.exercises import l1_10 as ex
    preds, f = ex.q3_data()
    return (((preds.mean(0) - f) ** 2).mean(), preds.var(dim=0).mean())


# q4 · early stopping with patience
def early_stopping(val_losses, patience):
    best, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best, best_loss = epoch, loss
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1


def early_stopping_looks_ahead(val_losses, patience):
    """The best epoch of the whole run: it looks at the future."""
    best = min(range(len(val_losses)), key=val_losses.__getitem__)
    return best, min(best + patience, len(val_losses) - 1)


def early_stopping_one_epoch_late(val_losses, patience):
    best, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best, best_loss = epoch, loss
        elif epoch - best > patience:
            return best, epoch
    return best, len(val_losses) - 1


def early_stopping_tie_improves(val_losses, patience):
    """A tie counts as an improvement."""
    best, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses):
        if loss <= best_loss:
            best, best_loss = epoch, loss
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1
