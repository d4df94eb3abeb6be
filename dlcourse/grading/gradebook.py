"""The course's nbgrader gradebook: a template for the workers, and the serial merge of their results.

Each worker autogrades one submission in its own scratch course, whose gradebook.db is a copy of
the *template* (the main gradebook with the assignment and no student in it). Only the
orchestrator writes the main gradebook, one submission at a time, so parallel workers never share
an SQLite file. It does not copy the scratch gradebook's scores (student code ran beside that
file): `record_autograde` writes what `nbgrader autograde --force` would have, from evidence: a
test cell's points when the worker's signed verdict says it passed, an unchanged written answer 0
and "No response.", any other answer left to the instructor; a grade an instructor already scored
by hand stays, marked for review; the late penalty is nbgrader's plugin's.
"""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

DB = "gradebook.db"


def db_url(course: Path) -> str:
    return f"sqlite:///{Path(course) / DB}"


_COURSE_IDS: dict[Path, str] = {}


def remember_course_id(course: Path, cid: str) -> None:
    """Use `cid` for `course` from now on, rather than reading its nbgrader_config.py again (the
    grader reads a course's configuration once, before any submission runs)."""
    _COURSE_IDS[Path(course).resolve()] = cid or "default_course"


def course_id(course: Path) -> str:
    from .course import load_config

    known = _COURSE_IDS.get(Path(course).resolve())
    return known or load_config(course).CourseDirectory.course_id or "default_course"


def utc_naive(when: datetime | None) -> datetime | None:
    """nbgrader stores naive UTC datetimes."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(timezone.utc).replace(tzinfo=None)


def open_gradebook(course: Path, cid: str | None = None):
    from nbgrader.api import Gradebook

    _quiet()
    return Gradebook(db_url(course), cid or course_id(course))


def _quiet() -> None:
    """nbgrader's add_submission triggers SQLAlchemy's "not in session" autoflush warnings; they
    are nbgrader's (its own autograde prints them too) and harmless."""
    import warnings

    try:
        from sqlalchemy.exc import SAWarning
    except ImportError:
        return
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")


def set_duedate(course: Path, assignment: str, deadline: datetime | None) -> None:
    with open_gradebook(course) as gb:
        gb.update_or_create_assignment(assignment, duedate=utc_naive(deadline))


def make_template(course: Path, dest: Path) -> Path:
    """A copy of the main gradebook with the assignment and no students (nothing about the others
    ends up in a submission's scratch course)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(Path(course) / DB)
    try:
        out = sqlite3.connect(dest)
        src.backup(out)  # a consistent copy even if something reads the main one
    finally:
        src.close()
    out.close()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{dest}", course_id(course)) as gb:
        for student in [s.id for s in gb.students]:
            gb.remove_student(student)
    con = sqlite3.connect(dest)
    con.execute("VACUUM")
    con.close()
    return dest


def install_template(template: Path, work: Path) -> None:
    shutil.copyfile(template, Path(work) / DB)


def record_autograde(course: Path, assignment: str, student: str, timestamp: datetime | None,
                     notebook: dict, release: dict, passed: dict[str, bool], config=None) -> None:
    """The student's autograded scores, from evidence (see the module's docstring). `notebook` is the
    autograded notebook, `release` the student version, `passed` {test cell: its verdict}."""
    from .course import checksum, grade_id, nbgrader_meta

    released = {grade_id(c): c for c in release["cells"] if grade_id(c)}
    theirs = {grade_id(c): c for c in notebook.get("cells", []) if isinstance(c, dict)
              and isinstance(c.get("metadata"), dict) and grade_id(c)}

    def unanswered(gid: str) -> bool:
        mine, base = theirs.get(gid), released.get(gid)
        if mine is None or base is None:
            return True
        try:
            return checksum(mine) == nbgrader_meta(base).get("checksum", checksum(base))
        except (KeyError, TypeError, ValueError):
            return False

    with open_gradebook(course) as gb:
        gb.update_or_create_student(student)
        ts = utc_naive(timestamp)
        sub = gb.update_or_create_submission(assignment, student, **({"timestamp": ts} if ts else {}))
        for nb in sub.notebooks:
            for g in nb.grades:
                meta = nbgrader_meta(released.get(g.name, {}))
                if meta.get("solution"):
                    auto = 0.0 if unanswered(g.name) else None
                elif g.cell.cell_type == "code":
                    auto = float(g.max_score) if passed.get(g.name) else 0.0
                else:
                    auto = None
                g.auto_score = auto
                g.needs_manual_grade = bool(auto is None or g.manual_score is not None)
            for c in nb.comments:
                task = nbgrader_meta(released.get(c.name, {})).get("task")
                c.auto_comment = "No response." if unanswered(c.name) and not task else None
            nb.late_submission_penalty = None
        gb.db.commit()
        if sub.total_seconds_late > 0:
            from nbgrader.preprocessors import AssignLatePenalties

            late = AssignLatePenalties(config=config) if config is not None else AssignLatePenalties()
            late.init_plugin()
            for nb in sub.notebooks:
                penalty = late.plugin_inst.late_submission_penalty(student, nb.score,
                                                                   sub.total_seconds_late)
                if penalty is not None:
                    nb.late_submission_penalty = late._check_late_penalty(nb, penalty)
            gb.db.commit()


def record(course: Path, assignment: str, student: str, timestamp: datetime | None,
           manual: bool) -> None:
    """A submission nbgrader could not autograde: every grade 0 and nothing to grade by hand
    (manual=False: not a notebook, as nbgrader does for a missing notebook), or every grade left to
    the instructor (manual=True: the kernel died, a limit was hit)."""
    with open_gradebook(course) as gb:
        gb.update_or_create_student(student)
        ts = utc_naive(timestamp)
        sub = gb.update_or_create_submission(assignment, student, **({"timestamp": ts} if ts else {}))
        for nb in sub.notebooks:
            for g in nb.grades:
                g.auto_score = None if manual else 0.0
                g.needs_manual_grade = bool(manual or g.manual_score is not None)
            for c in nb.comments:
                c.auto_comment = None if manual else "No response."
        gb.db.commit()


@dataclass
class Scores:
    score: float = 0.0            # what the gradebook says now (autograded + any manual scores)
    max_score: float = 0.0
    auto: float = 0.0             # autograded points
    auto_max: float = 0.0
    needs_manual: bool = False
    manual_cells: list[str] = field(default_factory=list)   # grade cells waiting for a human
    failed: list[str] = field(default_factory=list)          # autograded cells below full marks
    present: bool = False


def scores(course: Path, assignment: str, student: str, gb=None) -> Scores:
    from nbgrader.api import MissingEntry

    if gb is None:
        with open_gradebook(course) as gb2:
            return scores(course, assignment, student, gb2)
    out = Scores()
    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        return out
    out.present = True
    out.score, out.max_score = float(sub.score or 0), float(sub.max_score or 0)
    out.needs_manual = bool(sub.needs_manual_grade)
    for nb in sub.notebooks:
        for g in nb.grades:
            if g.needs_manual_grade:
                out.manual_cells.append(g.name)
            if g.cell_type == "code":
                out.auto += float(g.auto_score or 0)
                out.auto_max += float(g.max_score)
                if float(g.score or 0) < float(g.max_score):
                    out.failed.append(g.name)
    return out
