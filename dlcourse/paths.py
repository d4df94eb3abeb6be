"""Where the course's files are.

The package carries what a notebook needs: the catalog, the glossary, the checks, and the learner's
self-check, which reads its tests from the student notebook itself. The lesson notebooks, the
assignments' instructor sources and the nbgrader configuration live only in a checkout of the
repository, so `dlcourse run`, `lab` and `grade` need one. `checkout()` finds it:

1. $DLCOURSE_ROOT, when set;
2. the folder the package sits in (an editable install, or Python started in the repository);
3. the working directory, or a folder above it.
"""
from __future__ import annotations

import os
from pathlib import Path

ENV = "DLCOURSE_ROOT"


class NoCheckout(RuntimeError):
    """A command that needs the repository's files ran where there is no checkout."""


def is_checkout(folder: Path) -> bool:
    return (folder / "dlcourse" / "catalog.toml").is_file() and (folder / "course").is_dir()


def checkout(command: str = "this command") -> Path:
    """The repository root, or NoCheckout with one line that says how to get one."""
    if os.environ.get(ENV):
        root = Path(os.environ[ENV]).expanduser().resolve()
        if is_checkout(root):
            return root
        raise NoCheckout(f"{ENV}={os.environ[ENV]} is not a checkout of the course "
                         "(no course/ and dlcourse/catalog.toml there)")
    package_parent = Path(__file__).resolve().parent.parent
    cwd = Path.cwd().resolve()
    for folder in (package_parent, cwd, *cwd.parents):
        if is_checkout(folder):
            return folder
    raise NoCheckout(needs_checkout(command))


def needs_checkout(command: str) -> str:
    from . import catalog

    repo = catalog.load().repo
    return (f"{command} needs a checkout of the course: git clone https://github.com/{repo}.git, "
            f"then run it inside that folder (or set {ENV} to it)")
