"""Every lesson's self-check exercises accept their solution and reject the known wrong answers.

The modules are discovered with pkgutil, so a new lesson's `dlcourse/exercises/lX_YY.py` is
covered without touching this file.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import dlcourse.exercises as exercises_pkg
from dlcourse.check import CheckFailed
from dlcourse.exercises import Exercise, run_code


def _modules():
    return [importlib.import_module(f"{exercises_pkg.__name__}.{info.name}")
            for info in pkgutil.iter_modules(exercises_pkg.__path__) if not info.name.startswith("_")]


def _exercises(module):
    return {name: obj for name, obj in vars(module).items() if isinstance(obj, Exercise)}


MODULES = _modules()
EXERCISES = [pytest.param(ex, id=f"{m.__name__.rsplit('.', 1)[1]}.{name}")
             for m in MODULES for name, ex in _exercises(m).items()]
WRONG = [pytest.param(ex, code, id=f"{m.__name__.rsplit('.', 1)[1]}.{name}.wrong{i}")
         for m in MODULES for name, ex in _exercises(m).items()
         for i, code in enumerate(ex.wrong_codes)]


def test_modules_are_found():
    assert MODULES, "no exercise modules found in dlcourse/exercises"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_module_layout(module):
    """Each lesson module is named lX_YY and holds q1, q2, … (3 to 5 of them, no gaps)."""
    short = module.__name__.rsplit(".", 1)[1]
    assert re.fullmatch(r"l\d_\d\d", short), f"{short}: name exercise modules after the lesson, e.g. l1_01"
    names = sorted(_exercises(module), key=lambda n: int(n[1:]) if n[1:].isdigit() else -1)
    assert names == [f"q{i}" for i in range(1, len(names) + 1)], f"{short}: exercises {names}"
    assert 3 <= len(names) <= 5, f"{short}: the lesson contract asks for 3–5 exercises"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_names_point_back_to_the_attribute(module):
    """The ✗ message tells the learner to run `ex.qN.hint()`: N must be the exercise's own."""
    for attr, ex in _exercises(module).items():
        assert ex._ref() == f"ex.{attr}", f"{attr}: name {ex.name!r} gives {ex._ref()}"


@pytest.mark.parametrize("ex", EXERCISES)
def test_solution_passes(ex, capsys):
    answer = run_code(ex.solution_code)
    ex.checker(answer)  # raises when the checker rejects its own solution
    assert ex.check(answer)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("ex", EXERCISES)
def test_has_wrong_answers(ex):
    assert ex.wrong_codes, f"{ex.name}: add at least one plausible wrong answer"


@pytest.mark.parametrize("ex, code", WRONG)
def test_wrong_answer_fails(ex, code, capsys):
    answer = run_code(code)
    with pytest.raises((CheckFailed, AssertionError)):
        ex.checker(answer)
    assert not ex.check(answer)
    out = capsys.readouterr().out
    assert "✗" in out and "hint()" in out


@pytest.mark.parametrize("ex", EXERCISES)
def test_not_attempted(ex, capsys):
    assert not ex.check(...)
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("ex", EXERCISES)
def test_odd_answers_do_not_crash(ex, capsys):
    for odd in (42, "nonsense", [1, 2], {"x": 1}, object()):
        assert not ex.check(odd)
    assert "✗" in capsys.readouterr().out


@pytest.mark.parametrize("ex", EXERCISES)
def test_hint_and_solution_print(ex, capsys):
    ex.hint()
    ex.solution()
    out = capsys.readouterr().out
    assert ex.hint_text in out and "answer" in out
