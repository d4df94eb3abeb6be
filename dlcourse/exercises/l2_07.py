"""Exercises of L2.07 · Batch normalization (批量归一化).

    from dlcourse.exercises import l2_07 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_07_answers as answers
from .kinds import choices, number, write_function

PARTS = ["the output", "running_mean", "running_var"]


# ---------------------------------------------------------------------------------------------
# q1 · batch norm from scratch, against F.batch_norm
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(7)

    def case(shape, training, momentum=0.1, eps=1e-5, offset=3.0, scale=2.0):
        c = shape[1]
        x = torch.randn(*shape, generator=g, dtype=torch.float64) * scale + offset
        gamma = torch.rand(c, generator=g, dtype=torch.float64) + 0.5
        beta = torch.randn(c, generator=g, dtype=torch.float64)
        running_mean = torch.randn(c, generator=g, dtype=torch.float64)
        running_var = torch.rand(c, generator=g, dtype=torch.float64) + 0.5
        return (x, gamma, beta, running_mean, running_var, training, momentum, eps)

    return {
        "a (32, 5) batch in training mode": case((32, 5), True),
        "a (4, 3) batch in training mode, momentum 0.3": case((4, 3), True, momentum=0.3),
        "a (8, 4, 5, 5) image batch in training mode": case((8, 4, 5, 5), True),
        "a (2, 3, 4, 6) image batch in training mode, eps 1e-3": case((2, 3, 4, 6), True, eps=1e-3),
        "a (16, 5) batch in eval mode": case((16, 5), False),
        "a (6, 4, 3, 3) image batch in eval mode": case((6, 4, 3, 3), False),
    }


def _batch_norm_reference(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    """torch.nn.functional.batch_norm, which updates the running statistics in place."""
    import torch.nn.functional as F
    rm, rv = running_mean.clone(), running_var.clone()
    out = F.batch_norm(x, rm, rv, gamma, beta, training=training, momentum=momentum, eps=eps)
    return out, rm, rv


def _q1_diagnose(got, expected, args):
    import copy

    import torch
    training = args[5]
    for wrong, why in [
        (answers.batch_norm_biased_running_var,
         "the running variance is updated with the unbiased batch variance, × n / (n − 1), where "
         "n counts the values per channel (N·H·W); the batch itself is normalized with the biased one"),
        (answers.batch_norm_momentum_reversed,
         "PyTorch's momentum weighs the new batch: running = (1 − momentum)·running + "
         "momentum·batch statistic"),
        (answers.batch_norm_batch_axis_only,
         "for (N, C, H, W) the statistics are per channel, over N, H and W together"),
        (answers.batch_norm_over_features,
         "batch norm averages over the batch (and the pixels), one mean per channel, not over "
         "each example's features"),
        (answers.batch_norm_batch_stats_in_eval,
         "in eval mode, normalize with running_mean and running_var and leave them unchanged"),
        (answers.batch_norm_unbiased_normalization,
         "the batch is normalized with the biased variance (÷ n); only the running estimate uses ÷ (n − 1)"),
    ]:
        mine = wrong(*copy.deepcopy(args))
        if all(torch.allclose(torch.as_tensor(g, dtype=torch.float64), m, rtol=1e-6, atol=1e-9)
               for g, m in zip(got, mine)):
            if not training and wrong is not answers.batch_norm_batch_stats_in_eval:
                continue
            return why
    return None


q1 = write_function(
    "batch_norm(x, gamma, beta, running_mean, running_var, training, momentum, eps)",
    _batch_norm_reference, _q1_cases, parts=PARTS, rtol=1e-6, atol=1e-9, diagnose=_q1_diagnose,
    name="Q1 · batch norm from scratch",
    hint_text=("The channel axis is 1: average over every other axis (dims 0, 2, 3, … ) and "
               "reshape the per-channel vectors to (1, C, 1, 1, …) to broadcast. Training: "
               "normalize with the batch mean and the biased variance (÷ n), then set "
               "running = (1 − momentum)·running + momentum·statistic, with the variance's "
               "statistic unbiased (× n / (n − 1), n = values per channel). Eval: normalize with "
               "the running statistics and leave them alone. Return (out, running_mean, running_var)."),
    right_answer=answers.batch_norm,
    wrong_answers=[answers.batch_norm_biased_running_var, answers.batch_norm_batch_axis_only,
                   answers.batch_norm_over_features, answers.batch_norm_batch_stats_in_eval,
                   answers.batch_norm_momentum_reversed, answers.batch_norm_unbiased_normalization],
)

# ---------------------------------------------------------------------------------------------
# q2 · the running mean after three batches
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.running_mean_after_three, what="running_mean", rtol=1e-4, atol=0,
    mistakes=lambda: {
        answers.running_mean_after_three_momentum_reversed(): "PyTorch's momentum is the weight "
                                                              "of the new batch, 0.1, not of the old value",
        answers.running_mean_after_three_batch_mean(): "the running mean moves only part of the "
                                                       "way towards each batch's mean",
        answers.running_mean_after_one(): "that is after one batch; apply the update three times",
    },
    name="Q2 · the running mean",
    hint_text=("Each training step does running = (1 − momentum)·running + momentum·batch_mean. "
               "Start from 0 and apply it three times with batch_mean = 2."),
    right_answer=answers.running_mean_after_three,
    wrong_answers=[answers.running_mean_after_three_momentum_reversed,
                   answers.running_mean_after_three_batch_mean, answers.running_mean_after_one],
)

# ---------------------------------------------------------------------------------------------
# q3 · what is true of batch norm
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "in eval mode, a BN layer's output for one example does not depend on the rest of the batch",
    "b": "a Linear layer followed by BN needs no bias: BN subtracts it again, and β takes its place",
    "c": "in training mode, a BN layer's output for one example does not depend on the rest of the batch",
    "d": "multiplying the weights of the Linear layer before BN by 3 leaves BN's output unchanged (up to ε)",
    "e": "BatchNorm1d in training mode works as usual on a batch of one example",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · what batch norm does",
    hint_text=("In training mode the mean and variance come from the batch, so every example's "
               "output depends on the others, and one example has variance 0. In eval mode they "
               "are fixed numbers. Subtracting the mean removes any constant added per channel; "
               "dividing by the std removes any common scale."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_batch_independence,
                   answers.true_statements_without_bias, answers.true_statements_with_batch_of_one],
)
