"""Question shapes that recur across lessons. Each function builds an `Exercise`; the keyword
arguments it does not use itself (name, hint_text, right_answer, wrong_answers) go to `Exercise`.

- `labels`: one label per item ({'a': 'supervised', ...}).
- `choices`: pick every option that applies ({'b', 'c'}).
- `ordering`: put names in order.
- `number`: one number within tolerance, with explanations for known wrong values.
- `write_function`: the learner writes a function (its stub body is `...`); it runs next to a
  reference on random inputs and edge cases, and the first mismatch is reported in one line.

Where the right answer needs torch or data, pass a function with no arguments that returns it:
it is only evaluated when an answer is checked.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable, Mapping, Sequence

from .. import check
from ..check import CheckFailed, NotAttempted
from . import Exercise


def _resolved(value: Any) -> Any:
    return value() if callable(value) else value


def labels(expected: Mapping[str, str], options: Sequence[str], *, what: str,
           aliases: Mapping[str, str] | None = None, **exercise) -> Exercise:
    """A dict giving one of `options` for each key of `expected` (keys in any case)."""
    keys = list(expected)

    def checker(answer):
        if not isinstance(answer, dict):
            raise CheckFailed(f"expected a dict like {{{keys[0]!r}: {options[0]!r}, ...}}, got "
                              f"{check.describe(answer)}")
        given = {check.as_label(k, keys, what="a key"): v for k, v in answer.items()}
        missing = [k for k in keys if k not in given]
        if missing:
            raise CheckFailed(f"no answer yet for {', '.join(missing)}: give one {what} for "
                              f"each of {', '.join(keys)}")
        wrong = [k for k in keys if check.as_label(given[k], options, f"answer[{k!r}]", aliases)
                 != expected[k]]
        if wrong:
            raise CheckFailed(f"{len(wrong)} of {len(keys)} not right yet: look again at "
                              f"{', '.join(wrong)}")

    return Exercise(checker=checker, **exercise)


def choices(options: Sequence[str], expected: set[str] | Callable[[], set[str]], *,
            extra: str, missing: str, **exercise) -> Exercise:
    """A set of the `options` that apply. `extra` and `missing` say what is off, with {n} for
    how many: "{n} of your letters name a copy", "{n} view(s) are missing"."""

    def checker(answer):
        got, right = check.as_choices(answer, options), set(_resolved(expected))
        if got != right:
            off = [(extra, len(got - right)), (missing, len(right - got))]
            raise CheckFailed("; ".join(text.format(n=n) for text, n in off if n))

    return Exercise(checker=checker, **exercise)


def ordering(items: Sequence[str], expected: Sequence[str], **exercise) -> Exercise:
    """Every one of `items` (listed to the learner in that order) once, in `expected`'s order."""

    def checker(answer):
        got = check.as_ordering(answer, items)
        wrong = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), None)
        if wrong is not None:
            raise CheckFailed(f"not in order yet: {got[wrong]!r} does not belong in position "
                              f"{wrong + 1}")

    return Exercise(checker=checker, **exercise)


def number(expected: float | Callable[[], float], *, what: str, rtol: float = 1e-6,
           atol: float = 1e-9, whole: bool = False,
           mistakes: Mapping[float, str] | Callable[[], Mapping[float, str]] = (),
           **exercise) -> Exercise:
    """One number (`whole`: a whole number, compared exactly). An answer within tolerance of a
    known mistake gets that mistake's explanation; any other wrong one is told whether it is too
    large or too small, not what the number is."""
    if whole:
        rtol = atol = 0

    def checker(answer):
        value = check.as_whole_number(answer, what) if whole else check.as_number(answer, what)
        check.rule_out(value, _resolved(mistakes), rtol=rtol, atol=atol)
        right = _resolved(expected)
        if abs(value - right) > atol + rtol * abs(right):
            shown = value if whole else f"{value:.6g}"
            raise CheckFailed(f"{what}: {shown} is too {'large' if value > right else 'small'}")

    return Exercise(checker=checker, **exercise)


def write_function(signature: str, reference: Callable, cases: Callable[[], Any], *,
                   rtol: float = 1e-6, atol: float = 1e-9, parts: Sequence[str] | None = None,
                   diagnose: Callable[[Any, Any, tuple], str | None] | None = None,
                   mistakes: Sequence[tuple[Callable, str]] = (), **exercise) -> Exercise:
    """The learner writes `signature` ("huber(pred, target, delta)"). `cases()` gives the inputs:
    a list of argument tuples, or a dict {label: argument tuple} for edge cases that deserve a
    name. Each case runs through the learner's function and `reference` on fresh copies; outputs
    are compared with `check.matches` (`parts` names the items of a tuple output; a dict keyed by
`parts`, as a `backward` returning gradients by parameter name, is read as that tuple). The first
    mismatch fails, naming the call. `diagnose(got, expected, args)` may then explain it better
    by returning a sentence; failing that, `mistakes`, pairs (a known-wrong version, its sentence),
    name the first whose output the answer reproduces (`same_as`). The wrong versions of
    `mistakes` join `wrong_answers`, so each is also proven to fail."""
    fname, params = _parse(signature)
    wrong = [w for w, _ in mistakes]
    exercise["wrong_answers"] = wrong + [w for w in exercise.get("wrong_answers", ()) if w not in wrong]

    def checker(answer):
        fn = check.as_function(answer, signature)
        all_cases = _resolved(cases)
        labelled = all_cases.items() if isinstance(all_cases, Mapping) else \
            [(None, args) for args in all_cases]
        for label, args in labelled:
            call = f"{fname}(…) on {label}" if label else f"{fname}({_describe(params, args)})"
            got = check.call(fn, *copy.deepcopy(args), what=call)
            if parts and isinstance(got, Mapping):
                got = tuple(got.get(part) for part in parts)
            expected = reference(*copy.deepcopy(args))
            try:
                check.matches(got, expected, name=call, rtol=rtol, atol=atol, parts=parts)
            except NotAttempted:
                raise
            except CheckFailed as failure:
                why = _explained(diagnose, got, expected, args) or next(
                    (why for mistake, why in mistakes if same_as(got, mistake, args)), None)
                if why:
                    raise CheckFailed(f"{call}: {why}") from None
                raise failure from None

    return Exercise(checker=checker, **exercise)


def finite_or(explanation: str) -> Callable[[Any, Any, tuple], str | None]:
    """A `diagnose` for functions that overflow: NaN or inf in the output (or in any part of a
    tuple output) gets `explanation`."""

    def diagnose(got, expected, args):
        parts = got if isinstance(got, (tuple, list)) else (got,)
        if any(not bool(check.as_array(part).isfinite().all()) for part in parts):
            return f"the result contains nan or inf: {explanation}"
        return None

    return diagnose


def same_as(got: Any, wrong: Callable, args: tuple, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Whether a learner's output equals what the known-wrong version `wrong` gives on `args`: the
    building block of a `diagnose` that names the mistake."""
    import torch
    try:
        mine = torch.as_tensor(wrong(*args))
        got = torch.as_tensor(got, dtype=mine.dtype)
        return got.shape == mine.shape and bool(torch.allclose(got, mine, rtol=rtol, atol=atol))
    except Exception:  # noqa: BLE001 -- an output of another kind: not this mistake
        return False


def _explained(diagnose, got, expected, args) -> str | None:
    if diagnose is None:
        return None
    try:
        return diagnose(got, expected, args)
    except Exception:  # noqa: BLE001 -- an odd output the diagnosis did not foresee
        return None


def _parse(signature: str) -> tuple[str, list[str]]:
    fname, _, rest = signature.partition("(")
    return fname.strip(), [p.strip() for p in rest.rstrip(")").split(",") if p.strip()]


def _describe(params: Sequence[str], args: tuple) -> str:
    """`pred=tensor (40,), delta=0.5`: enough to tell which input went wrong."""
    names = list(params) + [f"arg{i}" for i in range(len(params), len(args))]
    return ", ".join(f"{n}={_short(a)}" for n, a in zip(names, args))


def _short(x: Any) -> str:
    """A tensor or array by its values when it is small, by its shape otherwise."""
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        if len(x.shape) == 0:
            return f"{x.item():.4g}"
        kind = "tensor" if type(x).__module__.startswith("torch") else "array"
        if math.prod(x.shape) <= 6:
            return f"{kind}({_numbers(x.tolist())})"
        return f"{kind} {tuple(x.shape)}"
    text = repr(x)
    return text if len(text) <= 60 else f"{type(x).__name__} of {len(x)}"


def _numbers(values: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_numbers(v) for v in values) + "]"
    return f"{values:.4g}"
