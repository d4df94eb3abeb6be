"""L3.11's explorer: LatentSpaceExplorer. The image it shows against σ(decoder(z)) computed here
for slider values set through the controls, with the shipped decoder and with one passed in; the
manifold's tiles against the decoder at their lattice points; the shipped weights load and decode
distinct, digit-like images (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse.widgets.latent_space import (GRID, SPAN, LatentSpaceExplorer, default_decoder, manifold,
                                           tiny_decoder)


def expected_image(decoder, z1, z2):
    with torch.no_grad():
        return torch.sigmoid(decoder(torch.tensor([[z1, z2]], dtype=torch.float32))).reshape(28, 28).numpy()


@pytest.mark.parametrize("z", [(0.0, 0.0), (1.5, -2.0), (-3.0, 3.0), (0.35, 2.2)])
def test_shown_image_is_the_decoder_at_the_sliders(z):
    explorer = LatentSpaceExplorer()
    explorer.controls["z1"].value, explorer.controls["z2"].value = z
    decoder, _ = default_decoder()
    shown = np.asarray(explorer.fig.data[-1].z, dtype=float)
    np.testing.assert_allclose(shown, expected_image(decoder, *z), atol=1e-6)
    marker = explorer.fig.data[-2]
    assert (marker.x[0], marker.y[0]) == pytest.approx(z)
    assert f"({z[0]:.2f}, {z[1]:.2f})" in explorer.fig.layout.title.text
    np.testing.assert_allclose(explorer.state()["image"], shown, atol=1e-6)


def test_a_decoder_passed_in_is_the_one_used():
    torch.manual_seed(0)
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 784))          # any (N, 2) → (N, 784) logits
    codes = np.random.default_rng(0).normal(size=(50, 2))
    labels = np.arange(50) % 10
    explorer = LatentSpaceExplorer(decoder=decoder, codes=codes, labels=labels, z1=-1.0, z2=0.5)
    np.testing.assert_allclose(np.asarray(explorer.fig.data[-1].z, dtype=float),
                               expected_image(decoder, -1.0, 0.5), atol=1e-6)
    explorer.controls["z2"].value = -2.5
    np.testing.assert_allclose(np.asarray(explorer.fig.data[-1].z, dtype=float),
                               expected_image(decoder, -1.0, -2.5), atol=1e-6)
    scatter = [t for t in explorer.fig.data if t.type == "scatter" and t.name not in ("z",)]
    assert sorted(t.name for t in scatter) == [str(d) for d in range(10)]
    assert sum(len(t.x) for t in scatter) == int((np.abs(codes) <= SPAN).all(axis=1).sum())


def test_manifold_tiles_are_the_decoder_on_the_lattice():
    decoder, _ = default_decoder()
    mosaic, ticks = manifold(decoder)
    assert mosaic.shape == (GRID * 28, GRID * 28)
    np.testing.assert_allclose(ticks, np.linspace(-SPAN, SPAN, GRID))
    for row, col in [(0, 0), (0, GRID - 1), (GRID - 1, 0), (7, 3)]:
        z1, z2 = ticks[col], ticks[::-1][row]                  # top rows: large z2
        tile = mosaic[row * 28:(row + 1) * 28, col * 28:(col + 1) * 28]
        np.testing.assert_allclose(tile, expected_image(decoder, z1, z2), atol=1e-6)
    explorer = LatentSpaceExplorer()
    np.testing.assert_allclose(np.asarray(explorer.fig.data[0].z, dtype=float), mosaic, atol=1e-6)


def test_shipped_decoder_draws_distinct_digit_like_images():
    decoder, about = default_decoder()
    assert isinstance(decoder[0], torch.nn.Linear) and decoder[0].in_features == 2
    assert "negative ELBO" in about
    same_shape = tiny_decoder(decoder[0].out_features)
    same_shape.load_state_dict(decoder.state_dict())
    images = np.stack([expected_image(decoder, a, b) for a in (-1.5, 0.0, 1.5) for b in (-1.5, 0.0, 1.5)])
    ink = images.mean(axis=(1, 2))
    assert ((ink > 0.05) & (ink < 0.35)).all()                 # strokes on a dark page, like MNIST
    border = np.concatenate([images[:, :2, :].ravel(), images[:, -2:, :].ravel(),
                             images[:, :, :2].ravel(), images[:, :, -2:].ravel()])
    assert border.max() < 0.2 and border.mean() < 0.01               # empty borders, as MNIST's
    differences = [np.abs(images[i] - images[j]).mean() for i in range(9) for j in range(i + 1, 9)]
    assert min(differences) > 0.01                              # the code changes the image
