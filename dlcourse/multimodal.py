"""Captions for L3.22's image–text pairs: MNIST digits described in English and in Chinese.

A caption is a template filled with the digit (as a number word, 七 / seven, or as the numeral 7)
and, in some templates, attributes measured on the image itself: thick or thin strokes (粗 / 细,
more or less ink than the median image of that digit) and large or small (大 / 小, a bounding box
larger or smaller than that digit's median). So the same digit gets many different captions, and a
caption says a little more than the label.

One template per language, `HELD_OUT`, is never used in training: the lesson checks that the text
encoder still understands it. Characters are the tokens, so English and Chinese share one
vocabulary (`caption_vocab`), and `encode` turns a list of captions into a padded id tensor.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

NUMBER_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "zh": ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
}
THICK = {"en": ("thin", "thick"), "zh": ("细", "粗")}     # index: thick (1) or not (0)
SIZE = {"en": ("small", "large"), "zh": ("小", "大")}

# {word}: the number word, {d}: the numeral, {thick} and {size}: the attributes, in the language.
TEMPLATES = {
    "en": ["a handwritten {word}",
           "a photo of the digit {d}",
           "the number {word}",
           "a {thick} {word}",
           "a {size} handwritten {d}",
           "a {size}, {thick} {word}"],
    "zh": ["手写的数字{word}",
           "数字 {d}",
           "一个{thick}的{word}",
           "一个{size}的数字{d}",
           "这是{word}",
           "{size}而{thick}的{word}"],
}
HELD_OUT = {"en": "my favourite digit is {word}", "zh": "我最喜欢的数字是{word}"}
PAD = ""    # id 0 of the vocabulary: padding, matched by no character


def fill(template: str, digit: int, lang: str, thick: bool = False, large: bool = False) -> str:
    """One caption: `template` filled in for `digit` in language `lang` ("en" or "zh")."""
    return template.format(word=NUMBER_WORDS[lang][digit], d=digit, thick=THICK[lang][int(thick)],
                           size=SIZE[lang][int(large)])


def attributes(images, labels) -> tuple[np.ndarray, np.ndarray]:
    """(thick, large) booleans per image (N, …, H, W): more ink, and a larger bounding box of the
    pixels above half the image's maximum, than the median image of the same digit."""
    x = torch.as_tensor(images).reshape(len(labels), *torch.as_tensor(images).shape[-2:]).float()
    labels = np.asarray(labels)
    ink = x.mean(dim=(1, 2)).numpy()
    on = (x > 0.5 * x.amax(dim=(1, 2), keepdim=True)).numpy()
    rows, cols = on.any(axis=2), on.any(axis=1)

    def extent(mask):   # first to last True, per row of the mask
        return mask.shape[1] - mask[:, ::-1].argmax(axis=1) - mask.argmax(axis=1)

    area = extent(rows) * extent(cols)
    thick, large = np.zeros(len(labels), bool), np.zeros(len(labels), bool)
    for d in np.unique(labels):
        k = labels == d
        thick[k] = ink[k] > np.median(ink[k])
        large[k] = area[k] > np.median(area[k])
    return thick, large


def captions(labels, thick, large, rng: np.random.Generator, langs: Sequence[str] = ("en", "zh"),
             templates: dict | None = None) -> list[str]:
    """One random caption per image: a random language of `langs`, a random template of it."""
    templates = templates or TEMPLATES
    out = []
    for d, t, s in zip(np.asarray(labels), thick, large):
        lang = langs[rng.integers(len(langs))]
        options = templates[lang]
        out.append(fill(options[rng.integers(len(options))], int(d), lang, bool(t), bool(s)))
    return out


def prompts(template: str, lang: str) -> list[list[str]]:
    """Every filling of `template` for each digit: 10 lists (one per digit) of 1, 2 or 4 prompts
    (templates with attributes get every combination)."""
    return [sorted({fill(template, d, lang, t, s) for t in (False, True) for s in (False, True)})
            for d in range(10)]


def caption_vocab() -> list[str]:
    """Every character the templates, held-out ones included, can produce, plus the digits: the
    text encoder's vocabulary, English and Chinese together (id 0 is padding)."""
    chars = set("0123456789 ")
    for lang in ("en", "zh"):
        for template in [*TEMPLATES[lang], HELD_OUT[lang]]:
            for group in prompts(template, lang):
                for p in group:
                    chars.update(p)
    return [PAD] + sorted(chars)


def encode(texts: Sequence[str], vocab: Sequence[str]) -> torch.Tensor:
    """Captions → (N, L) character ids, padded with id 0 to the longest. English is lower-cased;
    characters outside the vocabulary are dropped (an empty result becomes one space), so any
    typed prompt encodes."""
    index = {c: i for i, c in enumerate(vocab) if c}
    rows = [[index[c] for c in text.lower() if c in index] or [index[" "]] for text in texts]
    out = torch.zeros(len(rows), max(len(r) for r in rows), dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.tensor(r)
    return out
