"""Exercises of L2.09 · Data augmentation (数据增强).

    from dlcourse.exercises import l2_09 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_09_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the 2 × 3 matrix of a rotation and a zoom, for F.affine_grid
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    return {
        "0°, scale 1 (the identity)": (0.0, 1.0),
        "90°, scale 1 (torch.rot90's quarter turn)": (90.0, 1.0),
        "30°, scale 1": (30.0, 1.0),
        "−15°, scale 1.2": (-15.0, 1.2),
        "0°, scale 2 (a zoom only)": (0.0, 2.0),
        "200°, scale 0.8": (200.0, 0.8),
    }


def _rotation_reference(degrees, scale):
    """θ as the inverse of the forward map 'zoom by scale, then rotate', computed by torch."""
    import math

    import torch
    a = torch.tensor(math.radians(degrees), dtype=torch.float64)
    # the forward map on (x right, y down) coordinates: a counter-clockwise turn on screen
    forward = scale * torch.stack([torch.stack([torch.cos(a), torch.sin(a)]),
                                   torch.stack([-torch.sin(a), torch.cos(a)])])
    return torch.cat([torch.linalg.inv(forward), torch.zeros(2, 1, dtype=torch.float64)], 1).float()


def _q1_diagnose(got, expected, args):
    import torch
    try:
        got = torch.as_tensor(got, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        return None
    if tuple(got.shape) == (2, 2):
        return "F.affine_grid needs a 2 × 3 matrix: add the translation column (zeros here)"
    for wrong, why in [
            (answers.rotation_matrix_radians, "math.cos and math.sin take radians: convert the "
                                              "degrees with math.radians"),
            (answers.rotation_matrix_times_scale, "θ maps each output pixel to where it reads the "
                                                  "input: to zoom in, divide by the scale"),
            (answers.rotation_matrix_clockwise, "this turns the image the other way: compare "
                                                "with torch.rot90 at 90°")]:
        if got.shape == (2, 3) and torch.allclose(got, wrong(*args), atol=1e-5):
            return why
    return None


q1 = write_function(
    "rotation_matrix(degrees, scale)", _rotation_reference, _q1_cases,
    rtol=1e-4, atol=1e-5, diagnose=_q1_diagnose,
    name="Q1 · a rotation and zoom for F.affine_grid",
    hint_text=("θ maps the output pixel's coordinates to the input point it samples: the inverse "
               "of the transform. With a = the angle in radians, θ = [[cos a, −sin a, 0], "
               "[sin a, cos a, 0]] / scale. At 90° it must match torch.rot90(x, 1, (−2, −1)); "
               "at 0° and scale 1 it is the identity."),
    right_answer=answers.rotation_matrix,
    wrong_answers=[answers.rotation_matrix_radians, answers.rotation_matrix_times_scale,
                   answers.rotation_matrix_clockwise, answers.rotation_matrix_2x2],
)

# ---------------------------------------------------------------------------------------------
# q2 · which transforms keep a handwritten digit's label
# ---------------------------------------------------------------------------------------------
TRANSFORMS = {
    "a": "rotate by a random angle in ±10°",
    "b": "flip left-right",
    "c": "rotate by 180°",
    "d": "shift by up to 2 pixels in each direction",
    "e": "add Gaussian noise of standard deviation 0.1",
    "f": "flip top-bottom",
}

q2 = choices(
    list(TRANSFORMS), answers.label_preserving,
    extra="{n} of your letters can change what digit a person reads",
    missing="{n} transform(s) that keep every digit's label are missing",
    name="Q2 · label-preserving transforms for digits",
    hint_text=("Ask of each: would a person still read the same digit, for all ten digits? "
               "A mirrored 2, 3, 4 or 7 is written by no one; a 6 turned half-way round reads "
               "as a 9, and a top-bottom flip does the same to some. Small turns, small shifts "
               "and faint noise are what different writers and scanners do anyway."),
    right_answer=answers.label_preserving,
    wrong_answers=[answers.label_preserving_with_mirror, answers.label_preserving_with_half_turn,
                   answers.label_preserving_without_noise],
)

# ---------------------------------------------------------------------------------------------
# q3 · the cross-entropy of one mixup example
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.mixup_loss, what="the loss", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.mixup_loss_first_label_only(): "that is the loss against the 3 alone; the "
                                               "target is 0.7 of a 3 and 0.3 of an 8",
        answers.mixup_loss_weights_swapped(): "λ = 0.7 weighs the first image, the 3, and so "
                                              "its label",
        answers.mixup_loss_probabilities_mixed(): "the cross-entropy with a soft target is "
                                                  "−Σ_k y_k log p_k: the weights go outside "
                                                  "the logs",
    },
    name="Q3 · the loss of a mixed example",
    hint_text=("The mixed target is y = 0.7·onehot(3) + 0.3·onehot(8), and cross-entropy with a "
               "soft target is −Σ_k y_k log p_k. Only two terms of the sum are not zero."),
    right_answer=answers.mixup_loss,
    wrong_answers=[answers.mixup_loss_first_label_only, answers.mixup_loss_weights_swapped,
                   answers.mixup_loss_probabilities_mixed],
)
