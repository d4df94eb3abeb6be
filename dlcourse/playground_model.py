"""The model behind L1.11's playground: features, a small MLP built from settings, training steps,
and every neuron evaluated over a grid of the input plane. Plain PyTorch on the CPU, no widgets.

    run = Run(Settings(dataset="spiral", hidden=(8, 8), activation="tanh", optimizer="adam"))
    run.train(2000)
    run.accuracy("test"), run.grids()       # grids: one (res, res) array per neuron

Everything random (data, split, initial weights, minibatch order) comes from `Settings.seed`, so a
run reproduces exactly and never touches the global random number generators.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from .data import two_d

# The seven inputs TensorFlow Playground offers, as functions of the point (x1, x2). Our data lie
# in about [-1, 1]², where sin x ≈ x (they differ by at most 0.16): the sine features use πx, one
# full period across the plane, as useful as the Playground's sin on its [-6, 6] coordinates.
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(pi*x1)": lambda x1, x2: torch.sin(math.pi * x1),
    "sin(pi*x2)": lambda x1, x2: torch.sin(math.pi * x2),
}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                  "sin(pi*x1)": "sin πx₁", "sin(pi*x2)": "sin πx₂"}
ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
               "linear": lambda z: z}
CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
REGRESSION = ("plane", "multi_gauss")
DATASETS = CLASSIFICATION + REGRESSION
REGULARIZATION = ("none", "L1", "L2")
OPTIMIZERS = ("sgd", "adam")
N_POINTS = 1000          # TensorFlow Playground draws 500; 1000 pins the spiral's arms down
                         # (with 250 training points even a noise-free spiral is fit with
                         # gaps, and 8-8 tanh nets lose 3–5 % of test points there)
EXTENT = 1.2             # the plane shown: [-EXTENT, EXTENT]², the data and a margin
MAX_LAYERS, MAX_NEURONS = 6, 8


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run. The first group makes the data, the second the network, the
    third how it trains (those can change mid-run without starting over)."""
    dataset: str = "circle"
    noise: float = 0.05          # std of the Gaussian jitter (targets' noise for regression)
    train_ratio: float = 0.5     # fraction of the N_POINTS used for training; the rest is test
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    batch_size: int = 10
    lr: float = 0.03
    optimizer: str = "sgd"
    regularization: str = "none"
    reg_rate: float = 0.0

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset {self.dataset!r}: choose one of {DATASETS}")
        unknown = set(self.features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}; choose among {list(FEATURES)}")
        if not self.features:
            raise ValueError("switch on at least one input feature")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in self.hidden):
            raise ValueError(f"hidden={self.hidden}: at most {MAX_LAYERS} layers of 1–{MAX_NEURONS} "
                             "neurons")
        for name, value, options in (("activation", self.activation, ACTIVATIONS),
                                     ("optimizer", self.optimizer, OPTIMIZERS),
                                     ("regularization", self.regularization, REGULARIZATION)):
            if value not in options:
                raise ValueError(f"{name} {value!r}: choose one of {tuple(options)}")

    @property
    def regression(self) -> bool:
        return self.dataset in REGRESSION


def features(X: torch.Tensor, names) -> torch.Tensor:
    """The feature matrix (n, len(names)) of points X (n, 2), in the order of `names`."""
    x1, x2 = X[:, 0], X[:, 1]
    return torch.stack([FEATURES[name](x1, x2) for name in names], dim=1)


def grid(res: int = 40, extent: float = EXTENT) -> tuple[torch.Tensor, np.ndarray]:
    """The res × res cell centres of the plane [-extent, extent]²: points (res², 2), row-major with
    x2 along the rows (row 0 is the bottom) and x1 along the columns, and the 1-D axis values."""
    axis = torch.linspace(-extent, extent, res)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([x1.flatten(), x2.flatten()], dim=1), axis.numpy()


def split(settings: Settings):
    """(X_train, y_train, X_test, y_test) of the settings' dataset: N_POINTS points, shuffled by the
    generator and cut at train_ratio. Classification labels come back as float (n, 1)."""
    X, y = two_d(settings.dataset, N_POINTS, settings.noise, settings.seed)
    y = y.float().reshape(-1, 1)
    n_train = min(max(int(round(settings.train_ratio * N_POINTS)), 1), N_POINTS - 1)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


class MLP(nn.Module):
    """Linear layers with one activation between them and a single linear output (a logit for
    classification, the prediction for regression). `layers(F)` returns every layer's output."""

    def __init__(self, n_in: int, hidden, activation: str, generator: torch.Generator):
        super().__init__()
        sizes = [n_in, *hidden, 1]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.activation = activation
        with torch.no_grad():  # PyTorch's default init, U(±1/√fan_in), from our own generator
            for linear in self.linears:
                bound = 1 / math.sqrt(linear.in_features)
                linear.weight.uniform_(-bound, bound, generator=generator)
                linear.bias.uniform_(-bound, bound, generator=generator)

    def layers(self, F: torch.Tensor) -> list[torch.Tensor]:
        act = ACTIVATIONS[self.activation]
        outs, h = [], F
        for linear in self.linears[:-1]:
            h = act(linear(h))
            outs.append(h)
        outs.append(self.linears[-1](h))
        return outs

    def forward(self, F: torch.Tensor) -> torch.Tensor:
        return self.layers(F)[-1]


def n_parameters(n_in: int, hidden) -> int:
    """Weights and biases of an MLP with n_in inputs, these hidden widths and one output."""
    sizes = [n_in, *hidden, 1]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def penalty(model: MLP, kind: str, rate: float) -> torch.Tensor | float:
    """The regularization term added to the loss: rate·Σ|w| (L1) or rate·½Σw² (L2), over the
    weights only (not the biases), as TensorFlow Playground does."""
    if kind == "none" or rate == 0:
        return 0.0
    weights = [linear.weight for linear in model.linears]
    if kind == "L1":
        return rate * sum(w.abs().sum() for w in weights)
    return rate * 0.5 * sum((w * w).sum() for w in weights)


def data_loss(out: torch.Tensor, y: torch.Tensor, regression: bool) -> torch.Tensor:
    """Mean squared error for regression, binary cross-entropy on the logit for classification."""
    if regression:
        return nn.functional.mse_loss(out, y)
    return nn.functional.binary_cross_entropy_with_logits(out, y)


def make_optimizer(model: MLP, name: str, lr: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    return torch.optim.SGD(model.parameters(), lr=lr)


@dataclass
class History:
    """Losses after each recorded step (the widget records once per tick)."""
    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.step)


class Run:
    """One training run: data, feature matrices (also over the grid), the model and its optimizer.

    Changing data or network settings means a new Run (`Run.replace`); `tune` changes the
    training settings (batch size, lr, optimizer, regularization) of a running one.
    """

    def __init__(self, settings: Settings, res: int = 40):
        self.settings = settings
        self.res = res
        X_train, self.y_train, X_test, self.y_test = split(settings)
        self.X_train, self.X_test = X_train, X_test
        self.F_train = features(X_train, settings.features)
        self.F_test = features(X_test, settings.features)
        grid_points, self.axis = grid(res)
        self.F_grid = features(grid_points, settings.features)   # precomputed once per run
        self.generator = torch.Generator().manual_seed(settings.seed)
        self.model = MLP(len(settings.features), settings.hidden, settings.activation,
                         self.generator)
        self.optimizer = make_optimizer(self.model, settings.optimizer, settings.lr)
        self.steps = 0
        self.history = History()
        self._order, self._cursor = torch.empty(0, dtype=torch.long), 0
        self._diverged = (-1, False)
        self.record()

    def tune(self, **training) -> None:
        """Change batch_size, lr, optimizer, regularization or reg_rate without starting over."""
        allowed = {"batch_size", "lr", "optimizer", "regularization", "reg_rate"}
        if set(training) - allowed:
            raise ValueError(f"only {sorted(allowed)} can change mid-run; got {sorted(training)}")
        old = self.settings
        self.settings = replace(old, **training)
        if self.settings.optimizer != old.optimizer:
            self.optimizer = make_optimizer(self.model, self.settings.optimizer, self.settings.lr)
        for group in self.optimizer.param_groups:
            group["lr"] = self.settings.lr

    def _batch(self) -> torch.Tensor:
        """The next minibatch's indices: epochs of a seeded permutation, remainders dropped."""
        size = min(self.settings.batch_size, len(self.F_train))
        if self._cursor + size > len(self._order):
            self._order = torch.randperm(len(self.F_train), generator=self.generator)
            self._cursor = 0
        idx = self._order[self._cursor:self._cursor + size]
        self._cursor += size
        return idx

    def train(self, n: int, record_every: int = 0) -> None:
        """n minibatch steps of gradient descent; record the losses every `record_every` steps
        (and after the last one) when record_every > 0."""
        s, model, opt = self.settings, self.model, self.optimizer
        model.train()
        for i in range(1, n + 1):
            idx = self._batch()
            loss = data_loss(model(self.F_train[idx]), self.y_train[idx], s.regression)
            loss = loss + penalty(model, s.regularization, s.reg_rate)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            self.steps += 1
            if record_every and (i % record_every == 0 or i == n):
                self.record()

    @torch.no_grad()
    def loss(self, part: str = "test") -> float:
        F, y = (self.F_train, self.y_train) if part == "train" else (self.F_test, self.y_test)
        return data_loss(self.model(F), y, self.settings.regression).item()

    @torch.no_grad()
    def accuracy(self, part: str = "test") -> float:
        """Fraction of points on the right side of the boundary (classification only)."""
        if self.settings.regression:
            raise ValueError(f"{self.settings.dataset} is a regression set: it has a loss, "
                             "not an accuracy")
        F, y = (self.F_train, self.y_train) if part == "train" else (self.F_test, self.y_test)
        return ((self.model(F) > 0).float() == y).float().mean().item()

    def record(self) -> None:
        if self.history.step and self.history.step[-1] == self.steps:
            return
        self.history.step.append(self.steps)
        self.history.train_loss.append(self.loss("train"))
        self.history.test_loss.append(self.loss("test"))

    @torch.no_grad()
    def grids(self) -> list[np.ndarray]:
        """Every layer's output over the grid: one (res², width) array per hidden layer, then the
        output ((res², 1): P(class 1) for classification, the prediction for regression)."""
        outs = self.model.layers(self.F_grid)
        if not self.settings.regression:
            outs[-1] = torch.sigmoid(outs[-1])
        return [o.numpy() for o in outs]

    @property
    def diverged(self) -> bool:
        """Whether some weight is no longer a finite number (checked once per step count)."""
        if self._diverged[0] != self.steps:
            flat = torch.cat([p.detach().reshape(-1) for p in self.model.parameters()])
            self._diverged = (self.steps, not bool(torch.isfinite(flat).all()))
        return self._diverged[1]
