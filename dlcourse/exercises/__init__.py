"""Self-check exercises with immediate feedback.

A lesson's exercises live in a module here (`l1_01.py` for L1.01), their answers beside it
(`l1_01_answers.py`). In the notebook:

    from dlcourse.exercises import l1_01 as ex
    answer = ...            # the learner's code
    ex.q1.check(answer)     # ✓, or ✗ with what was expected and got
    ex.q1.hint(); ex.q1.solution()

`check` never raises on a learner's wrong or missing answer, so a notebook runs top to bottom
while exercises are still open. Each exercise holds its solution and its known-wrong answers as
real code from the answers module; the test suite runs them to prove every check accepts the one
and rejects the others. Recurring question shapes are built by `dlcourse.exercises.kinds`.

Each answered check (not an untouched `...`) is noted in the learner's progress file
(`dlcourse.progress`) under the lesson its answers module belongs to: `l2_07_answers` → L2.07.
"""
from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .. import progress
from ..check import CheckFailed, NotAttempted, Verdict
from .answer_code import computed, source_of, value_of

__all__ = ["Exercise", "computed", "source_of", "value_of"]


@dataclass
class Exercise:
    name: str                      # "Q1 · the Huber loss": the ✗ line points to `ex.q1.hint()`
    checker: Callable[[Any], Any]  # raises CheckFailed (or AssertionError) when wrong
    hint_text: str
    right_answer: Any              # a function or class the learner writes, or a @computed one
    wrong_answers: Sequence[Any] = ()  # plausible mistakes, in the same form

    def check(self, answer: Any) -> Verdict:
        if answer is Ellipsis or answer is None:
            return self._not_attempted("")
        try:
            _quietly(self.checker, answer)
        except NotAttempted as exc:
            return self._not_attempted(f" ({exc})")
        except (CheckFailed, AssertionError) as exc:
            print(f"✗ {self.name}: {exc}\n  Stuck? Run `{self._ref()}.hint()`.")
            return self._recorded(False)
        except Exception as exc:  # noqa: BLE001 -- a learner's odd answer must not crash the check
            print(f"✗ {self.name}: your answer raised {type(exc).__name__}: {exc}")
            return self._recorded(False)
        print(f"✓ {self.name}: correct!")
        return self._recorded(True)

    @property
    def lesson_id(self) -> str | None:
        """The lesson whose answers module holds the solution (`…l2_07_answers` → "L2.07")."""
        found = re.search(r"\bl(\d)_(\d\d)_answers$", getattr(self.right_answer, "__module__", "") or "")
        return f"L{found[1]}.{found[2]}" if found else None

    def _recorded(self, passed: bool) -> Verdict:
        if self.lesson_id:
            progress.record(self.lesson_id, self._ref().removeprefix("ex."), passed)
        return Verdict(passed)

    def hint(self) -> None:
        print(f"💡 {self.hint_text}")

    def solution(self) -> None:
        print(f"A solution to {self.name}:\n\n{source_of(self.right_answer)}")

    def _not_attempted(self, detail: str) -> Verdict:
        print(f"⏳ {self.name}: not attempted yet{detail}. "
              "Replace the `...` and run the cell again.")
        return Verdict(False)

    def _ref(self) -> str:
        return f"ex.{self.name.split()[0].lower()}"


def _quietly(fn: Callable, *args) -> Any:
    """Run a checker without the ✓ lines that dlcourse.check prints along the way."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)
