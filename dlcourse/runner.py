"""Execute course notebooks with papermill and check time and metrics against the catalog.

    python ci/run_notebooks.py --quick                 # every ready lesson + the index, quick mode
    python ci/run_notebooks.py --full L1.00 L1.01      # chosen lessons at full settings
    dlcourse run L1.01 --quick                         # the same, from the command line tool

Each notebook runs in its own papermill process (parallel workers, torch threads split between
them, a per-notebook timeout). Executed copies go to the artifacts folder with `results.json` and
`results.md`: time against budget and each recorded metric against its target. Exits 1 when a
notebook fails, blows its budget, or misses (or never records) a target.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import catalog, paths
from .results import RESULTS_ENV


@dataclass
class Outcome:
    id: str
    path: str
    mode: str
    seconds: float = 0.0
    budget: float | None = None
    error: str | None = None
    metrics: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def execute(lesson: catalog.Lesson, quick: bool, artifacts: Path, threads: int,
            timeout: float) -> Outcome:
    mode = "quick" if quick else "full"
    out = Outcome(lesson.id, lesson.path, mode, budget=lesson.budget(quick))
    rel = Path(lesson.path)
    src = rel if rel.is_absolute() else paths.checkout("dlcourse run") / rel
    dest = artifacts / (rel.name if rel.is_absolute() else rel)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as f:
        results_file = Path(f.name)
    env = {**os.environ, RESULTS_ENV: str(results_file), "DLCOURSE_THREADS": str(threads),
           "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
           "PYTHONHASHSEED": "0", "DLCOURSE_PROGRESS": "off"}  # a run is not a learner's progress
    cmd = [sys.executable, "-m", "papermill", str(src), str(dest), "-p", "QUICK", str(quick),
           "--cwd", str(src.parent), "--no-progress-bar", "--log-level", "ERROR",
           "-k", "python3"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            out.error = _last_error(proc.stderr)
    except subprocess.TimeoutExpired:
        out.error = f"timed out after {timeout:.0f} s"
    out.seconds = round(time.perf_counter() - start, 1)
    out.metrics = [json.loads(line) for line in results_file.read_text().splitlines() if line]
    results_file.unlink()
    out.problems = judge(lesson, out, quick)
    return out


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    tail = [line for line in lines if "Error" in line or "Exception" in line] or lines
    return (tail[-1] if tail else "papermill failed")[:500]


def judge(lesson: catalog.Lesson, out: Outcome, quick: bool) -> list[str]:
    problems = []
    if out.error:
        problems.append(f"error: {out.error}")
    if out.budget is not None and out.seconds > out.budget:
        problems.append(f"took {out.seconds:.0f} s, budget {out.budget:.0f} s")
    recorded = {m["name"]: m["value"] for m in out.metrics}
    for target in lesson.targets:
        if target.metric not in recorded:
            problems.append(f"never recorded {target.metric}")
        elif not target.met(recorded[target.metric], quick):
            problems.append(f"{target.metric} = {recorded[target.metric]:.4g}, "
                            f"target {target.describe(quick)}")
    return problems


def markdown(outcomes: list[Outcome], quick: bool) -> str:
    cat = catalog.load()
    rows = [f"# Notebook results ({'quick' if quick else 'full'} mode)", "",
            "| notebook | time (s) | budget (s) | metric | value | target | status |",
            "|---|---:|---:|---|---:|---|---|"]
    for o in outcomes:
        lesson = next((p for p in cat.pages if p.id == o.id), None) or cat.lesson(o.id)
        targets = {t.metric: t for t in lesson.targets}
        metrics = o.metrics or [{"name": "—", "value": None}]
        for i, m in enumerate(metrics):
            t = targets.get(m["name"])
            value = "—" if m["value"] is None else f"{m['value']:.4g}"
            first = i == 0
            rows.append(
                f"| {o.id if first else ''} | {o.seconds if first else ''} | "
                f"{(o.budget or '—') if first else ''} | {m['name']} | {value} | "
                f"{t.describe(quick) if t else '—'} | "
                f"{('✓' if o.ok else '✗ ' + '; '.join(o.problems)) if first else ''} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dlcourse run", description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="lesson ids (default: every ready lesson and page)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="CI settings (the default)")
    mode.add_argument("--full", action="store_true", help="a learner's settings")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per notebook (default: 3 × its budget)")
    parser.add_argument("--artifacts", type=Path,
                        help="where the executed copies go (default: artifacts/notebooks/ in the checkout)")
    args = parser.parse_args(argv)
    quick = not args.full
    root = paths.checkout("dlcourse run")
    args.artifacts = args.artifacts or root / "artifacts" / "notebooks"

    cat = catalog.load()
    lessons = [cat.lesson(i) for i in args.ids] if args.ids else cat.notebooks
    workers = max(1, min(args.workers, len(lessons)))
    threads = max(1, (os.cpu_count() or 1) // workers)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    print(f"Running {len(lessons)} notebook(s) in {'quick' if quick else 'full'} mode: "
          f"{workers} worker(s) × {threads} torch thread(s)")

    def run(lesson: catalog.Lesson) -> Outcome:
        timeout = args.timeout or 3 * (lesson.budget(quick) or 600)
        o = execute(lesson, quick, args.artifacts, threads, timeout)
        print(f"  {'✓' if o.ok else '✗'} {o.id:6} {o.seconds:6.1f} s  " + "; ".join(o.problems),
              flush=True)
        return o

    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(run, lessons))
    (args.artifacts / "results.json").write_text(
        json.dumps([asdict(o) | {"ok": o.ok} for o in outcomes], indent=2, ensure_ascii=False))
    table = markdown(outcomes, quick)
    (args.artifacts / "results.md").write_text(table, encoding="utf-8")
    print(table)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
