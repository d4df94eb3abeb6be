"""Exercises of L3.03 · Distributed training (分布式训练).

    from dlcourse.exercises import l3_03 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_03_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · ring all-reduce simulated in one process, against the plain sum
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(3)

    def case(n, length):
        return ([torch.randn(length, generator=g, dtype=torch.float64) for _ in range(n)],)

    return {
        "2 workers, 6 values": case(2, 6),
        "3 workers, 7 values (chunks of 3, 2, 2)": case(3, 7),
        "4 workers, 12 values": case(4, 12),
        "5 workers, 23 values": case(5, 23),
        "4 workers, 3 values (one chunk is empty)": case(4, 3),
        "1 worker, 5 values": case(1, 5),
    }


def _sum_reference(tensors):
    import torch
    total = torch.stack(tensors).sum(0)
    return [total.clone() for _ in tensors]


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.ring_allreduce_mean, "all-reduce sums; dividing by the number of workers is "
                                      "DDP's step after it, not part of the collective"),
        (answers.ring_allreduce_reduce_scatter_only,
         "after reduce-scatter each worker holds only one finished chunk: the all-gather steps "
         "must pass the finished chunks round the ring"),
        (answers.ring_allreduce_off_by_one,
         "a chunk was added into the wrong place: at reduce-scatter step s, worker w sends chunk "
         "(w − s) mod N and adds what arrives from w − 1 into chunk (w − s − 1) mod N"),
    ]:
        mine = wrong([t.clone() for t in args[0]])
        if len(got) == len(mine) and all(
                torch.allclose(torch.as_tensor(g, dtype=torch.float64), m) for g, m in zip(got, mine)):
            return why
    return None


q1 = write_function(
    "ring_allreduce(tensors)", _sum_reference, _q1_cases, rtol=1e-9, atol=1e-12,
    diagnose=_q1_diagnose, name="Q1 · ring all-reduce",
    hint_text=("Cut every worker's tensor into N chunks with tensor_split(N) (on a clone). "
               "Reduce-scatter, N − 1 steps: at step s every worker w sends chunk (w − s) mod N "
               "to worker w + 1 (collect all outgoing chunks first: everyone sends at once), and "
               "worker w adds the chunk from w − 1 into its chunk (w − s − 1) mod N. All-gather, "
               "N − 1 steps: worker w sends chunk (w + 1 − s) mod N, the receiver overwrites its "
               "chunk (w − s) mod N with it. Return [torch.cat(chunks) for each worker]."),
    right_answer=answers.ring_allreduce,
    wrong_answers=[answers.ring_allreduce_reduce_scatter_only, answers.ring_allreduce_off_by_one,
                   answers.ring_allreduce_mean],
)

# ---------------------------------------------------------------------------------------------
# q2 · the linear scaling rule with GPUs and accumulation
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.scaled_learning_rate, what="the learning rate", rtol=1e-6, atol=0,
    mistakes=lambda: {
        answers.scaled_learning_rate_without_accumulation(): "the two accumulated micro-batches "
                                                             "also count in the effective batch",
        answers.scaled_learning_rate_by_gpus(): "scale by the effective batch over the original "
                                                "batch, not by the number of GPUs",
        answers.scaled_learning_rate_unchanged(): "with a larger effective batch, the linear "
                                                  "scaling rule raises the learning rate",
    },
    name="Q2 · the learning rate for a larger batch",
    hint_text=("Effective batch = GPUs × batch per GPU × accumulation steps. Linear scaling: "
               "lr_new = lr_old × effective batch / old batch."),
    right_answer=answers.scaled_learning_rate,
    wrong_answers=[answers.scaled_learning_rate_without_accumulation,
                   answers.scaled_learning_rate_by_gpus, answers.scaled_learning_rate_unchanged],
)

# ---------------------------------------------------------------------------------------------
# q3 · memory per GPU under ZeRO-2
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.zero2_gb, what="GB per GPU", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.zero1_gb(): "that is ZeRO-1 (only the optimizer state sharded); ZeRO-2 shards the "
                            "gradients too",
        answers.zero3_gb(): "that is ZeRO-3, which shards the parameters as well",
        answers.ddp_gb(): "that is plain data parallelism, with everything replicated",
    },
    name="Q3 · memory per GPU under ZeRO-2",
    hint_text=("Per parameter: 2 bytes of fp16 weights, 2 of fp16 gradients, 12 of Adam state "
               "(fp32 weights, momentum, variance). ZeRO-2 keeps the weights whole on every GPU "
               "and divides gradients and optimizer state by the number of GPUs."),
    right_answer=answers.zero2_gb,
    wrong_answers=[answers.zero1_gb, answers.zero3_gb, answers.ddp_gb],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of data-parallel training
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "DDP on N processes with batch B each takes the same SGD steps as one process with batch "
         "N·B, for a model without batch norm and with a mean loss",
    "b": "with nn.BatchNorm1d under DDP, each process normalizes with the statistics of the whole "
         "global batch",
    "c": "with gradient accumulation under DDP, no_sync() on all but the last micro-batch saves "
         "communication and gives the same gradients",
    "d": "DDP averages the gradients (sum by all-reduce, then divide by the number of processes)",
    "e": "the bytes each worker sends in ring all-reduce grow in proportion to the number of workers",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · data parallelism",
    hint_text=("Look again at the equivalence and no_sync numbers, at what BN computes on each "
               "process, and at the ring's 2(N − 1)/N."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_batch_norm, answers.true_statements_without_no_sync,
                   answers.true_statements_with_ring_growth],
)
