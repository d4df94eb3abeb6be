"""L3.22: search images with a typed prompt, in English or Chinese. The prompt goes through a
CLIP-style text encoder; every image's embedding is compared with it by cosine similarity; the
figure shows the images in order of similarity, from a chosen rank (left) and, per digit, the mean similarity of the
prompt to that digit's images (right): which digit the prompt "means" to the model.

Pass the lesson's model as `embed_text` (a list of strings → (n, D) embeddings) with the image
embeddings, the images and their labels; without them, a small CLIP trained here in a few
seconds on scikit-learn's 8×8 digits with the captions of `dlcourse.multimodal` opens."""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

TOP = 12            # images shown, in COLS columns
COLS = 4
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _unit(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def search(text_embedding, image_embeddings, labels=None) -> dict:
    """Cosine similarity of one text embedding (D,) with every image embedding (N, D); `order`
    ranks the images from the most similar (ties: the lower index first); `per_digit` is the mean
    similarity over the images of each label 0–9 (nan for a digit with no image)."""
    sims = _unit(image_embeddings) @ _unit(np.asarray(text_embedding).reshape(-1))
    order = np.argsort(-sims, kind="stable")
    per_digit = np.full(10, np.nan)
    if labels is not None:
        labels = np.asarray(labels)
        for d in range(10):
            if (labels == d).any():
                per_digit[d] = sims[labels == d].mean()
    return dict(sims=sims, order=order, per_digit=per_digit)


def mosaic(images, cols: int = COLS, pad: int = 1) -> np.ndarray:
    """Images (n, H, W) as one array, `cols` per row, separated by `pad` pixels of 0.25."""
    images = np.asarray(images, dtype=float)
    n, h, w = images.shape
    rows = max(1, -(-n // cols))
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), 0.25)
    for k, image in enumerate(images):
        r, c = divmod(k, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = image
    return out


def _text_encoder(vocab_size: int, dim: int, width: int = 64):
    """Characters → embedding: id embeddings, one convolution over 3 characters, a max over the
    positions that are not padding, a linear map (the lesson's text encoder, smaller)."""
    import torch
    from torch import nn

    class CharCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, 16, padding_idx=0)
            self.conv = nn.Conv1d(16, width, 3, padding=1)
            self.proj = nn.Linear(width, dim)

        def forward(self, ids):
            h = torch.relu(self.conv(self.embed(ids).transpose(1, 2)))
            return self.proj(h.masked_fill((ids == 0)[:, None, :], float("-inf")).amax(dim=2))

    return CharCNN()


@lru_cache(maxsize=1)
def default_model(epochs: int = 20, seed: int = 0, dim: int = 32):
    """A small CLIP trained on scikit-learn's 8×8 digits (the training split; a few seconds on one
    core): (embed_text, image embeddings, images (N, 8, 8), labels) for the 450 test images, and
    its zero-shot test accuracy with the prompts "a handwritten {word}"."""
    import math

    import torch
    import torch.nn.functional as F
    from torch import nn

    from .. import multimodal as mm
    from ..data import load_digits
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, y = load_digits("train")
    Xt, yt = load_digits("test")
    vocab = mm.caption_vocab()
    thick, large = mm.attributes(X, y.numpy())
    image_encoder = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, dim))
    text_encoder = _text_encoder(len(vocab), dim)
    logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    optimizer = torch.optim.Adam([*image_encoder.parameters(), *text_encoder.parameters(), logit_scale],
                                 lr=3e-3)
    with one_thread():
        for _ in range(epochs):
            ids = mm.encode(mm.captions(y.numpy(), thick, large, rng), vocab)
            for idx in torch.randperm(len(X)).split(128):
                image = F.normalize(image_encoder(X[idx]), dim=1)
                text = F.normalize(text_encoder(ids[idx]), dim=1)
                logits = logit_scale.exp() * image @ text.T
                labels = torch.arange(len(idx))
                loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    logit_scale.clamp_(0, math.log(100))
        image_encoder.eval(), text_encoder.eval()
        with torch.no_grad():
            image_embeddings = image_encoder(Xt).numpy()

    def embed_text(texts):
        with torch.no_grad(), one_thread():
            return text_encoder(mm.encode(list(texts), vocab)).numpy()

    classes = embed_text([mm.fill("a handwritten {word}", d, "en") for d in range(10)])
    accuracy = float(((_unit(image_embeddings) @ _unit(classes).T).argmax(1) == yt.numpy()).mean())
    return embed_text, image_embeddings, Xt.reshape(-1, 8, 8).numpy(), yt.numpy(), accuracy


class PromptSearchExplorer(Explorer):
    """Type a prompt (English or Chinese); see the images most similar to it.

    Controls: `prompt` (text; applied on Enter or when the box loses focus) and `start` (the
    rank of the first image shown: scroll down the ranking). Pass `embed_text`
    (list of strings → (n, D) array or tensor), `image_embeddings` (N, D), `images` (N, H, W) and
    `labels` (N,) to search the lesson's model; without them, the small model of `default_model`."""

    def __init__(self, embed_text=None, image_embeddings=None, images=None, labels=None,
                 prompt: str = "a handwritten seven", top: int = TOP):
        if embed_text is None:
            embed_text, image_embeddings, images, labels, _ = default_model()
        self.embed_text = embed_text
        self.image_embeddings = np.asarray(image_embeddings, dtype=np.float64)
        self.images = np.asarray(images, dtype=float).reshape(len(self.image_embeddings),
                                                              *np.shape(images)[-2:])
        self.labels = None if labels is None else np.asarray(labels)
        self.top = min(int(top), len(self.images))
        self.controls = {
            "prompt": widgets.Text(value=prompt, description="prompt", continuous_update=False,
                                   layout=widgets.Layout(width="400px")),
            "start": widgets.IntSlider(value=1, min=1, max=len(self.images) - self.top + 1,
                                       description="from rank", continuous_update=False,
                                       layout=widgets.Layout(width="400px")),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.58, 0.42], horizontal_spacing=0.1,
                            subplot_titles=[f"{self.top} images in order of similarity",
                                            "mean cosine similarity to each digit's images"])
        self.fig = figure(fig, height=440, margin=dict(l=40, r=30, t=100, b=50))
        h, w = self.images.shape[1:]
        self.fig.add_heatmap(z=mosaic(np.zeros((self.top, h, w))), colorscale="gray", zmin=0,
                             zmax=float(self.images.max() or 1), showscale=False, hoverinfo="skip",
                             row=1, col=1)
        self.fig.add_bar(x=list(range(10)), y=np.zeros(10), marker_color=COLORS, showlegend=False,
                         hovertemplate="digit %{x}: %{y:.3f}<extra></extra>", row=1, col=2)
        self.fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain",
                              visible=False, row=1, col=1)
        self.fig.update_xaxes(constrain="domain", visible=False, row=1, col=1)
        self.fig.update_xaxes(title_text="digit", dtick=1, row=1, col=2)
        self.fig.update_yaxes(title_text="cos(prompt, image)", row=1, col=2)
        super().__init__()

    def state(self) -> dict:
        """The prompt's similarities, the images' ranking and the per-digit means shown."""
        prompt = self.values["prompt"]
        embedding = np.asarray(self.embed_text([prompt]), dtype=np.float64)[0]
        return dict(prompt=prompt, **search(embedding, self.image_embeddings, self.labels))

    def update(self) -> None:
        s = self.state()
        first = self.values["start"] - 1
        shown = s["order"][first:first + self.top]
        digits = "" if self.labels is None else " ".join(str(d) for d in self.labels[shown])
        best = None if np.isnan(s["per_digit"]).all() else int(np.nanargmax(s["per_digit"]))
        with self.fig.batch_update():
            self.fig.data[0].z = mosaic(self.images[shown])
            self.fig.data[1].y = np.nan_to_num(s["per_digit"])
            self.fig.layout.title.text = (
                f"Prompt “{s['prompt']}”" + (f": closest to the {best}s" if best is not None else "")
                + f"<br><sup>ranks {first + 1}–{first + len(shown)} of {len(self.images)}: cosine "
                f"{s['sims'][shown[0]]:.3f} down to {s['sims'][shown[-1]]:.3f}</sup>")
        self.status.value = (f"labels of the images shown, in order: {digits}" if digits else
                             f"{len(self.images)} images searched")


GALLERY = {"PromptSearchExplorer": lambda: PromptSearchExplorer(prompt="手写的数字三")}
