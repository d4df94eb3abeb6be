"""The package outside a checkout, as after `pip install dlcourse` or on Colab.

The wheel is built from a copy of the package's sources and installed, without its dependencies,
into a fresh virtual environment. That environment borrows this one's packages through a .pth line
(so torch is not installed twice) but not this one's editable dlcourse: a path listed in a .pth file
is added to sys.path without running the .pth files inside it, where the editable finder hooks in.
The commands run from an empty folder, with no checkout above it. About half a minute.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from dlcourse.grading import course

ROOT = Path(__file__).resolve().parents[1]
NAME = "A01-autograd"

pytestmark = [pytest.mark.wheel]
try:  # under pytest-xdist --dist loadgroup, one worker builds the wheel and runs every test
    import xdist  # noqa: F401
    pytestmark.append(pytest.mark.xdist_group("wheel"))
except ImportError:
    pass


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the fresh environment's bin/, the environment variables to run it with, an empty folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "dlcourse", src / "dlcourse", ignore=shutil.ignore_patterns("__pycache__"))
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--no-index", "-w", str(tmp / "dist"), str(src)])
    wheel, = (tmp / "dist").glob("dlcourse-*.whl")

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
          "--no-index", str(wheel)])
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    (Path(site) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    home = tmp / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DLCOURSE_ROOT", "JPY_SESSION_NAME", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", HOME=str(home),
               PYTHONNOUSERSITE="1", JUPYTER_PREFER_ENV_PATH="1")
    # The kernel `dlcourse check` starts is this environment's Python, whatever else is installed.
    _run([str(python), "-m", "ipykernel", "install", "--sys-prefix"], env=env)
    work = tmp / "work"
    work.mkdir()
    return venv / "bin", env, work


def _run(cmd, env=None, cwd=None) -> str:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _dlcourse(installed, *args) -> subprocess.CompletedProcess:
    bin_dir, env, work = installed
    return subprocess.run([str(bin_dir / "dlcourse"), *args], env=env, cwd=work,
                          capture_output=True, text=True, timeout=300)


def test_the_installed_package_is_the_wheel_s(installed):
    bin_dir, env, work = installed
    code = ("import json, dlcourse, dlcourse.catalog as c, dlcourse.glossary as g; "
            "from jupyter_client.kernelspec import get_kernel_spec; "
            "print(json.dumps([dlcourse.__file__, len(c.load().lessons), "
            "get_kernel_spec('python3').argv[0]]))")
    where, lessons, kernel = json.loads(_run([str(bin_dir / "python"), "-c", code], env=env, cwd=work))
    venv = bin_dir.parent
    assert Path(where).is_relative_to(venv), f"dlcourse imported from {where}, not the wheel"
    assert lessons > 0
    assert Path(kernel).parent == bin_dir


def test_the_widget_front_ends_are_in_the_wheel(installed):
    """The browser halves of the widgets are package data: without them the playground and
    every plotly figure stay blank."""
    bin_dir, env, work = installed
    code = ("import pathlib, dlcourse.widgets as w; here = pathlib.Path(w.__file__).parent; "
            "print(*sorted(p.name for p in here.iterdir() if p.suffix in ('.js', '.css')))")
    names = _run([str(bin_dir / "python"), "-c", code], env=env, cwd=work).split()
    assert names == ["playground.css", "playground.js", "plotly_figure.js"]


def test_list(installed):
    out = _dlcourse(installed, "list")
    assert out.returncode == 0, out.stderr
    assert "L1.01  Tensors & broadcasting" in out.stdout


def test_check_an_untouched_release(installed):
    work = installed[2]
    shutil.copy(ROOT / course.RELEASE / NAME / f"{NAME}.ipynb", work / "untouched.ipynb")
    out = _dlcourse(installed, "check", "A01", "untouched.ipynb")
    assert out.returncode == 1, out.stdout + out.stderr
    for part in ("test_value_add_mul", "test_value_pow_tanh", "test_value_backward", "test_autograd_check"):
        assert f"✗ {part}" in out.stdout
    assert "total: 0/10 visible points" in out.stdout


def test_check_a_solved_copy(installed):
    work = installed[2]
    solved = course.solved_release(course.read_nb(ROOT / course.SOURCE / NAME / f"{NAME}.ipynb"),
                                   course.read_nb(ROOT / course.RELEASE / NAME / f"{NAME}.ipynb"))
    course.write_nb(solved, work / "solved.ipynb")
    out = _dlcourse(installed, "check", "A01", "solved.ipynb")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "total: 10/10 visible points, all visible tests pass" in out.stdout


@pytest.mark.parametrize("args", [["run", "L1.01"], ["grade", "A01", "."], ["lab"]])
def test_checkout_commands_say_what_they_need_in_one_line(installed, args):
    out = _dlcourse(installed, *args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith(f"dlcourse {args[0]} needs a checkout of the course: "
                                 "git clone https://github.com/dlcourse/dlcourse.git"), out.stderr
