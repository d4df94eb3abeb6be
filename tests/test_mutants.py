"""Hidden tests are measured, not trusted (COURSE.md §5): mutants of each solution lose points.

Fast: the mutator (operators, solution regions only, stable ids) and the worker (time limit,
equivalent and stale entries) on a small notebook of its own; no hidden test text in a release.

Slow (@pytest.mark.assignments): ci/mutants.py grades every mutant of every assignment: the score
is at least THRESHOLD, and tests/fixtures/<A>/equivalent_mutants.toml names only mutants that exist
and survive. One worker per assignment, beside its round trip.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ci import mutants as M  # noqa: E402

NAMES = M.assignment_names()


def _param(name):
    return pytest.param(name, marks=pytest.mark.xdist_group(f"mutants-{name}"), id=name)


# ------------------------------------------------------------------------------------- mutator

CELL = '''\
def scale(x, k):
    """Given: not mutated."""
    y = x * 2
    ### BEGIN SOLUTION
    out = y - k
    out += 1
    return float(out)
    ### END SOLUTION
'''


def _changes(source=CELL):
    return {(m.operator, m.after) for m in M.mutants_of(source, "scale", 0)}


def test_mutants_change_the_solution_region_only():
    muts = M.mutants_of(CELL, "scale", 0)
    assert muts and all(m.line in (5, 6, 7) for m in muts)
    assert all("y = x * 2" in m.source for m in muts)
    assert len({m.source for m in muts}) == len(muts), "no two mutants are the same code"
    for m in muts:
        compile(m.source, m.id, "exec")


def test_each_operator_makes_its_change():
    changes = _changes()
    for expected in [("binop", "out = (y + k)"), ("swap", "out = (k - y)"), ("aug", "out -= 1"),
                     ("aug", "out = 1"), ("const", "out += 2"), ("drop", "pass"),
                     ("unwrap", "return (out)")]:
        assert expected in changes, expected
    tensor = ("def f(p, g, s):\n    ### BEGIN SOLUTION\n    s['b'] = g.clone()\n    p.add_(g)\n"
              "    d = d + p\n    ### END SOLUTION\n")
    changes = _changes(tensor)
    for expected in [("alias", "s['b'] = (g)"), ("outplace", "(p.add(g))"), ("method", "(p.sub_(g))"),
                     ("inplace", "d += p")]:
        assert expected in changes, expected
    state = "def f(v):\n    ### BEGIN SOLUTION\n    seen = set()\n    v.grad = 1.0\n    ### END SOLUTION\n"
    muts = {m.operator: m for m in M.mutants_of(state, "f", 0)}
    assert muts["hoist"].source.startswith("seen = set()\n") and "    pass" in muts["hoist"].source
    assert muts["seed"].after == "v.grad += 1.0"
    assert {m.operator for m in M.mutants_of(CELL, "scale", 0)} <= set(M.OPERATORS)


def test_mutant_ids_survive_unrelated_edits():
    ids = {m.id for m in M.mutants_of(CELL, "scale", 0)}
    edited = CELL.replace('"""Given: not mutated."""', '"""Given."""\n    z = 3')
    assert {m.id for m in M.mutants_of(edited, "scale", 0)} == ids
    changed = CELL.replace("out = y - k", "out = y - k - 0")
    assert {m.id for m in M.mutants_of(changed, "scale", 0)} != ids


# -------------------------------------------------------------------------------------- worker

def _cell(kind, gid, source):
    meta = {"grade": kind == "test", "grade_id": gid, "locked": kind != "solution",
            "schema_version": 3, "solution": kind == "solution", "task": False}
    if kind == "test":
        meta["points"] = 1
    return {"cell_type": "code", "execution_count": None, "id": gid, "metadata": {"nbgrader": meta},
            "outputs": [], "source": source}


SOLUTION = '''\
def count_up(n):
    ### BEGIN SOLUTION
    i = 0
    while i < n:
        i += 1
    return i
    ### END SOLUTION


def distance(a, b):
    ### BEGIN SOLUTION
    return abs(a - b)
    ### END SOLUTION
'''
TESTS = '''\
assert count_up(3) == 3
assert distance(5, 2) == 3
### BEGIN HIDDEN TESTS
assert count_up(0) == 0
### END HIDDEN TESTS
'''


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    nb = {"cells": [_cell("setup", "setup", "import math\n"), _cell("solution", "count", SOLUTION),
                    _cell("test", "test_count", TESTS)],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    folder = root / "solutions" / "X01-demo"
    folder.mkdir(parents=True)
    (folder / "X01-demo.ipynb").write_text(json.dumps(nb))
    swap = next(m.id for m in M.all_mutants("X01-demo", root) if m.operator == "swap")
    fixtures = root / "fixtures"
    (fixtures / "X01").mkdir(parents=True)
    (fixtures / "X01" / "equivalent_mutants.toml").write_text(
        f'[equivalent]\n"{swap}" = "|b - a| = |a - b|"\n"count:count_up:drop:00000000" = "stale"\n')
    return M.run("X01-demo", root=root, fixtures=fixtures, min_limit=1.0), swap


def test_worker_grades_every_mutant(demo):
    report, swap = demo
    outcomes = {(m.before, m.after): m.outcome for m in report.mutants}
    assert outcomes["i += 1", "i -= 1"].startswith("timeout"), "an endless loop is stopped, and killed"
    assert outcomes["i = 0", "i = 1"].startswith("killed by test_count"), "killed by the hidden test"
    assert [m.id for m in report.counted_equivalent] == [swap]
    assert not report.survivors and report.score == 1.0 and not report.baseline


def test_stale_equivalent_entries_are_reported(demo):
    report, _ = demo
    assert report.stale() == ["count:count_up:drop:00000000: no such mutant (its code changed? see --list)"]


# ------------------------------------------------------------------------------------- release

def _split_hidden(text):
    """(text without its hidden-test blocks, the blocks)"""
    parts = re.split(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", text, flags=re.S)
    return "".join(parts[::2]), parts[1::2]


@pytest.mark.parametrize("name", NAMES)
def test_release_has_no_hidden_tests(name):
    source = M.read_nb(ROOT / M.SOURCE / name / f"{name}.ipynb")
    release = M.read_nb(ROOT / "assignments" / name / f"{name}.ipynb")
    release_text = "\n".join("".join(c["source"]) for c in release["cells"])
    assert "HIDDEN TESTS" not in release_text
    visible, hidden = _split_hidden("\n".join("".join(c["source"]) for c in source["cells"]))
    lines = {ln.strip() for block in hidden for ln in block.splitlines()}
    own = [ln for ln in lines if len(ln) > 30 and ln not in visible]  # not also a visible line
    assert own, "hidden tests expected"
    leaked = [ln for ln in own if ln in release_text]
    assert not leaked, f"{name}: hidden test lines in the release: {leaked[:3]}"


# ----------------------------------------------------------------------------------------- slow

@pytest.fixture(scope="session")
def reports():
    done = {}

    def get(name):
        if name not in done:
            done[name] = M.run(name)
            print("\n" + M.table([done[name]]))
        return done[name]

    return get


@pytest.mark.assignments
@pytest.mark.parametrize("name", [_param(n) for n in NAMES])
def test_hidden_tests_kill_the_mutants(reports, name):
    r = reports(name)
    assert not r.baseline, f"the solution fails its own tests: {r.baseline}"
    assert r.score >= M.THRESHOLD, (
        f"{name}: mutation score {r.score:.1%} < {M.THRESHOLD:.0%}; surviving mutants:\n  "
        + "\n  ".join(r.survivor_lines())
        + f"\nStrengthen the hidden tests in {M.SOURCE}/{name}/, or list a mutant that behaves like "
          f"the solution in {M.equivalents_file(name).relative_to(ROOT)} with its reason.\n"
        + M.table([r]))


@pytest.mark.assignments
@pytest.mark.parametrize("name", [_param(n) for n in NAMES])
def test_equivalent_mutant_list_is_current(reports, name):
    stale = reports(name).stale()
    assert not stale, (f"stale entries in {M.equivalents_file(name).relative_to(ROOT)}:\n  "
                       + "\n  ".join(stale))
