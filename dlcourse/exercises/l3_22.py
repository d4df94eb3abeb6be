"""Exercises of L3.22 · Multimodal (多模态).

    from dlcourse.exercises import l3_22 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_22_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the symmetric CLIP loss, against F.cross_entropy on the logits in both directions
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import math

    import torch
    g = torch.Generator().manual_seed(22)

    def batch(n, d, scale):
        return (torch.randn(n, d, generator=g, dtype=torch.float64) * 3,
                torch.randn(n, d, generator=g, dtype=torch.float64) * 0.5,
                torch.tensor(scale, dtype=torch.float64))
    image = torch.randn(6, 8, generator=g, dtype=torch.float64)
    return {
        "8 pairs of 16-D embeddings, logit scale log(1/0.07)": batch(8, 16, math.log(1 / 0.07)),
        "5 pairs of 3-D embeddings, logit scale 0 (s = 1)": batch(5, 3, 0.0),
        "32 pairs of 64-D embeddings, logit scale log 100 (CLIP's cap)": batch(32, 64, math.log(100)),
        "6 pairs whose captions are their images scaled by 10 (perfectly aligned), logit scale log 20":
            (image, 10 * image, torch.tensor(math.log(20), dtype=torch.float64)),
    }


def _clip_reference(image_features, text_features, logit_scale):
    import torch
    import torch.nn.functional as F
    logits = logit_scale.exp() * F.cosine_similarity(image_features[:, None], text_features[None], dim=-1)
    labels = torch.arange(len(logits))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


q1 = write_function(
    "clip_loss(image_features, text_features, logit_scale)", _clip_reference, _q1_cases,
    rtol=1e-7, atol=1e-9, name="Q1 · the CLIP loss",
    mistakes=[
        (answers.clip_loss_one_way, "that is only the image → text half; average it with the "
                                    "text → image half, the cross-entropy over the columns"),
        (answers.clip_loss_unnormalized, "compare directions, not lengths: normalize both batches "
                                         "of embeddings to unit length first"),
        (answers.clip_loss_scale_not_exp, "logit_scale is the log of the scale, as CLIP stores it: "
                                          "multiply by its exponential"),
        (answers.clip_loss_summed, "CLIP averages the two directions: divide their sum by 2"),
    ],
    hint_text=("Normalize both (N, D) batches, logits = exp(logit_scale) · image @ text.T, then the "
               "mean of F.cross_entropy(logits, arange(N)) and F.cross_entropy(logits.T, arange(N))."),
    right_answer=answers.clip_loss,
)


# ---------------------------------------------------------------------------------------------
# q2 · zero-shot class probabilities from a prompt ensemble
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import math

    import torch
    g = torch.Generator().manual_seed(23)

    def case(n, c, p, d, scale):
        prompts = torch.randn(c, p, d, generator=g, dtype=torch.float64)
        prompts = prompts * torch.rand(c, p, 1, generator=g, dtype=torch.float64).mul(5).add(0.2)  # uneven lengths
        return (torch.randn(n, d, generator=g, dtype=torch.float64), prompts,
                torch.tensor(scale, dtype=torch.float64))
    return {
        "7 images, 10 classes of 4 prompts, 16-D, logit scale log 20": case(7, 10, 4, 16, math.log(20)),
        "3 images, 2 classes of 1 prompt, 5-D, logit scale 0": case(3, 2, 1, 5, 0.0),
        "12 images, 10 classes of 6 prompts, 64-D, logit scale log 100": case(12, 10, 6, 64, math.log(100)),
    }


def _zero_shot_reference(image_features, prompt_features, logit_scale):
    import torch
    unit = prompt_features / prompt_features.norm(dim=-1, keepdim=True)
    mean = unit.mean(dim=1)
    classes = mean / mean.norm(dim=-1, keepdim=True)
    image = image_features / image_features.norm(dim=-1, keepdim=True)
    return torch.softmax(logit_scale.exp() * image @ classes.T, dim=1)


q2 = write_function(
    "zero_shot_probs(image_features, prompt_features, logit_scale)", _zero_shot_reference, _q2_cases,
    rtol=1e-7, atol=1e-10, name="Q2 · the zero-shot classifier",
    mistakes=[
        (answers.zero_shot_probs_no_renormalize,
         "the mean of unit vectors is shorter than 1 (more so when the prompts disagree): normalize "
         "it again, or classes with tighter prompts get larger logits"),
        (answers.zero_shot_probs_raw_mean,
         "normalize each prompt's embedding before averaging, so that every prompt has one vote"),
        (answers.zero_shot_probs_wrong_dim, "the softmax goes over the classes (dim 1): each row is "
                                            "one image's distribution over the classes"),
        (answers.zero_shot_probs_no_scale, "multiply the cosine similarities by the learned scale "
                                           "exp(logit_scale) before the softmax"),
    ],
    hint_text=("Normalize the prompts (last dim), average over dim 1, normalize again: one unit "
               "vector per class, (C, D). Then softmax(exp(logit_scale) · unit images @ classes.T, dim=1)."),
    right_answer=answers.zero_shot_probs,
)

# ---------------------------------------------------------------------------------------------
# q3 · the loss of a perfectly aligned batch at a small scale
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.aligned_loss, what="the CLIP loss", rtol=1e-4, atol=0,
    mistakes=lambda: {
        answers.aligned_loss_summed(): "that is the sum of the two directions; CLIP averages them",
        answers.aligned_loss_chance(): "log 4 is the loss when all similarities are equal; here the "
                                       "true pair scores s·1 and the others s·0",
        answers.aligned_loss_scale_one(): "the logits are the cosines times the scale s = 2",
        answers.aligned_loss_zero(): "the softmax never gives probability exactly 1: with s = 2 the "
                                     "others still take a share",
    },
    name="Q3 · a perfectly aligned batch",
    hint_text="Each row of logits is (2, 0, 0, 0) up to order: −log(e² / (e² + 3)), in both directions.",
    right_answer=answers.aligned_loss,
    wrong_answers=[answers.aligned_loss_summed, answers.aligned_loss_chance, answers.aligned_loss_scale_one,
                   answers.aligned_loss_zero],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of CLIP-style training and zero-shot classification
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "zero-shot classification uses no labelled image at all: the classifier's weights are the "
         "embeddings of the prompts",
    "b": "the CLIP loss counts every other caption of the batch as a wrong answer for an image, even "
         "one that describes the same digit",
    "c": "a larger logit scale (a lower temperature) makes the softmax over the batch flatter",
    "d": "a linear probe on the image embeddings is trained with labels, so it is not zero-shot",
    "e": "the image → text and text → image cross-entropies are the same number for every batch",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · CLIP and zero-shot classification",
    hint_text=("The logits are s·cos: multiply them by more and the largest wins by more. The two "
               "directions normalize the same matrix over its rows and over its columns."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_flatter, answers.true_statements_with_symmetric,
                   answers.true_statements_without_negatives],
)
