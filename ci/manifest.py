"""The catalog as each lesson's manifest: what an entry names exists and is used, and every
widget and exercise module in the package belongs to exactly one entry."""
from __future__ import annotations

import re
from pathlib import Path

from dlcourse import catalog

LESSON_MODULE = re.compile(r"l\d_\d\d$")  # dlcourse/exercises/l1_07.py belongs to L1.07


def problems(cat: catalog.Catalog, root: Path) -> list[str]:
    from dlcourse.data.registry import REGISTRY
    from dlcourse.widgets import GALLERY

    found, owners = [], {}
    assignments = {a.id for a in cat.assignments}
    for entry in cat.notebooks:
        path = root / entry.path
        code = path.read_text(encoding="utf-8") if path.exists() else ""
        for name in entry.widgets:
            if name not in GALLERY:
                found.append(f"{entry.id}: widget {name} is not in dlcourse.widgets.GALLERY")
            if name in owners:
                found.append(f"widget {name} is named by both {owners[name]} and {entry.id}")
            owners[name] = entry.id
            if code and name not in code:
                found.append(f"{entry.path}: never shows its widget {name}")
        if entry.exercises:
            if not (root / "dlcourse" / "exercises" / f"{entry.exercises}.py").exists():
                found.append(f"{entry.id}: no exercise module dlcourse/exercises/{entry.exercises}.py")
            if code and f"dlcourse.exercises import {entry.exercises}" not in code:
                found.append(f"{entry.path}: never imports its exercises "
                             f"(from dlcourse.exercises import {entry.exercises} as ex)")
        elif entry in cat.ready:
            found.append(f"{entry.id}: a lesson needs `exercises = \"<module>\"` in the catalog")
        found += [f"{entry.id}: unknown dataset {name!r} (the registry has: {', '.join(REGISTRY)})"
                  for name in entry.datasets if name not in REGISTRY]
        if entry.assignment and entry.assignment not in assignments:
            found.append(f"{entry.id}: unknown assignment {entry.assignment}")
    found += [f"widget {name} is in GALLERY but no catalog entry lists it under `widgets`"
              for name in GALLERY if name not in owners]
    claimed = {entry.exercises for entry in cat.notebooks}
    found += [f"dlcourse/exercises/{p.name} belongs to no catalog entry (`exercises = \"{p.stem}\"`)"
              for p in sorted((root / "dlcourse" / "exercises").glob("*.py"))
              if LESSON_MODULE.match(p.stem) and p.stem not in claimed]
    return found
