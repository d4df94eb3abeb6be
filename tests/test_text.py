"""dlcourse.text: the character vocabulary and the two ways of cutting a text into windows."""
import pytest
import torch

from dlcourse.text import CharVocab, random_windows, split, stream_windows

TEXT = "to be, or not to be: that is the question.\n" * 5


def test_vocabulary_round_trip_and_order():
    vocab = CharVocab(TEXT)
    assert vocab.chars == sorted(set(TEXT)) and len(vocab) == len(set(TEXT))
    ids = vocab.encode(TEXT)
    assert ids.dtype == torch.long and vocab.decode(ids) == TEXT


def test_unknown_characters_are_named():
    with pytest.raises(ValueError, match=r"'Z'"):
        CharVocab(TEXT).encode("Zoo")
    with pytest.raises(ValueError, match="non-empty"):
        CharVocab("")


def test_split_is_contiguous():
    ids = torch.arange(100)
    train, val = split(ids, 0.1)
    assert train.tolist() == list(range(90)) and val.tolist() == list(range(90, 100))
    with pytest.raises(ValueError):
        split(ids, 1.5)


def test_random_windows_are_shifted_by_one_and_seeded():
    ids = torch.arange(1000)
    x, y = random_windows(ids, 8, 16, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (8, 16)
    assert torch.equal(y, x + 1) and torch.equal(x[:, 1:], x[:, :-1] + 1)
    x2, _ = random_windows(ids, 8, 16, torch.Generator().manual_seed(0))
    assert torch.equal(x, x2)
    with pytest.raises(ValueError, match="too few"):
        random_windows(ids[:10], 2, 16)


def test_stream_windows_continue_each_row():
    ids = torch.arange(101)
    windows = list(stream_windows(ids, batch=4, length=5))
    assert len(windows) == 5                      # 25 ids per row, 5 windows of 5
    for (x, y), (x_next, _) in zip(windows, windows[1:]):
        assert torch.equal(y, x + 1) and torch.equal(x_next[:, 0], x[:, -1] + 1)
    rows = torch.cat([x for x, _ in windows], dim=1)
    assert torch.equal(rows, torch.arange(100).view(4, 25))
