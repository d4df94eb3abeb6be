"""Boxes for L3.05 (object detection) and its NMS explorer: IoU, greedy non-maximum suppression and
PASCAL VOC's mean average precision, each twice: vectorized with tensors, and as a slow
plain-Python loop that is obviously right (one pair of boxes, one detection at a time). The lesson
writes the vectorized versions itself and checks them against the loops; the explorer and the
tests use these.

A box is (x1, y1, x2, y2) with x1 ≤ x2, y1 ≤ y2, in continuous coordinates: its area is
(x2 − x1)(y2 − y1), no +1. NMS follows torchvision.ops.nms: boxes by decreasing score (ties keep
their order), a kept box suppresses the boxes whose IoU with it is strictly greater than the
threshold. mAP follows the VOC devkit from 2010 on: greedy matching by decreasing score to the
ground truth of highest IoU (≥ the threshold, each ground truth once), all-point interpolated AP,
the mean over the classes that have ground truth. Not covered: VOC's "difficult" flag, COCO's
101-point AP and its averaging over IoU thresholds and object sizes.
"""
from __future__ import annotations

import torch


# ----------------------------------------------------------------------------------- vectorized
def box_iou(a, b):
    """(N, M) IoU of boxes a (N, 4) and b (M, 4); 0 where the union is 0."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])          # (N, M, 2)
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = area_a[:, None] + area_b[None, :] - inter
    return torch.where(union > 0, inter / union, torch.zeros_like(union))


def nms(boxes, scores, iou_threshold: float):
    """Indices (int64) of the boxes greedy NMS keeps, by decreasing score."""
    order = torch.argsort(scores, descending=True, stable=True)
    iou = box_iou(boxes, boxes)
    suppressed = torch.zeros(len(scores), dtype=torch.bool)
    keep = []
    for i in order.tolist():
        if not suppressed[i]:
            keep.append(i)
            suppressed |= iou[i] > iou_threshold
    return torch.tensor(keep, dtype=torch.int64)


def batched_nms(boxes, scores, labels, iou_threshold: float):
    """NMS within each class (boxes of different labels never suppress each other): kept indices
    by decreasing score. torchvision's trick: shift each class's boxes far apart, one NMS."""
    if len(boxes) == 0:
        return torch.zeros(0, dtype=torch.int64)
    shift = labels.to(boxes.dtype)[:, None] * (boxes.max() - boxes.min() + 1)
    return nms(boxes + shift, scores, iou_threshold)


def average_precision(scores, tp, n_gt: int) -> float:
    """All-point AP: the area under the precision–recall curve's monotone envelope."""
    order = torch.argsort(scores, descending=True, stable=True)
    hits = tp[order].to(torch.float64).cumsum(0)
    recall = hits / n_gt
    precision = hits / torch.arange(1, len(hits) + 1)
    envelope = precision.flip(0).cummax(0).values.flip(0)              # best precision from k on
    recall_before = torch.cat([recall.new_zeros(1), recall[:-1]])
    return float(((recall - recall_before) * envelope).sum())


def match(det_boxes, det_scores, gt_boxes, iou_threshold: float = 0.5):
    """True-positive flags (bool, input order) of one class's detections in one image."""
    tp = torch.zeros(len(det_scores), dtype=torch.bool)
    if len(gt_boxes) == 0 or len(det_boxes) == 0:
        return tp
    iou = box_iou(det_boxes, gt_boxes)
    taken = torch.zeros(len(gt_boxes), dtype=torch.bool)
    for i in torch.argsort(det_scores, descending=True, stable=True).tolist():
        best, j = iou[i].max(dim=0)
        if best >= iou_threshold and not taken[j]:
            tp[i] = taken[j] = True
    return tp


def mean_ap(detections, ground_truths, iou_threshold: float = 0.5):
    """(mAP, {class: AP}) of detections[i] = (boxes, scores, labels) against ground_truths[i] =
    (boxes, labels), over the classes with at least one ground-truth box."""
    classes = sorted(set(torch.cat([labels for _, labels in ground_truths]).tolist()))
    aps = {}
    for c in classes:
        scores, flags, n_gt = [], [], 0
        for (db, ds, dl), (gb, gl) in zip(detections, ground_truths):
            d, g = dl == c, gl == c
            scores.append(ds[d])
            flags.append(match(db[d], ds[d], gb[g], iou_threshold))
            n_gt += int(g.sum())
        aps[c] = average_precision(torch.cat(scores), torch.cat(flags), n_gt)
    return sum(aps.values()) / len(aps), aps


# --------------------------------------------------------------------- plain-Python references
def iou_loops(p, q) -> float:
    """IoU of two boxes given as 4 numbers each, one pair at a time."""
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = [float(v) for v in p], [float(v) for v in q]
    iw = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    ih = max(0.0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return inter / union if union > 0 else 0.0


def nms_loops(boxes, scores, iou_threshold: float) -> list[int]:
    """Greedy NMS as the paper says it: take the best box left, drop its overlaps, repeat."""
    rows, values = [list(map(float, r)) for r in boxes], [float(s) for s in scores]
    left = sorted(range(len(values)), key=lambda i: -values[i])      # sorted() is stable
    keep = []
    while left:
        i = left.pop(0)
        keep.append(i)
        left = [j for j in left if iou_loops(rows[i], rows[j]) <= iou_threshold]
    return keep


def mean_ap_loops(detections, ground_truths, iou_threshold: float = 0.5):
    """(mAP, {class: AP}) the VOC devkit's way: lists, one detection at a time, precision made
    monotone from the right between sentinels at recall 0 and 1."""
    classes = sorted({int(c) for _, labels in ground_truths for c in labels.tolist()})
    aps = {}
    for c in classes:
        pooled, n_gt = [], 0
        for (db, ds, dl), (gb, gl) in zip(detections, ground_truths):
            gts = [r for r, lab in zip(gb.tolist(), gl.tolist()) if lab == c]
            n_gt += len(gts)
            mine = [(float(s), r) for r, s, lab in zip(db.tolist(), ds.tolist(), dl.tolist()) if lab == c]
            used = set()
            for k in sorted(range(len(mine)), key=lambda k: -mine[k][0]):
                ious = [iou_loops(mine[k][1], g) for g in gts]
                hit = False
                if ious:
                    j = max(range(len(gts)), key=lambda j: (ious[j], -j))   # best, the first on a tie
                    if ious[j] >= iou_threshold and j not in used:
                        used.add(j)
                        hit = True
                pooled.append((mine[k][0], hit))
        pooled.sort(key=lambda p: -p[0])
        recall, precision, hits = [], [], 0
        for k, (_, hit) in enumerate(pooled, start=1):
            hits += hit
            recall.append(hits / n_gt)
            precision.append(hits / k)
        mrec, mpre = [0.0] + recall + [1.0], [0.0] + precision + [0.0]
        for i in range(len(mpre) - 2, -1, -1):
            mpre[i] = max(mpre[i], mpre[i + 1])
        aps[c] = sum((mrec[i + 1] - mrec[i]) * mpre[i + 1] for i in range(len(mrec) - 1))
    return sum(aps.values()) / len(aps), aps
