"""L3.16's explorer: TokenizerExplorer, and the byte-level BPE it runs on. The efficient trainer
against a plain recount-everything trainer written here and against Hugging Face tokenizers; the
shown tokens and compression numbers against encoding with the first k merges applied in order
(the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from dlcourse.widgets.tokenizer import (DEMO_CHINESE, DEMO_ENGLISH, SAMPLES, Tokenizer, TokenizerExplorer,
                                        byte_to_unicode, pretokenize, tie_key, token_counts, train)

TEXT = DEMO_ENGLISH * 3 + "naïve café, 1,000 crowns! 北京 🙂\n" + DEMO_CHINESE


def merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def plain_train(text, n_merges):
    """Recount every pair of every chunk after each merge; ties by tie_key."""
    chunks = Counter(pretokenize(text))
    words = {c: list(c.encode()) for c in chunks}
    merges = []
    for j in range(n_merges):
        counts = Counter()
        for c, n in chunks.items():
            for pair in zip(words[c], words[c][1:]):
                counts[pair] += n
        if not counts:
            break
        pair = min(counts, key=lambda p: (-counts[p], tie_key(p)))
        words = {c: merge(ids, pair, 256 + j) for c, ids in words.items()}
        merges.append(pair)
    return merges


def encode_in_order(text, merges):
    """Each chunk's bytes with the merges applied one after another, in learned order."""
    out = []
    for chunk in pretokenize(text):
        ids = list(chunk.encode())
        for j, pair in enumerate(merges):
            ids = merge(ids, pair, 256 + j)
        out += ids
    return out


def test_pretokenize_covers_the_text():
    for text in (TEXT, "", "  a  b\n\n c's 12ab_c"):
        assert "".join(pretokenize(text)) == text
    assert pretokenize("We know't, 1,000!") == ["We", " know", "'t", ",", " 1", ",", "000", "!"]


def test_incremental_training_equals_recounting():
    assert train(TEXT, 150) == plain_train(TEXT, 150)
    assert train("aaaaaa aaaa", 10) == plain_train("aaaaaa aaaa", 10)   # overlapping runs


def test_training_equals_the_library():
    pytest.importorskip("tokenizers")
    from tokenizers import Tokenizer as HF, models, pre_tokenizers, trainers
    n = 200
    hf = HF(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    hf.train_from_iterator([TEXT], trainers.BpeTrainer(
        vocab_size=256 + n, special_tokens=[], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    back = {c: b for b, c in byte_to_unicode().items()}
    theirs = [tuple(bytes(back[c] for c in part) for part in pair)
              for pair in json.loads(hf.to_str())["model"]["merges"]]
    vocab = Tokenizer(train(TEXT, n)).vocab
    ours = [(vocab[a], vocab[b]) for a, b in train(TEXT, n)]
    assert ours == theirs


def test_encoding_round_trip_and_token_counts():
    merges = train(TEXT, 120)
    for k in (0, 1, 7, 60, 120):
        tok = Tokenizer(merges, k)
        assert tok.encode(TEXT) == encode_in_order(TEXT, merges[:k])
        assert tok.decode(tok.encode(TEXT)) == TEXT
        assert len(tok) == 256 + k
    counts = token_counts(TEXT, merges)
    assert counts[0] == len(TEXT.encode())
    assert all(counts[k] == len(encode_in_order(TEXT, merges[:k])) for k in (0, 1, 5, 33, 120))
    assert all(a >= b for a, b in zip(counts, counts[1:]))


def test_explorer_shows_the_tokens_of_the_first_k_merges():
    w = TokenizerExplorer()
    assert list(w.controls) == ["language", "merges", "text"]
    merges, held_out = w.corpora["English"]
    w.controls["text"].value = "Before we proceed any further, hear me speak. Zebra!"
    assert w.controls["merges"].max == len(merges)
    for k in (0, 5, 40, len(merges)):
        w.controls["merges"].value = k
        vocab = Tokenizer(merges).vocab
        expected = [vocab[i] for i in encode_in_order(w.controls["text"].value, merges[:k])]
        assert w.tokens == expected
        n = len(encode_in_order(held_out, merges[:k]))
        assert w.compression["tokens"] == n
        assert w.compression["bytes_per_token"] == pytest.approx(len(held_out.encode()) / n)
        assert w.compression["chars_per_token"] == pytest.approx(len(held_out) / n)
        assert list(w.fig.data[2].x) == [256 + k, 256 + k]
        assert w.fig.data[2].y[0] == pytest.approx(len(held_out.encode()) / n)
        assert f"{len(w.tokens)} tokens" in w.status.value
    assert w.fig.layout.width <= 900
    assert len(w.fig.data[0].x) == len(merges) + 1


def test_explorer_language_toggle_and_chinese_bytes():
    w = TokenizerExplorer(merges=0)
    w.controls["language"].value = "Chinese"
    assert w.controls["text"].value == SAMPLES["Chinese"]       # the sample follows the language
    text = w.controls["text"].value
    assert len(w.tokens) == len(text.encode())                  # no merges: one token per byte
    assert "\\x" in w.tokens_html.value                          # partial characters shown as bytes
    w.controls["merges"].value = w.controls["merges"].max
    assert len(w.tokens) < len(text.encode()) / 2
    assert b"".join(w.tokens).decode() == text
    assert "Chinese" in w.fig.layout.title.text


def test_explorer_takes_corpora():
    merges = train(TEXT, 50)
    w = TokenizerExplorer({"Mixed": (merges, TEXT)}, language="Mixed", merges=30, text="北京 café")
    assert w.controls["merges"].max == 50
    assert b"".join(w.tokens) == "北京 café".encode()
    with pytest.raises(ValueError, match="language"):
        TokenizerExplorer({"Mixed": (merges, TEXT)}, language="English")
