"""Answers as real code: what `lX_YY_answers.py` modules hold and how a learner sees them.

An answer is either the very function or class the learner is asked to write (`huber`, `AdamW`),
or, when the answer is a value, a function marked `@computed` whose return value is the answer.
`source_of` prints either as the cell a learner would write, ending in `answer = …`, with the
imports it needs.
"""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap
import types
from typing import Any, Callable


def computed(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Mark a function with no arguments whose return value is an exercise's answer."""
    fn.computes_answer = True
    return fn


def value_of(answer: Any) -> Any:
    """What a learner would pass to `check`: the return value of a @computed answer, or the
    function or class itself."""
    return answer() if getattr(answer, "computes_answer", False) else answer


def source_of(answer: Any) -> str:
    """The answer as a notebook cell: its imports, then its body or definition, `answer = …`."""
    source = textwrap.dedent(inspect.getsource(answer))
    if getattr(answer, "computes_answer", False):
        cell = _body_as_assignment(source)
    else:
        cell = f"{source.rstrip()}\n\nanswer = {answer.__name__}"
    imports = _imports_used(answer, source)
    return "\n".join(imports) + "\n\n" + cell if imports else cell


def _body_as_assignment(source: str) -> str:
    """The body of `def f(): …; return x`, without the docstring, ending in `answer = x`."""
    func = ast.parse(source).body[0]
    body = func.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    last = body[-1]
    if not isinstance(last, ast.Return):
        raise TypeError(f"@computed {func.name} must end with `return <the answer>`")
    lines = source.splitlines()
    start = body[0].lineno - 1
    while start > func.lineno and lines[start - 1].strip().startswith("#"):
        start -= 1  # keep the comments that open the body
    row, col = last.lineno - 1, last.col_offset
    lines[row] = lines[row][:col] + "answer =" + lines[row][col + len("return"):]
    for cont in range(row + 1, last.end_lineno):  # continuation lines follow the wider opening
        lines[cont] = "  " + lines[cont]
    return textwrap.dedent("\n".join(lines[start:last.end_lineno]))


def _imports_used(answer: Any, source: str) -> list[str]:
    """`import …` lines for the modules the answer's code names from its module's globals."""
    names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    namespace = vars(sys.modules[answer.__module__])
    lines = []
    for name in sorted(names):
        module = namespace.get(name)
        if isinstance(module, types.ModuleType):
            full = module.__name__
            lines.append(f"import {full}" if full == name else f"import {full} as {name}")
    return sorted(lines)
