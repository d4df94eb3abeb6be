"""dlcourse: the helper package of the course. It hides plumbing, never the lesson.

Importing it is cheap: torch, plotly and ipywidgets load only when a function needs them.
"""
from importlib import import_module

__version__ = "0.1.0"

from .runtime import setup  # noqa: E402  (light: imports torch inside the function)

_SUBMODULES = {"catalog", "check", "cli", "data", "exercises", "glossary", "progress", "results", "runner", "serve",
               "runtime", "train", "widgets"}


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'dlcourse' has no attribute {name!r}")


__all__ = ["setup", *sorted(_SUBMODULES)]
