"""Exercises of L3.04 · Upsampling, transposed convolution & U-Net (上采样与 U-Net).

    from dlcourse.exercises import l3_04 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_04_answers as answers
from .kinds import choices, number, write_function


def _agrees(got, wrong, args) -> bool:
    import torch
    mine = wrong(*args)
    got = torch.as_tensor(got, dtype=torch.float64)
    return got.shape == mine.shape and torch.allclose(got, mine.double(), rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# q1 · transposed convolution from scratch, against F.conv_transpose2d
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(11)

    def case(n, c_in, c_out, h, w, k, stride, padding):
        x = torch.randn(n, c_in, h, w, generator=g, dtype=torch.float64)
        weight = torch.randn(c_in, c_out, k, k, generator=g, dtype=torch.float64)
        return (x, weight, stride, padding)

    return {
        "one 3×3 image, one channel, a 2×2 kernel, stride 1": case(1, 1, 1, 3, 3, 2, 1, 0),
        "a 4×4 image, 3×3 kernel, stride 2 (the checkerboard setting)": case(1, 1, 1, 4, 4, 3, 2, 0),
        "2 images, 3 → 2 channels, 4×5 input, 2×2 kernel, stride 2": case(2, 3, 2, 4, 5, 2, 2, 0),
        "2 images, 2 → 4 channels, 5×5 input, 4×4 kernel, stride 2, padding 1": case(2, 2, 4, 5, 5, 4, 2, 1),
        "1 image, 4 → 3 channels, 3×4 input, 3×3 kernel, stride 3, padding 2": case(1, 4, 3, 3, 4, 3, 3, 2),
        "3 images, 1 → 1 channel, 6×6 input, 1×1 kernel, stride 2": case(3, 1, 1, 6, 6, 1, 2, 0),
    }


def _conv_transpose2d_reference(x, w, stride, padding):
    import torch.nn.functional as F
    return F.conv_transpose2d(x, w, stride=stride, padding=padding)


def _q1_diagnose(got, expected, args):
    for wrong, why in [
        (answers.conv_transpose2d_no_crop,
         "the output is the whole canvas: padding p crops p rows and columns off every border"),
        (answers.conv_transpose2d_pads,
         "a transposed convolution's padding removes rows and columns from the output; it does "
         "not add zeros"),
        (answers.conv_transpose2d_flipped,
         "the kernel is stamped as it is, not turned by 180°"),
        (answers.conv_transpose2d_channels_swapped,
         "F.conv_transpose2d's weight is (C_in, C_out, k, k): the first axis is the input channel"),
        (answers.conv_transpose2d_one_stride,
         "the copy of input pixel (i, j) starts at (stride·i, stride·j)"),
    ]:
        if _agrees(got, wrong, args):
            return why
    return None


q1 = write_function(
    "conv_transpose2d(x, w, stride, padding)",
    _conv_transpose2d_reference, _q1_cases, rtol=1e-6, atol=1e-9, diagnose=_q1_diagnose,
    name="Q1 · transposed convolution from scratch",
    hint_text=("Make a zero canvas (N, C_out, (H − 1)·s + k, (W − 1)·s + k). For every input "
               "pixel (i, j), add Σ_c x[:, c, i, j] · w[c] (shape (N, C_out, k, k); "
               "torch.einsum('nc,cokl->nokl', …) does it) into the canvas at rows s·i … s·i + k − 1 "
               "and columns s·j … s·j + k − 1. Finally crop `padding` rows and columns off "
               "every border."),
    right_answer=answers.conv_transpose2d,
    wrong_answers=[answers.conv_transpose2d_no_crop, answers.conv_transpose2d_pads,
                   answers.conv_transpose2d_flipped, answers.conv_transpose2d_channels_swapped,
                   answers.conv_transpose2d_one_stride],
)

# ---------------------------------------------------------------------------------------------
# q2 · mean IoU, against a confusion-matrix computation
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(5)

    def noisy(target, flip, classes):
        wrong = torch.rand(target.shape, generator=g) < flip
        return torch.where(wrong, torch.randint(0, classes, target.shape, generator=g), target)

    blobs = torch.zeros(2, 8, 8, dtype=torch.long)
    blobs[0, 1:4, 1:5], blobs[1, 4:8, 2:6], blobs[1, 0:2, 6:8] = 1, 2, 1
    shifted = torch.roll(blobs, 1, dims=2)
    big = torch.randint(0, 4, (3, 16, 16), generator=g)
    skewed = torch.randint(0, 3, (4, 10, 10), generator=g)
    skewed[0] = 0
    few = torch.zeros(2, 6, 6, dtype=torch.long)
    few[:, 2:4, 2:4] = 1
    return {
        "a perfect prediction": (blobs, blobs.clone(), 3),
        "blobs shifted by one pixel": (shifted, blobs, 3),
        "random targets, 30 % of pixels wrong, 4 classes": (noisy(big, 0.3, 4), big, 4),
        "an image of background only among others": (noisy(skewed, 0.2, 3), skewed, 3),
        "5 classes of which 3 never occur": (noisy(few, 0.1, 2), few, 5),
    }


def _mean_iou_reference(pred, target, classes):
    """From the confusion matrix: IoU_c = C[c, c] / (row c + column c − C[c, c]), over the
    classes that occur in pred or target."""
    import torch
    cm = torch.bincount(target.flatten() * classes + pred.flatten(),
                        minlength=classes * classes).reshape(classes, classes).double()
    union = cm.sum(0) + cm.sum(1) - cm.diag()
    return (cm.diag()[union > 0] / union[union > 0]).mean()


def _q2_diagnose(got, expected, args):
    for wrong, why in [
        (answers.mean_iou_pixel_accuracy,
         "that is pixel accuracy; mIoU averages |P ∩ T| / |P ∪ T| over the classes"),
        (answers.mean_iou_counts_absent_as_zero,
         "a class that is in neither pred nor target has no IoU: leave it out of the mean"),
        (answers.mean_iou_dice,
         "that is the Dice coefficient 2|P ∩ T| / (|P| + |T|); IoU divides by the union"),
        (answers.mean_iou_per_image,
         "pool the pixels of all images first, then compute one IoU per class"),
        (answers.mean_iou_without_background,
         "the background, class 0, counts like every other class"),
    ]:
        try:
            if abs(float(got) - float(wrong(*args))) < 1e-9:
                return why
        except (TypeError, ValueError, RuntimeError):
            return None
    return None


q2 = write_function(
    "mean_iou(pred, target, classes)",
    _mean_iou_reference, _q2_cases, rtol=1e-6, atol=1e-9, diagnose=_q2_diagnose,
    name="Q2 · mean IoU",
    hint_text=("For each class c: P = (pred == c), T = (target == c) over all pixels of all "
               "images; IoU_c = (P & T).sum() / (P | T).sum(). Skip a class whose union is 0 (it "
               "occurs in neither), then average the others. Return one number."),
    right_answer=answers.mean_iou,
    wrong_answers=[answers.mean_iou_counts_absent_as_zero, answers.mean_iou_pixel_accuracy,
                   answers.mean_iou_dice, answers.mean_iou_per_image,
                   answers.mean_iou_without_background],
)

# ---------------------------------------------------------------------------------------------
# q3 · the output size of a transposed convolution
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.output_size, what="the output size", whole=True,
    mistakes=lambda: {
        answers.output_size_convolution(): "that is a convolution's output size; the transposed "
                                           "convolution goes the other way: (n − 1)·s − 2p + k + output_padding",
        answers.output_size_plus_padding(): "padding crops the output of a transposed "
                                            "convolution: subtract 2p",
        answers.output_size_without_output_padding(): "output_padding adds that many rows at the "
                                                      "bottom (and columns at the right)",
        answers.output_size_n_times_s(): "n pixels are n − 1 strides apart: (n − 1)·s, then the "
                                         "last copy adds k",
    },
    name="Q3 · the output size",
    hint_text=("The copies of the first and last input pixels start (n − 1)·s pixels apart and "
               "each is k wide; padding crops p from each side; output_padding adds rows."),
    right_answer=answers.output_size,
    wrong_answers=[answers.output_size_convolution, answers.output_size_plus_padding,
                   answers.output_size_without_output_padding, answers.output_size_n_times_s],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of upsampling and U-Net
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a stride-2 transposed convolution with a 3×3 kernel of equal weights turns a constant "
         "input into an uneven, checkerboard output",
    "b": "with a 4×4 kernel and stride 2, a transposed convolution turns a constant input into a "
         "constant output away from the edges, whatever the kernel's weights",
    "c": "U-Net's skip connections concatenate encoder maps with the upsampled decoder maps of the "
         "same resolution, giving back the detail that pooling removed",
    "d": "nearest or bilinear resizing followed by a 3×3 convolution has no uneven overlap: every "
         "output pixel is computed with the whole kernel",
    "e": "F.interpolate(x, scale_factor=2, mode='bilinear') gives the same result with "
         "align_corners=True and with align_corners=False",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · upsampling and U-Net",
    hint_text=("With k = 4, s = 2 every output pixel gets 4 copies, but which 4 kernel weights "
               "depends on its row and column parity. align_corners decides where the output "
               "samples sit on the input grid. The explorer and section 5 show the rest."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_even_random_kernel,
                   answers.true_statements_without_skip_resolution,
                   answers.true_statements_with_align_corners],
)
