"""Exercises of L2.01 · PyTorch in practice (PyTorch 实战).

    from dlcourse.exercises import l2_01 as ex
    ex.q1.check(evaluate); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_01_answers as answers
from .kinds import choices, labels, write_function


# ---------------------------------------------------------------------------------------------
# q1 · evaluate a model over a DataLoader
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    """{label: (model, loader)}: a small float64 MLP with dropout, left in training mode (as it is
    after a training epoch), and loaders whose last batch is smaller than the others."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    g = torch.Generator().manual_seed(201)
    cases = {}
    for n, batch_size, features, classes in [(50, 16, 6, 4), (64, 64, 5, 3), (7, 3, 4, 10)]:
        torch.manual_seed(n)
        model = nn.Sequential(nn.Linear(features, 16), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(16, classes)).double()
        X = torch.randn(n, features, generator=g, dtype=torch.float64)
        y = torch.randint(0, classes, (n,), generator=g)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size)
        last = n % batch_size or batch_size
        cases[f"{n} examples in batches of {batch_size} (the last one {last}), dropout 0.5"] = \
            (model, loader)
    return cases


def _evaluate_reference(model, loader):
    """dlcourse.train.evaluate with cross-entropy: the evaluation dlcourse.train.fit runs."""
    import torch.nn.functional as F

    from ..train import evaluate
    return evaluate(model, loader, F.cross_entropy)


def _q1_diagnose(got, expected, args):
    import copy

    from .. import check
    loss, accuracy = (check.as_number(v) for v in got)
    if accuracy > 1:
        return f"accuracy {accuracy:g} is a count: divide by the number of examples"
    if abs(loss / len(args[1].dataset) - expected[0]) < 1e-9:
        return "the loss is a sum over the examples: divide by how many there are"
    per_batch = answers.evaluate_mean_of_batch_means(*copy.deepcopy(args))
    if abs(loss - per_batch[0]) < 1e-9:
        return ("that is the mean of the batches' means, which counts the short last batch as "
                "much as a full one: add up over examples, divide once at the end")
    return None


q1 = write_function(
    "evaluate(model, loader)", _evaluate_reference, _q1_cases, rtol=1e-9, atol=1e-12,
    parts=("loss", "accuracy"), diagnose=_q1_diagnose,
    name="Q1 · evaluate a model",
    hint_text=("Call model.eval() first (dropout is off in eval mode) and loop under "
               "torch.no_grad(). For each batch, F.cross_entropy(scores, y, reduction='sum') "
               "gives the batch's total loss and (scores.argmax(1) == y).sum() its correct "
               "answers; add both up and divide by the number of examples at the end, not per "
               "batch: the last batch is smaller."),
    right_answer=answers.evaluate,
    wrong_answers=[answers.evaluate_mean_of_batch_means, answers.evaluate_in_train_mode,
                   answers.evaluate_loss_summed, answers.evaluate_accuracy_as_count],
)


# ---------------------------------------------------------------------------------------------
# q2 · what a state_dict holds
# ---------------------------------------------------------------------------------------------
Q2_CHOICES = {
    "a": "the weight and bias of every nn.Linear in the model",
    "b": "a tensor stored with self.register_buffer('mean', mean)",
    "c": "the first layer's weight after you froze it with requires_grad_(False)",
    "d": "a tensor stored as a plain attribute, self.scale = torch.tensor(2.0)",
    "e": "Adam's running averages of the gradients (its moments)",
    "f": "the learning rate",
}

q2 = choices(
    list(Q2_CHOICES), {"a", "b", "c"},
    extra="{n} of your choices are not in model.state_dict()",
    missing="{n} of what it holds are missing",
    name="Q2 · what a state_dict holds",
    hint_text=("model.state_dict() holds the module's parameters (frozen or not: requires_grad "
               "only decides whether they get gradients) and its buffers, keyed by name. A plain "
               "tensor attribute is invisible to the module; the optimizer keeps its own state "
               "and hyperparameters in optimizer.state_dict()."),
    right_answer=answers.in_state_dict,
    wrong_answers=[answers.in_state_dict_trainable_only, answers.in_state_dict_no_buffers,
                   answers.in_state_dict_with_optimizer, answers.in_state_dict_every_tensor],
)


# ---------------------------------------------------------------------------------------------
# q3 · what torch.load(..., weights_only=True) accepts
# ---------------------------------------------------------------------------------------------
Q3_CHOICES = {
    "a": "a list of tensors, [w, b]",
    "b": "the optimizer's settings as a dict, {'lr': 0.1, 'betas': (0.9, 0.999)}",
    "c": "the date of the run, datetime.date(2026, 12, 6)",
    "d": "the best accuracy as NumPy computed it, np.float64(0.981)",
    "e": "an nn.Parameter on its own",
    "f": "a batch's shape, torch.Size([128, 784])",
}


def _q3_objects():
    import datetime

    import numpy as np
    import torch
    return {"a": [torch.ones(2), torch.zeros(3)], "b": {"lr": 0.1, "betas": (0.9, 0.999)},
            "c": datetime.date(2026, 12, 6), "d": np.float64(0.981),
            "e": torch.nn.Parameter(torch.ones(2)), "f": torch.Size([128, 784])}


def _q3_loaded() -> set[str]:
    """The letters whose object torch.load(..., weights_only=True) gives back, asked of the
    installed PyTorch itself."""
    import io

    import torch
    loaded = set()
    for letter, obj in _q3_objects().items():
        buffer = io.BytesIO()
        torch.save(obj, buffer)
        buffer.seek(0)
        try:
            torch.load(buffer, weights_only=True)
        except Exception:     # torch raises pickle.UnpicklingError for a refused type
            continue
        loaded.add(letter)
    return loaded


q3 = choices(
    list(Q3_CHOICES), _q3_loaded,
    extra="{n} of your choices would be refused",
    missing="{n} of what loads are missing",
    name="Q3 · what weights_only=True loads",
    hint_text=("weights_only=True unpickles only tensors, plain containers (dict, list, tuple) "
               "and plain values (numbers, strings, None), plus the few types PyTorch allows "
               "by name. Anything that needs a class to be imported (a module, your own "
               "class, anything from NumPy) could run code while loading, so it is refused. "
               "Try one with the loop of section 6."),
    right_answer=answers.weights_only_loads,
    wrong_answers=[answers.weights_only_loads_tensors_only, answers.weights_only_loads_numpy_too,
                   answers.weights_only_loads_everything],
)


# ---------------------------------------------------------------------------------------------
# q4 · which lines move data to the device
# ---------------------------------------------------------------------------------------------
MOVES = ("moved", "not moved")
Q4_LINES = {
    "a": "model.to(device)",
    "b": "x.to(device)            # x is a tensor; the result is not stored",
    "c": "x = x.to(device)",
    "d": "for p in model.parameters(): p = p.to(device)",
}

q4 = labels(
    {"a": "moved", "b": "not moved", "c": "moved", "d": "not moved"}, MOVES,
    what="'moved' or 'not moved'",
    name="Q4 · on the device, or not",
    hint_text=("Module.to moves the module's own parameters and buffers in place (and returns "
               "the module). Tensor.to returns a new tensor on the device and leaves the "
               "original where it was: only storing the result moves your variable, and "
               "rebinding a loop variable changes nothing in the model."),
    right_answer=answers.moved,
    wrong_answers=[answers.moved_every_to, answers.moved_tensor_in_place,
                   answers.moved_module_needs_assignment],
)
