"""Answers to L3.04's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · transposed convolution, as F.conv_transpose2d(x, w, stride=stride, padding=padding)
def conv_transpose2d(x, w, stride, padding):
    n, c_in, h, wd = x.shape                          # w: (C_in, C_out, k_h, k_w)
    _, c_out, kh, kw = w.shape
    full = x.new_zeros(n, c_out, (h - 1) * stride + kh, (wd - 1) * stride + kw)
    for i in range(h):
        for j in range(wd):
            # input pixel (i, j) stamps Σ_c x[:, c, i, j] · w[c] at (stride·i, stride·j)
            full[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += \
                torch.einsum("nc,cokl->nokl", x[:, :, i, j], w)
    return full[:, :, padding:full.shape[2] - padding, padding:full.shape[3] - padding]


def conv_transpose2d_no_crop(x, w, stride, padding):
    """Forgets the padding: returns the whole canvas, 2·padding rows and columns too large."""
    return conv_transpose2d(x, w, stride, 0)


def conv_transpose2d_pads(x, w, stride, padding):
    """Treats padding as in a convolution: adds zeros around the output instead of cropping."""
    out = conv_transpose2d(x, w, stride, 0)
    return torch.nn.functional.pad(out, (padding,) * 4)


def conv_transpose2d_flipped(x, w, stride, padding):
    """Stamps the kernel turned by 180°: that is what a convolution would use, not its transpose."""
    return conv_transpose2d(x, w.flip(-1, -2), stride, padding)


def conv_transpose2d_channels_swapped(x, w, stride, padding):
    """Reads w as (C_out, C_in, k, k), the layout of a convolution's weight."""
    return conv_transpose2d(x, w.transpose(0, 1).reshape(w.shape), stride, padding)


def conv_transpose2d_one_stride(x, w, stride, padding):
    """Ignores the stride: the copies land one pixel apart."""
    return conv_transpose2d(x, w, 1, padding)


# q2 · mean intersection over union
def mean_iou(pred, target, classes):
    ious = []
    for c in range(classes):
        p, t = pred == c, target == c
        union = (p | t).sum()
        if union > 0:                                 # a class in neither is left out of the mean
            ious.append((p & t).sum() / union)
    return torch.stack(ious).double().mean()


def mean_iou_counts_absent_as_zero(pred, target, classes):
    """Counts a class that is in neither pred nor target as IoU 0 instead of leaving it out."""
    ious = []
    for c in range(classes):
        p, t = pred == c, target == c
        union = (p | t).sum()
        ious.append((p & t).sum() / union if union > 0 else torch.tensor(0.0))
    return torch.stack(ious).double().mean()


def mean_iou_pixel_accuracy(pred, target, classes):
    """The share of right pixels: dominated by the background, not the mean over classes."""
    return (pred == target).double().mean()


def mean_iou_dice(pred, target, classes):
    """The Dice coefficient 2|P ∩ T| / (|P| + |T|), larger than IoU for every imperfect class."""
    scores = []
    for c in range(classes):
        p, t = pred == c, target == c
        total = p.sum() + t.sum()
        if total > 0:
            scores.append(2 * (p & t).sum() / total)
    return torch.stack(scores).double().mean()


def mean_iou_per_image(pred, target, classes):
    """Averages each image's mIoU; the dataset's mIoU pools the pixels of all images first."""
    return torch.stack([mean_iou(p, t, classes) for p, t in zip(pred, target)]).mean()


def mean_iou_without_background(pred, target, classes):
    """Leaves class 0 (the background) out; it is a class like the others."""
    ious = []
    for c in range(1, classes):
        p, t = pred == c, target == c
        union = (p | t).sum()
        if union > 0:
            ious.append((p & t).sum() / union)
    return torch.stack(ious).double().mean()


# q3 · the output size of nn.ConvTranspose2d(16, 8, kernel_size=4, stride=3, padding=1,
# output_padding=2) on a 7 × 7 map
@computed
def output_size():
    n, k, s, p, output_padding = 7, 4, 3, 1, 2
    return (n - 1) * s - 2 * p + k + output_padding   # 18 − 2 + 4 + 2 = 22


@computed
def output_size_convolution():
    n, k, s, p = 7, 4, 3, 1
    return (n + 2 * p - k) // s + 1                   # a convolution's formula: 2


@computed
def output_size_plus_padding():
    n, k, s, p, output_padding = 7, 4, 3, 1, 2
    return (n - 1) * s + 2 * p + k + output_padding   # 26


@computed
def output_size_without_output_padding():
    n, k, s, p = 7, 4, 3, 1
    return (n - 1) * s - 2 * p + k                    # 20


@computed
def output_size_n_times_s():
    n, k, s, p, output_padding = 7, 4, 3, 1, 2
    return n * s - 2 * p + k + output_padding         # 25


# q4 · what is true of upsampling and U-Net
@computed
def true_statements():
    return {"a", "c", "d"}


@computed
def true_statements_with_even_random_kernel():
    return {"a", "b", "c", "d"}


@computed
def true_statements_without_skip_resolution():
    return {"a", "d"}


@computed
def true_statements_with_align_corners():
    return {"a", "c", "d", "e"}
