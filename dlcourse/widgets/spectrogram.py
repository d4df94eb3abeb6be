"""L3.23: the spectrogram explorer. Synthetic one-second clips at 8 kHz in four classes (a steady
tone, a chirp sweeping up, a chirp sweeping down, bursts of noise), each with a random pitch,
loudness and background noise; the figure shows one clip's waveform (top) and its log-magnitude
spectrogram from `torch.stft` with a Hann window and hop = window / 2 (bottom). Controls: the class,
the clip (its seed) and the window size, which trades time resolution for frequency resolution."""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

SAMPLE_RATE = 8000
CLASSES = ("tone", "chirp up", "chirp down", "noise bursts")
WINDOWS = (64, 128, 256, 512, 1024)


def synth_clip(kind: int, generator):
    """One second (8,000 samples, float32) of class `kind` (an index into CLASSES)."""
    import torch
    n = SAMPLE_RATE
    t = torch.arange(n, dtype=torch.float32) / SAMPLE_RATE

    def uniform(low, high):
        return low + (high - low) * torch.rand((), generator=generator).item()

    if kind == 0:                                           # a steady tone, 300–3000 Hz
        x = torch.sin(2 * math.pi * uniform(300, 3000) * t)
    elif kind in (1, 2):                                    # a linear chirp between two pitches
        f0, f1 = uniform(300, 1200), uniform(1800, 3500)
        if kind == 2:
            f0, f1 = f1, f0
        x = torch.sin(2 * math.pi * (f0 * t + (f1 - f0) * t ** 2 / 2))
    else:                                                   # 2–5 bursts of white noise
        x = torch.zeros(n)
        for _ in range(int(uniform(2, 6))):
            start, length = int(uniform(0, n - 1200)), int(uniform(400, 1200))
            x[start:start + length] = 0.7 * torch.randn(length, generator=generator)
    return x * uniform(0.3, 1.0) + uniform(0.05, 0.3) * torch.randn(n, generator=generator)


def make_clips(n: int, seed: int):
    """`n` clips, the classes in turn (balanced), reproducible from `seed`: (X (n, 8000), y (n,))."""
    import torch
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % len(CLASSES)
    return torch.stack([synth_clip(int(k), g) for k in y]), y


def log_spectrogram(x, n_fft: int):
    """log(1 + |STFT|) with a Hann window of n_fft samples and hop n_fft // 2: (..., n_fft//2 + 1, frames)."""
    import torch
    spec = torch.stft(x, n_fft, hop_length=n_fft // 2, window=torch.hann_window(n_fft),
                      return_complex=True)
    return torch.log1p(spec.abs())


class SpectrogramExplorer(Explorer):
    """A clip's waveform and spectrogram. Controls: `kind` (the class), `clip` (which clip of that
    class: its seed) and `n_fft` (the window, in samples)."""

    def __init__(self, kind: int = 1, clip: int = 0, n_fft: int = 256):
        self.controls = {
            "kind": widgets.Dropdown(options=[(name, k) for k, name in enumerate(CLASSES)], value=kind,
                                     description="Class", layout=widgets.Layout(width="220px")),
            "clip": widgets.IntSlider(value=clip, min=0, max=19, description="Clip",
                                      continuous_update=False, layout=widgets.Layout(width="260px")),
            "n_fft": widgets.Dropdown(options=WINDOWS, value=n_fft, description="Window",
                                      layout=widgets.Layout(width="180px")),
        }
        self.fig = figure(make_subplots(rows=2, cols=1, row_heights=[0.3, 0.7], vertical_spacing=0.12),
                          height=520, margin=dict(l=70, r=30, t=80, b=50), showlegend=False)
        self.fig.add_scatter(row=1, col=1, x=[0], y=[0], mode="lines", line=dict(width=0.6, color="#1f77b4"))
        self.fig.add_heatmap(row=2, col=1, z=[[0]], colorscale="Viridis", showscale=False,
                             hovertemplate="%{x:.3f} s, %{y:.0f} Hz: %{z:.2f}<extra></extra>")
        self.fig.update_xaxes(row=1, col=1, title_text="time (s)", range=[0, 1])
        self.fig.update_xaxes(row=2, col=1, title_text="time (s)", range=[0, 1])
        self.fig.update_yaxes(row=1, col=1, title_text="amplitude")
        self.fig.update_yaxes(row=2, col=1, title_text="frequency (Hz)")
        super().__init__()

    def state(self) -> dict:
        """The clip and its spectrogram, from the controls (a test reads them)."""
        import torch
        v = self.values
        g = torch.Generator().manual_seed(1000 * v["kind"] + v["clip"])
        x = synth_clip(v["kind"], g)
        spec = log_spectrogram(x, v["n_fft"])
        hop = v["n_fft"] // 2
        return dict(clip=x, spec=spec, times=np.arange(spec.shape[1]) * hop / SAMPLE_RATE,
                    freqs=np.arange(spec.shape[0]) * SAMPLE_RATE / v["n_fft"])

    def update(self) -> None:
        s = self.state()
        v = self.values
        n_fft = v["n_fft"]
        with self.fig.batch_update():
            self.fig.data[0].update(x=np.arange(SAMPLE_RATE) / SAMPLE_RATE, y=s["clip"].numpy())
            self.fig.data[1].update(z=s["spec"].numpy(), x=s["times"], y=s["freqs"])
            self.fig.layout.title.text = (
                f"{CLASSES[v['kind']]}, clip {v['clip']}: window {n_fft} samples "
                f"({1000 * n_fft / SAMPLE_RATE:.0f} ms)<br><sup>{s['spec'].shape[0]} frequency bins "
                f"{SAMPLE_RATE / n_fft:.1f} Hz apart × {s['spec'].shape[1]} frames "
                f"{1000 * n_fft / 2 / SAMPLE_RATE:.0f} ms apart</sup>")
        self.status.value = (
            "A long window resolves pitch finely but smears a sweep or a burst over time; a short "
            "one places events sharply in time but blurs pitch: Δf · Δt stays about constant.")


GALLERY = {"SpectrogramExplorer": lambda: SpectrogramExplorer(kind=1, clip=0, n_fft=256)}
