"""Answers to L2.09's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

from . import computed


# q1 · the matrix θ that F.affine_grid needs for a rotation and a zoom
def rotation_matrix(degrees, scale):
    import torch
    angle = math.radians(degrees)
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale   # the inverse: divide by the zoom
    return torch.tensor([[cos, -sin, 0.0],
                         [sin, cos, 0.0]])


def rotation_matrix_radians(degrees, scale):
    """Feeds degrees to cos and sin, which take radians."""
    import torch
    cos, sin = math.cos(degrees) / scale, math.sin(degrees) / scale
    return torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0]])


def rotation_matrix_times_scale(degrees, scale):
    """Multiplies by the zoom: θ maps output to input, so this zooms out."""
    import torch
    angle = math.radians(degrees)
    cos, sin = math.cos(angle) * scale, math.sin(angle) * scale
    return torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0]])


def rotation_matrix_clockwise(degrees, scale):
    """The transposed rotation: turns the image the other way."""
    import torch
    angle = math.radians(degrees)
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
    return torch.tensor([[cos, sin, 0.0], [-sin, cos, 0.0]])


def rotation_matrix_2x2(degrees, scale):
    """Forgets the translation column that F.affine_grid expects."""
    import torch
    angle = math.radians(degrees)
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
    return torch.tensor([[cos, -sin], [sin, cos]])


# q2 · which transforms keep a digit's label
@computed
def label_preserving():
    return {"a", "d", "e"}


@computed
def label_preserving_with_mirror():
    return {"a", "b", "d", "e"}


@computed
def label_preserving_with_half_turn():
    return {"a", "c", "d", "e"}


@computed
def label_preserving_without_noise():
    return {"a", "d"}


# q3 · the loss of one mixed example
@computed
def mixup_loss():
    lam, p_three, p_eight = 0.7, 0.5, 0.4
    return -(lam * math.log(p_three) + (1 - lam) * math.log(p_eight))


@computed
def mixup_loss_first_label_only():
    return -math.log(0.5)


@computed
def mixup_loss_weights_swapped():
    return -(0.3 * math.log(0.5) + 0.7 * math.log(0.4))


@computed
def mixup_loss_probabilities_mixed():
    """Mixes the probabilities inside the log instead of the two losses."""
    return -math.log(0.7 * 0.5 + 0.3 * 0.4)
