"""The explorer pattern every dlcourse widget follows.

An explorer is three things: `controls` (ipywidgets, by name), `fig` (a plotly FigureWidget) and
`update()`, which calls a pure, module-level compute function with the controls' values and writes
the result into the figure inside `fig.batch_update()`. Every control's value is observed, so moving
one redraws. Nothing here needs a browser: a test sets `explorer.controls["x"].value` and reads
`explorer.fig.data` / `explorer.fig.layout`.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property

import ipywidgets as widgets
import plotly.graph_objects as go

FONT = dict(family="Inter, 'Helvetica Neue', Arial, 'Noto Sans CJK SC', sans-serif", size=13)
WIDTH, HEIGHT = 900, 450


def figure(fig: go.Figure | None = None, *, title: str = "", height: int = HEIGHT,
           **layout) -> go.Figure:
    """A figure with the course's look: plotly_white, readable fonts, ~900×450. Explorer turns
    it into a FigureWidget once its first update() has drawn it."""
    fig = go.Figure(fig)
    layout.setdefault("margin", dict(l=70, r=30, t=60, b=55))
    fig.update_layout(template="plotly_white", font=FONT, width=WIDTH, height=height,
                      title=dict(text=title, x=0.02, xanchor="left", font=dict(size=17)),
                      **layout)
    return fig


class FigureWidget(go.FigureWidget):
    """A plotly FigureWidget that opens its comm only once its figure is in place.

    plotly 7 opens the comm with an empty figure and sends the figure right after as a state
    update, which a view that JupyterLab renders in between never draws: an empty plot (seen under
    load). Opening late sends the whole figure with the comm's first message."""

    def __init__(self, fig: go.Figure):
        self._opening_deferred = True
        super().__init__(fig)
        self._opening_deferred = False
        self.open()

    def open(self) -> None:
        if not getattr(self, "_opening_deferred", False):
            super().open()


class Explorer:
    """Base class: subclasses build `controls` and `fig` (with `figure()`), then call
    `super().__init__()`, which draws the figure once and wires the controls."""

    controls: dict[str, widgets.ValueWidget]
    fig: go.FigureWidget  # a plain go.Figure until __init__ has drawn it once

    def __init__(self) -> None:
        self.status = widgets.HTML()  # a line of text under the figure: fitted values, errors
        self._quiet = False
        self.update()
        # Wrap only now: plotly 7 can lose edits made to a FigureWidget before a browser shows it.
        self.fig = FigureWidget(self.fig)
        for control in self.controls.values():
            control.observe(self._changed, names="value")

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        raise NotImplementedError

    def _changed(self, _change) -> None:
        if not self._quiet:
            self.update()

    @contextmanager
    def quiet(self):
        """Change controls from inside update() (e.g. a slider's range) without re-entering it."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    @cached_property
    def widget(self) -> widgets.VBox:
        controls = widgets.HBox(list(self.controls.values()),
                                layout=widgets.Layout(flex_flow="row wrap"))
        self.status.layout.max_width = f"{self.fig.layout.width or WIDTH}px"  # wrap, as the plot
        return widgets.VBox([controls, self.fig, self.status],
                            layout=widgets.Layout(width="fit-content"))

    def _repr_mimebundle_(self, **kwargs):
        # A notebook cell ending in the explorer shows the laid-out widget.
        return self.widget._repr_mimebundle_(**kwargs)
