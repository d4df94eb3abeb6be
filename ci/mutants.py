"""Mutation testing of the assignments' tests (COURSE.md §5: hidden tests are measured, not trusted).

    python -m ci.mutants                      # every assignment: mutants, killed, equivalent, score
    python -m ci.mutants A01 --show-survivors # and each surviving mutant, as a one-line diff
    python -m ci.mutants A03 --list           # every mutant and what killed it

A mutant is the instructor's notebook with one small change in the code between `### BEGIN
SOLUTION` and `### END SOLUTION` (the code a student writes): an operator, a sign, a constant, a
dropped line, an alias instead of a copy, an in-place operation instead of an out-of-place one (the
operators are in OPERATORS). It is *killed* when it would lose points: a test cell (visible and
hidden tests, the instructor's version) raises, or the notebook runs past the time limit or dies.
The mutation score is killed / (mutants - equivalent), where tests/fixtures/<A>/equivalent_mutants.toml
lists, by mutant id, the survivors judged to behave like the solution, each with its reason.

How it runs, fast enough for CI: one worker process per assignment (single-threaded BLAS and torch)
executes the notebook's code cells in order, as nbgrader would, stopping after the last test cell.
Before each solution cell it forks one child per mutant of that cell: the child starts from the
namespace of the cells above (torch imported once, nothing recomputed), runs the mutated cell and
the cells below it, and stops at the first failing test cell. The parent kills a child (and its
process group) that runs past SLOWDOWN times the solution's time for the same cells, at least
MIN_LIMIT. A mutant cannot touch the worker's state, nor another mutant's (apart from files: they
share one temporary working folder, a copy of the assignment's).

What it does not measure: a mutant is judged by exceptions only (nbgrader's stderr rule and the
written answers are out of scope); only the code inside the solution regions is mutated; a mutant
has a time limit but no memory limit (the solutions allocate little; a mutant that swaps the
machine would show as a slow run, then a timeout).
Mutant ids (`<grade_id>:<function>:<operator>:<hash of the change>`) stay the same as long as the
mutated code and the change do, whatever is edited elsewhere. Needs fork (Linux, macOS).
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import hashlib
import io
import json
import os
import re
import select
import signal
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dlcourse import _toml as tomllib  # noqa: E402
from dlcourse.grading.course import (  # noqa: E402
    SOURCE, assignment_names, grade_id, nbgrader_meta, read_nb, resolve,
)

FIXTURES = ROOT / "tests" / "fixtures"
THRESHOLD = 0.90            # COURSE.md §5: hidden tests kill >= 90 % of the non-equivalent mutants
MIN_LIMIT = 10.0            # s: the shortest time limit of one mutant
SLOWDOWN = 5.0              # a mutant may take this many times the solution's time for the same cells
_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"


# ------------------------------------------------------------------------------------ operators

OPERATORS = {
    "binop": "an arithmetic operator replaced (+ -, * /, ** *, @ *, // /)",
    "swap": "the operands of -, /, ** or @ swapped",
    "aug": "an augmented assignment changed (+= -=, += =, -= +=, *= /=, /= *=)",
    "unary": "a unary - or not removed",
    "cmp": "a comparison changed (< <=, > >=, == !=, is / is not, in / not in)",
    "cond": "an if condition negated",
    "bool": "and / or swapped",
    "const": "a number n replaced by n + 1; True / False swapped",
    "drop": "a statement replaced by pass",
    "hoist": "a fresh [], {}, set() or number made once for all calls (moved out of its function)",
    "seed": "obj.attr = n written obj.attr += n: a number set on each call accumulates instead",
    "alias": "a copy (.clone(), .copy(), np.copy, copy.copy) replaced by the original: an alias",
    "inplace": "x = x op y written x op= y; .add( .mul( .sub( .div( ... written .add_( ...",
    "outplace": ".add_( .mul_( ... written .add( ...: the in-place update is lost",
    "method": "a function swapped for its twin (max/min, sum/mean, zeros/ones, add/sub, mul/div)",
    "unwrap": "a conversion dropped (float(x), int(x), x.item(), x.tolist(), np.asarray(x), x.T)",
    "kwarg": "a keyword argument dropped",
}

_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.Pow: ast.Mult, ast.MatMult: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.Mult}
_NONCOMMUTATIVE = (ast.Sub, ast.Div, ast.Pow, ast.MatMult, ast.FloorDiv)
_AUG = {ast.Add: [ast.Sub, None], ast.Sub: [ast.Add, None], ast.Mult: [ast.Div], ast.Div: [ast.Mult]}
_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@",
           ast.FloorDiv: "//", ast.Mod: "%", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is-not", ast.In: "in",
           ast.NotIn: "not-in", ast.And: "and", ast.Or: "or", ast.USub: "-", ast.Not: "not"}
_INPLACE = {"add", "sub", "mul", "div", "pow", "sqrt", "exp", "neg", "clamp", "abs", "addcmul",
            "addcdiv", "lerp", "copy", "fill", "zero"}
_TWINS = {"max": "min", "min": "max", "maximum": "minimum", "minimum": "maximum", "sum": "mean",
          "mean": "sum", "zeros_like": "ones_like", "ones_like": "zeros_like", "zeros": "ones",
          "ones": "zeros", "add": "sub", "sub": "add", "add_": "sub_", "sub_": "add_", "mul": "div",
          "div": "mul", "mul_": "div_", "div_": "mul_", "argmax": "argmin", "argmin": "argmax"}
_COPIES = {"clone", "copy"}                     # x.clone(), x.copy()
_COPY_FUNCS = {"copy", "deepcopy"}              # np.copy(x), copy.copy(x), copy.deepcopy(x)
_CONVERSIONS = {"float", "int"}                 # float(x), int(x)
_CONVERSION_METHODS = {"item", "tolist"}        # x.item(), x.tolist()
_ARRAY_FUNCS = {"asarray", "array", "as_tensor", "tensor"}
_MODULES = {"math", "np", "numpy", "torch", "F", "random", "copy"}  # not tensors: no in-place twin


@dataclass
class Mutant:
    id: str            # <grade_id>:<function>:<operator>:<hash>, stable across unrelated edits
    cell: str          # the solution cell's grade_id
    index: int         # the cell's index in the notebook
    operator: str
    line: int          # first changed line, 1-based within the cell
    before: str        # that line, then and now (stripped)
    after: str
    source: str = field(repr=False, default="")  # the whole mutated cell
    outcome: str = ""  # killed by <test cell> | timeout | crashed | survived
    seconds: float = 0.0

    @property
    def killed(self) -> bool:
        return self.outcome != "survived"


def _solution_lines(source: str) -> set[int]:
    """1-based numbers of the lines strictly inside BEGIN/END SOLUTION markers."""
    inside, lines = False, set()
    for i, line in enumerate(source.splitlines(), 1):
        if _BEGIN in line:
            inside = True
        elif _END in line:
            inside = False
        elif inside:
            lines.add(i)
    return lines


class _Collector(ast.NodeVisitor):
    """Every node inside a solution region, with the qualified name of its function."""

    def __init__(self, lines: set[int]):
        self.lines, self.stack, self.found = lines, [], []
        self.skip = 0  # inside an f-string

    def _inside(self, node) -> bool:
        return all(i in self.lines for i in range(node.lineno, (node.end_lineno or node.lineno) + 1))

    def generic_visit(self, node):
        named = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if named:
            self.stack.append(node.name)
        if isinstance(node, ast.JoinedStr):
            self.skip += 1
        if (hasattr(node, "lineno") and not self.skip and not named and self._inside(node)):
            self.found.append((node, ".".join(self.stack) or "<cell>"))
        super().generic_visit(node)
        if isinstance(node, ast.JoinedStr):
            self.skip -= 1
        if named:
            self.stack.pop()


def _expr(node) -> str:
    return "(" + ast.unparse(node) + ")"


def _fresh(value) -> bool:
    """A literal that makes a new object, or a number: [], {}, set(), list(), dict(), 0, (a, b)."""
    if isinstance(value, ast.Tuple):
        return all(_fresh(v) for v in value.elts)
    if isinstance(value, (ast.List, ast.Dict, ast.Set)):
        return not getattr(value, "elts", getattr(value, "keys", None))
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id in ("set", "list", "dict") and not value.args and not value.keywords
    return isinstance(value, ast.Constant) and type(value.value) in (int, float)


def _changes(node, in_function: bool = False) -> list[tuple[str, str]]:
    """(operator label, replacement text) for one node; the replacement replaces the node's span.
    A tuple replacement ("test", text) replaces an if's condition, ("hoist", text) moves the
    statement to the top of the cell."""
    out = []
    new = lambda: copy.deepcopy(node)  # noqa: E731
    sym = lambda op: _SYMBOL.get(op if isinstance(op, type) else type(op), "?")  # noqa: E731
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op in _BINOP:
            m = new()
            m.op = _BINOP[op]()
            out.append((f"binop({sym(op)},{sym(_BINOP[op])})", _expr(m)))
        if op in _NONCOMMUTATIVE:
            m = new()
            m.left, m.right = m.right, m.left
            out.append((f"swap({sym(op)})", _expr(m)))
    elif isinstance(node, ast.AugAssign):
        op = type(node.op)
        for alt in _AUG.get(op, []):
            if alt is None:
                m = ast.Assign(targets=[copy.deepcopy(node.target)], value=copy.deepcopy(node.value),
                               lineno=node.lineno)
                out.append((f"aug({sym(op)}=,=)", ast.unparse(m)))
            else:
                m = new()
                m.op = alt()
                out.append((f"aug({sym(op)}=,{sym(alt)}=)", ast.unparse(m)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        out.append((f"unary({sym(node.op)})", _expr(node.operand)))
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _CMP:
                m = new()
                m.ops[i] = _CMP[type(op)]()
                out.append((f"cmp({sym(op)},{sym(_CMP[type(op)])})", _expr(m)))
    elif isinstance(node, ast.BoolOp):
        m = new()
        m.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        out.append((f"bool({sym(node.op)})", _expr(m)))
    elif isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            out.append((f"const({v})", repr(not v)))
        elif isinstance(v, (int, float)):
            out.append((f"const({v!r})", repr(v + 1)))
    elif isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        recv = f.value if isinstance(f, ast.Attribute) else None
        module = isinstance(recv, ast.Name) and recv.id in _MODULES
        if recv is not None and name in _COPIES and not node.args and not node.keywords:
            out.append((f"alias(.{name}())", _expr(recv)))
        if name in _COPY_FUNCS and len(node.args) == 1 and not node.keywords:
            out.append((f"alias({name}())", _expr(node.args[0])))
        if recv is not None and not module and name in _INPLACE:
            m = new()
            m.func.attr = name + "_"
            out.append((f"inplace(.{name})", _expr(m)))
        if recv is not None and not module and name and name.endswith("_") and name[:-1] in _INPLACE:
            m = new()
            m.func.attr = name[:-1]
            out.append((f"outplace(.{name})", _expr(m)))
        if name in _TWINS and (recv is not None or name in ("max", "min", "sum")):
            m = new()
            if recv is not None:
                m.func.attr = _TWINS[name]
            else:
                m.func.id = _TWINS[name]
            out.append((f"method({name},{_TWINS[name]})", _expr(m)))
        if recv is None and name in _CONVERSIONS and len(node.args) == 1 and not node.keywords:
            out.append((f"unwrap({name}())", _expr(node.args[0])))
        if recv is not None and name in _CONVERSION_METHODS and not node.args:
            out.append((f"unwrap(.{name}())", _expr(recv)))
        if name in _ARRAY_FUNCS and recv is not None and node.args:
            out.append((f"unwrap({name}())", _expr(node.args[0])))
        for i, kw in enumerate(node.keywords):
            if kw.arg is not None:
                m = new()
                del m.keywords[i]
                out.append((f"kwarg({kw.arg})", _expr(m)))
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        out.append(("unwrap(.T)", _expr(node.value)))
    elif isinstance(node, ast.If):
        m = ast.UnaryOp(op=ast.Not(), operand=copy.deepcopy(node.test))
        out.append(("cond(not)", ("test", _expr(m))))
    elif isinstance(node, ast.IfExp):
        m = new()
        m.test = ast.UnaryOp(op=ast.Not(), operand=m.test)
        out.append(("cond(not)", _expr(m)))
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.BinOp):
        # x = x op y  ->  x op= y  (in place: changes whatever else x refers to)
        t = node.targets[0]
        if ast.dump(t, annotate_fields=False).replace("Store", "Load") == \
                ast.dump(node.value.left, annotate_fields=False):
            m = ast.AugAssign(target=copy.deepcopy(t), op=copy.deepcopy(node.value.op),
                              value=copy.deepcopy(node.value.right))
            out.append((f"inplace({sym(node.value.op)}=)", ast.unparse(m)))
    if (isinstance(node, ast.Assign) and in_function and _fresh(node.value)
            and all(isinstance(t, (ast.Name, ast.Tuple)) for t in node.targets)):
        out.append(("hoist", ("hoist", ast.unparse(node))))
    if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute)
            and isinstance(node.value, ast.Constant) and type(node.value.value) in (int, float)):
        m = ast.AugAssign(target=copy.deepcopy(node.targets[0]), op=ast.Add(),
                          value=copy.deepcopy(node.value))
        out.append(("seed(=,+=)", ast.unparse(m)))
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr, ast.Return, ast.Delete)):
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if not docstring:
            out.append(("drop", "pass"))
    return out


def _splice(lines: list[bytes], start: tuple[int, int], end: tuple[int, int], text: str) -> str:
    """The source with the byte span start..end (1-based lines, byte columns) replaced by text."""
    (l0, c0), (l1, c1) = start, end
    head = b"".join(lines[:l0 - 1]) + lines[l0 - 1][:c0]
    tail = lines[l1 - 1][c1:] + b"".join(lines[l1:])
    return (head + text.encode() + tail).decode()


def mutants_of(source: str, cell: str, index: int) -> list[Mutant]:
    """The mutants of one solution cell: one change each, inside its solution regions only."""
    lines = _solution_lines(source)
    tree = ast.parse(source)
    collector = _Collector(lines)
    collector.visit(tree)
    raw = source.encode().splitlines(keepends=True)
    text_lines = source.splitlines()
    seen, out, counts = {source}, [], {}
    for node, qualname in collector.found:
        for op, replacement in _changes(node, in_function=qualname != "<cell>"):
            target, hoisted = node, ""
            if isinstance(replacement, tuple):
                kind, replacement = replacement
                if kind == "test":    # replace the if's condition only
                    target = node.test
                else:                 # "hoist": the statement moves to the top of the cell
                    hoisted, replacement = replacement + "\n", "pass"
            span = ((target.lineno, target.col_offset), (target.end_lineno, target.end_col_offset))
            mutated = hoisted + _splice(raw, *span, replacement)
            if mutated in seen:
                continue
            try:
                compile(mutated, cell, "exec")
            except SyntaxError:
                continue
            seen.add(mutated)
            original = ast.get_source_segment(source, target) or ""
            key = (qualname, op, original, replacement)
            counts[key] = counts.get(key, 0) + 1
            digest = hashlib.sha1("\0".join([original, replacement, str(counts[key])]).encode())
            new_line = mutated.splitlines()[target.lineno - 1 + hoisted.count("\n")]
            if hoisted:
                new_line = f"pass  # and at the top of the cell: {hoisted.strip()}"
            out.append(Mutant(id=f"{cell}:{qualname}:{op}:{digest.hexdigest()[:8]}", cell=cell,
                              index=index, operator=op.split("(")[0], line=target.lineno,
                              before=text_lines[target.lineno - 1].strip(),
                              after=new_line.strip(), source=mutated))
    return out


# ------------------------------------------------------------------------------------- notebook

@dataclass
class Cell:
    index: int
    kind: str          # solution | test | code
    grade_id: str
    source: str


def notebook_cells(name: str, root: Path = ROOT) -> list[Cell]:
    """The code cells nbgrader runs, up to the last autograded test cell (nothing after it can
    change a score)."""
    nb = read_nb(root / SOURCE / name / f"{name}.ipynb")
    cells = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        meta = nbgrader_meta(c)
        kind = "test" if meta.get("grade") else "solution" if meta.get("solution") else "code"
        cells.append(Cell(i, kind, grade_id(c) or c.get("id") or f"cell {i}", "".join(c["source"])))
    last = max((k for k, c in enumerate(cells) if c.kind == "test"), default=-1)
    return cells[:last + 1]


def all_mutants(name: str, root: Path = ROOT) -> list[Mutant]:
    return [m for c in notebook_cells(name, root) if c.kind == "solution"
            for m in mutants_of(c.source, c.grade_id, c.index)]


# --------------------------------------------------------------------------------------- worker

def _python(source: str) -> str:
    """IPython syntax (%magics, !shell) as plain Python, as the kernel would see it."""
    if re.search(r"^\s*[%!]", source, re.M):
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    return source


def _run_cell(cell: Cell, source: str, ns: dict) -> str | None:
    """Execute one cell in ns; the exception's one-line description, or None."""
    try:
        exec(compile(_python(source), f"<{cell.grade_id}>", "exec"), ns)
    except BaseException as e:  # noqa: BLE001 - a student's cell may raise anything, as in a kernel
        return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200]
    return None


def _child(cells: list[Cell], start: int, source: str, ns: dict, fd: int) -> None:
    """In the forked child: the mutated cell, then the cells below; report the first failing test."""
    try:
        os.setpgid(0, 0)  # its own process group: a timeout ends whatever it started too
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        outcome = "survived"
        for k in range(start, len(cells)):
            cell = cells[k]
            error = _run_cell(cell, source if k == start else cell.source, ns)
            if error and cell.kind == "test":
                outcome = f"killed by {cell.grade_id} ({error})"
                break
        os.write(fd, outcome.encode()[:4000])
    finally:
        os._exit(0)


def _wait(pid: int, fd: int, limit: float) -> str:
    deadline, chunks = time.monotonic() + limit, []
    while True:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return f"timeout (over {limit:.0f} s)"
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    text = b"".join(chunks).decode(errors="replace")
    if not text:
        return f"crashed (wait status {status})"
    return text


def _worker(job: dict) -> dict:
    """In its own process: the baseline, then every mutant forked at its cell."""
    root, name, only = Path(job["root"]), job["name"], job.get("only")
    cells = notebook_cells(name, root)
    mutants = [m for m in all_mutants(name, root) if not only or m.id in only]
    by_index: dict[int, list[Mutant]] = {}
    for m in mutants:
        by_index.setdefault(m.index, []).append(m)

    # the baseline: the instructor's notebook must pass every test. It also times every cell, and
    # warms up what the first use of torch, NumPy and autograd loads, once for all the mutants.
    times, failures = [], []
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warm: dict = {"__name__": "__main__"}
        for cell in cells:
            t0 = time.perf_counter()
            error = _run_cell(cell, cell.source, warm)
            times.append(time.perf_counter() - t0)
            if error and cell.kind == "test":
                failures.append(f"{cell.grade_id}: {error}")
        del warm
    result = {"baseline": failures, "times": dict(zip([c.grade_id for c in cells], times)), "mutants": []}
    if failures:
        return result

    ns: dict = {"__name__": "__main__"}  # a fresh namespace, as a fresh kernel's
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for k, cell in enumerate(cells):
            limit = max(job.get("min_limit", MIN_LIMIT), SLOWDOWN * sum(times[k:]))
            for m in by_index.get(cell.index, []):
                r, w = os.pipe()
                t0 = time.perf_counter()
                pid = os.fork()
                if pid == 0:
                    os.close(r)
                    _child(cells, k, m.source, ns, w)
                os.close(w)
                try:
                    m.outcome = _wait(pid, r, limit)
                finally:
                    os.close(r)
                m.seconds = time.perf_counter() - t0
            _run_cell(cell, cell.source, ns)
    result["mutants"] = [{k: v for k, v in asdict(m).items() if k != "source"} for m in mutants]
    return result


# --------------------------------------------------------------------------------------- report

def equivalents_file(name: str, fixtures: Path = FIXTURES) -> Path:
    return fixtures / name.split("-")[0] / "equivalent_mutants.toml"


def load_equivalents(name: str, fixtures: Path = FIXTURES) -> dict[str, str]:
    """{mutant id: why it is equivalent} from tests/fixtures/<A>/equivalent_mutants.toml."""
    path = equivalents_file(name, fixtures)
    if not path.exists():
        return {}
    return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", {}))


@dataclass
class Report:
    name: str
    mutants: list[Mutant]
    equivalent: dict[str, str]
    seconds: float                                      # wall time
    cpu: float = 0.0                                    # CPU time of the worker and its mutants
    baseline: list[str] = field(default_factory=list)  # test cells the solution itself fails
    cell_times: dict[str, float] = field(default_factory=dict)  # the solution's, s per cell
    complete: bool = True                               # every mutant ran (not a selection)

    @property
    def killed(self) -> list[Mutant]:
        return [m for m in self.mutants if m.killed]

    @property
    def survivors(self) -> list[Mutant]:
        """The mutants that keep full marks and are not listed as equivalent."""
        return [m for m in self.mutants if not m.killed and m.id not in self.equivalent]

    @property
    def counted_equivalent(self) -> list[Mutant]:
        return [m for m in self.mutants if not m.killed and m.id in self.equivalent]

    @property
    def score(self) -> float:
        """killed / non-equivalent mutants; 0 when the solution fails its own tests."""
        if self.baseline:
            return 0.0
        n = len(self.mutants) - len(self.counted_equivalent)
        return len(self.killed) / n if n else 1.0

    def stale(self) -> list[str]:
        """Entries of the equivalent-mutant list that name no mutant, or one the tests kill."""
        by_id = {m.id: m for m in self.mutants}
        out = []
        for mid in self.equivalent:
            if mid not in by_id:
                if self.complete:
                    out.append(f"{mid}: no such mutant (its code changed? see --list)")
            elif by_id[mid].killed:
                out.append(f"{mid}: listed as equivalent, but {by_id[mid].outcome}")
        return out

    def row(self) -> tuple:
        return (self.name, len(self.mutants), len(self.killed), len(self.counted_equivalent),
                f"{self.score:.1%}", f"{self.seconds:.0f} s ({self.cpu:.0f} s CPU)")

    def summary(self) -> str:
        """One line, for the round trip's table."""
        if self.baseline:
            return f"{self.name}: mutation score not measured: the solution fails {'; '.join(self.baseline)}"
        n = len(self.mutants) - len(self.counted_equivalent)
        return (f"{self.name}: mutation score {self.score:.1%} ({len(self.killed)} of {n} non-equivalent "
                f"mutants lose points; {len(self.counted_equivalent)} equivalent; target "
                f"{THRESHOLD:.0%}; {self.seconds:.0f} s)")

    def survivor_lines(self) -> list[str]:
        return [f"{m.id}  line {m.line}: {m.before}  ->  {m.after}" for m in self.survivors]


def table(reports: list[Report]) -> str:
    rows = [("assignment", "mutants", "killed", "equivalent", "score", "time")]
    rows += [tuple(str(c) for c in r.row()) for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-" * max(len(x) for x in lines))
    return "\n".join(lines)


def _worker_env() -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = "1"  # tiny arrays; and a forked child must not inherit a thread pool
    env["DLCOURSE_CHECKING"] = "1"  # a check_notebook() cell does nothing (selfcheck.NESTED_ENV)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def run(name: str, only: list[str] | None = None, root: Path = ROOT, fixtures: Path = FIXTURES,
        min_limit: float = MIN_LIMIT) -> Report:
    """Grade every mutant of `name` (or those in `only`) in one worker process; return the report.
    `root` holds solutions/<name>/; `fixtures` the equivalent-mutant lists."""
    import resource

    t0, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix=f"mutants-{name}-") as tmp:
        work = Path(tmp) / name
        shutil.copytree(Path(root) / SOURCE / name, work)  # the notebook's folder, as nbgrader runs it
        job, out = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job.write_text(json.dumps({"name": name, "root": str(root), "only": only, "min_limit": min_limit}))
        proc = subprocess.run([sys.executable, "-m", "ci.mutants", "--worker", str(job), str(out)],
                              cwd=work, env=_worker_env(), capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"the mutation worker for {name} failed ({proc.returncode}):\n"
                               f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        result = json.loads(out.read_text())
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return Report(name, [Mutant(**m) for m in result["mutants"]], load_equivalents(name, fixtures),
                  time.perf_counter() - t0, cpu, result["baseline"], result["times"], complete=not only)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ci.mutants", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="assignments (default: all in solutions/)")
    parser.add_argument("--show-survivors", action="store_true",
                        help="print each surviving mutant not listed as equivalent")
    parser.add_argument("--list", action="store_true", help="print every mutant and what killed it")
    parser.add_argument("--only", action="append", metavar="ID", help="grade only this mutant (repeatable)")
    parser.add_argument("--worker", nargs=2, metavar=("JOB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        job, out = (Path(p) for p in args.worker)
        out.write_text(json.dumps(_worker(json.loads(job.read_text()))))
        return 0

    names = [resolve(n) for n in args.names] or assignment_names()
    reports, status = [], 0
    for name in names:
        r = run(name, args.only)
        reports.append(r)
        if r.baseline:
            status = 1
            print(f"{name}: the solution fails its own tests: {'; '.join(r.baseline)}")
            continue
        if args.list:
            for m in r.mutants:
                tag = "equivalent" if m.id in r.equivalent and not m.killed else m.outcome
                print(f"{m.id}  [{tag}]  line {m.line}: {m.before}  ->  {m.after}")
        if args.show_survivors and r.survivors:
            print(f"{name}: {len(r.survivors)} surviving mutants (not listed as equivalent)")
            print("  " + "\n  ".join(r.survivor_lines()))
        for s in r.stale():
            status = 1
            print(f"{name}: stale entry in {equivalents_file(name).relative_to(ROOT)}: {s}")
        if r.score < THRESHOLD and r.complete:
            status = 1
            print(f"{name}: mutation score {r.score:.1%}, below {THRESHOLD:.0%}")
    print(table(reports))
    return status


if __name__ == "__main__":
    sys.exit(main())
