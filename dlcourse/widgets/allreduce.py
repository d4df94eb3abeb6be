"""L3.03: ring all-reduce explorer. N workers each hold a gradient of `size` bytes cut into N
chunks. The ring runs N − 1 reduce-scatter steps (each worker sends one chunk to its right-hand
neighbour, which adds it to its own copy) and N − 1 all-gather steps (the finished chunks travel
round the ring, replacing the stale ones). The grid shows, for the step the slider picks, which
workers' contributions each worker's copy of each chunk holds; the bars, how many bytes each
worker has sent so far, against the 2(N − 1)/N × size the ring needs and the (N − 1) × size a
naive reduce-to-one-worker sends from that worker. `ring_trace` computes it all and is the
schedule the lesson's send/recv implementation follows."""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
from plotly.subplots import make_subplots

from .base import Explorer, figure

MAX_WORKERS = 8
SIZES_MB = (1, 10, 100, 1000)


@dataclass(frozen=True)
class RingState:
    phase: str              # "start", "reduce-scatter" or "all-gather"
    step: int               # 0 at the start, then 1 … 2(N − 1)
    holds: tuple            # holds[w][c]: frozenset of the workers whose chunk c is summed in w's copy
    sends: tuple            # the messages of this step: (from worker, to worker, chunk)
    bytes_sent: tuple       # per worker, bytes sent so far


def ring_trace(n: int, size: float = 1.0) -> list[RingState]:
    """The 2(N − 1) + 1 states of ring all-reduce on `n` workers for a tensor of `size` bytes
    (chunks of size / n). At reduce-scatter step s (0-based) worker w sends chunk (w − s) mod n
    to worker w + 1, which adds it to its own; at all-gather step s worker w sends chunk
    (w + 1 − s) mod n, which the receiver copies."""
    if n < 1:
        raise ValueError("at least one worker")
    holds = [[frozenset({w}) for _ in range(n)] for w in range(n)]
    sent = [0.0] * n
    states = [RingState("start", 0, _frozen(holds), (), tuple(sent))]
    for phase in ("reduce-scatter", "all-gather"):
        for s in range(n - 1):
            offset = -s if phase == "reduce-scatter" else 1 - s
            sends = tuple((w, (w + 1) % n, (w + offset) % n) for w in range(n))
            outgoing = [holds[w][c] for w, _, c in sends]          # everyone sends at once
            for (w, right, c), contribution in zip(sends, outgoing):
                holds[right][c] = (holds[right][c] | contribution if phase == "reduce-scatter"
                                   else contribution)
                sent[w] += size / n
            states.append(RingState(phase, len(states), _frozen(holds), sends, tuple(sent)))
    return states


def _frozen(holds) -> tuple:
    return tuple(tuple(row) for row in holds)


def naive_bytes(n: int, size: float = 1.0) -> tuple[float, float]:
    """Bytes sent by worker 0 and by each other worker when everyone sends to worker 0, which
    sums and sends the result back: ((n − 1)·size, size)."""
    return (n - 1) * size, (size if n > 1 else 0.0)


def _label(contributors: frozenset, n: int) -> str:
    if len(contributors) == n and n > 1:
        return "Σ"
    return "+".join(str(w) for w in sorted(contributors))


class AllReduceExplorer(Explorer):
    """Ring all-reduce step by step. Controls: `workers` (N), `step` (0 … 2(N − 1)) and
    `size_mb` (the gradient's size, for the bytes)."""

    def __init__(self, workers: int = 4, step: int = 0, size_mb: int = 100):
        self.controls = {
            "workers": widgets.IntSlider(value=workers, min=2, max=MAX_WORKERS, description="Workers",
                                         continuous_update=False, layout=widgets.Layout(width="260px")),
            "step": widgets.IntSlider(value=step, min=0, max=2 * (workers - 1), description="Step",
                                      continuous_update=False, layout=widgets.Layout(width="300px")),
            "size_mb": widgets.SelectionSlider(options=SIZES_MB, value=size_mb, description="MB",
                                               continuous_update=False,
                                               layout=widgets.Layout(width="240px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38],
                                        horizontal_spacing=0.12,
                                        subplot_titles=["what each worker's copy holds",
                                                        "MB sent so far, per worker"]),
                          height=430, margin=dict(l=70, r=30, t=95, b=55), showlegend=False)
        self.fig.add_heatmap(row=1, col=1, z=[[0]], text=[[""]], texttemplate="%{text}",
                             colorscale="Blues", zmin=0, zmax=1, showscale=False, xgap=3, ygap=3,
                             hovertemplate="worker %{y}, chunk %{x}: %{text}<extra></extra>")
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="markers", hoverinfo="skip",
                             marker=dict(symbol="square-open", size=34, color="#d62728",
                                         line=dict(width=3)))
        self.fig.add_bar(row=1, col=2, x=[], y=[], marker_color="#1f77b4", orientation="h",
                         hovertemplate="worker %{y}: %{x:.3g} MB<extra></extra>")
        self.fig.add_scatter(row=1, col=2, x=[], y=[], mode="lines", line=dict(color="#2ca02c", dash="dash"),
                             hoverinfo="skip")
        self.fig.add_scatter(row=1, col=2, x=[], y=[], mode="lines", line=dict(color="#d62728", dash="dot"),
                             hoverinfo="skip")
        self.fig.update_yaxes(row=1, col=1, title_text="worker", autorange="reversed", dtick=1)
        self.fig.update_xaxes(row=1, col=1, title_text="chunk", dtick=1)
        self.fig.update_yaxes(row=1, col=2, autorange="reversed", dtick=1)
        self.fig.update_xaxes(row=1, col=2, title_text="MB")
        super().__init__()

    def update(self) -> None:
        v = self.values
        n, size = int(v["workers"]), float(v["size_mb"])
        with self.quiet():
            self.controls["step"].max = 2 * (n - 1)
        step = min(int(self.controls["step"].value), 2 * (n - 1))
        state = ring_trace(n, size)[step]
        ring_total, (naive_root, _) = 2 * (n - 1) / n * size, naive_bytes(n, size)
        workers, chunks = list(range(n)), list(range(n))
        with self.fig.batch_update():
            self.fig.data[0].update(x=chunks, y=workers,
                                    z=[[len(c) / n for c in row] for row in state.holds],
                                    text=[[_label(c, n) for c in row] for row in state.holds])
            self.fig.data[1].update(x=[c for _, _, c in state.sends], y=[r for _, r, _ in state.sends])
            self.fig.data[2].update(x=list(state.bytes_sent), y=workers)
            self.fig.data[3].update(x=[ring_total] * 2, y=[-0.5, n - 0.5])
            self.fig.data[4].update(x=[naive_root] * 2, y=[-0.5, n - 0.5])
            self.fig.update_xaxes(row=1, col=2, range=[0, 1.05 * max(naive_root, ring_total)])
            moves = ", ".join(f"{w}→{r}: chunk {c}" for w, r, c in state.sends[:4])
            more = " …" if len(state.sends) > 4 else ""
            self.fig.layout.title.text = (
                f"Ring all-reduce on {n} workers, step {step} of {2 * (n - 1)} ({state.phase})"
                f"<br><sup>{'messages: ' + moves + more if moves else 'each worker holds its own gradient'}"
                f" · red squares: the chunks received at this step</sup>")
        done = all(len(c) == n for row in state.holds for c in row)
        self.status.value = (
            f"Each worker sends {state.bytes_sent[0]:.4g} MB so far; the whole ring sends "
            f"2(N − 1)/N × {size:g} = {ring_total:.4g} MB per worker (green dashes), under "
            f"2 × {size:g} for any N. "
            f"A naive all-reduce through worker 0 makes worker 0 send (N − 1) × {size:g} = "
            f"{naive_root:.4g} MB (red dots)."
            + (" Done: every worker holds the full sum Σ of every chunk." if done else ""))


GALLERY = {"AllReduceExplorer": AllReduceExplorer}
