"""L3.10's decoder-only GPT, for the lessons that build on it (L3.17 pretrains and fine-tunes it).

The same classes as section 5 of L3.10, where they are written and explained: pre-norm blocks of
causal self-attention (`F.scaled_dot_product_attention(is_causal=True)`) and a GELU MLP, learned
position embeddings, GPT-2's initialization. L3.10 checks that its own classes and these give the
same logits from the same weights, so the two cannot drift apart. Only the learned position
embedding is kept here (L3.10 also compares sinusoidal and none).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class CausalSelfAttention(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.heads = heads

    def forward(self, x):                                                 # (N, T, d)
        N, T, d = x.shape
        q, k, v = self.qkv(x).view(N, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)   # 3 × (N, h, T, d/h)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)      # (N, h, T, d/h)
        return self.proj(y.transpose(1, 2).reshape(N, T, d))


class Block(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(d), CausalSelfAttention(d, heads)
        self.ln2, self.mlp = nn.LayerNorm(d), nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """Token ids (N, T), T ≤ block, to next-token logits (N, T, vocab)."""

    def __init__(self, vocab: int, block: int = 128, d: int = 128, layers: int = 4, heads: int = 4):
        super().__init__()
        self.block = block
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(block, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)
        for m in self.modules():                                          # GPT-2's initialization
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids):
        x = self.tok(ids) + self.pos.weight[:ids.shape[1]]                # (N, T, d)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))                                    # (N, T, vocab)


@torch.no_grad()
def generate(model: GPT, ids, steps: int, *, temperature: float = 1.0, generator=None):
    """Append `steps` sampled tokens to ids (N, T), reading at most the last `block` of them."""
    was_training = model.training
    model.eval()
    for _ in range(steps):
        logits = model(ids[:, -model.block:])[:, -1] / temperature
        ids = torch.cat([ids, torch.multinomial(logits.softmax(-1), 1, generator=generator)], dim=1)
    model.train(was_training)
    return ids
