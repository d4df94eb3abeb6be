"""Throughput of `dlcourse grade`: N submissions of an assignment graded with --jobs 1 and with
--jobs J; prints both times, the speedup, and checks that both gave every student the same score.

    python ci/bench_grading.py                   # 50 submissions of A01, jobs 1 vs 2
    python ci/bench_grading.py --n 10 --rounds 1 --keep /tmp/bench

The submissions are generated from the solution notebook: a mix of fully solved ones and the
plausible wrong implementations of tests/fixtures/<A>/fixtures.toml ("partial"), round robin. No
infinite loop or dead kernel here: this measures throughput, not robustness.

On a shared machine the load changes while the benchmark runs, so the two modes are interleaved:
the submissions are split into --rounds chunks and each chunk is graded by both modes, in the order
1, J, J, 1, 1, J, ... (each mode's course folder grows by one chunk per round: `dlcourse grade` grades
only what is new). Each mode's course is generated before its first round, untimed. Reported per
mode: wall-clock time, CPU seconds of the grading processes (workers and their kernels, from
getrusage), and how many of the machine's cores other processes kept busy meanwhile (from the
system's CPU times, minus ours): the figure that says how much the machine's other work inflated
the times.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ci import assignments as A  # noqa: E402
from dlcourse.grading import batch, course  # noqa: E402


def make_submissions(name: str, n: int, folder: Path) -> dict[str, str]:
    """n notebooks in `folder` as <student>.ipynb; returns {student: kind}."""
    source = course.read_nb(ROOT / course.SOURCE / name / f"{name}.ipynb")
    release = course.read_nb(ROOT / course.RELEASE / name / f"{name}.ipynb")
    solved = course.solved_release(source, release)
    kinds = {"solved": solved}
    for fx in A.load_fixtures(name):
        if fx.get("expect") == "partial":
            kinds[fx["name"]] = course.apply_edits(solved, fx.get("edit", []), fx["name"])
    names = list(kinds)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(n):
        kind = names[i % len(names)]
        student = f"s{i:03d}_{kind}"
        course.write_nb(kinds[kind], folder / f"{student}.ipynb")
        out[student] = kind
    return out


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime + s.ru_utime + s.ru_stime


def _busy_cpu() -> float:
    """CPU seconds the whole machine has been busy (all processes)."""
    import psutil

    t = psutil.cpu_times()
    return sum(getattr(t, f) for f in ("user", "nice", "system", "irq", "softirq", "steal") if hasattr(t, f))


class Mode:
    def __init__(self, name: str, jobs: int, where: Path, timeout: int | None):
        self.name, self.jobs, self.where, self.timeout = name, jobs, where, timeout
        self.subs = where / "submissions"
        self.subs.mkdir(parents=True)
        self.wall = self.cpu = self.others = 0.0
        self.graded = 0
        self.scores: dict[str, float] = {}
        self.peak_vms = self.peak_rss = 0
        self._grade()  # the course (nbgrader generate_assignment), untimed

    def _grade(self):
        return batch.grade(batch.Options(self.name, self.subs, course=self.where / "course", jobs=self.jobs,
                                         timeout=self.timeout, echo=lambda s: None))

    def round(self, files: list[Path]) -> None:
        for f in files:
            shutil.copy2(f, self.subs / f.name)
        cpu0, busy0, t0 = _own_cpu(), _busy_cpu(), time.perf_counter()
        result = self._grade()
        wall, cpu = time.perf_counter() - t0, _own_cpu() - cpu0
        self.wall += wall
        self.cpu += cpu
        self.others += max(0.0, _busy_cpu() - busy0 - cpu)
        self.graded += len(result.graded)
        self.scores = {r.student: r.score for r in result.rows}
        for entry in result.state["students"].values():
            self.peak_vms = max(self.peak_vms, entry.get("peak_vms_mb") or 0)
            self.peak_rss = max(self.peak_rss, entry.get("peak_rss_mb") or 0)

    def line(self, n: int) -> str:
        return (f"  --jobs {self.jobs}: {self.wall:7.1f} s wall, {self.wall / n:5.2f} s per submission, "
                f"{self.cpu:6.1f} CPU s ({self.cpu / n:.1f} per submission); other processes kept "
                f"{self.others / self.wall:.2f} of {os.cpu_count()} cores busy")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python ci/bench_grading.py", description=__doc__.split("\n")[0])
    p.add_argument("--assignment", default="A01")
    p.add_argument("--n", type=int, default=50, help="submissions (default 50)")
    p.add_argument("--jobs", type=int, default=2, help="parallel jobs to compare with 1 (default 2)")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--timeout", type=int, help="per-cell timeout, s (default: the course's)")
    p.add_argument("--keep", type=Path, help="keep the submissions and both courses here")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)

    name = course.resolve(args.assignment)
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-")) if not args.keep else args.keep
    try:
        kinds = make_submissions(name, args.n, tmp / "all")
        mix = {k: list(kinds.values()).count(k) for k in dict.fromkeys(kinds.values())}
        print(f"{name}: {args.n} submissions ({', '.join(f'{v} {k}' for k, v in mix.items())}); "
              f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}")
        seq = Mode(name, 1, tmp / "jobs1", args.timeout)
        par = Mode(name, args.jobs, tmp / f"jobs{args.jobs}", args.timeout)
        files = sorted((tmp / "all").glob("*.ipynb"))
        rounds = max(1, min(args.rounds, args.n))
        for r in range(rounds):
            chunk = files[r * len(files) // rounds:(r + 1) * len(files) // rounds]
            for mode in ((seq, par) if r % 2 == 0 else (par, seq)):
                mode.round(chunk)
            print(f"  round {r + 1}/{rounds}: {len(chunk)} submissions; load average {os.getloadavg()[0]:.1f}")
        print(seq.line(args.n))
        print(par.line(args.n))
        ratio = seq.wall / par.wall
        same = seq.scores == par.scores and len(seq.scores) == args.n
        print(f"  speedup --jobs {args.jobs} vs --jobs 1: {ratio:.2f}x; scores identical: {same}; "
              f"peak per submission: {max(seq.peak_vms, par.peak_vms)} MB address space, "
              f"{max(seq.peak_rss, par.peak_rss)} MB RSS")
        if args.json:
            args.json.write_text(json.dumps({
                "n": args.n, "mix": mix, "rounds": rounds, "speedup": ratio, "identical": same,
                "modes": [{"jobs": m.jobs, "wall_s": m.wall, "cpu_s": m.cpu, "others_cores": m.others / m.wall,
                           "graded": m.graded} for m in (seq, par)]}, indent=1))
        return 0 if same and seq.graded == par.graded == args.n else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
