"""One call per dataset a lesson uses: fetch (verified), parse, return tensors or Python lists."""
from __future__ import annotations

import numpy as np

from .download import fetch
from .parsers import read_idx, read_pairs, read_text, read_tsv

SPLITS = ("train", "test")


def load_mnist(split: str = "train", limit: int | None = None):
    """MNIST digits: X float32 (N, 1, 28, 28) in [0, 1], y int64 (N,). 60,000 train, 10,000 test."""
    import torch

    prefix = {"train": "train", "test": "t10k"}[_check_split(split, SPLITS)]
    images_name, labels_name = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
    paths = fetch("mnist", [images_name, labels_name])
    images = read_idx(paths[images_name])[:limit]
    labels = read_idx(paths[labels_name])[:limit]
    X = torch.from_numpy(images).unsqueeze(1).float().div_(255)
    y = torch.from_numpy(labels.astype(np.int64))
    return X, y


def load_digits(split: str = "train", test_size: float = 0.25, seed: int = 0):
    """scikit-learn's 8×8 digits (1,797 images): X float32 (N, 1, 8, 8) in [0, 1], y int64 (N,).

    split="train"/"test" is a stratified split, the same for the same `test_size` and `seed`;
    split="all" returns every image in the original order.
    """
    import torch
    from sklearn.datasets import load_digits as sklearn_digits

    _check_split(split, (*SPLITS, "all"))
    digits = sklearn_digits()
    X = digits.images.astype(np.float32)[:, None] / 16.0
    y = digits.target.astype(np.int64)
    if split != "all":
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=test_size, random_state=seed, stratify=y)
        X, y = (X_train, y_train) if split == "train" else (X_test, y_test)
    return torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(np.ascontiguousarray(y))


def load_tiny_shakespeare() -> str:
    """The tiny Shakespeare corpus as one string (1,115,394 characters)."""
    return read_text(fetch("tinyshakespeare")["input.txt"])


def load_names() -> list[str]:
    """32,033 lowercase first names, one per entry."""
    return [name for name in read_text(fetch("names")["names.txt"]).splitlines() if name]


PAIRS = {"cmn-eng": "cmn.txt", "fra-eng": "fra-eng.zip"}


def load_sentence_pairs(name: str = "cmn-eng", limit: int | None = None) -> list[tuple[str, str]]:
    """Tatoeba translation pairs as (english, other): "cmn-eng" (Chinese) or "fra-eng" (French)."""
    file = PAIRS.get(name)
    if file is None:
        raise ValueError(f"unknown sentence pairs {name!r}; choose one of {list(PAIRS)}")
    return read_pairs(fetch(name, [file])[file])[:limit]


def load_sst2(split: str = "train") -> list[tuple[str, int]]:
    """SST-2 movie-review snippets as (sentence, label), label 1 = positive, 0 = negative.

    Splits: "train", "dev" and "test" (test is GLUE's labelled dev set).
    """
    file = f"{_check_split(split, ('train', 'dev', 'test'))}.tsv"
    rows = read_tsv(fetch("sst2", [file])[file], header=True)
    return [(sentence.strip(), int(label)) for sentence, label in rows]


def _check_split(split: str, allowed) -> str:
    if split not in allowed:
        raise ValueError(f"split must be one of {list(allowed)}, got {split!r}")
    return split
