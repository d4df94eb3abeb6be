"""Lint the course notebooks against the lesson contract (COURSE.md §4) and the catalog.

    python ci/lint_notebooks.py        # prints problems, exits 1 if any

Checks: the order of the first cells (title with badge and level tag, Colab cell, `parameters`
cell, setup), the closing sections, no outputs or execution counts, and that the catalog and the
files in course/ agree both ways.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ci import manifest  # noqa: E402
from dlcourse import catalog, glossary  # noqa: E402

CLOSING_HEADINGS = ["## Exercises", "## Summary", "### Key terms", "### Further reading"]
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)")


def clean_outputs(nb, path: str) -> list[str]:
    return [f"{path}: cell {i} has outputs or an execution count (clear them before committing)"
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))]


def header(nb, path: str, cat: catalog.Catalog, title_line: str | None, level_line: str | None):
    """The cells every notebook opens with: title + badge, Colab install, parameters, setup."""
    problems = []
    cells = nb.cells
    if len(cells) < 5:
        return [f"{path}: only {len(cells)} cells; the contract needs at least 5"]
    title = cells[0]
    if title.cell_type != "markdown":
        problems.append(f"{path}: cell 0 must be the markdown title")
    lines = title.source.splitlines()
    if title_line and (not lines or lines[0].strip() != title_line):
        problems.append(f"{path}: title must be {title_line!r}, found {lines[0] if lines else ''!r}")
    badges = BADGE.findall(title.source)
    expected_url = cat.colab_url(path)
    if badges != [expected_url]:
        problems.append(f"{path}: Open-in-Colab badge must link to {expected_url}, found {badges}")
    if level_line and level_line not in title.source:
        problems.append(f"{path}: title cell must carry the level tag {level_line!r}")
    if cells[1].cell_type != "code" or cells[1].source.strip() != catalog.colab_install_cell():
        problems.append(f"{path}: cell 1 must be the Colab install cell "
                        "(dlcourse.catalog.colab_install_cell())")
    params = cells[2]
    if params.cell_type != "code" or "parameters" not in params.metadata.get("tags", []):
        problems.append(f"{path}: cell 2 must be the code cell tagged 'parameters'")
    for line in ("QUICK = False", "SEED = 0"):
        if not re.search(rf"^{re.escape(line)}\s*(#.*)?$", params.source, re.M):
            problems.append(f"{path}: the parameters cell must set `{line}`")
    if "dlcourse.setup(seed=SEED)" not in cells[3].source:
        problems.append(f"{path}: cell 3 must call dlcourse.setup(seed=SEED)")
    return problems


def install_lines(nb, path: str) -> list[str]:
    """Every cell that installs dlcourse (an assignment's self-check cell) installs the release the
    Colab cell pins."""
    pinned = next(line.strip() for line in catalog.colab_install_cell().splitlines() if "%pip" in line)
    return [f"{path}: cell {i} installs {line.strip()!r}; the Colab cell installs {pinned!r}"
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines()
            if "%pip install" in line and "dlcourse" in line and line.strip() != pinned]


def lesson(nb, path: str, cat: catalog.Catalog, entry: catalog.Lesson) -> list[str]:
    level = cat.levels[entry.level]
    level_line = f"**Level {entry.level[1]} · {level['title']} ({level['title_zh']})**"
    problems = header(nb, path, cat, f"# {entry.heading}", level_line)
    intro = nb.cells[4].source if len(nb.cells) > 4 else ""
    for heading in ("## Learning objectives", "## Prerequisites"):
        if heading not in intro:
            problems.append(f"{path}: cell 4 must hold {heading!r}")
    for prereq in entry.prereqs:
        other = cat.lesson(prereq)
        if other.ready and Path(other.path).name not in intro:
            problems.append(f"{path}: prerequisites must link to {other.path}")
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    positions = [markdown.find("\n" + h) for h in CLOSING_HEADINGS]
    for heading, pos in zip(CLOSING_HEADINGS, positions):
        if pos < 0:
            problems.append(f"{path}: missing section {heading!r}")
    if all(p >= 0 for p in positions) and positions != sorted(positions):
        problems.append(f"{path}: sections must come in the order {CLOSING_HEADINGS}")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    if f'glossary.table("{entry.id}")' not in code:
        problems.append(f"{path}: the summary must show dlcourse.glossary.table(\"{entry.id}\")")
    if len(glossary.for_lesson(entry.id)) < 5:
        problems.append(f"{entry.id}: dlcourse/glossary/{entry.id}.toml needs its key terms (5 or more)")
    for target in entry.targets:
        if f'"{target.metric}"' not in code:
            problems.append(f"{path}: never records its target metric {target.metric!r}")
    return problems


def catalog_agreement(cat: catalog.Catalog, root: Path) -> list[str]:
    problems = []
    listed = {lesson.path for lesson in cat.ready}
    on_disk = {str(p.relative_to(root)) for p in (root / "course").rglob("*.ipynb")
               if ".ipynb_checkpoints" not in p.parts} - {page.path for page in cat.pages}
    for path in sorted(listed - on_disk):
        problems.append(f"catalog lists {path}, but there is no such notebook")
    for path in sorted(on_disk - listed):
        problems.append(f"{path} is not in dlcourse/catalog.toml")
    for lesson in cat.ready:
        folder = cat.levels[lesson.level]["dir"]
        if not lesson.path.startswith(folder + "/"):
            problems.append(f"{lesson.path}: level {lesson.level} lessons live in {folder}/")
        if not Path(lesson.path).name.startswith(lesson.id + "-"):
            problems.append(f"{lesson.path}: file name must start with {lesson.id}-")
        if lesson.budget_quick is None or lesson.budget_full is None:
            problems.append(f"{lesson.id}: ready lessons need budget_quick and budget_full")
    problems += prerequisite_problems(cat)
    for a in cat.assignments:
        for path in (a.source, a.release):
            if not (root / path).exists():
                problems.append(f"assignment {a.id}: {path} is missing")
    return problems


def prerequisite_problems(cat: catalog.Catalog) -> list[str]:
    """Every prerequisite exists, and following them never leads back to where it started."""
    graph = {lesson.id: lesson.prereqs for lesson in cat.lessons}
    problems = [f"{lid}: unknown prerequisite {p}" for lid, ps in graph.items() for p in ps
                if p not in graph]
    done: set[str] = set()

    def visit(lid: str, trail: tuple[str, ...]) -> None:
        if lid in trail:
            problems.append("prerequisite cycle: " + " → ".join(trail + (lid,)))
        elif lid not in done and lid in graph:
            for p in graph[lid]:
                visit(p, trail + (lid,))
            done.add(lid)

    for lid in graph:
        visit(lid, ())
    return problems


def lint(root: Path = ROOT) -> list[str]:
    cat = catalog.load()
    problems = catalog_agreement(cat, root) + manifest.problems(cat, root)
    for page in cat.pages:
        if (root / page.path).exists():
            nb = nbformat.read(root / page.path, as_version=4)
            problems += clean_outputs(nb, page.path) + header(nb, page.path, cat, None, None)
        else:
            problems.append(f"{page.path} is missing")
    for entry in cat.ready:
        if (root / entry.path).exists():
            nb = nbformat.read(root / entry.path, as_version=4)
            problems += clean_outputs(nb, entry.path) + lesson(nb, entry.path, cat, entry)
    for path in sorted(root.glob("assignments/*/*.ipynb")) + sorted(root.glob("solutions/*/*.ipynb")):
        rel = str(path.relative_to(root))
        nb = nbformat.read(path, as_version=4)
        problems += clean_outputs(nb, rel) + install_lines(nb, rel)
    return problems


def main() -> int:
    problems = lint()
    for p in problems:
        print(f"✗ {p}")
    print(f"{len(problems)} problem(s)" if problems else "✓ all notebooks follow the contract")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
