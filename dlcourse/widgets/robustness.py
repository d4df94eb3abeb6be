"""L3.21: robustness explorer. Pick a test digit, an attack (FGSM or PGD) and its budget ε, and an
attribution method (saliency or integrated gradients). Each of two classifiers, a clean-trained one
and an adversarially trained one, is attacked with its *own* gradients (white box); one row per
model shows the attacked image, the perturbation δ = x_adv − x, the attribution map of the attacked
image for the class the model then predicts, and its class probabilities on the clean image and on
the attacked one.

Pixels live in [0, 1]; every attack keeps ‖δ‖∞ ≤ ε and the image in [0, 1]. PGD here starts at x
(no random start) so that the figure is reproducible and ε = 0 shows the clean image. One image,
two models, ten PGD steps and 32 integrated-gradient points in one batch: well under a second on
one thread for LeNet.

Without models, a demo that opens at once: two small CNNs (2,922 weights each) trained on MNIST,
one of them adversarially, shipped with 24 test digits in robustness_demo.json (made by
`train_demo()` and `save_demo()`).
"""
from __future__ import annotations

import base64
import json
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..runtime import one_thread
from .base import Explorer, figure

ATTACKS = ("FGSM", "PGD")
ATTRIBUTIONS = ("saliency", "integrated gradients")
PGD_STEPS = 10            # steps of the explorer's PGD, each of size 2.5 ε / PGD_STEPS
IG_STEPS = 32             # midpoint Riemann steps of the explorer's integrated gradients
EPS_MAX = 0.4
DEMO_EPS = 0.25


# --- attacks and attributions (the lesson writes them itself; these draw the figure) ----------
def fgsm(model, x, y, eps: float):
    """x + ε · sign(∇ₓ loss), clipped to [0, 1] (Goodfellow et al. 2015)."""
    import torch
    import torch.nn.functional as F
    x = x.detach().clone().requires_grad_(True)
    grad, = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x + eps * grad.sign()).clamp(0, 1).detach()


def pgd(model, x, y, eps: float, steps: int = PGD_STEPS, alpha: float | None = None):
    """Projected gradient ascent on the loss in the L∞ ball of radius ε around x (Madry et al.
    2018), starting at x: step α · sign(gradient), then project onto the ball and onto [0, 1]."""
    import torch
    import torch.nn.functional as F
    alpha = 2.5 * eps / steps if alpha is None else alpha
    x = x.detach()
    x_adv = x.clone()
    for _ in range(steps):
        x_adv.requires_grad_(True)
        grad, = torch.autograd.grad(F.cross_entropy(model(x_adv), y), x_adv)
        x_adv = x_adv.detach() + alpha * grad.sign()
        x_adv = (x + (x_adv - x).clamp(-eps, eps)).clamp(0, 1)
    return x_adv.detach()


def saliency(model, x, target):
    """|∂ logit_target / ∂x| for each image of the batch x (Simonyan et al. 2014)."""
    import torch
    x = x.detach().clone().requires_grad_(True)
    logits = model(x)
    grad, = torch.autograd.grad(logits.gather(1, target[:, None]).sum(), x)
    return grad.abs()


def integrated_gradients(model, x, target, baseline=None, steps: int = IG_STEPS):
    """(x − x') ⊙ the mean gradient of logit_target at the midpoints x' + (k − ½)/m · (x − x'),
    k = 1…m (Sundararajan et al. 2017); baseline x' is black (zeros) unless given."""
    import torch
    baseline = torch.zeros_like(x) if baseline is None else baseline
    alphas = (torch.arange(steps, dtype=x.dtype) + 0.5) / steps
    path = baseline[None] + alphas.reshape(-1, *[1] * x.dim()) * (x - baseline)[None]   # (m, N, …)
    path = path.reshape(-1, *x.shape[1:]).detach().requires_grad_(True)               # one batch
    grad, = torch.autograd.grad(model(path).gather(1, target.repeat(steps)[:, None]).sum(), path)
    return (x - baseline) * grad.reshape(steps, *x.shape).mean(0)


def explain(model, image, label: int, attack: str, eps: float, attribution: str) -> dict:
    """Attack one image (1, 28, 28) of class `label` against `model`, then explain the attacked
    image: dict(adversarial (28, 28), delta (28, 28), clean_probs (10,), probs (10,),
    prediction, attribution (28, 28), target (the class explained: the prediction))."""
    import torch
    if attack not in ATTACKS:
        raise ValueError(f"attack must be one of {ATTACKS}, not {attack!r}")
    if attribution not in ATTRIBUTIONS:
        raise ValueError(f"attribution must be one of {ATTRIBUTIONS}, not {attribution!r}")
    model = model.eval()
    x = torch.as_tensor(image, dtype=torch.float32).reshape(1, 1, 28, 28)
    y = torch.tensor([int(label)])
    with one_thread():
        x_adv = fgsm(model, x, y, eps) if attack == "FGSM" else pgd(model, x, y, eps)
        with torch.no_grad():
            clean_probs = model(x).softmax(1)[0]
            probs = model(x_adv).softmax(1)[0]
        target = probs.argmax().reshape(1)
        method = saliency if attribution == "saliency" else integrated_gradients
        attr = method(model, x_adv, target)
    return dict(adversarial=x_adv[0, 0].numpy(), delta=(x_adv - x)[0, 0].numpy(),
                clean_probs=clean_probs.numpy(), probs=probs.numpy(), prediction=int(target),
                attribution=attr[0, 0].numpy(), target=int(target))


# --- the demo: two small CNNs on MNIST, shipped as robustness_demo.json ------------------------
def small_cnn():
    """The demo's classifier, 2,922 weights: conv 5×5 (4) → pool → conv 5×5 (8) → pool → linear."""
    from torch import nn
    return nn.Sequential(nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 8, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8 * 5 * 5, 10))


def train_demo(epochs: int = 2, eps: float = DEMO_EPS, seed: int = 0, train: int = 60_000):
    """Train the shipped pair on MNIST (pixels in [0, 1]): `small_cnn` on clean images, and the same
    net on FGSM images of budget `eps` taken from a random start in the ε-ball (Wong et al. 2020).
    Returns ({name: model}, 24 test images, their labels, a note with both models' test accuracies)."""
    import torch
    import torch.nn.functional as F

    from ..data import load_mnist
    X, y = load_mnist("train", limit=train)
    Xt, yt = load_mnist("test", limit=2_000)
    g = torch.Generator().manual_seed(seed)
    models, notes = {}, []
    with one_thread():
        for name, adversarial in (("clean-trained", False), ("adversarially trained", True)):
            torch.manual_seed(seed)
            model = small_cnn()
            optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
            for _ in range(epochs):
                for idx in torch.randperm(len(X), generator=g).split(64):
                    xb, yb = X[idx], y[idx]
                    if adversarial:
                        start = (xb + eps * (2 * torch.rand(xb.shape, generator=g) - 1)).clamp(0, 1)
                        step = fgsm(model, start, yb, 1.25 * eps)
                        xb = (xb + (step - xb).clamp(-eps, eps)).clamp(0, 1)
                    loss = F.cross_entropy(model(xb), yb)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            model.eval()
            attacked_images = fgsm(model, Xt, yt, eps)
            with torch.no_grad():
                clean = (model(Xt).argmax(1) == yt).float().mean().item()
                attacked = (model(attacked_images).argmax(1) == yt).float().mean().item()
            models[name] = model
            notes.append(f"{name}: test accuracy {clean:.3f}, under FGSM ε = {eps} {attacked:.3f}")
    about = (f"small_cnn × 2, Adam 2e-3, {epochs} epochs on {len(X):,} MNIST images, seed {seed}; "
             + "; ".join(notes) + " (2,000 test images)")
    return models, Xt[:24], yt[:24], about


def _encode(array: np.ndarray, dtype: str) -> dict:
    return dict(shape=list(array.shape), data=base64.b64encode(array.astype(dtype).tobytes()).decode("ascii"))


def _decode(entry: dict, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(entry["data"]), dtype=dtype).reshape(entry["shape"]).copy()


def save_demo(models, images, labels, about: str, path: Path | None = None) -> None:
    """Write `train_demo`'s result: weights as float16, images as uint8 (0–255), base64."""
    path = path or Path(__file__).with_name("robustness_demo.json")
    saved = dict(about=about,
                 models={name: {k: _encode(v.detach().numpy(), "<f2") for k, v in m.state_dict().items()}
                         for name, m in models.items()},
                 images=_encode(np.round(np.asarray(images) * 255), "u1"),
                 labels=np.asarray(labels).astype(int).tolist())
    path.write_text(json.dumps(saved), encoding="utf-8")


@lru_cache(maxsize=1)
def demo():
    """The pair that ships with the course (robustness_demo.json): ({name: model}, images
    (24, 1, 28, 28) in [0, 1], labels (24,), a note on how they were trained)."""
    import torch
    saved = json.loads(Path(__file__).with_name("robustness_demo.json").read_text(encoding="utf-8"))
    models = {}
    for name, state in saved["models"].items():
        model = small_cnn()
        model.load_state_dict({k: torch.from_numpy(_decode(v, "<f2").astype(np.float32))
                               for k, v in state.items()})
        models[name] = model.eval()
    images = torch.from_numpy(_decode(saved["images"], "u1").astype(np.float32) / 255)
    return models, images, torch.tensor(saved["labels"]), saved["about"]


class RobustnessExplorer(Explorer):
    """Attack and explain one digit, for two models side by side.

    `models`: {name: classifier} taking (N, 1, 28, 28) pixels in [0, 1] to 10 logits (the lesson
    passes its clean-trained and adversarially trained LeNets); `images` (N, 1, 28, 28) in [0, 1]
    and their `labels` (N,). Without models, the shipped demo pair (`demo()`).
    Controls: `image` (index), `attack` (FGSM / PGD), `eps` (the L∞ budget), `attribution`."""

    def __init__(self, models=None, images=None, labels=None, image: int = 0, attack: str = "FGSM",
                 eps: float = 0.0, attribution: str = "saliency"):
        if models is None:
            models, images, labels, _ = demo()
        if len(models) != 2:
            raise ValueError("pass two models, e.g. {'clean-trained': …, 'adversarially trained': …}")
        self.models = {name: model.eval() for name, model in models.items()}
        self.images = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)
        self.labels = np.asarray(labels).astype(int)
        self.controls = {
            "image": widgets.IntSlider(value=image, min=0, max=len(self.images) - 1, description="Image",
                                       continuous_update=False, layout=widgets.Layout(width="250px")),
            "attack": widgets.ToggleButtons(options=list(ATTACKS), value=attack, description="Attack"),
            "eps": widgets.FloatSlider(value=eps, min=0.0, max=EPS_MAX, step=0.01, description="ε",
                                       continuous_update=False, readout_format=".2f",
                                       layout=widgets.Layout(width="250px")),
            "attribution": widgets.Dropdown(options=list(ATTRIBUTIONS), value=attribution,
                                            description="Explain", layout=widgets.Layout(width="260px")),
        }
        self.controls["attack"].style.button_width = "60px"
        names = list(self.models)
        titles = [t for name in names for t in ("attacked image", "perturbation δ", "attribution",
                                                  f"<b>{name}</b>: probabilities")]
        self.fig = figure(make_subplots(rows=2, cols=4, column_widths=[0.21, 0.21, 0.21, 0.37],
                                        horizontal_spacing=0.05, vertical_spacing=0.14,
                                        subplot_titles=titles),
                          height=580, margin=dict(l=20, r=20, t=100, b=70),
                          legend=dict(orientation="h", x=0.62, y=-0.09))
        for row in (1, 2):
            self.fig.add_heatmap(z=np.zeros((28, 28)), colorscale="gray_r", zmin=0, zmax=1, showscale=False,
                                 hovertemplate="pixel [%{y}, %{x}]: %{z:.2f}<extra></extra>", row=row, col=1)
            self.fig.add_heatmap(z=np.zeros((28, 28)), colorscale="RdBu_r", zmin=-EPS_MAX, zmax=EPS_MAX,
                                 showscale=False, hovertemplate="δ [%{y}, %{x}]: %{z:+.3f}<extra></extra>",
                                 row=row, col=2)
            self.fig.add_heatmap(z=np.zeros((28, 28)), colorscale="RdBu_r", zmid=0, showscale=False,
                                 hovertemplate="[%{y}, %{x}]: %{z:.3g}<extra></extra>", row=row, col=3)
            self.fig.add_bar(x=list(range(10)), y=np.zeros(10), name="clean image", marker_color="#bbbbbb",
                             showlegend=row == 1, row=row, col=4)
            self.fig.add_bar(x=list(range(10)), y=np.zeros(10), name="attacked image", marker_color="#d62728",
                             showlegend=row == 1, row=row, col=4)
            for col in (1, 2, 3):
                self.fig.update_yaxes(row=row, col=col, autorange="reversed", scaleanchor=f"x{(row - 1) * 4 + col}",
                                      constrain="domain", visible=False)
                self.fig.update_xaxes(row=row, col=col, constrain="domain", visible=False)
            self.fig.update_yaxes(row=row, col=4, range=[0, 1.05], tickformat=".0%")
            self.fig.update_xaxes(row=row, col=4, dtick=1)
        self.fig.update_layout(barmode="group", bargap=0.25)
        super().__init__()

    def state(self) -> dict:
        """What the figure shows, per model name (a test reads it): `explain`'s dict, plus the
        clean image and its label."""
        v = self.values
        image, label = self.images[v["image"]], int(self.labels[v["image"]])
        out = {name: explain(model, image, label, v["attack"], float(v["eps"]), v["attribution"])
               for name, model in self.models.items()}
        return dict(image=image, label=label, models=out)

    def update(self) -> None:
        s = self.state()
        v = self.values
        lines = []
        with self.fig.batch_update():
            for row, (name, r) in enumerate(s["models"].items()):
                first = 5 * row
                self.fig.data[first].update(z=r["adversarial"])
                self.fig.data[first + 1].update(z=r["delta"])
                attr = r["attribution"]
                scale = float(np.abs(attr).max()) or 1.0
                if v["attribution"] == "saliency":
                    self.fig.data[first + 2].update(z=attr, colorscale="Reds", zmin=0, zmax=scale, zmid=None)
                else:
                    self.fig.data[first + 2].update(z=attr, colorscale="RdBu_r", zmin=-scale, zmax=scale)
                self.fig.data[first + 3].update(y=r["clean_probs"])
                self.fig.data[first + 4].update(y=r["probs"])
                anno = self.fig.layout.annotations
                anno[4 * row].text = (f"attacked: reads {r['prediction']}"
                                      + (" ✓" if r["prediction"] == s["label"] else " ✗"))
                anno[4 * row + 1].text = f"δ, max |δ| = {np.abs(r['delta']).max():.2f}"
                label = "saliency" if v["attribution"] == "saliency" else "IG"
                anno[4 * row + 2].text = f"{label} for class {r['target']}"
                anno[4 * row + 3].text = (f"<b>{name}</b>: p({s['label']}) {r['clean_probs'][s['label']]:.0%} → "
                                          f"{r['probs'][s['label']]:.0%}")
                lines.append(f"{name}: {int(r['clean_probs'].argmax())} → {r['prediction']}")
            self.fig.layout.title.text = (
                f"Digit {s['label']} under {v['attack']} with ε = {v['eps']:.2f}<br><sup>each model is "
                f"attacked with its own gradients; the attribution explains the class it predicts on the "
                f"attacked image</sup>")
        self.status.value = "prediction, clean → attacked: " + " · ".join(lines)


GALLERY = {"RobustnessExplorer": lambda: RobustnessExplorer(image=3, eps=0.25)}
