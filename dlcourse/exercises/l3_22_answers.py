"""Answers to L3.22's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · the symmetric CLIP loss from two batches of embeddings and the log of the logit scale
def clip_loss(image_features, text_features, logit_scale):
    import torch
    import torch.nn.functional as F
    image, text = F.normalize(image_features, dim=1), F.normalize(text_features, dim=1)
    logits = logit_scale.exp() * image @ text.T
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def clip_loss_one_way(image_features, text_features, logit_scale):
    """Only image → text: each image picks its caption, the captions never pick their image."""
    import torch
    import torch.nn.functional as F
    image, text = F.normalize(image_features, dim=1), F.normalize(text_features, dim=1)
    logits = logit_scale.exp() * image @ text.T
    return F.cross_entropy(logits, torch.arange(len(logits)))


def clip_loss_unnormalized(image_features, text_features, logit_scale):
    """Dot products of the raw embeddings instead of cosine similarities."""
    import torch
    import torch.nn.functional as F
    logits = logit_scale.exp() * image_features @ text_features.T
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def clip_loss_scale_not_exp(image_features, text_features, logit_scale):
    """Multiplies by the stored log-scale itself instead of its exponential."""
    import torch
    import torch.nn.functional as F
    image, text = F.normalize(image_features, dim=1), F.normalize(text_features, dim=1)
    logits = logit_scale * image @ text.T
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def clip_loss_summed(image_features, text_features, logit_scale):
    """Adds the two directions instead of averaging them."""
    import torch
    import torch.nn.functional as F
    image, text = F.normalize(image_features, dim=1), F.normalize(text_features, dim=1)
    logits = logit_scale.exp() * image @ text.T
    labels = torch.arange(len(logits))
    return F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)


# q2 · zero-shot class probabilities from a prompt ensemble per class
def zero_shot_probs(image_features, prompt_features, logit_scale):
    import torch.nn.functional as F
    classes = F.normalize(F.normalize(prompt_features, dim=-1).mean(dim=1), dim=-1)   # (C, D)
    image = F.normalize(image_features, dim=-1)                                       # (N, D)
    return F.softmax(logit_scale.exp() * image @ classes.T, dim=1)


def zero_shot_probs_no_renormalize(image_features, prompt_features, logit_scale):
    """Averages the unit prompt embeddings but does not bring the mean back to length 1."""
    import torch.nn.functional as F
    classes = F.normalize(prompt_features, dim=-1).mean(dim=1)
    image = F.normalize(image_features, dim=-1)
    return F.softmax(logit_scale.exp() * image @ classes.T, dim=1)


def zero_shot_probs_raw_mean(image_features, prompt_features, logit_scale):
    """Averages the raw prompt embeddings, so a long one outweighs the others."""
    import torch.nn.functional as F
    classes = F.normalize(prompt_features.mean(dim=1), dim=-1)
    image = F.normalize(image_features, dim=-1)
    return F.softmax(logit_scale.exp() * image @ classes.T, dim=1)


def zero_shot_probs_wrong_dim(image_features, prompt_features, logit_scale):
    """Softmax over the images (dim 0) instead of over the classes."""
    import torch.nn.functional as F
    classes = F.normalize(F.normalize(prompt_features, dim=-1).mean(dim=1), dim=-1)
    image = F.normalize(image_features, dim=-1)
    return F.softmax(logit_scale.exp() * image @ classes.T, dim=0)


def zero_shot_probs_no_scale(image_features, prompt_features, logit_scale):
    """Softmax of the cosine similarities themselves, without the learned scale."""
    import torch.nn.functional as F
    classes = F.normalize(F.normalize(prompt_features, dim=-1).mean(dim=1), dim=-1)
    image = F.normalize(image_features, dim=-1)
    return F.softmax(image @ classes.T, dim=1)


# q3 · 4 pairs, each image identical to its caption and orthogonal to the other three; scale 2
@computed
def aligned_loss():
    import math
    return math.log(1 + 3 * math.exp(-2))


@computed
def aligned_loss_summed():
    import math
    return 2 * math.log(1 + 3 * math.exp(-2))


@computed
def aligned_loss_chance():
    import math
    return math.log(4)


@computed
def aligned_loss_scale_one():
    import math
    return math.log(1 + 3 * math.exp(-1))


@computed
def aligned_loss_zero():
    return 0.0


# q4 · what is true of CLIP-style training and zero-shot classification
@computed
def true_statements():
    return {"a", "b", "d"}


@computed
def true_statements_with_flatter():
    return {"a", "b", "c", "d"}


@computed
def true_statements_with_symmetric():
    return {"a", "b", "d", "e"}


@computed
def true_statements_without_negatives():
    return {"a", "d"}
