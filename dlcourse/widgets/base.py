"""The explorer pattern every dlcourse widget follows.

An explorer is three things: `controls` (ipywidgets, by name), `fig` (a plotly FigureWidget, or a
widget of its own such as the playground's canvas) and `update()`, which calls a pure,
module-level compute function with the controls' values and writes the result into the figure
inside `fig.batch_update()`. Every control's value is observed, so moving one redraws. Nothing
here needs a browser: a test sets `explorer.controls["x"].value` and reads `explorer.fig.data` /
`explorer.fig.layout`. How the figure reaches the browser is plotly_figure.py's business.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from functools import cached_property

import ipywidgets as widgets
import plotly.graph_objects as go

from .plotly_figure import FigureWidget

# The CJK font first: the course names every key term in Chinese too (README: "Widgets").
FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', Inter, 'Helvetica Neue', Arial, sans-serif"
FONT = dict(family=FONT_FAMILY, size=13)
WIDTH, HEIGHT = 860, 450   # fits a 900 px output area; narrower ones shrink the figure


def figure(fig: go.Figure | None = None, *, title: str = "", height: int = HEIGHT,
           **layout) -> go.Figure:
    """A figure with the course's look: plotly_white, readable fonts, ~860×450. Explorer turns
    it into a FigureWidget once its first update() has drawn it."""
    fig = go.Figure(fig)
    layout.setdefault("margin", dict(l=70, r=30, t=60, b=55))
    fig.update_layout(template="plotly_white", font=FONT, width=WIDTH, height=height,
                      title=dict(text=title, x=0.02, xanchor="left", font=dict(size=17)),
                      **layout)
    # Tick labels a little off their axes, so the first labels of two axes meeting at a corner
    # do not run into each other.
    for axis in (fig.layout.template.layout.xaxis, fig.layout.template.layout.yaxis):
        axis.ticklabelstandoff = 4
    return fig


def image_axes(fig: go.Figure, cols: int) -> None:
    """Draw subplots 1..cols of a one-row figure as images: square pixels, row 0 at the top, no grid."""
    for col in range(1, cols + 1):
        axis = "" if col == 1 else str(col)
        fig.update_yaxes(row=1, col=col, autorange="reversed", scaleanchor=f"x{axis}",
                         constrain="domain", showgrid=False, zeroline=False)
        fig.update_xaxes(row=1, col=col, constrain="domain", showgrid=False, zeroline=False)


class Explorer:
    """Base class: subclasses build `controls` and `fig` (with `figure()`), then call
    `super().__init__()`, which draws the figure once and wires the controls."""

    controls: dict[str, widgets.ValueWidget]
    fig: go.FigureWidget  # a plain go.Figure until __init__ has drawn it once

    def __init__(self) -> None:
        self.status = widgets.HTML()  # a line of text under the figure: fitted values, errors
        self._quiet = False
        self.update()
        if isinstance(self.fig, go.Figure):   # not a widget of its own (the playground's canvas)
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
            with self._sending_once():
                self.update()

    def _sending_once(self):
        """The figure goes to the browser once per update, however many edits update() makes."""
        return self.fig.deferred() if isinstance(self.fig, FigureWidget) else nullcontext()

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
                            layout=widgets.Layout(max_width="900px"))

    def _repr_mimebundle_(self, **kwargs):
        # A notebook cell ending in the explorer shows the laid-out widget.
        return self.widget._repr_mimebundle_(**kwargs)
