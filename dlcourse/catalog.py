"""The course catalog: the one list of lessons, read from catalog.toml."""
from __future__ import annotations

from . import _toml as tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_TOML = Path(__file__).with_name("catalog.toml")


@dataclass(frozen=True)
class Target:
    metric: str
    goal: str  # "at_least" or "at_most"
    quick: float
    full: float

    def bound(self, quick: bool) -> float:
        return self.quick if quick else self.full

    def met(self, value: float, quick: bool) -> bool:
        bound = self.bound(quick)
        return value >= bound if self.goal == "at_least" else value <= bound

    def describe(self, quick: bool) -> str:
        return f"{'≥' if self.goal == 'at_least' else '≤'} {self.bound(quick):g}"


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    title_zh: str
    level: str
    prereqs: tuple[str, ...] = ()
    path: str | None = None
    objectives: tuple[str, ...] = ()
    budget_quick: float | None = None
    budget_full: float | None = None
    assignment: str | None = None
    targets: tuple[Target, ...] = field(default_factory=tuple)
    widgets: tuple[str, ...] = ()  # names in dlcourse.widgets.GALLERY
    exercises: str | None = None  # module name in dlcourse.exercises
    datasets: tuple[str, ...] = ()  # names in dlcourse.data's registry

    @property
    def ready(self) -> bool:
        return self.path is not None

    @property
    def heading(self) -> str:
        return f"{self.id} · {self.title} ({self.title_zh})"

    def budget(self, quick: bool) -> float | None:
        return self.budget_quick if quick else self.budget_full


@dataclass(frozen=True)
class Assignment:
    id: str
    name: str
    title: str
    lessons: tuple[str, ...]

    @property
    def source(self) -> str:
        return f"solutions/{self.name}/{self.name}.ipynb"

    @property
    def release(self) -> str:
        return f"assignments/{self.name}/{self.name}.ipynb"


@dataclass(frozen=True)
class Catalog:
    repo: str
    branch: str
    levels: dict
    lessons: tuple[Lesson, ...]
    assignments: tuple[Assignment, ...]
    # Notebooks that are not lessons (course map, glossary): they open like one (title, badge,
    # Colab cell, parameters, setup) and CI executes them, with no lesson contract beyond that.
    pages: tuple[Lesson, ...] = ()

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id.lower() == lesson_id.lower():
                return lesson
        known = ", ".join(lesson.id for lesson in self.lessons if lesson.ready)
        raise KeyError(f"No lesson {lesson_id!r} in the catalog. Ready lessons: {known}")

    def assignment(self, assignment_id: str) -> Assignment:
        for a in self.assignments:
            if assignment_id.lower() in (a.id.lower(), a.name.lower()):
                return a
        known = ", ".join(a.id for a in self.assignments)
        raise KeyError(f"No assignment {assignment_id!r} in the catalog. Known: {known}")

    @property
    def ready(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.ready]

    @property
    def notebooks(self) -> list[Lesson]:
        """Every notebook CI executes: the pages, then the ready lessons."""
        return [*self.pages, *self.ready]

    def widget_owners(self) -> dict[str, str]:
        """Widget name → the id of the lesson (or page) that shows it."""
        return {name: entry.id for entry in self.notebooks for name in entry.widgets}

    def colab_url(self, path: str) -> str:
        return f"https://colab.research.google.com/github/{self.repo}/blob/{self.branch}/{path}"

    def colab_badge(self, path: str) -> str:
        return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                f"({self.colab_url(path)})")


_TUPLES = ("prereqs", "objectives", "widgets", "datasets")


def _lesson(raw: dict, level: str | None = None) -> Lesson:
    targets = tuple(Target(metric=name, **spec) for name, spec in raw.pop("targets", {}).items())
    lists = {key: tuple(raw.pop(key, ())) for key in _TUPLES}
    return Lesson(level=level or raw["id"][:2], targets=targets, **lists, **raw)


def _page(raw: dict) -> Lesson:
    return _lesson({"budget_quick": 60, "budget_full": 60, **raw}, level="--")


@lru_cache(maxsize=1)
def load() -> Catalog:
    raw = tomllib.loads(_TOML.read_text(encoding="utf-8"))
    return Catalog(
        repo=raw["repo"], branch=raw["branch"], levels=raw["levels"],
        lessons=tuple(_lesson(dict(entry)) for entry in raw["lesson"]),
        assignments=tuple(Assignment(lessons=tuple(a.pop("lessons")), **a)
                          for a in map(dict, raw.get("assignment", []))),
        pages=tuple(_page(dict(entry)) for entry in raw.get("page", [])),
    )


def markdown_table() -> str:
    """The README's lesson table."""
    cat = load()
    rows = ["| id | lesson | 中文 | prerequisites | notebook |", "|---|---|---|---|---|"]
    for lesson in cat.lessons:
        link = f"[open]({lesson.path}) · [Colab]({cat.colab_url(lesson.path)})" if lesson.ready else "planned"
        rows.append(f"| {lesson.id} | {lesson.title} | {lesson.title_zh} | "
                    f"{', '.join(lesson.prereqs) or '—'} | {link} |")
    return "\n".join(rows)


def colab_install_cell() -> str:
    """The second cell of every notebook: on Colab, installs this release of dlcourse (the git tag
    v<dlcourse.__version__>, the version the tests ran) and turns on Colab's widget manager for
    third-party widgets (FigureWidget, anywidget); does nothing elsewhere."""
    from . import __version__

    cat = load()
    return ("# On Colab, install the course's helper package (the tested release) and turn on the\n"
            "# widgets its interactive figures use; elsewhere this cell does nothing.\n"
            "import sys\n"
            "if \"google.colab\" in sys.modules:\n"
            f"    %pip install -q \"dlcourse @ git+https://github.com/{cat.repo}@v{__version__}\"\n"
            "    from google.colab import output\n"
            "    output.enable_custom_widget_manager()")
