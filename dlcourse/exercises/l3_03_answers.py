"""Answers to L3.03's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · ring all-reduce, simulated in one process
def ring_allreduce(tensors):
    n = len(tensors)
    chunks = [list(t.clone().tensor_split(n)) for t in tensors]    # chunks[worker][chunk]
    for s in range(n - 1):                                          # reduce-scatter
        outgoing = [chunks[w][(w - s) % n].clone() for w in range(n)]   # all send at once
        for w in range(n):
            chunks[w][(w - s - 1) % n] += outgoing[(w - 1) % n]     # from the left neighbour
    for s in range(n - 1):                                          # all-gather
        outgoing = [chunks[w][(w + 1 - s) % n].clone() for w in range(n)]
        for w in range(n):
            chunks[w][(w - s) % n] = outgoing[(w - 1) % n]
    return [torch.cat(c) for c in chunks]


def ring_allreduce_reduce_scatter_only(tensors):
    """Stops after reduce-scatter: each worker holds one finished chunk and partial sums elsewhere."""
    n = len(tensors)
    chunks = [list(t.clone().tensor_split(n)) for t in tensors]
    for s in range(n - 1):
        outgoing = [chunks[w][(w - s) % n].clone() for w in range(n)]
        for w in range(n):
            chunks[w][(w - s - 1) % n] += outgoing[(w - 1) % n]
    return [torch.cat(c) for c in chunks]


def ring_allreduce_off_by_one(tensors):
    """Adds the incoming chunk into the chunk with the sender's index of the *receiver's* step,
    (w − s) instead of (w − s − 1): chunks get mixed up."""
    n = len(tensors)
    chunks = [list(t.clone().tensor_split(n)) for t in tensors]
    for s in range(n - 1):
        outgoing = [chunks[w][(w - s) % n].clone() for w in range(n)]
        for w in range(n):
            c = (w - s) % n
            if chunks[w][c].shape == outgoing[(w - 1) % n].shape:
                chunks[w][c] += outgoing[(w - 1) % n]
    for s in range(n - 1):
        outgoing = [chunks[w][(w + 1 - s) % n].clone() for w in range(n)]
        for w in range(n):
            c = (w - s) % n
            if chunks[w][c].shape == outgoing[(w - 1) % n].shape:
                chunks[w][c] = outgoing[(w - 1) % n]
    return [torch.cat(c) for c in chunks]


def ring_allreduce_mean(tensors):
    """Averages instead of summing: DDP divides by N afterwards, all-reduce itself sums."""
    return [t / len(tensors) for t in ring_allreduce(tensors)]


# q2 · the learning rate for a larger effective batch (linear scaling rule)
@computed
def scaled_learning_rate():
    base_lr, base_batch = 0.1, 256
    effective_batch = 8 * 64 * 2          # GPUs × batch per GPU × accumulation steps
    return base_lr * effective_batch / base_batch


@computed
def scaled_learning_rate_without_accumulation():
    return 0.1 * 8 * 64 / 256


@computed
def scaled_learning_rate_by_gpus():
    return 0.1 * 8


@computed
def scaled_learning_rate_unchanged():
    return 0.1


# q3 · memory per GPU under ZeRO-2 (mixed-precision Adam: 2 + 2 + 12 bytes per parameter)
@computed
def zero2_gb():
    params, gpus = 1.5e9, 8
    return (2 * params + (2 + 12) * params / gpus) / 1e9


@computed
def zero1_gb():
    return (2 * 1.5e9 + 2 * 1.5e9 + 12 * 1.5e9 / 8) / 1e9


@computed
def zero3_gb():
    return 16 * 1.5e9 / 8 / 1e9


@computed
def ddp_gb():
    return 16 * 1.5e9 / 1e9


# q4 · what is true of data-parallel training
@computed
def true_statements():
    return {"a", "c", "d"}


@computed
def true_statements_with_batch_norm():
    return {"a", "b", "c", "d"}


@computed
def true_statements_without_no_sync():
    return {"a", "d"}


@computed
def true_statements_with_ring_growth():
    return {"a", "c", "d", "e"}
