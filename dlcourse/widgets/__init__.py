"""Interactive explorers for the lessons: ipywidgets controls driving a plotly FigureWidget.

End a notebook cell with one (`BroadcastExplorer()`) to show it. Each widget module ends with
`GALLERY = {name: zero-argument demo}`; `dlcourse.widgets.GALLERY` merges them all. The gallery
notebook (tests/browser/gallery.ipynb) and the tests iterate it, and a test fails for any Explorer
without an entry.
"""
from importlib import import_module
from pkgutil import iter_modules

from .base import Explorer
from .beam_search import BeamExplorer
from .broadcast import BroadcastExplorer, broadcast_result, parse_shape
from .compression import CompressionExplorer
from .compute_timeline import LANDMARKS, ComputeTimeline, era_fits, fit_doubling
from .course_map import CourseMap

GALLERY: dict = {}  # name → zero-argument demo, over the modules in file-name order
for _module in iter_modules(__path__):
    GALLERY.update(getattr(import_module(f".{_module.name}", __name__), "GALLERY", {}))
del _module

__all__ = ["GALLERY", "LANDMARKS", "BeamExplorer", "BroadcastExplorer", "CompressionExplorer",
           "ComputeTimeline", "CourseMap", "Explorer",
           "broadcast_result", "era_fits", "fit_doubling", "parse_shape"]
