"""Exercises of L3.01 · Modern training recipe (现代训练技巧).

    from dlcourse.exercises import l3_01 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from functools import lru_cache

from . import l3_01_answers as answers
from .kinds import choices, number, write_function

# (total, warmup, max_lr, min_lr): every step of each is checked
SCHEDULES = [(100, 10, 0.1, 1e-3), (250, 25, 3e-4, 0.0), (60, 2, 1.0, 0.1), (400, 100, 0.05, 5e-3)]


# ---------------------------------------------------------------------------------------------
# q1 · warmup + cosine, against LinearLR then CosineAnnealingLR in a SequentialLR
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def torch_warmup_cosine(total, warmup, max_lr, min_lr):
    """The learning rate at steps 0 … total − 1 read off torch.optim.lr_scheduler."""
    import warnings

    import torch
    from torch.optim import lr_scheduler as sched
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=max_lr)
    scheduler = sched.SequentialLR(opt, [
        sched.LinearLR(opt, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1),
        sched.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)], milestones=[warmup])
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(total):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
    return tuple(lrs)


def _q1_reference(step, total, warmup, max_lr, min_lr):
    return torch_warmup_cosine(total, warmup, max_lr, min_lr)[step]


def _q1_cases():
    return {f"step {t} of total={total}, warmup={warmup}, max_lr={max_lr}, min_lr={min_lr}":
            (t, total, warmup, max_lr, min_lr)
            for total, warmup, max_lr, min_lr in SCHEDULES for t in range(total)}


def _q1_diagnose(got, expected, args):
    step, total, warmup, max_lr, min_lr = args
    for wrong, why in [
        (answers.warmup_cosine_from_zero,
         "the warmup gives (step + 1) / warmup of max_lr, so it reaches max_lr at step warmup − 1 "
         "(LinearLR with start_factor 1 / warmup and total_iters warmup − 1); step / warmup is one "
         "step behind"),
        (answers.warmup_cosine_over_total,
         "after the warmup the cosine runs over the remaining total − warmup steps, starting at "
         "max_lr at step = warmup"),
        (answers.warmup_cosine_to_zero, "the cosine falls to min_lr, not to 0"),
        (answers.warmup_cosine_full_period,
         "the schedule is half a cosine, (1 + cos(π·f)) / 2 with f from 0 to 1: it falls and never "
         "comes back up"),
    ]:
        if abs(float(got) - wrong(*args)) <= 1e-12 + 1e-9 * abs(float(expected)):
            return why
    return None


q1 = write_function(
    "warmup_cosine(step, total, warmup, max_lr, min_lr)", _q1_reference, _q1_cases,
    rtol=1e-9, atol=1e-12, diagnose=_q1_diagnose, name="Q1 · warmup + cosine",
    hint_text=("Two pieces. While step < warmup: max_lr · (step + 1) / warmup. After: f = (step − "
               "warmup) / (total − warmup) goes from 0 towards 1, and the learning rate is "
               "min_lr + (max_lr − min_lr) · (1 + cos(π f)) / 2. Return a float."),
    right_answer=answers.warmup_cosine,
    wrong_answers=[answers.warmup_cosine_from_zero, answers.warmup_cosine_over_total,
                   answers.warmup_cosine_to_zero, answers.warmup_cosine_full_period],
)


# ---------------------------------------------------------------------------------------------
# q2 · the sigmoid focal loss, against torchvision.ops.sigmoid_focal_loss's formula
# ---------------------------------------------------------------------------------------------
def _torchvision_sigmoid_focal_loss(logits, targets, gamma, alpha):
    """torchvision.ops.sigmoid_focal_loss(logits, targets, alpha, gamma, reduction="mean"), its
    code written out (torchvision is not a dependency of the course); alpha None: no weighting
    (torchvision's alpha < 0)."""
    import torch
    import torch.nn.functional as F
    p = torch.sigmoid(logits)
    ce_loss = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha is not None and alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss.mean()


def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(11)

    def case(shape, gamma, alpha, scale=3.0, dtype=torch.float64, positives=0.3):
        logits = (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(dtype)
        targets = (torch.rand(*shape, generator=g) < positives).to(dtype)
        return (logits, targets, gamma, alpha)

    return {
        "64 logits, γ = 2, α = 0.25": case((64,), 2.0, 0.25),
        "a (16, 5) batch, γ = 2, α = 0.25": case((16, 5), 2.0, 0.25),
        "100 logits, γ = 0.5, no α": case((100,), 0.5, None),
        "50 logits, γ = 0, no α (binary cross-entropy)": case((50,), 0.0, None),
        "40 logits, γ = 5, α = 0.75, mostly positives": case((40,), 5.0, 0.75, positives=0.8),
        "confident float32 logits (|x| up to 40), γ = 2, α = 0.25":
            case((200,), 2.0, 0.25, scale=15.0, dtype=torch.float32),
    }


def _q2_diagnose(got, expected, args):
    import torch
    if not bool(torch.as_tensor(got).isfinite().all()):
        return ("the result is inf or nan: log(sigmoid(x)) and log(1 − sigmoid(x)) overflow for "
                "confident logits; take −log p_t from F.binary_cross_entropy_with_logits")
    for wrong, why in [
        (answers.focal_loss_modulating_p,
         "the modulating factor is (1 − p_t)^γ, with p_t = p for a positive and 1 − p for a "
         "negative"),
        (answers.focal_loss_alpha_swapped, "α weighs the positives (targets 1), 1 − α the negatives"),
        (answers.focal_loss_summed, "average over all elements (reduction 'mean'), do not sum"),
    ]:
        if torch.allclose(torch.as_tensor(got, dtype=torch.float64),
                          wrong(*args).to(torch.float64), rtol=1e-5, atol=1e-9):
            return why
    return None


q2 = write_function(
    "focal_loss(logits, targets, gamma, alpha)", _torchvision_sigmoid_focal_loss, _q2_cases,
    rtol=1e-5, atol=1e-7, diagnose=_q2_diagnose, name="Q2 · the focal loss",
    hint_text=("p = sigmoid(logits); p_t = p where the target is 1, 1 − p where it is 0. The loss "
               "of an element is −α_t (1 − p_t)^γ log p_t, with α_t = α for a positive and 1 − α "
               "for a negative (no α: α_t = 1). Get −log p_t stably from "
               "F.binary_cross_entropy_with_logits(logits, targets, reduction='none'), then "
               "average over all elements."),
    right_answer=answers.focal_loss,
    wrong_answers=[answers.focal_loss_modulating_p, answers.focal_loss_alpha_swapped,
                   answers.focal_loss_naive_log, answers.focal_loss_summed],
)

# ---------------------------------------------------------------------------------------------
# q3 · when SGDR restarts
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.third_restart, what="the step of the third restart", whole=True,
    mistakes=lambda: {
        answers.third_restart_fixed_period(): "with T_mult = 2 each cycle is twice as long as the one "
                                              "before: 10, then 20, then 40 steps",
        answers.third_cycle_length(): "that is the length of the third cycle; the restart comes after "
                                      "the first three cycles together",
        answers.fourth_restart(): "that is the fourth restart; count the cycles 10, 20, 40",
    },
    name="Q3 · when SGDR restarts",
    hint_text=("The first cycle lasts T_0 = 10 steps, and each next one T_mult = 2 times as long. A "
               "restart is where a cycle ends: add up the lengths of the first three cycles."),
    right_answer=answers.third_restart,
    wrong_answers=[answers.third_restart_fixed_period, answers.third_cycle_length,
                   answers.fourth_restart],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of the recipe
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "AdamW shrinks every weight by the same factor 1 − ηλ per step, whatever its gradients",
    "b": "with Adam(weight_decay=λ), a weight with large gradients is decayed less than one with small gradients",
    "c": "clipping by norm can change the direction of the gradient",
    "d": "LayerNorm gives an example the same output whatever the other examples in its batch",
    "e": "bfloat16 gradients underflow as float16's do, so bfloat16 training needs a GradScaler",
    "f": "the focal loss with γ = 0 and no α is the cross-entropy",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · the recipe",
    hint_text=("Adam divides whatever enters its gradient by √v̂, the L2 term too; AdamW's decay "
               "stays outside. Norm clipping multiplies the whole gradient by one number. LayerNorm's "
               "statistics are each example's own. bfloat16 keeps float32's 8 exponent bits. "
               "(1 − p_t)^0 = 1."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_norm_clipping_turning,
                   answers.true_statements_with_bf16_scaler, answers.true_statements_without_adam_l2],
)
