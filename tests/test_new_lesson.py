"""What adding a lesson costs: in a copy of the repository, a new lesson made of its notebook, its
exercise modules (checks and answers), its widget module and its glossary data, plus its catalog
entry, passes the linter once `make regen` has run, and changes no more than four existing files."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
NEW_ID, MODEL_ID = "L1.12", "L1.07"  # the new lesson is made from L1.07's files, renamed
OWN = {"course/L1-foundations/L1.12-dummy.ipynb", "dlcourse/exercises/l1_12.py",
       "dlcourse/exercises/l1_12_answers.py", "dlcourse/widgets/dummy_explorer.py",
       "dlcourse/glossary/L1.12.toml"}
ALLOWED = {"dlcourse/catalog.toml",                                    # written by hand
           "README.md", "tests/browser/gallery.ipynb", "docs/full-results.md"}  # by make regen


def run(cmd, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def copy_of_the_repository(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\n")
    for rel in filter(None, files):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]):
        subprocess.run(cmd, cwd=dest, check=True)
    return dest


def add_lesson(repo: Path) -> None:
    model = "course/L1-foundations/L1.07-losses.ipynb"
    text = (repo / model).read_text(encoding="utf-8")
    text = (text.replace("L1.07-losses.ipynb", "L1.12-dummy.ipynb")
                .replace("# L1.07 · Loss functions (损失函数)", "# L1.12 · Dummy lesson (示例课)")
                .replace("l1_07", "l1_12").replace("LossExplorer", "DummyExplorer")
                .replace('"L1.07"', '"L1.12"').replace('table(\\"L1.07\\")', 'table(\\"L1.12\\")'))
    (repo / "course/L1-foundations/L1.12-dummy.ipynb").write_text(text, encoding="utf-8")
    for suffix in ("", "_answers"):
        module = (repo / f"dlcourse/exercises/l1_07{suffix}.py").read_text(encoding="utf-8")
        (repo / f"dlcourse/exercises/l1_12{suffix}.py").write_text(
            module.replace("l1_07", "l1_12").replace("L1.07", "L1.12"), encoding="utf-8")
    shutil.copy(repo / "dlcourse/glossary/L1.07.toml", repo / "dlcourse/glossary/L1.12.toml")
    widget = (repo / "dlcourse/widgets/loss_explorer.py").read_text(encoding="utf-8")
    (repo / "dlcourse/widgets/dummy_explorer.py").write_text(
        widget.replace("LossExplorer", "DummyExplorer"), encoding="utf-8")
    catalog = (repo / "dlcourse/catalog.toml").read_text(encoding="utf-8")
    entry = re.search(r'\[\[lesson\]\]\nid = "L1.07"\n.*?(?=\n\[\[)', catalog, re.S).group(0)
    entry = (entry.replace('"L1.07"', '"L1.12"').replace("L1.07-losses", "L1.12-dummy")
                  .replace('"Loss functions"', '"Dummy lesson"').replace('"损失函数"', '"示例课"')
                  .replace('"l1_07"', '"l1_12"').replace('"LossExplorer"', '"DummyExplorer"'))
    catalog = catalog.replace('[[lesson]]\nid = "L2.01"', entry + "\n\n[[lesson]]\nid = \"L2.01\"")
    (repo / "dlcourse/catalog.toml").write_text(catalog, encoding="utf-8")


def test_a_new_lesson_touches_at_most_four_existing_files(tmp_path):
    repo = copy_of_the_repository(tmp_path / "repo")
    add_lesson(repo)
    stale = run([sys.executable, "ci/regen.py", "--check"], repo)
    assert stale.returncode == 1 and "README.md" in stale.stdout, "regen should see the new lesson"
    assert run([sys.executable, "ci/regen.py"], repo).returncode == 0
    lint = run([sys.executable, "ci/lint_notebooks.py"], repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    where = run([sys.executable, "-c", "import dlcourse, sys; print(dlcourse.__file__)"], repo)
    assert where.stdout.startswith(str(repo)), "the copy must import its own dlcourse"
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], repo).stdout.splitlines()
    changed = {line[3:] for line in status}
    print("files a new lesson touched:\n  " + "\n  ".join(sorted(changed)))
    assert OWN <= changed
    assert changed - OWN <= ALLOWED, f"a new lesson also had to edit {sorted(changed - OWN - ALLOWED)}"
    gallery = (repo / "tests/browser/gallery.ipynb").read_text(encoding="utf-8")
    assert "DummyExplorer" in gallery and "L1.12" in (repo / "README.md").read_text(encoding="utf-8")
