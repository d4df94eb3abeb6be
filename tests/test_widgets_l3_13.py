"""L3.13's explorer: DiffusionExplorer. At t = 0 the shown digit and cloud are the clean data; at
any t the signal fraction in the title and the state is √ᾱ_t of the schedule, and the shown image
is √ᾱ_t x_0 + √(1 − ᾱ_t) ε with one fixed ε; trajectory frame k shows snapshot k; the default
demo's ideal denoiser lands on its glyphs (the generic sweep over every control is
tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets.diffusion import (COLS, DiffusionExplorer, glyphs, ideal_trajectory, linear_alpha_bar,
                                        mosaic, ring_digit, swiss_roll)


def test_schedule_is_the_linear_ddpm_schedule():
    ab = linear_alpha_bar()
    assert ab[0] == 1.0 and len(ab) == 1001
    betas = np.linspace(1e-4, 0.02, 1000)
    np.testing.assert_allclose(ab[1:], np.cumprod(1 - betas), rtol=1e-12)
    assert np.all(np.diff(ab) < 0) and ab[-1] < 1e-4


def test_t0_shows_the_clean_data():
    explorer = DiffusionExplorer(t=500)
    explorer.controls["t"].value = 0
    np.testing.assert_array_equal(np.asarray(explorer.fig.data[0].z, dtype=float), ring_digit())
    np.testing.assert_allclose(np.asarray(explorer.fig.data[1].x, dtype=float), swiss_roll()[:, 0])
    np.testing.assert_allclose(np.asarray(explorer.fig.data[1].y, dtype=float), swiss_roll()[:, 1])
    assert "t = 0" in explorer.fig.layout.title.text and "1.000·x₀" in explorer.fig.layout.title.text


@pytest.mark.parametrize("t", [1, 100, 400, 1000])
def test_signal_fraction_and_image_follow_the_schedule(t):
    image = np.random.default_rng(1).uniform(-1, 1, (28, 28))
    cloud = np.random.default_rng(2).normal(size=(50, 2))
    ab = linear_alpha_bar()
    explorer = DiffusionExplorer(image=image, cloud=cloud)
    explorer.controls["t"].value = t
    s = explorer.state()
    assert s["signal"] == pytest.approx(np.sqrt(ab[t]), rel=1e-12)
    assert s["noise_std"] == pytest.approx(np.sqrt(1 - ab[t]), rel=1e-12)
    assert f"√ᾱ_t = {np.sqrt(ab[t]):.3f}" in explorer.fig.layout.title.text
    shown = np.asarray(explorer.fig.data[0].z, dtype=float)
    # The same ε at every t: what is left after removing the signal, rescaled, is the same noise.
    eps = (shown - np.sqrt(ab[t]) * image) / np.sqrt(1 - ab[t])
    np.testing.assert_allclose(eps, explorer.image_noise, atol=1e-9)
    assert abs(eps.mean()) < 0.2 and 0.8 < eps.std() < 1.2
    points = np.stack([explorer.fig.data[1].x, explorer.fig.data[1].y], 1).astype(float)
    np.testing.assert_allclose(points, np.sqrt(ab[t]) * cloud + np.sqrt(1 - ab[t]) * explorer.cloud_noise,
                               atol=1e-9)


def test_digit_fades_into_noise():
    explorer = DiffusionExplorer()
    clean = ring_digit().ravel()
    corr = {}
    for t in (50, 300, 1000):
        explorer.controls["t"].value = t
        corr[t] = np.corrcoef(np.asarray(explorer.fig.data[0].z, dtype=float).ravel(), clean)[0, 1]
    assert corr[50] > 0.9 > corr[300] > corr[1000] and abs(corr[1000]) < 0.05


def test_trajectory_frame_k_is_snapshot_k():
    rng = np.random.default_rng(3)
    snapshots = rng.normal(size=(6, 20, 28, 28))
    steps = [1000, 800, 600, 400, 200, 0]
    explorer = DiffusionExplorer(snapshots=snapshots, steps=steps)
    for k in (0, 3, 5, 2):
        explorer.controls["frame"].value = k
        shown = np.asarray(explorer.fig.data[2].z, dtype=float)
        np.testing.assert_array_equal(shown, mosaic(snapshots[k, :COLS * COLS]))
        np.testing.assert_array_equal(shown[1:29, 1:29], snapshots[k, 0])          # the first tile
        np.testing.assert_array_equal(shown[1 + 29:29 + 29, 1 + 29:29 + 29], snapshots[k, COLS + 1])
        assert f"t = {steps[k]}" in explorer.fig.layout.annotations[2].text
        assert explorer.state()["frame_step"] == steps[k]
    with pytest.raises(ValueError):
        DiffusionExplorer(snapshots=snapshots, steps=steps[:-1])


def test_ideal_denoiser_lands_on_the_glyphs():
    data = glyphs()
    ab = linear_alpha_bar()
    steps = list(np.linspace(1000, 0, 26).round().astype(int))
    run = ideal_trajectory(data, ab, steps, n=12, seed=5)
    assert run.shape == (26, 12, 28, 28)
    assert abs(run[0].mean()) < 0.1 and 0.9 < run[0].std() < 1.1                  # starts as noise
    distance = np.abs(run[-1][:, None] - data[None]).max(axis=(2, 3))
    assert distance.min(axis=1).max() < 1e-6                                        # ends on a glyph
    explorer = DiffusionExplorer()
    last = explorer.snapshots[-1]
    assert np.abs(last[:, None] - data[None]).max(axis=(2, 3)).min(axis=1).max() < 1e-6
