"""L2.10's explorer: SamplingExplorer. Its compute functions against softmax(logits / T) and a
greedy decoding loop written here, and what each control is meant to do (the generic sweep over
every control is tests/test_widgets.py)."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from dlcourse.widgets.sampling import (SHOWN, SamplingExplorer, continuation, demo_model, distribution,
                                       entropy, known, sample, visible)


def test_distribution_is_softmax_of_logits_over_temperature():
    logits = torch.randn(4, 65, generator=torch.Generator().manual_seed(0)) * 3
    for T in (0.1, 0.5, 1.0, 2.0, 10.0):
        np.testing.assert_allclose(distribution(logits, T), torch.softmax(logits.double() / T, -1),
                                   rtol=1e-12, atol=1e-15)
    row = logits[0]
    entropies = [entropy(distribution(row, T)) for T in (0.1, 0.3, 1.0, 3.0, 100.0)]
    assert entropies == sorted(entropies)                        # sharper as T falls
    assert entropies[-1] == pytest.approx(math.log(65), abs=0.01)  # uniform-ward as T rises
    assert distribution(row, 0.01).argmax() == row.argmax()
    assert distribution(row, 0.01).max() > 0.99                  # T → 0: the argmax


def test_top_k_keeps_the_k_most_likely_renormalized():
    logits = torch.tensor([2.0, -1.0, 0.5, 3.0, 0.0])
    p = distribution(logits, 1.0, top_k=2)
    assert (p > 0).sum() == 2 and p[3] > p[0] > 0
    np.testing.assert_allclose(p[[3, 0]], torch.softmax(logits[[3, 0]].double(), 0))
    np.testing.assert_allclose(distribution(logits, 1.0, top_k=5), distribution(logits, 1.0))
    with pytest.raises(ValueError, match="positive"):
        distribution(logits, 0.0)


def test_sampling_is_seeded_and_follows_the_model():
    model, vocab = demo_model()
    a = sample(model, vocab, "ROMEO:", 80, 1.0, seed=3)
    assert len(a) == 80 and set(a) <= set(vocab.chars)
    assert a == sample(model, vocab, "ROMEO:", 80, 1.0, seed=3)
    assert a != sample(model, vocab, "ROMEO:", 80, 1.0, seed=4)
    # at a tiny temperature, sampling is greedy decoding, written out here independently
    ids, out = vocab.encode("ROMEO:"), []
    with torch.no_grad():
        logits, h = model(ids[None], None)
        for _ in range(40):
            i = int(logits[0, -1].argmax())
            out.append(vocab.chars[i])
            logits, h = model(torch.tensor([[i]]), h)
    assert sample(model, vocab, "ROMEO:", 40, 1e-3, seed=0) == "".join(out)


def test_the_demo_model_learned_its_text():
    model, vocab = demo_model()
    with torch.no_grad():
        logits, _ = model(vocab.encode("ROMEO:")[None], None)
    assert vocab.chars[int(logits[0, -1].argmax())] == "\n"     # a speaker's name ends its line


def test_explorer_shows_softmax_over_temperature():
    demo_model.cache_clear()
    start = time.perf_counter()
    w = SamplingExplorer()
    assert time.perf_counter() - start < 30     # about 2 s here; generous for a loaded CI machine
    assert list(w.controls) == ["temperature", "top_k", "length", "seed", "prompt"]
    model, vocab = w.model, w.vocab
    with torch.no_grad():
        logits = model(vocab.encode("ROMEO:")[None], None)[0][0, -1]
    order = logits.argsort(descending=True)[:SHOWN]
    labels = [visible(vocab.chars[int(i)]) for i in order] + ["rest"]
    peaks = {}
    for T in (0.2, 1.0, 3.0):
        w.controls["temperature"].value = T
        expected = torch.softmax(logits.double() / T, -1)
        assert list(w.fig.data[1].x) == labels
        np.testing.assert_allclose(w.fig.data[1].y[:-1], expected[order], rtol=1e-6, atol=1e-9)
        assert w.fig.data[1].y[-1] == pytest.approx(1 - float(expected[order].sum()), abs=1e-9)
        np.testing.assert_allclose(w.fig.data[0].y[:-1], torch.softmax(logits.double(), -1)[order],
                                   rtol=1e-6, atol=1e-9)                   # the T = 1 reference
        assert f"T = {T:.2f}" in w.fig.layout.title.text
        peaks[T] = max(w.fig.data[1].y)
    assert peaks[0.2] > peaks[1.0] > peaks[3.0]
    assert w.fig.layout.width <= 900


def test_explorer_controls_change_the_text():
    w = SamplingExplorer(length=100, temperature=1.0)
    first = w.status.value
    assert "Sampled continuation" in first and "ROMEO:" in first
    w.controls["seed"].value = 1
    assert w.status.value != first
    w.controls["seed"].value = 0
    assert w.status.value == first                       # the same seed, the same text
    w.controls["top_k"].value = 3
    assert sum(y > 0 for y in w.fig.data[1].y[:-1]) == 3 and "top-3" in w.fig.layout.title.text
    w.controls["top_k"].value = 0
    w.controls["length"].value = 300
    assert "300 characters" in w.status.value
    w.controls["prompt"].value = "Zebra 9"                # Z and 9 are not in the demo's text
    assert known(w.vocab, "Zebra 9") == "ebra "
    assert "left out of the prompt" in w.status.value
    w.controls["prompt"].value = ""                      # nothing left: start as at a line's start
    assert sum(w.fig.data[1].y) == pytest.approx(1.0)


def test_explorer_takes_a_model_and_its_vocabulary():
    model, vocab = demo_model()
    w = SamplingExplorer(model, vocab, prompt="All:", temperature=0.5, top_k=5, seed=2)
    assert w.model is model and "top-5" in w.fig.layout.title.text
    with pytest.raises(ValueError, match="both"):
        SamplingExplorer(model)


def test_surprise_is_minus_log_p_of_each_sampled_character():
    model, vocab = demo_model()
    text, nats = continuation(model, vocab, "All:", 60, 1.3, seed=5)
    with torch.no_grad():                      # the whole text read at once, not step by step
        logits, _ = model(vocab.encode("All:" + text)[None], None)
    log_p = torch.log_softmax(logits[0, 3:-1].double(), -1)        # predictions of the sampled ones
    np.testing.assert_allclose(nats, -log_p[torch.arange(60), vocab.encode(text)], rtol=1e-5, atol=1e-6)
    w = SamplingExplorer(length=200, temperature=0.2)
    low = np.mean(w.fig.data[2].y)
    w.controls["temperature"].value = 2.0
    assert np.mean(w.fig.data[2].y) > low + 0.5             # hot samples surprise the model more
    assert len(w.fig.data[2].x) == 200 and "mean surprise" in w.fig.layout.title.text
