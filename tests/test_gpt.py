"""dlcourse.gpt, L3.10's GPT kept for later lessons: logits of the right shape, no position sees the
future, the written-out causal softmax gives the same logits, and generate appends what it samples.
(L3.10 itself checks these classes against its own, weight for weight.)"""
from __future__ import annotations

import math

import torch

from dlcourse.gpt import GPT, generate


def test_shapes_and_causality():
    torch.manual_seed(0)
    model = GPT(vocab=20, block=16, d=32, layers=2, heads=4).double()
    ids = torch.randint(20, (3, 16))
    logits = model(ids)
    assert logits.shape == (3, 16, 20)
    changed = ids.clone()
    changed[:, 10:] = (changed[:, 10:] + 1) % 20
    assert torch.equal(model(changed)[:, :10], logits[:, :10])
    assert not torch.allclose(model(changed)[:, 10:], logits[:, 10:])


def test_attention_is_the_masked_softmax():
    torch.manual_seed(1)
    model = GPT(vocab=11, block=8, d=16, layers=1, heads=2).double()
    for p in model.parameters():
        p.data.normal_(0, 0.3)
    attn, x = model.blocks[0].attn, torch.randn(2, 8, 16, dtype=torch.float64)
    q, k, v = attn.qkv(x).view(2, 8, 3, 2, 8).permute(2, 0, 3, 1, 4)
    scores = (q @ k.transpose(-2, -1) / math.sqrt(8)).masked_fill(torch.ones(8, 8).triu(1).bool(), float("-inf"))
    expected = attn.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(2, 8, 16))
    torch.testing.assert_close(attn(x), expected, rtol=0, atol=1e-12)


def test_generate_appends_and_is_seeded():
    torch.manual_seed(2)
    model = GPT(vocab=7, block=4, d=8, layers=1, heads=2)
    start = torch.tensor([[1, 2]])
    a = generate(model, start, 10, generator=torch.Generator().manual_seed(0))
    b = generate(model, start, 10, generator=torch.Generator().manual_seed(0))
    assert a.shape == (1, 12) and torch.equal(a[:, :2], start) and torch.equal(a, b)
    assert model.training                                               # restored
