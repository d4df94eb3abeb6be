"""Answers to L2.01's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import computed


# q1 · evaluate a model over a DataLoader
def evaluate(model, loader):
    model.eval()                                  # dropout off, batch norm uses its running stats
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():                         # no graph: less memory, faster
        for x, y in loader:
            scores = model(x)
            total += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total / count, correct / count         # means over examples, not over batches


def evaluate_mean_of_batch_means(model, loader):
    """Every batch counts the same, the short last one too."""
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            losses.append(F.cross_entropy(scores, y).item())
            accuracies.append((scores.argmax(dim=1) == y).float().mean().item())
    return sum(losses) / len(losses), sum(accuracies) / len(accuracies)


def evaluate_in_train_mode(model, loader):
    """No model.eval(): dropout still drops half the units."""
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total / count, correct / count


def evaluate_loss_summed(model, loader):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total, correct / count


def evaluate_accuracy_as_count(model, loader):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total / count, correct


# q2 · what a state_dict holds
@computed
def in_state_dict():
    # parameters (frozen ones too) and buffers; not plain attributes, not the optimizer's state
    return {"a", "b", "c"}


@computed
def in_state_dict_trainable_only():
    return {"a", "b"}


@computed
def in_state_dict_no_buffers():
    return {"a", "c"}


@computed
def in_state_dict_with_optimizer():
    return {"a", "b", "c", "e"}


@computed
def in_state_dict_every_tensor():
    return {"a", "b", "c", "d"}


# q3 · what torch.load(..., weights_only=True) accepts
@computed
def weights_only_loads():
    # tensors, plain containers and values, and the torch types allowed by name load; an object
    # whose class must be imported (datetime's, NumPy's) does not
    return {"a", "b", "e", "f"}


@computed
def weights_only_loads_tensors_only():
    return {"a", "e"}


@computed
def weights_only_loads_numpy_too():
    return {"a", "b", "d", "e", "f"}


@computed
def weights_only_loads_everything():
    return {"a", "b", "c", "d", "e", "f"}


# q4 · which lines move data to the device
@computed
def moved():
    # Module.to works in place; Tensor.to returns a new tensor
    return {"a": "moved", "b": "not moved", "c": "moved", "d": "not moved"}


@computed
def moved_every_to():
    return {"a": "moved", "b": "moved", "c": "moved", "d": "moved"}


@computed
def moved_tensor_in_place():
    return {"a": "moved", "b": "moved", "c": "moved", "d": "not moved"}


@computed
def moved_module_needs_assignment():
    return {"a": "not moved", "b": "not moved", "c": "moved", "d": "not moved"}
