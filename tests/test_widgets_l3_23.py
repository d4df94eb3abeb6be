"""L3.23's explorer: SpectrogramExplorer. The spectrogram it shows against torch.stft's magnitude
and against a frame-by-frame DFT written here, its axes, the clip classes' signatures, and what each
control does (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import math

import numpy as np
import torch

from dlcourse.widgets.spectrogram import (CLASSES, SAMPLE_RATE, SpectrogramExplorer, log_spectrogram,
                                          make_clips, synth_clip)


def frame_dft(x, n_fft):
    """Reflect-pad by n_fft/2, cut frames at hop n_fft/2, Hann-window, numpy's rfft: |X| per frame."""
    hop = n_fft // 2
    padded = np.pad(x.numpy().astype(np.float64), n_fft // 2, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)     # periodic Hann
    frames = [padded[i:i + n_fft] * window for i in range(0, len(padded) - n_fft + 1, hop)]
    return np.abs(np.fft.rfft(np.stack(frames), axis=1)).T


def test_the_figure_shows_torch_stft_s_magnitude():
    ex = SpectrogramExplorer(kind=1, clip=3, n_fft=256)
    clip = synth_clip(1, torch.Generator().manual_seed(1003))
    np.testing.assert_allclose(np.asarray(ex.fig.data[0].y), clip.numpy())
    expected = torch.log1p(torch.stft(clip, 256, 128, window=torch.hann_window(256),
                                      return_complex=True).abs())
    shown = np.asarray(ex.fig.data[1].z)
    assert shown.shape == (129, 63)
    np.testing.assert_allclose(shown, expected.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.expm1(shown), frame_dft(clip, 256), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(np.asarray(ex.fig.data[1].y)[[0, -1]], [0, SAMPLE_RATE / 2])
    np.testing.assert_allclose(np.asarray(ex.fig.data[1].x)[1], 128 / SAMPLE_RATE)


def test_window_size_trades_time_for_frequency():
    ex = SpectrogramExplorer(kind=0, clip=0, n_fft=64)
    assert np.asarray(ex.fig.data[1].z).shape == (33, 8000 // 32 + 1)
    ex.controls["n_fft"].value = 1024
    z = np.asarray(ex.fig.data[1].z)
    assert z.shape == (513, 8000 // 512 + 1)
    assert "1024 samples (128 ms)" in ex.fig.layout.title.text


def test_classes_look_like_their_names():
    """The loudest bin follows the pitch: constant for a tone, rising or falling for the chirps;
    the noise bursts are broadband."""
    for kind, sign in [(0, 0), (1, 1), (2, -1)]:
        ex = SpectrogramExplorer(kind=kind, clip=5, n_fft=256)
        peak = np.asarray(ex.fig.data[1].z)[:, 4:-4].argmax(0)           # skip the padded edges
        slope = np.polyfit(np.arange(len(peak)), peak, 1)[0]
        if sign == 0:
            assert abs(slope) < 0.05 and np.ptp(peak) <= 2
        else:
            assert sign * slope > 0.5
    ex = SpectrogramExplorer(kind=3, clip=5, n_fft=256)
    z = np.asarray(ex.fig.data[1].z)
    loud = z[:, z.mean(0) > np.median(z.mean(0))]
    assert loud.std(0).mean() < 0.5 * loud.mean()                          # flat across frequency


def test_controls_change_the_clip():
    ex = SpectrogramExplorer(kind=1, clip=0)
    before = np.asarray(ex.fig.data[0].y).copy()
    ex.controls["clip"].value = 7
    assert not np.allclose(before, np.asarray(ex.fig.data[0].y))
    ex.controls["kind"].value = 3
    assert CLASSES[3] in ex.fig.layout.title.text


def test_make_clips_is_balanced_and_reproducible():
    X, y = make_clips(8, seed=4)
    assert X.shape == (8, SAMPLE_RATE) and X.dtype == torch.float32
    assert y.tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
    assert torch.equal(make_clips(8, seed=4)[0], X)
    assert log_spectrogram(X, 128).shape == (8, 65, 8000 // 64 + 1)
    assert math.isfinite(float(X.abs().max()))


def test_fits_900_px():
    assert SpectrogramExplorer().fig.layout.width <= 900
