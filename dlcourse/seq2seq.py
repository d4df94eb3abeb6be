"""L3.08's encoder–decoder, for the lesson, its beam-search explorer and L3.09 (which adds attention).

Characters are the tokens. A `Vocab` puts three special tokens in front of a CharVocab's
characters: <pad> (fills short sequences of a batch), <s> (the decoder's first input) and </s>
(the decoder says "done"). `Seq2Seq` is the model of Cho et al. (2014): a GRU reads the source, its
last hidden state is the context c; a second GRU starts from c, sees c again at every step next to
the previous token, and predicts the next token from its state and c. No attention: everything the
decoder knows about the source passes through the one vector c.

Decoding: `greedy` (batched, the most likely token at every step) and `beam_search` (one source, k
hypotheses kept, scores normalised by length^alpha), written over a `step` function so that any
decoder, or a toy table in a test, can be searched. `bleu` and `exact_match` score the results.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from .text import CharVocab

SPECIALS = ("<pad>", "<s>", "</s>")
PAD, BOS, EOS = 0, 1, 2


class Vocab(CharVocab):
    """Characters of `texts`, sorted, after the three specials: id 0 <pad>, 1 <s>, 2 </s>."""

    def __init__(self, texts: Sequence[str]):
        super().__init__("".join(texts))
        self.chars = list(SPECIALS) + self.chars
        self.index = {c: i for i, c in enumerate(self.chars)}

    def decode(self, ids) -> str:
        """The characters up to the first </s>; <pad> and <s> are skipped."""
        out = []
        for i in ids:
            i = int(i)
            if i == EOS:
                break
            if i > EOS:
                out.append(self.chars[i])
        return "".join(out)

    def batch(self, texts: Sequence[str], eos: bool = True) -> torch.Tensor:
        """(B, T) ids, each text followed by </s> (if `eos`) and padded with <pad> to the longest."""
        rows = [self.encode(t).tolist() + ([EOS] if eos else []) for t in texts]
        out = torch.full((len(rows), max(len(r) for r in rows)), PAD, dtype=torch.long)
        for i, r in enumerate(rows):
            out[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        return out


class Seq2Seq(nn.Module):
    """GRU encoder → context c → GRU decoder that sees c at every step (Cho et al. 2014)."""

    def __init__(self, src_vocab: int, tgt_vocab: int, emb: int = 32, hidden: int = 128):
        super().__init__()
        self.src_emb = nn.Embedding(src_vocab, emb, padding_idx=PAD)
        self.encoder = nn.GRU(emb, hidden, batch_first=True)
        self.tgt_emb = nn.Embedding(tgt_vocab, emb, padding_idx=PAD)
        self.decoder = nn.GRU(emb + hidden, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, tgt_vocab)

    def encode(self, src: torch.Tensor) -> torch.Tensor:
        """(B, S) source ids, padded at the end → the context (1, B, H): the encoder's hidden state
        after each source's last real token (packing skips the padding)."""
        lengths = (src != PAD).sum(1).cpu()
        packed = pack_padded_sequence(self.src_emb(src), lengths, batch_first=True, enforce_sorted=False)
        _, context = self.encoder(packed)
        return context

    def decode(self, tokens: torch.Tensor, h: torch.Tensor, context: torch.Tensor):
        """(B, T) decoder inputs, state h (1, B, H), context (1, B, H) → logits (B, T, V), new h."""
        c = context[0][:, None].expand(-1, tokens.shape[1], -1)           # (B, T, H)
        out, h = self.decoder(torch.cat([self.tgt_emb(tokens), c], -1), h)
        return self.out(torch.cat([out, c], -1)), h

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: the decoder reads <s> + the target shifted right. → (B, T, V)."""
        context = self.encode(src)
        return self.decode(shift_right(tgt), context, context)[0]


def shift_right(tgt: torch.Tensor) -> torch.Tensor:
    """(B, T) targets → the decoder's inputs: <s> then the targets but the last."""
    return torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], 1)


def sequence_loss(logits: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the real target tokens (the </s> included, the <pad> not)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=PAD)


def logits_with_ratio(model: Seq2Seq, src: torch.Tensor, tgt: torch.Tensor, ratio: float,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """Training logits (B, T, V) where each next input is the true token with probability `ratio`
    and the model's own argmax otherwise. ratio 1 is teacher forcing (one call for all steps);
    ratio 0 is free running: the decoder trains on its own outputs, as it will be used."""
    context = model.encode(src)
    if ratio >= 1:
        return model.decode(shift_right(tgt), context, context)[0]
    h, token, steps = context, torch.full_like(tgt[:, 0], BOS), []
    for t in range(tgt.shape[1]):
        logits, h = model.decode(token[:, None], h, context)
        steps.append(logits[:, 0])
        truth = torch.rand(len(tgt), generator=generator) < ratio        # a coin per example and step
        token = torch.where(truth, tgt[:, t], logits[:, 0].argmax(-1))
    return torch.stack(steps, 1)


def fit(model: Seq2Seq, src: torch.Tensor, tgt: torch.Tensor, steps: int, *, batch: int = 128,
        lr: float = 3e-3, ratio: float = 1.0, seed: int = 0, every: int = 0,
        evaluate: Callable[[], float] | None = None) -> list[tuple[int, float, float | None]]:
    """Adam on random batches of the padded (N, S) / (N, T) pairs, gradients clipped to norm 1 and
    the learning rate decayed by a cosine. Returns (step, loss, evaluate()) every `every` steps
    (and at the last)."""
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    log = []
    for step in range(1, steps + 1):
        model.train()
        idx = torch.randint(len(src), (batch,), generator=gen)
        s, t = src[idx], tgt[idx]
        s, t = s[:, :int((s != PAD).sum(1).max())], t[:, :int((t != PAD).sum(1).max())]  # trim padding
        loss = sequence_loss(logits_with_ratio(model, s, t, ratio, gen), t)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if (every and step % every == 0) or step == steps:
            log.append((step, loss.item(), evaluate() if evaluate else None))
    return log


@torch.no_grad()
def greedy(model: Seq2Seq, src: torch.Tensor, max_len: int) -> list[list[int]]:
    """The most likely token at every step, for a batch (B, S); each output cut before its </s>."""
    model.eval()
    context = model.encode(src)
    h, token, out = context, torch.full((len(src),), BOS, dtype=torch.long), []
    for _ in range(max_len):
        logits, h = model.decode(token[:, None], h, context)
        token = logits[:, 0].argmax(-1)
        out.append(token)
    rows = torch.stack(out, 1).tolist()
    return [row[:row.index(EOS)] if EOS in row else row for row in rows]


def model_step(model: Seq2Seq, src: torch.Tensor):
    """For one source (S,): the start state and step(tokens (k,), state) → (log-probs (k, V), state)
    that beam_search calls, the k hypotheses as a batch sharing one context."""
    model.eval()
    with torch.no_grad():
        context = model.encode(src[None])                                 # (1, 1, H)

    @torch.no_grad()
    def step(tokens, h):
        c = context.expand(-1, len(tokens), -1)
        logits, h = model.decode(tokens[:, None], h, c)
        return logits[:, 0].log_softmax(-1), h

    return context, step


def beam_search(step: Callable, state, k: int, max_len: int, alpha: float = 1.0,
                trace: list | None = None) -> list[tuple[list[int], float, float]]:
    """Keep the k best partial hypotheses. At each step every live one is extended by every token;
    the best (k − finished) of those k·V candidates by total log-probability survive; those ending
    in </s> are finished. Ends when none is live or after max_len tokens (the live ones then count
    as finished). Returns (tokens without </s>, log-probability, log-probability / length^alpha)
    for the finished hypotheses, best normalised score first; length counts the </s>.

    `state` holds the decoder's state for a batch of 1 along dim 1 (a GRU's (layers, B, H));
    `trace`, if a list, gets per step a list of (tokens, log-prob, parent, finished) for the
    candidates kept, parent being the position in the previous step's list of the hypothesis
    they extend (None at the first step)."""
    live_tokens, live_scores = [[]], torch.zeros(1, dtype=torch.float64)
    inputs, finished, live_at = torch.tensor([BOS]), [], [None]
    for t in range(max_len):
        log_probs, state = step(inputs, state)                            # (live, V)
        total = (live_scores[:, None] + log_probs).flatten()               # live·V candidates
        keep = min(k - len(finished), len(total))
        scores, flat = total.topk(keep)
        parents, tokens = flat // log_probs.shape[1], flat % log_probs.shape[1]
        kept, next_live = [], []
        for score, parent, token in zip(scores.tolist(), parents.tolist(), tokens.tolist()):
            seq = live_tokens[parent] + [token]
            done = token == EOS
            kept.append((seq, score, live_at[parent], done))
            if done:
                finished.append((seq[:-1], score, score / len(seq) ** alpha))
            else:
                next_live.append(len(kept) - 1)
        if trace is not None:
            trace.append(kept)
        if not next_live:
            break
        live_at = next_live
        live_tokens = [kept[i][0] for i in next_live]
        live_scores = torch.tensor([kept[i][1] for i in next_live], dtype=torch.float64)
        index = torch.tensor([parents[i].item() for i in next_live])
        state = state[:, index] if not isinstance(state, tuple) else tuple(s[:, index] for s in state)
        inputs = torch.tensor([kept[i][0][-1] for i in next_live])
    else:
        for seq, score in zip(live_tokens, live_scores.tolist()):           # out of steps
            finished.append((seq, score, score / len(seq) ** alpha))
    return sorted(finished, key=lambda f: -f[2])


def exact_match(predictions: Sequence[str], targets: Sequence[str]) -> float:
    """The fraction of predictions equal to their target, character for character."""
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def ngrams(tokens: Sequence, n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu(references: Sequence[Sequence], candidates: Sequence[Sequence], max_n: int = 4) -> float:
    """Corpus BLEU (Papineni et al. 2002) with one reference per candidate, no smoothing: the
    geometric mean of the modified n-gram precisions (n = 1..max_n, clipped counts summed over the
    corpus) times the brevity penalty min(1, exp(1 − r/c)). 0 when some precision is 0."""
    matches, totals = [0] * max_n, [0] * max_n
    ref_len = cand_len = 0
    for ref, cand in zip(references, candidates):
        ref_len, cand_len = ref_len + len(ref), cand_len + len(cand)
        for n in range(1, max_n + 1):
            c, r = ngrams(cand, n), ngrams(ref, n)
            matches[n - 1] += sum(min(count, r[g]) for g, count in c.items())
            totals[n - 1] += max(len(cand) - n + 1, 0)
    if cand_len == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals)) / max_n
    brevity = min(0.0, 1 - ref_len / cand_len)
    return math.exp(brevity + log_precision)


def date_data(n: int, seed: int = 0):
    """n date pairs from dlcourse.data.dates and the vocabularies of both sides (the source one
    from all ten formats, so that every month and weekday name is in it)."""
    from .data import dates
    sources, targets = dates(n, seed)
    everything, _ = dates(2000, seed=12345)
    return sources, targets, Vocab(everything + sources), Vocab("0123456789-")


def demo_model(steps: int = 200, seed: int = 0):
    """A small date model trained for a couple of hundred steps (seconds on one thread), for the
    explorer's demo: good enough that its beams hold plausible dates, not yet always right."""
    from .runtime import one_thread
    with torch.random.fork_rng(), one_thread():
        torch.manual_seed(seed)
        sources, targets, sv, tv = date_data(4000, seed)
        model = Seq2Seq(len(sv), len(tv), emb=16, hidden=48)
        fit(model, sv.batch(sources), tv.batch(targets), steps, batch=64, lr=1e-2, seed=seed)
    return model.eval(), sv, tv
