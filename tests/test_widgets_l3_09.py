"""L3.09's explorers: QueryKeyExplorer's scores, weights and output against softmax(q·Kᵀ/(√d·T))
written independently, and AttentionHeatmap's heatmap against the model's own attention weights
(the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlcourse.attention import TARGET_LENGTH, demo_model, translate
from dlcourse.widgets.attention_heatmap import AttentionHeatmap, examples
from dlcourse.widgets.query_key import KEY_SETS, QueryKeyExplorer, lookup


def reference(query, keys, values, temperature):
    q, K, V = (torch.tensor(a, dtype=torch.float64) for a in (query, keys, values))
    scores = K @ q / (math.sqrt(K.shape[1]) * temperature)
    weights = torch.softmax(scores, dim=0)
    return scores.numpy(), weights.numpy(), (weights @ V).numpy()


@pytest.mark.parametrize("keys", list(KEY_SETS))
@pytest.mark.parametrize("qx, qy, temperature", [(1.0, 0.5, 1.0), (-2.0, 2.5, 0.1), (0.3, -3.0, 10.0)])
def test_explorer_shows_softmax_of_scaled_scores(keys, qx, qy, temperature):
    ex = QueryKeyExplorer()
    ex.controls["keys"].value = keys
    ex.controls["qx"].value = qx
    ex.controls["qy"].value = qy
    ex.controls["temperature"].value = temperature
    K, V = KEY_SETS[keys]
    scores, weights, output = reference([qx, qy], K, V, ex.controls["temperature"].value)
    n = len(K)
    np.testing.assert_allclose(np.asarray(ex.fig.data[n + 3].y, dtype=float), scores, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ex.fig.data[n + 4].y, dtype=float), weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose([ex.fig.data[n + 2].x[0], ex.fig.data[n + 2].y[0]], output, rtol=1e-12, atol=1e-12)
    assert np.asarray(ex.fig.data[n + 4].y, dtype=float).sum() == pytest.approx(1.0)
    assert [ex.fig.data[n + 1].x[1], ex.fig.data[n + 1].y[1]] == [qx, qy]      # the query is drawn there
    for j, (kx, ky) in enumerate(K):
        assert list(ex.fig.data[j].x) == [0, kx] and list(ex.fig.data[j].y) == [0, ky]


def test_temperature_moves_between_hard_lookup_and_average():
    K, V = KEY_SETS["four directions"]
    _, cold, out_cold = lookup([2.0, 0.2], K, V, 0.1)
    _, hot, out_hot = lookup([2.0, 0.2], K, V, 10.0)
    assert cold.max() > 0.99 and np.allclose(out_cold, V[0], atol=0.05)       # nearly key 1's value
    assert hot.max() - hot.min() < 0.2 and np.allclose(out_hot, V.mean(0), atol=0.3)
    with pytest.raises(ValueError):
        lookup([1, 0], K, V, 0.0)


def test_a_long_key_wins_off_its_direction():
    """Dot products reward length: with 'one long key', a query halfway between keys 1 and 2 in
    angle still gives key 1 (length 3) more weight than key 2 (length 0.94)."""
    K, V = KEY_SETS["one long key"]
    angle = (0 + math.atan2(K[1, 1], K[1, 0])) / 2
    _, weights, _ = lookup([math.cos(angle), math.sin(angle)], K, V)
    assert weights[0] > weights[1]


@pytest.fixture(scope="module")
def model():
    return demo_model()


def test_demo_model_reads_dates(model):
    for text in ["Wednesday, June 3, 1998", "3.6.1998", "1998年6月3日", "12/31/2049"]:
        out, alpha = translate(model, text)
        assert len(out) == TARGET_LENGTH and alpha.shape == (TARGET_LENGTH, len(text))
        assert torch.allclose(alpha.sum(1), torch.ones(TARGET_LENGTH))
    assert translate(model, "Wednesday, June 3, 1998")[0] == "1998-06-03"


def test_heatmap_shows_the_model_s_weights(model):
    ex = AttentionHeatmap(model, text="3 June 1998")
    out, alpha = translate(model, "3 June 1998")
    np.testing.assert_allclose(np.asarray(ex.fig.data[0].z, dtype=float), alpha.numpy(), rtol=1e-6)
    assert list(ex.fig.layout.yaxis.ticktext) == list(out)
    assert list(ex.fig.layout.xaxis.ticktext) == ["3", "␣", "J", "u", "n", "e", "␣", "1", "9", "9", "8"]
    assert out in ex.fig.layout.title.text and out in ex.status.value

    ex.controls["text"].value = "1998年6月3日"
    out, alpha = translate(model, "1998年6月3日")
    np.testing.assert_allclose(np.asarray(ex.fig.data[0].z, dtype=float), alpha.numpy(), rtol=1e-6)
    # the year's digits are written while looking at the year's digits
    assert all(int(np.argmax(np.asarray(ex.fig.data[0].z)[t])) in range(0, 5) for t in range(4))


def test_picking_an_example_types_it(model):
    ex = AttentionHeatmap(model)
    choice = list(examples())[7]
    ex.controls["example"].value = choice
    assert ex.controls["text"].value == choice
    assert np.asarray(ex.fig.data[0].z).shape == (TARGET_LENGTH, len(choice))


def test_unknown_characters_are_explained_not_raised(model):
    ex = AttentionHeatmap(model)
    before = np.asarray(ex.fig.data[0].z).copy()
    ex.controls["text"].value = "3 June 1998 ✓"
    assert "never seen" in ex.status.value and "✓" in ex.status.value
    np.testing.assert_array_equal(np.asarray(ex.fig.data[0].z), before)
    ex.controls["text"].value = "   "
    assert "Type a date" in ex.status.value


def test_fits_900_px(model):
    assert QueryKeyExplorer().fig.layout.width <= 900
    assert AttentionHeatmap(model).fig.layout.width <= 900
