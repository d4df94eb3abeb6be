"""L3.16: tokenizer explorer. A byte-level BPE tokenizer (GPT-2's recipe) trained once up to the
largest vocabulary; the number-of-merges slider keeps the first k merges, so moving it costs no
training. The text box's text is shown coloured token by token, and the figure shows the
compression (bytes and characters per token on held-out text) against the vocabulary size
256 + k, with the current point marked. English (tiny Shakespeare) or Chinese (the Chinese side
of the Tatoeba pairs).

The functions here are the lesson's efficient trainer and encoder, written once for the widget;
the notebook writes its own and passes the merges in. A token id below 256 is a byte; merge i
(counting from 0) makes token 256 + i. Ties between pairs with the same count go to the pair
whose tokens come first in the numbering Hugging Face `tokenizers` uses (bytes ordered by the
printable character GPT-2 shows them as, `LIBRARY_ORDER`), so the merges are the library's.
"""
from __future__ import annotations

import heapq
import html
import re
from collections import Counter, defaultdict
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from ..text import SAMPLE_SHAKESPEARE
from .base import Explorer, figure

# GPT-2's pre-tokenization split, in Python's `re`: \p{L} (a letter) is [^\W\d_], \p{N} is \d.
SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def pretokenize(text: str) -> list[str]:
    """The chunks BPE works inside: merges never cross from one chunk to the next."""
    return SPLIT.findall(text)


def _printable_bytes() -> list[int]:
    return list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0x100))


def byte_to_unicode() -> dict[int, str]:
    """GPT-2's map from a byte to a printable character: printable bytes stand for themselves,
    the 68 others (space, control bytes, …) become chr(256), chr(257), … in byte order."""
    printable = _printable_bytes()
    others = [b for b in range(256) if b not in printable]
    return {**{b: chr(b) for b in printable}, **{b: chr(256 + i) for i, b in enumerate(others)}}


# The library numbers the 256 bytes by that character's code point: the printable bytes first.
LIBRARY_ORDER = {b: i for i, b in enumerate(sorted(range(256), key=lambda b: byte_to_unicode()[b]))}


def tie_key(pair: tuple[int, int]) -> tuple[int, int]:
    """Among pairs with the same count, the smallest key is merged first (the library's rule)."""
    return tuple(LIBRARY_ORDER.get(i, i) for i in pair)


def _pairs(ids):
    return zip(ids, ids[1:])


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train(text: str, n_merges: int) -> list[tuple[int, int]]:
    """Byte-level BPE on `text`'s chunks: the `n_merges` merges (fewer if no pair is left), in
    order. Pair counts are kept up to date incrementally: a merge visits only the chunks that
    contain its pair and changes only the counts of the pairs next to each occurrence; a heap
    (with stale entries skipped) finds the most frequent pair."""
    chunks = Counter(pretokenize(text))
    words = [list(chunk.encode("utf-8")) for chunk in chunks]
    weights = list(chunks.values())
    counts: Counter = Counter()
    where = defaultdict(set)                      # pair → the chunks that may contain it
    for w, (ids, n) in enumerate(zip(words, weights)):
        for pair in _pairs(ids):
            counts[pair] += n
            where[pair].add(w)
    heap = [(-c, tie_key(p), p) for p, c in counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        neg, _, pair = heapq.heappop(heap)
        if counts.get(pair, 0) != -neg or -neg <= 0:
            continue                              # a stale entry: the pair's count has changed
        a, b = pair
        z = 256 + len(merges)
        merges.append(pair)
        changed = set()
        for w in where.pop(pair):
            ids, n, new, i = words[w], weights[w], [], 0
            while i < len(ids):
                if ids[i] == a and i + 1 < len(ids) and ids[i + 1] == b:
                    if new:                       # the pair on the left: (x, a) becomes (x, z)
                        counts[new[-1], a] -= n
                        counts[new[-1], z] += n
                        where[new[-1], z].add(w)
                        changed.update(((new[-1], a), (new[-1], z)))
                    if i + 2 < len(ids):          # the pair on the right: (b, y) becomes (z, y)
                        counts[b, ids[i + 2]] -= n
                        counts[z, ids[i + 2]] += n
                        where[z, ids[i + 2]].add(w)
                        changed.update(((b, ids[i + 2]), (z, ids[i + 2])))
                    new.append(z)
                    i += 2
                else:
                    new.append(ids[i])
                    i += 1
            words[w] = new
        del counts[pair]
        changed.discard(pair)
        for p in changed:
            if counts[p] > 0:
                heapq.heappush(heap, (-counts[p], tie_key(p), p))
            else:
                del counts[p]
    return merges


def _encode_chunk(chunk: bytes, ranks: dict) -> tuple[list[int], list[tuple[int, int]]]:
    """A chunk's tokens with every merge, and (rank, tokens it saved) for each merge applied,
    in the order applied (which is increasing rank)."""
    ids, applied = list(chunk), []
    while len(ids) > 1:
        pair = min(_pairs(ids), key=lambda p: ranks.get(p, float("inf")))
        rank = ranks.get(pair)
        if rank is None:
            break
        new = _merge(ids, pair, 256 + rank)
        applied.append((rank, len(ids) - len(new)))
        ids = new
    return ids, applied


class Tokenizer:
    """Encode and decode with the first `n` of `merges` (default all); chunks are cached."""

    def __init__(self, merges, n: int | None = None):
        self.merges = list(merges)[:n]
        self.ranks = {pair: r for r, pair in enumerate(self.merges)}
        self.vocab = [bytes([b]) for b in range(256)]
        for a, b in self.merges:
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self._cache: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.vocab)

    def encode_chunk(self, chunk: str) -> list[int]:
        ids = self._cache.get(chunk)
        if ids is None:
            ids = self._cache[chunk] = _encode_chunk(chunk.encode("utf-8"), self.ranks)[0]
        return ids

    def encode(self, text: str) -> list[int]:
        return [i for chunk in pretokenize(text) for i in self.encode_chunk(chunk)]

    def decode(self, ids) -> str:
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")

    def pieces(self, text: str) -> list[bytes]:
        """The bytes of each token of `text`, in order."""
        return [self.vocab[i] for i in self.encode(text)]


def token_counts(text: str, merges) -> np.ndarray:
    """counts[k] = the number of tokens `text` encodes to with the first k merges, for every k
    from 0 to len(merges), from one encoding with all of them: a chunk's merges are applied in
    increasing rank, so stopping at rank k is encoding with the first k merges."""
    ranks = {pair: r for r, pair in enumerate(merges)}
    saved = np.zeros(len(merges) + 1, dtype=np.int64)
    total = 0
    for chunk, n in Counter(pretokenize(text)).items():
        data = chunk.encode("utf-8")
        total += n * len(data)
        for rank, fewer in _encode_chunk(data, ranks)[1]:
            saved[rank + 1] += n * fewer
    return total - np.cumsum(saved)


SAMPLES = {
    "English": "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer",
    "Chinese": "我们明天去北京看朋友。他说这本书很有意思，但是我还没有读完。",
}

DEMO_ENGLISH = SAMPLE_SHAKESPEARE

DEMO_CHINESE = """\
我们明天去北京。
他是我的朋友。
我不知道他在哪里。
你今天晚上有时间吗？
这本书很有意思。
我想去中国学习中文。
他们在学校里学习。
我的朋友明天来看我。
你喜欢什么颜色？
我们一起去吃饭吧。
这是我第一次来北京。
他每天早上六点起床。
"""

PALETTE = ["#fde2e4", "#dbeafe", "#dcfce7", "#fef3c7", "#ede9fe", "#cffafe", "#fce7f3", "#e5e7eb"]


@lru_cache(maxsize=2)
def demo_corpora(n_merges: int = 300) -> dict:
    """Small built-in corpora (train = held-out: a demo, not a measurement), trained once."""
    out = {}
    for name, text in (("English", DEMO_ENGLISH), ("Chinese", DEMO_CHINESE)):
        out[name] = (train(text, n_merges), text)
    return out


def _shown(piece: bytes) -> str:
    """A token's text for the page: whitespace made visible, a partial UTF-8 character as hex."""
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"\\x{b:02x}" for b in piece)
    return text.replace(" ", "␣").replace("\n", "↵\n")


class TokenizerExplorer(Explorer):
    """Text coloured by its byte-level BPE tokens, and compression against vocabulary size.

    `corpora` maps a language to (merges, held-out text): the merges from one training up to the
    largest vocabulary, the text on which compression is measured. Without it, tiny built-in
    corpora (a demo). Controls: `language`, `merges` (k: the first k merges, vocabulary 256 + k)
    and `text`.
    """

    def __init__(self, corpora: dict | None = None, language: str = "English", merges: int | None = None,
                 text: str | None = None):
        self.corpora = dict(corpora) if corpora is not None else demo_corpora()
        if language not in self.corpora:
            raise ValueError(f"language must be one of {list(self.corpora)}, got {language!r}")
        self.curves = {}
        for name, (merge_list, held_out) in self.corpora.items():
            counts = token_counts(held_out, merge_list)
            self.curves[name] = dict(vocab=256 + np.arange(len(counts)), tokens=counts,
                                     bytes=len(held_out.encode("utf-8")), chars=len(held_out))
        largest = len(self.corpora[language][0])
        self.tokens: list[bytes] = []   # the shown text's tokens, as bytes
        self.compression: dict = {}     # the current point: bytes and characters per token
        slider = dict(continuous_update=False, style={"description_width": "110px"},
                      layout=widgets.Layout(width="400px"))
        self.controls = {
            "language": widgets.ToggleButtons(options=list(self.corpora), value=language,
                                              description="Language",
                                              style={"description_width": "70px", "button_width": "90px"}),
            "merges": widgets.IntSlider(value=min(largest, 200 if merges is None else merges), min=0,
                                        max=largest, description="Merges k", **slider),
            "text": widgets.Textarea(value=text if text is not None else SAMPLES.get(language, ""),
                                     description="Text", continuous_update=False,
                                     style={"description_width": "70px"},
                                     layout=widgets.Layout(width="820px", height="60px")),
        }
        self.fig = figure(height=330, margin=dict(l=70, r=30, t=60, b=50),
                          legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
        self.fig.add_scatter(x=[], y=[], mode="lines", name="bytes per token", line_color="#1f77b4",
                             hovertemplate="vocabulary %{x}: %{y:.2f} bytes/token<extra></extra>")
        self.fig.add_scatter(x=[], y=[], mode="lines", name="characters per token",
                             line=dict(color="#ff7f0e", dash="dash"),
                             hovertemplate="vocabulary %{x}: %{y:.2f} characters/token<extra></extra>")
        self.fig.add_scatter(x=[], y=[], mode="markers", name="k merges", showlegend=False,
                             marker=dict(size=11, color="#d62728"),
                             hovertemplate="vocabulary %{x}: %{y:.2f}<extra></extra>")
        self.fig.update_xaxes(title_text="vocabulary size 256 + k")
        self.fig.update_yaxes(title_text="held-out text per token", rangemode="tozero")
        self.tokens_html = widgets.HTML(layout=widgets.Layout(max_width="860px"))
        self._language = language
        super().__init__()

    @property
    def widget(self):   # the coloured text goes between the controls and the figure
        box = super().widget
        if self.tokens_html not in box.children:
            box.children = (box.children[0], self.tokens_html, *box.children[1:])
        return box

    def update(self) -> None:
        v = self.values
        language, k = v["language"], int(v["merges"])
        merge_list, _ = self.corpora[language]
        if language != self._language:   # a new language: its sample text and its slider range
            self._language = language
            with self.quiet():
                self.controls["merges"].max = len(merge_list)    # clamps the value too
                if v["text"] in SAMPLES.values():
                    self.controls["text"].value = SAMPLES.get(language, v["text"])
            v = self.values
        k = min(int(v["merges"]), len(merge_list))
        tokenizer = Tokenizer(merge_list, k)
        self.tokens = tokenizer.pieces(v["text"])
        curve = self.curves[language]
        tokens_k = int(curve["tokens"][k])
        self.compression = dict(vocab=256 + k, tokens=tokens_k, bytes_per_token=curve["bytes"] / tokens_k,
                                chars_per_token=curve["chars"] / tokens_k)
        n_text = max(len(self.tokens), 1)
        with self.fig.batch_update():
            self.fig.data[0].update(x=curve["vocab"], y=curve["bytes"] / curve["tokens"])
            self.fig.data[1].update(x=curve["vocab"], y=curve["chars"] / curve["tokens"])
            self.fig.data[2].update(x=[256 + k, 256 + k], y=[self.compression["bytes_per_token"],
                                                             self.compression["chars_per_token"]])
            self.fig.layout.title.text = (
                f"{language}: {self.compression['bytes_per_token']:.2f} bytes, "
                f"{self.compression['chars_per_token']:.2f} characters per token at vocabulary "
                f"{256 + k}<br><sup>held-out text: {curve['chars']:,} characters, {curve['bytes']:,} "
                f"UTF-8 bytes, {tokens_k:,} tokens</sup>")
        spans = "".join(
            f"<span title='{html.escape(repr(p))}' style='background:{PALETTE[i % len(PALETTE)]};"
            f"border-radius:3px;padding:0 1px;margin:0 1px'>{html.escape(_shown(p))}</span>"
            for i, p in enumerate(self.tokens))
        self.tokens_html.value = (
            f"<div style='font-family:monospace;font-size:14px;line-height:1.9;white-space:pre-wrap'>"
            f"{spans}</div>")
        self.status.value = (
            f"The text above: {len(v['text'])} characters, {len(v['text'].encode('utf-8'))} bytes, "
            f"<b>{len(self.tokens)} tokens</b> with {k} merges "
            f"({len(v['text'].encode('utf-8')) / n_text:.2f} bytes per token). "
            f"A token shown as \\x.. is part of a character's UTF-8 bytes.")


GALLERY = {"TokenizerExplorer": TokenizerExplorer}
