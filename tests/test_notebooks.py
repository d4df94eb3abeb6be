"""Every course notebook follows the lesson contract and executes in quick mode."""
import json
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse import catalog, runner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ci import lint_notebooks as lint  # noqa: E402


def test_notebooks_follow_the_lesson_contract():
    problems = lint.lint()
    assert not problems, "\n".join(problems)


def good_lesson():
    cat = catalog.load()
    entry = cat.lesson("L1.01")
    nb = nbformat.read(ROOT / entry.path, as_version=4)
    return cat, entry, nb


def test_linter_catches_each_broken_rule():
    cat, entry, nb = good_lesson()
    assert lint.lesson(nb, entry.path, cat, entry) == []

    nb.cells[0].source = nb.cells[0].source.replace("blob/main", "blob/master")
    nb.cells[2].metadata["tags"] = []
    nb.cells[3].source = "import dlcourse"
    nb.cells = [c for c in nb.cells if "## Exercises" not in c.source]
    first_code = next(c for c in nb.cells[4:] if c.cell_type == "code")
    first_code.outputs = [nbformat.v4.new_output("stream", text="hi")]
    problems = lint.lesson(nb, entry.path, cat, entry) + lint.clean_outputs(nb, entry.path)
    text = "\n".join(problems)
    for expected in ("Colab badge must link to", "tagged 'parameters'", "dlcourse.setup",
                     "missing section '## Exercises'", "has outputs"):
        assert expected in text, f"linter missed: {expected}\n{text}"


def test_linter_checks_catalog_agreement_both_ways(tmp_path):
    cat = catalog.load()
    (tmp_path / "course" / "L1-foundations").mkdir(parents=True)
    (tmp_path / "course" / "L1-foundations" / "L1.99-stray.ipynb").write_text("{}")
    problems = "\n".join(lint.catalog_agreement(cat, tmp_path))
    assert "L1.99-stray.ipynb is not in dlcourse/catalog.toml" in problems
    assert "catalog lists course/L1-foundations/L1.01-tensors.ipynb, but there is no such" in problems


def test_prerequisite_cycles_are_found():
    cat = catalog.load()
    looped = [catalog.Lesson("X1", "a", "a", "L1", prereqs=("X2",)),
              catalog.Lesson("X2", "b", "b", "L1", prereqs=("X1",))]
    broken = catalog.Catalog(cat.repo, cat.branch, cat.levels, tuple(looped), ())
    assert any("cycle" in p for p in lint.prerequisite_problems(broken))


@pytest.mark.notebooks
def test_every_notebook_executes_in_quick_mode_within_budget_and_target():
    artifacts = ROOT / "artifacts" / "notebooks"
    code = runner.main(["--quick", "--artifacts", str(artifacts)])
    outcomes = json.loads((artifacts / "results.json").read_text())
    cat = catalog.load()
    assert {o["id"] for o in outcomes} == {p.id for p in cat.pages + cat.ready}
    failed = {o["id"]: o["problems"] for o in outcomes if not o["ok"]}
    assert code == 0 and not failed, f"notebooks failed: {failed}"
