"""A self-learner's progress: which exercises passed, kept in a small file on this machine.

Every `ex.qN.check(answer)` that gets an answer (right or wrong) is recorded here: the lesson, the
exercise, whether it passed, when. Nothing is sent anywhere and there is no account; the file is

    $DLCOURSE_PROGRESS                    when set to a path
    $XDG_DATA_HOME/dlcourse/progress.json (default ~/.local/share/dlcourse/progress.json; on macOS
                                          ~/Library/Application Support/dlcourse, on Windows
                                          %LOCALAPPDATA%\\dlcourse)

and recording is off when DLCOURSE_PROGRESS=off, or when it is unset and CI is set. The course's
runner (papermill), the grader's sandbox, .ci/run and the test suite turn it off, so executing a
notebook for a table or a grade never counts as a learner's work. On Colab the data folder lives
in the runtime: progress lasts as long as the runtime does and resets with it.

The file is JSON, written whole to a temporary file and renamed over the old one (a reader never
sees half a file):

    {"version": 1,
     "lessons": {"L2.07": {"q1": {"passed": true, "attempts": 3,
                                  "first_passed": "2026-12-07T05:50:12+00:00",
                                  "last": "2026-12-07T05:51:40+00:00"}}}}

Two kernels checking answers at once take turns through a lock file beside it (progress.json.lock,
POSIX only: on Windows the last of two simultaneous writes wins). A file that cannot be read is
reported and set aside, never fatal.

A lesson is *finished* when every exercise of it has passed at least once, *started* when any was
answered, *untouched* otherwise. `next_lesson` suggests the first ready lesson (catalog order) that
is not finished and whose ready prerequisites are.
"""
from __future__ import annotations

import ast
import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from pathlib import Path

ENV = "DLCOURSE_PROGRESS"
OFF = {"off", "0", "no", "false", "none"}
VERSION = 1
FINISHED, STARTED, UNTOUCHED = "finished", "started", "untouched"

_warned: set[str] = set()


class Unreadable(ValueError):
    """The progress file exists but is not a progress file."""


# ----------------------------------------------------------------------------------- where

def data_dir() -> Path:
    """The per-user data folder: ~/.local/share/dlcourse (or $XDG_DATA_HOME/dlcourse) on Linux,
    ~/Library/Application Support/dlcourse on macOS, %LOCALAPPDATA%\\dlcourse on Windows."""
    import platformdirs
    return Path(platformdirs.user_data_dir("dlcourse", appauthor=False))


def location() -> Path | None:
    """The progress file, or None when recording is off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in OFF:
        return None
    if value:
        return Path(value).expanduser()
    if os.environ.get("CI"):
        return None
    return data_dir() / "progress.json"


def describe_location() -> str:
    """One line for the learner: where progress goes, or that it is off."""
    path = location()
    if path is None:
        why = f"{ENV}={os.environ[ENV]}" if os.environ.get(ENV) else "CI is set"
        return f"Progress is not recorded here ({why})."
    line = f"Progress is kept on this machine only, in {path}"
    from .runtime import in_colab
    if in_colab():
        line += " (on Colab it lasts as long as the runtime: a new runtime starts from nothing)"
    return line + "."


# ----------------------------------------------------------------------------------- read, write

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _empty() -> dict:
    return {"version": VERSION, "lessons": {}}


def _parse(text: str) -> dict:
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("lessons"), dict) \
            or not all(isinstance(v, dict) for v in data["lessons"].values()):
        raise Unreadable("not a dlcourse progress file")
    return data


def read(path: Path | None = None) -> dict:
    """The recorded progress; empty when off, when there is none yet, or when the file cannot be
    read (then a warning says so; the file is left as it is)."""
    path = location() if path is None else path
    if path is None or not path.exists():
        return _empty()
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _warn_once(f"read:{path}", f"⚠ The progress file {path} cannot be read ({_short(exc)}); "
                   "showing no progress. The next passed exercise sets it aside and starts a new one.")
        return _empty()


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record(lesson_id: str, exercise: str, passed: bool, when: str | None = None) -> None:
    """Note one answered check. Never raises: a full disk or a read-only home costs the record,
    not the learner's cell (a warning says so, once)."""
    path = location()
    if path is None:
        return
    try:
        with _locked(path):
            _update(path, lesson_id, exercise, passed, when or _now())
    except Exception as exc:  # noqa: BLE001 -- progress is a convenience, never an error in a lesson
        _warn_once(f"write:{path}", f"⚠ Progress was not saved to {path} ({_short(exc)}).")


def _update(path: Path, lesson_id: str, exercise: str, passed: bool, when: str) -> None:
    data = _load_for_update(path)
    entry = data["lessons"].setdefault(lesson_id, {}).setdefault(
        exercise, {"passed": False, "attempts": 0})
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    entry["last"] = when
    if passed and not entry.get("passed"):
        entry["passed"], entry["first_passed"] = True, when
    _write(path, data)


@contextlib.contextmanager
def _locked(path: Path):
    """One writer at a time (POSIX advisory lock on progress.json.lock)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _load_for_update(path: Path) -> dict:
    if not path.exists():
        return _empty()
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        _warn_once(f"aside:{path}", f"⚠ The progress file {path} could not be read "
                   f"({_short(exc)}); it was kept as {aside.name} and a new one started.")
        return _empty()


def reset(path: Path | None = None) -> bool:
    """Delete the progress file; False when there was none (or recording is off)."""
    path = location() if path is None else path
    if path is None or not path.exists():
        return False
    path.unlink()
    path.with_name(path.name + ".lock").unlink(missing_ok=True)
    return True


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        print(message, file=sys.stderr)


# ----------------------------------------------------------------------------------- per lesson

@cache
def exercise_names(module: str) -> tuple[str, ...]:
    """q1, q2, … of `dlcourse.exercises.<module>`, read from its source (no torch import):
    the module-level names `qN = …`."""
    source = resources.files("dlcourse.exercises").joinpath(f"{module}.py").read_text(encoding="utf-8")
    names = [target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    return tuple(sorted((n for n in names if n[:1] == "q" and n[1:].isdigit()), key=lambda n: int(n[1:])))


@dataclass(frozen=True)
class LessonProgress:
    id: str
    title: str
    exercises: tuple[str, ...]
    passed: tuple[str, ...]
    attempted: tuple[str, ...]
    last: str | None  # ISO time of the last answered check

    @property
    def status(self) -> str:
        if self.exercises and set(self.exercises) <= set(self.passed):
            return FINISHED
        return STARTED if self.attempted else UNTOUCHED


def lessons(data: dict | None = None, cat=None) -> dict[str, LessonProgress]:
    """Every ready lesson's progress, in catalog order."""
    from . import catalog
    data = read() if data is None else data
    cat = catalog.load() if cat is None else cat
    out = {}
    for lesson in cat.ready:
        names = exercise_names(lesson.exercises) if lesson.exercises else ()
        records = {k: v for k, v in data["lessons"].get(lesson.id, {}).items() if isinstance(v, dict)}
        out[lesson.id] = LessonProgress(
            id=lesson.id, title=lesson.title, exercises=names,
            passed=tuple(n for n in names if records.get(n, {}).get("passed")),
            attempted=tuple(n for n in names if n in records),
            last=max((str(r["last"]) for r in records.values() if r.get("last")), default=None))
    return out


def next_lesson(progress: dict[str, LessonProgress], cat=None) -> str | None:
    """The first ready lesson, in catalog order, not finished yet, whose prerequisites are finished
    (a planned prerequisite has nothing to finish and does not hold a lesson back)."""
    from . import catalog
    cat = catalog.load() if cat is None else cat
    ready = {lesson.id for lesson in cat.ready}

    def finished(lesson_id: str) -> bool:
        return lesson_id in progress and progress[lesson_id].status == FINISHED

    for lesson in cat.ready:
        if not finished(lesson.id) and all(finished(p) for p in lesson.prereqs if p in ready):
            return lesson.id
    return None


def table(progress: dict[str, LessonProgress]) -> str:
    """The `dlcourse progress` table."""
    rows = [("lesson", "title", "passed/total", "status", "last activity")]
    for p in progress.values():
        last = p.last.replace("T", " ")[:16] + " UTC" if p.last else "—"
        rows.append((p.id, p.title if len(p.title) <= 40 else p.title[:39] + "…",
                     f"{len(p.passed)}/{len(p.exercises)}", p.status, last))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
