"""A self-learner's progress: recorded where the learner's checks pass, off where nobody learns
(tests, the runner, the grader), shown by `dlcourse progress` and the course map."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse import catalog, cli, progress
from dlcourse.exercises import Exercise, source_of, value_of
from dlcourse.grading import sandbox
from dlcourse.widgets import CourseMap
from dlcourse.widgets.course_map import STATUS_COLORS, _alpha

ROOT = Path(__file__).resolve().parent.parent


def _exercises(module: str) -> dict[str, Exercise]:
    mod = importlib.import_module(f"dlcourse.exercises.{module}")
    return {name: obj for name, obj in vars(mod).items() if isinstance(obj, Exercise)}


def _pass_all(module: str) -> None:
    for ex in _exercises(module).values():
        assert ex.check(value_of(ex.right_answer))


def _first_two_ready():
    return catalog.load().ready[0], catalog.load().ready[1]


# ------------------------------------------------------------------ where, and when it is off

def test_the_suite_records_nothing():
    """conftest turns recording off for every test (and every kernel a test starts)."""
    assert os.environ["DLCOURSE_PROGRESS"] == "off" and progress.location() is None


def test_location(monkeypatch, tmp_path):
    monkeypatch.delenv("DLCOURSE_PROGRESS")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert progress.location() == tmp_path / "data" / "dlcourse" / "progress.json"
    monkeypatch.setenv("CI", "true")
    assert progress.location() is None, "CI records nothing unless asked to"
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(tmp_path / "mine.json"))
    assert progress.location() == tmp_path / "mine.json", "an explicit path wins, even in CI"
    for off in ("off", "OFF", "0", "false"):
        monkeypatch.setenv("DLCOURSE_PROGRESS", off)
        assert progress.location() is None
        assert "not recorded" in progress.describe_location()


def test_off_records_nothing_anywhere(monkeypatch, tmp_path, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("DLCOURSE_PROGRESS", "off")
    _pass_all("l1_01")
    assert not home.exists()
    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "not recorded here (DLCOURSE_PROGRESS=off)" in out and "finished" in out


def test_colab_says_it_resets(monkeypatch, progress_file):
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-test")
    line = progress.describe_location()
    assert str(progress_file) in line and "runtime" in line and "new runtime starts from nothing" in line


def test_the_grader_and_the_runner_turn_it_off(tmp_path):
    assert sandbox.scrubbed_env(tmp_path / "home", {"DLCOURSE_PROGRESS": "/somewhere.json"})[
        "DLCOURSE_PROGRESS"] == "off"
    assert "DLCOURSE_PROGRESS=off" in (ROOT / ".ci" / "run").read_text()


# ------------------------------------------------------------------ recording

def test_each_lesson_module_names_its_lesson_and_its_exercises():
    """The lesson id comes from the answers module (l2_07_answers → L2.07), and the names read from
    the source without importing torch are the module's Exercise attributes."""
    cat = catalog.load()
    for lesson in cat.ready:
        exercises = _exercises(lesson.exercises)
        assert tuple(exercises) == progress.exercise_names(lesson.exercises), lesson.id
        assert {ex.lesson_id for ex in exercises.values()} == {lesson.id}


def test_a_check_is_recorded(progress_file, capsys):
    ex = _exercises("l1_01")
    ex["q1"].check(...)                                  # untouched: not an attempt
    assert not progress_file.exists()
    ex["q1"].check(42)                                   # wrong
    ex["q2"].check(value_of(ex["q2"].right_answer))      # right
    data = json.loads(progress_file.read_text())
    assert data["version"] == 1
    q1, q2 = data["lessons"]["L1.01"]["q1"], data["lessons"]["L1.01"]["q2"]
    assert q1["attempts"] == 1 and not q1["passed"] and "first_passed" not in q1
    assert q2["attempts"] == 1 and q2["passed"] and q2["first_passed"] == q2["last"]
    ex["q2"].check(42)                                   # a later wrong answer keeps the pass
    q2 = json.loads(progress_file.read_text())["lessons"]["L1.01"]["q2"]
    assert q2["passed"] and q2["attempts"] == 2
    assert sorted(p.name for p in progress_file.parent.iterdir()) in (
        ["progress.json"], ["progress.json", "progress.json.lock"]), "no temp file left"
    assert progress.lessons()["L1.01"].status == progress.STARTED


@pytest.mark.skipif(sys.platform == "win32", reason="the lock is POSIX only")
def test_two_kernels_recording_at_once_lose_nothing(progress_file):
    code = ("from dlcourse import progress\n"
            "for _ in range(25): progress.record('L1.01', 'q1', False)")
    procs = [subprocess.Popen([sys.executable, "-c", code], env=os.environ) for _ in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert json.loads(progress_file.read_text())["lessons"]["L1.01"]["q1"]["attempts"] == 75


def test_status_and_next_lesson():
    first, second = _first_two_ready()
    names = progress.exercise_names(first.exercises)
    done = {"version": 1, "lessons": {first.id: {n: {"passed": True, "last": "2026-01-01T00:00:00+00:00"}
                                                 for n in names}}}
    lessons = progress.lessons(done)
    assert lessons[first.id].status == progress.FINISHED
    assert lessons[second.id].status == progress.UNTOUCHED
    assert progress.next_lesson(progress.lessons(progress._empty())) == first.id
    assert progress.next_lesson(lessons) == second.id
    # a lesson whose ready prerequisites are not all finished is not suggested
    cat = catalog.load()
    suggested = cat.lesson(progress.next_lesson(lessons))
    assert all(lessons[p].status == progress.FINISHED for p in suggested.prereqs if p in lessons)
    half = {"version": 1, "lessons": {first.id: {names[0]: {"passed": True}}}}
    assert progress.lessons(half)[first.id].status == progress.STARTED
    assert progress.next_lesson(progress.lessons(half)) == first.id


# ------------------------------------------------------------------ a file that cannot be read

@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"lessons": 3}', "\udcff"],
                         ids=["not-json", "a-list", "lessons-not-a-dict", "not-utf8"])
def test_an_unreadable_file_is_reported_not_fatal(progress_file, capsys, content):
    progress._warned.clear()
    progress_file.write_text(content, encoding="utf-8", errors="surrogateescape")
    assert cli.main(["progress"]) == 0
    captured = capsys.readouterr()
    assert "cannot be read" in captured.err and str(progress_file) in captured.err
    assert "0 finished, 0 started" in captured.out
    assert progress_file.exists(), "reading leaves the file alone"

    ex = _exercises("l1_01")["q1"]
    assert ex.check(value_of(ex.right_answer)), "the check still answers"
    captured = capsys.readouterr()
    assert "✓" in captured.out and "a new one started" in captured.err
    asides = list(progress_file.parent.glob("progress.json.unreadable-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == content.encode("utf-8", "surrogateescape")
    assert json.loads(progress_file.read_text())["lessons"]["L1.01"]["q1"]["passed"]


def test_an_unwritable_folder_costs_the_record_only(monkeypatch, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(blocker / "progress.json"))  # its folder is a file
    progress._warned.clear()
    ex = _exercises("l1_01")["q1"]
    assert ex.check(value_of(ex.right_answer))
    assert "Progress was not saved" in capsys.readouterr().err


# ------------------------------------------------------------------ dlcourse progress

def test_cli_table_json_and_reset(progress_file, capsys, monkeypatch):
    first, second = _first_two_ready()
    _pass_all(first.exercises)
    _exercises(second.exercises)["q1"].check(42)
    capsys.readouterr()

    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    header, rule, *rows = out.split("\n\n")[0].splitlines()
    assert header.split()[:3] == ["lesson", "title", "passed/total"]
    row = {line.split()[0]: line for line in rows}
    n = len(progress.exercise_names(first.exercises))
    assert f"{n}/{n}" in row[first.id] and "finished" in row[first.id] and "UTC" in row[first.id]
    assert "0/" in row[second.id] and "started" in row[second.id]
    assert all("untouched" in line for lesson_id, line in row.items() if lesson_id not in (first.id, second.id))
    assert len(rows) == len(catalog.load().ready)
    assert f"Next up: {second.heading}" in out and str(progress_file) in out

    assert cli.main(["progress", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["next"] == second.id and data["file"] == str(progress_file)
    by_id = {lesson["id"]: lesson for lesson in data["lessons"]}
    assert by_id[first.id]["status"] == "finished" and by_id[second.id]["attempted"] == ["q1"]

    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli.main(["progress", "--reset"]) == 1 and progress_file.exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert cli.main(["progress", "--reset"]) == 0 and not progress_file.exists()
    assert "untouched again" in capsys.readouterr().out
    assert cli.main(["progress", "--reset", "--yes"]) == 0  # nothing left: says so, no question


# ------------------------------------------------------------------ the course map

def test_course_map_colours_progress(progress_file):
    first, second = _first_two_ready()
    _pass_all(first.exercises)
    _exercises(second.exercises)["q2"].check(42)
    course_map = CourseMap()
    ready = next(t for t in course_map.fig.data if t.name != "Planned")
    fill = dict(zip(ready.text, ready.marker.color))
    assert fill[first.id] == _alpha(STATUS_COLORS["finished"], 1.0) == "rgba(35,139,69,1.0)"
    assert fill[second.id] == _alpha(STATUS_COLORS["started"], 1.0)
    others = {fill[i] for i in ready.text if i not in (first.id, second.id)}
    assert not others & {fill[first.id], fill[second.id]}, "untouched lessons keep their level's colour"
    assert course_map.status_of(first.id) == "finished" and course_map.status_of(second.id) == "started"
    assert "1 finished, 1 started" in course_map.status.value
    assert f"Next up</b>: <a href='{Path(second.path).relative_to('course').as_posix()}'" in \
        course_map.status.value
    assert any("finished" in (a.text or "") and "started" in (a.text or "")
               for a in course_map.fig.layout.annotations), "a key to the colours"
    hover = dict(zip(ready.text, ready.hovertext))
    assert "Your exercises: 0 of" in hover[second.id] and "(started)" in hover[second.id]

    course_map.controls["level"].value = "L2"   # fading keeps the status colours
    fill = dict(zip(ready.text, ready.marker.color))
    assert fill[first.id] == "rgba(35,139,69,0.18)"

    _exercises(second.exercises)["q1"].check(42)
    progress_file.unlink()
    course_map.refresh()
    assert "0 finished, 0 started" in course_map.status.value
    assert course_map.next_up == first.id


def test_course_map_renders_with_progress_off():
    course_map = CourseMap()
    assert {course_map.status_of(lesson.id) for lesson in catalog.load().lessons} == {"untouched"}
    assert "0 finished, 0 started" in course_map.status.value
    assert "not recorded here" in course_map.status.value
    assert course_map.next_up == catalog.load().ready[0].id


# ------------------------------------------------------------------ end to end, in fresh kernels

def _learner_notebook(module: str) -> nbformat.NotebookNode:
    """The cells a learner runs: import the lesson's exercises, then each solution and its check."""
    cells = [nbformat.v4.new_code_cell(f"from dlcourse.exercises import {module} as ex")]
    for name, ex in _exercises(module).items():
        cells.append(nbformat.v4.new_code_cell(f"{source_of(ex.right_answer)}\n\nex.{name}.check(answer)"))
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


def test_passing_a_lesson_in_a_fresh_kernel_shows_in_progress_and_on_the_map(progress_file, tmp_path):
    from nbclient import NotebookClient

    lesson = catalog.load().lesson("L1.01")
    nb = _learner_notebook(lesson.exercises)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute(
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    outputs = "".join(o.get("text", "") for cell in nb.cells for o in cell.outputs)
    assert outputs.count("✓") == len(_exercises(lesson.exercises)), outputs

    script = Path(sys.executable).with_name("dlcourse")   # the console script pip installed
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dlcourse.cli"]
    out = subprocess.run([*command, "progress", "--json"], env=os.environ,
                         capture_output=True, text=True, check=True).stdout
    assert {x["id"]: x["status"] for x in json.loads(out)["lessons"]}[lesson.id] == "finished"
    table = subprocess.run([*command, "progress"], env=os.environ,
                           capture_output=True, text=True, check=True).stdout
    assert "finished" in next(line for line in table.splitlines() if line.startswith(lesson.id))
    course_map = CourseMap()
    assert course_map.status_of(lesson.id) == "finished" and "1 finished" in course_map.status.value


def test_a_runner_execution_records_nothing(progress_file, tmp_path):
    """`dlcourse run` and CI execute notebooks through dlcourse.runner: those checks are not progress."""
    from dlcourse import runner

    nb = _learner_notebook("l1_01")
    nb.cells.insert(0, nbformat.v4.new_code_cell("QUICK = False", metadata={"tags": ["parameters"]}))
    path = tmp_path / "learner.ipynb"
    nbformat.write(nb, path)
    lesson = catalog.Lesson(id="L9.99", title="t", title_zh="t", level="L9", path=str(path))
    outcome = runner.execute(lesson, quick=True, artifacts=tmp_path / "out", threads=1, timeout=180)
    assert outcome.ok, outcome.problems
    assert "✓" in (tmp_path / "out" / "learner.ipynb").read_text()
    assert not progress_file.exists()
