"""nbgrader course directories: the helpers that ci/assignments.py (the round trip) and `dlcourse grade`
share. A course directory is what nbgrader works in: solutions/<A>/ (the instructor source), an
nbgrader_config.py that loads the repository's and points CourseDirectory.root at the folder, the
release, the gradebook, submitted/, autograded/, feedback/. The instructor sources and the
repository's configuration come from a checkout (dlcourse.paths.checkout()); the helpers on
notebooks (checksum, solved_release, ...) need none.

Everything here runs nbgrader's own machinery (its Python API); nothing executes student code.
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Iterable

from .. import paths

SOURCE = "solutions"
RELEASE = "assignments"
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def repository() -> Path:
    return paths.checkout("grading")


def config_file() -> Path:
    """The repository's nbgrader_config.py, which every course folder loads."""
    return repository() / "nbgrader_config.py"


# ------------------------------------------------------------------------------------ assignments

def assignment_names() -> list[str]:
    """The assignments that have an instructor source, solutions/<A>/<A>.ipynb."""
    src = repository() / SOURCE
    if not src.is_dir():
        return []
    return sorted(d.name for d in src.iterdir() if (d / f"{d.name}.ipynb").is_file())


def resolve(name: str) -> str:
    """'A01', 'a01' or 'A01-autograd' -> 'A01-autograd'."""
    names = assignment_names()
    for n in names:
        if name.lower() in (n.lower(), n.split("-")[0].lower()):
            return n
    raise SystemExit(f"No assignment {name!r} in {SOURCE}/. Known: {', '.join(names) or 'none'}")


def read_nb(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_nb(nb: dict, path: Path) -> None:
    import nbformat

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.from_dict(nb), str(path))


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def grade_id(cell: dict) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def checksum(cell: dict) -> str:
    """nbgrader's checksum of a cell (nbgrader.utils.compute_checksum, without importing nbgrader:
    the self-check runs where nbgrader is not installed, e.g. Colab)."""
    import hashlib

    meta = nbgrader_meta(cell)
    source = cell.get("source", "")
    m = hashlib.md5()
    m.update(("".join(source) if isinstance(source, list) else source).encode("utf-8"))
    m.update(cell["cell_type"].encode("utf-8"))
    m.update(str(bool(meta.get("grade", False))).encode("utf-8"))
    m.update(str(bool(meta.get("solution", False))).encode("utf-8"))
    grade, solution = bool(meta.get("grade", False)), bool(meta.get("solution", False))
    locked = False if solution else (True if grade else bool(meta.get("locked", False)))
    m.update(str(locked).encode("utf-8"))
    m.update(meta["grade_id"].encode("utf-8"))
    if meta.get("grade", False):
        m.update(str(float(meta["points"])).encode("utf-8"))
    return m.hexdigest()


# --------------------------------------------------------------------------- the course directory

def venv_path_env(env: dict | None = None) -> dict:
    """`env` (default os.environ) with this interpreter's bin/ first on PATH: nbgrader runs the
    `alembic` command when it creates a gradebook, and the kernel launcher runs `python`."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


@contextlib.contextmanager
def venv_on_path():
    old = os.environ.get("PATH")
    os.environ["PATH"] = venv_path_env()["PATH"]
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = old


def make_course(name: str, root: Path, timeout: int | None = None,
                extra: Iterable[str] = ()) -> Path:
    """A fresh nbgrader course in `root`: solutions/<name>/ copied, and an nbgrader_config.py that
    loads the repository's and points the course at `root` (then `extra` configuration lines)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(repository() / SOURCE / name, root / SOURCE / name,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    lines = [
        "c = get_config()  # noqa: F821",
        f"load_subconfig({str(config_file())!r})  # noqa: F821  (the course's own configuration)",
        f"c.CourseDirectory.root = {str(root)!r}",
    ]
    if timeout is not None:
        lines.append(f"c.Execute.timeout = {int(timeout)}")
    lines.extend(extra)
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def load_config(root: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def generate(name: str, root: Path) -> Path:
    """`nbgrader generate_assignment <name> --force` in course `root`, through nbgrader's Python API.
    Returns the release folder."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    cfg = load_config(root)
    coursedir = CourseDirectory(config=cfg)
    api = NbGraderAPI(coursedir=coursedir, config=cfg)
    with venv_on_path():
        result = api.generate_assignment(name, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n"
                           f"{result.get('error', '')}\n{result.get('log', '')}")
    return Path(coursedir.format_path(coursedir.release_directory, ".", name))


# ------------------------------------------------------------------- submissions built from the source

class FixtureError(ValueError):
    pass


def strip_markers(source: str) -> str:
    return "\n".join(line for line in source.split("\n") if line.strip() not in _MARKERS)


def solved_release(source_nb: dict, release_nb: dict) -> dict:
    """The release with every solution cell filled in from the source, as a student who got
    everything right would submit it (no hidden tests, release metadata)."""
    answers = {grade_id(c): c["source"] for c in source_nb["cells"] if nbgrader_meta(c).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        gid = grade_id(cell)
        if gid in answers:
            cell["source"] = strip_markers("".join(answers[gid]))
    return nb


def apply_edits(nb: dict, edits: list[dict], label: str = "fixture") -> dict:
    """Edits of cells named by grade_id: {cell, old, new} | {cell, append} | {cell, source} |
    {cell, delete = true} (the cell is removed)."""
    nb = copy.deepcopy(nb)
    cells = {grade_id(c): c for c in nb["cells"] if grade_id(c)}
    for edit in edits:
        gid = edit.get("cell")
        if gid not in cells:
            raise FixtureError(f"{label}: no cell with grade_id {gid!r} (known: {', '.join(cells)})")
        cell = cells[gid]
        src = "".join(cell["source"])
        if edit.get("delete"):
            nb["cells"] = [c for c in nb["cells"] if c is not cell]
            continue
        if "old" in edit:
            if edit["old"] not in src:
                raise FixtureError(f"{label}: {edit['old']!r} not found in cell {gid!r}; "
                                   "update the fixture to the current solution")
            src = src.replace(edit["old"], edit["new"])
        elif "append" in edit:
            src = src.rstrip("\n") + "\n" + edit["append"].strip("\n")
        elif "source" in edit:
            src = edit["source"].strip("\n")
        else:
            raise FixtureError(f"{label}: an edit needs old/new, append, source or delete: {edit}")
        cell["source"] = src
    return nb
