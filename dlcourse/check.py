"""Exercise checks with friendly feedback.

Each check prints ✓ and returns True when the answer is right. When it is wrong it raises
`CheckFailed`, whose message says what was expected and what was got, never a raw traceback from
deep inside torch. Notebooks call these directly, or through `dlcourse.exercises`.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable


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
        diff = (a - e).abs()
        worst = int(diff.argmax()) if diff.numel() else 0
        if a.numel() == 1:
            detail = f"got {a.item():.6g}, expected {e.item():.6g}"
        else:
            detail = (f"largest difference {diff.max().item():.3g} at flat index {worst} "
                      f"(got {a.flatten()[worst].item():.6g}, expected {e.flatten()[worst].item():.6g})")
        raise CheckFailed(f"{name} is not close enough: {detail}")
    return _ok(f"{name} is correct")


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
    try:
        got = fn(*inputs)
    except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
        raise CheckFailed(f"{name} raised {type(exc).__name__}: {exc}") from None
    return close(got, reference(*inputs), name=f"{name} vs the PyTorch reference",
                 rtol=rtol, atol=atol)


def gradient(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5,
             name: str = "gradient") -> Verdict:
    """Check autograd's gradient of scalar `fn` against central finite differences (float64)."""
    import torch
    xs = [torch.as_tensor(x, dtype=torch.float64).detach().clone().requires_grad_(True)
          for x in inputs]
    fn(*xs).backward()
    for i, x in enumerate(xs):
        numeric = torch.zeros_like(x)
        flat = x.detach().flatten()
        for j in range(flat.numel()):
            for sign in (1, -1):
                shifted = [y.detach() for y in xs]
                bumped = flat.clone()
                bumped[j] += sign * eps
                shifted[i] = bumped.view_as(x)
                numeric.view(-1)[j] += sign * fn(*shifted).item() / (2 * eps)
        close(x.grad, numeric, name=f"{name} of input {i}", rtol=1e-4, atol=atol)
    return Verdict(True)
