"""Exercises of L2.12 · Transfer learning & fine-tuning (迁移学习与微调).

    from dlcourse.exercises import l2_12 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from . import Exercise
from . import l2_12_answers as answers
from .kinds import choices, number, write_function

SIGNATURE = "param_groups(model, base_lr, decay)"
PARAMETERS = ("c1.weight", "c1.bias", "c3.weight", "c3.bias", "f5.weight", "f5.bias",
              "f6.weight", "f6.bias", "out.weight", "out.bias")


# ---------------------------------------------------------------------------------------------
# q1 · per-layer learning rates as optimizer parameter groups, checked through one SGD step
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    return {"base_lr 0.1, decay 0.5": (0, 0.1, 0.5), "base_lr 0.01, decay 0.3": (1, 0.01, 0.3),
            "base_lr 1, decay 1 (one learning rate)": (2, 1.0, 1.0),
            "base_lr 0.05, decay 0 (only the head learns)": (3, 0.05, 0.0)}


def _model_and_grads(seed):
    """LeNet(classes=5) drawn from `seed`, each parameter given a gradient drawn from `seed`."""
    import torch
    from ..models import LeNet
    torch.manual_seed(seed)
    model = LeNet(classes=5)
    g = torch.Generator().manual_seed(seed + 1)
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=g)
    return model


def _hand_computed_step(seed, base_lr, decay):
    """p − lr·grad by hand, lr = base_lr · decay^(layers between the layer and the output)."""
    model = _model_and_grads(seed)
    depth = {name: i for i, name in enumerate(reversed(answers.LAYERS))}
    return tuple((p - base_lr * decay ** depth[n.split(".")[0]] * p.grad).detach()
                 for n, p in model.named_parameters())


def _through_one_sgd_step(param_groups):
    fn = check.as_function(param_groups, SIGNATURE)

    def stepped(seed, base_lr, decay):
        import torch
        model = _model_and_grads(seed)
        groups = check.call(fn, model, base_lr, decay, what=SIGNATURE)
        optimizer = torch.optim.SGD(groups, lr=123.0)    # a default no group should fall back on
        optimizer.step()
        return tuple(p.detach() for p in model.parameters())

    return stepped


def _q1_check(answer):
    one_step = write_function("one SGD step with param_groups", _hand_computed_step, _q1_cases,
                              rtol=1e-5, atol=1e-6, parts=PARAMETERS, name="", hint_text="",
                              right_answer=None)
    one_step.checker(_through_one_sgd_step(answer))


q1 = Exercise(
    name="Q1 · per-layer learning rates", checker=_q1_check,
    hint_text=("Return a list of dicts, one per layer: {'params': list(model.NAME.parameters()), "
               "'lr': ...}. Count depth from the output: out has depth 0 and lr base_lr, f6 "
               "depth 1 and lr base_lr·decay, …, c1 depth 4 and lr base_lr·decay⁴. Every "
               "parameter must be in exactly one group, and every group needs its 'lr'."),
    right_answer=answers.param_groups,
    wrong_answers=[answers.param_groups_reversed, answers.param_groups_without_head,
                   answers.param_groups_off_by_one, answers.param_groups_no_lr],
)

# ---------------------------------------------------------------------------------------------
# q2 · when is fine-tuning a pretrained network the better bet
# ---------------------------------------------------------------------------------------------
SETTINGS = {
    "a": "the new task has 20 labelled images per class, the pretrained one had 30,000 images",
    "b": "the new task has 1,000,000 labelled images and a large compute budget",
    "c": "the pretrained network classified spectrograms of speech; the new task is X-ray images",
    "d": "the pretrained network classified photos; the new task is photos of other objects",
}

q2 = choices(
    list(SETTINGS), answers.transfer_helps,
    extra="{n} of your letters are settings where starting from scratch does as well or better",
    missing="{n} setting(s) where the pretrained start clearly helps are missing",
    name="Q2 · when transfer helps",
    hint_text=("Transfer helps most when the new task has few labels and resembles the old one, "
               "so its early features (edges, strokes, textures) still apply. With plenty of "
               "data, scratch catches up; with a distant source task, the features may not "
               "apply at all (negative transfer)."),
    right_answer=answers.transfer_helps,
    wrong_answers=[answers.transfer_helps_with_far_task, answers.transfer_helps_with_many_labels],
)

# ---------------------------------------------------------------------------------------------
# q3 · how many weights feature extraction trains
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.head_weights, what="the number of trained parameters", whole=True,
    mistakes=lambda: {
        answers.head_weights_no_bias(): "the new head has a bias too, one per class",
        answers.head_weights_ten_classes(): "the new head has one output per class of the new "
                                            "task: five digits, 5 to 9",
    },
    name="Q3 · what feature extraction trains",
    hint_text=("With the body frozen only the new head learns: nn.Linear(84, 5) has a 5 × 84 "
               "weight matrix and 5 biases."),
    right_answer=answers.head_weights,
    wrong_answers=[answers.head_weights_no_bias, answers.head_weights_ten_classes],
)
