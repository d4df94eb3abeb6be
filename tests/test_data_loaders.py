"""The loaders against the real offline mirror (the machines running the tests have no internet)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dlcourse import data

MIRROR = Path(os.environ.get("DLCOURSE_DATA_MIRROR")
              or Path(__file__).resolve().parents[2] / "shared" / "data")


@pytest.fixture(scope="module", autouse=True)
def mirror(tmp_path_factory):
    """One fresh cache for the module, filled from the mirror (not ~/.cache, not the network)."""
    if not (MIRROR / "MANIFEST.md").is_file():
        pytest.skip(f"no dataset mirror at {MIRROR}; set DLCOURSE_DATA_MIRROR")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DLCOURSE_DATA", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("DLCOURSE_DATA_MIRROR", str(MIRROR))
        mp.setenv("DLCOURSE_QUIET", "1")
        yield MIRROR


def test_mnist_train():
    X, y = data.load_mnist("train")
    assert X.shape == (60000, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (60000,) and y.dtype == torch.int64
    assert X.min() == 0 and X.max() == 1
    assert set(y.unique().tolist()) == set(range(10))
    assert y[:5].tolist() == [5, 0, 4, 1, 9]
    assert 0.12 < X.mean() < 0.14  # MNIST's well-known mean pixel, 0.1307


def test_mnist_test_and_limit():
    X, y = data.load_mnist("test")
    assert X.shape == (10000, 1, 28, 28) and y.shape == (10000,)
    assert y[0] == 7
    X_small, y_small = data.load_mnist("test", limit=100)
    assert X_small.shape == (100, 1, 28, 28)
    assert torch.equal(X_small, X[:100]) and torch.equal(y_small, y[:100])


def test_mnist_is_fast_once_cached():
    import time
    data.load_mnist("train")
    start = time.perf_counter()
    data.load_mnist("train")
    assert time.perf_counter() - start < 3.0  # ~0.5 s on a 2-core CPU


def test_digits_split_is_stratified_and_deterministic():
    X_train, y_train = data.load_digits("train", test_size=0.25, seed=0)
    X_test, y_test = data.load_digits("test", test_size=0.25, seed=0)
    assert X_train.shape[1:] == (1, 8, 8) and X_train.dtype == torch.float32
    assert len(X_train) + len(X_test) == 1797 and len(X_test) == 450
    assert 0 <= X_train.min() and X_train.max() == 1
    train_share = torch.bincount(y_train, minlength=10) / len(y_train)
    test_share = torch.bincount(y_test, minlength=10) / len(y_test)
    assert (train_share - test_share).abs().max() < 0.01
    again, _ = data.load_digits("train", test_size=0.25, seed=0)
    other, _ = data.load_digits("train", test_size=0.25, seed=1)
    assert torch.equal(X_train, again) and not torch.equal(X_train, other)
    X_all, y_all = data.load_digits("all")
    assert X_all.shape == (1797, 1, 8, 8) and y_all[:3].tolist() == [0, 1, 2]


def test_tiny_shakespeare():
    text = data.load_tiny_shakespeare()
    assert len(text) == 1115394
    assert text.startswith("First Citizen:")


def test_names():
    names = data.load_names()
    assert len(names) == 32033
    assert names[:3] == ["emma", "olivia", "ava"]
    assert all(name.isalpha() and name.islower() for name in names)


@pytest.mark.parametrize("name,count", [("cmn-eng", 20133), ("fra-eng", 142787)])
def test_sentence_pairs(name, count):
    pairs = data.load_sentence_pairs(name)
    assert len(pairs) == count
    assert all(en and other for en, other in pairs)
    assert pairs[0][0] in ("Hi.", "Go.")
    assert len(data.load_sentence_pairs(name, limit=10)) == 10


@pytest.mark.parametrize("split,count", [("train", 60614), ("dev", 6735), ("test", 872)])
def test_sst2(split, count):
    rows = data.load_sst2(split)
    assert len(rows) == count
    assert {label for _, label in rows} == {0, 1}
    assert all(isinstance(sentence, str) and sentence for sentence, _ in rows)


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="train"):
        data.load_mnist("validation")
    with pytest.raises(ValueError, match="cmn-eng"):
        data.load_sentence_pairs("deu-eng")


def test_importing_the_package_does_not_import_torch():
    code = "import sys, dlcourse.data; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
