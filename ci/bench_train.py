"""Benchmark: dlcourse.train.fit against a hand-written PyTorch loop on the same model and data.

    python ci/bench_train.py [--repeats 7] [--epochs 3]

Both loops train an MLP on 8×8 digits-sized synthetic data from the same seed, interleaved,
and the median times are compared. The bar is an overhead ≤ 3 %. Exits 1 when it is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from dlcourse.train import fit  # noqa: E402


def make(seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(8192, 64, generator=g)
    y = (x[:, :10].argmax(1)).long()
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    return model, loader, torch.optim.SGD(model.parameters(), lr=0.05), nn.CrossEntropyLoss()


def hand_written(epochs: int) -> float:
    model, loader, opt, loss_fn = make(0)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def helper(epochs: int) -> float:
    model, loader, opt, loss_fn = make(0)
    start = time.perf_counter()
    fit(model, loader, loss_fn, opt, epochs=epochs, progress=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-overhead", type=float, default=0.03)
    args = parser.parse_args()
    hand_written(1), helper(1)  # warm up
    hand, ours = [], []
    for _ in range(args.repeats):
        hand.append(hand_written(args.epochs))
        ours.append(helper(args.epochs))
    h, o = statistics.median(hand), statistics.median(ours)
    overhead = o / h - 1
    print(f"hand-written loop: median {h:.3f} s   dlcourse.train.fit: median {o:.3f} s   "
          f"({args.repeats} repeats × {args.epochs} epochs × 128 steps)")
    print(f"overhead: {overhead:+.2%}  (bar ≤ {args.max_overhead:.0%})")
    return 0 if overhead <= args.max_overhead else 1


if __name__ == "__main__":
    sys.exit(main())
