"""Answers to L1.10's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import copy
import math

from . import computed


# q1 · the interpolation threshold
@computed
def interpolation_degree():
    n = 12
    return n - 1        # degree d has d + 1 coefficients: 12 unknowns for 12 equations


@computed
def interpolation_degree_n():
    return 12


@computed
def interpolation_degree_n_minus_2():
    return 10


@computed
def interpolation_degree_n_plus_1():
    return 13


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


# q4 · early stopping inside the training loop, scored on a test split
def early_stopping(model, optimizer, train_step, val_loss, test_loss, patience, max_steps):
    best_loss, best_step, best_state = math.inf, -1, None
    for step in range(max_steps):
        train_step(model, optimizer)
        loss = val_loss(model)
        if loss < best_loss:                                   # a new best: keep a copy
            best_loss, best_step = loss, step
            best_state = copy.deepcopy(model.state_dict())
        elif step - best_step >= patience:                     # no progress for `patience` steps
            break
    model.load_state_dict(best_state)                          # back to the best weights
    return best_step, step, test_loss(model)                   # scored once, on the test split


def early_stopping_state_not_copied(model, optimizer, train_step, val_loss, test_loss, patience,
                                    max_steps):
    """state_dict() holds the live tensors: the 'saved' weights keep training."""
    best_loss, best_step, best_state = math.inf, -1, None
    for step in range(max_steps):
        train_step(model, optimizer)
        loss = val_loss(model)
        if loss < best_loss:
            best_loss, best_step, best_state = loss, step, model.state_dict()
        elif step - best_step >= patience:
            break
    model.load_state_dict(best_state)
    return best_step, step, test_loss(model)


def early_stopping_not_restored(model, optimizer, train_step, val_loss, test_loss, patience,
                                max_steps):
    best_loss, best_step = math.inf, -1
    for step in range(max_steps):
        train_step(model, optimizer)
        loss = val_loss(model)
        if loss < best_loss:
            best_loss, best_step = loss, step
        elif step - best_step >= patience:
            break
    return best_step, step, test_loss(model)


def early_stopping_scored_on_validation(model, optimizer, train_step, val_loss, test_loss,
                                        patience, max_steps):
    """Reports the score the step was chosen with: optimistic."""
    best_loss, best_step, best_state = math.inf, -1, None
    for step in range(max_steps):
        train_step(model, optimizer)
        loss = val_loss(model)
        if loss < best_loss:
            best_loss, best_step = loss, step
            best_state = copy.deepcopy(model.state_dict())
        elif step - best_step >= patience:
            break
    model.load_state_dict(best_state)
    return best_step, step, val_loss(model)


def early_stopping_chosen_on_test(model, optimizer, train_step, val_loss, test_loss, patience,
                                  max_steps):
    """Chooses the step with the test loss: the test split becomes a validation split."""
    best_loss, best_step, best_state = math.inf, -1, None
    for step in range(max_steps):
        train_step(model, optimizer)
        loss = test_loss(model)
        if loss < best_loss:
            best_loss, best_step = loss, step
            best_state = copy.deepcopy(model.state_dict())
        elif step - best_step >= patience:
            break
    model.load_state_dict(best_state)
    return best_step, step, test_loss(model)


def early_stopping_one_step_late(model, optimizer, train_step, val_loss, test_loss, patience,
                                 max_steps):
    best_loss, best_step, best_state = math.inf, -1, None
    for step in range(max_steps):
        train_step(model, optimizer)
        loss = val_loss(model)
        if loss < best_loss:
            best_loss, best_step = loss, step
            best_state = copy.deepcopy(model.state_dict())
        elif step - best_step > patience:
            break
    model.load_state_dict(best_state)
    return best_step, step, test_loss(model)
