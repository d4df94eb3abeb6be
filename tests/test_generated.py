"""Files generated from the catalog (`make regen`) are current, and the generators say what they
should: the README's lesson table, the browser gallery, the full-mode results page."""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ci import regen  # noqa: E402
from dlcourse import catalog  # noqa: E402


def test_generated_files_are_current():
    assert not regen.stale(), f"stale: {regen.stale()}; run `make regen`"


def test_gallery_has_one_cell_per_catalog_widget_in_course_order():
    notebook = json.loads(regen.gallery())
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    owners = catalog.load().widget_owners()
    assert code == [f'from dlcourse.widgets import GALLERY\n\nGALLERY["{name}"]()' for name in owners]
    assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")


def test_results_page_judges_each_lesson_against_the_catalog():
    cat = catalog.load()
    first, second = cat.ready[0], cat.ready[1]
    target = first.targets[0]
    missed = target.full + (1 if target.goal == "at_most" else -1)
    page = regen.results_page({
        first.id: {"seconds": first.budget_full + 1, "error": None,
                   "metrics": {target.metric: missed}}})
    row = next(line for line in page.splitlines() if line.startswith(f"| {first.id} "))
    assert "over the" in row and f"{target.metric} missed" in row
    row = next(line for line in page.splitlines() if line.startswith(f"| {second.id} "))
    assert "not measured yet" in row


def test_a_full_run_is_folded_into_the_measurements(tmp_path):
    lesson = catalog.load().ready[0]
    run = tmp_path / "results.json"
    run.write_text(json.dumps([
        {"id": lesson.id, "mode": "full", "seconds": 12.5, "error": None,
         "metrics": [{"name": "m", "value": 1.0}]},
        {"id": "index", "mode": "full", "seconds": 3.0, "error": None, "metrics": []}]))
    merged = regen.merge_measured({"_about": "x", "L9.99": {}}, run)
    assert merged[lesson.id] == {"seconds": 12.5, "error": None, "metrics": {"m": 1.0}}
    assert "index" not in merged and "L9.99" in merged and merged["_about"] == "x"


def test_a_stale_colab_cell_is_found_and_rewritten(tmp_path, monkeypatch):
    import shutil

    import nbformat
    for entry in catalog.load().notebooks:
        (tmp_path / entry.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / entry.path, tmp_path / entry.path)
    old = tmp_path / catalog.load().ready[0].path
    notebook = nbformat.read(old, as_version=4)
    notebook.cells[1].source = notebook.cells[1].source.replace("@v", "@v0.0.0-old-")
    nbformat.write(notebook, old)
    monkeypatch.setattr(regen, "ROOT", tmp_path)
    assert regen.stale_colab_cells() == [old]
    regen.rewrite_colab_cell(old)
    assert regen.stale_colab_cells() == []
    assert nbformat.read(old, as_version=4).cells[1].source == catalog.colab_install_cell()
