"""Record a lesson's measured results: a friendly line for the learner, a JSON line for the runner.

    dlcourse.results.record("matmul_speedup", speedup, lesson="L1.01", quick=QUICK)

looks the target up in the catalog and says whether it is met. The CI runner sets DLCOURSE_RESULTS
to a file path; each `record` then appends one JSON object to it, and the runner checks it against
the catalog's target and puts it in its table.
"""
from __future__ import annotations

import json
import math
import os

RESULTS_ENV = "DLCOURSE_RESULTS"


def record(name: str, value: float, lesson: str | None = None, quick: bool = False,
           unit: str = ""):
    """Report `value`; when `lesson` declares a target for `name`, say if it is met.

    Returns a silent Verdict (true when met) for a target, else None."""
    from .check import Verdict
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"result {name!r} is NaN: the experiment diverged or never ran")
    target = _target(lesson, name) if lesson else None
    met = None
    if target is None:
        print(f"📏 {name} = {value:.4g}{unit}")
    else:
        met = target.met(value, quick)
        mode = "quick" if quick else "full"
        verdict = "met ✓" if met else "missed ✗"
        print(f"📏 {name} = {value:.4g}{unit}   ({mode}-mode target {target.describe(quick)}{unit}: "
              f"{verdict})")
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"lesson": lesson, "name": name, "value": value,
                                "quick": quick, "met": met}) + "\n")
    return None if met is None else Verdict(met)


def _target(lesson_id: str, name: str):
    from .catalog import load
    for target in load().lesson(lesson_id).targets:
        if target.metric == name:
            return target
    return None
