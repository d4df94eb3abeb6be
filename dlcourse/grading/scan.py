"""A static look at a submission's own code for the known ways to cheat or to attack the grader.

A second signal beside the guard (guard.py), which sees what code does while it runs: this reads
the student's cells (every code cell that is not a locked cell of the release) without running
them, and names what it finds as `suspicious: <what> (<cell>)` in the summary. It changes no score:
an honest notebook can use `subprocess`; the instructor decides. Obfuscated code (strings built at
run time, `exec`) passes here; the guard and the sandbox do not depend on this.
"""
from __future__ import annotations

import ast
import re

from .course import grade_id, nbgrader_meta

# attribute names that only tampering code touches
_ATTRIBUTES = {
    "events": "IPython event callbacks", "input_transformers_cleanup": "IPython input transformers",
    "input_transformers_post": "IPython input transformers",
    "input_transformer_manager": "IPython input transformers", "ast_transformers": "IPython AST transformers",
    "set_custom_exc": "an IPython exception handler", "showtraceback": "IPython's traceback display",
    "displayhook": "the display hook", "excepthook": "the exception hook",
    "display_pub": "IPython's display publisher", "run_cell": "IPython's run_cell",
    "settrace": "a trace function", "setprofile": "a profile function",
    "f_trace": "a frame's trace function", "f_lineno": "a frame's line number",
    "__code__": "a function's code",
    "__closure__": "a function's closure", "cell_contents": "a closure's contents",
    "get_referrers": "gc.get_referrers", "get_objects": "gc.get_objects", "_getframe": "sys._getframe",
    "meta_path": "import hooks", "path_hooks": "import hooks", "addaudithook": "an audit hook",
}
_CALLS = {
    "os.kill": "sends signals", "os.killpg": "sends signals", "signal.pthread_kill": "sends signals",
    "os.fork": "forks", "os.setsid": "starts a session", "os.system": "runs a shell command",
    "os.symlink": "makes symbolic links", "shutil.rmtree": "deletes folders",
    "os.remove": "deletes files", "os.unlink": "deletes files",
}
_MODULES = {"subprocess": "starts processes", "ctypes": "uses ctypes", "sqlite3": "opens SQLite databases",
            "socket": "opens sockets", "builtins": "imports builtins", "gc": "walks the heap (gc)",
            "inspect": "inspects frames"}
_STRINGS = re.compile(r"solutions|gradebook|nbgrader|autograded|submitted/|/proc/|DLCOURSE_|"
                      r"NBGRADER_|\.ssh|dlcourse\.grading|_g_[0-9a-f]")
_MAGIC = re.compile(r"^(\s*)[%!].*$", re.M)


def _student_cells(nb: dict, release: dict) -> list[tuple[str, str]]:
    """(label, source) of the code cells the student writes: solution cells and added cells."""
    locked = {grade_id(c) for c in release["cells"] if nbgrader_meta(c).get("locked")}
    as_released = {"".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                   for c in release["cells"] if c.get("cell_type") == "code"}
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        gid = grade_id(cell) if isinstance(cell.get("metadata"), dict) else None
        if gid in locked:
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if src not in as_released:
            out.append((gid or f"cell {i}", src))
    return out


def _helpers(release: dict) -> set[str]:
    """Names the release's locked code cells define: the tests' helpers and imports."""
    names: set[str] = set()
    for cell in release["cells"]:
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") != "code" or not meta.get("locked") or meta.get("grade"):
            continue
        try:
            tree = ast.parse("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
    return names


def _course_modules(release: dict) -> set[str]:
    """The dlcourse modules the release's own code cells import: a student may use those."""
    modules: set[str] = set()
    for cell in release["cells"]:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_MAGIC.sub(r"\1pass", "".join(cell["source"]) if isinstance(cell["source"], list)
                                        else cell["source"]))
        except SyntaxError:
            continue
        modules |= {m for m in _imported(tree) if m.split(".")[0] == "dlcourse"}
    return modules


def _imported(tree) -> list[str]:
    """Every module an import statement names, `from a import b` counted as a and a.b."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def scan_source(source: str, helpers: set[str], course_modules: set[str] = frozenset()) -> list[str]:
    """What is suspicious in one cell's source (each finding once, in the order found).

    `course_modules`: the dlcourse modules the release imports; any other is course code the
    assignment does not need, and may hold the reference answers (dlcourse.detection has A12's).
    """
    found: list[str] = []

    def note(what: str) -> None:
        if what not in found:
            found.append(what)

    code = _MAGIC.sub(r"\1pass", source)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    if tree is None:
        for m in _STRINGS.finditer(source):
            note(f"mentions {m.group(0)!r}")
        return found
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                modules[a.asname or a.name.split(".")[0]] = a.name
                top = a.name.split(".")[0]
                if top in _MODULES:
                    note(_MODULES[top])
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in _MODULES:
                note(_MODULES[top])
            if node.module.startswith("dlcourse.grading") and node.module != "dlcourse.grading.selfcheck":
                note("imports the grader")
    used = _imported(tree) + [".".join(_dotted(n).split(".")[:2])
                              for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    foreign = {name for name in used if name.split(".")[0] == "dlcourse" and not name.startswith("dlcourse.grading")
               and name not in course_modules and not any(m.startswith(name + ".") for m in course_modules)}
    for name in sorted(foreign):
        if not any(name.startswith(other + ".") for other in foreign):
            note(f"uses {name}, course code the assignment does not use")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _ATTRIBUTES:
            note(f"touches {_ATTRIBUTES[node.attr]}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in _CALLS:
                note(_CALLS[name])
            if name in ("setattr", "delattr") and node.args and _root(node.args[0]) in modules:
                note(f"patches the module {modules[_root(node.args[0])]}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)):
                    root = _root(t)
                    if root in modules:
                        note(f"patches {_dotted(t) or modules[root]}")
                    elif root == "__builtins__":
                        note("patches builtins")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            m = _STRINGS.search(node.value)
            if m:
                note(f"mentions {m.group(0)!r}")
    for node in tree.body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in names:
            if name in helpers:
                note(f"redefines {name} (a helper of the tests)")
    return found


def scan(nb: dict, release: dict, limit: int = 6) -> list[str]:
    """`<what> (<cell>)` for each suspicious thing in the student's cells, at most `limit`."""
    helpers, course_modules = _helpers(release), _course_modules(release)
    out: list[str] = []
    for label, source in _student_cells(nb, release):
        for what in scan_source(source, helpers, course_modules):
            item = f"{what} ({label})"
            if item not in out:
                out.append(item)
    return out[:limit] + ([f"and {len(out) - limit} more"] if len(out) > limit else [])
