"""L1.00: training compute of landmark ML systems, and its two eras of exponential growth."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure

PFS_DAY = 1e15 * 86400  # FLOP in one petaflop/s-day, the unit of "AI and Compute"
DOMAIN_COLORS = {"Vision": "#1f77b4", "Language": "#d62728", "Games": "#2ca02c", "Other": "#9467bd"}
LABELS = {  # the systems named on the plot, and where their name goes so that none overlap
    "Perceptron Mark I": "middle right", "NetTalk": "middle left", "TD-Gammon": "middle left",
    "LeNet-5": "middle left", "AlexNet": "middle left", "Transformer (big)": "middle right",
    "AlphaGo Zero": "middle left", "GPT-3 (175B)": "top left", "GPT-4": "middle left",
}


@dataclass(frozen=True)
class Landmark:
    name: str
    year: float
    compute: float  # training FLOP
    domain: str
    source: str


def _read_landmarks() -> tuple[Landmark, ...]:
    text = resources.files(__package__).joinpath("landmarks.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(Landmark(r["name"], float(r["year"]), float(r["compute_flop"]), r["domain"],
                          r["source"]) for r in rows)


LANDMARKS = _read_landmarks()


class Fit(NamedTuple):
    """log2(compute) = intercept + year * 12 / doubling_months."""
    doubling_months: float
    intercept: float

    def predict(self, years) -> np.ndarray:
        return 2.0 ** (self.intercept + np.asarray(years, dtype=float) * 12 / self.doubling_months)


def fit_doubling(years, compute) -> Fit:
    """Least-squares line through log2(compute) vs year; its slope is doublings per year."""
    years, compute = np.asarray(years, dtype=float), np.asarray(compute, dtype=float)
    if len(years) < 2 or np.ptp(years) == 0:
        raise ValueError("fit_doubling needs at least two different years")
    center = years.mean()  # fit around the mean year: better conditioned than around year 0
    slope, at_center = np.polyfit(years - center, np.log2(compute), 1)
    return Fit(doubling_months=12 / slope, intercept=at_center - slope * center)


def era_fits(split: float, landmarks=LANDMARKS) -> tuple[Fit, Fit]:
    """One trend for the systems published before `split`, one for those since."""
    early = [m for m in landmarks if m.year < split]
    modern = [m for m in landmarks if m.year >= split]
    return (fit_doubling([m.year for m in early], [m.compute for m in early]),
            fit_doubling([m.year for m in modern], [m.compute for m in modern]))


def _duration(months: float) -> str:
    return f"{months:.1f} months" if months < 24 else f"{months / 12:.1f} years"


def _hover(m: Landmark) -> str:
    return (f"<b>{m.name}</b> ({int(m.year)})<br>{m.compute:.2g} FLOP"
            f" = {m.compute / PFS_DAY:.2g} petaflop/s-days<br>{m.domain} · source: {m.source}")


class ComputeTimeline(Explorer):
    """Training compute of landmark systems (log scale) with a trend line for each era.

    Controls: `split` (the year the modern era starts) and `highlight` (a domain to pick out).
    """

    def __init__(self, split: int = 2012, highlight: str = "All"):
        self.controls = {
            "split": widgets.IntSlider(value=split, min=2008, max=2016, description="Era split",
                                       continuous_update=False),
            "highlight": widgets.Dropdown(options=["All", *DOMAIN_COLORS], value=highlight,
                                          description="Highlight"),
        }
        self.fig = figure(
            title="Training compute of landmark ML systems",
            xaxis=dict(title="Publication year", range=[1950, 2027], dtick=10),
            yaxis=dict(title="Training compute (FLOP, log scale)", type="log",
                       exponentformat="power", dtick=3, range=[4, 27]),
            legend=dict(x=0.01, y=0.99, bgcolor="rgba(255,255,255,0.85)"),
            hoverlabel=dict(align="left"),
        )
        for domain, color in DOMAIN_COLORS.items():
            points = [m for m in LANDMARKS if m.domain == domain]
            self.fig.add_scatter(
                name=domain, mode="markers+text", x=[m.year for m in points],
                y=[m.compute for m in points], hovertext=[_hover(m) for m in points],
                hoverinfo="text", text=[m.name if m.name in LABELS else "" for m in points],
                textposition=[LABELS.get(m.name, "middle left") for m in points],
                textfont=dict(size=11, color=color),
                marker=dict(size=9, color=color, line=dict(width=1, color="white")))
        for color in ("#7f7f7f", "#ff7f0e"):
            self.fig.add_scatter(mode="lines", line=dict(color=color, width=2.5, dash="dash"),
                                 hoverinfo="skip")
        super().__init__()

    def update(self) -> None:
        split, highlight = self.values["split"], self.values["highlight"]
        early, modern = era_fits(split)
        first, last = min(m.year for m in LANDMARKS), max(m.year for m in LANDMARKS)
        spans = ((first, split), (split, last + 0.5))
        with self.fig.batch_update():
            for trace in self.fig.data[:len(DOMAIN_COLORS)]:
                trace.opacity = 1.0 if highlight in ("All", trace.name) else 0.15
            for trace, fit, span, label in zip(self.fig.data[len(DOMAIN_COLORS):], (early, modern),
                                               spans, (f"Before {split}", f"Since {split}")):
                trace.update(x=span, y=fit.predict(span),
                             name=f"{label}: ×2 every {_duration(fit.doubling_months)}")
            self.fig.layout.shapes = [dict(type="rect", xref="x", yref="paper", x0=split, x1=2027,
                                           y0=0, y1=1, fillcolor="#ff7f0e", opacity=0.06,
                                           line_width=0, layer="below")]
        self.status.value = (f"Fitted doubling time of training compute: before {split} "
                             f"<b>{_duration(early.doubling_months)}</b>, since {split} "
                             f"<b>{_duration(modern.doubling_months)}</b> "
                             f"(least squares on log₂ compute over {len(LANDMARKS)} landmarks; "
                             "their compute values are published estimates). For comparison: "
                             "3.4 months for the largest runs of 2012–2018 (Amodei & Hernandez "
                             "2018), about 6 months for 2010–2022 (Sevilla et al. 2022).")


GALLERY = {"ComputeTimeline": ComputeTimeline}
