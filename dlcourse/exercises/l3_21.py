"""Exercises of L3.21 · Robustness & interpretability (鲁棒性与可解释性).

    from dlcourse.exercises import l3_21 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_21_answers as answers
from .kinds import choices, number, write_function


def _tiny_cnn(seed: int):
    """A small random classifier on (N, 1, 8, 8) images: conv → ReLU → linear, float64."""
    import torch
    from torch import nn
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(3 * 8 * 8, 4)).double()


# ---------------------------------------------------------------------------------------------
# q1 · FGSM, against the reference on random models and inputs
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(21)
    cases = {}
    for label, seed, n, eps in [("a batch of 5 random images, ε = 0.1", 0, 5, 0.1),
                                ("a batch of 3 random images, ε = 0.3", 1, 3, 0.3),
                                ("ε = 0: the images themselves", 2, 4, 0.0)]:
        x = torch.rand(n, 1, 8, 8, generator=g, dtype=torch.float64)
        cases[label] = (_tiny_cnn(seed), x, torch.randint(0, 4, (n,), generator=g), eps)
    x = torch.rand(4, 1, 8, 8, generator=g, dtype=torch.float64)
    x[:, :, :4] = 0.0
    x[:, :, 4:] = 1.0                                              # black and white pixels
    cases["pixels at 0 and 1, ε = 0.2"] = (_tiny_cnn(3), x, torch.tensor([0, 1, 2, 3]), 0.2)
    return cases


def _q1_diagnose(got, expected, args):
    import torch
    got = torch.as_tensor(got).detach()
    if got.min() < 0 or got.max() > 1:
        return "some pixels left [0, 1]: clip the attacked image to valid pixels"
    return None


q1 = write_function(
    "fgsm(model, x, y, eps)", answers.fgsm, _q1_cases, rtol=1e-9, atol=1e-9,
    diagnose=_q1_diagnose, name="Q1 · FGSM",
    hint_text=("Make a copy of x that requires grad, compute F.cross_entropy(model(x), y) and its "
               "gradient with torch.autograd.grad, step x + eps * grad.sign(), clamp to [0, 1] and "
               "detach."),
    right_answer=answers.fgsm,
    mistakes=[
        (answers.fgsm_descends, "that steps down the loss, making the model more sure of the right "
                                "answer: an attack steps up, x + ε·sign(∇ₓ loss)"),
        (answers.fgsm_raw_gradient, "FGSM steps along the gradient's sign, so every pixel moves by the "
                                    "full ε; ε times the gradient itself moves them far less"),
        (answers.fgsm_predicted_label, "the loss is the cross-entropy with the true labels y, not "
                                       "with the model's predictions"),
    ],
    wrong_answers=[answers.fgsm_no_clip],
)


# ---------------------------------------------------------------------------------------------
# q2 · the projection of PGD
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(22)
    x = torch.rand(3, 1, 6, 6, generator=g, dtype=torch.float64)
    return {
        "points near x, most inside the ball (ε = 0.3)":
            (x + 0.2 * torch.randn(3, 1, 6, 6, generator=g, dtype=torch.float64), x, 0.3),
        "points far outside the ball and outside [0, 1] (ε = 0.1)":
            (x + 2 * torch.randn(3, 1, 6, 6, generator=g, dtype=torch.float64), x, 0.1),
        "black and white images, ε = 0.25":
            (torch.rand(2, 1, 6, 6, generator=g, dtype=torch.float64),
             (torch.rand(2, 1, 6, 6, generator=g) > 0.5).double(), 0.25),
        "ε = 0: x itself": (torch.rand(2, 1, 6, 6, generator=g, dtype=torch.float64), x[:2], 0.0),
    }


def _q2_diagnose(got, expected, args):
    import torch
    got = torch.as_tensor(got).detach()
    x_adv, x, eps = args
    if got.shape == x.shape and (got - x).abs().max() > eps + 1e-9:
        return "some pixels are more than ε away from x: clip the difference x_adv − x to [−ε, ε]"
    if got.min() < 0 or got.max() > 1:
        return "some pixels left [0, 1]: after the ball, clip to valid pixels too"
    return None


q2 = write_function(
    "project(x_adv, x, eps)", answers.project, _q2_cases, rtol=1e-12, atol=1e-12,
    diagnose=_q2_diagnose, name="Q2 · the PGD projection",
    hint_text=("The L∞ ball is a box: clip each pixel of δ = x_adv − x to [−ε, ε], add x back, then "
               "clip to [0, 1]. Both boxes are aligned with the axes, so clipping one after the "
               "other gives the nearest point of their intersection."),
    right_answer=answers.project,
    mistakes=[(answers.project_scales, "a point already inside the ball must stay where it is: clip each "
                                       "pixel's difference, do not rescale δ")],
    wrong_answers=[answers.project_ball_only, answers.project_clamps_image, answers.project_box_only],
)

# ---------------------------------------------------------------------------------------------
# q3 · many small changes: ε ‖w‖₁
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.linear_score_drop, what="the largest drop of the score", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.linear_score_drop_l2(): "that is ε‖w‖₂, the answer for a perturbation of L2 norm ε; "
                                        "here every pixel may move by ε",
        answers.linear_score_drop_one_pixel(): "that is one pixel's share; all 784 move by ε at once",
        answers.linear_score_drop_half(): "each pixel moves by the whole ε, against its weight's sign",
    },
    name="Q3 · many small changes",
    hint_text=("Choose δ_i = −ε·sign(w_i): the score changes by w·δ = −ε Σ|w_i| = −ε‖w‖₁. Count "
               "the pixels."),
    right_answer=answers.linear_score_drop,
    wrong_answers=[answers.linear_score_drop_l2, answers.linear_score_drop_one_pixel,
                   answers.linear_score_drop_half],
)

# ---------------------------------------------------------------------------------------------
# q4 · attacks, attributions, defences
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "integrated gradients with a black baseline give a pixel with value 0 an attribution of 0, "
         "whatever the gradient there",
    "b": "PGD with one step of size ε and no random start is the same attack as FGSM",
    "c": "a model that is accurate under FGSM at ε is also accurate under PGD at ε",
    "d": "the saliency map of a pixel is large only if that pixel has ink in the image",
    "e": "to first order in ε, FGSM raises the loss by ε times the L1 norm of the input gradient",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · attacks, attributions, defences",
    hint_text=("IG_i carries the factor (x_i − x'_i). PGD is at least as strong as FGSM, not the other "
               "way round (look at the curves of §4 and §5). The gradient exists at background pixels too."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_fgsm_enough, answers.true_statements_with_ink_saliency,
                   answers.true_statements_without_ig_zero],
)
