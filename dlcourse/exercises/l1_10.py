"""Exercises of L1.10 · Overfitting & underfitting (过拟合与欠拟合).

    from dlcourse.exercises import l1_10 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..runtime import one_thread
from . import Exercise
from . import l1_10_answers as answers
from .kinds import labels, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the interpolation threshold
# ---------------------------------------------------------------------------------------------
Q1_N = 12

q1 = number(
    Q1_N - 1, what="the smallest degree", whole=True,
    mistakes={
        Q1_N: "a polynomial of degree d has d + 1 coefficients: degree 12 has 13, one more than "
              "the 12 equations need",
        Q1_N - 2: "degree 10 has 11 coefficients for 12 equations: one short, so in general it "
                  "cannot pass through all 12 points",
        Q1_N + 1: "count the coefficients w₀ … w_d: there are d + 1 of them",
    },
    name="Q1 · the interpolation threshold",
    hint_text=("Fitting degree d means solving V w = y with V of shape (n, d + 1). With n distinct "
               "inputs, the Vandermonde matrix has full rank, so V w = y has an exact solution as "
               "soon as there are as many unknowns as equations."),
    right_answer=answers.interpolation_degree,
    wrong_answers=[answers.interpolation_degree_n, answers.interpolation_degree_n_minus_2,
                   answers.interpolation_degree_n_plus_1],
)

# ---------------------------------------------------------------------------------------------
# q2 · diagnose from train and validation error
# ---------------------------------------------------------------------------------------------
Q2_MODELS = {"A": (0.71, 0.74), "B": (0.29, 0.32), "C": (0.04, 0.93)}  # (train RMSE, val RMSE)
Q2_EXPECTED = {"A": "underfitting", "B": "good fit", "C": "overfitting"}

q2 = labels(
    Q2_EXPECTED, ("underfitting", "good fit", "overfitting"), what="verdict",
    aliases={"underfit": "underfitting", "good": "good fit", "overfit": "overfitting"},
    name="Q2 · diagnose the fit",
    hint_text=("Compare each training error with the noise level (0.3): far above it means the "
               "model cannot even fit the data it sees. Then compare validation with training: a "
               "large gap means it fits what it saw, noise included, and not what it did not."),
    right_answer=answers.diagnoses,
    wrong_answers=[answers.diagnoses_swapped_ends, answers.diagnoses_a_and_b_swapped,
                   answers.diagnoses_b_as_overfitting],
)


# ---------------------------------------------------------------------------------------------
# q3 · bias² and variance from refitted models
# ---------------------------------------------------------------------------------------------
def q3_data():
    """The data of q3: `preds` (K=6, m=50), the predictions of 6 models fitted on 6 resampled
    training sets at 50 test inputs, and `f` (50,), the true function there (float64)."""
    import torch
    g = torch.Generator().manual_seed(310)
    x = torch.linspace(0, 1, 50, dtype=torch.float64)
    f = torch.sin(2 * torch.pi * x)
    offsets = 0.3 * torch.randn(6, 1, generator=g, dtype=torch.float64)
    wiggles = 0.2 * torch.randn(6, 50, generator=g, dtype=torch.float64)
    preds = 0.7 * f + 0.1 + offsets + wiggles
    return preds, f


def _check_q3(answer):
    bias2, variance = (check.as_number(v, name) for v, name in
                       zip(check.as_pair(answer, "bias2, variance"), ("bias2", "variance")))
    preds, f = q3_data()
    average_model = preds.mean(dim=0)
    check.rule_out(bias2, {
        ((preds - f) ** 2).mean().item(): "bias2 is the total squared error, bias² + variance: "
                                          "average the predictions over the models first, then "
                                          "compare with f",
        ((average_model - f).mean() ** 2).item(): "bias2 squares the average error over x; "
                                                  "square at each x first, then average "
                                                  "(positive and negative errors must not cancel)",
    }, rtol=0, atol=1e-9)
    check.close(bias2, ((average_model - f) ** 2).mean(), name="bias2", rtol=1e-6)
    check.rule_out(variance, {
        preds.var(dim=0, correction=1).mean().item(): "variance divides by K − 1; the "
                                                      "decomposition that adds up exactly "
                                                      "divides by K (correction=0)",
        preds.var(dim=1, correction=0).mean().item(): "that variance is across x for each "
                                                      "model; the variance of interest is across "
                                                      "the models (dim 0), at each x",
    }, rtol=0, atol=1e-9)
    check.close(variance, preds.var(dim=0, correction=0).mean(), name="variance", rtol=1e-6)


q3 = Exercise(
    name="Q3 · bias and variance",
    checker=_check_q3,
    hint_text=("Average the K predictions at each x (dim 0): that is the average model. bias² is "
               "the mean over x of (average model − f)². variance is the mean over x of the "
               "variance across models at each x: preds.var(dim=0, correction=0)."),
    right_answer=answers.bias_and_variance,
    wrong_answers=[answers.bias_is_total_error, answers.bias_squared_after_averaging,
                   answers.variance_across_x, answers.variance_unbiased],
)


# ---------------------------------------------------------------------------------------------
# q4 · early stopping inside the training loop, scored on a test split
# ---------------------------------------------------------------------------------------------
def _q4_split(n, seed, noise=0.3):
    """n noisy samples of sin(2πx) as float64 inputs (n, 1) in [−1, 1] and targets (n,)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, generator=g, dtype=torch.float64)
    y = torch.sin(2 * math.pi * x) + noise * torch.randn(n, generator=g, dtype=torch.float64)
    return (2 * x - 1)[:, None], y


_Q4_DATA = {}


def _q4_data():
    if not _Q4_DATA:
        _Q4_DATA.update(train=_q4_split(15, 101), val=_q4_split(100, 102),
                        test=_q4_split(400, 103), many=_q4_split(300, 104))
    return _Q4_DATA


def train_step(model, optimizer):
    """One full-batch Adam step on the 15 training points of q4."""
    import torch.nn.functional as F
    x, y = _q4_data()["train"]
    loss = F.mse_loss(model(x)[:, 0], y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def train_step_on_many(model, optimizer):
    """One full-batch step on 300 points: with this much data the validation loss keeps falling."""
    import torch.nn.functional as F
    x, y = _q4_data()["many"]
    loss = F.mse_loss(model(x)[:, 0], y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def _mse(model, part):
    import torch
    import torch.nn.functional as F
    x, y = _q4_data()[part]
    with torch.no_grad():
        return F.mse_loss(model(x)[:, 0], y).item()


def val_loss(model):
    """The model's MSE on the 100 validation points of q4."""
    return _mse(model, "val")


def test_loss(model):
    """The model's MSE on the 400 test points of q4."""
    return _mse(model, "test")


def _one_thread(checker):
    """Run a checker with one torch thread (these networks are tiny)."""
    def run(answer):
        with one_thread():
            return checker(answer)
    return run


def _q4_model(width=32, lr=0.01, seed=10):
    import torch
    from torch import nn
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(),
                          nn.Linear(width, 1)).double()
    return model, torch.optim.Adam(model.parameters(), lr=lr)


def _q4_cases():
    model, opt = _q4_model()
    quiet_model, quiet_opt = _q4_model(lr=0.002, seed=11)
    case = lambda m, o, step, patience, steps: (m, o, step, val_loss, test_loss, patience, steps)
    return {
        "15 noisy points, patience 20, at most 400 steps": case(model, opt, train_step, 20, 400),
        "the same with patience 1": case(*_q4_model(), train_step, 1, 400),
        "patience 500, longer than the run of 100 steps": case(*_q4_model(), train_step, 500, 100),
        "300 training points: the validation loss falls at every step":
            case(quiet_model, quiet_opt, train_step_on_many, 20, 60),
    }


def _q4_curves(model, optimizer, train, val_loss, test_loss, steps):
    """The lesson's way: train `steps` steps and record both losses after each one."""
    val, test = [], []
    for _ in range(steps):
        train(model, optimizer)
        val.append(val_loss(model))
        test.append(test_loss(model))
    return val, test


def _patience_rule(losses, patience):
    """(step kept, step stopped at), walking through the losses as they come."""
    best, best_loss = 0, math.inf
    for step, loss in enumerate(losses):
        if loss < best_loss:
            best, best_loss = step, loss
        elif step - best >= patience:
            return best, step
    return best, len(losses) - 1


def _q4_reference(model, optimizer, train, val_loss, test_loss, patience, max_steps):
    """The lesson's verified recipe: the patience rule on the recorded validation curve, and the
    test loss recorded at the step it keeps (no copy of weights needed: nothing is restored).
    The curves are recorded only as far as the rule needs them."""
    val, test = [], []
    for step in range(max_steps):
        train(model, optimizer)
        val.append(val_loss(model))
        test.append(test_loss(model))
        best, _ = _patience_rule(val, patience)
        if step - best >= patience:                           # the rule stops here
            break
    best, stop = _patience_rule(val, patience)
    return best, stop, test[best]


def _q4_diagnose(got, expected, args):
    import copy
    best, stop, score = (check.as_number(v) for v in check.as_tuple(got, 3))
    steps = min(args[6], int(max(stop, expected[1])) + 1)
    val, test = _q4_curves(*copy.deepcopy(args[:5]), steps)
    if (best, stop) == expected[:2]:
        if abs(score - val[int(best)]) < 1e-12:
            return ("that is the validation loss of the kept weights: report test_loss(model), "
                    "the one split no choice was made with")
        if abs(score - test[int(stop)]) < 1e-12:
            return ("the test loss is that of the last weights, not of best_step's: save a copy "
                    "with copy.deepcopy(model.state_dict()) at each new best (state_dict() alone "
                    "returns the live tensors, which training keeps changing) and load it back "
                    "with model.load_state_dict before scoring")
        return None
    if best == min(range(len(test)), key=test.__getitem__):
        return ("best_step was chosen with the test loss: choose it with val_loss; the test "
                "split is only for the final score")
    if best == expected[0] and stop == expected[1] + 1:
        return "one step late: stop as soon as step − best_step ≥ patience"
    return None


q4 = write_function(
    "early_stopping(model, optimizer, train_step, val_loss, test_loss, patience, max_steps)",
    _q4_reference, _q4_cases, rtol=1e-9, atol=1e-12, parts=("best_step", "stop_step", "test_loss"),
    diagnose=_q4_diagnose,
    name="Q4 · early stopping with a test split",
    hint_text=("Before the loop: best_loss = math.inf, best_step = −1, best_state = None. Each "
               "step: train_step(model, optimizer), then v = val_loss(model); if v < best_loss, "
               "remember v, the step and copy.deepcopy(model.state_dict()); elif step − "
               "best_step ≥ patience, break. After the loop: model.load_state_dict(best_state) "
               "and return (best_step, step, test_loss(model))."),
    right_answer=answers.early_stopping,
    wrong_answers=[answers.early_stopping_state_not_copied, answers.early_stopping_not_restored,
                   answers.early_stopping_scored_on_validation,
                   answers.early_stopping_chosen_on_test, answers.early_stopping_one_step_late],
)
q4.checker = _one_thread(q4.checker)
