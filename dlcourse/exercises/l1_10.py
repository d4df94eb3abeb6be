"""Exercises of L1.10 · Overfitting & underfitting (过拟合与欠拟合).

    from dlcourse.exercises import l1_10 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise


# ---------------------------------------------------------------------------------------------
# q1 · the Vandermonde matrix
# ---------------------------------------------------------------------------------------------
def q1_x():
    """The inputs of q1: 5 values (float64)."""
    import torch
    return torch.tensor([-1.0, -0.5, 0.0, 0.5, 2.0], dtype=torch.float64)


def _check_q1(answer):
    import torch
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a tensor of shape (5, 4), got {type(answer).__name__}")
    x = q1_x()
    expected = torch.stack([x ** j for j in range(4)], dim=1)
    if tuple(answer.shape) == (5, 3):
        raise CheckFailed("shape (5, 3): degree 3 has 4 coefficients, w₀ … w₃, so 4 columns")
    check.shape(answer, (5, 4), name="V")
    if torch.allclose(answer.double(), expected.flip(1)):
        raise CheckFailed("the columns run from x³ down to 1 (numpy.vander's order); the lesson "
                          "uses increasing powers 1, x, x², x³ so that V @ w uses w₀ … w₃")
    check.close(answer, expected, name="V")


q1 = Exercise(
    name="Q1 · the Vandermonde matrix",
    checker=_check_q1,
    hint_text=("Column j holds x to the power j, for j = 0, 1, 2, 3. Broadcasting builds it in one "
               "line: x[:, None] has shape (5, 1) and torch.arange(4) shape (4,)."),
    solution_code="""
import torch
from dlcourse.exercises.l1_10 import q1_x
x = q1_x()
answer = x[:, None] ** torch.arange(4)
""",
    wrong_codes=[
        "import torch\nfrom dlcourse.exercises.l1_10 import q1_x\nx = q1_x()\n"
        "answer = x[:, None] ** torch.arange(3)            # degree 2",
        "import torch\nfrom dlcourse.exercises.l1_10 import q1_x\nx = q1_x()\n"
        "answer = x[:, None] ** torch.arange(3, -1, -1)    # decreasing powers",
        "import torch\nfrom dlcourse.exercises.l1_10 import q1_x\nx = q1_x()\n"
        "answer = x[:, None] ** torch.arange(1, 5)         # no constant column",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · diagnose from train and validation error
# ---------------------------------------------------------------------------------------------
Q2_MODELS = {"A": (0.71, 0.74), "B": (0.29, 0.32), "C": (0.04, 0.93)}  # (train RMSE, val RMSE)
Q2_EXPECTED = {"A": "underfitting", "B": "good fit", "C": "overfitting"}
Q2_WORDS = {"underfit": "underfitting", "underfitting": "underfitting", "good": "good fit",
            "good fit": "good fit", "overfit": "overfitting", "overfitting": "overfitting"}


def _check_q2(answer):
    if not isinstance(answer, dict):
        raise CheckFailed(f"expected a dict such as {{'A': 'underfitting', ...}}, got "
                          f"{type(answer).__name__}")
    if set(map(str, answer)) != set(Q2_MODELS):
        raise CheckFailed(f"give one verdict for each model {sorted(Q2_MODELS)}, got keys "
                          f"{sorted(map(str, answer))}")
    got = {}
    for key, verdict in answer.items():
        word = Q2_WORDS.get(str(verdict).strip().lower())
        if word is None:
            raise CheckFailed(f"{key}: {verdict!r} is not one of 'underfitting', 'good fit', "
                              "'overfitting'")
        got[str(key)] = word
    wrong = sorted(k for k in Q2_MODELS if got[k] != Q2_EXPECTED[k])
    if wrong:
        raise CheckFailed(f"not right yet for model(s) {', '.join(wrong)}")


q2 = Exercise(
    name="Q2 · diagnose the fit",
    checker=_check_q2,
    hint_text=("Compare each training error with the noise level (0.3): far above it means the "
               "model cannot even fit the data it sees. Then compare validation with training: a "
               "large gap means it fits what it saw, noise included, and not what it did not."),
    solution_code="""
answer = {"A": "underfitting", "B": "good fit", "C": "overfitting"}
""",
    wrong_codes=[
        'answer = {"A": "overfitting", "B": "good fit", "C": "underfitting"}',
        'answer = {"A": "good fit", "B": "underfitting", "C": "overfitting"}',
        'answer = {"A": "underfitting", "B": "overfitting", "C": "overfitting"}',
    ],
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


def _q3_expected():
    preds, f = q3_data()
    mean = preds.mean(dim=0)
    return ((mean - f) ** 2).mean(), preds.var(dim=0, correction=0).mean()


def _check_q3(answer):
    import torch
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise CheckFailed(f"expected a pair (bias2, variance), got {type(answer).__name__}")
    try:
        bias2, variance = (float(a) for a in answer)
    except (TypeError, ValueError):
        raise CheckFailed("both entries should be numbers (0-d tensors or floats)") from None
    e_bias2, e_var = _q3_expected()
    preds, f = q3_data()
    if abs(bias2 - ((preds - f) ** 2).mean().item()) < 1e-9:
        raise CheckFailed("bias2 is the total squared error, bias² + variance: average the "
                          "predictions over the models first, then compare with f")
    if abs(bias2 - ((preds.mean(0) - f).mean() ** 2).item()) < 1e-9:
        raise CheckFailed("bias2 squares the average error over x; square at each x first, then "
                          "average (positive and negative errors must not cancel)")
    check.close(bias2, e_bias2, name="bias2", rtol=1e-6)
    if abs(variance - preds.var(dim=0, correction=1).mean().item()) < 1e-9:
        raise CheckFailed("variance divides by K − 1; the decomposition that adds up exactly "
                          "divides by K (correction=0)")
    if abs(variance - preds.var(dim=1, correction=0).mean().item()) < 1e-9:
        raise CheckFailed("that variance is across x for each model; the variance of interest "
                          "is across the models (dim 0), at each x")
    check.close(variance, e_var, name="variance", rtol=1e-6)
    total = ((preds - f) ** 2).mean()
    check.close(torch.tensor(bias2 + variance), total, name="bias² + variance = mean squared error")


q3 = Exercise(
    name="Q3 · bias and variance",
    checker=_check_q3,
    hint_text=("Average the K predictions at each x (dim 0): that is the average model. bias² is "
               "the mean over x of (average model − f)². variance is the mean over x of the "
               "variance across models at each x: preds.var(dim=0, correction=0)."),
    solution_code="""
from dlcourse.exercises.l1_10 import q3_data
preds, f = q3_data()
average_model = preds.mean(dim=0)
bias2 = ((average_model - f) ** 2).mean()
variance = ((preds - average_model) ** 2).mean()
answer = (bias2, variance)
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_10 import q3_data\npreds, f = q3_data()\n"
        "answer = (((preds - f) ** 2).mean(), preds.var(dim=0, correction=0).mean())   # total",
        "from dlcourse.exercises.l1_10 import q3_data\npreds, f = q3_data()\n"
        "answer = ((preds.mean(0) - f).mean() ** 2, preds.var(dim=0, correction=0).mean())",
        "from dlcourse.exercises.l1_10 import q3_data\npreds, f = q3_data()\n"
        "answer = (((preds.mean(0) - f) ** 2).mean(), preds.var(dim=1).mean())   # wrong axis",
        "from dlcourse.exercises.l1_10 import q3_data\npreds, f = q3_data()\n"
        "answer = (((preds.mean(0) - f) ** 2).mean(), preds.var(dim=0).mean())   # K − 1",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · early stopping with patience
# ---------------------------------------------------------------------------------------------
Q4_CASES = [
    ([1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 1.0, 1.1], 2),
    ([1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 1.0, 1.1], 3),
    ([0.9, 0.7, 0.7, 0.7, 0.5, 0.6], 2),
    ([3.0, 2.0, 1.0, 0.5], 2),
    ([0.5, 0.6, 0.4, 0.45, 0.41, 0.42, 0.39, 0.5, 0.6, 0.7], 2),
]


def _reference(losses, patience):
    best, best_loss = 0, float("inf")
    for epoch, loss in enumerate(losses):
        if loss < best_loss:
            best, best_loss = epoch, loss
        elif epoch - best >= patience:
            return best, epoch
    return best, len(losses) - 1


def _check_q4(answer):
    if not callable(answer):
        raise CheckFailed(f"expected a function early_stopping(val_losses, patience), got "
                          f"{type(answer).__name__}")
    for losses, patience in Q4_CASES:
        try:
            got = answer(list(losses), patience)
        except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
            raise CheckFailed(f"early_stopping({losses}, {patience}) raised "
                              f"{type(exc).__name__}: {exc}") from None
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            raise CheckFailed(f"expected a pair (best_epoch, stop_epoch), got {got!r}") from None
        expected = _reference(losses, patience)
        if got != expected:
            raise CheckFailed(f"early_stopping({losses}, patience={patience}) returned {got}, "
                              f"expected {expected}")


q4 = Exercise(
    name="Q4 · early stopping",
    checker=_check_q4,
    hint_text=("Walk through the epochs in order, remembering the best loss so far and its epoch. "
               "A loss strictly lower than the best is an improvement; otherwise, stop as soon as "
               "`patience` epochs have passed since the best one (epoch − best ≥ patience). You "
               "may not look ahead: the future is not known during training."),
    solution_code="""
def early_stopping(val_losses, patience):
    best, best_loss = 0, float("inf")
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best, best_loss = epoch, loss
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1

answer = early_stopping
""",
    wrong_codes=[
        # looks at the future: the best epoch of the whole run
        "def early_stopping(val_losses, patience):\n"
        "    best = min(range(len(val_losses)), key=val_losses.__getitem__)\n"
        "    return best, min(best + patience, len(val_losses) - 1)\n"
        "answer = early_stopping",
        # off by one: waits one epoch too long
        "def early_stopping(val_losses, patience):\n"
        "    best, best_loss = 0, float('inf')\n"
        "    for epoch, loss in enumerate(val_losses):\n"
        "        if loss < best_loss:\n"
        "            best, best_loss = epoch, loss\n"
        "        elif epoch - best > patience:\n"
        "            return best, epoch\n"
        "    return best, len(val_losses) - 1\n"
        "answer = early_stopping",
        # a tie counts as an improvement
        "def early_stopping(val_losses, patience):\n"
        "    best, best_loss = 0, float('inf')\n"
        "    for epoch, loss in enumerate(val_losses):\n"
        "        if loss <= best_loss:\n"
        "            best, best_loss = epoch, loss\n"
        "        elif epoch - best >= patience:\n"
        "            return best, epoch\n"
        "    return best, len(val_losses) - 1\n"
        "answer = early_stopping",
    ],
)
