"""The nbgrader assignments (COURSE.md §5).

Fast: the committed student version is what nbgrader generates from solutions/; notebooks carry no
outputs; the source follows the contract; the wrong-submission fixtures still apply to the solution.

Slow (@pytest.mark.assignments): the round trip of ci/assignments.py: the solution autogrades to full
marks, the untouched release to zero, each wrong fixture to less than full, and an infinite loop and
a dead kernel are graded without stopping the batch. About a minute and a half per assignment on 2
cores (mostly two 15 s cell timeouts and one kernel start per student).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ci import assignments as A  # noqa: E402

pytest.importorskip("nbgrader")

NAMES = A.assignment_names()
BUILTIN = ["solution", "solved", "blank"]
EXPECTS = {"partial", "timeout", "dead"}


def _slow(test):
    """The round-trip tests: marked `assignments`; under pytest-xdist --dist loadgroup they share
    one worker, so the round trip runs once."""
    test = pytest.mark.assignments(test)
    try:
        import xdist  # noqa: F401
    except ImportError:
        return test
    return pytest.mark.xdist_group("nbgrader-roundtrip")(test)


def _source(name):
    return A._read_nb(ROOT / A.SOURCE / name / f"{name}.ipynb")


def _release(name):
    return A._read_nb(ROOT / A.RELEASE / name / f"{name}.ipynb")


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _test_cells(nb):
    return [_nbgrader(c)["grade_id"] for c in nb["cells"]
            if c["cell_type"] == "code" and _nbgrader(c).get("grade")]


# ------------------------------------------------------------------------------------------ fast

@pytest.mark.parametrize("name", NAMES)
def test_release_is_what_nbgrader_generates(name):
    problems = A.check_release(name)
    assert not problems, ("\n".join(problems)
                          + f"\n\nRegenerate with: python -m ci.assignments {name} --write")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("folder", [A.SOURCE, A.RELEASE])
def test_notebooks_carry_no_outputs(name, folder):
    nb = A._read_nb(ROOT / folder / name / f"{name}.ipynb")
    dirty = [c.get("id") for c in nb["cells"] if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{folder}/{name}: cells with outputs or execution counts: {dirty}"


@pytest.mark.parametrize("name", NAMES)
def test_source_follows_the_contract(name):
    nb = _source(name)
    tests = [c for c in nb["cells"] if c["cell_type"] == "code" and _nbgrader(c).get("grade")]
    written = [c for c in nb["cells"] if c["cell_type"] == "markdown"
               and _nbgrader(c).get("grade") and _nbgrader(c).get("solution")]
    solutions = [c for c in nb["cells"] if c["cell_type"] == "code" and _nbgrader(c).get("solution")]
    assert tests and solutions, "autograded test cells and solution cells expected"
    assert written, "at least one written question graded by hand (markdown, solution + grade)"
    for c in tests:
        src, meta = "".join(c["source"]), _nbgrader(c)
        assert meta.get("locked") and meta.get("points", 0) > 0, f"{meta['grade_id']}: locked, with points"
        assert "assert" in src, f"{meta['grade_id']}: visible asserts expected"
        assert "### BEGIN HIDDEN TESTS" in src, f"{meta['grade_id']}: a hidden-tests block expected"
    for c in solutions:
        assert "### BEGIN SOLUTION" in "".join(c["source"]), f"{_nbgrader(c)['grade_id']}: no solution region"
    title = "".join(nb["cells"][0]["source"])
    assert title.startswith(f"# {name.split('-')[0]} · "), f"title cell should start with '# {name.split('-')[0]} · '"


@pytest.mark.parametrize("name", NAMES)
def test_fixtures_apply_to_the_current_solution(name):
    source, release = _source(name), _release(name)
    subs = A.submissions(name, source, release)  # raises if an edit no longer matches
    tests = set(_test_cells(source))
    solved = next(s for s in subs if s.student == "solved").notebook
    fixtures = A.load_fixtures(name)
    assert fixtures, f"no wrong-submission fixtures in {A.fixture_dir(name)}"
    kinds = {fx.get("expect") for fx in fixtures}
    assert {"timeout", "dead"} <= kinds, "an infinite-loop and a dead-kernel fixture expected"
    for s in subs:
        if s.student in BUILTIN:
            continue
        assert s.expect in EXPECTS, f"{s.student}: expect must be one of {sorted(EXPECTS)}"
        assert s.fails and set(s.fails) <= tests, f"{s.student}: fails must name test cells of {sorted(tests)}"
        assert s.notebook != solved, f"{s.student}: its edits change nothing"


# ------------------------------------------------------------------------------------------ slow

@pytest.fixture(scope="session")
def roundtrips(tmp_path_factory):
    done = {}

    def get(name):
        if name not in done:
            rt = A.roundtrip(name, workdir=tmp_path_factory.mktemp(f"{name}-course"))
            print("\n" + rt.table())
            done[name] = rt
        return done[name]

    return get


def _students():
    return [(n, s) for n in NAMES for s in BUILTIN + [fx["name"] for fx in A.load_fixtures(n)]]


@_slow
@pytest.mark.parametrize("name,student", _students())
def test_roundtrip_score(roundtrips, name, student):
    rt = roundtrips(name)
    assert student in rt.results, f"{student} was not submitted"
    problems = rt.problems_of(student)
    assert not problems, "\n".join(problems) + "\n\n" + rt.table()


@_slow
@pytest.mark.parametrize("name", NAMES)
def test_every_test_cell_catches_a_wrong_submission(roundtrips, name):
    rt = roundtrips(name)
    assert not rt.uncaught(), (f"test cells no fixture fails: {rt.uncaught()}; add a plausible wrong "
                               f"implementation to {A.fixture_dir(name)}/fixtures.toml")


@_slow
@pytest.mark.parametrize("name", NAMES)
def test_batch_survives_timeouts_and_dead_kernels(roundtrips, name):
    rt = roundtrips(name)
    dead = [r.student for r in rt.results.values() if r.expect == "dead"]
    loops = [r.student for r in rt.results.values() if r.expect == "timeout"]
    assert dead and loops
    for s in dead:
        assert rt.results[s].error, f"{s}: nbgrader should report the dead kernel"
    # nbgrader grades submissions in sorted order: students after the dead one were still graded
    after = [r for r in rt.results.values() if r.student > min(dead) and r.expect != "dead"]
    assert after, "no student is graded after the dead kernel; rename a fixture"
    ungraded = [r.student for r in rt.results.values() if r.expect != "dead" and not r.graded]
    assert not ungraded, f"not graded: {ungraded}\n{rt.table()}"
    for s in loops:
        assert rt.results[s].timeouts, f"{s}: no cell timed out"
