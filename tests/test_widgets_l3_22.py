"""L3.22's explorer: PromptSearchExplorer. For prompts typed into the text box (English, Chinese, a
held-out phrasing, text outside the vocabulary), the images shown and their order against the
cosine similarities of the embeddings computed here; the per-digit bars against the mean
similarities; a model passed in is the one used; the default model finds the digit a prompt names
(the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse import multimodal as mm
from dlcourse.widgets.prompt_search import TOP, PromptSearchExplorer, default_model, mosaic, search


def unit(x):
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def expected_order(embed_text, image_embeddings, prompt):
    sims = unit(image_embeddings) @ unit(np.asarray(embed_text([prompt]), dtype=np.float64)[0])
    return sims, np.argsort(-sims, kind="stable")


@pytest.mark.parametrize("prompt", ["a handwritten seven", "手写的数字三", "一个粗的一", "my favourite digit is two",
                                    "a cat!", ""])
def test_ranking_is_the_embedding_similarity_order(prompt):
    explorer = PromptSearchExplorer()
    explorer.controls["prompt"].value = prompt
    embed_text, image_embeddings, images, labels, _ = default_model()
    sims, order = expected_order(embed_text, image_embeddings, prompt)
    state = explorer.state()
    np.testing.assert_array_equal(state["order"], order)
    np.testing.assert_allclose(state["sims"], sims, atol=1e-9)
    assert (np.diff(sims[state["order"]]) <= 0).all()                       # best first
    np.testing.assert_allclose(np.asarray(explorer.fig.data[0].z, dtype=float), mosaic(images[order[:TOP]]))
    means = [sims[labels == d].mean() for d in range(10)]
    np.testing.assert_allclose(np.asarray(explorer.fig.data[1].y, dtype=float), means, atol=1e-9)
    assert " ".join(str(d) for d in labels[order[:TOP]]) in explorer.status.value
    assert f"closest to the {int(np.argmax(means))}s" in explorer.fig.layout.title.text
    explorer.controls["start"].value = 101                                     # further down the ranking
    np.testing.assert_allclose(np.asarray(explorer.fig.data[0].z, dtype=float), mosaic(images[order[100:100 + TOP]]))
    assert f"ranks 101–{100 + TOP}" in explorer.fig.layout.title.text


def test_a_model_passed_in_is_the_one_used():
    rng = np.random.default_rng(0)
    vocab = mm.caption_vocab()
    table = rng.normal(size=(len(vocab), 5))

    def embed_text(texts):                                   # a bag of random character vectors
        return torch.tensor(np.stack([table[mm.encode([t], vocab)[0].numpy()].sum(0) for t in texts]))

    image_embeddings = rng.normal(size=(40, 5))
    images = rng.uniform(size=(40, 28, 28))
    labels = np.arange(40) % 10
    explorer = PromptSearchExplorer(embed_text, image_embeddings, images, labels, prompt="数字 4", top=8)
    for prompt in ("数字 4", "the number nine"):
        explorer.controls["prompt"].value = prompt
        _, order = expected_order(embed_text, image_embeddings, prompt)
        np.testing.assert_array_equal(explorer.state()["order"], order)
        np.testing.assert_allclose(np.asarray(explorer.fig.data[0].z, dtype=float), mosaic(images[order[:8]]))


def test_search_handles_ties_and_missing_digits():
    embeddings = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, 1.0]])
    result = search(np.array([3.0, 0.0]), embeddings, labels=[0, 1, 0, 2])
    np.testing.assert_array_equal(result["order"], [0, 2, 3, 1])          # equal similarity: lower index first
    np.testing.assert_allclose(result["per_digit"][:3], [1.0, 0.0, np.sqrt(0.5)])
    assert np.isnan(result["per_digit"][3:]).all()


def test_default_model_finds_the_named_digit_in_both_languages():
    embed_text, image_embeddings, images, labels, accuracy = default_model()
    assert accuracy > 0.85 and images.shape[1:] == (8, 8) and len(labels) == len(image_embeddings)
    for d in (0, 3, 7):
        for prompt in (mm.fill("a handwritten {word}", d, "en"), mm.fill("手写的数字{word}", d, "zh")):
            _, order = expected_order(embed_text, image_embeddings, prompt)
            assert (labels[order[:TOP]] == d).mean() >= 0.75, prompt
