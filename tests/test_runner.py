"""The notebook runner judges what it sees: errors, budgets, targets."""
import nbformat
import pytest

from dlcourse import catalog, runner


def notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("QUICK = False")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return str(path)


def lesson(path, budget=60, goal="at_least"):
    return catalog.Lesson(id="T0.01", title="probe", title_zh="探针", level="T0", path=path,
                          budget_quick=budget, budget_full=budget,
                          targets=(catalog.Target("score", goal, quick=0.5, full=0.9),))


RECORD = "from dlcourse.results import record\nrecord('score', {value}, quick=QUICK)"


@pytest.mark.notebooks
def test_runner_passes_quick_mode_and_records_metrics(tmp_path):
    path = notebook(tmp_path, "assert QUICK is True", RECORD.format(value=0.7))
    out = runner.execute(lesson(path), quick=True, artifacts=tmp_path / "out", threads=1,
                         timeout=120)
    assert out.ok, out.problems
    assert out.metrics[0]["value"] == 0.7
    assert (tmp_path / "out" / "probe.ipynb").exists()
    full = runner.judge(lesson(path), out, quick=False)  # the same value misses the full target
    assert full == ["score = 0.7, target ≥ 0.9"]


@pytest.mark.notebooks
def test_runner_reports_errors_missing_metrics_and_timeouts(tmp_path):
    path = notebook(tmp_path, "raise ValueError('broken lesson')")
    out = runner.execute(lesson(path), quick=True, artifacts=tmp_path, threads=1, timeout=120)
    assert any("broken lesson" in p for p in out.problems), out.problems
    assert "never recorded score" in out.problems

    path = notebook(tmp_path, "import time; time.sleep(60)")
    out = runner.execute(lesson(path), quick=True, artifacts=tmp_path, threads=1, timeout=8)
    assert any("timed out" in p for p in out.problems)


def test_judge_flags_a_blown_budget():
    o = runner.Outcome("T0.01", "x", "quick", seconds=70, budget=60,
                       metrics=[{"name": "score", "value": 1.0}])
    assert runner.judge(lesson("x"), o, quick=True) == ["took 70 s, budget 60 s"]


def test_markdown_table_has_a_row_per_metric():
    o = runner.Outcome("L1.01", "x", "quick", seconds=12.5, budget=60,
                       metrics=[{"name": "matmul_speedup", "value": 42.0}])
    table = runner.markdown([o], quick=True)
    assert "| L1.01 | 12.5 | 60 | matmul_speedup | 42 | ≥ 5 | ✓ |" in table
