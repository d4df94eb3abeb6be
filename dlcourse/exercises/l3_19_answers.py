"""Answers to L3.19's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · affine int8 quantization of a tensor
def quantize(x, scale, zero_point):
    import torch
    q = torch.round(x / scale) + zero_point          # round half to even, as torch does
    return torch.clamp(q, -128, 127).to(torch.int8)


def quantize_no_clamp(x, scale, zero_point):
    """Forgets the int8 range: values far outside it come back as −200 or 300."""
    import torch
    return torch.round(x / scale) + zero_point


def quantize_truncate(x, scale, zero_point):
    """Truncates towards zero (what a cast to an integer type does) instead of rounding."""
    import torch
    return torch.clamp(torch.trunc(x / scale) + zero_point, -128, 127)


def quantize_minus_zero_point(x, scale, zero_point):
    """Subtracts the zero point: that is the first step of *de*quantization, (q − z)·s."""
    import torch
    return torch.clamp(torch.round(x / scale) - zero_point, -128, 127)


def quantize_times_scale(x, scale, zero_point):
    """Multiplies by the scale: the scale is the size of one integer step in real units."""
    import torch
    return torch.clamp(torch.round(x * scale) + zero_point, -128, 127)


# q2 · the magnitude-pruning mask
def magnitude_mask(weight, sparsity):
    import torch
    k = round(sparsity * weight.numel())               # how many weights to remove
    mask = torch.ones_like(weight)
    if k > 0:
        smallest = torch.topk(weight.abs().flatten(), k, largest=False).indices
        mask.view(-1)[smallest] = 0
    return mask


def magnitude_mask_signed(weight, sparsity):
    """Ranks the weights by value, not by size: removes the most negative ones, however large."""
    import torch
    k = round(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        mask.view(-1)[torch.topk(weight.flatten(), k, largest=False).indices] = 0
    return mask


def magnitude_mask_largest(weight, sparsity):
    """Removes the largest weights instead of the smallest."""
    import torch
    k = round(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        mask.view(-1)[torch.topk(weight.abs().flatten(), k, largest=True).indices] = 0
    return mask


def magnitude_mask_floor(weight, sparsity):
    """Counts the weights to remove with int() (rounding down) instead of round()."""
    import torch
    k = int(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        mask.view(-1)[torch.topk(weight.abs().flatten(), k, largest=False).indices] = 0
    return mask


# q3 · 4-bit weights with a 16-bit scale per group of 128
@computed
def group_int4_ratio():
    fp16_bits = 16
    bits_per_weight = 4 + 16 / 128                     # the weight, and its share of the scale
    return fp16_bits / bits_per_weight


@computed
def group_int4_ratio_without_scales():
    return 16 / 4


@computed
def group_int4_ratio_against_fp32():
    return 32 / (4 + 16 / 128)


@computed
def group_int4_ratio_scale_per_weight():
    return 16 / (4 + 16)


# q4 · what is true of quantization, pruning, distillation
@computed
def true_statements():
    return {"a", "b", "d"}


@computed
def true_statements_with_sparse_speedup():
    return {"a", "b", "c", "d"}


@computed
def true_statements_without_calibration():
    return {"a", "d"}


@computed
def true_statements_with_always_faster():
    return {"a", "b", "d", "e"}
