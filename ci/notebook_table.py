"""Gather the per-notebook outcomes the notebook tests write (artifacts/notebooks/outcomes/) into
the runner's results.json and results.md, in catalog order."""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from dlcourse import catalog, runner


def save(outcome: runner.Outcome, artifacts: Path) -> None:
    folder = artifacts / "outcomes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{outcome.id}.json").write_text(json.dumps(asdict(outcome), ensure_ascii=False))


def write(artifacts: Path) -> str:
    """Returns the Markdown table ('' when no notebook ran)."""
    order = {entry.id: i for i, entry in enumerate(catalog.load().notebooks)}
    names = {f.name for f in fields(runner.Outcome)}
    outcomes = sorted((runner.Outcome(**{k: v for k, v in json.loads(p.read_text()).items() if k in names})
                       for p in (artifacts / "outcomes").glob("*.json")),
                      key=lambda o: order.get(o.id, len(order)))
    if not outcomes:
        return ""
    quick = outcomes[0].mode == "quick"
    (artifacts / "results.json").write_text(
        json.dumps([asdict(o) | {"ok": o.ok} for o in outcomes], indent=2, ensure_ascii=False))
    table = runner.markdown(outcomes, quick)
    (artifacts / "results.md").write_text(table, encoding="utf-8")
    return table
