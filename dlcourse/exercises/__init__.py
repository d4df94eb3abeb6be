"""Self-check exercises with immediate feedback.

A lesson's exercises live in a module here (`l1_01.py` for L1.01). In the notebook:

    from dlcourse.exercises import l1_01 as ex
    answer = ...            # the learner's code
    ex.q1.check(answer)     # ✓, or ✗ with what was expected and got
    ex.q1.hint(); ex.q1.solution()

`check` never raises on a learner's wrong or missing answer, so a notebook runs top to bottom
while exercises are still open. Each exercise carries its own solution and known-wrong answers as
self-contained code; the test suite runs them to prove every check accepts the one and rejects the
others.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..check import CheckFailed, Verdict


@dataclass
class Exercise:
    name: str
    checker: Callable[[Any], Any]  # raises CheckFailed (or AssertionError) when wrong
    hint_text: str
    solution_code: str  # self-contained code that binds `answer`
    wrong_codes: list[str] = field(default_factory=list)  # each binds a plausible wrong `answer`

    def check(self, answer: Any) -> Verdict:
        if answer is Ellipsis or answer is None:
            print(f"⏳ {self.name}: not attempted yet. Replace the `...` and run the cell again.")
            return Verdict(False)
        try:
            _quietly(self.checker, answer)
        except (CheckFailed, AssertionError) as exc:
            print(f"✗ {self.name}: {exc}\n  Stuck? Run `{self._ref()}.hint()`.")
            return Verdict(False)
        except Exception as exc:  # noqa: BLE001 -- a learner's odd answer must not crash the check
            print(f"✗ {self.name}: your answer raised {type(exc).__name__}: {exc}")
            return Verdict(False)
        print(f"✓ {self.name}: correct!")
        return Verdict(True)

    def hint(self) -> None:
        print(f"💡 {self.hint_text}")

    def solution(self) -> None:
        print(f"A solution to {self.name}:\n\n{self.solution_code.strip()}")

    def _ref(self) -> str:
        return f"ex.{self.name.split()[0].lower()}"


def _quietly(fn: Callable, *args) -> Any:
    """Run a checker without the ✓ lines that dlcourse.check prints along the way."""
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


def run_code(code: str) -> Any:
    """Execute an exercise's self-contained code and return the `answer` it binds."""
    namespace: dict[str, Any] = {}
    exec(compile(code, "<exercise>", "exec"), namespace)  # noqa: S102 -- our own code
    return namespace["answer"]
