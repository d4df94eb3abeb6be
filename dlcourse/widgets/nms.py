"""L3.05: non-maximum suppression. A detector fires many scored boxes around each object; the
score threshold drops the unsure ones, then greedy NMS, class by class, keeps the best box of each
cluster and suppresses the boxes that overlap a kept one by more than the IoU threshold. Left: the
scene with the kept boxes (coloured by class, with their scores), the suppressed ones (grey,
dashed) and the ground truth (dotted). Right: the boxes above the score threshold in the order NMS
visits them, by decreasing score, coloured by what happened to each."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..detection import batched_nms
from .base import Explorer, figure, image_axes

CLASS_NAMES = {1: "circle", 2: "square", 3: "triangle"}
CLASS_COLORS = {1: "#1f77b4", 2: "#2ca02c", 3: "#d62728"}
SUPPRESSED = "#7f7f7f"


def demo_scene(seed: int = 16, size: int = 48, copies: int = 7):
    """A scene of shapes_detection with raw boxes as a detector fires them: for every shape,
    `copies` jittered boxes whose score falls with their error (some get a wrong class), plus a
    few low-scored boxes on the background. Returns (image (H, W), boxes (K, 4), scores (K,),
    labels (K,), gt_boxes (G, 4), gt_labels (G,)), all torch tensors; the same for the same seed."""
    import torch

    from ..data import shapes_detection
    X, targets = shapes_detection(1, size=size, max_shapes=3, seed=seed)
    gt_boxes, gt_labels = targets[0]
    rng = np.random.default_rng(seed)
    boxes, scores, labels = [], [], []
    for box, label in zip(gt_boxes.numpy(), gt_labels.numpy()):
        w, h = box[2] - box[0], box[3] - box[1]
        for k in range(copies):
            spread = 0.04 + 0.05 * k                               # later copies are worse
            jitter = rng.normal(0, spread, 4) * np.array([w, h, w, h])
            boxes.append(box + jitter)
            scores.append(np.clip(0.95 - 0.1 * k + rng.normal(0, 0.05), 0.02, 0.99))
            labels.append(label if rng.uniform() > 0.15 else rng.integers(1, 4))
    for _ in range(4):                                             # background false alarms
        cx, cy, s = rng.uniform(6, size - 6), rng.uniform(6, size - 6), rng.uniform(6, 12)
        boxes.append(np.array([cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2]))
        scores.append(rng.uniform(0.05, 0.35))
        labels.append(rng.integers(1, 4))
    boxes = np.clip(np.array(boxes), 0, size)
    return (X[0, 0], torch.tensor(boxes, dtype=torch.float32), torch.tensor(scores, dtype=torch.float32),
            torch.tensor(np.array(labels), dtype=torch.int64), gt_boxes, gt_labels)


def nms_state(boxes, scores, labels, iou_threshold: float, score_threshold: float) -> dict:
    """Which boxes pass the score threshold (`candidates`, by decreasing score), which of them
    per-class NMS keeps (`kept`, by decreasing score) and which it suppresses; indices into boxes."""
    import torch
    order = torch.argsort(scores, descending=True, stable=True)
    candidates = order[scores[order] >= score_threshold]
    kept = candidates[batched_nms(boxes[candidates], scores[candidates], labels[candidates],
                                  iou_threshold)]
    kept_set = set(kept.tolist())
    suppressed = [i for i in candidates.tolist() if i not in kept_set]
    return dict(candidates=candidates.tolist(), kept=kept.tolist(), suppressed=suppressed)


def outline(boxes) -> tuple[list, list]:
    """x and y of a scatter line drawing each box's outline, boxes separated by None."""
    xs, ys = [], []
    for x1, y1, x2, y2 in np.asarray(boxes, dtype=float).reshape(-1, 4):
        xs += [x1, x2, x2, x1, x1, None]
        ys += [y1, y1, y2, y2, y1, None]
    return xs, ys


class NMSExplorer(Explorer):
    """Non-maximum suppression on one scene's raw boxes. Controls: `iou` (NMS IoU threshold) and
    `score` (the score threshold applied first). Without arguments it shows demo_scene(); pass
    `image`, `boxes`, `scores`, `labels` (1–3) and optionally the ground truth to explore a
    detector's own raw output."""

    def __init__(self, image=None, boxes=None, scores=None, labels=None, gt_boxes=None, gt_labels=None,
                 iou: float = 0.5, score: float = 0.3):
        if image is None:
            image, boxes, scores, labels, gt_boxes, gt_labels = demo_scene()
        self.image, self.boxes, self.scores, self.labels = image, boxes.float(), scores.float(), labels
        self.gt_boxes = gt_boxes if gt_boxes is not None else boxes[:0]
        self.gt_labels = gt_labels
        slider = dict(min=0.0, max=1.0, step=0.05, continuous_update=True, readout_format=".2f",
                      style={"description_width": "initial"}, layout=widgets.Layout(width="330px"))
        self.controls = {
            "iou": widgets.FloatSlider(value=iou, description="NMS IoU threshold", **slider),
            "score": widgets.FloatSlider(value=score, description="score threshold", **slider),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.1,
                                        subplot_titles=["scene", "boxes above the score threshold"]),
                          height=470, margin=dict(l=40, r=20, t=90, b=50),
                          legend=dict(orientation="h", y=-0.08, x=0))
        size = image.shape
        self.fig.add_heatmap(z=np.asarray(image), colorscale="gray", showscale=False, row=1, col=1,
                             hoverinfo="skip")
        xs, ys = outline(self.gt_boxes)
        self.fig.add_scatter(x=xs, y=ys, mode="lines", name="ground truth", row=1, col=1,
                             line=dict(color="#ffbf00", width=2, dash="dot"), hoverinfo="skip")
        self.fig.add_scatter(x=[], y=[], mode="lines", name="suppressed", row=1, col=1,
                             line=dict(color=SUPPRESSED, width=1, dash="dash"), hoverinfo="skip")
        for c in CLASS_NAMES:
            self.fig.add_scatter(x=[], y=[], mode="lines", name=f"kept: {CLASS_NAMES[c]}", row=1, col=1,
                                 line=dict(color=CLASS_COLORS[c], width=2.5), hoverinfo="skip")
        self.fig.add_scatter(x=[], y=[], mode="text", textposition="top right", row=1, col=1,
                             textfont=dict(size=10, color="white"), showlegend=False, hoverinfo="skip")
        self.fig.add_bar(x=[], y=[], row=1, col=2, showlegend=False,
                         hovertemplate="box %{customdata}: score %{y:.2f}<extra></extra>")
        image_axes(self.fig, 1)
        self.fig.update_xaxes(range=[-0.5, size[1] - 0.5], row=1, col=1, showticklabels=False)
        self.fig.update_yaxes(range=[size[0] - 0.5, -0.5], autorange=False, row=1, col=1, showticklabels=False)
        self.fig.update_yaxes(range=[0, 1], title_text="score", row=1, col=2)
        self.fig.update_xaxes(title_text="rank (NMS visits left to right)", row=1, col=2)
        super().__init__()

    def state(self) -> dict:
        """What the figure shows, computed from the controls (a test reads it)."""
        v = self.values
        return nms_state(self.boxes, self.scores, self.labels, v["iou"], v["score"])

    def update(self) -> None:
        s = self.state()
        kept = s["kept"]
        boxes, scores, labels = self.boxes.numpy(), self.scores.numpy(), self.labels.numpy()
        kept_set = set(kept)
        with self.fig.batch_update():
            xs, ys = outline(boxes[s["suppressed"]])
            self.fig.data[2].update(x=xs, y=ys)
            for trace, c in enumerate(CLASS_NAMES, start=3):
                xs, ys = outline(boxes[[i for i in kept if labels[i] == c]])
                self.fig.data[trace].update(x=xs, y=ys)
            self.fig.data[6].update(x=[float(boxes[i, 0]) for i in kept], y=[float(boxes[i, 1]) for i in kept],
                                    text=[f"{scores[i]:.2f}" for i in kept])
            cand = s["candidates"]
            self.fig.data[7].update(
                x=list(range(1, len(cand) + 1)), y=[float(scores[i]) for i in cand], customdata=cand,
                marker_color=[CLASS_COLORS[int(labels[i])] if i in kept_set else SUPPRESSED for i in cand])
            self.fig.layout.title.text = (
                f"{len(boxes)} raw boxes → {len(cand)} with score ≥ {self.values['score']:.2f} → "
                f"{len(kept)} kept by NMS (IoU > {self.values['iou']:.2f} suppresses)")
        self.status.value = (
            f"Kept {len(kept)}, suppressed {len(s['suppressed'])}, below the score threshold "
            f"{len(boxes) - len(cand)}. Bars: coloured = kept (by class), grey = suppressed by a "
            f"better-scored box of its class.")


GALLERY = {"NMSExplorer": lambda: NMSExplorer()}
