"""Answers to L3.21's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · FGSM: one signed-gradient step of size ε, clipped to valid pixels
def fgsm(model, x, y, eps):
    import torch
    import torch.nn.functional as F
    x = x.detach().clone().requires_grad_(True)
    grad, = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x + eps * grad.sign()).clamp(0, 1).detach()


def fgsm_no_clip(model, x, y, eps):
    """Forgets that pixels must stay in [0, 1]."""
    import torch
    import torch.nn.functional as F
    x = x.detach().clone().requires_grad_(True)
    grad, = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x + eps * grad.sign()).detach()


def fgsm_descends(model, x, y, eps):
    """Steps *down* the loss (a training step on the input), which makes the answer more certain."""
    import torch
    import torch.nn.functional as F
    x = x.detach().clone().requires_grad_(True)
    grad, = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x - eps * grad.sign()).clamp(0, 1).detach()


def fgsm_raw_gradient(model, x, y, eps):
    """Steps along ε times the gradient itself, not its sign: far smaller than the budget allows."""
    import torch
    import torch.nn.functional as F
    x = x.detach().clone().requires_grad_(True)
    grad, = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x + eps * grad).clamp(0, 1).detach()


def fgsm_predicted_label(model, x, y, eps):
    """Attacks the model's own prediction instead of the true label."""
    import torch
    import torch.nn.functional as F
    x = x.detach().clone().requires_grad_(True)
    logits = model(x)
    grad, = torch.autograd.grad(F.cross_entropy(logits, logits.argmax(1).detach()), x)
    return (x + eps * grad.sign()).clamp(0, 1).detach()


# q2 · the PGD projection onto the L∞ ball around x, intersected with [0, 1]
def project(x_adv, x, eps):
    return (x + (x_adv - x).clamp(-eps, eps)).clamp(0, 1)


def project_ball_only(x_adv, x, eps):
    """Projects onto the ball but forgets the valid-pixel box [0, 1]."""
    return x + (x_adv - x).clamp(-eps, eps)


def project_clamps_image(x_adv, x, eps):
    """Clamps the attacked image itself to [−ε, ε] instead of its difference from x."""
    return x_adv.clamp(-eps, eps).clamp(0, 1)


def project_box_only(x_adv, x, eps):
    """Clips to [0, 1] only: the perturbation can grow past ε."""
    return x_adv.clamp(0, 1)


def project_scales(x_adv, x, eps):
    """Rescales δ to L∞ norm ε (an L2-style projection) even when it is already inside the ball."""
    import torch
    delta = x_adv - x
    norm = delta.abs().flatten(1).amax(1).clamp_min(1e-12).reshape(-1, *[1] * (delta.dim() - 1))
    return (x + eps * delta / norm).clamp(0, 1) if delta.dim() > 1 else \
        (x + eps * delta / torch.clamp(delta.abs().max(), min=1e-12)).clamp(0, 1)


# q3 · how far an L∞ budget can move a linear score: ε ‖w‖₁
@computed
def linear_score_drop():
    return 784 * 0.05 * 0.1


@computed
def linear_score_drop_l2():
    import math
    return 0.1 * math.sqrt(784 * 0.05 ** 2)


@computed
def linear_score_drop_one_pixel():
    return 0.05 * 0.1


@computed
def linear_score_drop_half():
    return 784 * 0.05 * 0.1 / 2


# q4 · attacks, attributions, defences
@computed
def true_statements():
    return {"a", "b", "e"}


@computed
def true_statements_with_fgsm_enough():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_ink_saliency():
    return {"a", "b", "d", "e"}


@computed
def true_statements_without_ig_zero():
    return {"b", "e"}
