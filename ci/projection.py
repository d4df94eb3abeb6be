"""Project the test suite's time to the whole course from one measured run of `make test`.

    python ci/projection.py [--setup SECONDS]     # after make test (artifacts/test-times.json)

Each group's busy time (summed over tests, on every worker) is scaled by what it grows with:
notebooks by the number of notebooks, round trips by the number of assignments, the grading tests
(one batch against A01) not at all, and every other group (widget sweeps, the browser gallery,
exercise and unit tests) with the number of lessons. Spread
over the workers, plus the longest single test as a tail, plus the install time, that is the
projected CI time. A notebook's quick-mode budget bounds its time, which gives a ceiling as well.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dlcourse import catalog  # noqa: E402

LESSONS, ASSIGNMENTS = 48, 12
CI_BAR = 45 * 60  # seconds


def scales(cat: catalog.Catalog) -> dict[str, float]:
    """What each group's busy time is multiplied by; groups not named grow with the lessons."""
    notebooks = len(cat.ready) + len(cat.pages)
    return {"notebooks": (LESSONS + len(cat.pages)) / notebooks,
            "assignments": ASSIGNMENTS / len(cat.assignments), "grading": 1.0}


def project(times: dict, notebooks: list[dict], setup: float) -> str:
    cat = catalog.load()
    factor = scales(cat)
    per_lesson = LESSONS / len(cat.ready)
    workers = times.get("workers") or 1
    rows = ["| group | busy now (s) | × | busy at 48/12 (s) |", "|---|---:|---:|---:|"]
    total = 0.0
    for name, group in times["groups"].items():
        scale = factor.get(name, per_lesson)
        total += group["busy"] * scale
        rows.append(f"| {name} | {group['busy']:.0f} | {scale:.2f} | {group['busy'] * scale:.0f} |")
    lessons = [n for n in notebooks if n["id"] not in {p.id for p in cat.pages}]
    mean = sum(n["seconds"] for n in lessons) / max(1, len(lessons))
    tail = max((n["seconds"] for n in notebooks), default=0.0)
    wall = total / workers + tail + setup
    # the ceiling: every notebook at the largest quick-mode budget a lesson has today
    notebooks_now = times["groups"].get("notebooks", {"busy": 0.0})["busy"]
    others = total - notebooks_now * factor["notebooks"]
    budget_bound = sum(p.budget_quick for p in cat.pages) + LESSONS * max(
        (lesson.budget_quick for lesson in cat.ready), default=0)
    ceiling = (others + budget_bound) / workers + tail + setup
    rows += ["", f"Measured now: {len(cat.ready)} lessons (mean quick-mode notebook {mean:.0f} s), "
                 f"{len(cat.assignments)} assignments, {workers} worker(s), session "
                 f"{times['total_wall']:.0f} s + {setup:.0f} s setup.",
             f"Projected at {LESSONS} lessons and {ASSIGNMENTS} assignments: {total:.0f} s busy / "
             f"{workers} + {tail:.0f} s tail + {setup:.0f} s setup ≈ **{wall / 60:.1f} min**; "
             f"with every notebook at the largest quick-mode budget: {ceiling / 60:.1f} min."]
    to_come = LESSONS - len(cat.ready)
    if to_come > 0:
        room = ((CI_BAR - setup - tail) * workers - others - notebooks_now) / to_come
        rows.append(f"To stay within {CI_BAR // 60} min, each new lesson's quick-mode notebook may take "
                    f"{room:.0f} s on average (today's lessons: {mean:.0f} s).")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", type=float, default=0.0, help="seconds spent installing")
    parser.add_argument("--times", type=Path, default=ROOT / "artifacts" / "test-times.json")
    parser.add_argument("--notebooks", type=Path,
                        default=ROOT / "artifacts" / "notebooks" / "results.json")
    args = parser.parse_args(argv)
    times = json.loads(args.times.read_text())
    notebooks = json.loads(args.notebooks.read_text()) if args.notebooks.exists() else []
    print(project(times, notebooks, args.setup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
