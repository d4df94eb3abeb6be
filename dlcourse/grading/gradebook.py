"""The course's nbgrader gradebook: a template for the workers, and the serial merge of their results.

Each worker autogrades one submission in its own scratch course, whose gradebook.db is a copy of
the *template* (the main gradebook with the assignment and no student in it). Only the
orchestrator writes the main gradebook, one merge at a time, so parallel workers never share an
SQLite file. A merge does what `nbgrader autograde --force` would have done to the main gradebook:
the student and the submission (with its timestamp) are created or updated, each grade gets the
worker's auto_score, and a grade an instructor already scored by hand stays, marked for review.
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


def course_id(course: Path) -> str:
    from .course import load_config

    return load_config(course).CourseDirectory.course_id or "default_course"


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


def _copy_grades(src_sub, dst, assignment: str, student: str) -> None:
    for snb in src_sub.notebooks:
        dnb = dst.find_submission_notebook(snb.name, assignment, student)
        dnb.late_submission_penalty = snb.late_submission_penalty
        for g in snb.grades:
            dg = dst.find_grade(g.name, snb.name, assignment, student)
            dg.auto_score = g.auto_score
            dg.needs_manual_grade = bool(g.needs_manual_grade or dg.manual_score is not None)
        for c in snb.comments:
            dc = dst.find_comment(c.name, snb.name, assignment, student)
            dc.auto_comment = c.auto_comment


def merge(course: Path, work: Path, assignment: str, student: str, timestamp: datetime | None) -> bool:
    """Copy `student`'s autograde results from the scratch course `work` into the main gradebook.
    False when the scratch gradebook has no submission (the worker died before nbgrader made one)."""
    from nbgrader.api import Gradebook, MissingEntry

    cid = course_id(course)
    _quiet()
    with Gradebook(db_url(work), cid) as src:
        try:
            src_sub = src.find_submission(assignment, student)
        except MissingEntry:
            return False
        with Gradebook(db_url(course), cid) as dst:
            dst.update_or_create_student(student)
            ts = utc_naive(timestamp) or src_sub.timestamp
            dst.update_or_create_submission(assignment, student, **({"timestamp": ts} if ts else {}))
            _copy_grades(src_sub, dst, assignment, student)
            dst.db.commit()
    return True


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
