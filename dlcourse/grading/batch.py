"""`dlcourse grade`: autograde a batch of submissions, in parallel, idempotently.

    course = grading/<A>/ (or --course), git-ignored:
      nbgrader_config.py          loads the repository's; root = this folder; deleted tests restored
      solutions/<A>/, assignments/<A>/, gradebook.db     nbgrader's course, generated here
      submitted/<student>/<A>/<A>.ipynb + timestamp.txt  what nbgrader collect would leave
      autograded/, feedback/      nbgrader's outputs (feedback: HTML per student)
      grades.csv                  nbgrader's CSV export; summary.csv: the table, with flags
      grading.json                per student: the content hash graded, flags, timings
      logs/<student>.log          nbgrader's log of the student's autograde (the reason first on failure)
      work/<student>/             a submission's scratch course while it is graded
      intake/                     extracted archives

A run: intake (intake.py, and scan.py's look at each student's code) -> the students whose content
hash (with the assignment source's) changed, or all with --force -> each one autograded by a worker
in its own scratch course (sandbox.py), inside bubblewrap when it works here (isolation.py), up to
--jobs at a time -> each result checked and merged into the main gradebook as it arrives, by this
process alone (gradebook.py), and the student's feedback made (feedback.py) -> grades.csv,
summary.csv and the table (report.py). The state is saved after each merge: an interrupted run
resumes where it stopped.

What comes back from a worker is data, checked before use: result.json (JSON, signed with a key
the worker read on its standard input; a result that does not verify is not used), and the
autograded notebook (its SHA-256 is in the signed result), copied as regular files only: a
symbolic link in a scratch folder is never followed. The scratch gradebook is not read: scores are
written from the worker's verdicts. The course's configuration is read once, before any worker
starts; a worker gets it as JSON. One submission that fails in any way (its worker, its scratch
folder, its merge) is reported in its row, and the batch goes on.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from . import feedback, gradebook, intake, isolation, report, sandbox, scan as static_scan
from .course import (SOURCE, RELEASE, generate, load_config, make_course, read_nb, repository,
                     resolve)

STATE = "grading.json"
COURSE_CONFIG = [
    "# dlcourse grade: a deleted test cell is put back from the gradebook (and flagged).",
    "c.OverwriteCells.add_missing_cells = True",
]


@dataclass
class Options:
    assignment: str
    submissions: Path
    course: Path | None = None
    deadline: datetime | None = None
    force: bool = False
    jobs: int = 0                       # 0: one per CPU core (fewer if memory is short)
    timeout: int | None = None          # per cell, s (None: nbgrader_config.py's)
    memory_mb: int | None = sandbox.DEFAULT_MEMORY_MB
    max_procs: int | None = sandbox.DEFAULT_MAX_PROCS
    exec_prefix: str | None = None      # None: $DLCOURSE_GRADE_EXEC_PREFIX
    sandbox: str = "auto"               # auto | bwrap | none (isolation.py)
    feedback_messages: bool = False     # a failed hidden test's message in the feedback
    keep_work: bool = False
    echo: Callable[[str], None] = print


@dataclass
class Report:
    assignment: str
    course: Path
    rows: list[report.Row]
    graded: list[str]                   # graded in this run
    skipped: list[tuple[str, str]]
    seconds: float
    grades_csv: Path
    summary_csv: Path
    state: dict = field(default_factory=dict)
    isolation: isolation.Isolation | None = None

    def table(self) -> str:
        title = (f"{self.assignment}: {len(self.graded)} graded now, "
                 f"{len(self.rows) - len(self.graded)} unchanged or earlier ({self.seconds:.0f} s); "
                 f"course {self.course}")
        warning = self.isolation.warning if self.isolation else ""
        return report.table(self.rows, title, self.skipped, warning)

    def row(self, student: str) -> report.Row:
        return next(r for r in self.rows if r.student == student)


# --------------------------------------------------------------------------------------- the course

def _sha_dir(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def load_state(course: Path) -> dict:
    path = Path(course) / STATE
    if path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            pass
    return {"students": {}}


def save_state(course: Path, state: dict) -> None:
    path = Path(course) / STATE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def prepare_course(name: str, course: Path, state: dict, timeout: int | None,
                   echo=print, feedback_messages: bool = False) -> tuple[str, int, object]:
    """The main course directory, ready to grade `name`: config, source, release and gradebook
    (generated again when solutions/<name>/ changed). Returns (source hash, per-cell timeout, the
    course's nbgrader configuration, read now and not again)."""
    course.mkdir(parents=True, exist_ok=True)
    ignore = course / ".gitignore"
    if not ignore.exists():  # students' work and grades never get committed by accident
        ignore.write_text("# dlcourse grade: grading state, submissions and grades\n*\n",
                          encoding="utf-8")
    source_sha = _sha_dir(repository() / SOURCE / name)
    shutil.rmtree(course / SOURCE / name, ignore_errors=True)
    make_course(name, course, timeout=timeout,
                extra=[*COURSE_CONFIG, *feedback.course_config(feedback_messages)])
    release = course / RELEASE / name / f"{name}.ipynb"
    fresh = release.exists() and (course / gradebook.DB).exists()
    if state.get("source_sha") != source_sha or not fresh:
        echo(f"nbgrader generate_assignment {name} (in {course})")
        generate(name, course)
        state["source_sha"] = source_sha
    cfg = load_config(course)
    gradebook.remember_course_id(course, cfg.CourseDirectory.course_id)
    effective = cfg.Execute.timeout if "timeout" in cfg.Execute else 30  # nbgrader's default
    return source_sha, int(effective or 0), cfg


def _jsonable(value):
    """The JSON part of a traitlets Config (class objects and the like are left out)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _jsonable(v)
            if v is not _SKIP:
                out[str(k)] = v
        return out
    if isinstance(value, (list, tuple)):
        items = [_jsonable(v) for v in value]
        return _SKIP if any(v is _SKIP for v in items) else items
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _SKIP


_SKIP = object()


def _scratch(course: Path, name: str, student: str, template: Path, config: dict) -> Path:
    """work/<student>/: a course with only this student: its configuration as JSON (the course's,
    rooted here), the template gradebook, the submission, and the assignment's non-notebook files
    (data)."""
    work = course / "work" / student
    shutil.rmtree(work, ignore_errors=True)
    (work / "home" / "tmp").mkdir(parents=True)
    cfg = json.loads(json.dumps(config))
    cfg.setdefault("CourseDirectory", {})["root"] = str(work)
    (work / sandbox.CONFIG).write_text(json.dumps(cfg, indent=1), encoding="utf-8")
    gradebook.install_template(template, work)
    shutil.copytree(course / "submitted" / student / name, work / "submitted" / student / name)
    # nbgrader copies the source's other files in; the instructor's notebook is not needed (the
    # gradebook holds the tests) and is left out
    shutil.copytree(course / SOURCE / name, work / SOURCE / name,
                    ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
    return work


def _layout(course: Path, name: str, sub: intake.Submission) -> None:
    """submitted/<student>/<A>/ as nbgrader collect leaves it; stale outputs removed."""
    dest = course / "submitted" / sub.student / name
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    # a file that is not a gradable notebook is kept as sent, under a name nbgrader ignores
    target = dest / (f"{name}.ipynb" if sub.gradable else sub.path.name + ".not-graded")
    if sub.path.is_file():
        shutil.copyfile(sub.path, target)
    else:   # an archive entry that could not be read: what went wrong stands in for it
        target.write_text(sub.problem + "\n", encoding="utf-8")
    (dest / "timestamp.txt").write_text(sub.timestamp.isoformat() + "\n", encoding="utf-8")
    for folder in ("autograded", "feedback"):
        shutil.rmtree(course / folder / sub.student / name, ignore_errors=True)


# ------------------------------------------------------------------------------------- a submission

def scan(notebook: Path) -> dict[str, list[str]]:
    """Cells of an autograded notebook that timed out or ran out of memory."""
    found: dict[str, list[str]] = {"timeout": [], "memory": []}
    if not notebook.exists():
        return found
    for i, cell in enumerate(read_nb(notebook)["cells"]):
        label = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id") or f"#{i}"
        for o in cell.get("outputs", []):
            if o.get("output_type") != "error":
                continue
            if o.get("ename") == "CellTimeoutError":
                found["timeout"].append(label)
            elif o.get("ename") == "MemoryError" or "can't allocate memory" in str(o.get("evalue", "")):
                found["memory"].append(label)
    return found


def _reason(result: sandbox.WorkerResult | None, outcome: sandbox.Outcome) -> str:
    if outcome.killed:
        return outcome.killed
    if result is None:
        tail = outcome.output.strip().splitlines()[-1:] or ["no output"]
        return f"the grader's worker failed (exit {outcome.returncode}): {tail[0][:200]}"
    text = result.error + "\n" + result.log
    if "DeadKernelError" in text or "Kernel died" in text:
        where = f" while running {result.last_cell}" if result.last_cell else ""
        return f"kernel died ({sandbox.describe_exit(result.kernel_exit)}){where}"
    if "UnresponsiveKernelError" in text or "became unresponsive" in text:
        return f"kernel unresponsive (ignored the interrupt) in {result.last_cell or 'a cell'}"
    # the last exception nbgrader logged for this submission, else the one it raised
    log = result.log.split("error processing assignment", 1)[-1]
    found = [ln.strip() for ln in log.splitlines()
             if re.match(r"\s*(\[ERROR\]\s*)?[\w.]+(Error|Exception)\b", ln) and "NbGraderException" not in ln]
    lines = found or [ln.strip() for ln in result.error.splitlines() if ln.strip()]
    return f"nbgrader failed: {lines[-1][:200] if lines else 'unknown error'}"


def default_jobs() -> int:
    """One job per CPU core, but no more than one per GB of available memory (a graded A01
    submission holds about 0.4 GB: nbgrader and a kernel with PyTorch)."""
    cores = os.cpu_count() or 1
    try:
        import psutil
        cores = min(cores, max(1, int(psutil.virtual_memory().available // 2**30)))
    except ImportError:
        pass
    return max(1, cores)


def _limits(opts: Options, timeout: int, cells: int) -> sandbox.Limits:
    # a backstop only: nbgrader's per-cell timeout stops a cell; this stops a kernel that ignores it
    wall = 180 + (cells + 2) * (timeout or 600) * 1.5
    return sandbox.Limits(memory_mb=opts.memory_mb, wall_s=wall, max_procs=opts.max_procs)


# ----------------------------------------------------------------------------------------- the run

def grade(opts: Options) -> Report:
    t0 = time.monotonic()
    name = resolve(opts.assignment)
    source = Path(opts.submissions)
    if not (source.is_dir() or (source.is_file() and zipfile.is_zipfile(source))):
        raise FileNotFoundError(f"{source}: not a folder or a .zip of submissions")
    course = Path(opts.course or Path.cwd() / "grading" / name).resolve()
    course.mkdir(parents=True, exist_ok=True)
    lock = open(course / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise RuntimeError(f"another `dlcourse grade` is running in {course}") from None
    try:
        return _grade(opts, name, course, t0)
    finally:
        lock.close()


def _grade(opts: Options, name: str, course: Path, t0: float) -> Report:
    echo = opts.echo
    prefix = opts.exec_prefix if opts.exec_prefix is not None else os.environ.get(sandbox.EXEC_PREFIX_ENV)
    where = isolation.choose(opts.sandbox, prefix)
    echo(where.warning or f"sandbox: {where.label}")
    state = load_state(course)
    state["assignment"] = name
    source_sha, timeout, cfg = prepare_course(name, course, state, opts.timeout, echo,
                                              opts.feedback_messages)
    gradebook.set_duedate(course, name, opts.deadline)
    state["deadline"] = opts.deadline.isoformat() if opts.deadline else None
    save_state(course, state)
    release = read_nb(course / RELEASE / name / f"{name}.ipynb")
    cells = sum(1 for c in release["cells"] if c["cell_type"] == "code")

    found = intake.collect(Path(opts.submissions), name, release, course / "intake", opts.deadline)
    students = state.setdefault("students", {})
    todo = []
    for student, sub in found.submissions.items():
        key = f"{sub.sha256}:{source_sha}"
        prev = students.get(student, {})
        seen = static_scan.scan(sub.notebook, release) if sub.notebook is not None else []
        entry = {**prev, "origin": sub.origin, "timestamp": sub.timestamp.isoformat(),
                 "intake_flags": [str(f) for f in sub.flags]
                 + ([f"suspicious: {' | '.join(seen)}"] if seen else [])}
        students[student] = entry
        if opts.force or prev.get("key") != key:
            entry["key"] = None  # not graded yet (set when its result is merged)
            todo.append((sub, key))
    _sync_timestamps(course, name, found, {s.student for s, _ in todo})
    save_state(course, state)
    echo(f"{name}: {len(found.submissions)} submissions, {len(todo)} to grade"
         + (f", {len(found.skipped)} files skipped" if found.skipped else "")
         + f" (jobs {opts.jobs or default_jobs()}, cell timeout {timeout} s, "
           f"memory {opts.memory_mb or 'unlimited'} MB)")

    graded: list[str] = []

    def done(student: str, key: str, status: str, flags: list[str], seconds: float | None = None,
             extra: dict | None = None) -> None:
        students[student].update({"key": key, "status": status, "grade_flags": flags, "seconds": seconds,
                                  "sandbox": where.label if status != "invalid" else "",
                                  "graded_at": datetime.now().astimezone().isoformat(), **(extra or {})})
        save_state(course, state)
        graded.append(student)
        try:
            s = gradebook.scores(course, name, student)
        except Exception:  # noqa: BLE001  (a progress line is no reason to stop)
            s = gradebook.Scores()
        echo(f"  [{len(graded)}/{len(todo)}] {student}: {s.score:g}/{s.max_score:g}"
             + (f" in {seconds:.0f} s" if seconds is not None else "")
             + (f"  {'; '.join(students[student]['intake_flags'] + flags)}"
                if students[student]["intake_flags"] or flags else ""))

    runnable = []
    for sub, key in todo:
        _layout(course, name, sub)
        if sub.gradable:
            runnable.append((sub, key))
        else:
            gradebook.record(course, name, sub.student, sub.timestamp, manual=False)
            done(sub.student, key, "invalid", [])

    if runnable:
        sandbox.reset()
        template = gradebook.make_template(course, course / "work" / "template.db")
        limits = _limits(opts, timeout, cells)
        jobs = max(1, opts.jobs or default_jobs())
        config = _jsonable(cfg)

        def run(sub: intake.Submission):
            key = secrets.token_bytes(32)
            try:
                work = _scratch(course, name, sub.student, template, config)
                wrap = isolation.bwrap_args(where.detail, work) if where.kind == "bubblewrap" else []
                cmd = sandbox.worker_command(work, name, sub.student, prefix or "", course=str(course))
                outcome = sandbox.run_limited(wrap + cmd, work, sandbox.scrubbed_env(work / "home"),
                                              limits, stdin=key.hex().encode() + b"\n")
            except Exception as exc:  # noqa: BLE001  (its scratch folder could not be made: report it)
                work = course / "work" / sub.student
                outcome = sandbox.Outcome(None, "", 0.0, killed=f"the grader could not run it: "
                                                                f"{type(exc).__name__}: {exc}")
            return work, outcome, key

        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = {pool.submit(run, sub): (sub, key) for sub, key in runnable}
            for fut in as_completed(futures):
                sub, key = futures[fut]
                work, outcome, secret = fut.result()
                try:
                    status, flags = _merge(course, name, sub, work, outcome, secret, release, cfg, opts)
                except Exception as exc:  # noqa: BLE001  (one submission never stops the batch)
                    status, flags = "manual", [f"needs manual grading: the grader could not merge "
                                               f"its result: {type(exc).__name__}: {exc}"]
                    try:
                        gradebook.record(course, name, sub.student, sub.timestamp, manual=True)
                    except Exception:  # noqa: BLE001  (the row says it; the gradebook may be the cause)
                        pass
                peaks = {"peak_rss_mb": round(outcome.peak_rss_mb), "peak_vms_mb": round(outcome.peak_vms_mb)}
                done(sub.student, key, status, flags, outcome.seconds, peaks)
                if not opts.keep_work:
                    shutil.rmtree(work, ignore_errors=True)
        except BaseException:  # Ctrl-C, or a bug: no worker outlives the grader; a rerun resumes
            pool.shutdown(wait=False, cancel_futures=True)
            sandbox.kill_all()
            raise
        pool.shutdown()
        if not opts.keep_work:
            shutil.rmtree(course / "work", ignore_errors=True)

    rows = _rows(course, name, state, set(found.submissions), set(graded))
    grades_csv = report.export_grades(course, name, course / "grades.csv")
    summary_csv = report.write_csv(rows, course / "summary.csv", found.skipped, where.warning)
    return Report(name, course, rows, graded, found.skipped, time.monotonic() - t0,
                  grades_csv, summary_csv, state, where)


def copy_regular(src: Path, dest: Path, max_bytes: int = 200 * 2**20) -> list[str]:
    """Copy the regular files under `src` to `dest`, never through a symbolic link (neither a
    linked file nor a linked folder is followed) and at most `max_bytes` in all. Returns what
    was left out (links, special files, what passed the limit), relative to `src`."""
    left, total = [], 0
    src = Path(src)
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if (here / d).is_symlink():
                left.append(str((here / d).relative_to(src)))
                dirnames.remove(d)
        for f in filenames:
            path, rel = here / f, (here / f).relative_to(src)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                left.append(str(rel))
                continue
            with os.fdopen(fd, "rb") as fh:
                info = os.fstat(fh.fileno())
                if not stat.S_ISREG(info.st_mode) or total + info.st_size > max_bytes:
                    left.append(str(rel))
                    continue
                total += info.st_size
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                with open(dest / rel, "wb") as out:
                    shutil.copyfileobj(fh, out)
    return sorted(left)


def _merge(course: Path, name: str, sub: intake.Submission, work: Path, outcome: sandbox.Outcome,
           key: bytes, release: dict, cfg, opts: Options) -> tuple[str, list[str]]:
    """Check one worker's result and fold it into the main course; returns (status, flags)."""
    result, problem = sandbox.read_result(work, key)
    flags: list[str] = []
    for folder in ("autograded", "feedback"):
        shutil.rmtree(course / folder / sub.student / name, ignore_errors=True)
    graded = course / "autograded" / sub.student / name
    left: list[str] = []
    notebook = None
    if result is not None and result.success and not outcome.killed:
        left = copy_regular(work / "autograded" / sub.student / name, graded)
        path = graded / f"{name}.ipynb"
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        if not digest or digest != result.notebook_sha256:
            problem = "its graded notebook changed after the worker wrote it"
        else:
            notebook = read_nb(path)
    failed = outcome.killed or result is None or not result.success or notebook is None
    reason = problem or (_reason(result, outcome) if failed else "")
    log = course / "logs" / f"{sub.student}.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text((reason + "\n\n" if reason else "")
                   + (result.error + "\n" + result.log if result else "")[-50000:]
                   + "\n[worker output]\n" + outcome.output[-20000:], encoding="utf-8")
    if problem:   # a result that does not verify: somebody changed it, and it is not used
        flags.append(f"tamper: {problem}")
        reason = "its result could not be trusted (see the tamper flag)"
    if failed:
        shutil.rmtree(graded, ignore_errors=True)
        gradebook.record(course, name, sub.student, sub.timestamp, manual=True)
        return "manual", [*flags, f"needs manual grading: {reason}"]
    verdicts = result.cells
    gradebook.record_autograde(course, name, sub.student, sub.timestamp, notebook, release,
                               {gid: bool(v.get("passed")) for gid, v in verdicts.items()}, cfg)
    tampered: dict[str, list[str]] = {}
    for gid, v in sorted(verdicts.items()):
        for what in v.get("tamper", []):
            tampered.setdefault(what, []).append(gid)
    if tampered:
        flags.append("tamper: " + " | ".join(f"{what} ({', '.join(cells)})"
                                             for what, cells in tampered.items()))
    found = scan(graded / f"{name}.ipynb")
    if found["timeout"]:
        flags.append(f"timeout: {', '.join(found['timeout'])}")
    if found["memory"]:
        flags.append(f"memory limit: MemoryError in {', '.join(found['memory'])}")
    if result.truncated:
        flags.append(f"output truncated: {', '.join(dict.fromkeys(result.truncated))} (kept the start)")
    links = sorted(set(result.links) | set(left))
    if links:
        flags.append(f"suspicious: links or special files in its output, not copied: "
                     f"{', '.join(links[:5])}")
    ok, why = feedback.generate(course, name, sub.student, cfg, opts.feedback_messages)
    if not ok:
        log.write_text(log.read_text(encoding="utf-8") + "\n[generate_feedback]\n" + why, encoding="utf-8")
        flags.append(f"no feedback: generate_feedback failed (see logs/{sub.student}.log)")
    return "graded", flags


def _sync_timestamps(course: Path, name: str, found: intake.Intake, regrading: set[str]) -> None:
    """A student whose content did not change keeps its grades; its timestamp follows the files."""
    from nbgrader.api import MissingEntry

    with gradebook.open_gradebook(course) as gb:
        for student, sub in found.submissions.items():
            if student in regrading:
                continue
            try:
                s = gb.find_submission(name, student)
            except MissingEntry:
                continue
            ts = gradebook.utc_naive(sub.timestamp)
            if s.timestamp != ts:
                s.timestamp = ts
        gb.db.commit()


def _rows(course: Path, name: str, state: dict, present: set[str], graded: set[str]) -> list[report.Row]:
    rows = []
    with gradebook.open_gradebook(course) as gb:
        for student, entry in sorted(state.get("students", {}).items()):
            if not entry.get("key") and student not in graded:
                continue
            s = gradebook.scores(course, name, student, gb)
            flags = list(entry.get("intake_flags", [])) + list(entry.get("grade_flags", []))
            if s.manual_cells and entry.get("status") == "graded":
                flags.append(f"manual: {', '.join(s.manual_cells)} to grade by hand")
            status = "graded" if student in graded else "unchanged" if student in present else "earlier"
            if student in graded and entry.get("status") in ("invalid", "manual"):
                status = entry["status"]
            rows.append(report.Row(student, s.score, s.max_score, status, flags, entry.get("origin", ""),
                                   entry.get("timestamp", ""), entry.get("seconds"),
                                   entry.get("sandbox", "")))
    return rows
