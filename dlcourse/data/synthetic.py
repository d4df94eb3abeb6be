"""Synthetic data, no download needed: the TensorFlow Playground's 2D toy sets, 1D curves,
the adding problem (a sequence task with a long-range dependency), dates written many ways with
their ISO form (a sequence-to-sequence task), and images of shapes with per-pixel class masks for
segmentation or with boxes and labels for detection.

Points lie in about [-1, 1]² before noise. Everything is drawn from a local numpy Generator made
from `seed`, so the same call gives the same data and never disturbs the global RNGs.

Shapes: X is float32 (n, 2). Class labels are int64 (n,) in {0, 1}, balanced; regression targets
are float32 (n, 1), like the output of a model ending in nn.Linear(..., 1).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

TAU = 2 * np.pi


# Each classification generator returns (points of class 0, points of class 1), without noise.

def _circle(rng, n0, n1):
    def ring(n, r_min, r_max):
        r, angle = rng.uniform(r_min, r_max, n), rng.uniform(0, TAU, n)
        return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    return ring(n0, 0.7, 1.0), ring(n1, 0.0, 0.5)


def _xor(rng, n0, n1):
    # Class 1 where x·y > 0. A small margin keeps clean points off the axes, the true boundary.
    def quadrants(n, same_sign):
        xy = rng.uniform(0.05, 1.0, (n, 2))
        sign = rng.choice([-1.0, 1.0], n)
        xy[:, 0] *= sign
        xy[:, 1] *= sign if same_sign else -sign
        return xy
    return quadrants(n0, False), quadrants(n1, True)


def _gauss(rng, n0, n1):
    return rng.normal(-0.5, 0.15, (n0, 2)), rng.normal(0.5, 0.15, (n1, 2))


def _spiral(rng, n0, n1, turns=1.75):
    def arm(n, phase):
        r = rng.uniform(0, 1, n)
        t = TAU * turns * r + phase
        return np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return arm(n0, np.pi), arm(n1, 0.0)


def _moons(rng, n0, n1):
    # scikit-learn's two moons, centred and scaled into [-1, 1] × [-0.5, 0.5].
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    shift = np.array([0.5, 0.25])
    return (upper - shift) / 1.5, (lower - shift) / 1.5


def _plane(X):
    return (X[:, 0] + X[:, 1]) / 2


# (x, y, sign) of six bumps, laid out as in the Playground's "multi gaussian" regression set.
_BUMPS = [(-2 / 3, 0.4, 1), (0, 0.4, -1), (2 / 3, 0.4, 1),
          (-2 / 3, -0.4, -1), (0, -0.4, 1), (2 / 3, -0.4, -1)]


def _multi_gauss(X, width=0.15):
    y = np.zeros(len(X))
    for cx, cy, sign in _BUMPS:
        y += sign * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / (2 * width ** 2))
    return y


CLASSIFICATION = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
                  "moons": _moons}
REGRESSION = {"plane": _plane, "multi_gauss": _multi_gauss}
KINDS = (*CLASSIFICATION, *REGRESSION)


def two_d(kind: str = "circle", n: int = 200, noise: float = 0.05, seed: int = 0):
    """A 2D toy set: (X float32 (n, 2), y).

    Classification kinds ("circle", "xor", "gauss", "spiral", "moons"): y int64 (n,), half 0 and
    half 1, shuffled; `noise` is the std of Gaussian jitter added to the points.
    Regression kinds ("plane", "multi_gauss"): X uniform in [-1, 1]², y float32 (n, 1);
    `noise` is the std of Gaussian noise added to the targets.
    The spiral is the touchiest: at noise 0.1 its arms already blur into each other.
    """
    import torch

    rng = np.random.default_rng(seed)
    if kind in CLASSIFICATION:
        n1 = n // 2
        points0, points1 = CLASSIFICATION[kind](rng, n - n1, n1)
        X = np.concatenate([points0, points1]) + rng.normal(0, noise, (n, 2))
        y = np.concatenate([np.zeros(n - n1, np.int64), np.ones(n1, np.int64)])
        order = rng.permutation(n)
        X, y = X[order], y[order]
    elif kind in REGRESSION:
        X = rng.uniform(-1, 1, (n, 2))
        y = (REGRESSION[kind](X) + rng.normal(0, noise, n))[:, None]
        y = y.astype(np.float32)
    else:
        raise ValueError(f"unknown kind {kind!r}; choose one of {list(KINDS)}")
    return torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y)


def regression_curve(n: int = 100, noise: float = 0.1, seed: int = 0,
                     fn: Callable[[np.ndarray], np.ndarray] | None = None,
                     low: float = 0.0, high: float = 1.0):
    """Noisy samples of a 1D function for curve fitting: (x, y), both float32 (n, 1), x sorted.

    x is uniform in [low, high]; y = fn(x) + Gaussian noise of std `noise`. `fn` takes and returns
    a numpy array; the default is sin(2πx), the classic polynomial-fitting example.
    """
    import torch

    rng = np.random.default_rng(seed)
    fn = fn or (lambda x: np.sin(TAU * x))
    x = np.sort(rng.uniform(low, high, n))
    y = np.asarray(fn(x), dtype=np.float64) + rng.normal(0, noise, n)
    as_column = lambda a: torch.from_numpy(a.astype(np.float32)[:, None])  # noqa: E731
    return as_column(x), as_column(y)


def adding_problem(n: int, length: int = 50, seed=0):
    """Hochreiter & Schmidhuber's adding problem: (X float32 (n, length, 2), y float32 (n,)).

    Each step of a sequence is a pair (value, marker): the values are uniform in [0, 1], the marker
    is 1 at exactly two steps, one in the first half and one in the second, and 0 elsewhere. The
    target is the sum of the two marked values, in [0, 2] with mean 1 and variance 1/6, so always
    answering 1 scores MSE 1/6 ≈ 0.167. `seed` is an int or a numpy Generator (pass the same
    Generator again to keep drawing fresh batches).
    """
    import torch

    if length < 2:
        raise ValueError(f"the adding problem needs length ≥ 2 (one marker per half), got {length}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, (n, length))
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, rng.integers(0, length // 2, n)] = 1
    markers[rows, rng.integers(length // 2, length, n)] = 1
    X = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values * markers).sum(axis=1).astype(np.float32)
    return torch.from_numpy(X), torch.from_numpy(y)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DATE_FORMATS = (
    lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",                 # June 3, 1998
    lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",                  # 3 June 1998
    lambda d: f"{_MONTHS[d.month - 1][:3]} {d.day} {d.year}",              # Jun 3 1998
    lambda d: f"{d.day:02d} {_MONTHS[d.month - 1][:3].upper()} {d.year}",  # 03 JUN 1998
    lambda d: f"{_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{_WEEKDAYS[d.weekday()][:3]} {d.day} {_MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: f"{d.month}/{d.day}/{d.year}",                               # 6/3/1998, US order
    lambda d: f"{d.day}.{d.month}.{d.year}",                               # 3.6.1998, day first
    lambda d: f"{d.year}年{d.month}月{d.day}日",                              # 1998年6月3日
    lambda d: f"{_MONTHS[d.month - 1].lower()} {d.day} '{d.year % 100:02d}",   # june 3 '98
)


def dates(n: int, seed=0, first_year: int = 1950, last_year: int = 2049):
    """Date normalization, a small sequence-to-sequence task: n pairs (written date, ISO date) as
    lists of strings, e.g. ("Wednesday, June 3, 1998", "1998-06-03").

    Dates are uniform between 1 January `first_year` and 31 December `last_year`, each written in
    one of the DATE_FORMATS chosen at random. Every format is unambiguous on its own: slashes are
    month first, dots day first, and a two-digit year names one year of the default century-long
    range ('50–'99 → 1950–1999, '00–'49 → 2000–2049). `seed` is an int or a numpy Generator."""
    import datetime as dt

    if last_year < first_year:
        raise ValueError(f"last_year ({last_year}) comes before first_year ({first_year})")
    rng = np.random.default_rng(seed)
    start = dt.date(first_year, 1, 1).toordinal()
    span = dt.date(last_year, 12, 31).toordinal() - start + 1
    sources, targets = [], []
    for offset, style in zip(rng.integers(0, span, n), rng.integers(0, len(DATE_FORMATS), n)):
        day = dt.date.fromordinal(start + int(offset))
        sources.append(DATE_FORMATS[style](day))
        targets.append(day.isoformat())
    return sources, targets


SHAPE_CLASSES = ("background", "circle", "square", "triangle")


def _shape_mask(kind: str, rows, cols, cy: float, cx: float, r: float, angle: float):
    """Pixels (by their centres) inside a circle of radius r, an axis-aligned square of
    half-side r·0.8, or an equilateral triangle of circumradius r·1.1 turned by `angle`."""
    if kind == "circle":
        return (rows - cy) ** 2 + (cols - cx) ** 2 <= r ** 2
    if kind == "square":
        half = 0.8 * r
        return (np.abs(rows - cy) < half) & (np.abs(cols - cx) < half)
    corners = [(cy + 1.1 * r * np.sin(angle + k * TAU / 3), cx + 1.1 * r * np.cos(angle + k * TAU / 3))
               for k in range(3)]
    inside = np.ones(rows.shape, bool)
    for (y0, x0), (y1, x1) in zip(corners, corners[1:] + corners[:1]):
        # counter-clockwise corners: the inside is to the left of every edge
        inside &= (x1 - x0) * (rows - y0) - (y1 - y0) * (cols - x0) >= 0
    return inside


def _shape_scenes(n: int, size: int, noise: float, max_shapes: int, seed):
    """The scenes behind shapes_segmentation and shapes_detection: images (n, size, size) float64,
    class masks (n, size, size) int64 and instance masks (n, size, size) int64 (0 background,
    k for the k-th shape placed in the image, in the order they were drawn)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64) + 0.0
    X = np.zeros((n, size, size))
    masks = np.zeros((n, size, size), np.int64)
    instances = np.zeros((n, size, size), np.int64)
    for i in range(n):
        gy, gx = rng.uniform(-1, 1, 2)
        ramp = (gy * rows + gx * cols) / size
        X[i] = 0.15 + 0.15 * ramp / max(abs(gy) + abs(gx), 1e-9)     # a tilt within [0, 0.3]
        placed: list[tuple[float, float, float]] = []
        for _ in range(rng.integers(1, max_shapes + 1)):
            for _attempt in range(20):
                r = rng.uniform(0.16, 0.28) * size
                cy, cx = rng.uniform(r, size - 1 - r, 2)
                if all((cy - y) ** 2 + (cx - x) ** 2 > (1.2 * (r + q) + 1) ** 2 for y, x, q in placed):
                    break
            else:
                continue                                                 # no room left
            placed.append((cy, cx, r))
            label = int(rng.integers(1, len(SHAPE_CLASSES)))
            inside = _shape_mask(SHAPE_CLASSES[label], rows, cols, cy, cx, r, rng.uniform(0, TAU))
            X[i][inside] = rng.uniform(0.45, 1.0)
            masks[i][inside] = label
            instances[i][inside] = len(placed)
        X[i] += rng.normal(0, noise, (size, size))
    return X, masks, instances


def shapes_segmentation(n: int, size: int = 32, noise: float = 0.15, max_shapes: int = 3,
                        seed=0):
    """Images of circles, squares and triangles on noisy backgrounds, with per-pixel class masks:
    (X float32 (n, 1, size, size), masks int64 (n, size, size)), classes as in SHAPE_CLASSES
    (0 background, 1 circle, 2 square, 3 triangle).

    Each image holds 1 to `max_shapes` shapes that do not touch (radius 0.16–0.28 of the size;
    triangles turned at random). Brightness does not give the class away: every shape gets its own
    brightness in [0.45, 1], the background a random tilt in [0, 0.3], then Gaussian noise of
    std `noise` is added to every pixel. `seed` is an int or a numpy Generator."""
    import torch

    X, masks, _ = _shape_scenes(n, size, noise, max_shapes, seed)
    return torch.from_numpy(X.astype(np.float32)[:, None]), torch.from_numpy(masks)


def shapes_detection(n: int, size: int = 32, noise: float = 0.15, max_shapes: int = 3, seed=0):
    """The scenes of shapes_segmentation (the same images for the same arguments), with a box and
    a class per shape instead of a mask: (X float32 (n, 1, size, size), targets), where
    targets[i] = (boxes float32 (k, 4), labels int64 (k,)) for the k shapes of image i.

    A box is (x1, y1, x2, y2) in pixels, the tightest one around the shape's pixels: pixel (row,
    col) covers [col, col + 1] × [row, row + 1], so x1 = the first column, x2 = the last + 1.
    Labels are as in SHAPE_CLASSES (1 circle, 2 square, 3 triangle; 0, the background, is never a
    box). Shapes do not touch, so two boxes overlap little or not at all."""
    import torch

    X, masks, instances = _shape_scenes(n, size, noise, max_shapes, seed)
    targets = []
    for mask, inst in zip(masks, instances):
        boxes, labels = [], []
        for k in range(1, inst.max() + 1):
            rows, cols = np.nonzero(inst == k)
            if len(rows) == 0:
                continue
            boxes.append([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1])
            labels.append(mask[rows[0], cols[0]])
        targets.append((torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                        torch.tensor(labels, dtype=torch.int64)))
    return torch.from_numpy(X.astype(np.float32)[:, None]), targets
