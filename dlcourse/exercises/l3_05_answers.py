"""Answers to L3.05's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · IoU of box sizes that share a centre, the measure anchors are matched and clustered with
def wh_iou(wh_a, wh_b):
    inter = (torch.minimum(wh_a[:, None, 0], wh_b[None, :, 0]) *
             torch.minimum(wh_a[:, None, 1], wh_b[None, :, 1]))          # (N, M)
    area_a, area_b = wh_a.prod(1), wh_b.prod(1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def wh_iou_no_minus_intersection(wh_a, wh_b):
    """Divides by the sum of the areas: the overlap is counted twice in the union."""
    inter = (torch.minimum(wh_a[:, None, 0], wh_b[None, :, 0]) *
             torch.minimum(wh_a[:, None, 1], wh_b[None, :, 1]))
    return inter / (wh_a.prod(1)[:, None] + wh_b.prod(1)[None, :])


def wh_iou_area_ratio(wh_a, wh_b):
    """The smaller area over the larger: right only when one box fits inside the other."""
    area_a, area_b = wh_a.prod(1)[:, None], wh_b.prod(1)[None, :]
    return torch.minimum(area_a, area_b) / torch.maximum(area_a, area_b)


def wh_iou_max(wh_a, wh_b):
    """Takes the larger width and height as the intersection: that is the enclosing box."""
    inter = (torch.maximum(wh_a[:, None, 0], wh_b[None, :, 0]) *
             torch.maximum(wh_a[:, None, 1], wh_b[None, :, 1]))
    area_a, area_b = wh_a.prod(1), wh_b.prod(1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def wh_iou_transposed(wh_a, wh_b):
    """Returns the (M, N) matrix: rows must follow wh_a."""
    return wh_iou(wh_b, wh_a)


# q2 · decoding a YOLO-style prediction into a box
def decode(t, cells, anchors, stride):
    cx = (cells[:, 0] + torch.sigmoid(t[:, 0])) * stride          # the centre stays in its cell
    cy = (cells[:, 1] + torch.sigmoid(t[:, 1])) * stride
    w = anchors[:, 0] * torch.exp(t[:, 2])                         # a scale of the anchor's size
    h = anchors[:, 1] * torch.exp(t[:, 3])
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)


def decode_no_sigmoid(t, cells, anchors, stride):
    """Adds the raw offsets: the centre may leave its cell."""
    cx = (cells[:, 0] + t[:, 0]) * stride
    cy = (cells[:, 1] + t[:, 1]) * stride
    w, h = anchors[:, 0] * torch.exp(t[:, 2]), anchors[:, 1] * torch.exp(t[:, 3])
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)


def decode_centre_size(t, cells, anchors, stride):
    """Returns (cx, cy, w, h), not the corners (x1, y1, x2, y2)."""
    box = decode(t, cells, anchors, stride)
    return torch.cat([(box[:, :2] + box[:, 2:]) / 2, box[:, 2:] - box[:, :2]], dim=1)


def decode_rows_cols_swapped(t, cells, anchors, stride):
    """Reads cells as (row, col): x comes from the column."""
    return decode(t, cells.flip(1), anchors, stride)


def decode_no_stride(t, cells, anchors, stride):
    """Leaves the centre in cell units: multiply by the stride to get pixels."""
    return decode(t, cells, anchors, 1)


def decode_linear_size(t, cells, anchors, stride):
    """Scales the anchor by t, not by exp(t): sizes could come out negative."""
    cx = (cells[:, 0] + torch.sigmoid(t[:, 0])) * stride
    cy = (cells[:, 1] + torch.sigmoid(t[:, 1])) * stride
    w, h = anchors[:, 0] * t[:, 2], anchors[:, 1] * t[:, 3]
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)


# q3 · how far a 12 × 12 box may be shifted sideways before its IoU with itself falls to 0.5
@computed
def shift():
    w = 12
    # overlap (w − d)·w, union (w + d)·w: (w − d) / (w + d) = 1/2 gives d = w / 3
    return w / 3


@computed
def shift_half_width():
    return 12 / 2          # half of each box overlaps, but the union has grown: IoU 6·12 / (18·12) = 1/3


# q4 · what is true of detectors
@computed
def true_statements():
    return {"a", "b", "c", "f"}


@computed
def true_statements_with_higher_threshold():
    return {"a", "b", "c", "d", "f"}


@computed
def true_statements_without_threshold_one():
    return {"b", "c", "f"}


@computed
def true_statements_with_duplicates():
    return {"a", "b", "c", "e", "f"}
