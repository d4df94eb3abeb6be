"""The model behind L1.11's playground: features, a small MLP built from settings, training steps,
and every neuron evaluated over a grid of the input plane. CPU only, no widgets.

    run = Run(Settings(dataset="spiral", hidden=(8, 8), activation="tanh", optimizer="adam"))
    run.train(2000)
    run.accuracy("test"), run.grids()       # grids: one (res², width) array per layer

The network is a PyTorch module (`run.model`, with `model.layers(F)`), but a training step is
written out in NumPy: forward, backward, regularization and the SGD or Adam update over one flat
vector that every parameter of the module is a view of. For a network this small PyTorch's
per-operation overhead is most of a step's time; by hand a step costs tens of microseconds, which
is what lets the playground train ~1,000 steps per second while it draws. The tests check these
steps against autograd and torch.optim (tests/test_widgets_l1_11.py).

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


@dataclass
class History:
    """Losses after each recorded step (the widget records once per tick)."""
    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.step)


# NumPy versions of the activations, and their derivatives written with the activation's output h.
NP_ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0, out=z),
                  "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "linear": lambda z: z}
NP_DERIVATIVES = {"tanh": lambda h: 1 - h * h, "relu": lambda h: (h > 0).astype(h.dtype),
                  "sigmoid": lambda h: h * (1 - h), "linear": None}
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8    # torch.optim.Adam's defaults


def flatten_parameters(model: MLP) -> np.ndarray:
    """Move the model's parameters into one float32 vector, in model.parameters() order, and make
    each parameter a view of it: an in-place update of the vector updates the module."""
    theta = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    theta = theta.astype(np.float32)
    offset = 0
    for linear in model.linears:
        for name in ("weight", "bias"):
            p = getattr(linear, name)
            view = theta[offset:offset + p.numel()].reshape(tuple(p.shape))
            setattr(linear, name, nn.Parameter(torch.from_numpy(view)))
            offset += p.numel()
    return theta


def _views(flat: np.ndarray, model: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases) of each linear layer as views of a flat vector laid out like theta."""
    weights, biases, offset = [], [], 0
    for linear in model.linears:
        n_out, n_in = linear.out_features, linear.in_features
        weights.append(flat[offset:offset + n_out * n_in].reshape(n_out, n_in))
        offset += n_out * n_in
        biases.append(flat[offset:offset + n_out])
        offset += n_out
    return weights, biases


class Run:
    """One training run: data, feature matrices (also over the grid), the model and its optimizer
    state.

    Changing data or network settings means a new Run; `tune` changes the training settings
    (batch size, lr, optimizer, regularization) of a running one.
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
        self._np = {name: t.numpy() for name, t in (
            ("F_train", self.F_train), ("y_train", self.y_train), ("F_test", self.F_test),
            ("y_test", self.y_test), ("F_grid", self.F_grid))}
        self.generator = torch.Generator().manual_seed(settings.seed)
        self.model = MLP(len(settings.features), settings.hidden, settings.activation,
                         self.generator)
        self.theta = flatten_parameters(self.model)               # every parameter, one vector
        self.W, self.b = _views(self.theta, self.model)
        self.grad = np.zeros_like(self.theta)
        self.gW, self.gb = _views(self.grad, self.model)
        self._reset_optimizer()
        self.steps = 0
        self.history = History()
        self._order, self._cursor = torch.empty(0, dtype=torch.long), 0
        self._epoch = (np.empty((0, 0), np.float32), np.empty((0, 1), np.float32))
        self._n_train = len(X_train)
        self._outputs = (-1, {})     # (steps, {part: logits}) of the last evaluation
        self._diverged = (-1, False)
        self.record()

    def _reset_optimizer(self) -> None:
        self._adam_m = np.zeros_like(self.theta)
        self._adam_v = np.zeros_like(self.theta)
        self._adam_t = 0

    def tune(self, **training) -> None:
        """Change batch_size, lr, optimizer, regularization or reg_rate without starting over.
        A new optimizer starts with a fresh state (Adam's moments at zero)."""
        allowed = {"batch_size", "lr", "optimizer", "regularization", "reg_rate"}
        if set(training) - allowed:
            raise ValueError(f"only {sorted(allowed)} can change mid-run; got {sorted(training)}")
        old = self.settings
        self.settings = replace(old, **training)
        if self.settings.optimizer != old.optimizer:
            self._reset_optimizer()

    def _next_batch(self) -> slice:
        """Where the next minibatch lies in this epoch's shuffled copy of the training data:
        epochs of a seeded permutation, remainders dropped."""
        size = min(self.settings.batch_size, self._n_train)
        if self._cursor + size > len(self._epoch[0]):
            self._order = torch.randperm(self._n_train, generator=self.generator)
            self._cursor = 0
            order = self._order.numpy()
            self._epoch = self._np["F_train"][order], self._np["y_train"][order]
        self._cursor += size
        return slice(self._cursor - size, self._cursor)

    def _batch(self) -> torch.Tensor:
        """The next minibatch's indices into the training data."""
        batch = self._next_batch()       # (it may draw a new permutation first)
        return self._order[batch]

    def train(self, n: int, record_every: int = 0) -> None:
        """n minibatch steps of gradient descent; record the losses every `record_every` steps
        (and after the last one) when record_every > 0."""
        with np.errstate(all="ignore"):   # a diverging run overflows: it shows as NaN, no warning
            for i in range(1, n + 1):
                batch = self._next_batch()
                self._step(self._epoch[0][batch], self._epoch[1][batch])
                self.steps += 1
                if record_every and (i % record_every == 0 or i == n):
                    self.record()

    def _step(self, F: np.ndarray, y: np.ndarray) -> None:
        """One step on the minibatch (F, y): forward, backward into self.grad, update theta."""
        s = self.settings
        act, dact = NP_ACTIVATIONS[s.activation], NP_DERIVATIVES[s.activation]
        W, b, gW, gb = self.W, self.b, self.gW, self.gb
        hs = [F]                                          # each layer's input
        for Wl, bl in zip(W[:-1], b[:-1]):
            hs.append(act(hs[-1] @ Wl.T + bl))
        out = hs[-1] @ W[-1].T + b[-1]                    # (batch, 1)
        if s.regression:                                  # d(mean squared error)/d out
            d = (out - y) * (2 / len(F))
        else:                                             # d(BCE with logits)/d out
            d = (1 / (1 + np.exp(-out)) - y) * (1 / len(F))
        for layer in range(len(W) - 1, -1, -1):
            np.matmul(d.T, hs[layer], out=gW[layer])      # (out, in)
            np.add.reduce(d, axis=0, out=gb[layer])
            if layer:
                d = d @ W[layer]                          # into the layer's input h
                if dact is not None:
                    d *= dact(hs[layer])
        if s.regularization != "none" and s.reg_rate:     # on the weights only, not the biases
            for Wl, gl in zip(W, gW):
                gl += s.reg_rate * (Wl if s.regularization == "L2" else np.sign(Wl))
        if s.optimizer == "sgd":
            self.theta -= s.lr * self.grad
        else:                                             # Adam, as torch.optim.Adam computes it
            (b1, b2), m, v = ADAM_BETAS, self._adam_m, self._adam_v
            self._adam_t += 1
            m *= b1
            m += (1 - b1) * self.grad
            v *= b2
            v += (1 - b2) * self.grad * self.grad
            bias1, bias2 = 1 - b1 ** self._adam_t, 1 - b2 ** self._adam_t
            denom = np.sqrt(v) / math.sqrt(bias2) + ADAM_EPS
            self.theta -= (s.lr / bias1) * m / denom

    def _forward(self, F: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for the feature rows F (NumPy, float32)."""
        act = NP_ACTIVATIONS[self.settings.activation]
        outs, h = [], F
        for Wl, bl in zip(self.W[:-1], self.b[:-1]):
            h = act(h @ Wl.T + bl)
            outs.append(h)
        outs.append(h @ self.W[-1].T + self.b[-1])
        return outs

    def _data(self, part: str):
        return ((self._np["F_train"], self._np["y_train"]) if part == "train"
                else (self._np["F_test"], self._np["y_test"]))

    def _logits(self, part: str) -> np.ndarray:
        """The output for the training or test points, computed once per step count."""
        if self._outputs[0] != self.steps:
            self._outputs = (self.steps, {})
        cache = self._outputs[1]
        if part not in cache:
            with np.errstate(all="ignore"):
                cache[part] = self._forward(self._data(part)[0])[-1]
        return cache[part]

    def loss(self, part: str = "test") -> float:
        """Mean squared error (regression) or binary cross-entropy (classification)."""
        y = self._data(part)[1]
        z = self._logits(part).astype(np.float64)
        with np.errstate(all="ignore"):
            if self.settings.regression:
                return float(np.mean((z - y) ** 2))
            return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def accuracy(self, part: str = "test") -> float:
        """Fraction of points on the right side of the boundary (classification only)."""
        if self.settings.regression:
            raise ValueError(f"{self.settings.dataset} is a regression set: it has a loss, "
                             "not an accuracy")
        y = self._data(part)[1]
        with np.errstate(all="ignore"):
            return float(((self._logits(part) > 0) == (y > 0.5)).mean())

    def record(self) -> None:
        if self.history.step and self.history.step[-1] == self.steps:
            return
        self.history.step.append(self.steps)
        self.history.train_loss.append(self.loss("train"))
        self.history.test_loss.append(self.loss("test"))

    def grids(self) -> list[np.ndarray]:
        """Every layer's output over the grid: one (res², width) array per hidden layer, then the
        output ((res², 1): P(class 1) for classification, the prediction for regression)."""
        with np.errstate(all="ignore"):
            outs = self._forward(self._np["F_grid"])
            if not self.settings.regression:
                outs[-1] = 1 / (1 + np.exp(-outs[-1]))
        return outs

    def weights(self) -> np.ndarray:
        """Every layer's weight matrix (out, in), row by row, concatenated (float32)."""
        return np.concatenate([W.ravel() for W in self.W])

    @property
    def diverged(self) -> bool:
        """Whether some weight is no longer a finite number (checked once per step count)."""
        if self._diverged[0] != self.steps:
            self._diverged = (self.steps, not bool(np.isfinite(self.theta).all()))
        return self._diverged[1]
