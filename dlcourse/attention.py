"""L3.09: a character-level sequence-to-sequence model for the date task (`dlcourse.data.dates`),
with or without additive (Bahdanau) attention, and what it takes to train and read it.

The encoder is a bidirectional GRU over the written date; its outputs, one 2H-vector per source
character, are the keys and values. The decoder is a GRU cell that writes the ten characters of
the ISO date one at a time. With attention, each step scores every source position against the
decoder's state (additive scores, padding masked), takes the softmax-weighted sum of the encoder
outputs as its context and feeds it, with the previous character, to the cell. Without attention,
the context is the same vector at every step: the encoder's final states (the L3.08 bottleneck).

The lesson builds additive attention itself and checks it against `AdditiveAttention` here; the
heatmap explorer (`dlcourse.widgets.attention_heatmap`) reads `translate`'s weights.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np

import torch
import torch.nn.functional as F
from torch import nn

from .data.synthetic import DATE_FORMATS, dates
from .text import CharVocab

PAD = "\x00"          # source padding, never in a date
START = "^"           # the decoder's first input
TARGET_CHARS = "0123456789-"
TARGET_LENGTH = 10    # YYYY-MM-DD


def _all_source_characters() -> str:
    """Every character any of the ten formats can write: each day of a leap year in every format
    (all months, weekdays, digits) plus the two-digit years."""
    days = [dt.date(2000, 1, 1) + dt.timedelta(k) for k in range(366)]
    return "".join(fmt(d) for d in days for fmt in DATE_FORMATS) + "0123456789"


SOURCE_VOCAB = CharVocab(PAD + _all_source_characters())
TARGET_VOCAB = CharVocab(START + TARGET_CHARS)


def encode_sources(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, S) ids, right-padded with PAD, and the (N,) lengths."""
    lengths = torch.tensor([len(t) for t in texts])
    ids = torch.full((len(texts), int(lengths.max())), SOURCE_VOCAB.index[PAD], dtype=torch.long)
    for i, t in enumerate(texts):
        ids[i, :len(t)] = SOURCE_VOCAB.encode(t)
    return ids, lengths


def encode_targets(texts: list[str]) -> torch.Tensor:
    """(N, 10) ids of the ISO dates."""
    return torch.stack([TARGET_VOCAB.encode(t) for t in texts])


class AdditiveAttention(nn.Module):
    """Bahdanau's scores  e_j = wᵀ tanh(W_q s + W_k h_j),  masked softmax over j, context Σ α_j h_j.
    query (N, Q), keys = values (N, S, K), mask (N, S) True where a key may be attended to."""

    def __init__(self, query_dim: int, key_dim: int, hidden: int):
        super().__init__()
        self.W_q = nn.Linear(query_dim, hidden, bias=False)
        self.W_k = nn.Linear(key_dim, hidden, bias=False)
        self.w = nn.Linear(hidden, 1, bias=False)

    def forward(self, query, keys, mask=None, projected_keys=None):
        projected_keys = self.W_k(keys) if projected_keys is None else projected_keys  # (N, S, A)
        scores = self.w(torch.tanh(self.W_q(query)[:, None] + projected_keys))[..., 0]   # (N, S)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)                                           # (N, S)
        return (weights[:, :, None] * keys).sum(1), weights                               # (N, K), (N, S)


class DateSeq2Seq(nn.Module):
    """Bidirectional GRU encoder, GRU-cell decoder; `attention=False` gives the fixed-context baseline."""

    def __init__(self, attention: bool = True, embed: int = 32, hidden: int = 64, attn_hidden: int = 64):
        super().__init__()
        self.attention = attention
        self.src_embed = nn.Embedding(len(SOURCE_VOCAB), embed, padding_idx=SOURCE_VOCAB.index[PAD])
        self.encoder = nn.GRU(embed, hidden, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * hidden, 2 * hidden)              # final states → decoder's s_0
        self.tgt_embed = nn.Embedding(len(TARGET_VOCAB), embed)
        self.cell = nn.GRUCell(embed + 2 * hidden, 2 * hidden)
        self.attn = AdditiveAttention(2 * hidden, 2 * hidden, attn_hidden) if attention else None
        self.out = nn.Linear(4 * hidden, len(TARGET_VOCAB))

    def encode(self, src, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.src_embed(src), lengths.cpu(), batch_first=True,
                                                   enforce_sorted=False)
        outputs, final = self.encoder(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])
        final = torch.cat([final[0], final[1]], dim=-1)              # (N, 2H): forward's last, backward's first
        return outputs, final                                        # (N, S, 2H), (N, 2H)

    def forward(self, src, lengths, targets=None):
        """Logits (N, 10, |V|) and attention weights (N, 10, S) (zeros without attention). With
        `targets`, the decoder reads the true previous character (teacher forcing); without, its
        own greedy choice."""
        keys, final = self.encode(src, lengths)
        mask = torch.arange(src.shape[1])[None] < lengths[:, None]   # (N, S) True on real characters
        state = torch.tanh(self.bridge(final))
        projected = self.attn.W_k(keys) if self.attention else None
        previous = torch.full((len(src),), TARGET_VOCAB.index[START], dtype=torch.long)
        logits, weights = [], []
        for t in range(TARGET_LENGTH):
            if self.attention:
                context, alpha = self.attn(state, keys, mask, projected)
            else:
                context, alpha = final, torch.zeros(src.shape)
            state = self.cell(torch.cat([self.tgt_embed(previous), context], -1), state)
            step = self.out(torch.cat([state, context], -1))
            logits.append(step)
            weights.append(alpha)
            previous = targets[:, t] if targets is not None else step.argmax(-1)
        return torch.stack(logits, 1), torch.stack(weights, 1)


def train(model: DateSeq2Seq, sources: list[str], targets: list[str], steps: int, *, batch: int = 64,
          lr: float = 1e-2, seed: int = 0, every: int = 0, evaluate_on=None, callback=None) -> list:
    """Adam with teacher forcing and a cosine-decayed learning rate; every `every` steps (if
    `evaluate_on` = (sources, targets)) records (step, exact match) in the returned list."""
    src, lengths = encode_sources(sources)
    tgt = encode_targets(targets)
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    curve = []
    for step in range(1, steps + 1):
        model.train()
        idx = torch.randint(len(src), (batch,), generator=gen)
        width = int(lengths[idx].max())
        logits, _ = model(src[idx, :width], lengths[idx], tgt[idx])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[idx].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if every and evaluate_on is not None and (step % every == 0 or step == steps):
            curve.append((step, exact_match(model, *evaluate_on)))
            if callback is not None:
                callback(*curve[-1])
    return curve


@torch.no_grad()
def predict(model: DateSeq2Seq, sources: list[str], batch: int = 500) -> tuple[list[str], list[torch.Tensor]]:
    """Greedy outputs, and each source's attention weights (10, len(source))."""
    model.eval()
    outputs, weights = [], []
    for i in range(0, len(sources), batch):
        chunk = sources[i:i + batch]
        src, lengths = encode_sources(chunk)
        logits, alpha = model(src, lengths)
        for row, a, n in zip(logits.argmax(-1), alpha, lengths):
            outputs.append(TARGET_VOCAB.decode(row))
            weights.append(a[:, :n])
    return outputs, weights


def exact_match(model: DateSeq2Seq, sources: list[str], targets: list[str]) -> float:
    """The fraction of sources whose whole ISO date the model gets right."""
    outputs, _ = predict(model, sources)
    return sum(o == t for o, t in zip(outputs, targets)) / len(targets)


def translate(model: DateSeq2Seq, text: str) -> tuple[str, torch.Tensor]:
    """One written date → (the model's ISO date, attention weights (10, len(text)))."""
    outputs, weights = predict(model, [text])
    return outputs[0], weights[0]


DEMO_WEIGHTS = Path(__file__).with_name("widgets") / "date_attention.json"
DEMO_SIZES = dict(embed=16, hidden=16, attn_hidden=16)


def demo_model(path: Path = DEMO_WEIGHTS) -> DateSeq2Seq:
    """The small attention model that ships with the course (widgets/date_attention.json, made by
    `make_demo_weights`): the heatmap explorer's default when no model is passed."""
    with open(path, encoding="utf-8") as f:
        stored = json.load(f)
    model = DateSeq2Seq(attention=True, **stored["sizes"])
    state = {name: torch.from_numpy(np.frombuffer(base64.b64decode(data), dtype=np.float16).copy())
             .reshape(shape).float() for name, (shape, data) in stored["state"].items()}
    model.load_state_dict(state)
    return model.eval()


def make_demo_weights(steps: int = 1500, seed: int = 0, path: Path = DEMO_WEIGHTS) -> float:
    """Train the demo model (a minute or two on one thread), store its weights as float16 in
    `path`, and return the stored model's exact match on 2,000 new dates."""
    torch.manual_seed(seed)
    model = DateSeq2Seq(attention=True, **DEMO_SIZES)
    sources, targets = dates(20_000, seed=seed + 1)
    train(model, sources, targets, steps, batch=64, lr=1e-2, seed=seed)
    state = {name: [list(t.shape), base64.b64encode(t.detach().numpy().astype(np.float16).tobytes()).decode()]
             for name, t in model.state_dict().items()}
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"sizes": DEMO_SIZES, "steps": steps, "seed": seed, "state": state}, f)
    return exact_match(demo_model(path), *dates(2000, seed=seed + 2))
