"""L2.01's DataLoaderExplorer: its batches against torch's DataLoader and a from-scratch sampler,
and what the figure shows. (The control sweep of every widget is in test_widgets.py.)"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dlcourse.widgets.dataloader import (CLASSES, DataLoaderExplorer, batch_view, labels_of,
                                         loader_batches)


def by_hand(n, batch_size, shuffle, drop_last, seed, epoch):
    """What DataLoader, RandomSampler and BatchSampler do, written out. Each epoch: one draw from
    the generator (the base seed of the loader's workers), then a permutation; a shuffling
    sampler that runs to its end also draws a second permutation, of which it yields nothing (the
    `num_samples % n` tail). Then the order is cut into batches."""
    g = torch.Generator().manual_seed(seed)
    for _ in range(epoch):
        torch.empty((), dtype=torch.int64).random_(generator=g)
        order = torch.randperm(n, generator=g) if shuffle else torch.arange(n)
        if shuffle:
            torch.randperm(n, generator=g)
    cut = [order[i:i + batch_size].numpy() for i in range(0, n, batch_size)]
    return [b for b in cut if len(b) == batch_size] if drop_last else cut


@pytest.mark.parametrize("n, batch_size", [(100, 16), (10, 64), (37, 1), (64, 8)])
@pytest.mark.parametrize("shuffle, drop_last", [(True, False), (True, True), (False, False),
                                                (False, True)])
def test_batches_match_the_sampler_written_out(n, batch_size, shuffle, drop_last):
    for seed, epoch in [(0, 1), (3, 2), (9, 5)]:
        got = loader_batches(n, batch_size, shuffle, drop_last, seed, epoch)
        want = by_hand(n, batch_size, shuffle, drop_last, seed, epoch)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_an_epoch_visits_every_example_once():
    for n, b in [(100, 16), (50, 7), (10, 64)]:
        batches = loader_batches(n, b, shuffle=True, seed=1, epoch=3)
        assert sorted(np.concatenate(batches).tolist()) == list(range(n))
        assert len(batches) == -(-n // b)                      # ceil(n / b)
        assert len(loader_batches(n, b, drop_last=True)) == n // b


def test_seed_and_epoch_decide_the_order():
    first = np.concatenate(loader_batches(100, 16, seed=0, epoch=1))
    np.testing.assert_array_equal(first, np.concatenate(loader_batches(100, 16, seed=0, epoch=1)))
    assert not np.array_equal(first, np.concatenate(loader_batches(100, 16, seed=0, epoch=2)))
    assert not np.array_equal(first, np.concatenate(loader_batches(100, 16, seed=1, epoch=1)))
    np.testing.assert_array_equal(np.concatenate(loader_batches(100, 16, shuffle=False)),
                                  np.arange(100))
    with pytest.raises(ValueError):
        loader_batches(0, 4)


def test_labels_are_sorted_equal_blocks():
    assert labels_of(20).tolist() == [k for k in range(10) for _ in range(2)]
    assert np.bincount(labels_of(100)).tolist() == [10] * CLASSES


def test_stored_order_gives_one_class_batches_shuffling_mixes_them():
    ordered = batch_view(100, 10, shuffle=False)
    assert ordered.distinct.tolist() == [1] * 10
    mixed = batch_view(100, 10, shuffle=True)
    assert mixed.distinct.mean() > 5
    view = batch_view(100, 16, drop_last=True)
    assert view.grid.shape == (6, 16) and view.dropped == 4 and not np.isnan(view.grid).any()
    short = batch_view(100, 16)
    assert short.grid.shape == (7, 16) and np.isnan(short.grid[-1]).sum() == 12
    assert (short.index[-1] == -1).sum() == 12


def test_explorer_draws_the_batches():
    w = DataLoaderExplorer(batch_size=16, n=100, shuffle=False)
    z = np.array(w.fig.data[0].z, dtype=float)
    assert z.shape == (7, 16)
    np.testing.assert_array_equal(np.floor(z[:6]).ravel(), labels_of(100)[:96])
    assert np.isnan(z[-1, 4:]).all()
    assert list(w.fig.data[1].x) == batch_view(100, 16, shuffle=False).distinct.tolist()
    assert "len(loader) = 7" in w.status.value and "stored order" in w.fig.layout.title.text
    w.controls["drop_last"].value = True
    assert "len(loader) = 6" in w.status.value and "skips those 4" in w.status.value
    w.controls["shuffle"].value = True
    assert "seed 0, epoch 1" in w.fig.layout.title.text
    assert "neighbouring" not in w.status.value
    w.controls["n"].value, w.controls["batch_size"].value = 10, 64
    assert "len(loader) = 0" in w.status.value        # drop_last with a batch larger than n
