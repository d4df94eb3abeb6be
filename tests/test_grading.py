"""`dlcourse grade` (the instructor's batch grader) and `dlcourse check` (the learner's check):
dlcourse/grading/.

Fast: intake (shapes, LMS names, zips, duplicates, renamed, invalid, late, edited or deleted test
cells), the sandbox's limits on plain subprocesses (environment, memory, time, processes, signals),
idempotence and --force on submissions that need no kernel, the CLI's errors.

The hostile batch (cheats, attacks on the course and the grader, the sandbox) is
tests/test_grading_hostile.py's.

Slow (@pytest.mark.assignments): one batch of good and malicious A01 submissions
(tests/fixtures/grading/submissions.toml) graded once in parallel and shared by the tests (each
robustness case: its score and its flag); a sequential run of three of them from an LMS zip (the
same scores as the parallel batch), then an added late submission graded alone through an exec
prefix; the learner's check on a solved, a blank and a wrong notebook. Cells time out after 15 s.
"""
from __future__ import annotations

import copy
import json
import os
import sqlite3
import sys
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ci import assignments as A  # noqa: E402
from dlcourse import _toml as tomllib  # noqa: E402
from dlcourse import cli  # noqa: E402
from dlcourse.grading import batch, course, intake, report, sandbox, selfcheck  # noqa: E402

pytest.importorskip("nbgrader")
pytest.importorskip("psutil")

NAME = "A01-autograd"
FIXTURES = ROOT / "tests" / "fixtures" / "grading"
SPEC = tomllib.loads((FIXTURES / "submissions.toml").read_text(encoding="utf-8"))["submission"]
TIMEOUT = 15
DEADLINE = datetime(2026, 12, 1, 23, 59).astimezone()
SECRET = "dlcourse-secret-7f3a9c"


def _slow(test):
    test = pytest.mark.assignments(test)
    try:
        import xdist  # noqa: F401
    except ImportError:
        return test
    return pytest.mark.xdist_group("grading-batch")(test)


def _source():
    return course.read_nb(ROOT / course.SOURCE / NAME / f"{NAME}.ipynb")


def _release():
    return course.read_nb(ROOT / course.RELEASE / NAME / f"{NAME}.ipynb")


def _solved():
    return course.solved_release(_source(), _release())


def _fixture(name):
    return next(fx for fx in A.load_fixtures(NAME) if fx["name"] == name)


def _notebook(spec: dict) -> bytes:
    base = spec["base"]
    if base == "bytes":
        return spec["content"].encode()
    nb = {"solved": _solved, "blank": _release}.get(base, lambda: None)()
    if nb is None:
        nb = course.apply_edits(_solved(), _fixture(base).get("edit", []), base)
    nb = course.apply_edits(nb, spec.get("edit", []), spec["student"] or spec["file"])
    return json.dumps(nb, indent=1, ensure_ascii=False).encode()


def _stamp(path: Path, hours: float) -> None:
    t = (DEADLINE + timedelta(hours=hours)).timestamp()
    os.utime(path, (t, t))


def build(folder: Path, specs=SPEC) -> Path:
    """The submissions of `specs` laid out in `folder`, each with its mtime."""
    for spec in specs:
        path = folder / spec["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_notebook(spec))
        _stamp(path, spec.get("mtime", -1.0))
    return folder


def build_zip(path: Path, files: dict[str, tuple[bytes, float]]) -> Path:
    """An LMS-style zip: {entry name: (content, hours relative to the deadline)}."""
    with zipfile.ZipFile(path, "w") as zf:
        for entry, (data, hours) in files.items():
            info = zipfile.ZipInfo(entry, (DEADLINE + timedelta(hours=hours)).timetuple()[:6])
            zf.writestr(info, data)
    return path


def _flag(row, code: str) -> str | None:
    return next((f for f in row.flags if f.startswith(code)), None)


# ================================================================================== fast: intake

def test_checksum_is_nbgrader_s():
    import nbformat
    from nbgrader.utils import compute_checksum

    for nb in (_source(), _release(), _solved()):
        for raw, cell in zip(nb["cells"], nbformat.reads(json.dumps(nb), as_version=4).cells):
            if course.nbgrader_meta(raw):
                assert course.checksum(raw) == compute_checksum(cell)


@pytest.mark.parametrize("filename,student,given", [
    ("alice.ipynb", "alice", None),
    ("Alice Smith.ipynb", "alice_smith", None),
    ("alice (1).ipynb", "alice", None),
    ("alice_A01-autograd.ipynb", "alice", None),
    ("A01_bob.ipynb", "bob", None),
    ("alice_12345_A01-autograd.ipynb", "alice", "A01-autograd.ipynb"),
    ("smithalice_late_12345_67890_A01-autograd-1.ipynb", "smithalice", "A01-autograd-1.ipynb"),
    ("Alice Smith_123_assignsubmission_file_notes.ipynb", "alice_smith", "notes.ipynb"),
    ("张伟_42_A01-autograd.ipynb", "张伟", "A01-autograd.ipynb"),
    ("A01-autograd.ipynb", None, None),
    ("a01.ipynb", None, None),
])
def test_student_from_a_file_name(filename, student, given):
    assert intake.parse_flat(filename, NAME) == (student, given)


@pytest.mark.parametrize("folder,student", [
    ("alice", "alice"), ("Alice Smith_12345_assignsubmission_file_", "alice_smith"), ("Bob-2", "bob-2")])
def test_student_from_a_folder_name(folder, student):
    assert intake.parse_folder(folder) == student


def test_file_names_that_are_the_assignment():
    for ok in ("A01-autograd.ipynb", "a01_autograd (2).ipynb", "A01.ipynb", "A01-autograd-1.ipynb"):
        assert intake.is_assignment_file(ok, NAME), ok
    for bad in ("Untitled.ipynb", "A02-mlp.ipynb", "alice.ipynb"):
        assert not intake.is_assignment_file(bad, NAME), bad


def test_intake_of_the_batch(tmp_path):
    """Every case of the batch as intake sees it, without grading anything."""
    found = intake.collect(build(tmp_path / "subs"), NAME, _release(), tmp_path / "x", DEADLINE)
    flags = {s: [f.code for f in sub.flags] for s, sub in found.submissions.items()}
    students = {spec["student"] for spec in SPEC if spec["student"]}
    assert set(found.submissions) == students
    assert [o for o, _ in found.skipped] == ["A01-autograd.ipynb"]
    assert flags["solved"] == [] and flags["pow_wrong"] == [] and flags["memory_hog"] == []
    assert flags["segv"] == ["renamed"]
    assert flags["tampered"] == ["edited-test", "deleted-test"]
    assert "test_value_pow_tanh" in str(found.submissions["tampered"].flags[0])
    assert "test_value_backward" in str(found.submissions["tampered"].flags[1])
    assert flags["carol"] == ["invalid"] and flags["dave"] == ["invalid"]
    assert "not valid JSON" in found.submissions["carol"].problem
    assert "not a notebook" in found.submissions["dave"].problem
    snoop = found.submissions["snoop"]
    assert flags["snoop"] == ["duplicate", "late"]
    assert snoop.origin == "snoop/A01-autograd.ipynb", "the newest file wins"
    assert "2 h 06 min" in str(snoop.flags[1])
    assert snoop.notebook is not None and snoop.gradable


def test_intake_of_an_lms_zip(tmp_path):
    solved, blank = json.dumps(_solved()).encode(), json.dumps(_release()).encode()
    archive = build_zip(tmp_path / "A01 submissions.zip", {
        "A01 submissions/alice_111_A01-autograd.ipynb": (solved, -5),
        "A01 submissions/alice_111_A01-autograd-1.ipynb": (blank, +1),   # resubmitted late
        "A01 submissions/bob_222_Untitled.ipynb": (solved, -2),
        "A01 submissions/Carol Li_333_assignsubmission_file_/A01-autograd.ipynb": (solved, -3),
        "A01 submissions/__MACOSX/._bob_222_Untitled.ipynb": (b"junk", 0),
        "A01 submissions/.DS_Store": (b"junk", 0),
        "../evil.ipynb": (solved, 0),
    })
    found = intake.collect(archive, NAME, _release(), tmp_path / "intake", DEADLINE)
    subs = found.submissions
    assert set(subs) == {"alice", "bob", "carol_li"}
    assert subs["alice"].origin.endswith("alice_111_A01-autograd-1.ipynb")
    assert [f.code for f in subs["alice"].flags] == ["duplicate", "late"]
    assert "1 h 00 min" in str(subs["alice"].flags[1]), "the zip entry's date is the timestamp"
    assert [f.code for f in subs["bob"].flags] == ["renamed"]
    assert subs["carol_li"].flags == []
    assert subs["carol_li"].timestamp == DEADLINE - timedelta(hours=3)
    assert ("A01 submissions.zip:../evil.ipynb", "unsafe path in the archive") in found.skipped
    assert not (tmp_path / "evil.ipynb").exists()


def test_a_lone_student_folder_is_not_unwrapped(tmp_path):
    archive = build_zip(tmp_path / "one.zip", {"alice/A01-autograd.ipynb": (json.dumps(_solved()).encode(), 0)})
    assert set(intake.collect(archive, NAME, _release(), tmp_path / "x").submissions) == {"alice"}


def test_nbgrader_s_own_submitted_layout_keeps_its_timestamps(tmp_path):
    """A folder laid out as `nbgrader collect` leaves it: submitted/<student>/<A>/ + timestamp.txt."""
    for student, stamp in (("alice", "2026-12-01 22:00:00.000000 UTC"), ("bob", "2026-12-02T03:30:00+01:00")):
        folder = tmp_path / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(json.dumps(_solved()))
        (folder / "timestamp.txt").write_text(stamp + "\n")
    subs = intake.collect(tmp_path / "submitted", NAME, _release(), tmp_path / "x",
                          intake.parse_deadline("2026-12-01T23:59Z")).submissions
    assert subs["alice"].flags == [] and subs["alice"].timestamp.utcoffset() is not None
    assert [str(f) for f in subs["bob"].flags] == ["late: 2 h 31 min"]


def test_a_notebook_of_another_assignment_is_flagged(tmp_path):
    (tmp_path / "subs").mkdir()
    other = {"cells": [{"cell_type": "code", "source": "1", "metadata": {}, "outputs": [],
                        "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "subs" / "eve.ipynb").write_text(json.dumps(other))
    sub = intake.collect(tmp_path / "subs", NAME, _release(), tmp_path / "x").submissions["eve"]
    assert [f.code for f in sub.flags] == ["foreign"] and sub.gradable


def test_what_nbformat_refuses_is_invalid(tmp_path):
    path = tmp_path / "mal.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "1"}], "metadata": {},
                                "nbformat": 4, "nbformat_minor": 5}))
    nb, problem = intake.read_notebook(path)
    assert nb is None and problem.startswith("not a valid notebook") and "metadata" in problem
    path.write_text(json.dumps({"cells": "none", "nbformat": 4}))
    assert intake.read_notebook(path)[1] == "not a Jupyter notebook (no list of cells)"
    path.write_bytes(b"\xff\xfe{}")
    assert intake.read_notebook(path)[1] == "not valid JSON (not UTF-8 text)"


def test_a_failed_autograde_says_why():
    log = ("[INFO] Sanitizing ...\n[ERROR] There was an error processing assignment: /x/submitted/eve/A01\n"
           "[ERROR] Traceback (most recent call last):\n  File ...\n"
           "    jsonschema.exceptions.ValidationError: The notebook is invalid\n"
           "[ERROR] There was an error processing assignment 'A01' for student 'eve'\n")
    failed = sandbox.WorkerResult(error="nbgrader.converters.base.NbGraderException: see above", log=log)
    done = sandbox.Outcome(0, "", 1.0)
    assert batch._reason(failed, done) == \
        "nbgrader failed: jsonschema.exceptions.ValidationError: The notebook is invalid"
    died = sandbox.WorkerResult(error="DeadKernelError: Kernel died", last_cell="value_backward", kernel_exit=-9)
    assert batch._reason(died, done) == "kernel died (SIGKILL, killed) while running value_backward"
    assert batch._reason(None, sandbox.Outcome(-9, "", 1.0, killed="time limit: still running after 9 s")) \
        == "time limit: still running after 9 s"
    assert batch._reason(None, sandbox.Outcome(1, "ImportError: no nbgrader\n", 1.0)).endswith("ImportError: no nbgrader")


def test_deadline_parsing():
    assert intake.parse_deadline("2026-12-01T23:59") == DEADLINE
    assert intake.parse_deadline("2026-12-01T23:59Z").utcoffset() == timedelta(0)
    assert intake.parse_deadline(None) is None
    assert intake.human(timedelta(hours=26, minutes=3)) == "26 h 03 min"
    assert intake.human(timedelta(days=3, hours=2)) == "3 d 2 h"


# ================================================================================= fast: sandbox

def _run(code: str, limits=None, env_extra=None, tmp_path=None):
    env = sandbox.scrubbed_env(tmp_path, {**os.environ, **(env_extra or {})})
    return sandbox.run_limited([sys.executable, "-c", code], tmp_path, env, limits or sandbox.Limits())


def test_worker_environment_is_an_allow_list(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_TEST_SECRET", SECRET)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("LANG", "C.UTF-8")
    out = _run("import os, json; print(json.dumps(dict(os.environ)))", tmp_path=tmp_path)
    env = json.loads(out.output)
    assert SECRET not in out.output
    assert env["HOME"] == str(tmp_path) and env["TMPDIR"].startswith(str(tmp_path))
    assert env["LANG"] == "C.UTF-8" and env["OMP_NUM_THREADS"] == "1"
    assert set(env) - {"LC_CTYPE"} <= set(sandbox.ENV_ALLOW) | set(sandbox.ENV_FIXED) | {"PATH", "HOME", "TMPDIR"}


def test_memory_limit_turns_a_runaway_allocation_into_a_memory_error(tmp_path):
    hog = "b = bytearray(2**30); print('allocated')"
    limited = _run(hog, sandbox.Limits(memory_mb=512), tmp_path=tmp_path)
    assert limited.returncode == 1 and "MemoryError" in limited.output
    free = _run(hog, sandbox.Limits(memory_mb=None), tmp_path=tmp_path)  # untouched pages: no RSS
    assert free.returncode == 0 and "allocated" in free.output


def test_torch_imports_under_the_default_memory_limit(tmp_path):
    out = _run("import torch; print(float((torch.ones(64, 64) @ torch.ones(64, 64)).sum()))",
               tmp_path=tmp_path)
    assert out.returncode == 0 and "262144.0" in out.output, out.output[-2000:]
    assert out.peak_vms_mb < sandbox.DEFAULT_MEMORY_MB / 2, f"peak {out.peak_vms_mb:.0f} MB of address space"


def test_wall_clock_and_process_limits_end_the_whole_tree(tmp_path):
    import psutil

    slow = _run("import time; time.sleep(60)", sandbox.Limits(wall_s=2), tmp_path=tmp_path)
    assert slow.killed.startswith("time limit") and slow.seconds < 20
    spawn = ("import subprocess, time\n"
             "ps = [subprocess.Popen(['sleep', '300'], start_new_session=True) for _ in range(8)]\n"
             "open('pids', 'w').write(' '.join(str(p.pid) for p in ps)); time.sleep(60)")
    forks = _run(spawn, sandbox.Limits(max_procs=4, wall_s=30), tmp_path=tmp_path)
    assert forks.killed.startswith("process limit"), forks
    time.sleep(0.5)
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()] if (tmp_path / "pids").exists() else []
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"left running: {alive}"


def test_interrupting_the_grader_ends_every_worker(tmp_path):
    import threading

    box = {}
    t = threading.Thread(target=lambda: box.update(out=_run("import time; time.sleep(60)", tmp_path=tmp_path)))
    t.start()
    deadline = time.monotonic() + 30
    while not sandbox._LIVE and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        sandbox.kill_all()
        t.join(timeout=15)
        assert not t.is_alive() and box["out"].returncode == -9
        with pytest.raises(RuntimeError, match="interrupted"):
            _run("print(1)", tmp_path=tmp_path)
    finally:
        sandbox.reset()
    assert _run("print(1)", tmp_path=tmp_path).output.strip() == "1"


def test_segfault_and_exit_status_are_described(tmp_path):
    out = _run("import ctypes; ctypes.string_at(0)", tmp_path=tmp_path)
    assert sandbox.describe_exit(out.returncode) == "SIGSEGV, segmentation fault"
    assert sandbox.describe_exit(1) == "exit status 1"


def test_exec_prefix_wraps_the_worker(monkeypatch, tmp_path):
    cmd = sandbox.worker_command(tmp_path, NAME, "alice", "bwrap --bind {work} {work} --")
    assert cmd[:4] == ["bwrap", "--bind", str(tmp_path), str(tmp_path)]
    assert cmd[4:] == ["--", sys.executable, "-m", "dlcourse.grading.sandbox", str(tmp_path), NAME, "alice"]
    monkeypatch.setenv(sandbox.EXEC_PREFIX_ENV, "nice -n 5")
    assert sandbox.worker_command(tmp_path, NAME, "a")[:3] == ["nice", "-n", "5"]


# ============================================================================ fast: no kernels

def test_invalid_submissions_idempotence_and_force(tmp_path, capsys):
    """Submissions that are not notebooks need no kernel: the whole run, the rerun and --force."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "carol.ipynb").write_text("{not json")
    (subs / "dave.docx").write_bytes(b"PK\x03\x04")
    where = tmp_path / "course"
    assert cli.main(["grade", "A01", str(subs), "--course", str(where), "--timeout", str(TIMEOUT)]) == 0
    out = capsys.readouterr().out
    assert "carol" in out and "invalid: not valid JSON" in out and "grades.csv" in out
    assert (where / ".gitignore").read_text().strip().endswith("*")
    rows = {r["student_id"]: r for r in report.read_csv(where / "grades.csv")}
    assert set(rows) == {"carol", "dave"} and all(float(r["score"]) == 0 for r in rows.values())
    assert (where / "submitted" / "dave" / NAME / "dave.docx.not-graded").exists()

    again = batch.grade(batch.Options("A01", subs, course=where, timeout=TIMEOUT, echo=lambda s: None))
    assert again.graded == [] and {r.status for r in again.rows} == {"unchanged"}
    forced = batch.grade(batch.Options("A01", subs, course=where, timeout=TIMEOUT, force=True,
                                       echo=lambda s: None))
    assert sorted(forced.graded) == ["carol", "dave"]
    assert all(_flag(r, "invalid") for r in forced.rows)


def test_cli_rejects_bad_arguments(tmp_path, capsys):
    assert cli.main(["grade", "A01", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert cli.main(["grade", "A01", str(tmp_path), "--deadline", "next friday"]) == 2
    assert "--deadline" in capsys.readouterr().err
    assert cli.main(["check", "A01", str(tmp_path / "missing.ipynb")]) == 2
    (tmp_path / "subs.txt").write_text("not a zip")
    assert cli.main(["grade", "A01", str(tmp_path / "subs.txt"), "--course", str(tmp_path / "c")]) == 2
    assert "not a folder or a .zip" in capsys.readouterr().err


def test_a_second_run_on_the_same_course_is_refused(tmp_path):
    import fcntl

    where = tmp_path / "course"
    where.mkdir()
    with open(where / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another `dlcourse grade`"):
            batch.grade(batch.Options("A01", tmp_path, course=where))


# ========================================================================= slow: the whole batch

@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """The batch of submissions.toml, graded once with two jobs, the grader holding a secret."""
    tmp = tmp_path_factory.mktemp("grading-batch")
    subs = build(tmp / "subs")
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DLCOURSE_TEST_SECRET", SECRET)
        run = batch.grade(batch.Options("A01", subs, course=tmp / "course", deadline=DEADLINE,
                                        jobs=2, timeout=TIMEOUT, echo=lines.append))
    print("\n" + "\n".join(lines) + "\n" + run.table())
    return run


def _expected():
    return [s for s in SPEC if s.get("expect")]


@_slow
@pytest.mark.parametrize("spec", _expected(), ids=lambda s: s["student"])
def test_each_submission_is_scored_and_flagged(batch_run, spec):
    row = batch_run.row(spec["student"])
    want = spec["expect"]
    assert row.score == want["score"], f"{row}\n\n{batch_run.table()}"
    assert row.max_score == 12
    for code in want.get("flags", []):
        assert _flag(row, code), f"{spec['student']}: no {code!r} flag in {row.flags}"
    if "reason" in want:
        assert want["reason"] in _flag(row, "needs manual grading"), row.flags


@_slow
def test_the_batch_finishes_and_nothing_is_left_running(batch_run):
    import psutil

    students = {s["student"] for s in SPEC if s["student"]}
    assert sorted(batch_run.graded) == sorted(students), "every submission graded, none stopped the batch"
    assert [o for o, _ in batch_run.skipped] == ["A01-autograd.ipynb"]
    assert "A01-autograd.ipynb" in batch_run.table()
    assert not (batch_run.course / "work").exists(), "scratch courses are removed"
    me = psutil.Process()
    kernels = [p for p in me.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert not kernels


@_slow
def test_the_gradebook_is_intact_after_a_parallel_batch(batch_run):
    from nbgrader.api import Gradebook

    db = batch_run.course / "gradebook.db"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_student = con.execute("SELECT student_id, count(*) FROM submitted_assignment GROUP BY student_id").fetchall()
    con.close()
    students = {s["student"] for s in SPEC if s["student"]}
    assert dict(per_student) == {s: 1 for s in students}, "every student present once"
    with Gradebook(f"sqlite:///{db}", "dlcourse") as gb:
        assert sorted(s.id for s in gb.students) == sorted(students)
        for row in batch_run.rows:
            assert gb.find_submission(NAME, row.student).score == row.score
    exported = {r["student_id"]: float(r["score"]) for r in report.read_csv(batch_run.grades_csv)}
    assert exported == {r.student: r.score for r in batch_run.rows}
    summary = {r["student"]: r for r in report.read_csv(batch_run.summary_csv)}
    assert "needs manual grading" in summary["dead_kernel"]["flags"]


@_slow
def test_grader_secrets_stay_out_of_the_submission(batch_run):
    graded = batch_run.course / "autograded" / "snoop" / NAME / f"{NAME}.ipynb"
    text = graded.read_text(encoding="utf-8")
    assert "secret: None" in text, "the submission ran and looked"
    assert "PermissionError" in text, "its parent (the worker) is not dumpable: no /proc/<pid>/environ"
    for folder in ("autograded", "feedback"):
        for path in (batch_run.course / folder).rglob("*"):
            if path.is_file():
                assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


@_slow
def test_graded_outputs_are_where_nbgrader_puts_them(batch_run):
    where = batch_run.course
    for student in ("solved", "pow_wrong", "tampered", "memory_hog"):
        assert (where / "autograded" / student / NAME / f"{NAME}.ipynb").exists()
        assert (where / "feedback" / student / NAME / f"{NAME}.html").exists()
    restored = course.read_nb(where / "autograded" / "tampered" / NAME / f"{NAME}.ipynb")
    ids = [course.grade_id(c) for c in restored["cells"]]
    assert "test_value_backward" in ids, "the deleted test cell is back"
    test_b = next(c for c in restored["cells"] if course.grade_id(c) == "test_value_pow_tanh")
    assert "HIDDEN TESTS" in "".join(test_b["source"]), "the edited test cell was restored, hidden tests included"
    error = (where / "logs" / "segv.log").read_text()
    assert error.startswith("kernel died (SIGSEGV") and "DeadKernelError" in error
    state = json.loads((where / "grading.json").read_text())
    peak = state["students"]["solved"]["peak_vms_mb"]
    print(f"solved: peak address space {peak} MB, RSS {state['students']['solved']['peak_rss_mb']} MB")
    assert 0 < peak < sandbox.DEFAULT_MEMORY_MB / 2, "a normal submission runs well inside the default limit"


# =================================================================== slow: sequential, then rerun

SUBSET = ["solved", "pow_wrong", "tampered"]


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """Three students of the batch from an LMS zip, graded one at a time."""
    tmp = tmp_path_factory.mktemp("grading-seq")
    specs = {s["student"]: s for s in SPEC if s["student"] in SUBSET}
    files = {f"{s}_{1000 + i}_{NAME}.ipynb": (_notebook(specs[s]), -1.0) for i, s in enumerate(SUBSET)}
    archive = build_zip(tmp / "lms.zip", files)
    run = batch.grade(batch.Options("A01", archive, course=tmp / "course", deadline=DEADLINE, jobs=1,
                                    timeout=TIMEOUT, echo=lambda s: None))
    print("\n" + run.table())
    return tmp, files, run


@_slow
def test_parallel_scores_equal_sequential_scores(batch_run, sequential):
    _, _, seq = sequential
    assert sorted(seq.graded) == sorted(SUBSET)
    for student in SUBSET:
        assert seq.row(student).score == batch_run.row(student).score, student
        assert seq.row(student).flags == batch_run.row(student).flags, student


@_slow
def test_a_rerun_grades_only_what_changed(sequential, tmp_path, capsys):
    """Through the command line, with an exec prefix: one late submission added to the zip."""
    tmp, files, first = sequential
    marker = tmp_path / "prefix-calls"
    late = course.apply_edits(_solved(), _fixture("tanh_wrong")["edit"])
    archive = build_zip(tmp / "lms-with-late.zip",
                        {**files, f"late_1999_{NAME}.ipynb": (json.dumps(late).encode(), 3.0)})
    capsys.readouterr()
    assert cli.main(["grade", "A01", str(archive), "--course", str(first.course), "--jobs", "2",
                     "--deadline", "2026-12-01T23:59", "--timeout", str(TIMEOUT),
                     "--exec-prefix", f"sh {FIXTURES / 'record_prefix.sh'} {marker}"]) == 0
    print(capsys.readouterr().out)
    assert marker.read_text().split() == ["late"], "only the new submission is graded, through the prefix"
    rows = {r["student"]: r for r in report.read_csv(first.course / "summary.csv")}
    assert {s: r["run"] for s, r in rows.items()} == {**{s: "unchanged" for s in SUBSET}, "late": "graded"}
    assert rows["late"]["score"] == "5" and "late: 3 h 00 min" in rows["late"]["flags"]
    for student in SUBSET:
        assert float(rows[student]["score"]) == first.row(student).score


# ================================================================================ the learner's check

@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("selfcheck")
    wrong = course.apply_edits(_solved(), _fixture("pow_wrong")["edit"])
    out = {}
    for label, nb in (("solved", _solved()), ("blank", _release()), ("pow_wrong", wrong)):
        path = tmp / label / f"{NAME}.ipynb"
        course.write_nb(copy.deepcopy(nb), path)
        out[label] = path
    return out


@_slow
def test_check_passes_a_solved_notebook(checked, capsys):
    assert cli.main(["check", "A01", str(checked["solved"]), "--timeout", "60"]) == 0
    out = capsys.readouterr().out
    assert "total: 10/10 visible points, all visible tests pass" in out
    for part in ("test_value_add_mul", "test_value_pow_tanh", "test_value_backward", "test_autograd_check"):
        assert f"✓ {part}" in out
    assert "written_accumulation: 2 points" in out
    assert json.loads(checked["solved"].read_text())["cells"][1].get("outputs") == [], "the file is not changed"


@_slow
def test_check_fails_every_part_of_a_blank_notebook(checked):
    rep = selfcheck.check(checked["blank"], timeout=60)
    assert [p.passed for p in rep.parts] == [False] * 4 and rep.points == 0 and rep.max_points == 10
    assert "total: 0/10" in rep.format()


@_slow
def test_check_fails_the_right_part_with_the_assertion_message(checked):
    rep = selfcheck.check(checked["pow_wrong"], timeout=60)
    failed = [p.grade_id for p in rep.parts if not p.passed]
    assert failed == ["test_value_pow_tanh"]
    part = rep.parts[1]
    assert part.message.startswith("AssertionError: d/dx x**2 at x = 3.0: expected 6.0")
    assert part.title.startswith("(b) Powers and activation functions") and part.points == 3
    assert rep.points == 7


def test_check_notes_an_edited_test_cell():
    nb = course.apply_edits(_solved(), [{"cell": "test_value_add_mul", "source": "print('all good')"}])
    tests, written = selfcheck.plan(nb)
    parts = {p.grade_id: p for _, p in tests}
    assert list(parts) == ["test_value_add_mul", "test_value_pow_tanh", "test_value_backward",
                           "test_autograd_check"]
    assert parts["test_value_add_mul"].edited and not parts["test_value_pow_tanh"].edited
    assert written == [("written_accumulation", 2.0)]
    parts["test_value_add_mul"].passed = True
    assert "this test cell was edited" in selfcheck.CheckReport(Path("x.ipynb"), list(parts.values())).format()


def test_check_notebook_finds_the_notebook_it_runs_in(tmp_path, monkeypatch):
    path = tmp_path / f"{NAME}.ipynb"
    course.write_nb(_release(), path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what Jupyter Server sets for a kernel
    assert selfcheck._current_notebook() == path
    monkeypatch.delenv("JPY_SESSION_NAME")
    with pytest.raises(FileNotFoundError, match="pass its path"):
        selfcheck._current_notebook()


def _probe(path: Path) -> Path:
    """A one-part assignment with the self-check cell at its end, as the assignments have it."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("assert 1 + 1 == 2\nprint('✓ sums')")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_sum", "locked": True, "points": 1,
                                 "solution": False, "schema_version": 3}
    nb.cells = [nbformat.v4.new_markdown_cell("## (a) Sums"), test,
                nbformat.v4.new_code_cell("from dlcourse.grading.selfcheck import check_notebook\n"
                                          "check_notebook()")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def test_check_notebook_in_a_notebook_runs_the_tests_once(tmp_path):
    """The learner runs the notebook's own check_notebook() cell in a kernel that Jupyter started
    (JPY_SESSION_NAME names the notebook). The kernel that runs the copy must not check it again."""
    import nbformat
    from nbclient import NotebookClient

    path = _probe(tmp_path / "probe.ipynb")
    front = nbformat.read(str(path), as_version=4)
    front.cells = [front.cells[-1]]
    env = {k: v for k, v in os.environ.items() if k != selfcheck.NESTED_ENV}
    t0 = time.perf_counter()
    NotebookClient(front, timeout=45, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute(
        env={**env, "JPY_SESSION_NAME": str(path)})
    seconds = time.perf_counter() - t0
    outputs = front.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"], outputs
    assert text.count("Visible tests of probe.ipynb") == 1, text
    assert "✓ test_sum" in text and "total: 1/1 visible points" in text
    assert seconds < 30, f"{seconds:.0f} s: the check ran more than once"


def test_check_notebook_does_nothing_while_checked_or_graded(monkeypatch, tmp_path, capsys):
    assert selfcheck.kernel_env({"JPY_SESSION_NAME": "x.ipynb", "HOME": "/h"}) == \
        {"HOME": "/h", selfcheck.NESTED_ENV: "1"}
    assert sandbox.ENV_FIXED[selfcheck.NESTED_ENV] == "1"
    monkeypatch.setenv(selfcheck.NESTED_ENV, "1")
    assert selfcheck.check_notebook(_probe(tmp_path / "probe.ipynb")) is None
    assert "does not run while this notebook is being checked or graded" in capsys.readouterr().out
    monkeypatch.delenv(selfcheck.NESTED_ENV)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert selfcheck.check_notebook() is None  # no notebook to find: one line, no traceback
    assert capsys.readouterr().out.startswith("✗ cannot tell which notebook this is")


def test_every_assignment_tells_the_learner_how_to_check():
    for name in course.assignment_names():
        nb = course.read_nb(ROOT / course.RELEASE / name / f"{name}.ipynb")
        text = "\n".join("".join(c["source"]) for c in nb["cells"])
        assert f"dlcourse check {name.split('-')[0]} {name}.ipynb" in text, name
        cell = next(c for c in nb["cells"] if "check_notebook()" in "".join(c["source"]))
        assert cell["cell_type"] == "code" and not course.nbgrader_meta(cell).get("grade"), name


def test_verdict_follows_the_grader():
    ok = {"outputs": [{"output_type": "stream", "name": "stdout", "text": "✓"}]}
    err = {"outputs": [{"output_type": "error", "ename": "AssertionError", "evalue": "x: expected 1\nmore"}]}
    warn = {"outputs": [{"output_type": "stream", "name": "stderr", "text": "UserWarning: careful\n"}]}
    assert selfcheck.verdict(ok) == (True, "")
    assert selfcheck.verdict(err) == (False, "AssertionError: x: expected 1")
    assert selfcheck.verdict(warn) == (True, ""), "a warning costs no points (the grader ignores stderr)"

