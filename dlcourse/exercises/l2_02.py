"""Exercises of L2.02 · Regularization (正则化).

    from dlcourse.exercises import l2_02 as ex
    ex.q1.check(dropout); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l2_02_answers as answers
from .kinds import labels, number


# ---------------------------------------------------------------------------------------------
# q1 · dropout with inverted scaling
# ---------------------------------------------------------------------------------------------
Q1_SIGNATURE = "dropout(x, p, training)"


def _q1_input(seed: int = 202):
    """A (400, 250) float64 tensor with no zeros, so a zero in the output means 'dropped'."""
    import torch
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(400, 250, generator=g, dtype=torch.float64) + 0.5
    return x * torch.where(torch.rand(400, 250, generator=g) < 0.5, -1.0, 1.0).double()


def _q1_output(fn, x, p, training):
    """Call the learner's function on a copy; the output as a float64 tensor of x's shape, and
    whether the copy was left as it was."""
    given = x.clone()
    call = f"dropout(x, {p}, training={training})"
    out = check.as_array(check.call(fn, given, p, training, what=call), what=f"{call}'s result")
    if tuple(out.shape) != tuple(x.shape):
        raise CheckFailed(f"{call} has shape {tuple(out.shape)}, expected x's {tuple(x.shape)}")
    return out, bool((given == x).all()), call


def _q1_checker(answer):
    import torch
    fn = check.as_function(answer, Q1_SIGNATURE)
    x = _q1_input()
    for p in (0.0, 0.5, 0.9):                       # evaluation: x itself, whatever p
        out, _, call = _q1_output(fn, x, p, False)
        if not torch.equal(out, x):
            ratio = (out / x).median().item()
            why = (f" (it is x times {ratio:.3g})" if torch.allclose(out, ratio * x) else "")
            raise CheckFailed(f"{call} must return x unchanged{why}: the scaling by 1/(1 − p) "
                              "happens in training, so evaluation is the plain network")
    out, _, call = _q1_output(fn, x, 0.0, True)
    if not torch.equal(out, x):
        raise CheckFailed(f"{call} must return x unchanged: p = 0 drops nothing")
    out, _, call = _q1_output(fn, x, 1.0, True)
    if not bool(out.isfinite().all()):
        raise CheckFailed(f"{call} contains nan or inf: with p = 1 every unit is dropped; "
                          "return zeros rather than dividing by 1 − p = 0")
    if not bool((out == 0).all()):
        raise CheckFailed(f"{call} must be all zeros: p = 1 drops every unit")
    masks = []
    for p in (0.2, 0.5, 0.9):
        out, untouched, call = _q1_output(fn, x, p, True)
        if not untouched:
            raise CheckFailed(f"{call} changed x itself: build a new tensor (x * mask / (1 − p)), "
                              "don't modify the input in place")
        kept = out != 0
        if not torch.allclose(out[kept], x[kept] / (1 - p), rtol=1e-6, atol=0):
            ratio = (out[kept] / x[kept]).median().item()
            if math.isclose(ratio, 1.0, rel_tol=1e-6):
                why = "the kept values equal x: scale them by 1/(1 − p), so the mean stays x"
            elif math.isclose(ratio, 1 - p, rel_tol=1e-6):
                why = "the kept values are x·(1 − p): divide by 1 − p, don't multiply"
            else:
                why = f"a kept value must be x/(1 − p) = {1 / (1 - p):.4g}·x, got {ratio:.4g}·x"
            raise CheckFailed(f"{call}: {why}")
        dropped, n = 1 - kept.double().mean().item(), x.numel()
        spread = 5 * math.sqrt(p * (1 - p) / n)     # five standard errors of a binomial fraction
        if abs(dropped - p) > spread:
            swapped = " (that is 1 − p: drop with probability p, keep with 1 − p)" \
                if abs(dropped - (1 - p)) <= spread else ""
            raise CheckFailed(f"{call} dropped a fraction {dropped:.4f} of the elements, "
                              f"expected about {p}{swapped}")
        mean_ratio = (out / x).mean().item()
        if abs(mean_ratio - 1) > 5 * math.sqrt(p / (1 - p) / n):
            raise CheckFailed(f"{call}: on average the output is {mean_ratio:.4f}·x, expected x")
        masks.append(kept)
    again, _, call = _q1_output(fn, x, 0.5, True)
    if torch.equal(again != 0, masks[1]):
        raise CheckFailed(f"two calls of {call} dropped exactly the same elements: draw a fresh "
                          "mask each call (no fixed seed inside the function)")


q1 = Exercise(
    name="Q1 · dropout",
    checker=_q1_checker,
    hint_text=("In training, draw u = torch.rand_like(x) and keep the elements where u ≥ p (a "
               "True/False mask that is True with probability 1 − p); return x * mask / (1 − p), "
               "a new tensor. With training=False (or p = 0) return x itself; with p = 1 return "
               "torch.zeros_like(x), since 1/(1 − p) would be infinite."),
    right_answer=answers.dropout,
    wrong_answers=[answers.dropout_no_rescaling, answers.dropout_scaled_by_keep_probability,
                   answers.dropout_scaling_at_eval, answers.dropout_keeps_with_probability_p,
                   answers.dropout_nan_at_p_one, answers.dropout_in_place,
                   answers.dropout_same_mask_every_call],
)


# ---------------------------------------------------------------------------------------------
# q2 · weight_decay in torch.optim: the L2 penalty, or decoupled decay?
# ---------------------------------------------------------------------------------------------
Q2_OPTIMIZERS = {
    "a": "torch.optim.SGD(params, lr, weight_decay=λ)",
    "b": "torch.optim.SGD(params, lr, momentum=0.9, weight_decay=λ)",
    "c": "torch.optim.Adam(params, lr, weight_decay=λ)",
    "d": "torch.optim.AdamW(params, lr, weight_decay=λ)",
    "e": "torch.optim.RMSprop(params, lr, weight_decay=λ)",
}

q2 = labels(
    {"a": "same", "b": "same", "c": "same", "d": "different", "e": "same"}, ("same", "different"),
    what="'same' or 'different'",
    name="Q2 · weight decay or L2?",
    hint_text=("Adding (λ/2)·‖w‖² to the loss adds λw to the gradient, and the optimizer then "
               "does whatever it does with the gradient (momentum, Adam's scaling, RMSprop's). "
               "Read the update rules in the torch.optim docs: which optimizers add λw to the "
               "gradient, and which one multiplies the weights by 1 − ηλ on its own, outside "
               "the gradient? Section 3 ran Adam and AdamW side by side."),
    right_answer=answers.same_as_l2_penalty,
    wrong_answers=[answers.same_as_l2_penalty_adam_decoupled,
                   answers.same_as_l2_penalty_momentum_differs,
                   answers.same_as_l2_penalty_everywhere],
)


# ---------------------------------------------------------------------------------------------
# q3 · L1 or L2
# ---------------------------------------------------------------------------------------------
Q3_STATEMENTS = {
    "a": "its proximal step sets small weights exactly to zero",
    "b": "for SGD it multiplies every weight by the same factor 1 − ηλ each step",
    "c": "it is a Gaussian prior on the weights",
    "d": "it pulls a weight of 1e-6 towards zero as hard as a weight of 10",
    "e": "the lasso",
}

q3 = labels(
    {"a": "L1", "b": "L2", "c": "L2", "d": "L1", "e": "L1"}, ("L1", "L2"),
    what="'L1' or 'L2'",
    name="Q3 · L1 or L2?",
    hint_text=("Compare the gradients: λw for (λ/2)‖w‖², proportional to the weight, and "
               "λ·sign(w) for λ‖w‖₁, the same size for every nonzero weight. A penalty is a "
               "negative log prior: −log of a Gaussian is quadratic, −log of a Laplace density "
               "is |w|."),
    right_answer=answers.which_penalty,
    wrong_answers=[answers.which_penalty_priors_swapped, answers.which_penalty_force_proportional,
                   answers.which_penalty_lasso_is_l2],
)


# ---------------------------------------------------------------------------------------------
# q4 · how many models k-fold cross-validation trains
# ---------------------------------------------------------------------------------------------
q4 = number(
    31, what="the number of models trained", whole=True,
    mistakes={
        30: "that is the cross-validation: the chosen decay is then trained once more, on all "
            "the training data",
        7: "each candidate is trained once per fold, not once",
        11: "every candidate is trained on every fold: multiply, don't add",
        36: "5 folds, not 6: each candidate gives 5 models, one per held-out fold",
    },
    name="Q4 · the cost of cross-validation",
    hint_text=("For each candidate, k-fold cross-validation trains k models, one with each fold "
               "held out. After choosing, the final model is trained on all the data."),
    right_answer=answers.models_trained,
    wrong_answers=[answers.models_trained_without_final, answers.models_trained_one_per_candidate,
                   answers.models_trained_folds_plus_candidates],
)
