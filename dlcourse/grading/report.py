"""The grading summary: a table for the terminal, summary.csv (with the flags), and grades.csv
(nbgrader's own CSV export of the gradebook, the file to upload to an LMS)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Row:
    student: str
    score: float
    max_score: float
    status: str                 # graded | unchanged | earlier | invalid | manual
    flags: list[str] = field(default_factory=list)
    origin: str = ""
    timestamp: str = ""
    seconds: float | None = None
    sandbox: str = ""           # the isolation it was graded under (isolation.py)

    @property
    def flag_text(self) -> str:
        return "; ".join(self.flags)


def _num(x: float) -> str:
    return f"{x:g}"


def table(rows: list[Row], title: str = "", skipped: list[tuple[str, str]] = (), warning: str = "") -> str:
    head = ("student", "score", "max", "run", "flags")
    body = [(r.student, _num(r.score), _num(r.max_score), r.status, r.flag_text) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(4)]
    lines = [title] if title else []
    for i, row in enumerate([head, *body]):
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2]),
                 row[3].ljust(widths[3]), row[4]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            flags = max((len(b[4]) for b in body), default=5)
            lines.append("-" * min(100, sum(widths) + 8 + max(5, flags)))
    for origin, why in skipped:
        lines.append(f"skipped {origin}: {why}")
    if warning:
        lines.append(warning)
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path, skipped: list[tuple[str, str]] = (),
              warning: str = "") -> Path:
    """The table as CSV; a skipped file is a row with run "skipped" and no student, and a grader
    without a sandbox says so in a first row, student "(warning)"."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "score", "max_score", "run", "flags", "origin", "timestamp", "seconds",
                    "sandbox"])
        if warning:
            w.writerow(["(warning)", "", "", "warning", warning, "", "", "", "none"])
        for r in rows:
            w.writerow([r.student, _num(r.score), _num(r.max_score), r.status, r.flag_text, r.origin,
                        r.timestamp, "" if r.seconds is None else f"{r.seconds:.1f}", r.sandbox])
        for origin, why in skipped:
            w.writerow(["", "", "", "skipped", why, origin, "", "", ""])
    return path


def export_grades(course: Path, assignment: str, path: Path) -> Path:
    """nbgrader's CsvExportPlugin (what `nbgrader export` writes), for this assignment only."""
    from nbgrader.plugins import CsvExportPlugin

    from .gradebook import open_gradebook

    with open_gradebook(course) as gb:
        CsvExportPlugin(to=str(path), assignment=[assignment]).export(gb)
    return Path(path)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
