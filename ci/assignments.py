"""nbgrader assignments: the committed student versions and the grading round trip (COURSE.md §5).

    python -m ci.assignments                    # assignments/ == generate_assignment(solutions/)?
    python -m ci.assignments --write            # regenerate assignments/ from solutions/
    python -m ci.assignments --roundtrip        # and autograde fake students; print their scores
    python -m ci.assignments A01 --roundtrip --timeout 15 --keep /tmp/a01-course

Both run nbgrader in a temporary course directory (a copy of solutions/<A>/, the repository's
nbgrader_config.py, a fresh gradebook), never in the repository itself.

check_release(name): generates the student version and compares it with assignments/<A>/ (every
file; notebooks compared as JSON, so formatting does not matter but any change of a source, a cell
type, an id, metadata or an output does). nbgrader's output is deterministic (cell ids come from the
source, checksums from the cell contents), so nothing is ignored.

roundtrip(name): generates the assignment (nbgrader's Python API), puts submissions in
submitted/<student>/<A>/ as `nbgrader collect` would, and autogrades them all with one
`nbgrader autograde <A>` in a subprocess, as an instructor would: a student's code can loop forever
(each cell has a timeout) or kill its kernel, and this process stays out of harm's way. Scores are
read back from the gradebook. The students:
  solution   the instructor's notebook as is                    -> full autograded marks
  solved     the release with the solution code typed in        -> full (the fixtures' base)
  blank      the release untouched                              -> 0
  <fixture>  tests/fixtures/<id>/fixtures.toml: wrong code, an edited test cell -> what the fixture
             expects; with --limits also an infinite loop and a dead kernel (A01 has them; the
             grading tests run them once, against the grader)
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The nbgrader course-directory helpers live in the package (dlcourse grade uses them too).
from dlcourse.grading.course import (  # noqa: E402
    RELEASE, SOURCE, FixtureError, apply_edits, assignment_names, generate,
    make_course, resolve, solved_release,
)
from dlcourse import _toml as tomllib  # noqa: E402
from dlcourse.grading.course import grade_id as _grade_id  # noqa: E402
from dlcourse.grading.course import load_config as _load_config  # noqa: E402
from dlcourse.grading.course import read_nb as _read_nb  # noqa: E402
from dlcourse.grading.course import venv_path_env as _venv_path_env  # noqa: E402
from dlcourse.grading.course import write_nb as _write_nb  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"

LIMITS = ("timeout", "dead")  # fixtures that test the grader's limits, not the assignment
# A cell timeout short enough for CI; real grading uses nbgrader_config.py's.
ROUNDTRIP_TIMEOUT = 15


# -------------------------------------------------------------------------------- release check

def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def _nb_text(path: Path) -> list[str]:
    return json.dumps(_read_nb(path), indent=1, sort_keys=True, ensure_ascii=False).splitlines()


def check_release(name: str, write: bool = False) -> list[str]:
    """Regenerate the student version of `name` from solutions/ and compare it with assignments/.

    Returns the differences (empty when they agree). With write=True, replaces assignments/<name>/
    with the regenerated one instead and returns [].
    """
    committed = ROOT / RELEASE / name
    with tempfile.TemporaryDirectory(prefix=f"nbgrader-{name}-") as tmp:
        fresh = generate(name, make_course(name, Path(tmp)))
        if write:
            if committed.exists():
                shutil.rmtree(committed)
            shutil.copytree(fresh, committed)
            for p in committed.rglob("*"):  # nbgrader writes 644; keep ordinary permissions
                if p.is_file():
                    p.chmod(0o644)
            return []
        return release_differences(name, fresh)


def release_differences(name: str, fresh: Path) -> list[str]:
    """How assignments/<name>/ differs from a freshly generated release folder."""
    committed = ROOT / RELEASE / name
    new, old = _files(fresh), _files(committed)
    problems = []
    for rel in sorted(set(new) | set(old)):
        where = f"{RELEASE}/{name}/{rel}"
        if rel not in old:
            problems.append(f"{where}: missing (nbgrader generates it)")
        elif rel not in new:
            problems.append(f"{where}: not generated by nbgrader from {SOURCE}/{name}/")
        elif rel.endswith(".ipynb"):
            a, b = _nb_text(old[rel]), _nb_text(new[rel])
            if a != b:
                diff = difflib.unified_diff(a, b, f"{where} (committed)", f"{where} (regenerated)",
                                            lineterm="", n=2)
                problems.append(f"{where}: differs from what nbgrader generates\n" + "\n".join(diff))
        elif old[rel].read_bytes() != new[rel].read_bytes():
            problems.append(f"{where}: differs from {SOURCE}/{name}/{rel}")
    return problems


# ------------------------------------------------------------------------------------ submissions

@dataclass
class Submission:
    student: str
    notebook: dict
    expect: str                      # full | zero | partial | timeout | dead
    fails: list[str] | None = None   # the test cells it must fail (None: not checked)
    why: str = ""


def fixture_dir(name: str) -> Path:
    return FIXTURES / name.split("-")[0]


def load_fixtures(name: str) -> list[dict]:
    spec = fixture_dir(name) / "fixtures.toml"
    if not spec.exists():
        return []
    return tomllib.loads(spec.read_text(encoding="utf-8")).get("fixture", [])


def submissions(name: str, source_nb: dict, release_nb: dict) -> list[Submission]:
    """The fake students of the round trip."""
    solved = solved_release(source_nb, release_nb)
    subs = [
        Submission("solution", copy.deepcopy(source_nb), "full", [], "the instructor's notebook"),
        Submission("solved", solved, "full", [], "the release with the solutions typed in"),
        Submission("blank", copy.deepcopy(release_nb), "zero", None, "the release, untouched"),
    ]
    for fx in load_fixtures(name):
        student = fx["name"]
        if not re.fullmatch(r"[a-z0-9_]+", student):
            raise FixtureError(f"fixture name {student!r}: use lowercase letters, digits and _")
        subs.append(Submission(student, apply_edits(solved, fx.get("edit", []), student),
                               fx.get("expect", "partial"), fx.get("fails"), fx.get("why", "")))
    names = [s.student for s in subs]
    if len(set(names)) != len(names):
        raise FixtureError(f"duplicate student names: {names}")
    return subs


# ------------------------------------------------------------------------------------ round trip

@dataclass
class Result:
    student: str
    expect: str
    why: str
    fails_expected: list[str] | None
    score: float = 0.0            # autograded points
    max_score: float = 0.0        # autogradable points
    written_max: float = 0.0      # points graded by hand
    needs_manual: bool = False    # nbgrader flags the submission for manual grading
    cells: dict = field(default_factory=dict)  # code grade cell -> (score, max)
    graded: bool = False          # nbgrader wrote an autograded notebook
    error: bool = False           # nbgrader reported a failure for this submission
    timeouts: list[str] = field(default_factory=list)  # cells that hit the timeout
    reason: str = ""              # nbgrader's error for a failed submission

    @property
    def failed(self) -> list[str]:
        return [c for c, (s, m) in self.cells.items() if s < m]

    @property
    def status(self) -> str:
        if self.error or not self.graded:
            state = f"FAILED: {self.reason or 'nbgrader error'}" if self.error else "not graded"
            if self.needs_manual:
                state += "; gradebook: 0, flagged for manual grading"
            return state
        notes = []
        if self.timeouts:
            notes.append("timeout in " + ", ".join(self.timeouts))
        if self.needs_manual:
            notes.append(f"written answer: {self.written_max:g} pts to grade by hand")
        return "graded" + (f" ({'; '.join(notes)})" if notes else "")


@dataclass
class RoundTrip:
    name: str
    results: dict[str, Result]
    returncode: int
    log: str
    seconds: float
    course: Path | None = None
    complete: bool = True         # all the students ran (not a selection)
    release_problems: list[str] = field(default_factory=list)  # generated release vs assignments/

    def table(self) -> str:
        rows = [("student", "expect", "autograded", "status")]
        for r in self.results.values():
            rows.append((r.student, r.expect, f"{r.score:g}/{r.max_score:g}", r.status))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [f"{self.name}: nbgrader round trip ({self.seconds:.0f} s, "
                 f"`nbgrader autograde` exit status {self.returncode})"]
        for i, row in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3])
            if i == 0:
                lines.append("-" * (sum(widths) + 2 * len(widths) + len(row[3])))
        return "\n".join(lines)

    def problems_of(self, student: str) -> list[str]:
        """How `student`'s result differs from what it expects (empty when it matches)."""
        r = self.results[student]
        who = f"{r.student} ({r.why})" if r.why else r.student
        out = []
        if r.expect == "dead":
            if not r.error:
                out.append(f"{who}: expected nbgrader to report a failed submission")
            if r.score != 0:
                out.append(f"{who}: expected score 0, got {r.score:g}")
            return out
        if not r.graded or r.error:
            return [f"{who}: was not graded" + (f" ({r.reason})" if r.reason else "")]
        if r.expect == "full" and r.score != r.max_score:
            out.append(f"{who}: expected full marks, got {r.score:g}/{r.max_score:g}; "
                       f"failed {', '.join(r.failed)}")
        if r.expect == "zero":
            if r.score != 0:
                out.append(f"{who}: expected 0, got {r.score:g}/{r.max_score:g}; passed "
                           + ", ".join(c for c in r.cells if c not in r.failed))
            if r.needs_manual:
                out.append(f"{who}: an untouched written answer should not need manual grading")
        if r.expect in ("partial", "timeout") and not r.score < r.max_score:
            out.append(f"{who}: expected less than full marks, got {r.score:g}/{r.max_score:g}")
        if r.expect == "timeout" and not r.timeouts:
            out.append(f"{who}: expected a cell to time out")
        if r.fails_expected is not None and sorted(r.failed) != sorted(r.fails_expected):
            out.append(f"{who}: expected to fail {sorted(r.fails_expected)}, failed {sorted(r.failed)}")
        return out

    def uncaught(self) -> list[str]:
        """Autograded test cells that no wrong submission (partial/timeout) fails."""
        cells: set[str] = set()
        caught: set[str] = set()
        for r in self.results.values():
            cells |= set(r.cells)
            if r.expect in ("partial", "timeout") and r.graded:
                caught |= set(r.failed)
        return sorted(cells - caught)

    def problems(self) -> list[str]:
        """Everything that does not match the expectations (empty when all do)."""
        out = [p for student in self.results for p in self.problems_of(student)]
        missed = self.uncaught()
        if missed and self.complete:
            out.append("no wrong implementation is caught by " + ", ".join(missed)
                       + f" (add one to {fixture_dir(self.name).relative_to(ROOT)}/fixtures.toml)")
        return out


def _failure_reason(log: str, student: str) -> str:
    """The last exception line of nbgrader's traceback for `student`'s failed submission."""
    m = re.search(rf"error processing assignment: \S*submitted/{re.escape(student)}/(.*?)"
                  r"(?=\[AutogradeApp \| (?:WARNING|INFO)\] |\Z)", log, re.S)
    if not m:
        return ""
    lines = [ln.strip() for ln in m.group(1).splitlines()
             if re.match(r"\s*[\w.]+(Error|Exception|Interrupt)\b", ln)]
    return lines[-1] if lines else ""


def _timeouts(path: Path) -> list[str]:
    if not path.exists():
        return []
    out = []
    for i, cell in enumerate(_read_nb(path)["cells"]):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError":
                out.append(_grade_id(cell) or cell.get("id") or f"cell {i}")
                break
    return out


def _run_batch(cmd: list[str], cwd: Path, limit: float) -> tuple[int, str]:
    """Run the batch in its own process group; on overrun, end that group (nbgrader and the
    kernels it started) and report it."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=_venv_path_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=limit)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return -9, out + f"\n[ci.assignments] nbgrader autograde killed after {limit:.0f} s\n"


def roundtrip(name: str, timeout: int = ROUNDTRIP_TIMEOUT, workdir: Path | None = None,
              only: list[str] | None = None, limits: bool = False) -> RoundTrip:
    """Generate `name` in a temporary course (comparing the release with assignments/ on the way),
    autograde the fake students in one batch, and return their scores. `workdir` keeps the course
    directory there (it must not exist yet); `only` restricts the students. The fixtures that hit
    a limit (an infinite loop, a dead kernel) take a timeout each and test the grader rather than
    the assignment: they run only with `limits` (tests/test_grading.py grades them once)."""
    from nbgrader.api import Gradebook, MissingEntry

    t0 = time.perf_counter()
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix=f"nbgrader-{name}-roundtrip-")
        root = Path(tmp.name)
    else:
        root = Path(workdir)
        if root.exists() and any(root.iterdir()):
            raise FileExistsError(f"{root} is not empty")
    try:
        make_course(name, root, timeout=timeout)
        release = generate(name, root)
        release_problems = release_differences(name, release)
        cfg = _load_config(root)
        course_id = cfg.CourseDirectory.course_id
        source_nb = _read_nb(root / SOURCE / name / f"{name}.ipynb")
        release_nb = _read_nb(release / f"{name}.ipynb")

        subs = submissions(name, source_nb, release_nb)
        if not limits:
            subs = [s for s in subs if s.expect not in LIMITS]
        if only:
            subs = [s for s in subs if s.student in only]
        for s in subs:
            # what `nbgrader collect` leaves: submitted/<student>/<assignment>/ with the
            # assignment's files (data files come back from the source at autograde time)
            _write_nb(s.notebook, root / "submitted" / s.student / name / f"{name}.ipynb")

        limit = 120 + len(subs) * (4 * timeout + 60)
        rc, log = _run_batch([sys.executable, "-m", "nbgrader", "autograde", name, "--force"],
                             root, limit)
        errored = set(re.findall(r"error processing assignment '[^']*' for student '([^']+)'", log))

        results: dict[str, Result] = {}
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id) as gb:
            for s in subs:
                r = Result(s.student, s.expect, s.why, s.fails)
                r.error = s.student in errored
                r.reason = _failure_reason(log, s.student) if r.error else ""
                graded_nb = root / "autograded" / s.student / name / f"{name}.ipynb"
                r.graded = graded_nb.exists() and not r.error
                r.timeouts = _timeouts(graded_nb)
                try:
                    snb = gb.find_submission_notebook(name, name, s.student)
                except MissingEntry:
                    results[s.student] = r
                    continue
                for g in snb.grades:
                    if g.cell_type == "code":
                        r.cells[g.name] = (float(g.score or 0.0), float(g.max_score))
                        r.score += float(g.auto_score or 0.0)
                        r.max_score += float(g.max_score)
                    else:
                        r.written_max += float(g.max_score)
                r.needs_manual = bool(snb.needs_manual_grade)
                results[s.student] = r
        return RoundTrip(name, results, rc, log, time.perf_counter() - t0,
                         None if tmp else root, complete=not only, release_problems=release_problems)
    finally:
        if tmp is not None:
            tmp.cleanup()


# ------------------------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ci.assignments", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="assignments (default: all in solutions/)")
    parser.add_argument("--write", action="store_true", help="regenerate assignments/ from solutions/")
    parser.add_argument("--roundtrip", action="store_true", help="also autograde the fake students")
    parser.add_argument("--timeout", type=int, default=ROUNDTRIP_TIMEOUT,
                        help=f"per-cell timeout of the round trip, s (default {ROUNDTRIP_TIMEOUT})")
    parser.add_argument("--keep", type=Path, help="keep the round trip's course directory here")
    parser.add_argument("--limits", action="store_true",
                        help="also grade the fixtures that loop forever or kill their kernel")
    parser.add_argument("--log", action="store_true", help="print nbgrader's autograde log")
    args = parser.parse_args(argv)

    names = [resolve(n) for n in args.names] or assignment_names()
    if not names:
        print(f"no assignments in {SOURCE}/")
        return 0
    status = 0
    for name in names:
        if args.write:
            check_release(name, write=True)
            print(f"{RELEASE}/{name}/: regenerated from {SOURCE}/{name}/")
        else:
            problems = check_release(name)
            if problems:
                status = 1
                print("\n".join(problems))
                print(f"{RELEASE}/{name}/ is out of date: run `python -m ci.assignments {name} --write`")
            else:
                print(f"{RELEASE}/{name}/: matches nbgrader generate_assignment")
        if args.roundtrip:
            workdir = args.keep / name if args.keep and len(names) > 1 else args.keep
            rt = roundtrip(name, timeout=args.timeout, workdir=workdir, limits=args.limits)
            if args.log:
                print(rt.log)
            print(rt.table())
            from ci import mutants  # how many mutants of the solution the hidden tests catch (§5)
            print(mutants.run(name).summary())
            problems = rt.problems()
            if problems:
                status = 1
                print("PROBLEMS:\n  " + "\n  ".join(problems))
            else:
                print("round trip OK")
    return status


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
