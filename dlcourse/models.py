"""Networks that later lessons reuse after a lesson has built them.

`LeNet` is the network L2.04 builds layer by layer (ReLU and max pooling by default, its modern
variant); L2.12, L2.13 and Level 3 import it from here instead of redefining it.
"""
from __future__ import annotations

from torch import nn


class LeNet(nn.Module):
    """LeNet-5 for (N, 1, 28, 28) images: two conv + pool stages, three dense layers, 10 logits."""

    def __init__(self, activation=nn.ReLU, pool=nn.MaxPool2d, classes: int = 10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)   # (1, 28, 28) → (6, 28, 28)
        self.a1 = activation()
        self.s2 = pool(2)                                     # → (6, 14, 14)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)             # → (16, 10, 10)
        self.a3 = activation()
        self.s4 = pool(2)                                     # → (16, 5, 5)
        self.f5 = nn.Linear(16 * 5 * 5, 120)
        self.a5 = activation()
        self.f6 = nn.Linear(120, 84)
        self.a6 = activation()
        self.out = nn.Linear(84, classes)

    def features(self, x):
        """The 84 features before the classifier (what transfer learning reuses)."""
        x = self.s2(self.a1(self.c1(x)))
        x = self.s4(self.a3(self.c3(x)))
        return self.a6(self.f6(self.a5(self.f5(x.flatten(1)))))

    def forward(self, x):
        return self.out(self.features(x))
