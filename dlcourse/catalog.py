"""The course catalog: the one list of lessons, read from catalog.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_TOML = Path(__file__).with_name("catalog.toml")
ROOT = Path(__file__).resolve().parent.parent
# Notebooks of the course that are not lessons: they open like one (title, badge, Colab cell,
# parameters, setup) and CI executes them, but they have no lesson contract beyond that.
PAGES = {"index": ("course/index.ipynb", "Course map", "课程地图"),
         "glossary": ("course/glossary.ipynb", "Glossary", "术语表")}


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
    def pages(self) -> list[Lesson]:
        """The non-lesson notebooks, as budgeted entries the runner can execute."""
        return [Lesson(id=key, title=title, title_zh=zh, level="--", path=path,
                       budget_quick=60, budget_full=60)
                for key, (path, title, zh) in PAGES.items()]

    def colab_url(self, path: str) -> str:
        return f"https://colab.research.google.com/github/{self.repo}/blob/{self.branch}/{path}"

    def colab_badge(self, path: str) -> str:
        return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                f"({self.colab_url(path)})")


def _lesson(raw: dict) -> Lesson:
    targets = tuple(Target(metric=name, **spec) for name, spec in raw.pop("targets", {}).items())
    return Lesson(level=raw["id"][:2], targets=targets,
                  prereqs=tuple(raw.pop("prereqs", ())),
                  objectives=tuple(raw.pop("objectives", ())), **raw)


@lru_cache(maxsize=1)
def load() -> Catalog:
    raw = tomllib.loads(_TOML.read_text(encoding="utf-8"))
    return Catalog(
        repo=raw["repo"], branch=raw["branch"], levels=raw["levels"],
        lessons=tuple(_lesson(dict(entry)) for entry in raw["lesson"]),
        assignments=tuple(Assignment(lessons=tuple(a.pop("lessons")), **a)
                          for a in map(dict, raw.get("assignment", []))),
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
    """The second cell of every notebook: installs dlcourse on Colab, does nothing elsewhere."""
    cat = load()
    return ("# On Colab, install the course's helper package; elsewhere this cell does nothing.\n"
            "import sys\n"
            "if \"google.colab\" in sys.modules:\n"
            f"    %pip install -q \"dlcourse @ git+https://github.com/{cat.repo}@{cat.branch}\"")
