import json
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_MIRROR = ROOT.parent / "shared" / "data"
ARTIFACTS = ROOT / "artifacts"

# The offline dataset mirror: .ci/run sets DLCOURSE_DATA_MIRROR; a checkout beside shared/ finds
# it without. Tests that need real data fail (not skip) in CI when neither is there.
if "DLCOURSE_DATA_MIRROR" not in os.environ and SHARED_MIRROR.is_dir():
    os.environ["DLCOURSE_DATA_MIRROR"] = str(SHARED_MIRROR)

# The suite checks thousands of answers and executes every notebook: none of it is a learner's
# progress, and none of it may write to the real home folder. Set here, before any test or
# fixture runs, so that kernels and subprocesses inherit it; tests of dlcourse.progress point it
# at their tmp_path (the `progress_file` fixture).
os.environ["DLCOURSE_PROGRESS"] = "off"


@pytest.fixture(scope="session")
def require_browser():
    """For the browser tests: check(*modules) skips unless Chromium, Playwright and the named modules
    are there, and fails instead where DLCOURSE_REQUIRE_BROWSER=1 (CI), so that a missing browser
    never counts as a pass."""
    def check(*modules: str, install: str = "") -> None:
        from ci.bench_widgets import CHROMIUM
        reason = None if CHROMIUM.exists() else f"Chromium not found at {CHROMIUM}"
        for module in ("playwright.sync_api", *modules):
            try:
                __import__(module)
            except ImportError:
                reason = reason or f"{module} is not installed{install}"
        if reason:
            if os.environ.get("DLCOURSE_REQUIRE_BROWSER") == "1":
                pytest.fail(f"{reason}, and DLCOURSE_REQUIRE_BROWSER=1")
            pytest.skip(reason)
    return check


@pytest.fixture
def progress_file(tmp_path, monkeypatch) -> Path:
    """Progress recorded into a fresh file under tmp_path (the file does not exist yet)."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(path))
    return path


@pytest.fixture
def planned_lesson(monkeypatch) -> str:
    """The id of a lesson made "planned" (no notebook) in the catalog that dlcourse.catalog.load()
    returns for this test: how the CLI and the course map show a lesson still to come, now that
    the real catalog has none."""
    from dataclasses import replace

    from dlcourse import catalog

    cat = catalog.load()
    lesson_id = "L3.13"
    lessons = tuple(replace(lesson, path=None) if lesson.id == lesson_id else lesson for lesson in cat.lessons)
    monkeypatch.setattr(catalog, "load", lambda: replace(cat, lessons=lessons))
    return lesson_id


@pytest.fixture
def mirror() -> Path:
    path = os.environ.get("DLCOURSE_DATA_MIRROR")
    if not path or not Path(path).is_dir():
        if os.environ.get("CI"):
            pytest.fail("DLCOURSE_DATA_MIRROR must point at the dataset mirror in CI")
        pytest.skip("no dataset mirror: set DLCOURSE_DATA_MIRROR")
    return Path(path)


# ------------------------------------------------------------------ test groups and their times
# Every test belongs to one group; `make test` ends with each group's wall time (first start to
# last end), its busy time (summed over tests, both xdist workers) and its count, and writes them
# to artifacts/test-times.json, from which ci/projection.py projects the suite to the full course.
# The slow groups are collected first so that the two workers never end on one long test alone.
# The website test alone comes last: it builds the site from the notebooks' executed copies (and
# waits for any notebook still running).

MARKED = ("notebooks", "assignments", "browser", "wheel", "website")
FIRST = {"assignments": 0, "grading": 1, "notebooks": 2, "browser": 3, "wheel": 4}


def group_of(nodeid: str, keywords) -> str:
    module = nodeid.split("::")[0].rsplit("/", 1)[-1]
    if module.startswith("test_grading"):  # its slow batch is marked `assignments` too
        return "grading"
    for marker in MARKED:
        if marker in keywords:
            return marker
    if module.startswith("test_widgets"):
        return "widgets"
    return "units"


def _weight(item):
    if group_of(item.nodeid, item.keywords) == "website":   # last: it builds from the notebooks' copies
        return 99, 0
    entry = getattr(item, "callspec", None) and item.callspec.params.get("entry")
    return FIRST.get(group_of(item.nodeid, item.keywords), 9), -(getattr(entry, "budget_quick", 0) or 0)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Slow groups first, longest notebooks first. Under --dist loadgroup, xdist has renamed each
    grouped test `<id>@<group>` by now; a pytest that does not let it would run a round trip once
    per worker, slowly and silently: stop instead."""
    items.sort(key=_weight)
    if config.getoption("dist", "no") != "loadgroup" or not hasattr(config, "workerinput"):
        return
    lost = [item.nodeid for item in items
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"pytest-xdist could not group {lost[0]} (and {len(lost) - 1} "
                                "more): install the pytest and pytest-xdist in constraints.txt")


def _controller(config) -> bool:
    return not hasattr(config, "workerinput")


GROUP_TIMES = defaultdict(lambda: {"start": float("inf"), "stop": 0.0, "busy": 0.0, "tests": set()})
SESSION_START = time.time()


def pytest_configure(config):
    if _controller(config):
        shutil.rmtree(ARTIFACTS / "notebooks" / "outcomes", ignore_errors=True)


def pytest_runtest_logreport(report):
    entry = GROUP_TIMES[group_of(report.nodeid, report.keywords)]
    entry["start"] = min(entry["start"], report.start)
    entry["stop"] = max(entry["stop"], report.stop)
    entry["busy"] += report.duration
    entry["tests"].add(report.nodeid)


def pytest_terminal_summary(terminalreporter, config):
    if not _controller(config) or not GROUP_TIMES:
        return
    from ci import notebook_table
    table = notebook_table.write(ARTIFACTS / "notebooks")
    if table:
        terminalreporter.write_sep("=", "notebooks, quick mode")
        terminalreporter.write_line(table)
    rows = {name: {"wall": round(t["stop"] - t["start"], 1), "busy": round(t["busy"], 1),
                   "tests": len(t["tests"])}
            for name, t in sorted(GROUP_TIMES.items(), key=lambda kv: kv[1]["start"])}
    total = round(time.time() - SESSION_START, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "test-times.json").write_text(json.dumps(
        {"groups": rows, "total_wall": total,
         "workers": getattr(config.option, "numprocesses", None) or 1}, indent=1))
    terminalreporter.write_sep("=", "wall time per test group")
    terminalreporter.write_line(f"{'group':<12} {'wall (s)':>9} {'busy (s)':>9} {'tests':>6}")
    for name, row in rows.items():
        terminalreporter.write_line(f"{name:<12} {row['wall']:>9} {row['busy']:>9} {row['tests']:>6}")
    terminalreporter.write_line(f"{'session':<12} {total:>9}")
    if {"notebooks", "assignments"} <= set(rows):  # a whole-suite run: project it to the course
        from ci import projection
        terminalreporter.write_sep("=", "projected to the whole course")
        notebooks = json.loads((ARTIFACTS / "notebooks" / "results.json").read_text())
        terminalreporter.write_line(projection.project(
            json.loads((ARTIFACTS / "test-times.json").read_text()), notebooks,
            float(os.environ.get("DLCOURSE_SETUP_SECONDS", 0))))
