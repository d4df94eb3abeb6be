"""L2.09's explorer: AugmentationExplorer. Its compute functions against torch.rot90, torch.roll
and direct indexing, and what each control is meant to do (the generic sweep over every control
is tests/test_widgets.py)."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from dlcourse.widgets.augmentation import (COPIES, FOUR, SEVEN, AugmentationExplorer,
                                           affine_matrices, augment, stroke_digit, warp)


def images(n=4, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_identity_matrix_returns_the_image():
    x = images()
    theta = affine_matrices(torch.zeros(4), torch.ones(4), torch.zeros(4), torch.zeros(4))
    np.testing.assert_allclose(theta, torch.tensor([[1.0, 0, 0], [0, 1, 0]]).expand(4, 2, 3))
    torch.testing.assert_close(warp(x, theta), x, atol=1e-5, rtol=0)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_quarter_turns_are_torch_rot90(k):
    x = images()
    theta = affine_matrices(torch.full((4,), 90.0 * k), torch.ones(4), torch.zeros(4), torch.zeros(4))
    torch.testing.assert_close(warp(x, theta), torch.rot90(x, k, dims=(-2, -1)), atol=1e-5, rtol=0)


@pytest.mark.parametrize("dx, dy", [(2, 0), (0, 3), (-1, 2), (3, -4)])
def test_whole_pixel_shifts_are_a_roll_with_zeros_coming_in(dx, dy):
    x = images(2)
    expected = torch.roll(x, shifts=(dy, dx), dims=(-2, -1))
    rows, cols = torch.arange(28)[:, None], torch.arange(28)[None, :]
    wrapped = ((rows < dy) | (rows >= 28 + dy)) | ((cols < dx) | (cols >= 28 + dx))
    expected = expected.masked_fill(wrapped, 0.0)
    theta = affine_matrices(torch.zeros(2), torch.ones(2), torch.full((2,), float(dx)),
                            torch.full((2,), float(dy)))
    torch.testing.assert_close(warp(x, theta), expected, atol=1e-5, rtol=0)


def test_zoom_by_two_shows_the_centre_twice_as_large():
    x = torch.zeros(1, 1, 28, 28)
    x[..., 12:16, 12:16] = 1.0                           # a 4 × 4 square in the centre
    theta = affine_matrices(torch.zeros(1), torch.full((1,), 2.0), torch.zeros(1), torch.zeros(1))
    out = warp(x, theta)
    assert out.sum().item() == pytest.approx(4 * x.sum().item(), rel=0.05)   # area × 4
    assert out[0, 0, 10:18, 10:18].min() > 0.4 and out[0, 0, :8].abs().max() < 1e-6


def test_augment_strengths_and_draws():
    seven = stroke_digit(SEVEN)
    plain = augment(seven, copies=5)
    torch.testing.assert_close(plain, seven.expand(5, 28, 28), atol=1e-5, rtol=0)
    assert torch.equal(augment(seven, rotation=20, seed=3), augment(seven, rotation=20, seed=3))
    assert not torch.equal(augment(seven, rotation=20, seed=3), augment(seven, rotation=20, seed=4))
    holes = augment(seven + 1.0, cutout=6, copies=20)     # all pixels ≥ 1: zeros are the hole
    zeros = (holes == 0).sum(dim=(-2, -1))
    assert zeros.max() == 36 and zeros.min() > 0          # a 6 × 6 square, clipped at the border
    four = stroke_digit(FOUR)
    mixed = augment(seven, four, lam=0.3, copies=3)
    torch.testing.assert_close(mixed, (0.3 * seven + 0.7 * four).expand(3, 28, 28), atol=1e-5, rtol=0)
    noisy = augment(torch.zeros(28, 28), noise=0.2, copies=50)
    assert noisy.std().item() == pytest.approx(0.2, rel=0.05) and abs(noisy.mean().item()) < 0.01
    torch.testing.assert_close(augment(seven, flip=True, copies=2), seven.flip(-1).expand(2, 28, 28),
                               atol=1e-5, rtol=0)


def test_one_slider_leaves_the_other_draws_alone():
    seven = stroke_digit(SEVEN)
    with_noise = augment(seven, rotation=30, noise=0.2, seed=1)
    without = augment(seven, rotation=30, seed=1)
    gaussian = augment(torch.zeros(28, 28), noise=1.0, seed=1)
    torch.testing.assert_close(with_noise - without, 0.2 * gaussian, atol=1e-5, rtol=0)


def test_demo_builds_fast_and_controls_do_what_they_say():
    start = time.perf_counter()
    w = AugmentationExplorer()
    assert time.perf_counter() - start < 2.0
    z = np.array(w.fig.data[0].z, dtype=float)
    assert z.shape == (3 * 29 - 1, 4 * 29 - 1) and 1 + COPIES == 12
    assert list(w.controls)[0] == "rotation"
    assert "keeps the label “7”" in w.status.value
    w.controls["lam"].value = 0.6
    assert "0.60 × “7” + 0.40 × “4”" in w.status.value and "mixup λ = 0.60" in w.fig.layout.title.text
    w.controls["flip"].value = True
    assert "does not preserve the label" in w.status.value and "mirrored" in w.fig.layout.title.text
    w.controls["rotation"].value = 90
    assert "6 into" in w.status.value
    for name in ("shift", "scale", "noise", "cutout", "rotation"):
        w.controls[name].value = 0
    w.controls["lam"].value = 1.0
    w.controls["flip"].value = False
    z = np.array(w.fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z[:28, 29:57], z[:28, :28], atol=1e-5)   # no strength: copies equal
    assert w.fig.layout.width <= 900


def test_explorer_on_given_images():
    x = images(2)[:, 0]
    w = AugmentationExplorer(x[0], x[1], labels=(3, 8), rotation=0, shift=0, scale=0, noise=0,
                             cutout=0, lam=0.5)
    z = np.array(w.fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z[:28, :28], x[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(z[:28, 29:57], (0.5 * x[0] + 0.5 * x[1]).numpy(), atol=1e-5)
    assert "“3” + 0.50 × “8”" in w.status.value
    alone = AugmentationExplorer(x[0])
    assert alone.controls["lam"].disabled and "keeps the label" in alone.status.value
