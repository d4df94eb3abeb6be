"""L3.05's explorer: NMSExplorer. For slider values across the range, the kept set equals a
plain-Python greedy NMS run class by class on the boxes above the score threshold, and the figure
draws exactly those boxes; plus the vectorized box functions of dlcourse.detection against their
loop references (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import random

import pytest
import torch

from dlcourse import detection
from dlcourse.widgets.nms import NMSExplorer, demo_scene


def reference_kept(boxes, scores, labels, iou_threshold, score_threshold):
    """Per class: the boxes with score ≥ the threshold, greedy NMS in plain Python; then all the
    kept boxes by decreasing score (ties: the smaller index first)."""
    kept = []
    for c in sorted(set(labels.tolist())):
        idx = [i for i in range(len(scores)) if labels[i] == c and scores[i] >= score_threshold]
        kept += [idx[k] for k in detection.nms_loops(boxes[idx].tolist(), scores[idx].tolist(), iou_threshold)]
    return sorted(kept, key=lambda i: (-float(scores[i]), i))


def drawn_boxes(trace) -> int:
    return sum(v is None for v in trace.x)


def rectangles(trace) -> list[tuple[float, ...]]:
    """The (x1, y1, x2, y2) of each outline in a trace (5 corners and a None per box)."""
    x, y = list(trace.x), list(trace.y)
    return sorted((round(x[k], 4), round(y[k], 4), round(x[k + 1], 4), round(y[k + 2], 4))
                  for k in range(0, len(x), 6))


@pytest.mark.parametrize("score", [0.0, 0.3, 0.6, 0.95])
def test_kept_boxes_are_reference_nms_for_the_slider_values(score):
    explorer = NMSExplorer()
    explorer.controls["score"].value = score
    for iou in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        explorer.controls["iou"].value = iou
        s = explorer.state()
        assert s["kept"] == reference_kept(explorer.boxes, explorer.scores, explorer.labels, iou, score)
        above = {i for i in range(len(explorer.scores)) if explorer.scores[i] >= score}
        assert set(s["candidates"]) == above and set(s["suppressed"]) == above - set(s["kept"])
        # the figure: kept boxes in the three class traces, suppressed ones grey, one bar per candidate
        fig = explorer.fig
        assert sum(drawn_boxes(fig.data[t]) for t in (3, 4, 5)) == len(s["kept"])
        assert drawn_boxes(fig.data[2]) == len(s["suppressed"])
        assert list(fig.data[7].customdata) == s["candidates"]
        assert f"{len(s['kept'])} kept" in fig.layout.title.text
        for trace, c in zip((3, 4, 5), (1, 2, 3)):     # each class trace draws its kept boxes, where they are
            want = sorted(tuple(round(v, 4) for v in explorer.boxes[i].tolist()) for i in s["kept"]
                          if explorer.labels[i] == c)
            assert rectangles(fig.data[trace]) == want


def test_thresholds_move_the_kept_set_the_right_way():
    explorer = NMSExplorer(score=0.0)
    counts = []
    for iou in (0.0, 0.3, 0.6, 0.9, 1.0):
        explorer.controls["iou"].value = iou
        counts.append(len(explorer.state()["kept"]))
    assert counts == sorted(counts) and counts[0] < counts[-1] == len(explorer.scores)   # 1.0 keeps all
    explorer.controls["iou"].value = 0.5
    before = len(explorer.state()["candidates"])
    explorer.controls["score"].value = 0.5
    assert len(explorer.state()["candidates"]) < before


def test_a_detectors_own_boxes_and_classes_never_suppress_each_other():
    image = torch.zeros(20, 20)
    boxes = torch.tensor([[2.0, 2, 10, 10], [2, 2, 10, 10], [3, 3, 10, 10]])
    explorer = NMSExplorer(image, boxes, torch.tensor([0.9, 0.8, 0.7]), torch.tensor([1, 2, 1]), iou=0.5, score=0.0)
    assert explorer.state()["kept"] == [0, 1]          # the same box in another class survives


def test_demo_scene_is_seeded_and_has_duplicates():
    a, b = demo_scene(), demo_scene()
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    _, boxes, scores, labels, gt_boxes, _ = a
    assert len(gt_boxes) == 3 and len(boxes) > 3 * len(gt_boxes)
    assert detection.box_iou(gt_boxes, boxes).max(1).values.min() > 0.5      # every object has boxes on it


def _random_boxes(n, rng, size=20):
    out = []
    for _ in range(n):
        x1, y1 = rng.randrange(size - 1), rng.randrange(size - 1)
        out.append((x1, y1, min(x1 + rng.randint(1, size // 2), size), min(y1 + rng.randint(1, size // 2), size)))
    return torch.tensor(out, dtype=torch.float64).reshape(-1, 4)


def test_detection_functions_match_their_loop_references():
    rng = random.Random(0)
    for trial in range(30):
        a, b = _random_boxes(rng.randrange(0, 9), rng), _random_boxes(rng.randrange(1, 9), rng)
        want = torch.tensor([[detection.iou_loops(p, q) for q in b.tolist()] for p in a.tolist()],
                            dtype=torch.float64).reshape(len(a), len(b))
        assert torch.allclose(detection.box_iou(a, b), want, atol=1e-12)
        scores = torch.tensor([rng.randrange(5) / 4 for _ in range(len(b))], dtype=torch.float64)
        thr = [0.0, 0.3, 0.5, 0.7][trial % 4]
        assert detection.nms(b, scores, thr).tolist() == detection.nms_loops(b, scores, thr)
    # mAP on random scenes with duplicates, misses and false alarms, against the devkit's loops
    for trial in range(10):
        gts, dets = [], []
        for _ in range(5):
            gb = _random_boxes(rng.randrange(1, 4), rng)
            gl = torch.tensor([rng.randrange(1, 4) for _ in gb], dtype=torch.int64)
            db = torch.cat([gb + torch.randn(gb.shape, dtype=torch.float64), _random_boxes(3, rng)])
            dl = torch.cat([gl, torch.tensor([rng.randrange(1, 4) for _ in range(3)])])
            ds = torch.tensor([rng.randrange(10) / 9 for _ in db], dtype=torch.float64)
            gts.append((gb, gl))
            dets.append((db, ds, dl))
        got, got_aps = detection.mean_ap(dets, gts)
        want, want_aps = detection.mean_ap_loops(dets, gts)
        assert got == pytest.approx(want, abs=1e-12) and got_aps.keys() == want_aps.keys()
        assert all(got_aps[c] == pytest.approx(want_aps[c], abs=1e-12) for c in got_aps)


def test_batched_nms_is_nms_per_class():
    rng = random.Random(3)
    boxes = _random_boxes(30, rng)
    scores = torch.rand(30, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([rng.randrange(1, 4) for _ in range(30)])
    want = reference_kept(boxes, scores, labels, 0.4, 0.0)
    assert detection.batched_nms(boxes, scores, labels, 0.4).tolist() == want
