"""How an explorer's plotly figure reaches the browser: a FigureWidget drawn by plotly_figure.js.

plotly's own FigureWidget front-end is a 5 MB module that every figure loads and evaluates again,
and it sends each change as a delta. anywidget gives a module 2 s to start (from the model's
creation); past that it drops every later message to the model, for good. With a dozen figures
starting at once on a busy machine (Run All), figures kept their first picture: frozen plots.

Here the module is small and starts at once; plotly.js reaches the page once per kernel, in a
PlotlyLibrary widget every figure loads it from; the first message carries the whole figure (the
comm opens once it is in place); each change then sends the traces it touched, whole, and the
layout when it changed, numbered, and a view that finds a number missing asks for the whole
figure again. The front-end also takes its model's messages over from anywidget, so even a model
whose start-up outlasted the limit (another long task on a busy page) keeps following the kernel.
What it does not cover: a message lost before the front-end has started, with no change after
it, stays lost until the next change.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go
import traitlets
from ipywidgets.widgets.widget import _remove_buffers
from plotly.serializers import _py_to_js

HERE = Path(__file__).parent
# plotly ≥ 6 builds FigureWidget on anywidget; older versions keep their own front-end.
_ANYWIDGET = hasattr(go.FigureWidget, "_esm")


class PlotlyLibrary(widgets.Widget):
    """plotly.js's source, sent to the browser once per kernel: every FigureWidget's front-end
    loads it from here (a plain widget model: no module of its own to start)."""
    source = traitlets.Bytes().tag(sync=True)

    @classmethod
    def shared(cls) -> PlotlyLibrary:
        if getattr(cls, "_shared", None) is None or cls._shared.comm is None:
            import plotly
            path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
            cls._shared = cls(source=path.read_bytes())
        return cls._shared


class FigureWidget(go.FigureWidget):
    """A plotly FigureWidget drawn by plotly_figure.js.

    Its comm opens only once the figure is in place, so the first message carries all of it.
    After that, each change sends the traces it touched, whole, and the layout when it changed,
    numbered: a view that finds a number missing asks for the whole figure again ("sync").
    Changes made inside `deferred()` (an explorer's update) go out once, at its end."""

    if _ANYWIDGET:
        _esm = HERE / "plotly_figure.js"
        _plotly = traitlets.Instance(PlotlyLibrary, allow_none=True).tag(
            sync=True, **widgets.widget_serialization)
        _dlc_template = traitlets.Dict().tag(sync=True)
        _dlc_id = traitlets.Unicode().tag(sync=True)   # its model id: the front-end rescue()s it
        _dlc_version = traitlets.Int(0).tag(sync=True)  # changes sent so far

    def __init__(self, fig: go.Figure):
        self._opening_deferred = True
        self._holding, self._pending = 0, None
        super().__init__(fig)
        self._opening_deferred = False
        if _ANYWIDGET:
            self._plotly = PlotlyLibrary.shared()
            self._dlc_template = self._template_json()
            self._model_id = self._dlc_id = uuid.uuid4().hex   # the comm's id, chosen here
            self._mirror()
            self.on_msg(lambda _widget, content, _buffers: content.get("type") == "sync"
                        and self._changed(everything=True))
        self.open()

    def open(self) -> None:
        if not getattr(self, "_opening_deferred", False):
            super().open()

    def _template_json(self) -> dict:
        template = self._layout.get("template", {})
        return template.to_plotly_json() if hasattr(template, "to_plotly_json") else template

    def _layout_json(self) -> dict:
        return {k: v for k, v in self._layout.items() if k != "template"}

    def _mirror(self) -> None:
        """Point the synced traits at the figure as it is now, without sending them: a view
        that starts later (a page reloaded) gets the figure as it is then. The template goes
        apart, in _dlc_template, once."""
        self._trait_values["_widget_data"] = self._data
        self._trait_values["_widget_layout"] = self._layout_json()

    @contextmanager
    def deferred(self):
        """Send the changes once, when the block ends, however many the block makes."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding and self._pending:
                self._push()

    def _changed(self, traces=(), layout: bool = False, everything: bool = False) -> None:
        """Note what changed (trace indexes, the layout, or everything) and send it, now or at
        the end of `deferred()`."""
        if traces is None:
            traces = range(len(self._data))
        elif isinstance(traces, int):
            traces = [traces]
        pending = self._pending or {"traces": set(), "layout": False, "everything": False}
        pending["traces"].update(traces)
        pending["layout"] |= layout
        pending["everything"] |= everything
        self._pending = pending
        if not self._holding:
            self._push()

    def _push(self) -> None:
        if getattr(self, "comm", None) is None:   # not open yet: the state goes with open()
            return
        pending, self._pending = self._pending, None
        self._mirror()
        self._trait_values["_dlc_version"] = version = self._dlc_version + 1
        template = self._template_json()
        message = {"type": "figure", "version": version, "n": len(self._data),
                   "everything": pending["everything"]}
        if pending["everything"]:
            message.update(data=self._data, layout=self._layout_json(), template=template)
        else:
            message["traces"] = {str(i): self._data[i] for i in sorted(pending["traces"])
                                 if i < len(self._data)}
            if pending["layout"]:
                message["layout"] = self._layout_json()
            if template != self._dlc_template:
                message["template"] = template
        self._trait_values["_dlc_template"] = template
        state, paths, buffers = _remove_buffers(_py_to_js(message, None))
        self.send({**state, "buffer_paths": paths}, buffers)

    if _ANYWIDGET:   # what plotly would send as deltas, plotly_figure.js gets as whole traces
        def _send_restyle_msg(self, style, trace_indexes=None, source_view_id=None):
            self._changed(trace_indexes)

        def _send_relayout_msg(self, layout, source_view_id=None):
            self._changed(layout=True)

        def _send_update_msg(self, restyle_data, relayout_data, trace_indexes=None,
                             source_view_id=None):
            self._changed(trace_indexes if restyle_data else (), layout=bool(relayout_data))

        def _send_addTraces_msg(self, *_args, **_kwargs):
            self._changed(everything=True)

        _send_deleteTraces_msg = _send_moveTraces_msg = _send_animate_msg = _send_addTraces_msg
