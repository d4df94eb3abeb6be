"""L2.09: augmentation preview. One digit and a grid of randomly augmented copies of it: a random
rotation, scale and shift (one affine matrix per copy, applied with F.affine_grid/F.grid_sample),
cutout (a zeroed square), mixup with a second digit, Gaussian noise, and a horizontal flip that
shows what a transform must not do to a digit. Every strength is a slider; the seed redraws.

Each copy draws all its random numbers up front whatever the strengths, so moving one slider
changes one thing and leaves the other draws where they were.
"""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure
from .feature_maps import _blank_gaps, mosaic

COPIES = 11          # augmented copies shown next to the original: a 3 × 4 grid
COLUMNS = 4


def stroke_digit(strokes, size: int = 28, width: float = 1.6):
    """A synthetic digit: the line segments ((r0, c0), (r1, c1)) drawn with soft edges, values
    in [0, 1], shape (size, size). The demo's images, so that it needs no data set."""
    import torch
    r, c = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                          torch.arange(size, dtype=torch.float32), indexing="ij")
    image = torch.zeros(size, size)
    for (r0, c0), (r1, c1) in strokes:
        dr, dc = r1 - r0, c1 - c0
        t = (((r - r0) * dr + (c - c0) * dc) / max(dr * dr + dc * dc, 1e-9)).clamp(0, 1)
        distance = ((r - r0 - t * dr) ** 2 + (c - c0 - t * dc) ** 2).sqrt()
        image = torch.maximum(image, (1.5 - distance / width).clamp(0, 1))
    return image


SEVEN = (((6, 7), (6, 21)), ((6, 21), (22, 12)))
FOUR = (((5, 16), (16, 7)), ((16, 7), (16, 21)), ((5, 16), (23, 16)))


def affine_matrices(degrees, scale, shift_x, shift_y, size: int = 28):
    """Matrices θ (N, 2, 3) for F.affine_grid (align_corners=False): rotate by `degrees`
    (counter-clockwise on screen, as torch.rot90), zoom by `scale`, move by `shift_x` pixels to
    the right and `shift_y` down. θ maps an output pixel's coordinates, in [−1, 1], to where the
    output samples the input: the inverse of the transform, so it divides by the scale and
    subtracts the shift."""
    import torch
    angle = torch.as_tensor(degrees, dtype=torch.float32) * (math.pi / 180)
    scale = torch.as_tensor(scale, dtype=torch.float32)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    tx = -2.0 * torch.as_tensor(shift_x, dtype=torch.float32) / size
    ty = -2.0 * torch.as_tensor(shift_y, dtype=torch.float32) / size
    # the inverse rotation and scale applied to the output point minus the shift
    row0 = torch.stack([cos, -sin, cos * tx - sin * ty], -1)
    row1 = torch.stack([sin, cos, sin * tx + cos * ty], -1)
    return torch.stack([row0, row1], -2)


def warp(images, theta):
    """images (N, 1, H, W) resampled through θ (N, 2, 3), bilinear, zeros outside."""
    import torch.nn.functional as F
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def augment(image, partner=None, *, rotation: float = 0.0, shift: float = 0.0,
            scale: float = 0.0, noise: float = 0.0, cutout: int = 0, lam: float = 1.0,
            flip: bool = False, seed: int = 0, copies: int = COPIES):
    """`copies` augmented versions (copies, H, W) of one image (H, W) in [0, 1]:
    an optional horizontal flip of every copy; a random rotation in ±`rotation` degrees, zoom in
    1 ± `scale` and shift in ±`shift` pixels (one affine warp); cutout, a square of side `cutout`
    at a random centre set to 0; mixup, λ·copy + (1 − λ)·partner; Gaussian noise of std `noise`."""
    import torch
    g = torch.Generator().manual_seed(int(seed))
    u = torch.rand(copies, 6, generator=g) * 2 - 1          # every draw, whatever the strengths
    gaussian = torch.randn(copies, *image.shape, generator=g)
    x = image.expand(copies, 1, *image.shape).clone()
    if flip:
        x = x.flip(-1)
    theta = affine_matrices(u[:, 0] * rotation, 1 + u[:, 1] * scale, u[:, 2] * shift,
                            u[:, 3] * shift, image.shape[-1])
    x = warp(x, theta)[:, 0]
    if cutout > 0:
        h, w = image.shape
        rows, cols = torch.arange(h)[:, None], torch.arange(w)[None, :]
        top = ((u[:, 4] + 1) / 2 * h).floor()[:, None, None] - cutout // 2
        left = ((u[:, 5] + 1) / 2 * w).floor()[:, None, None] - cutout // 2
        hole = (rows >= top) & (rows < top + cutout) & (cols >= left) & (cols < left + cutout)
        x = x.masked_fill(hole, 0.0)
    if partner is not None and lam < 1:
        x = lam * x + (1 - lam) * partner
    return x + noise * gaussian


class AugmentationExplorer(Explorer):
    """A digit and `COPIES` randomly augmented copies of it.

    `image` (H, W) in [0, 1] and `partner` (the mixup partner, same shape), with their `labels`
    (two names); without them, two drawn digits, a 7 and a 4. Controls: `rotation` (± degrees),
    `shift` (± pixels), `scale` (zoom 1 ± s), `noise` (std), `cutout` (side in pixels), `lam`
    (mixup's λ, 1: no mixing), `flip` (mirror every copy) and `seed`.
    """

    def __init__(self, image=None, partner=None, labels=("7", "4"), rotation: int = 15,
                 shift: float = 2.0, scale: float = 0.1, noise: float = 0.1, cutout: int = 6,
                 lam: float = 1.0, flip: bool = False, seed: int = 0):
        import torch
        if image is None:    # the demo: a drawn 7, mixed with a drawn 4
            image, partner = stroke_digit(SEVEN), stroke_digit(FOUR)
        self.image = torch.as_tensor(image, dtype=torch.float32).reshape(28, 28)
        self.partner = (None if partner is None else
                        torch.as_tensor(partner, dtype=torch.float32).reshape(28, 28))
        self.labels = tuple(str(label) for label in labels)
        slider = dict(continuous_update=False, style={"description_width": "80px"},
                      layout=widgets.Layout(width="270px"))
        self.controls = {
            "rotation": widgets.IntSlider(value=rotation, min=0, max=90, step=5,
                                          description="Rotation ±°", **slider),
            "shift": widgets.FloatSlider(value=shift, min=0, max=6, step=0.5,
                                         description="Shift ± px", **slider),
            "scale": widgets.FloatSlider(value=scale, min=0, max=0.4, step=0.05,
                                         description="Scale 1 ±", **slider),
            "noise": widgets.FloatSlider(value=noise, min=0, max=0.5, step=0.05,
                                         description="Noise std", **slider),
            "cutout": widgets.IntSlider(value=cutout, min=0, max=16, description="Cutout px",
                                        **slider),
            "lam": widgets.FloatSlider(value=lam, min=0, max=1, step=0.05,
                                       description="Mixup λ", disabled=self.partner is None,
                                       **slider),
            "seed": widgets.IntSlider(value=seed, min=0, max=99, description="Seed", **slider),
            "flip": widgets.Checkbox(value=flip, description="Horizontal flip",
                                     layout=widgets.Layout(width="200px")),
        }
        self.fig = figure(height=520, margin=dict(l=20, r=20, t=80, b=20))
        self.fig.add_heatmap(z=[[0]], colorscale="Greys", zmin=0, zmax=1, showscale=False,
                             hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>")
        self.fig.update_xaxes(visible=False, constrain="domain")
        self.fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
        super().__init__()

    def update(self) -> None:
        v = self.values
        copies = augment(self.image, self.partner, rotation=v["rotation"], shift=v["shift"],
                         scale=v["scale"], noise=v["noise"], cutout=v["cutout"], lam=v["lam"],
                         flip=v["flip"], seed=v["seed"])
        tiles = np.concatenate([self.image.numpy()[None], copies.numpy()])
        with self.fig.batch_update():
            self.fig.data[0].z = _blank_gaps(mosaic(tiles, COLUMNS))
            self.fig.layout.title.text = (
                f"A {self.labels[0]} (top left) and {COPIES} augmented copies<br><sup>rotation "
                f"±{v['rotation']}°, zoom 1 ± {v['scale']:.2f}, shift ±{v['shift']:.1f} px, "
                f"cutout {v['cutout']} px, noise std {v['noise']:.2f}"
                + (f", mixup λ = {v['lam']:.2f} with a {self.labels[1]}"
                   if self.partner is not None and v["lam"] < 1 else "")
                + (", mirrored" if v["flip"] else "") + f" · seed {v['seed']}</sup>")
        self.status.value = self._label_text(v)

    def _label_text(self, v: dict) -> str:
        first, second = self.labels
        if self.partner is not None and v["lam"] < 1:
            label = (f"The target is soft: {v['lam']:.2f} × “{first}” + {1 - v['lam']:.2f} × "
                     f"“{second}”, the same mix as the pixels.")
        else:
            label = f"Every copy keeps the label “{first}”."
        warnings = []
        if v["flip"]:
            warnings.append("a mirrored digit is not a digit any more (a mirrored 2, 3, 4, 7 is "
                            "written by no one): a horizontal flip does not preserve the label")
        if v["rotation"] > 45:
            warnings.append(f"rotations up to ±{v['rotation']}° can turn a 6 into something close "
                            "to a 9: keep them small")
        if v["cutout"] > 12:
            warnings.append("a hole this large can erase the stroke that tells two digits apart")
        return label + ("" if not warnings else " But " + "; ".join(warnings) + ".")


GALLERY = {"AugmentationExplorer": AugmentationExplorer}
