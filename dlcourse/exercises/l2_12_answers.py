"""Answers to L2.12's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed

LAYERS = ("c1", "c3", "f5", "f6", "out")   # LeNet's layers with weights, input → output


# q1 · per-layer learning rates: base_lr for the head, × decay for each layer further down
def param_groups(model, base_lr, decay):
    groups = []
    for depth, name in enumerate(["out", "f6", "f5", "c3", "c1"]):   # out: 0, f6: 1, …, c1: 4
        groups.append({"params": list(getattr(model, name).parameters()),
                       "lr": base_lr * decay ** depth})
    return groups


def param_groups_reversed(model, base_lr, decay):
    """Decays toward the output: the head learns slowest, the first layer fastest."""
    return [{"params": list(getattr(model, name).parameters()), "lr": base_lr * decay ** depth}
            for depth, name in enumerate(LAYERS)]


def param_groups_without_head(model, base_lr, decay):
    """Leaves the new head out of the optimizer: it never learns."""
    return [{"params": list(getattr(model, name).parameters()), "lr": base_lr * decay ** depth}
            for depth, name in enumerate(reversed(LAYERS)) if name != "out"]


def param_groups_off_by_one(model, base_lr, decay):
    """Starts the decay at the head: every layer, the head too, gets one factor too many."""
    return [{"params": list(getattr(model, name).parameters()), "lr": base_lr * decay ** (depth + 1)}
            for depth, name in enumerate(reversed(LAYERS))]


def param_groups_no_lr(model, base_lr, decay):
    """Forgets the 'lr' key: every group takes the optimizer's default learning rate."""
    return [{"params": list(getattr(model, name).parameters())} for name in reversed(LAYERS)]


# q2 · which settings make fine-tuning the better bet
@computed
def transfer_helps():
    return {"a", "d"}


@computed
def transfer_helps_with_far_task():
    return {"a", "c", "d"}


@computed
def transfer_helps_with_many_labels():
    return {"a", "b", "d"}


# q3 · how many weights feature extraction trains
@computed
def head_weights():
    return 84 * 5 + 5


@computed
def head_weights_no_bias():
    return 84 * 5


@computed
def head_weights_ten_classes():
    return 84 * 10 + 10
