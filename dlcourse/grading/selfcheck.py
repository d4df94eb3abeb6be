"""The learner's check: run an assignment notebook's visible tests and say, part by part, what passes.

    dlcourse check A01 path/to/A01-autograd.ipynb

executes the notebook top to bottom in a fresh kernel (nbclient; no nbgrader, no exchange, no
gradebook, so it works on Colab and on a laptop) and prints, for each autograded test cell
(grade_id), pass or fail, its points and the first line of the assertion message, and the total of
the visible points. A cell passes when it shows no error (warnings on stderr do not count, as for
the grader). The grader adds hidden tests, so passing here is necessary, not sufficient.

From inside the notebook (JupyterLab, VS Code, Colab): save it, then

    from dlcourse.grading.selfcheck import check_notebook
    check_notebook()          # finds the notebook it runs in; or check_notebook("A01-autograd.ipynb")

The kernel that runs the copy gets NESTED_ENV, and so do the grader's kernels: a check_notebook()
cell in the notebook does nothing there. Without it, the copy's own check_notebook() cell would find
the notebook again (the kernel inherits JPY_SESSION_NAME) and check it in another kernel, and so on,
each level waiting on the next until its cell timed out.
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .course import checksum, nbgrader_meta

DEFAULT_TIMEOUT = 120
NESTED_ENV = "DLCOURSE_CHECKING"


@dataclass
class Part:
    grade_id: str
    title: str               # the heading above it, e.g. "(a) `Value`: addition and multiplication"
    points: float
    passed: bool | None      # None: not run (the kernel died before it)
    message: str = ""        # the first line of what went wrong
    edited: bool = False     # the test cell differs from the one released


@dataclass
class CheckReport:
    notebook: Path
    parts: list[Part] = field(default_factory=list)
    written: list[tuple[str, float]] = field(default_factory=list)  # (grade_id, points) by hand
    error: str = ""          # the run stopped (kernel died, could not start)

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts if p.passed)

    @property
    def max_points(self) -> float:
        return sum(p.points for p in self.parts)

    def format(self) -> str:
        lines = [f"Visible tests of {self.notebook.name}:"]
        width = max((len(p.grade_id) for p in self.parts), default=10)
        for p in self.parts:
            mark = "✓" if p.passed else ("·" if p.passed is None else "✗")
            pts = f"{p.points if p.passed else 0:g}/{p.points:g}"
            line = f"  {mark} {p.grade_id.ljust(width)}  {pts:>7}  {p.title}"
            if p.passed is None:
                line += "\n      not run: " + (self.error or "the notebook stopped before it")
            elif not p.passed:
                line += f"\n      {p.message}"
            if p.edited:
                line += "\n      note: this test cell was edited; the grader runs the original"
            lines.append(line)
        lines.append(f"  total: {self.points:g}/{self.max_points:g} visible points"
                     + (", all visible tests pass" if self.parts and self.points == self.max_points
                        else ""))
        for gid, pts in self.written:
            lines.append(f"  + {gid}: {pts:g} points, a written answer graded by hand")
        lines.append("  (the grader also runs hidden tests: passing here is necessary, not sufficient)")
        if self.error:
            lines.append(f"  the run stopped: {self.error}")
        return "\n".join(lines)


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else (source or "")


def _first_line(output: dict) -> str:
    value = str(output.get("evalue", "")).strip().splitlines()
    return f"{output.get('ename', 'Error')}: {value[0]}" if value else output.get("ename", "Error")


def verdict(cell: dict) -> tuple[bool, str]:
    """The grader's rule for an autograded code cell, as far as a learner's own run can tell: an
    error output fails it; stderr (a warning) does not (`dlcourse grade` judges a test cell by the
    evidence that it ran to its end, and warnings never cost points)."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return False, _first_line(o)
    return True, ""


def _titles(nb: dict) -> dict[int, str]:
    """Cell index -> the last markdown heading above it."""
    out, title = {}, ""
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "markdown":
            for line in _text(cell.get("source")).splitlines():
                m = re.match(r"#{1,4}\s+(.*)", line)
                if m:
                    title = re.sub(r"\s+[—-]+\s+\d+\s+points?.*$", "", m.group(1)).strip()
                    break
        out[i] = title
    return out


def plan(nb: dict) -> tuple[list[tuple[int, Part]], list[tuple[str, float]]]:
    """The notebook's autograded test cells, as (cell index, Part not yet run), and its parts graded
    by hand, as (grade_id, points)."""
    titles = _titles(nb)
    tests, written = [], []
    for i, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        gid, points = meta.get("grade_id", f"cell {i}"), float(meta.get("points", 0))
        if cell.get("cell_type") == "code" and not meta.get("solution"):
            edited = "checksum" in meta and meta["checksum"] != _safe_checksum(cell)
            tests.append((i, Part(gid, titles.get(i, ""), points, None, edited=edited)))
        else:
            written.append((gid, points))
    return tests, written


def check(path: Path, timeout: int = DEFAULT_TIMEOUT, kernel_name: str = "python3") -> CheckReport:
    """Execute the notebook at `path` (a copy; the file is not changed) and judge its test cells."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    report = CheckReport(path)
    tests, report.written = plan(nb)
    report.parts = [p for _, p in tests]
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError",
                          "evalue": f"the cell ran longer than {timeout} s (an infinite loop?)",
                          "traceback": []},
        resources={"metadata": {"path": str(path.parent.resolve())}})
    try:
        client.execute(env=kernel_env())
    except DeadKernelError as exc:
        report.error = f"the kernel died ({exc}); the cells after it did not run"
    except Exception as exc:  # noqa: BLE001  (a kernel that cannot start, a cell that hangs the kernel)
        first = str(exc).strip().splitlines()
        report.error = f"{type(exc).__name__}: {first[0] if first else ''}"
    for i, part in tests:
        cell = nb.cells[i]
        if cell.get("execution_count") is None and not cell.get("outputs"):
            continue  # not run
        part.passed, part.message = verdict(cell)
    return report


def kernel_env(environ: dict | None = None) -> dict:
    """The environment of a kernel that runs a notebook for a check: NESTED_ENV set, and not the
    front end's notebook name (JPY_SESSION_NAME), which is not the notebook this kernel runs."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items()
           if k != "JPY_SESSION_NAME"}
    env[NESTED_ENV] = "1"
    return env


def _safe_checksum(cell) -> str:
    try:
        return checksum(cell)
    except (KeyError, TypeError, ValueError):
        return ""


# ----------------------------------------------------------------------------- inside a notebook

def _current_notebook() -> Path:
    """The notebook this kernel runs: JupyterLab/Notebook 7 (__session__, JPY_SESSION_NAME), VS Code
    (__vsc_ipynb_file__), or Colab (fetched from the front end into a temporary file)."""
    try:
        from IPython import get_ipython
        ns = get_ipython().user_ns if get_ipython() is not None else {}
    except ImportError:
        ns = {}
    candidates = (ns.get("__session__"), os.environ.get("JPY_SESSION_NAME"), ns.get("__vsc_ipynb_file__"))
    for candidate in candidates:
        if candidate and str(candidate).endswith(".ipynb") and Path(candidate).is_file():
            return Path(candidate)
    if "google.colab" in sys.modules:
        from google.colab import _message  # type: ignore[import-not-found]

        nb = _message.blocking_request("get_ipynb", timeout_sec=30)["ipynb"]
        tmp = Path(tempfile.mkdtemp(prefix="dlcourse-check-")) / "notebook.ipynb"
        tmp.write_text(json.dumps(nb), encoding="utf-8")
        return tmp
    raise FileNotFoundError("cannot tell which notebook this is: pass its path, "
                            "e.g. check_notebook('A01-autograd.ipynb')")


def check_notebook(path: str | os.PathLike | None = None,
                   timeout: int = DEFAULT_TIMEOUT) -> CheckReport | None:
    """Check a saved notebook (by default the one this code runs in) in a fresh kernel and print
    the report. Save the notebook first: the check runs what is on disk. Does nothing in a kernel
    that is itself running the notebook for a check or for grading."""
    if os.environ.get(NESTED_ENV):
        print("(the self-check does not run while this notebook is being checked or graded)")
        return None
    try:
        notebook = Path(path) if path else _current_notebook()
    except FileNotFoundError as exc:
        print(f"✗ {exc}")
        return None
    report = check(notebook, timeout=timeout)
    print(report.format())
    return report

