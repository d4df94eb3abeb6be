"""The nbgrader assignments (COURSE.md §5).

Fast: notebooks carry no outputs; the source follows the contract; the wrong-submission fixtures
still apply to the solution.

Slow (@pytest.mark.assignments): the round trip of ci/assignments.py, which generates each assignment
once: the release is what nbgrader generates from solutions/, the solution autogrades to full marks,
the untouched release to zero, each wrong fixture to less than full. Infinite loops and dead kernels
test the grader, not an assignment: tests/test_grading.py grades them once. One worker per assignment.
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
EXPECTS = {"partial", "timeout", "dead"}  # timeout and dead: only A01's, graded by test_grading


def _roundtrip_param(name, *rest):
    """Round-trip tests of one assignment share one xdist worker (and so one round trip); the
    assignments themselves spread over the workers."""
    return pytest.param(name, *rest, marks=pytest.mark.xdist_group(f"roundtrip-{name}"),
                        id="-".join((name, *rest)))


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
    for s in subs:
        if s.student in BUILTIN:
            continue
        assert s.expect in EXPECTS, f"{s.student}: expect must be one of {sorted(EXPECTS)}"
        if s.expect in A.LIMITS:
            continue
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
    return [_roundtrip_param(n, s) for n in NAMES
            for s in BUILTIN + [fx["name"] for fx in A.load_fixtures(n) if fx.get("expect") not in A.LIMITS]]


@pytest.mark.assignments
@pytest.mark.parametrize("name", [_roundtrip_param(n) for n in NAMES])
def test_release_is_what_nbgrader_generates(roundtrips, name):
    problems = roundtrips(name).release_problems
    assert not problems, ("\n".join(problems)
                          + f"\n\nRegenerate with: python -m ci.assignments {name} --write")


@pytest.mark.assignments
@pytest.mark.parametrize("name,student", _students())
def test_roundtrip_score(roundtrips, name, student):
    rt = roundtrips(name)
    assert student in rt.results, f"{student} was not submitted"
    problems = rt.problems_of(student)
    assert not problems, "\n".join(problems) + "\n\n" + rt.table()


@pytest.mark.assignments
@pytest.mark.parametrize("name", [_roundtrip_param(n) for n in NAMES])
def test_every_test_cell_catches_a_wrong_submission(roundtrips, name):
    rt = roundtrips(name)
    assert not rt.uncaught(), (f"test cells no fixture fails: {rt.uncaught()}; add a plausible wrong "
                               f"implementation to {A.fixture_dir(name)}/fixtures.toml")
