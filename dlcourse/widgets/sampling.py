"""L2.10: sampling explorer. A character-level language model reads a prompt; the figure shows its
distribution over the next character, softmax(logits / T), next to the same distribution at T = 1;
below it, a continuation sampled one character at a time with that temperature (and, when set,
only among the k most likely characters), with how surprising each sampled character is to the
model itself, −ln p at T = 1. Temperature, top-k, prompt, length and the sampling seed
are the controls; the same seed gives the same text.

The model is any module called as `model(ids, h) -> (logits, h)` on a (1, L) batch of ids, with a
`CharVocab` to read and write characters: the lesson passes the char-RNN it trained. Without one,
the explorer trains a tiny RNN on a few lines of Shakespeare (`demo_model`, about a second), enough
to show what temperature does.
"""
from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from ..text import SAMPLE_SHAKESPEARE
from .base import Explorer, figure

SHOWN = 30            # characters in the bar chart: the most likely ones, then "the rest"
VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"}



def visible(char: str) -> str:
    """A character as a bar label or in text: space, newline and tab made visible."""
    return VISIBLE.get(char, char)


def distribution(logits, temperature: float, top_k: int = 0):
    """softmax(logits / T) over the last axis; with top_k > 0, only the k largest logits keep
    any probability (the others get 0 and the rest is renormalized). T must be positive."""
    import torch
    if not temperature > 0:
        raise ValueError(f"the temperature must be positive, got {temperature}")
    logits = torch.as_tensor(logits, dtype=torch.float64) / temperature
    if 0 < top_k < logits.shape[-1]:
        kth = logits.topk(top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return torch.softmax(logits, dim=-1)


def entropy(probs) -> float:
    """−Σ p ln p in nats (terms with p = 0 count 0)."""
    import torch
    p = torch.as_tensor(probs, dtype=torch.float64)
    return float(-(p * p.clamp_min(1e-300).log()).sum())


def known(vocab, prompt: str) -> str:
    """The prompt without the characters the vocabulary lacks; a newline when nothing is left
    (the model then starts as at the beginning of a line)."""
    kept = "".join(c for c in prompt if c in vocab.index)
    return kept or "\n"


def next_logits(model, vocab, prompt: str):
    """The model's logits (V,) for the character after `prompt` and its hidden state."""
    import torch
    with torch.no_grad():
        logits, h = model(vocab.encode(known(vocab, prompt))[None], None)
    return logits[0, -1], h


def continuation(model, vocab, prompt: str, length: int, temperature: float, top_k: int = 0,
                 seed: int = 0) -> tuple[str, list[float]]:
    """`length` characters after `prompt`, each drawn from distribution(logits, T, top_k) with a
    generator seeded by `seed`, one torch.multinomial draw per character; and for each, its
    surprise −ln p under the model's own distribution (T = 1), in nats."""
    import torch
    g = torch.Generator().manual_seed(int(seed))
    logits, h = next_logits(model, vocab, prompt)
    out, nats = [], []
    with torch.no_grad():
        for _ in range(length):
            i = torch.multinomial(distribution(logits, temperature, top_k), 1, generator=g)
            out.append(vocab.chars[int(i)])
            nats.append(-float(torch.log_softmax(logits.double(), -1)[int(i)]))
            step_logits, h = model(i.view(1, 1), h)
            logits = step_logits[0, -1]
    return "".join(out), nats


def sample(model, vocab, prompt: str, length: int, temperature: float, top_k: int = 0,
           seed: int = 0) -> str:
    """The text of `continuation`."""
    return continuation(model, vocab, prompt, length, temperature, top_k, seed)[0]


def tiny_char_rnn(vocab_size: int, hidden: int):
    """One-hot characters → nn.RNN (tanh) → Linear: the lesson's char-RNN at a small size."""
    import torch.nn.functional as F
    from torch import nn

    class TinyCharRNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.RNN(vocab_size, hidden, batch_first=True)
            self.out = nn.Linear(hidden, vocab_size)

        def forward(self, ids, h=None):
            states, h = self.rnn(F.one_hot(ids, vocab_size).float(), h)
            return self.out(states), h

    return TinyCharRNN()


@lru_cache(maxsize=4)
def demo_model(hidden: int = 48, steps: int = 120, seed: int = 0):
    """A tiny char-RNN trained on SAMPLE_SHAKESPEARE (Adam, 16 random windows of 32 a step): (model, vocab)."""
    import torch
    import torch.nn.functional as F

    from ..text import CharVocab, random_windows
    vocab = CharVocab(SAMPLE_SHAKESPEARE)
    ids = vocab.encode(SAMPLE_SHAKESPEARE)
    torch.manual_seed(seed)
    model = tiny_char_rnn(len(vocab), hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(seed)
    with one_thread():
        for _ in range(steps):
            x, y = random_windows(ids, 16, 32, generator=g)
            logits, _ = model(x)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    model.eval()
    return model, vocab


class SamplingExplorer(Explorer):
    """The next-character distribution at temperature T, and a sampled continuation.

    `model` is called as model(ids (1, L), h) -> (logits (1, L, V), h), with `vocab` a
    dlcourse.text.CharVocab; without them, a tiny demo model. Controls: `temperature`, `top_k`
    (0: all characters), `prompt`, `length` (characters to sample) and `seed`.
    """

    def __init__(self, model=None, vocab=None, prompt: str = "ROMEO:", temperature: float = 1.0,
                 top_k: int = 0, length: int = 200, seed: int = 0):
        if (model is None) != (vocab is None):
            raise ValueError("give both a model and its vocabulary, or neither (the demo model)")
        self.model, self.vocab = (model, vocab) if model is not None else demo_model()
        self.logits = None          # the current prompt's next-character logits, as a tensor
        self.probs = None           # distribution(logits, temperature, top_k), as a tensor
        slider = dict(continuous_update=False, style={"description_width": "90px"},
                      layout=widgets.Layout(width="280px"))
        self.controls = {
            "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=-1, max=0.5,
                                                  step=0.05, description="Temperature T",
                                                  readout_format=".2f", **slider),
            "top_k": widgets.IntSlider(value=top_k, min=0, max=len(self.vocab),
                                       description="Top-k (0: all)", **slider),
            "length": widgets.IntSlider(value=length, min=20, max=500, step=10,
                                        description="Length", **slider),
            "seed": widgets.IntSlider(value=seed, min=0, max=99, description="Seed", **slider),
            "prompt": widgets.Text(value=prompt, description="Prompt", continuous_update=False,
                                   style={"description_width": "90px"},
                                   layout=widgets.Layout(width="560px")),
        }
        self.fig = figure(make_subplots(rows=2, cols=1, row_heights=[0.62, 0.38],
                                        vertical_spacing=0.2),
                          height=560, margin=dict(l=60, r=20, t=80, b=50), barmode="overlay",
                          legend=dict(orientation="h", x=1, xanchor="right", y=1.02,
                                      yanchor="bottom"))
        self.fig.add_bar(x=[], y=[], name="T = 1", marker_color="rgba(150,150,150,0.35)",
                         marker_line=dict(color="#777", width=1), row=1, col=1,
                         hovertemplate="%{x}: %{y:.1%} at T = 1<extra></extra>")
        self.fig.add_bar(x=[], y=[], name="this T", marker_color="rgba(31,119,180,0.75)",
                         row=1, col=1, hovertemplate="%{x}: %{y:.1%}<extra></extra>")
        self.fig.add_scatter(x=[], y=[], mode="lines", line=dict(color="#ff7f0e", width=1),
                             name="surprise of each sampled character", row=2, col=1,
                             hovertemplate="character %{x} “%{text}”: %{y:.2f} nats<extra></extra>")
        self.fig.update_yaxes(title_text="probability", tickformat=".0%", rangemode="tozero",
                              row=1, col=1)
        self.fig.update_xaxes(title_text="next character (the most likely first)", type="category",
                              row=1, col=1)
        self.fig.update_yaxes(title_text="−ln p (T = 1)", rangemode="tozero", row=2, col=1)
        self.fig.update_xaxes(title_text="position in the sampled continuation", row=2, col=1)
        super().__init__()

    def update(self) -> None:
        v = self.values
        prompt, T, k = v["prompt"], float(v["temperature"]), int(v["top_k"])
        with one_thread():   # one character at a time: tiny operations gain nothing from threads
            self.logits, _ = next_logits(self.model, self.vocab, prompt)
            text, nats = continuation(self.model, self.vocab, prompt, v["length"], T, k,
                                      v["seed"])
        self.probs = distribution(self.logits, T, k)
        base = distribution(self.logits, 1.0)
        order = self.logits.argsort(descending=True)[:SHOWN]
        labels = [visible(self.vocab.chars[int(i)]) for i in order] + ["rest"]
        shown_p = self.probs[order].tolist() + [float(1 - self.probs[order].sum())]
        shown_base = base[order].tolist() + [float(1 - base[order].sum())]
        h, h_uniform = entropy(self.probs), float(np.log(len(self.vocab)))
        with self.fig.batch_update():
            self.fig.data[0].update(x=labels, y=shown_base)
            self.fig.data[1].update(x=labels, y=shown_p, name=f"T = {T:.2f}")
            self.fig.data[2].update(x=list(range(1, len(nats) + 1)), y=nats,
                                    text=[visible(c) for c in text])
            self.fig.layout.title.text = (
                f"Next character after “{html.escape(_tail(known(self.vocab, prompt)))}”, "
                f"T = {T:.2f}{f', top-{k}' if 0 < k < len(self.vocab) else ''}<br><sup>entropy "
                f"{h:.2f} nats (T = 1: {entropy(base):.2f}; uniform over {len(self.vocab)} "
                f"characters: {h_uniform:.2f}) · most likely: "
                f"{html.escape(labels[0])} {shown_p[0]:.0%} · the sample's mean surprise: "
                f"{sum(nats) / len(nats):.2f} nats/char</sup>")
        dropped = sorted(set(prompt) - set(self.vocab.index))
        note = (f"<br><i>Not in the vocabulary, left out of the prompt: "
                f"{html.escape(''.join(dropped))}</i>" if dropped else "")
        self.status.value = (
            f"<b>Sampled continuation</b> (seed {v['seed']}, {v['length']} characters):"
            f"<pre style='white-space: pre-wrap; font-size: 13px; line-height: 1.35; margin: 4px 0'>"
            f"<span style='color:#888'>{html.escape(known(self.vocab, prompt))}</span>"
            f"{html.escape(text)}</pre>{note}")


def _tail(text: str, n: int = 24) -> str:
    shown = "".join(visible(c) for c in text)
    return shown if len(shown) <= n else "…" + shown[-n:]


GALLERY = {"SamplingExplorer": SamplingExplorer}
