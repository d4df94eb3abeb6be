"""L3.09: attention as a soft lookup, in two dimensions. A few keys, each with a value, and a query
you move. Left: the keys (arrows from the origin), the query, the values (squares) and the output,
the weighted sum of the values (a star); each value's square is as opaque as its weight. Right:
the scores q·k/(√d·T) and the softmax weights, one pair of bars per key.

Controls: the query's x and y, the temperature T (T = 1 is scaled dot-product attention; small T
makes the lookup hard, large T spreads the weight evenly) and the set of keys (spread out, two
nearly alike, one long key: a key's length counts as much as its direction).
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

# name → (keys (n, 2), values (n, 2)); a value sits next to its key so the picture reads easily
KEY_SETS = {
    "four directions": (np.array([[1.5, 0.0], [0.0, 1.5], [-1.5, 0.0], [0.0, -1.5]]),
                        np.array([[2.0, 0.5], [-0.5, 2.0], [-2.0, -0.5], [0.5, -2.0]])),
    "two keys nearly alike": (np.array([[1.5, 0.3], [1.5, -0.3], [-1.5, 0.0], [0.0, 1.5]]),
                              np.array([[2.0, 1.0], [2.0, -1.0], [-2.0, 0.0], [0.0, 2.0]])),
    "one long key": (np.array([[3.0, 0.0], [0.5, 0.8], [-1.5, 0.0], [0.0, -1.5]]),
                     np.array([[2.0, -1.0], [0.0, 2.0], [-2.0, 0.5], [0.5, -2.0]])),
}
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def lookup(query, keys, values, temperature: float = 1.0):
    """Scaled dot-product attention for one query: scores q·kⱼ / (√d · T), weights = softmax of the
    scores, output = Σ weights_j · v_j. Returns (scores, weights, output) as float64 arrays."""
    if not temperature > 0:
        raise ValueError(f"the temperature must be positive, got {temperature}")
    q, K, V = (np.asarray(a, dtype=np.float64) for a in (query, keys, values))
    scores = K @ q / (np.sqrt(K.shape[1]) * temperature)
    weights = np.exp(scores - scores.max())
    weights /= weights.sum()
    return scores, weights, weights @ V


class QueryKeyExplorer(Explorer):
    """Move a 2-D query among four keys and see scores, softmax weights and the weighted value sum.

    Controls: `qx`, `qy` (the query), `temperature` (T; the scores are q·k/(√2·T)) and `keys`
    (one of KEY_SETS)."""

    def __init__(self, qx: float = 1.0, qy: float = 0.5, temperature: float = 1.0,
                 keys: str = "four directions"):
        slider = dict(min=-3.0, max=3.0, step=0.1, continuous_update=True,
                      layout=widgets.Layout(width="230px"))
        self.controls = {
            "qx": widgets.FloatSlider(value=qx, description="query x", **slider),
            "qy": widgets.FloatSlider(value=qy, description="query y", **slider),
            "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.05,
                                                  description="T", layout=widgets.Layout(width="230px")),
            "keys": widgets.Dropdown(options=list(KEY_SETS), value=keys, description="keys",
                                     layout=widgets.Layout(width="260px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.12,
                                        subplot_titles=["keys, values, query and output", "per key"]),
                          height=460, margin=dict(l=50, r=20, t=90, b=50))
        n = len(COLORS)
        for j in range(n):      # traces 0..n-1: key arrows (a line from the origin to the key)
            self.fig.add_scatter(row=1, col=1, x=[0, 0], y=[0, 0], mode="lines+markers+text",
                                 line=dict(color=COLORS[j], width=3), marker=dict(size=[0, 9], color=COLORS[j]),
                                 text=["", f"k{j + 1}"], textposition="top center", name=f"key {j + 1}",
                                 showlegend=False)
        self.fig.add_scatter(row=1, col=1, x=[0] * n, y=[0] * n, mode="markers+text",   # n: values
                             marker=dict(symbol="square", size=16, color=list(COLORS), opacity=1.0),
                             text=[f"v{j + 1}" for j in range(n)], textposition="bottom center",
                             name="values", showlegend=False)
        self.fig.add_scatter(row=1, col=1, x=[0, 0], y=[0, 0], mode="lines+markers",     # n+1: query
                             line=dict(color="black", width=3, dash="dot"), marker=dict(size=[0, 12], color="black"),
                             name="query", showlegend=False)
        self.fig.add_scatter(row=1, col=1, x=[0], y=[0], mode="markers", name="output Σ αⱼvⱼ",  # n+2
                             marker=dict(symbol="star", size=20, color="gold", line=dict(color="black", width=1)),
                             showlegend=False)
        labels = [f"k{j + 1}" for j in range(n)]
        self.fig.add_bar(row=1, col=2, x=labels, y=[0] * n, name="score q·k/(√d·T)",       # n+3
                         marker_color="#c7c7c7")
        self.fig.add_bar(row=1, col=2, x=labels, y=[0] * n, name="weight (softmax)",         # n+4
                         marker_color=list(COLORS), text=[""] * n, textposition="outside")
        self.fig.update_xaxes(row=1, col=1, range=[-3.4, 3.4], zeroline=True)
        self.fig.update_yaxes(row=1, col=1, range=[-3.4, 3.4], scaleanchor="x", zeroline=True)
        self.fig.update_layout(legend=dict(orientation="h", x=0.6, y=-0.12), barmode="group")
        self.fig.update_yaxes(row=1, col=2, title_text="score / weight")
        super().__init__()

    def state(self) -> dict:
        """What the figure shows, computed from the controls (a test reads it)."""
        v = self.values
        keys, values = KEY_SETS[v["keys"]]
        query = np.array([v["qx"], v["qy"]])
        scores, weights, output = lookup(query, keys, values, v["temperature"])
        return dict(query=query, keys=keys, values=values, scores=scores, weights=weights, output=output)

    def update(self) -> None:
        s = self.state()
        n = len(s["keys"])
        best = int(np.argmax(s["weights"]))
        entropy = float(-(s["weights"] * np.log(np.maximum(s["weights"], 1e-300))).sum())
        with self.fig.batch_update():
            for j, (kx, ky) in enumerate(s["keys"]):
                self.fig.data[j].update(x=[0, kx], y=[0, ky])
            self.fig.data[n].update(x=s["values"][:, 0], y=s["values"][:, 1],
                                    marker=dict(opacity=list(0.15 + 0.85 * s["weights"])))
            self.fig.data[n + 1].update(x=[0, s["query"][0]], y=[0, s["query"][1]])
            self.fig.data[n + 2].update(x=[s["output"][0]], y=[s["output"][1]])
            self.fig.data[n + 3].update(y=s["scores"])
            self.fig.data[n + 4].update(y=s["weights"], text=[f"{w:.2f}" for w in s["weights"]])
            self.fig.layout.title.text = (
                f"softmax(q·K<sup>T</sup>/(√2·T)), T = {self.values['temperature']:.2f}"
                f"<br><sup>weights {', '.join(f'{w:.2f}' for w in s['weights'])} · output "
                f"({s['output'][0]:.2f}, {s['output'][1]:.2f})</sup>")
        self.status.value = (
            f"The query matches key {best + 1} best (weight {s['weights'][best]:.2f}); the output is "
            f"the weighted average of the values, pulled towards v{best + 1}. Entropy of the weights "
            f"{entropy:.2f} nats (uniform over {n}: {np.log(n):.2f}).")


GALLERY = {"QueryKeyExplorer": QueryKeyExplorer}
