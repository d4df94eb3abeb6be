"""The training loop, once a lesson has taught it: fit, evaluate, a history, a progress bar.

    history = dlcourse.train.fit(model, train_loader, loss_fn, optimizer, epochs=5,
                                 val_loader=val_loader, device=device, live_plot=True)

It is the loop of L2.01 and nothing more; keep it that way, so a learner can read it. The loss is
summed on the device and read once per epoch, so the loop adds no synchronisation to each step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in vars(self).items() if v}
        return f"History(epochs={len(self.train_loss)}, last={last})"


def _batches(loader: Iterable, device):
    if device is None:
        yield from loader
    else:
        for batch in loader:
            yield [t.to(device, non_blocking=True) for t in batch]


def train_epoch(model, loader: Iterable, loss_fn: Callable, optimizer, device=None,
                progress=None) -> float:
    """One pass over `loader`; returns the mean training loss."""
    import torch
    model.train()
    total, count = torch.zeros((), device=device), 0
    for x, y in _batches(loader, device):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total.add_(loss.detach(), alpha=len(x))
        count += len(x)
        if progress is not None:
            progress.update(1)
    return (total / max(count, 1)).item()


def evaluate(model, loader: Iterable, loss_fn: Callable, device=None) -> tuple[float, float]:
    """Mean loss and accuracy (for class logits; NaN otherwise) over `loader`."""
    import torch
    model.eval()
    total, correct, count, classes = 0.0, 0, 0, True
    with torch.no_grad():
        for x, y in _batches(loader, device):
            out = model(x)
            total += loss_fn(out, y).item() * len(x)
            classes = classes and out.ndim == 2 and y.ndim == 1 and not y.is_floating_point()
            if classes:
                correct += (out.argmax(1) == y).sum().item()
            count += len(x)
    accuracy = correct / count if count and classes else float("nan")
    return total / max(count, 1), accuracy


def fit(model, train_loader, loss_fn: Callable, optimizer, epochs: int = 1, val_loader=None,
        device=None, progress: bool = True, live_plot: bool = False,
        scheduler=None) -> History:
    """Train for `epochs`; evaluate on `val_loader` after each; return the History."""
    from tqdm.auto import tqdm
    history = History()
    plot = _LivePlot() if live_plot else None
    steps = epochs * len(train_loader) if hasattr(train_loader, "__len__") else None
    with tqdm(total=steps, disable=not progress, unit="step", leave=False) as bar:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            history.train_loss.append(train_epoch(model, train_loader, loss_fn, optimizer,
                                                  device, bar))
            if scheduler is not None:
                scheduler.step()
            if val_loader is not None:
                val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_acc)
            bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in vars(history).items() if v})
            if plot:
                plot.update(history)
    return history


class _LivePlot:
    """Loss curves (and accuracy) redrawn after every epoch in a FigureWidget."""

    def __init__(self):
        import plotly.graph_objects as go
        from IPython.display import display
        from plotly.subplots import make_subplots
        fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "validation accuracy"))
        self.fig = go.FigureWidget(fig)
        for name, col in (("train", 1), ("validation", 1), ("accuracy", 2)):
            self.fig.add_scatter(x=[], y=[], name=name, mode="lines+markers", row=1, col=col)
        self.fig.update_layout(template="plotly_white", height=320, width=800,
                               margin=dict(t=40, b=40))
        self.fig.update_xaxes(title_text="epoch")
        display(self.fig)

    def update(self, history: History) -> None:
        series = (history.train_loss, history.val_loss, history.val_accuracy)
        with self.fig.batch_update():
            for trace, ys in zip(self.fig.data, series):
                trace.x, trace.y = list(range(1, len(ys) + 1)), list(ys)
