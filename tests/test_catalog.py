import re
from pathlib import Path

import pytest

from dlcourse import catalog

ROOT = Path(__file__).resolve().parent.parent


def test_every_curriculum_lesson_is_listed_once():
    cat = catalog.load()
    ids = [lesson.id for lesson in cat.lessons]
    assert len(ids) == len(set(ids))
    course = (ROOT.parent / "shared" / "COURSE.md")
    if course.exists():  # the design document lists the curriculum as "- **L1.03 Title**"
        wanted = re.findall(r"^- \*\*(L\d\.\d\d) ", course.read_text(), re.M)
        assert set(wanted) == set(ids)


def test_levels_and_prerequisites():
    cat = catalog.load()
    assert set(cat.levels) == {"L1", "L2", "L3"}
    for lesson in cat.lessons:
        assert lesson.level in cat.levels
        for prereq in lesson.prereqs:
            cat.lesson(prereq)


def test_lookup_is_case_insensitive_and_errors_name_the_known_lessons():
    cat = catalog.load()
    assert cat.lesson("l1.01").id == "L1.01"
    with pytest.raises(KeyError, match="L1.00"):
        cat.lesson("L9.99")


def test_targets_judge_both_directions():
    at_least = catalog.Target("acc", "at_least", quick=0.8, full=0.95)
    assert at_least.met(0.9, quick=True) and not at_least.met(0.9, quick=False)
    at_most = catalog.Target("loss", "at_most", quick=2.0, full=1.7)
    assert at_most.met(1.8, quick=True) and not at_most.met(1.8, quick=False)
    assert at_most.describe(quick=False) == "≤ 1.7"


def test_colab_links_use_the_one_configured_slug():
    cat = catalog.load()
    url = cat.colab_url("course/index.ipynb")
    assert url == f"https://colab.research.google.com/github/{cat.repo}/blob/{cat.branch}/course/index.ipynb"
    assert cat.repo in catalog.colab_install_cell()


def test_readme_table_is_generated_from_the_catalog():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert catalog.markdown_table() in readme
