"""L3.09: attention heatmaps of a date-normalization model. Type a date in any of the ten formats
of `dlcourse.data.dates` (or pick an example); the model writes its ISO form one character at a
time, and the heatmap shows, for each character it writes (rows), how much attention it paid to
each character of the input (columns). A good model reads the year's digits when it writes the
year, the month's name or number when it writes the month, the day's digits for the day.

The model is a `dlcourse.attention.DateSeq2Seq` with attention: the lesson passes the one it
trained; without one, the explorer loads the small model that ships with the course
(`dlcourse.attention.demo_model`).
"""
from __future__ import annotations

import datetime as dt
import html
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure

EXAMPLE_DAY = dt.date(1998, 6, 3)


def examples() -> dict[str, str]:
    """One example per format, all of the same day, so that the formats can be compared."""
    from ..data.synthetic import DATE_FORMATS
    return {fmt(EXAMPLE_DAY): fmt(EXAMPLE_DAY) for fmt in DATE_FORMATS}


@lru_cache(maxsize=1)
def _demo():
    from ..attention import demo_model
    return demo_model()


def read(model, text: str):
    """(ISO output, weights (10, len(text)) as a numpy array), or (None, why) if the model cannot
    read the text (empty, or a character it has never seen)."""
    from ..attention import SOURCE_VOCAB, translate
    from ..runtime import one_thread
    text = text.strip()
    if not text:
        return None, "Type a date, e.g. 3 June 1998."
    unknown = sorted(set(text) - SOURCE_VOCAB.index.keys() - {"\x00"})
    if unknown or "\x00" in text:
        shown = ", ".join(repr(c) for c in unknown)
        return None, f"The model has never seen the character(s) {html.escape(shown)}: it only knows the ten date formats."
    with one_thread():
        output, weights = translate(model, text)
    return output, weights.numpy().astype(np.float64)


def shown(char: str) -> str:
    return "␣" if char == " " else char


class AttentionHeatmap(Explorer):
    """Where a trained date model looks while writing each output character.

    Controls: `example` (a slider through one date written in each of the ten formats) and `text`
    (any date you type; picking an example fills it in)."""

    def __init__(self, model=None, text: str = "Wednesday, June 3, 1998"):
        self.model = model if model is not None else _demo()
        options = list(examples())
        self.controls = {
            "example": widgets.SelectionSlider(options=options, value=text if text in options else options[0],
                                               description="example", continuous_update=False,
                                               layout=widgets.Layout(width="520px")),
            "text": widgets.Text(value=text, description="date", continuous_update=False,
                                 layout=widgets.Layout(width="360px")),
        }
        self._last_example = self.controls["example"].value
        self.fig = figure(height=430, margin=dict(l=70, r=30, t=80, b=80))
        self.fig.add_heatmap(z=[[0.0]], x=[0], y=[0], zmin=0, zmax=1, colorscale="Blues",
                             colorbar=dict(title="weight", thickness=12),
                             hovertemplate="writing %{customdata[0]} · input %{customdata[1]}: "
                                           "%{z:.2f}<extra></extra>")
        self.fig.update_yaxes(autorange="reversed", title_text="output character", tickmode="array")
        self.fig.update_xaxes(title_text="input character", tickmode="array", tickangle=0)
        super().__init__()

    def state(self) -> dict:
        """The text the figure shows, the model's output and its attention weights (a test reads it)."""
        text = self.controls["text"].value.strip()
        output, weights = read(self.model, text)
        return dict(text=text, output=output, weights=weights)

    def update(self) -> None:
        example = self.controls["example"].value
        if example != self._last_example:          # picking an example types it into the box
            self._last_example = example
            with self.quiet():
                self.controls["text"].value = example
        s = self.state()
        if s["output"] is None:
            self.status.value = s["weights"]
            return
        text, output, weights = s["text"], s["output"], s["weights"]
        n, m = weights.shape
        cols = list(range(m))
        rows = list(range(n))
        custom = np.array([[[f"{output[i]!r} (#{i + 1})", f"{shown(text[j])!r} (#{j + 1})"]
                            for j in range(m)] for i in range(n)], dtype=object)
        with self.fig.batch_update():
            self.fig.data[0].update(z=weights, x=cols, y=rows, customdata=custom)
            self.fig.layout.xaxis.update(tickvals=cols, ticktext=[shown(c) for c in text])
            self.fig.layout.yaxis.update(tickvals=rows, ticktext=list(output))
            self.fig.layout.title.text = (f"“{html.escape(text)}” → {output}"
                                          "<br><sup>each row: the attention weights while writing "
                                          "that character (rows sum to 1)</sup>")
        focus = [text[int(j)] for j in weights.argmax(1)]
        self.status.value = (
            f"The model writes <b>{output}</b>. Most-attended input character for each output "
            f"character: " + ", ".join(f"{o}←{html.escape(shown(c))}" for o, c in zip(output, focus)) + ".")


GALLERY = {"AttentionHeatmap": AttentionHeatmap}
