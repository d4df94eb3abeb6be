"""Every lesson's self-check exercises accept their solution and reject the known wrong answers.

Lesson modules (`lX_YY.py`) and their answers (`lX_YY_answers.py`) are discovered with pkgutil,
so a new lesson is covered without touching this file.
"""
from __future__ import annotations

import builtins
import dis
import importlib
import inspect
import pathlib
import pkgutil
import re
import shutil
import subprocess
import types

import pytest

import dlcourse.exercises as exercises_pkg
from dlcourse.check import CheckFailed, NotAttempted
from dlcourse.exercises import Exercise, _quietly, source_of, value_of


def _modules(pattern: str):
    return [importlib.import_module(f"{exercises_pkg.__name__}.{info.name}")
            for info in pkgutil.iter_modules(exercises_pkg.__path__)
            if re.fullmatch(pattern, info.name)]


def _short(module) -> str:
    return module.__name__.rsplit(".", 1)[1]


def _exercises(module):
    return {name: obj for name, obj in vars(module).items() if isinstance(obj, Exercise)}


LESSONS = _modules(r"l\d_\d\d")
ANSWERS = _modules(r"l\d_\d\d_answers")
EXERCISES = [pytest.param(ex, id=f"{_short(m)}.{name}")
             for m in LESSONS for name, ex in _exercises(m).items()]
WRONG = [pytest.param(ex, wrong, id=f"{_short(m)}.{name}.{wrong.__name__}")
         for m in LESSONS for name, ex in _exercises(m).items() for wrong in ex.wrong_answers]
WRITTEN = [pytest.param(ex, id=f"{_short(m)}.{name}")
           for m in LESSONS for name, ex in _exercises(m).items()
           if not getattr(ex.right_answer, "computes_answer", False)]


def _stub_like(answer):
    """What a learner's untouched exercise cell holds: the same kind of object, body `...`."""
    if isinstance(answer, type):
        class Stub:
            def __init__(self, *args, **kwargs):
                ...

            def step(self):
                ...
        return Stub

    def stub(*args, **kwargs):
        ...
    return stub


def _raising_like(answer):
    if isinstance(answer, type):
        class Broken:
            def __init__(self, *args, **kwargs):
                raise ValueError("boom")
        return Broken

    def broken(*args, **kwargs):
        raise ValueError("boom")
    return broken


def test_modules_are_found():
    assert LESSONS, "no exercise modules found in dlcourse/exercises"
    assert [f"{_short(m)}_answers" for m in LESSONS] == [_short(a) for a in ANSWERS], \
        "each lesson module lX_YY.py has its answers in lX_YY_answers.py"


@pytest.mark.parametrize("module", LESSONS, ids=_short)
def test_module_layout(module):
    """Each lesson module holds q1, q2, … (3 to 5 of them, no gaps)."""
    names = sorted(_exercises(module), key=lambda n: int(n[1:]) if n[1:].isdigit() else -1)
    assert names == [f"q{i}" for i in range(1, len(names) + 1)], f"{_short(module)}: {names}"
    assert 3 <= len(names) <= 5, f"{_short(module)}: the lesson contract asks for 3–5 exercises"


@pytest.mark.parametrize("module", LESSONS, ids=_short)
def test_names_point_back_to_the_attribute(module):
    """The ✗ message tells the learner to run `ex.qN.hint()`: N must be the exercise's own."""
    for attr, ex in _exercises(module).items():
        assert ex._ref() == f"ex.{attr}", f"{attr}: name {ex.name!r} gives {ex._ref()}"


@pytest.mark.parametrize("module", LESSONS, ids=_short)
def test_answers_are_code_from_the_answers_module(module):
    """Solutions and wrong answers are functions or classes of lX_YY_answers.py, never strings,
    and every answer defined there is used by an exercise."""
    answers = importlib.import_module(f"{module.__name__}_answers")
    used = []
    for ex in _exercises(module).values():
        for answer in [ex.right_answer, *ex.wrong_answers]:
            assert inspect.isfunction(answer) or inspect.isclass(answer), f"{ex.name}: {answer!r}"
            assert answer.__module__ == answers.__name__, f"{ex.name}: {answer.__qualname__}"
            used.append(answer)
        assert ex.right_answer not in ex.wrong_answers
    defined = [obj for obj in vars(answers).values()
               if (inspect.isfunction(obj) or inspect.isclass(obj))
               and obj.__module__ == answers.__name__]
    unused = [obj.__name__ for obj in defined if obj not in used]
    assert not unused, f"{_short(answers)}: answers no exercise uses: {unused}"


def _global_names(code: types.CodeType):
    for instr in dis.get_instructions(code):
        if instr.opname in {"LOAD_GLOBAL", "LOAD_NAME"}:
            yield instr.argval
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _global_names(const)


@pytest.mark.parametrize("module", ANSWERS, ids=_short)
def test_answers_modules_name_only_what_exists(module):
    """What a linter checks first: every global name the answers' code reads is defined."""
    path = pathlib.Path(module.__file__)
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    known = set(vars(module)) | set(vars(builtins))
    undefined = sorted(set(_global_names(code)) - known)
    assert not undefined, f"{_short(module)} reads undefined names {undefined}"


def _ruff() -> str | None:
    ruff = shutil.which("ruff")
    if ruff and subprocess.run([ruff, "--version"], capture_output=True, check=False).returncode:
        return None  # a shim without an installed ruff behind it
    return ruff


@pytest.mark.skipif(_ruff() is None, reason="ruff is not installed")
def test_ruff_sees_the_exercises_as_clean_code():
    """pyflakes' checks (undefined and unused names, syntax) over the lessons and answers."""
    out = subprocess.run([_ruff(), "check", "--isolated", "--select", "F,E9",
                          exercises_pkg.__path__[0]], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("ex", EXERCISES)
def test_solution_passes(ex, capsys):
    answer = value_of(ex.right_answer)
    _quietly(ex.checker, answer)  # raises when the checker rejects its own solution
    assert ex.check(answer)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("ex", EXERCISES)
def test_has_wrong_answers(ex):
    assert ex.wrong_answers, f"{ex.name}: add at least one plausible wrong answer"


@pytest.mark.parametrize("ex, wrong", WRONG)
def test_wrong_answer_fails(ex, wrong, capsys):
    answer = value_of(wrong)
    with pytest.raises((CheckFailed, AssertionError)) as failure:
        _quietly(ex.checker, answer)
    assert not isinstance(failure.value, NotAttempted), "a wrong answer is not a missing one"
    assert not ex.check(answer)
    out = capsys.readouterr().out
    assert "✗" in out and "hint()" in out


@pytest.mark.parametrize("ex", EXERCISES)
def test_not_attempted(ex, capsys):
    assert not ex.check(...)
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("ex", WRITTEN)
def test_an_untouched_stub_is_not_attempted_rather_than_wrong(ex, capsys):
    assert not ex.check(_stub_like(ex.right_answer))
    out = capsys.readouterr().out
    assert "not attempted" in out and "✗" not in out, out


@pytest.mark.parametrize("ex", WRITTEN)
def test_a_raising_answer_gets_one_line_naming_the_error(ex, capsys):
    assert not ex.check(_raising_like(ex.right_answer))
    out = capsys.readouterr().out
    assert "ValueError: boom" in out and "Traceback" not in out, out
    assert out.count("✗") == 1 and "hint()" in out, out


@pytest.mark.parametrize("ex", EXERCISES)
def test_answers_of_the_wrong_type_get_a_friendly_message(ex, capsys):
    """Each odd answer is turned down by the check itself, not by an error escaping it."""
    for odd in (42, True, "nonsense", [1, 2], {"x": 1}, object()):
        assert not ex.check(odd)
        out = capsys.readouterr().out
        assert out.startswith("✗") and "your answer raised" not in out, f"{odd!r}: {out}"


@pytest.mark.parametrize("ex", EXERCISES)
def test_the_printed_solution_is_a_cell_that_passes(ex, capsys):
    ex.hint()
    ex.solution()
    out = capsys.readouterr().out
    assert ex.hint_text in out
    cell = source_of(ex.right_answer)
    assert cell in out and "answer =" in cell
    namespace: dict = {}
    exec(compile(cell, f"<solution of {ex.name}>", "exec"), namespace)  # noqa: S102
    assert ex.check(namespace["answer"])
