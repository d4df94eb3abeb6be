"""L1.05: decision-boundary explorer. A perceptron or a logistic regression trained on a 2D toy set
(circle, xor, gauss, spiral, moons), drawn as a probability map with its decision line over the
points, and its training curve beside it.

Everything is recomputed from scratch in NumPy on each change (a few milliseconds): the data from
`dlcourse.data.two_d`, the chosen features, then `steps` passes of the model's own update rule.
"""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

DATASETS = ("gauss", "moons", "circle", "xor", "spiral")
MODELS = ("logistic regression", "perceptron")
FEATURES = {  # name → the columns computed from (x1, x2)
    "x1, x2": ("x1", "x2"),
    "x1, x2, x1·x2": ("x1", "x2", "x1·x2"),
    "x1, x2, x1², x2²": ("x1", "x2", "x1²", "x2²"),
    "x1, x2, x1·x2, x1², x2²": ("x1", "x2", "x1·x2", "x1²", "x2²"),
}
CLASS_COLORS = ("#f59322", "#0877bd")  # class 0 orange, class 1 blue (as in the TF Playground)
HEAT = [[0.0, "#f8c48a"], [0.5, "#f7f7f7"], [1.0, "#8cc3e8"]]
GRID = 81  # points per side of the probability map
LEARNING_RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def _with(options: tuple, value) -> tuple:
    """The slider's options, with `value` added in order if it is not one of them."""
    return options if value in options else tuple(sorted((*options, value)))


def features(X: np.ndarray, which: str = "x1, x2") -> np.ndarray:
    """The feature matrix φ(X), one column per name in FEATURES[which]."""
    if which not in FEATURES:
        raise ValueError(f"unknown features {which!r}; choose one of {list(FEATURES)}")
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1·x2": x1 * x2, "x1²": x1 ** 2, "x2²": x2 ** 2}
    return np.stack([columns[name] for name in FEATURES[which]], axis=1)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # the two branches keep exp from overflowing for large |z|
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def train_logistic(Phi: np.ndarray, y: np.ndarray, steps: int, lr: float):
    """Full-batch gradient descent on the mean binary cross-entropy, from w = 0, b = 0.
    Returns w, b, and per step 0…steps the training accuracy and the loss."""
    n, d = Phi.shape
    w, b = np.zeros(d), 0.0
    accuracy, loss = [], []
    for step in range(steps + 1):
        z = Phi @ w + b
        p = _sigmoid(z)
        accuracy.append(float(np.mean((z > 0) == (y == 1))))
        # BCE from logits: softplus(z) - y z, written so that exp never overflows
        loss.append(float(np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)))
        if step == steps:
            break
        g = (p - y) / n  # dL/dz for each point
        w = w - lr * (Phi.T @ g)
        b = b - lr * g.sum()
    return w, b, accuracy, loss


def train_perceptron(Phi: np.ndarray, y: np.ndarray, epochs: int, lr: float):
    """Rosenblatt's rule, one point at a time in the data's order, from w = 0, b = 0: on a mistake
    (t (w·φ + b) ≤ 0, with t = ±1) add lr · t · φ to w and lr · t to b. Returns w, b, and per
    epoch 0…epochs the training accuracy and the fraction of points that caused an update."""
    t = np.where(y == 1, 1.0, -1.0)
    rows = Phi.tolist()  # plain floats: a Python loop over them is faster than over numpy rows
    w, b = [0.0] * Phi.shape[1], 0.0
    accuracy, mistakes = [], []
    for epoch in range(epochs + 1):
        if epoch > 0:
            count = 0
            for phi, ti in zip(rows, t.tolist()):
                if ti * (sum(wj * xj for wj, xj in zip(w, phi)) + b) <= 0:
                    w = [wj + lr * ti * xj for wj, xj in zip(w, phi)]
                    b += lr * ti
                    count += 1
            mistakes.append(count / len(rows))
        else:
            mistakes.append(None)  # no pass yet (None, not NaN: the figure's JSON has no NaN)
        z = Phi @ np.array(w) + b
        accuracy.append(float(np.mean((z > 0) == (y == 1))))
    return np.array(w), b, accuracy, mistakes


class Boundary(NamedTuple):
    X: np.ndarray            # (n, 2) points
    y: np.ndarray            # (n,) labels 0/1
    correct: np.ndarray      # (n,) bool: the trained model classifies the point right
    xs: np.ndarray           # (GRID,) grid coordinates, the same along both axes
    prob: np.ndarray         # (GRID, GRID) P(class 1) (logistic) or the predicted class (perceptron)
    w: np.ndarray
    b: float
    accuracy: list[float]    # training accuracy after each step, step 0 first
    curve: list            # logistic: the BCE loss per step; perceptron: mistakes per epoch
                             # (None for epoch 0)
    converged_at: int | None  # perceptron: the first epoch without a mistake


def decision_boundary(dataset: str = "moons", model: str = "logistic regression",
                      feature_set: str = "x1, x2", steps: int = 20, lr: float = 1.0,
                      noise: float = 0.1, n: int = 200, seed: int = 0,
                      grid: int = GRID) -> Boundary:
    """Train `model` on dlcourse.data.two_d(dataset) for `steps` passes and evaluate it on a grid."""
    from ..data.synthetic import two_d

    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {list(MODELS)}")
    X_t, y_t = two_d(dataset, n=n, noise=noise, seed=seed)
    X, y = X_t.numpy().astype(np.float64), y_t.numpy()
    Phi = features(X, feature_set)
    if model == "perceptron":
        w, b, accuracy, curve = train_perceptron(Phi, y, steps, lr)
        clean = [e for e, m in enumerate(curve) if m == 0]
        converged_at = clean[0] if clean else None
    else:
        w, b, accuracy, curve = train_logistic(Phi, y, steps, lr)
        converged_at = None
    reach = max(1.2, float(np.abs(X).max()) + 0.15)
    xs = np.linspace(-reach, reach, grid)
    gx, gy = np.meshgrid(xs, xs)  # prob[i, j] is at (x = xs[j], y = xs[i]), as plotly draws z
    z = features(np.stack([gx.ravel(), gy.ravel()], axis=1), feature_set) @ w + b
    prob = (z > 0).astype(float) if model == "perceptron" else _sigmoid(z)
    correct = (Phi @ w + b > 0) == (y == 1)
    return Boundary(X, y, correct, xs, prob.reshape(grid, grid), w, float(b), accuracy, curve,
                    converged_at)


def _equation(w: np.ndarray, b: float, feature_set: str) -> str:
    terms = " ".join(f"{'−' if wj < 0 else '+'} {abs(wj):.2f}·{name}"
                     for wj, name in zip(w, FEATURES[feature_set]))
    return f"{b:.2f} {terms}"


class DecisionBoundary(Explorer):
    """Train a perceptron or a logistic regression on a 2D toy set and see its decision boundary.

    Controls: `dataset`, `model`, `features` (x1, x2 and optionally x1·x2 and/or x1², x2²),
    `steps` (passes over the data: full-batch gradient steps for logistic regression, epochs of
    the perceptron rule), `lr` (learning rate) and `noise` (jitter of the points).
    """

    def __init__(self, dataset: str = "moons", model: str = "logistic regression",
                 feature_set: str = "x1, x2", steps: int = 20, lr: float = 1.0,
                 noise: float = 0.1, n: int = 200, seed: int = 0):
        self.n, self.seed = n, seed
        style = {"description_width": "initial"}
        self.controls = {
            "dataset": widgets.Dropdown(options=DATASETS, value=dataset, description="Dataset"),
            "model": widgets.ToggleButtons(options=MODELS, value=model, description="Model",
                                           style={"button_width": "150px"}),
            "features": widgets.Dropdown(options=list(FEATURES), value=feature_set,
                                         description="Features"),
            "steps": widgets.IntSlider(value=steps, min=0, max=300, description="Steps",
                                       continuous_update=False),
            "lr": widgets.SelectionSlider(options=_with(LEARNING_RATES, lr), value=lr,
                                          description="Learning rate", style=style,
                                          continuous_update=False),
            "noise": widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05,
                                         description="Noise", continuous_update=False),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.12,
                            specs=[[{}, {"secondary_y": True}]],
                            subplot_titles=("decision boundary", "training curve"))
        self.fig = figure(fig, title="Decision boundary", height=500,
                          legend=dict(orientation="h", x=0, y=-0.16),
                          margin=dict(l=60, r=60, t=80, b=60))
        self.fig.add_heatmap(row=1, col=1, zmin=0, zmax=1, colorscale=HEAT, showscale=False,
                             hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>P(class 1) %{z:.2f}"
                                           "<extra></extra>")
        self.fig.add_contour(row=1, col=1, showscale=False, showlegend=True, name="decision line",
                             contours=dict(start=0.5, end=0.5, size=1, coloring="lines"),
                             colorscale=[[0, "#222"], [1, "#222"]], line=dict(width=3),
                             hoverinfo="skip")
        for label, color in enumerate(CLASS_COLORS):
            self.fig.add_scatter(row=1, col=1, mode="markers", name=f"class {label}",
                                 marker=dict(size=7, color=color, line=dict(width=1, color="white")))
        self.fig.add_scatter(row=1, col=1, mode="markers", name="misclassified",
                             marker=dict(size=13, symbol="circle-open", color="#d62728",
                                         line=dict(width=2)), hoverinfo="skip")
        self.fig.add_scatter(row=1, col=2, mode="lines", name="training accuracy",
                             line=dict(color="#2ca02c", width=2.5))
        self.fig.add_scatter(row=1, col=2, mode="lines", secondary_y=True, name="loss",
                             line=dict(color="#7f7f7f", width=2, dash="dot"))
        self.fig.update_xaxes(title_text="x1", row=1, col=1, constrain="domain")
        self.fig.update_yaxes(title_text="x2", row=1, col=1, scaleanchor="x", constrain="domain")
        self.fig.update_xaxes(title_text="step (pass over the data)", row=1, col=2)
        self.fig.update_yaxes(title_text="training accuracy", range=[0, 1.03], row=1, col=2,
                              secondary_y=False)
        self.fig.update_yaxes(showgrid=False, tickmode="auto", tickformat=".2f", row=1, col=2,
                              secondary_y=True)
        super().__init__()

    def update(self) -> None:
        v = self.values
        r = decision_boundary(v["dataset"], v["model"], v["features"], v["steps"], v["lr"],
                              v["noise"], n=self.n, seed=self.seed)
        perceptron = v["model"] == "perceptron"
        steps = list(range(len(r.accuracy)))
        with self.fig.batch_update():
            heat, line, class0, class1, wrong, acc, curve = self.fig.data
            heat.update(x=r.xs, y=r.xs, z=r.prob,
                        hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>"
                        + ("predicted class %{z:.0f}" if perceptron else "P(class 1) %{z:.2f}")
                        + "<extra></extra>")
            line.update(x=r.xs, y=r.xs, z=r.prob)
            for trace, label in ((class0, 0), (class1, 1)):
                trace.update(x=r.X[r.y == label, 0], y=r.X[r.y == label, 1])
            wrong.update(x=r.X[~r.correct, 0], y=r.X[~r.correct, 1])
            acc.update(x=steps, y=r.accuracy)
            curve.update(x=steps, y=r.curve,
                         name="mistakes per point in the epoch" if perceptron else "BCE loss")
            self.fig.layout.yaxis3.update(
                title_text="fraction of points updated" if perceptron else "BCE loss (nats)",
                rangemode="tozero")
            self.fig.layout.xaxis2.range = [0, max(steps[-1], 1)]
            reach = float(r.xs[-1])
            self.fig.layout.xaxis.range = [-reach, reach]
            self.fig.layout.yaxis.range = [-reach, reach]
            self.fig.layout.annotations[0].text = ("predicted class (the perceptron gives no "
                                                   "probability)" if perceptron
                                                   else "P(class 1) and the line P = 0.5")
            self.fig.layout.title.text = (f"{v['model'].capitalize()} on “{v['dataset']}” with "
                                          f"features {v['features']}: training accuracy "
                                          f"{r.accuracy[-1]:.1%} after {v['steps']} steps")
        if perceptron:
            note = (f"The perceptron made no mistake in epoch {r.converged_at}: it has converged "
                    "and will not change again." if r.converged_at is not None else
                    "The perceptron still makes mistakes: on data that no line (in these "
                    "features) separates, it never stops updating.")
            note += (" With w and b starting at 0, the learning rate only rescales them: the "
                     "boundary does not depend on it.")
        else:
            note = (f"Final loss {r.curve[-1]:.3f} nats. A learning rate too large makes the loss "
                    "curve jump; too small, and the line hardly moves.")
        self.status.value = (f"Score s = {_equation(r.w, r.b, v['features'])}; class 1 where "
                             f"s &gt; 0. {note}")


GALLERY = {"DecisionBoundary": DecisionBoundary}
