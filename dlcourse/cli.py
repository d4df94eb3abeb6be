"""The `dlcourse` command: list | run | lab | doctor | data fetch | grade | check | progress."""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import catalog, paths

LAB_START = "course/index.ipynb"
# JupyterLab asks on its first start whether to fetch news from the internet. The course's server
# says no by default, through its own app-settings overrides: the learner's JupyterLab settings
# (including an answer given before) stay as they are and still win.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}


class MissingExtra(RuntimeError):
    """A command's optional dependency is not installed."""


def require(module: str, extra: str, command: str) -> None:
    """One line naming the extra to install when `command` lacks an optional dependency."""
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(f"{command} needs {module}: pip install \"dlcourse[{extra}]\" "
                           "(a checkout's `make setup` installs everything)")


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
    for lesson_id in args.ids:
        catalog.load().lesson(lesson_id)  # an unknown id is a KeyError that names the known ones
    paths.checkout("dlcourse run")
    require("papermill", "run", "dlcourse run")
    from .runner import main
    return main([*args.ids, "--full" if args.full else "--quick"]
                + (["--artifacts", args.artifacts] if args.artifacts else []))


def lab_settings(folder: Path, base: Path | None = None) -> Path:
    """`folder` made the server's app-settings folder: a copy of `base` (the environment's own,
    with its page_config.json and overrides), LAB_OVERRIDES merged into its overrides.json."""
    if base is not None and base.is_dir():
        shutil.copytree(base, folder, dirs_exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "overrides.json"
    overrides = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for plugin, values in LAB_OVERRIDES.items():
        overrides.setdefault(plugin, {}).update(values)
    path.write_text(json.dumps(overrides, indent=2), encoding="utf-8")
    return folder


def lab_command(root: Path, settings: Path) -> list[str]:
    """JupyterLab rooted at the checkout (the course map links to ../assignments/), opening the
    course map; without root_dir, Jupyter would root itself at the opened notebook's folder."""
    cmd = [sys.executable, "-m", "jupyter", "lab", LAB_START, f"--ServerApp.root_dir={root}",
           f"--LabApp.app_settings_dir={settings}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root otherwise (containers, CI)
    return cmd


def cmd_lab(args) -> int:
    root = paths.checkout("dlcourse lab")
    require("jupyterlab", "lab", "dlcourse lab")
    from jupyterlab.commands import get_app_dir

    with tempfile.TemporaryDirectory(prefix="dlcourse-lab-") as tmp:
        settings = lab_settings(Path(tmp) / "settings", Path(get_app_dir()) / "settings")
        return subprocess.call(lab_command(root, settings) + args.extra, cwd=root)


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
    try:
        print(f"Course checkout: {paths.checkout()}  ({paths.ENV})")
    except paths.NoCheckout:
        print(f"Course checkout: none (dlcourse run, lab and grade need one; {paths.ENV})")
    from . import data
    print(f"Data cache: {data.cache_dir()}  (DLCOURSE_DATA)")
    print(f"Data mirror: {os.environ.get('DLCOURSE_DATA_MIRROR') or 'not set'}  "
          "(DLCOURSE_DATA_MIRROR)")
    print(f"Chromium for the browser test: {shutil.which('chromium') or 'not found'}")
    from . import progress
    print(progress.describe_location())
    return 0


def cmd_data(args) -> int:
    from . import data
    for name in args.names:
        paths = data.fetch(name)
        print(f"✓ {name}: " + ", ".join(str(p) for p in _paths(paths)))
    return 0


def cmd_grade(args) -> int:
    paths.checkout("dlcourse grade")
    require("nbgrader", "instructor", "dlcourse grade")
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
                         sandbox=args.sandbox, feedback_messages=args.feedback_messages,
                         keep_work=args.keep_work)
    try:
        result = batch.grade(opts)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"dlcourse grade: {exc}", file=sys.stderr)
        return 2
    print(result.table())
    print(f"\nwrote {result.grades_csv} (nbgrader export) and {result.summary_csv} (with the flags); "
          f"feedback in {result.course / 'feedback'}; grade written answers in the formgrader: "
          f"cd {result.course} && jupyter lab  (Nbgrader → Formgrader)")
    return 0


def cmd_check(args) -> int:
    from .grading import selfcheck
    name = catalog.load().assignment(args.assignment).name
    path = Path(args.notebook or f"{name}.ipynb")
    if not path.exists():
        print(f"dlcourse check: {path}: no such notebook", file=sys.stderr)
        return 2
    report = selfcheck.check(path, timeout=args.timeout)
    print(report.format())
    return 0 if report.parts and report.points == report.max_points and not report.error else 1


def cmd_progress(args) -> int:
    from . import progress
    path = progress.location()
    if args.reset:
        if path is None or not path.exists():
            print(progress.describe_location() if path is None else f"No progress recorded yet ({path}).")
            return 0
        if not args.yes:
            try:
                answer = input(f"Delete every recorded exercise in {path}? [y/N] ")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                print("Kept.")
                return 1
        progress.reset(path)
        print(f"Deleted {path}: every lesson is untouched again.")
        return 0
    lessons = progress.lessons()
    suggestion = progress.next_lesson(lessons)
    if args.json:
        print(json.dumps({"file": str(path) if path else None, "next": suggestion,
                          "lessons": [{"id": p.id, "title": p.title, "status": p.status,
                                       "passed": list(p.passed), "attempted": list(p.attempted),
                                       "exercises": list(p.exercises), "last": p.last}
                                      for p in lessons.values()]}, indent=1, ensure_ascii=False))
        return 0
    print(progress.table(lessons))
    counts = [sum(p.status == s for p in lessons.values())
              for s in (progress.FINISHED, progress.STARTED)]
    print(f"\n{counts[0]} finished, {counts[1]} started, of {len(lessons)} lessons.", end=" ")
    if suggestion:
        lesson = catalog.load().lesson(suggestion)
        print(f"Next up: {lesson.heading}  →  {lesson.path}")
    else:
        print("Every lesson is finished." if lessons else "")
    print(progress.describe_location())
    return 0


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
    s.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                   help="isolate each submission with bubblewrap: auto (when bwrap works here, else "
                   "a warning), bwrap (required), none; see README")
    s.add_argument("--exec-prefix", help="command that wraps each submission's worker, e.g. a container "
                   "(default $DLCOURSE_GRADE_EXEC_PREFIX; replaces --sandbox); see README")
    s.add_argument("--feedback-messages", action="store_true",
                   help="show the message of a failed hidden test in the feedback (never its code)")
    s.add_argument("--keep-work", action="store_true", help="keep each submission's scratch course")
    s.set_defaults(func=cmd_grade)
    s = sub.add_parser("check", help="run an assignment notebook's visible tests (the learner's check)")
    s.add_argument("assignment", help="e.g. A01")
    s.add_argument("notebook", nargs="?", help="the notebook (default ./<assignment>.ipynb)")
    s.add_argument("--timeout", type=int, default=120, help="per-cell time limit, s")
    s.set_defaults(func=cmd_check)
    s = sub.add_parser("progress", help="your exercises passed, per lesson, and the lesson to do next")
    s.add_argument("--json", action="store_true", help="print it as JSON")
    s.add_argument("--reset", action="store_true", help="delete the recorded progress (asks first)")
    s.add_argument("--yes", "-y", action="store_true", help="with --reset: do not ask")
    s.set_defaults(func=cmd_progress)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lab"]:  # the rest goes to jupyter lab as is (REMAINDER drops leading options)
        args = parser().parse_args(["lab"])
        args.extra = argv[1:]
    else:
        args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (paths.NoCheckout, MissingExtra) as exc:  # one line that names the command already
        print(exc, file=sys.stderr)
        return 2
    except (KeyError, RuntimeError) as exc:
        print(f"dlcourse: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
