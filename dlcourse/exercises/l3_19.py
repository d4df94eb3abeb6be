"""Exercises of L3.19 · Compression & deployment (模型压缩与部署).

    from dlcourse.exercises import l3_19 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_19_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · affine int8 quantization, against torch.quantize_per_tensor
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(19)
    return {
        "randn(200) with scale 0.02, zero point 0": (torch.randn(200, generator=g), 0.02, 0),
        "(8, 16) values in [−1, 3] with scale 4/255, zero point −96":
            (torch.rand(8, 16, generator=g) * 4 - 1, 4 / 255, -96),
        "values far outside the range (they must be clamped)":
            (torch.tensor([-100.0, -3.0, 0.0, 2.0, 50.0]), 0.05, 10),
        "exact halves (torch rounds half to even)":
            (torch.tensor([0.25, 0.75, 1.25, -0.25, -0.75, -1.25]), 0.5, 0),
    }


def _quantize_reference(x, scale, zero_point):
    """torch.quantize_per_tensor to qint8, read back as its int8 integers."""
    import warnings

    import torch
    with warnings.catch_warnings():        # quantized tensors are deprecated; the numbers are not
        warnings.simplefilter("ignore")
        return torch.quantize_per_tensor(x, scale, zero_point, torch.qint8).int_repr()


q1 = write_function(
    "quantize(x, scale, zero_point)", _quantize_reference, _q1_cases, rtol=0, atol=0,
    name="Q1 · affine int8 quantization",
    hint_text=("q = clamp(round(x / scale) + zero_point, −128, 127); torch.round rounds half to "
               "even, as torch.quantize_per_tensor does. Return integers (int8 or any integer type)."),
    right_answer=answers.quantize,
    mistakes=[
        (answers.quantize_no_clamp, "int8 holds −128 … 127: clamp after adding the zero point"),
        (answers.quantize_truncate, "round to the nearest integer (torch.round, half to even); a "
                                    "cast truncates towards zero"),
        (answers.quantize_minus_zero_point, "quantizing adds the zero point: q = round(x/s) + z"),
        (answers.quantize_times_scale, "divide by the scale: s is the real size of one integer step"),
    ],
)

# ---------------------------------------------------------------------------------------------
# q2 · the magnitude-pruning mask, against torch.nn.utils.prune.l1_unstructured
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(20)
    return {
        "a (30, 20) weight, 90% sparsity": (torch.randn(30, 20, generator=g), 0.9),
        "a (10, 7) weight, 45% sparsity (31.5 weights: Python's round gives 32)":
            (torch.randn(10, 7, generator=g), 0.45),
        "a (5,) bias-like vector, 50% (2.5 rounds to 2)": (torch.randn(5, generator=g), 0.5),
        "a (4, 3, 3, 3) conv weight, 70%": (torch.randn(4, 3, 3, 3, generator=g), 0.7),
        "sparsity 0 (keep everything)": (torch.randn(6, 4, generator=g), 0.0),
    }


def _mask_reference(weight, sparsity):
    import torch
    from torch.nn.utils import prune
    return prune.L1Unstructured(amount=sparsity).compute_mask(weight, default_mask=torch.ones_like(weight))


q2 = write_function(
    "magnitude_mask(weight, sparsity)", _mask_reference, _q2_cases, rtol=0, atol=0,
    name="Q2 · magnitude-pruning mask",
    hint_text=("k = round(sparsity · weight.numel()) weights go. torch.topk(weight.abs().flatten(), "
               "k, largest=False).indices are the k smallest magnitudes: set those entries of a "
               "mask of ones (the weight's shape) to 0."),
    right_answer=answers.magnitude_mask,
    mistakes=[
        (answers.magnitude_mask_signed, "rank the weights by magnitude |w|: a large negative weight "
                                        "matters as much as a large positive one"),
        (answers.magnitude_mask_largest, "remove the *smallest* magnitudes and keep the largest"),
        (answers.magnitude_mask_floor, "count the weights to remove as round(sparsity · n), as "
                                       "torch.nn.utils.prune does, not int(…)"),
    ],
)

# ---------------------------------------------------------------------------------------------
# q3 · group-wise 4-bit weights of a 16-bit model
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.group_int4_ratio, what="the ratio", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.group_int4_ratio_without_scales(): "the scales take room too: one 16-bit scale is "
                                                   "shared by 128 weights",
        answers.group_int4_ratio_against_fp32(): "the model is stored in 16-bit floats, not 32-bit",
        answers.group_int4_ratio_scale_per_weight(): "one scale serves a group of 128 weights, "
                                                     "not each weight",
    },
    name="Q3 · 4-bit groups",
    hint_text="Bits per weight: 4 for the integer plus 16/128 for its share of the group's scale.",
    right_answer=answers.group_int4_ratio,
    wrong_answers=[answers.group_int4_ratio_without_scales, answers.group_int4_ratio_against_fp32,
                   answers.group_int4_ratio_scale_per_weight],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of quantization, pruning and distillation
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "dynamic quantization converts the weights ahead of time and each batch's activations on "
         "the fly, from their own range, so it needs no calibration data",
    "b": "static quantization fixes the activations' scales and zero points beforehand, from a "
         "calibration pass over representative inputs",
    "c": "90% unstructured sparsity makes a dense matrix multiply about 10 times faster on a CPU",
    "d": "a higher distillation temperature T softens the teacher's probabilities and shows how it "
         "ranks the wrong classes",
    "e": "an int8 model is faster than its float32 original on any hardware",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · compression",
    hint_text=("A dense kernel multiplies zeros as fast as any other number. Speed from int8 needs "
               "integer kernels the hardware runs fast; the cost of quantizing and dequantizing "
               "around them may eat the gain. Dividing logits by T > 1 flattens the softmax."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_sparse_speedup,
                   answers.true_statements_without_calibration,
                   answers.true_statements_with_always_faster],
)
