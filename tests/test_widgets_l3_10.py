"""L3.10's explorer: PositionEncodingExplorer. The heatmap against the sinusoidal formula entry by
entry, the similarity curve against Σ cos(kθ), RoPE's score depending on the offset only (and its
rotation against complex multiplication), the learned view showing the given matrix. The
generic sweep over every control is tests/test_widgets.py."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlcourse.widgets.position_encoding import (PositionEncodingExplorer, frequencies, rope_rotate,
                                                sinusoidal)


def formula(length, dim, base):
    pe = np.zeros((length, dim))
    for p in range(length):
        for i in range(dim // 2):
            pe[p, 2 * i] = math.sin(p / base ** (2 * i / dim))
            pe[p, 2 * i + 1] = math.cos(p / base ** (2 * i / dim))
    return pe


@pytest.mark.parametrize("length, dim, base", [(64, 16, 1e4), (40, 32, 100.0), (16, 8, 10.0)])
def test_sinusoidal_heatmap_is_the_formula(length, dim, base):
    e = PositionEncodingExplorer(kind="sinusoidal", dim=dim, base=base, length=length, anchor=5)
    z = np.asarray(e.fig.data[0].z)
    np.testing.assert_allclose(z, formula(length, dim, base), atol=1e-12)
    # similarity with the anchor = (2/d) Σ_i cos(k θ_i), a function of the offset k alone
    k = np.asarray(e.fig.data[1].x)
    expected = np.cos(np.outer(k, frequencies(dim, base))).sum(1) / (dim / 2)
    np.testing.assert_allclose(np.asarray(e.fig.data[1].y), expected, atol=1e-12)
    assert k[0] == -5 and k[-1] == length - 1 - 5


def test_controls_change_what_is_drawn():
    e = PositionEncodingExplorer(kind="sinusoidal", dim=16, length=32, anchor=0)
    e.controls["dim"].value = 24
    assert np.asarray(e.fig.data[0].z).shape == (32, 24)
    e.controls["length"].value = 48
    e.controls["anchor"].value = 10
    assert np.asarray(e.fig.data[0].z).shape == (48, 24)
    assert list(e.fig.data[1].x)[:2] == [-10, -9]
    assert e.fig.data[1].y[10] == pytest.approx(1.0)       # offset 0: the anchor with itself
    e.controls["anchor"].value = 500                         # past the end: the last position
    assert e.state["anchor"] == 47


def test_rope_rotation_matches_complex_multiplication():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 12))
    positions = np.arange(10)
    z = x[:, 0::2] + 1j * x[:, 1::2]
    rotated = z * np.exp(1j * positions[:, None] * frequencies(12, 1e4)[None])
    got = rope_rotate(x, positions)
    np.testing.assert_allclose(got[:, 0::2], rotated.real, atol=1e-12)
    np.testing.assert_allclose(got[:, 1::2], rotated.imag, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), np.linalg.norm(x, axis=1))  # rotations


def test_rope_score_depends_on_the_offset_only():
    e = PositionEncodingExplorer(kind="RoPE", dim=32, length=64, anchor=0)
    from_zero = np.asarray(e.fig.data[1].y)
    for anchor in (7, 30):
        e.controls["anchor"].value = anchor
        y, ref = np.asarray(e.fig.data[1].y), np.asarray(e.fig.data[2].y)
        np.testing.assert_allclose(y, ref, atol=1e-12)           # the dotted curve: same offsets from 0
        # offset k ≥ 0 from this anchor scores as offset k from position 0
        np.testing.assert_allclose(y[anchor:], from_zero[:64 - anchor], atol=1e-12)
    # the heatmap's rows are the same query rotated: all of equal norm, row 0 unrotated
    z = np.asarray(e.fig.data[0].z)
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), np.linalg.norm(z[0]), rtol=1e-12)


def test_learned_view_shows_the_given_embeddings():
    table = np.random.default_rng(1).standard_normal((20, 8))
    e = PositionEncodingExplorer(learned=torch.tensor(table), kind="learned", length=64, anchor=3)
    np.testing.assert_allclose(np.asarray(e.fig.data[0].z), table)
    y = np.asarray(e.fig.data[1].y)
    unit = table / np.linalg.norm(table, axis=1, keepdims=True)
    np.testing.assert_allclose(y, unit @ unit[3], atol=1e-12)
    assert len(e.fig.data[2].x) == 0                              # no formula to compare with
    assert "learned" not in PositionEncodingExplorer().controls["kind"].options


def test_sinusoidal_needs_an_even_dimension():
    with pytest.raises(ValueError, match="even"):
        sinusoidal(4, 5)
