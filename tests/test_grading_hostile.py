"""`dlcourse grade` against hostile and careless students (tests/fixtures/grading/hostile.toml).

One batch, graded once from one LMS zip through the command line, after an earlier run left a
student graded by hand: cheats (test helper, builtins, libraries, IPython events, input
transformers, exception handlers, the instructor's solution read from disk, a forged scratch
gradebook), attacks on the course, the other students and the grader (gradebook, config, their
notebooks, signals, symbolic links), careless but correct work (warnings, huge output), corrupt zip
entries and ambiguous file names. The bars: no cheat scores more than the hollow notebook it starts
from without a `tamper` flag; nothing outside the submissions' scratch folders changes; every
other student keeps their grade; the command exits 0. The batch needs bubblewrap: it is skipped
where bwrap does not work (`.ci/run` installs it). Beside it: A03's instructor notebook through the
guard (nothing flagged; the issue's A03 cheat on its last part caught), and fast tests of intake,
the sandbox's command line, the fallback's warning, result checks, feedback and the static scan.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dlcourse import _toml as tomllib  # noqa: E402
from dlcourse.grading import course  # noqa: E402

NAME = "A01-autograd"
FIXTURES = ROOT / "tests" / "fixtures" / "grading"
HOSTILE = tomllib.loads((FIXTURES / "hostile.toml").read_text(encoding="utf-8"))
SPEC = HOSTILE["submission"]
DEADLINE = datetime(2026, 12, 1, 23, 59).astimezone()
TIMEOUT = 10


def _source():
    return course.read_nb(ROOT / course.SOURCE / NAME / f"{NAME}.ipynb")


def _release():
    return course.read_nb(ROOT / course.RELEASE / NAME / f"{NAME}.ipynb")


def notebook(spec: dict) -> bytes:
    """The submission `spec` describes, as the bytes of its .ipynb file."""
    base = spec["base"]
    if base == "solved":
        nb = course.solved_release(_source(), _release())
    elif base == "hollow":
        nb = course.apply_edits(_release(), HOSTILE["hollow"]["edit"], "hollow")
    else:
        raise ValueError(f"{spec['student']}: no notebook for base {base!r}")
    nb = course.apply_edits(nb, spec.get("edit", []), spec["student"])
    return json.dumps(nb, indent=1, ensure_ascii=False).encode()


def _entry_offsets(data: bytes, name: str) -> tuple[int, int]:
    """(offset of the local header, offset of the central directory record) of entry `name`."""
    raw = name.encode()
    central = data.index(b"PK\x01\x02")
    while True:
        n, m, k = struct.unpack("<HHH", data[central + 28:central + 34])
        if data[central + 46:central + 46 + n] == raw:
            local = struct.unpack("<I", data[central + 42:central + 46])[0]
            return local, central
        central = data.index(b"PK\x01\x02", central + 46 + n + m + k)


def corrupt(archive: Path, entry: str, how: str) -> None:
    """Break one entry of `archive`: "crc" flips a byte of its data (the CRC no longer matches),
    "size" makes its headers say it is shorter than its data."""
    data = bytearray(archive.read_bytes())
    local, central = _entry_offsets(bytes(data), entry)
    n, m = struct.unpack("<HH", data[local + 26:local + 30])
    start = local + 30 + n + m
    if how == "crc":
        data[start + 40] ^= 0xFF
    elif how == "size":
        for header, at in ((local, 18), (central, 20)):   # compressed and uncompressed sizes
            size = struct.unpack("<I", data[header + at:header + at + 4])[0]
            data[header + at:header + at + 8] = struct.pack("<II", size // 2, size // 2)
    else:
        raise ValueError(how)
    archive.write_bytes(bytes(data))


def build_zip(path: Path, specs=SPEC, extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """An LMS zip of the submissions of `specs` (Canvas names: <student>_<id>_<A>.ipynb, stored
    uncompressed so that a corrupt entry can be made), plus `extra` {entry: bytes}. Returns
    {student: the notebook's bytes}."""
    stamp = (DEADLINE - timedelta(hours=1)).timetuple()[:6]
    blobs, corrupted = {}, []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i, spec in enumerate(specs):
            entry = f"submissions/{spec['student']}_{1000 + i}_{NAME}.ipynb"
            if spec["base"] == "corrupt":
                data = notebook({"student": spec["student"], "base": "solved"})
                corrupted.append((entry, spec["how"]))
            else:
                data = blobs[spec["student"]] = notebook(spec)
            zf.writestr(zipfile.ZipInfo(entry, stamp), data)
        for entry, data in (extra or {}).items():
            zf.writestr(zipfile.ZipInfo(f"submissions/{entry}", stamp), data)
    for entry, how in corrupted:
        corrupt(path, entry, how)
    return blobs


def _slow(test):
    test = pytest.mark.assignments(test)
    try:
        import xdist  # noqa: F401
    except ImportError:
        return test
    return pytest.mark.xdist_group("grading-hostile")(test)


def _flag(row: dict, code: str) -> str | None:
    return next((f for f in row["flags"].split("; ") if f.startswith(code)), None)


# ======================================================================================= fast

def test_ambiguous_names_are_reported_not_merged(tmp_path):
    from dlcourse.grading import intake

    solved = notebook({"student": "x", "base": "solved"})
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ["A01_1_alice.ipynb",                                   # the student part is the assignment
                 *[f"hw_{i}_{who}.ipynb" for i, who in enumerate(["bob", "carol", "dan"], 1)],
                 "Wang Wei_77_assignsubmission_file_A01.ipynb",         # two people, one name
                 "Wang Wei_78_assignsubmission_file_A01.ipynb",
                 "eve_5_100_A01-autograd.ipynb", "eve_5_101_A01-autograd-1.ipynb"]:  # one student, twice
        (folder / name).write_bytes(solved)
    found = intake.collect(folder, NAME, _release(), tmp_path / "x")
    assert set(found.submissions) == {"eve"}
    assert [f.code for f in found.submissions["eve"].flags] == ["duplicate"]
    skipped = dict(found.skipped)
    assert "the assignment's name" in skipped["A01_1_alice.ipynb"]
    for name in ["hw_1_bob.ipynb", "hw_2_carol.ipynb", "hw_3_dan.ipynb",
                 "Wang Wei_77_assignsubmission_file_A01.ipynb"]:
        assert skipped[name].startswith("ambiguous name:") and "different LMS numbers" in skipped[name]


def test_corrupt_zip_entries_are_reported_in_their_students_rows(tmp_path):
    from dlcourse.grading import intake

    specs = [s for s in SPEC if s["student"] in ("innocent", "badcrc", "sizelie")]
    build_zip(tmp_path / "subs.zip", specs)
    subs = intake.collect(tmp_path / "subs.zip", NAME, _release(), tmp_path / "x").submissions
    assert subs["innocent"].gradable and subs["innocent"].flags == []
    for student in ("badcrc", "sizelie"):
        assert not subs[student].gradable
        assert str(subs[student].flags[0]).startswith("invalid: corrupt in the archive (BadZipFile")


def test_the_sandbox_shows_only_what_the_worker_needs(tmp_path):
    from dlcourse.grading import isolation

    work = tmp_path / "work" / "alice"
    args = isolation.bwrap_args("bwrap", work)
    for flag in ("--unshare-all", "--die-with-parent", "--new-session"):
        assert flag in args
    if os.geteuid() == 0:
        assert args[args.index("--cap-drop") + 1] == "ALL"
    writable = [args[i + 1] for i, a in enumerate(args) if a == "--bind"]
    assert writable == [str(work)], "the scratch course is the only folder it can write"
    readable = [args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"]
    assert str(ROOT / "dlcourse") in readable and str(ROOT) not in readable
    assert not any(r.startswith(str(ROOT / "solutions")) or r == str(Path.home()) for r in readable)
    assert not any(r.startswith(("/etc/shadow", "/etc/gshadow", "/etc/ssh")) for r in readable)


def test_without_bubblewrap_the_grader_says_what_is_open(tmp_path, monkeypatch, capsys):
    from dlcourse import cli
    from dlcourse.grading import isolation, report

    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    chosen = isolation.choose("auto")
    assert chosen.kind == "none" and chosen.warning.startswith("WARNING: no sandbox, bwrap not found")
    assert "read the solutions" in chosen.warning and "signal this process" in chosen.warning
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "carol.ipynb").write_text("{not json")
    where = tmp_path / "course"
    assert cli.main(["grade", "A01", str(subs), "--course", str(where), "--sandbox", "bwrap"]) == 2
    assert "--sandbox bwrap: bwrap not found" in capsys.readouterr().err
    assert cli.main(["grade", "A01", str(subs), "--course", str(where), "--timeout", str(TIMEOUT)]) == 0
    out = capsys.readouterr().out
    assert out.count("WARNING: no sandbox") == 2, "once when it starts, once under the table"
    rows = report.read_csv(where / "summary.csv")
    assert rows[0]["student"] == "(warning)" and rows[0]["flags"].startswith("WARNING: no sandbox")


def test_a_result_is_data_checked_before_use(tmp_path):
    from dlcourse.grading import batch, sandbox

    key = b"k" * 32
    payload = sandbox.asdict(sandbox.WorkerResult(success=True, notebook_sha256="ab"))
    (tmp_path / "result.json").write_text(json.dumps(sandbox.sign(payload, key)))
    result, problem = sandbox.read_result(tmp_path, key)
    assert problem == "" and result.success and result.notebook_sha256 == "ab"
    forged = {**payload, "cells": {"test_a": {"passed": True}}}
    signed = sandbox.sign(payload, key)["mac"]
    (tmp_path / "result.json").write_text(json.dumps({"payload": forged, "mac": signed}))
    assert sandbox.read_result(tmp_path, key) == \
        (None, "its result file was changed after the worker wrote it")
    (tmp_path / "result.json").write_text(json.dumps({"payload": payload, "mac": ""}))
    assert "an exec prefix must pass standard input through" in sandbox.read_result(tmp_path, key)[1]
    (tmp_path / "result.json").unlink()
    (tmp_path / "elsewhere.json").write_text(json.dumps(sandbox.sign(payload, key)))
    (tmp_path / "result.json").symlink_to(tmp_path / "elsewhere.json")
    assert sandbox.read_result(tmp_path, key)[0] is None, "not through a symbolic link"
    # the outputs: regular files only, never through a link
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "A01.ipynb").write_text("{}")
    (out / "sub" / "data.txt").write_text("x")
    (out / "leak").symlink_to("/etc/passwd")
    (out / "leakdir").symlink_to(ROOT / "solutions")
    left = batch.copy_regular(out, tmp_path / "copy")
    assert left == ["leak", "leakdir"]
    assert sorted(str(p.relative_to(tmp_path / "copy")) for p in (tmp_path / "copy").rglob("*")) == \
        ["A01.ipynb", "sub", "sub/data.txt"]


def _probe_notebook(show_hidden_failure: bool):
    import nbformat

    test = nbformat.v4.new_code_cell(
        "assert_close(f(1), 2, 'f(1)')\n### BEGIN HIDDEN TESTS\n"
        "assert_close(f(0), 0, 'f at zero: the secret edge')\n### END HIDDEN TESTS\nprint('ok')",
        execution_count=7)
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_f", "locked": True, "points": 1,
                                 "solution": False}
    failing = "assert_close(f(0), 0, 'f at zero: the secret edge')" if show_hidden_failure \
        else "assert_close(f(1), 2, 'f(1)')"
    tb = ["\x1b[0;31mAssertionError\x1b[0m  Traceback (most recent call last)",
          "Cell \x1b[0;32mIn[7], line 3\x1b[0m\n      1 assert_close(f(1), 2, 'f(1)')\n      2 ### BEGIN\n"
          f"\x1b[0;32m----> 3\x1b[0m {failing}\n",
          "\x1b[0;31mAssertionError\x1b[0m: f at zero: expected 0, got 1"]
    test.outputs = [nbformat.v4.new_output("error", ename="AssertionError",
                                           evalue="f at zero: expected 0, got 1", traceback=tb)]
    student = nbformat.v4.new_code_cell("import inspect\nprint(inspect.stack())", execution_count=8)
    student.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                              text="assert_close(f(0), 0, 'f at zero: the secret edge')\n")]
    nb = nbformat.v4.new_notebook()
    nb.cells = [test, student]
    return nb


def test_feedback_shows_a_hidden_test_failed_never_its_code():
    from dlcourse.grading.feedback import hide_hidden_tests

    secret = "assert_close(f(0), 0, 'f at zero: the secret edge')"
    nb = hide_hidden_tests(_probe_notebook(True))
    text = json.dumps(nb)
    assert secret not in text and "the secret edge" not in text
    assert nb.cells[0].outputs[0]["traceback"] == ["A hidden test failed."]
    assert "# (hidden tests: not shown)" in nb.cells[0].source and "print('ok')" in nb.cells[0].source
    assert "[a line of a hidden test]" in nb.cells[1].outputs[0]["text"], "quoted by the student's own code"
    shown = hide_hidden_tests(_probe_notebook(True), show_messages=True)
    assert shown.cells[0].outputs[0]["traceback"] == [
        "A hidden test failed.\nAssertionError: f at zero: expected 0, got 1"]
    assert secret not in json.dumps(shown)
    visible = hide_hidden_tests(_probe_notebook(False))
    assert "AssertionError" in "".join(visible.cells[0].outputs[0]["traceback"]), \
        "a visible failure keeps its traceback"
    assert secret not in json.dumps(visible)


def test_the_static_scan_names_known_patterns_and_not_honest_code():
    from dlcourse.grading import scan

    release = _release()
    found = {spec["student"]: scan.scan(json.loads(notebook(spec)), release, limit=20) for spec in SPEC
             if spec["base"] != "corrupt"}
    for honest in ("hollow", "innocent", "careless", "relu_at_zero"):
        assert found[honest] == [], (honest, found[honest])
    for what in ("redefines assert_close (a helper of the tests)", "patches builtins.abs",
                 "patches torch.allclose"):
        assert f"{what} (value_add_mul)" in found["patcher"]
    for what in ("touches IPython event callbacks", "touches an IPython exception handler",
                 "touches IPython input transformers"):
        assert f"{what} (value_add_mul)" in found["hooks"]
    assert "sends signals (value_add_mul)" in found["vandal"]
    assert scan.scan_source("import os, signal\nos.kill(1, signal.SIGINT)", set()) == ["sends signals"]
    assert any("solutions" in f for f in found["read_solution"])


def test_the_static_scan_names_course_code_an_assignment_does_not_use():
    """dlcourse.detection holds A12's answers: a submission that calls it is flagged, every
    solution notebook (which uses only what its release imports) is not."""
    from dlcourse.grading import scan

    root = Path(__file__).resolve().parents[1]
    for solution in sorted(root.glob("solutions/*/*.ipynb")):
        release = json.loads((root / "assignments" / solution.parent.name / solution.name).read_text())
        assert scan.scan(json.loads(solution.read_text()), release) == [], solution.name
    a12 = json.loads((root / "assignments/A12-iou-nms-map/A12-iou-nms-map.ipynb").read_text())
    flagged = "uses dlcourse.detection, course code the assignment does not use"
    for cheat in ("from dlcourse.detection import nms", "import dlcourse\nnms = dlcourse.detection.nms",
                  "from dlcourse import detection as d"):
        assert scan.scan_source(cheat, set(), scan._course_modules(a12)) == [flagged], cheat
    a06 = json.loads((root / "assignments/A06-lstm-char-lm/A06-lstm-char-lm.ipynb").read_text())
    assert scan.scan_source("from dlcourse.text import CharVocab", set(), scan._course_modules(a06)) == []


def test_what_the_guard_reads_from_the_locked_cells():
    import ast

    from dlcourse.grading.execute import bound_names, free_names, imported

    setup = ast.parse("import math\nimport numpy as np\nfrom torch import nn\nimport torch\n"
                      "def helper(x):\n    return torch.optim.SGD, np.allclose(x, 1), nn.Linear\n")
    modules, dotted = imported([setup])
    assert {"math", "numpy", "torch", "torch.nn", "torch.optim"} <= set(modules)
    assert {"torch.optim.SGD", "numpy.allclose", "torch.nn.Linear"} <= set(dotted)
    assert bound_names(setup) == ["math", "np", "nn", "torch", "helper"]
    test = ast.parse("def local(v):\n    return helper(v) + y\nfor k in [1]:\n    assert local(k)\n")
    assert free_names(test) == ["helper", "y"], "what the test reads from before it, not its own names"


# ===================================================================== slow: the guard on A03

A03_CHEAT = """
torch.allclose = lambda *a, **k: True
def compare_with_torch(*args, **kwargs):
    pass"""


@_slow
def test_the_guard_passes_a03s_solution_and_catches_its_cheat(tmp_path, monkeypatch):
    """A03's instructor notebook, hidden tests included, through the worker's guarded Execute:
    every test cell passes with nothing flagged (torch wraps an optimizer's step and
    torch.manual_seed on first use: not tampering), except the last part, where the issue's cheat
    (torch.allclose and the comparison helper replaced) fails it, flagged."""
    import nbformat

    from dlcourse.grading import selfcheck
    from dlcourse.grading.execute import guarded_execute_class

    name = "A03-optimizers"
    nb = nbformat.read(str(ROOT / course.SOURCE / name / f"{name}.ipynb"), as_version=4)
    tests = [course.grade_id(c) for c in nb.cells if course.nbgrader_meta(c).get("grade")
             and c.cell_type == "code"]
    answers = [c for c in nb.cells if course.nbgrader_meta(c).get("solution") and c.cell_type == "code"]
    answers[-1].source += "\n" + A03_CHEAT
    cheated = tests[-1]
    monkeypatch.setenv(selfcheck.NESTED_ENV, "1")
    _, guarded, state = guarded_execute_class()
    state.verdicts, state.truncated = {}, []
    guarded(timeout=120, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    verdicts = state.verdicts
    assert sorted(verdicts) == sorted(tests)
    for gid in tests:
        if gid == cheated:
            assert not verdicts[gid].passed, verdicts[gid]
            assert {"torch.allclose replaced", "compare_with_torch redefined (a helper of the tests)"} \
                <= set(verdicts[gid].tamper), verdicts[gid]
        else:
            assert verdicts[gid].passed and not verdicts[gid].tamper, verdicts[gid]
    assert all(c.source.count("_g_") == 0 for c in nb.cells if c.cell_type == "code")


# ========================================================================= slow: the hostile batch

def _files(course: Path) -> dict[str, str]:
    out = {}
    for path in sorted(course.rglob("*")):
        if path.is_file() or path.is_symlink():
            rel = str(path.relative_to(course))
            out[rel] = "link" if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _own_output(rel: str, graded: set[str]) -> bool:
    """The grader's own writes in a run: its state, reports and logs, and the folders of the
    students it graded in that run."""
    parts = rel.split("/")
    if rel in ("gradebook.db", "grading.json", "grades.csv", "summary.csv", ".lock", "grading.json.tmp"):
        return True
    if parts[0] in ("logs", "intake", "work"):
        return True
    return parts[0] in ("submitted", "autograded", "feedback") and len(parts) > 1 and parts[1] in graded


CANARIES = [ROOT / "dlcourse" / "PWNED_by_vandal.py", Path("/tmp/dlcourse-PWNED-by-vandal")]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An earlier run leaves `prior` graded by hand (12/12); then the hostile batch, from one zip,
    through the command line, two at a time, 10 s per cell."""
    from dlcourse import cli
    from dlcourse.grading import isolation, report
    from nbgrader.api import Gradebook

    if isolation.choose("auto").kind != "bubblewrap":
        pytest.skip("bubblewrap does not work here (apt-get install bubblewrap): the hostile batch "
                    "needs the sandbox")
    for canary in CANARIES:
        canary.unlink(missing_ok=True)
    tmp = tmp_path_factory.mktemp("grading-hostile")
    where = tmp / "course"
    first = tmp / "first"
    first.mkdir()
    (first / "prior.ipynb").write_text("{not json")
    assert cli.main(["grade", "A01", str(first), "--course", str(where), "--timeout", str(TIMEOUT)]) == 0
    with Gradebook(f"sqlite:///{where / 'gradebook.db'}", "dlcourse") as gb:
        for nb in gb.find_submission(NAME, "prior").notebooks:
            for g in nb.grades:
                g.manual_score = g.max_score   # graded by hand
        gb.db.commit()
    before = _files(where)
    ambiguous = {"A01_1_alice.ipynb": notebook({"student": "a", "base": "solved"}),
                 "hw_1_bob.ipynb": notebook({"student": "b", "base": "hollow"}),
                 "hw_2_carol.ipynb": notebook({"student": "c", "base": "hollow"})}
    blobs = build_zip(tmp / "hostile.zip", extra={"prior.ipynb": b"{not json", **ambiguous})
    import contextlib
    import io
    out = io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out):
        rc = cli.main(["grade", "A01", str(tmp / "hostile.zip"), "--course", str(where), "--jobs", "2",
                       "--timeout", str(TIMEOUT), "--deadline", "2026-12-01T23:59"])
    seconds = time.monotonic() - t0
    print(out.getvalue() + f"\n({seconds:.0f} s)")
    rows = report.read_csv(where / "summary.csv")
    return {"rc": rc, "out": out.getvalue(), "course": where, "before": before, "after": _files(where),
            "rows": {r["student"]: r for r in rows if r["student"]},
            "skipped": [r for r in rows if not r["student"]],
            "blobs": blobs, "seconds": seconds}


def _graded_specs():
    return [s for s in SPEC if s.get("expect")]


@_slow
def test_the_batch_exits_0_and_grades_everyone(hostile):
    assert hostile["rc"] == 0
    assert "sandbox: bubblewrap" in hostile["out"]
    students = {s["student"] for s in SPEC} | {"prior"}
    assert set(hostile["rows"]) == students, "every student has a row, none stopped the batch"
    for student in students - {"prior"}:
        assert hostile["rows"][student]["run"] in ("graded", "invalid", "manual"), student
        if hostile["rows"][student]["run"] != "invalid":
            assert hostile["rows"][student]["sandbox"].startswith("bubblewrap"), student


@_slow
@pytest.mark.parametrize("spec", _graded_specs(), ids=lambda s: s["student"])
def test_each_student_is_scored_and_flagged(hostile, spec):
    row, want = hostile["rows"][spec["student"]], spec["expect"]
    score, flags = float(row["score"]), row["flags"]
    hollow = float(hostile["rows"]["hollow"]["score"])
    if "score" in want:
        assert score == want["score"], row
    if "below" in want:
        assert score < want["below"], row
    if want.get("cheat"):
        assert score <= hollow or _flag(row, "tamper"), \
            f"{spec['student']} ({spec['class']}): {score:g} points without a tamper flag: {row}"
    for code in want.get("flags", []):
        assert _flag(row, code), f"{spec['student']}: no {code!r} flag in {flags}"
    for what in want.get("tamper", []):
        assert what in (_flag(row, "tamper") or ""), f"{spec['student']}: {what!r} not in {flags}"
    for code in want.get("absent", []):
        assert not _flag(row, code), f"{spec['student']}: {code!r} flag in {flags}"


@_slow
def test_nothing_outside_the_scratch_folders_changes(hostile):
    graded = {s for s, r in hostile["rows"].items() if r["run"] != "unchanged"}
    before, after = hostile["before"], hostile["after"]
    changed = sorted(rel for rel in set(before) | set(after)
                     if before.get(rel) != after.get(rel) and not _own_output(rel, graded))
    assert changed == [], f"changed outside the grader's own outputs: {changed}"
    assert not (hostile["course"] / "work").exists()
    for canary in CANARIES:
        assert not canary.exists(), f"{canary}: written by a submission"
    assert not list((hostile["course"] / "autograded").rglob("leak*")), "a symbolic link was followed"
    assert _flag(hostile["rows"]["vandal"], "suspicious: links or special files in its output")


@_slow
def test_every_other_student_keeps_their_grade(hostile):
    from nbgrader.api import Gradebook

    rows = hostile["rows"]
    assert rows["prior"]["run"] == "unchanged" and float(rows["prior"]["score"]) == 12
    assert float(rows["innocent"]["score"]) == 10
    with Gradebook(f"sqlite:///{hostile['course'] / 'gradebook.db'}", "dlcourse") as gb:
        for student, row in rows.items():
            assert gb.find_submission(NAME, student).score == float(row["score"]), student
    for student, blob in hostile["blobs"].items():   # nobody's submission was replaced
        path = hostile["course"] / "submitted" / student / NAME / f"{NAME}.ipynb"
        assert path.read_bytes() == blob, student


@_slow
def test_ambiguous_names_and_broken_entries_are_reported(hostile):
    skipped = {r["origin"]: r["flags"] for r in hostile["skipped"]}
    assert "the assignment's name" in skipped["hostile.zip:A01_1_alice.ipynb"]
    assert "different LMS numbers" in skipped["hostile.zip:hw_1_bob.ipynb"]
    assert "hw" not in hostile["rows"] and "a01" not in hostile["rows"]
    for student in ("badcrc", "sizelie"):
        assert "corrupt in the archive" in hostile["rows"][student]["flags"]


@_slow
def test_feedback_never_shows_the_hidden_tests(hostile):
    import html
    import re

    from dlcourse.grading.execute import HIDDEN, hidden_lines

    hidden, shown = set(), set()
    for cell in _source()["cells"]:
        text = "".join(cell["source"])
        hidden |= {x.strip() for x in hidden_lines(text)}
        inside = False
        for line in text.splitlines():   # the lines outside the markers, wherever they repeat
            inside = (inside or line.strip() == HIDDEN[0]) and line.strip() != HIDDEN[1]
            if not inside:
                shown.add(line.strip())
    secret = {h for h in hidden - shown if len(h) >= 12}
    assert secret, "A01 has hidden tests"
    pages = list((hostile["course"] / "feedback").rglob("*.html"))
    assert len(pages) == sum(r["run"] == "graded" for r in hostile["rows"].values()) >= 8
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        leaked = [h for h in secret if h in text]
        assert not leaked, f"{page}: {leaked[:3]}"
        assert "dlcourse.guard" not in text and "_g_" not in text
    relu = hostile["course"] / "feedback" / "relu_at_zero" / NAME / f"{NAME}.html"
    assert "A hidden test failed." in relu.read_text(encoding="utf-8")


@_slow
def test_nothing_is_left_running(hostile):
    import psutil

    kernels = [p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert not kernels
    print(f"hostile batch: {hostile['seconds']:.0f} s")
