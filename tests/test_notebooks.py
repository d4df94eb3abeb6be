"""Every course notebook follows the lesson contract and executes in quick mode."""
import os
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse import catalog, runner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ci import lint_notebooks as lint  # noqa: E402
from ci import manifest, notebook_table  # noqa: E402


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


def test_manifest_check_catches_each_broken_entry():
    import dataclasses
    cat = catalog.load()
    assert manifest.problems(cat, ROOT) == []
    l01, l03, l05, l07 = (cat.lesson(i) for i in ("L1.01", "L1.03", "L1.05", "L1.07"))
    broken = {
        "L1.01": dataclasses.replace(l01, widgets=("NoSuchWidget",)),  # and BroadcastExplorer orphaned
        "L1.03": dataclasses.replace(l03, widgets=(*l03.widgets, "LossSurface"), exercises="l1_99"),
        "L1.05": dataclasses.replace(l05, exercises=None, datasets=("imagenet",)),
        "L1.07": dataclasses.replace(l07, assignment="A99"),
    }
    lessons = tuple(broken.get(lesson.id, lesson) for lesson in cat.lessons)
    text = "\n".join(manifest.problems(dataclasses.replace(cat, lessons=lessons), ROOT))
    for expected in ("L1.01: widget NoSuchWidget is not in dlcourse.widgets.GALLERY",
                     "widget BroadcastExplorer is in GALLERY but no catalog entry lists it",
                     "widget LossSurface is named by both L1.03 and L1.04",
                     "L1.03-autodiff.ipynb: never shows its widget LossSurface",
                     "L1.03: no exercise module dlcourse/exercises/l1_99.py",
                     "L1.03-autodiff.ipynb: never imports its exercises",
                     "L1.05: a lesson needs `exercises",
                     "dlcourse/exercises/l1_05.py belongs to no catalog entry",
                     "L1.05: unknown dataset 'imagenet'", "L1.07: unknown assignment A99"):
        assert expected in text, f"manifest check missed: {expected}\n{text}"


def test_prerequisite_cycles_are_found():
    cat = catalog.load()
    looped = [catalog.Lesson("X1", "a", "a", "L1", prereqs=("X2",)),
              catalog.Lesson("X2", "b", "b", "L1", prereqs=("X1",))]
    broken = catalog.Catalog(cat.repo, cat.branch, cat.levels, tuple(looped), ())
    assert any("cycle" in p for p in lint.prerequisite_problems(broken))


ARTIFACTS = ROOT / "artifacts" / "notebooks"


@pytest.mark.notebooks
@pytest.mark.parametrize("entry", catalog.load().notebooks, ids=lambda entry: entry.id)
def test_notebook_executes_in_quick_mode_within_budget_and_target(entry):
    """One notebook per test, so pytest-xdist spreads them over the cores with everything else;
    the session ends with their table (artifacts/notebooks/results.md)."""
    threads = 1 if os.environ.get("PYTEST_XDIST_WORKER") else (os.cpu_count() or 1)
    outcome = runner.execute(entry, quick=True, artifacts=ARTIFACTS, threads=threads,
                             timeout=3 * entry.budget_quick)
    notebook_table.save(outcome, ARTIFACTS)
    assert outcome.ok, f"{entry.id}: " + "; ".join(outcome.problems)
