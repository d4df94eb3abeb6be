"""Exercise checks with friendly feedback.

Two families, both raising `CheckFailed` with a one-line message that says what was expected and
what came back, never a raw traceback from deep inside torch:

- **checks** (`close`, `matches`, `equal`, `shape`, `dtype`, `against_reference`, `gradient`)
  compare a value with the right one; on success they print ✓ and return a true `Verdict`.
- **readers** (`as_number`, `as_whole_number`, `as_tensor`, `as_array`, `as_tuple`, `as_pair`,
  `as_label`, `as_choices`, `as_ordering`, `as_function`, `call`) turn a learner's answer into
  the value a check needs, with one rule each for what they accept. A `...` still in the answer,
  or a function whose body is still `...` (`is_stub`), raises `NotAttempted`, which an exercise
  reports as "not attempted yet", not as wrong. `rule_out` explains a known wrong value.

Notebooks call the checks directly, or through `dlcourse.exercises`.
"""
from __future__ import annotations

import dis
import math
import numbers
from typing import Any, Callable, Iterable, Mapping, Sequence


class Verdict:
    """What a check returns: true or false, and silent as a cell's last value (no stray `True`)."""

    def __init__(self, ok: bool):
        self.ok = bool(ok)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:
        pass  # the check already printed its ✓ or ✗ line


class CheckFailed(AssertionError):
    """A learner's answer is not right yet; the message says why."""

    def _render_traceback_(self):  # IPython shows just the message, not the stack
        return [f"✗ {self}"]


class NotAttempted(CheckFailed):
    """The answer, or a part of it, is still the `...` of the exercise cell."""


def _as_tensor(x: Any, name: str):
    import torch
    if isinstance(x, torch.Tensor):
        return x
    try:
        t = torch.as_tensor(x)
        if t.is_floating_point() and not hasattr(x, "dtype"):
            t = torch.as_tensor(x, dtype=torch.float64)  # Python floats are doubles: keep them so
        return t
    except Exception as exc:  # noqa: BLE001 -- any failure means "not tensor-like"
        raise CheckFailed(f"{name}: expected a tensor or an array, got {type(x).__name__}") from exc


def _ok(message: str) -> Verdict:
    print(f"✓ {message}")
    return Verdict(True)


def describe(x: Any) -> str:
    """How a wrong-typed answer is named in a message: 'a list', 'the text '3'', 'None'."""
    if x is None:
        return "None"
    if isinstance(x, (str, bytes)):
        return f"the text {x!r:.40}"
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"{type(x).__name__} of shape {tuple(x.shape)}"
    name = type(x).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _aside(what: str) -> str:
    return f" ({what})" if what else ""


def _not_yet(x: Any, what: str) -> None:
    if x is Ellipsis:
        raise NotAttempted(f"{what} is still `...`")


# ---------------------------------------------------------------------------------------------
# readers: a learner's answer → the value a check needs
# ---------------------------------------------------------------------------------------------
def as_number(answer: Any, what: str = "the answer") -> float:
    """One finite real number, as a float.

    Accepted: int, float (any `numbers.Real`), and a NumPy or torch scalar, 0-d array or any
    array holding exactly one value. Rejected: bools, text, complex numbers, NaN and ±inf,
    containers, and arrays of several values.
    """
    _not_yet(answer, what)
    if isinstance(answer, bool) or _holds_bools(answer):
        raise CheckFailed(f"expected a number ({what}), got {answer!r}: True/False is not a number")
    if isinstance(answer, (str, bytes)):
        raise CheckFailed(f"expected a number ({what}), got {describe(answer)}: "
                          "write the number itself, without quotes")
    if hasattr(answer, "shape") and hasattr(answer, "dtype"):  # torch or NumPy
        size = math.prod(answer.shape)
        if size != 1:
            raise CheckFailed(f"expected one number ({what}), got {describe(answer)}")
        answer = answer.item()
    if not isinstance(answer, numbers.Real):
        raise CheckFailed(f"expected a number ({what}), got {describe(answer)}")
    value = float(answer)
    if not math.isfinite(value):
        raise CheckFailed(f"expected a finite number ({what}), got {value}")
    return value


def as_whole_number(answer: Any, what: str = "the answer") -> int:
    """One whole number, as an int: `as_number`'s rules, and no fractional part (55.0 is 55)."""
    value = as_number(answer, what)
    if not value.is_integer():
        raise CheckFailed(f"expected a whole number ({what}), got {value:g}")
    return int(value)


def as_tensor(answer: Any, what: str = "the answer", shape: Sequence[int] | None = None):
    """A torch.Tensor, detached, dtype untouched (a list or a NumPy array is not one).
    With `shape`, it must have exactly that shape."""
    import torch
    _not_yet(answer, what)
    if not isinstance(answer, torch.Tensor):
        tip = ": wrap it with torch.tensor(...)" if isinstance(answer, (list, tuple)) else ""
        raise CheckFailed(f"expected a torch.Tensor ({what}), got {describe(answer)}{tip}")
    if shape is not None and tuple(answer.shape) != tuple(shape):
        raise CheckFailed(f"{what} has shape {tuple(answer.shape)}, expected {tuple(shape)}")
    return answer.detach()


def as_array(answer: Any, what: str = "the answer", shape: Sequence[int] | None = None):
    """Numbers in any array form (tensor, NumPy array, nested lists, a number) as a float64
    CPU tensor. Rejected: text, dicts, sets, functions, True/False arrays and complex numbers.
    With `shape`, it must have exactly that shape."""
    import numpy as np
    import torch
    _not_yet(answer, what)
    if answer is None or callable(answer) or isinstance(answer, (str, bytes, dict, set, bool)):
        raise CheckFailed(f"expected an array of numbers ({what}), got {describe(answer)}")
    if _holds_bools(answer):
        raise CheckFailed(f"expected numbers ({what}), got an array of True/False")
    try:
        if isinstance(answer, torch.Tensor):
            if answer.is_complex():
                raise TypeError
            t = answer.detach().cpu().double()
        else:
            arr = np.asarray(answer)
            if arr.dtype.kind not in "iuf":
                raise TypeError
            t = torch.from_numpy(arr.astype(np.float64))
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(f"expected an array of numbers ({what}), got "
                          f"{describe(answer)}") from None
    if shape is not None and tuple(t.shape) != tuple(shape):
        raise CheckFailed(f"{what} has shape {tuple(t.shape)}, expected {tuple(shape)}")
    return t


def as_tuple(answer: Any, n: int, what: str = "the answer") -> tuple:
    """Exactly n values from a tuple, a list, or a 1-D tensor or array of length n. The values
    themselves are not converted: read each with its own reader."""
    _not_yet(answer, what)
    if hasattr(answer, "shape") and hasattr(answer, "dtype") and len(answer.shape) == 1:
        answer = tuple(answer)
    if not isinstance(answer, (tuple, list)):
        raise CheckFailed(f"expected {n} values ({what}), got {describe(answer)}")
    if len(answer) != n:
        raise CheckFailed(f"expected {n} values ({what}), got {len(answer)}")
    return tuple(answer)


def as_pair(answer: Any, what: str = "the answer") -> tuple:
    """`as_tuple` with n = 2."""
    return as_tuple(answer, 2, what)


def _normal(text: str) -> str:
    return " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def as_label(answer: Any, options: Iterable[str], what: str = "the answer",
             aliases: Mapping[str, str] | None = None) -> str:
    """One of `options`, given as text; case, surrounding spaces, '-' and '_' do not matter.
    `aliases` maps other accepted spellings to an option. Returns the option as spelled there."""
    _not_yet(answer, what)
    options = list(options)
    known = {_normal(o): o for o in options}
    known.update({_normal(a): o for a, o in (aliases or {}).items()})
    if not isinstance(answer, str):
        raise CheckFailed(f"{what}: expected text such as {options[0]!r}, got {describe(answer)}")
    if _normal(answer) not in known:
        raise CheckFailed(f"{what}: {answer!r} is not one of {', '.join(map(repr, options))}")
    return known[_normal(answer)]


def as_choices(answer: Any, options: Iterable[str], what: str = "") -> set[str]:
    """A set of `options` (read as `as_label` does) from a set, list or tuple; one text alone is
    not accepted, so {'a'} and 'a' do not get confused with {'a', ...} spelt as a string."""
    _not_yet(answer, what or "the answer")
    options = list(options)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (set, frozenset, list, tuple)):
        raise CheckFailed(f"expected a set such as {{{options[0]!r}, {options[1]!r}}}"
                          f"{_aside(what)}, got {describe(answer)}")
    if any(a is Ellipsis for a in answer):
        raise NotAttempted("a choice is still `...`")
    known = {_normal(o): o for o in options}
    unknown = sorted(repr(a) for a in answer if not isinstance(a, str) or _normal(a) not in known)
    if unknown:
        raise CheckFailed(f"{', '.join(unknown)} not among the choices "
                          f"{', '.join(map(repr, options))}")
    return {known[_normal(a)] for a in answer}


def as_ordering(answer: Any, items: Iterable[str], what: str = "") -> list[str]:
    """Every one of `items` exactly once, in the learner's order, from a list or a tuple."""
    _not_yet(answer, what or "the answer")
    items = list(items)
    if not isinstance(answer, (list, tuple)):
        raise CheckFailed(f"expected a list of the {len(items)} names{_aside(what)}, got "
                          f"{describe(answer)}")
    got = [as_label(a, items, what="a name") for a in answer]
    twice = sorted({g for g in got if got.count(g) > 1})
    if twice:
        raise CheckFailed(f"{', '.join(map(repr, twice))} appear more than once: "
                          f"use each of the {len(items)} names exactly once")
    missing = [i for i in items if i not in got]
    if missing:
        raise CheckFailed(f"{', '.join(map(repr, missing))} missing: "
                          f"list all {len(items)} names")
    return got


def is_stub(obj: Any) -> bool:
    """Whether a function does nothing but return None or `...` (a body of `...`, `pass` or a
    docstring), or a class whose own methods all are such stubs: an exercise not begun yet."""
    if isinstance(obj, type):
        methods = [m.__func__ if isinstance(m, (staticmethod, classmethod)) else m
                   for m in vars(obj).values()]
        methods = [m for m in methods if callable(m) and hasattr(m, "__code__")]
        return bool(methods) and all(is_stub(m) for m in methods)
    code = getattr(getattr(obj, "__func__", obj), "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
           if i.opname not in {"RESUME", "NOP", "CACHE", "EXTENDED_ARG"}]
    return ops in ([("LOAD_CONST", None), ("RETURN_VALUE", None)],
                   [("LOAD_CONST", Ellipsis), ("RETURN_VALUE", None)],
                   [("RETURN_CONST", None)], [("RETURN_CONST", Ellipsis)])


def as_function(answer: Any, what: str = "your function") -> Callable:
    """Something callable whose body is written (a stub raises `NotAttempted`)."""
    _not_yet(answer, what)
    if not callable(answer):
        raise CheckFailed(f"expected a function ({what}), got {describe(answer)}")
    if is_stub(answer):
        raise NotAttempted(f"the body of {what} is still `...`")
    return answer


def call(fn: Callable, *args, what: str) -> Any:
    """Call a learner's function. An exception becomes one ✗ line naming the call; returning
    None (a forgotten `return`) fails too. NumPy's overflow warnings are silenced: the check
    reports the inf or NaN they lead to instead."""
    import numpy as np
    fn = as_function(fn, what)
    try:
        with np.errstate(all="ignore"):
            out = fn(*args)
    except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise CheckFailed(f"{what} raised {type(exc).__name__}: {first}") from None
    if out is Ellipsis:
        raise NotAttempted(f"{what} returns `...`")
    if out is None:
        raise CheckFailed(f"{what} returned None: is a `return` missing?")
    return out


def rule_out(answer: Any, mistakes: Mapping[Any, str] | Iterable[tuple[Any, str]],
             rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Fail with the mistake's explanation when the answer is close to a known wrong value.
    `mistakes` maps each wrong value (a number, or for a tensor answer a tensor) to why."""
    import torch
    pairs = mistakes.items() if isinstance(mistakes, Mapping) else mistakes
    got = _as_tensor(answer, "answer").detach().double()
    for wrong, why in pairs:
        bad = _as_tensor(wrong, "mistake").detach().double()
        if got.shape == bad.shape and torch.allclose(got, bad, rtol=rtol, atol=atol):
            raise CheckFailed(f"{_shown(got.item())} is not it: {why}" if got.numel() == 1 else why)


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def _holds_bools(x: Any) -> bool:
    """A torch or NumPy array (or scalar) of True/False."""
    dtype = getattr(x, "dtype", None)
    return str(dtype) in {"torch.bool", "bool"}


# ---------------------------------------------------------------------------------------------
# checks: a value against the right one
# ---------------------------------------------------------------------------------------------
def shape(x: Any, expected: Iterable[int], name: str = "answer") -> Verdict:
    """Check a tensor's shape."""
    got = tuple(_as_tensor(x, name).shape)
    expected = tuple(expected)
    if got != expected:
        raise CheckFailed(f"{name} has shape {got}, expected {expected}")
    return _ok(f"{name} has shape {expected}")


def dtype(x: Any, expected, name: str = "answer") -> Verdict:
    got = _as_tensor(x, name).dtype
    if got != expected:
        raise CheckFailed(f"{name} has dtype {got}, expected {expected}")
    return _ok(f"{name} has dtype {expected}")


def close(answer: Any, expected: Any, name: str = "answer", rtol: float = 1e-5,
          atol: float = 1e-6) -> Verdict:
    """Check that numbers, arrays or tensors agree to tolerance (shape first, then values)."""
    import torch
    if answer is None or answer is Ellipsis:
        raise CheckFailed(f"{name}: no answer yet — replace the `...` with your code")
    a = _as_tensor(answer, name).detach().cpu().double()
    e = _as_tensor(expected, "expected").detach().cpu().double()
    if a.shape != e.shape:
        raise CheckFailed(f"{name} has shape {tuple(a.shape)}, expected {tuple(e.shape)}")
    if not torch.allclose(a, e, rtol=rtol, atol=atol, equal_nan=False):
        diff = (a - e).abs().nan_to_num(nan=math.inf)
        worst = int(diff.argmax()) if diff.numel() else 0
        if a.numel() == 1:
            detail = f"got {a.item():.6g}, expected {e.item():.6g}"
        else:
            detail = (f"largest difference {diff.max().item():.3g} at flat index {worst} "
                      f"(got {a.flatten()[worst].item():.6g}, expected {e.flatten()[worst].item():.6g})")
        raise CheckFailed(f"{name} is not close enough: {detail}")
    return _ok(f"{name} is correct")


def matches(answer: Any, expected: Any, name: str = "answer", rtol: float = 1e-5,
            atol: float = 1e-6, parts: Sequence[str] | None = None) -> Verdict:
    """Check a function's output against the reference's: a tuple part by part (`parts` names
    them), whole numbers exactly, everything else with `close`. Where a single number (0-d) is
    expected it may come back as a one-element tensor or array; an array of shape (1,) is compared
    as an array."""
    if isinstance(expected, (tuple, list)):
        got = as_tuple(answer, len(expected), f"from {name}")
        parts = parts or [f"part {i}" for i in range(len(expected))]
        if all(isinstance(e, int) and not isinstance(e, bool) for e in expected):
            got = tuple(as_whole_number(g, f"{p} from {name}") for g, p in zip(got, parts))
            return equal(got, tuple(expected), name=name)
        for g, e, part in zip(got, expected, parts):
            matches(g, e, name=f"{part} from {name}", rtol=rtol, atol=atol)
        return Verdict(True)
    if len(getattr(expected, "shape", ())) == 0 and not isinstance(answer, (tuple, list)):
        return close(as_number(answer, name), expected, name=name, rtol=rtol, atol=atol)
    got = as_array(answer, name)
    if not bool(got.isfinite().all()) and bool(_as_tensor(expected, name).isfinite().all()):
        bad = "nan" if bool(got.isnan().any()) else "inf"
        raise CheckFailed(f"{name} contains {bad} where the right answer is finite")
    return close(got, expected, name=name, rtol=rtol, atol=atol)


def equal(answer: Any, expected: Any, name: str = "answer") -> Verdict:
    """Check exact equality of plain values (ints, strings, tuples, shapes)."""
    if answer is Ellipsis:
        raise CheckFailed(f"{name}: no answer yet — replace the `...` with your code")
    if answer != expected:
        raise CheckFailed(f"{name} is {answer!r}, expected {expected!r}")
    return _ok(f"{name} is correct")


def against_reference(fn: Callable, reference: Callable, *inputs, name: str | None = None,
                      rtol: float = 1e-5, atol: float = 1e-6) -> Verdict:
    """Compare a from-scratch function with its PyTorch reference on the same inputs."""
    name = name or f"{getattr(fn, '__name__', 'your function')}(…)"
    got = call(fn, *inputs, what=name)
    return close(got, reference(*inputs), name=f"{name} vs the PyTorch reference",
                 rtol=rtol, atol=atol)


def gradient(fn: Callable, *inputs, eps: float | None = None, atol: float = 1e-5,
             name: str = "gradient") -> Verdict:
    """Check autograd's gradient of scalar `fn` against central finite differences in float64,
    with L1.02's step: h = ε^(1/3)·max(1, |x|) per coordinate (ε: float64's machine epsilon),
    or `eps` when given."""
    import torch
    xs = [torch.as_tensor(x, dtype=torch.float64).detach().clone().requires_grad_(True)
          for x in inputs]
    fn(*xs).backward()
    cube_root_eps = torch.finfo(torch.float64).eps ** (1 / 3)
    for i, x in enumerate(xs):
        numeric = torch.zeros_like(x)
        flat = x.detach().flatten()
        for j in range(flat.numel()):
            h = eps if eps is not None else cube_root_eps * max(1.0, abs(flat[j].item()))
            for sign in (1, -1):
                shifted = [y.detach() for y in xs]
                bumped = flat.clone()
                bumped[j] += sign * h
                shifted[i] = bumped.view_as(x)
                numeric.view(-1)[j] += sign * fn(*shifted).item() / (2 * h)
        close(x.grad, numeric, name=f"{name} of input {i}", rtol=1e-4, atol=atol)
    return Verdict(True)
