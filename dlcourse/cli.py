"""The `dlcourse` command: list | run | lab | doctor | data fetch."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from . import catalog


def cmd_list(args) -> int:
    cat = catalog.load()
    for level, info in cat.levels.items():
        print(f"\n{level} {info['title']} ({info['title_zh']})")
        for lesson in cat.lessons:
            if lesson.level == level and (lesson.ready or args.all):
                mark = "●" if lesson.ready else "○"
                print(f"  {mark} {lesson.id}  {lesson.title} ({lesson.title_zh})"
                      + (f"  →  {lesson.path}" if lesson.ready else ""))
    if not args.all:
        print("\n(planned lessons hidden; `dlcourse list --all` shows them)")
    return 0


def cmd_run(args) -> int:
    from .runner import main
    return main([*args.ids, "--full" if args.full else "--quick"]
                + (["--artifacts", args.artifacts] if args.artifacts else []))


def lab_command(notebook: str = "course/index.ipynb") -> list[str]:
    cmd = [sys.executable, "-m", "jupyter", "lab", notebook]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root otherwise (containers, CI)
    return cmd


def cmd_lab(args) -> int:
    os.chdir(catalog.ROOT)
    return subprocess.call(lab_command() + args.extra)


def cmd_doctor(args) -> int:
    import importlib.metadata as md
    from . import runtime
    print(f"Python {sys.version.split()[0]} at {sys.executable}")
    for package in ("torch", "numpy", "plotly", "anywidget", "ipywidgets", "jupyterlab",
                    "papermill", "nbgrader"):
        try:
            print(f"  {package:11} {md.version(package)}")
        except md.PackageNotFoundError:
            print(f"  {package:11} not installed")
    print(f"Device: {runtime.pick_device()}")
    from . import data
    print(f"Data cache: {data.cache_dir()}  (DLCOURSE_DATA)")
    print(f"Data mirror: {os.environ.get('DLCOURSE_DATA_MIRROR') or 'not set'}  "
          "(DLCOURSE_DATA_MIRROR)")
    print(f"Chromium for the browser test: {shutil.which('chromium') or 'not found'}")
    return 0


def cmd_data(args) -> int:
    from . import data
    for name in args.names:
        paths = data.fetch(name)
        print(f"✓ {name}: " + ", ".join(str(p) for p in _paths(paths)))
    return 0


def cmd_grade(args) -> int:
    from pathlib import Path

    from .grading import batch, intake
    try:
        deadline = intake.parse_deadline(args.deadline)
    except ValueError:
        print(f"dlcourse grade: --deadline {args.deadline!r}: expected e.g. 2026-12-01T23:59",
              file=sys.stderr)
        return 2
    if not Path(args.submissions).exists():
        print(f"dlcourse grade: {args.submissions}: no such folder or file", file=sys.stderr)
        return 2
    opts = batch.Options(args.assignment, Path(args.submissions), course=args.course, deadline=deadline,
                         force=args.force, jobs=args.jobs, timeout=args.timeout,
                         memory_mb=args.memory or None, exec_prefix=args.exec_prefix,
                         keep_work=args.keep_work)
    try:
        result = batch.grade(opts)
    except FileNotFoundError as exc:
        print(f"dlcourse grade: {exc}", file=sys.stderr)
        return 2
    print(result.table())
    print(f"\nwrote {result.grades_csv} (nbgrader export) and {result.summary_csv} (with the flags); "
          f"feedback in {result.course / 'feedback'}; grade written answers in the formgrader: "
          f"cd {result.course} && jupyter lab  (Nbgrader → Formgrader)")
    return 0


def cmd_check(args) -> int:
    from pathlib import Path

    from .grading import course, selfcheck
    name = course.resolve(args.assignment)
    path = Path(args.notebook or f"{name}.ipynb")
    if not path.exists():
        print(f"dlcourse check: {path}: no such notebook", file=sys.stderr)
        return 2
    report = selfcheck.check(path, timeout=args.timeout)
    print(report.format())
    return 0 if report.parts and report.points == report.max_points and not report.error else 1


def _paths(fetched):
    return fetched.values() if isinstance(fetched, dict) else fetched


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dlcourse", description="The dlcourse command line.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("list", help="the lessons of the catalog")
    s.add_argument("--all", action="store_true", help="include planned lessons")
    s.set_defaults(func=cmd_list)
    s = sub.add_parser("run", help="execute lesson notebooks headless (papermill)")
    s.add_argument("ids", nargs="*", help="lesson ids, e.g. L1.01 (default: all)")
    s.add_argument("--full", action="store_true", help="full mode (default: quick)")
    s.add_argument("--quick", action="store_true", help="quick mode (the default)")
    s.add_argument("--artifacts", help="where executed notebooks and the table go")
    s.set_defaults(func=cmd_run)
    s = sub.add_parser("lab", help="open the course in JupyterLab")
    s.add_argument("extra", nargs=argparse.REMAINDER, help="passed on to jupyter lab")
    s.set_defaults(func=cmd_lab)
    s = sub.add_parser("doctor", help="check the installation")
    s.set_defaults(func=cmd_doctor)
    s = sub.add_parser("data", help="datasets")
    data_sub = s.add_subparsers(dest="action", required=True)
    f = data_sub.add_parser("fetch", help="download (or copy from the mirror) and verify")
    f.add_argument("names", nargs="+")
    f.set_defaults(func=cmd_data)
    s = sub.add_parser("grade", help="autograde a batch of submissions (nbgrader, sandboxed, parallel)")
    s.add_argument("assignment", help="e.g. A01")
    s.add_argument("submissions", help="a folder of <student>.ipynb or <student>/ folders, or a .zip")
    s.add_argument("--deadline",
                   help="e.g. 2026-12-01T23:59 (local time): later submissions are flagged")
    s.add_argument("--force", action="store_true", help="regrade every submission, changed or not")
    s.add_argument("--jobs", type=int, default=0, help="submissions graded at once "
                   "(default: one per CPU core, at most one per GB of free memory)")
    s.add_argument("--timeout", type=int, help="per-cell time limit, s (default: nbgrader_config.py's)")
    from .grading.sandbox import DEFAULT_MEMORY_MB
    s.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB,
                   help=f"memory limit per submission, MB (default {DEFAULT_MEMORY_MB}; 0: none)")
    s.add_argument("--course", help="the grading course folder (default ./grading/<assignment>)")
    s.add_argument("--exec-prefix", help="command that wraps each submission's worker, e.g. a container "
                   "(default $DLCOURSE_GRADE_EXEC_PREFIX); see README")
    s.add_argument("--keep-work", action="store_true", help="keep each submission's scratch course")
    s.set_defaults(func=cmd_grade)
    s = sub.add_parser("check", help="run an assignment notebook's visible tests (the learner's check)")
    s.add_argument("assignment", help="e.g. A01")
    s.add_argument("notebook", nargs="?", help="the notebook (default ./<assignment>.ipynb)")
    s.add_argument("--timeout", type=int, default=120, help="per-cell time limit, s")
    s.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, RuntimeError) as exc:
        print(f"dlcourse: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
