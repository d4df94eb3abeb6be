"""Exercises of L3.05 · Object detection (目标检测).

    from dlcourse.exercises import l3_05 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_05_answers as answers
from .kinds import choices, number, write_function


def _agrees(got, wrong, args) -> bool:
    import torch
    mine = wrong(*args)
    try:
        got = torch.as_tensor(got, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return False
    return got.shape == mine.shape and torch.allclose(got, mine.double(), rtol=1e-6, atol=1e-9)


def _diagnose(mistakes):
    def diagnose(got, expected, args):
        for wrong, why in mistakes:
            if _agrees(got, wrong, args):
                return why
        return None
    return diagnose


# ---------------------------------------------------------------------------------------------
# q1 · IoU of box sizes sharing a centre, against the IoU of the boxes themselves
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(7)
    sizes = lambda n: (1 + 20 * torch.rand(n, 2, generator=g, dtype=torch.float64))  # noqa: E731
    return {
        "one size against itself": (torch.tensor([[4.0, 6.0]], dtype=torch.float64),
                                    torch.tensor([[4.0, 6.0]], dtype=torch.float64)),
        "a wide and a tall box (neither fits in the other)":
            (torch.tensor([[12.0, 3.0]], dtype=torch.float64), torch.tensor([[3.0, 12.0]], dtype=torch.float64)),
        "a small box inside a large one": (torch.tensor([[2.0, 2.0]], dtype=torch.float64),
                                           torch.tensor([[8.0, 4.0]], dtype=torch.float64)),
        "5 random sizes against 3 anchors": (sizes(5), sizes(3)),
        "2 sizes against 7": (sizes(2), sizes(7)),
    }


def _wh_iou_reference(wh_a, wh_b):
    """The IoU matrix of the boxes themselves, each centred at the origin."""
    from ..detection import box_iou
    import torch
    centred = lambda wh: torch.cat([-wh / 2, wh / 2], dim=1)  # noqa: E731
    return box_iou(centred(wh_a), centred(wh_b))


q1 = write_function(
    "wh_iou(wh_a, wh_b)",
    _wh_iou_reference, _q1_cases, rtol=1e-6, atol=1e-9,
    diagnose=_diagnose([
        (answers.wh_iou_no_minus_intersection,
         "the union is area_a + area_b − intersection: the overlap is in both areas"),
        (answers.wh_iou_area_ratio,
         "the smaller area over the larger is the IoU only when one box fits inside the other; "
         "a wide and a tall box overlap in min(w)·min(h)"),
        (answers.wh_iou_max,
         "boxes sharing a centre overlap in min(w_a, w_b) × min(h_a, h_b), not the larger sizes"),
        (answers.wh_iou_transposed,
         "return shape (N, M): row i is wh_a[i] against every size of wh_b"),
    ]),
    name="Q1 · IoU of box sizes",
    hint_text=("Two boxes with the same centre overlap in a box of width min(w_a, w_b) and height "
               "min(h_a, h_b). Broadcast: wh_a[:, None, 0] against wh_b[None, :, 0] gives (N, M). "
               "IoU = inter / (w_a·h_a + w_b·h_b − inter)."),
    right_answer=answers.wh_iou,
    wrong_answers=[answers.wh_iou_no_minus_intersection, answers.wh_iou_area_ratio,
                   answers.wh_iou_max, answers.wh_iou_transposed],
)


# ---------------------------------------------------------------------------------------------
# q2 · decoding raw outputs into boxes
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(3)

    def case(k, grid, stride):
        t = torch.randn(k, 4, generator=g, dtype=torch.float64)
        cells = torch.randint(0, grid, (k, 2), generator=g)
        anchors = 4 + 12 * torch.rand(k, 2, generator=g, dtype=torch.float64)
        return (t, cells, anchors, stride)

    zero = (torch.zeros(1, 4, dtype=torch.float64), torch.tensor([[2, 5]]),
            torch.tensor([[10.0, 6.0]], dtype=torch.float64), 4)
    return {"raw outputs 0 in cell (col 2, row 5)": zero,
            "6 predictions, an 8×8 grid, stride 4": case(6, 8, 4),
            "10 predictions, a 13×13 grid, stride 32": case(10, 13, 32),
            "a non-square anchor in a 4×4 grid, stride 8": case(3, 4, 8)}


q2 = write_function(
    "decode(t, cells, anchors, stride)",
    answers.decode, _q2_cases, rtol=1e-6, atol=1e-9,
    diagnose=_diagnose([
        (answers.decode_no_sigmoid,
         "squash the centre offsets with a sigmoid, so the centre stays inside its cell"),
        (answers.decode_centre_size,
         "return the corners (x1, y1, x2, y2), not (cx, cy, w, h)"),
        (answers.decode_rows_cols_swapped,
         "cells[:, 0] is the column (x) and cells[:, 1] the row (y)"),
        (answers.decode_no_stride,
         "cell + offset is in cells; multiply by the stride to get pixels"),
        (answers.decode_linear_size,
         "the size is anchor · exp(t), which is positive for any t"),
    ]),
    name="Q2 · decoding a prediction",
    hint_text=("Centre: cx = (col + σ(t_x))·stride, cy = (row + σ(t_y))·stride. Size: w = a_w·exp(t_w), "
               "h = a_h·exp(t_h). Corners: cx ∓ w/2, cy ∓ h/2; stack them as columns of a (K, 4) "
               "tensor."),
    right_answer=answers.decode,
    wrong_answers=[answers.decode_no_sigmoid, answers.decode_centre_size,
                   answers.decode_rows_cols_swapped, answers.decode_no_stride,
                   answers.decode_linear_size],
)

# ---------------------------------------------------------------------------------------------
# q3 · how far off a box may be
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.shift, what="the shift in pixels", rtol=1e-3, atol=1e-3,
    mistakes=lambda: {
        answers.shift_half_width(): "shifted by half its width, a box keeps half of itself in the "
                                    "overlap, but the union grows too: IoU 6·12 / (18·12) = 1/3",
    },
    name="Q3 · how far off a box may be",
    hint_text=("Shift a w × w box sideways by d: the overlap is (w − d)·w and the union (w + d)·w. "
               "Set their ratio to 0.5 and solve for d."),
    right_answer=answers.shift,
    wrong_answers=[answers.shift_half_width],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of detectors
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "NMS with IoU threshold 1.0 keeps every box that passed the score threshold",
    "b": "Faster R-CNN's region proposal network proposes class-agnostic boxes; RoI pooling "
         "turns the features inside each into a fixed-size map that the second stage classifies "
         "and refines",
    "c": "a one-stage detector such as YOLO predicts objectness, box and class for every cell and "
         "anchor in one forward pass",
    "d": "raising the NMS IoU threshold always raises mAP, because fewer true boxes are suppressed",
    "e": "a second detection of an object that is already matched counts as a true positive "
         "in mAP",
    "f": "each anchor predicts its box relative to its own size, so the network's raw outputs are "
         "small numbers for objects of any size",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · detectors",
    hint_text=("NMS suppresses only IoU strictly greater than the threshold. Section 9's "
               "experiment shows what a high threshold does to mAP; section 6 says how duplicates "
               "are counted."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_higher_threshold,
                   answers.true_statements_without_threshold_one,
                   answers.true_statements_with_duplicates],
)
