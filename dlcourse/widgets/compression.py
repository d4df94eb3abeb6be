"""L3.19: pruning and quantization on one network. Magnitude pruning keeps the largest weights of all
layers together (one global threshold); symmetric quantization then rounds each layer's kept
weights to the 2^b − 1 levels k·s, s = max|w| / (2^(b−1) − 1). The figure shows one layer's weight
histogram with the threshold and the quantization grid (left) and, from a table the lesson
measured beforehand, the network's test accuracy for every bit width and sparsity (right), so a
slider move only looks the accuracy up. Controls: bit width, sparsity, layer."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

BITS = (2, 3, 4, 5, 6, 8, 32)              # 32: float32, no rounding
SPARSITIES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
INDEX_BITS = 16                             # a CSR column index per kept weight (layers < 65,536 wide)
COLOURS = {2: "#d62728", 3: "#ff7f0e", 4: "#bcbd22", 5: "#2ca02c", 6: "#17becf", 8: "#1f77b4",
           32: "#444444"}


def global_threshold(layers, sparsity: float, magnitudes=None) -> float:
    """The magnitude below which the `sparsity` fraction of all layers' weights lies (0: none):
    the k-th smallest |w| over every layer, k = round(sparsity · n), as prune.global_unstructured.
    `magnitudes`: all |w| sorted, when the caller has them already."""
    if magnitudes is None:
        magnitudes = np.concatenate([np.abs(np.asarray(w, dtype=np.float64)).ravel() for w in layers])
        k = int(round(sparsity * magnitudes.size))
        return -1.0 if k == 0 else float(np.partition(magnitudes, k - 1)[k - 1])
    k = int(round(sparsity * magnitudes.size))
    return -1.0 if k == 0 else float(magnitudes[k - 1])   # -1: keep everything, zeros included


def quantize_symmetric(w, bits: int):
    """Round to the grid k·s, |k| ≤ 2^(b−1) − 1, s = max|w| / (2^(b−1) − 1). Returns (values, s)."""
    w = np.asarray(w, dtype=np.float64)
    if bits >= 32:
        return w.copy(), 0.0
    qmax = 2 ** (bits - 1) - 1
    peak = float(np.abs(w).max()) if w.size else 0.0
    scale = peak / qmax if peak > 0 else 1.0
    return np.clip(np.round(w / scale), -qmax, qmax) * scale, scale


def storage_bytes(params: int, kept: int, bits: int) -> float:
    """Bytes for the weights: dense at `bits` each, or CSR (a value and a 16-bit index per kept
    weight), whichever is smaller. float32 dense is params · 4."""
    dense = params * bits / 8
    sparse = kept * (bits + INDEX_BITS) / 8
    return min(dense, sparse)


def compress(layers, bits: int, sparsity: float, layer: int = 0) -> dict:
    """Prune all `layers` with one magnitude threshold, quantize each layer's kept weights; what
    the figure shows for layer `layer`."""
    threshold = global_threshold(layers, sparsity)
    w = np.asarray(layers[layer], dtype=np.float64).ravel()
    mask = np.abs(w) > threshold
    values, scale = quantize_symmetric(w * mask, bits)
    params = sum(int(np.asarray(x).size) for x in layers)
    kept_all = sum(int((np.abs(np.asarray(x)) > threshold).sum()) for x in layers)
    qmax = 2 ** (bits - 1) - 1
    levels = scale * np.arange(-qmax, qmax + 1) if bits < 32 else np.array([])
    return dict(threshold=threshold, mask=mask, quantized=values, scale=scale, levels=levels,
                kept=int(mask.sum()), size=int(w.size), kept_all=kept_all, params=params,
                rmse=float(np.sqrt(np.mean((values - w) ** 2))),
                bytes=storage_bytes(params, kept_all, bits), fp32_bytes=params * 4)


def weight_error_table(layers, bits=BITS, sparsities=SPARSITIES) -> np.ndarray:
    """(len(bits), len(sparsities)) relative weight error ‖ŵ − w‖ / ‖w‖ over all layers: what the
    right panel shows when no measured accuracy table is given."""
    flat = [np.asarray(w, dtype=np.float64).ravel() for w in layers]
    w_all = np.concatenate(flat)
    magnitudes = np.sort(np.abs(w_all))
    table = np.zeros((len(bits), len(sparsities)))
    for j, s in enumerate(sparsities):
        threshold = global_threshold(layers, s, magnitudes)
        pruned = [w * (np.abs(w) > threshold) for w in flat]
        for i, b in enumerate(bits):
            approx = np.concatenate([quantize_symmetric(w, b)[0] for w in pruned])
            table[i, j] = np.linalg.norm(approx - w_all) / np.linalg.norm(w_all)
    return table


class CompressionExplorer(Explorer):
    """Prune and quantize a network's weights; read the accuracy the lesson measured.

    `layers`: the weight matrices (arrays or tensors), `names`: their labels. `accuracy`: a
    (len(BITS), len(SPARSITIES)) table of test accuracy measured after pruning and quantizing all
    layers that way (no fine-tuning); without it the right panel shows the relative weight error.
    `finetuned`: optional {sparsity: accuracy after fine-tuning}, drawn as a dashed line."""

    def __init__(self, layers, names=None, accuracy=None, finetuned=None, bits: int = 8,
                 sparsity: float = 0.9, layer: int = 0):
        self.layers = [np.asarray(getattr(w, "detach", lambda: w)(), dtype=np.float32) for w in layers]
        self.names = list(names or [f"layer {i + 1}" for i in range(len(self.layers))])
        self.measured = accuracy is not None
        self.table = np.asarray(accuracy if accuracy is not None else weight_error_table(self.layers),
                                dtype=np.float64)
        if self.table.shape != (len(BITS), len(SPARSITIES)):
            raise ValueError(f"the table must be (bits, sparsities) = {(len(BITS), len(SPARSITIES))}")
        self.finetuned = dict(finetuned or {})
        self.controls = {
            "bits": widgets.SelectionSlider(options=[(("float32" if b == 32 else f"{b}-bit"), b) for b in BITS],
                                            value=bits, description="Weights", continuous_update=False,
                                            layout=widgets.Layout(width="300px")),
            "sparsity": widgets.SelectionSlider(options=[(f"{s:.0%}", s) for s in SPARSITIES],
                                                value=sparsity, description="Pruned",
                                                continuous_update=False,
                                                layout=widgets.Layout(width="300px")),
            "layer": widgets.Dropdown(options=[(n, i) for i, n in enumerate(self.names)], value=layer,
                                      description="Layer", layout=widgets.Layout(width="220px")),
        }
        what = "test accuracy (%)" if self.measured else "relative weight error"
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                                        horizontal_spacing=0.1,
                                        subplot_titles=["weights", what + ", no fine-tuning"]),
                          height=430, margin=dict(l=60, r=20, t=95, b=50),
                          legend=dict(orientation="h", y=-0.18, x=0.55, font=dict(size=11)))
        self.fig.add_bar(row=1, col=1, x=[0], y=[0], marker_color="#1f77b4", name="kept weights",
                         showlegend=False, hovertemplate="w ≈ %{x:.3f}: %{y} weights<extra></extra>")
        self.fig.add_scatter(row=1, col=1, x=[0], y=[0], mode="markers", name="grid levels",
                             marker=dict(symbol="line-ns-open", size=12, color="#d62728"), showlegend=False,
                             hovertemplate="level %{x:.4f}<extra></extra>")
        for k, b in enumerate(BITS):
            self.fig.add_scatter(row=1, col=2, x=[100 * s for s in SPARSITIES],
                                 y=self._shown(self.table[k]), mode="lines",
                                 line=dict(color=COLOURS[b], width=1.5),
                                 name="float32" if b == 32 else f"{b}-bit")
        ft = sorted(self.finetuned.items())
        self.fig.add_scatter(row=1, col=2, x=[100 * s for s, _ in ft], y=self._shown([a for _, a in ft]),
                             mode="lines+markers", line=dict(color="#444444", dash="dash"),
                             name="float32, fine-tuned", visible=bool(ft))
        self.fig.add_scatter(row=1, col=2, x=[0], y=[0], mode="markers", showlegend=False,
                             marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(width=2.5, color="black")),
                             hovertemplate="%{y:.2f}<extra>this setting</extra>")
        self.fig.update_xaxes(row=1, col=1, title_text="weight value")
        self.fig.update_yaxes(row=1, col=1, title_text="count", type="log")
        self.fig.update_xaxes(row=1, col=2, title_text="pruned (%)")
        if not self.measured:
            self.fig.update_yaxes(row=1, col=2, type="log")
        super().__init__()

    def _shown(self, values):
        return [100 * v for v in values] if self.measured else list(values)

    def state(self) -> dict:
        """What the figure shows, from the controls (a test reads it)."""
        v = self.values
        out = compress(self.layers, v["bits"], v["sparsity"], v["layer"])
        out["table_value"] = float(self.table[BITS.index(v["bits"]), SPARSITIES.index(v["sparsity"])])
        return out

    def update(self) -> None:
        v = self.values
        s = self.state()
        w = self.layers[v["layer"]].ravel()
        peak = float(np.abs(w).max())
        edges = np.linspace(-peak, peak, 122)
        counts, _ = np.histogram(s["quantized"][s["mask"]], bins=edges)
        centres = (edges[:-1] + edges[1:]) / 2
        shown = self._shown([s["table_value"]])[0]
        with self.fig.batch_update():
            self.fig.data[0].update(x=centres, y=counts, width=edges[1] - edges[0])
            self.fig.data[1].update(x=s["levels"], y=np.full(len(s["levels"]), 0.8),
                                    visible=bool(len(s["levels"])))
            self.fig.data[-1].update(x=[100 * v["sparsity"]], y=[shown])
            self.fig.layout.annotations[0].text = (
                f"{self.names[v['layer']]}: {s['kept']:,} of {s['size']:,} kept · "
                + (f"{len(s['levels'])} levels, step {s['scale']:.4f}" if len(s["levels"]) else "float32"))
            ratio = s["fp32_bytes"] / s["bytes"]
            result = (f"test accuracy {shown:.2f}%" if self.measured else
                      f"relative weight error {shown:.3f}")
            self.fig.layout.title.text = (
                f"{v['sparsity']:.0%} pruned, {'float32' if v['bits'] == 32 else str(v['bits']) + '-bit'} "
                f"weights: {s['bytes'] / 1024:,.1f} KiB instead of {s['fp32_bytes'] / 1024:,.1f} KiB "
                f"({ratio:.1f}× smaller)<br><sup>{result} · weight RMS error in this layer "
                f"{s['rmse']:.2e}</sup>")
        sparse = s["bytes"] < s["params"] * v["bits"] / 8
        layout = "CSR (a value and a 16-bit column index per kept weight)" if sparse else "dense"
        self.status.value = (
            f"Threshold |w| ≤ {max(s['threshold'], 0):.4f} for all layers together. Storage: "
            f"{layout}, the smaller of dense and CSR; scales and biases not counted.")


def _demo_layers():
    rng = np.random.default_rng(0)
    return [rng.laplace(0, 0.05, (128, 256)), rng.laplace(0, 0.08, (64, 128)),
            rng.laplace(0, 0.2, (10, 64))]


GALLERY = {"CompressionExplorer":
           lambda: CompressionExplorer(_demo_layers(), ["256→128", "128→64", "64→10"])}
