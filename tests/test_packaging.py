"""The ways of installing the course agree with each other."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def environment_pip_lines():
    text = (ROOT / "environment.yml").read_text()
    return [m.group(1).strip() for m in re.finditer(r"^\s{6}- (.+)$", text, re.M)]


def test_environment_yml_matches_pyproject():
    project = pyproject()
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    listed = {line for line in environment_pip_lines() if not line.startswith("-")}
    assert listed == wanted, (f"only in environment.yml: {sorted(listed - wanted)}; "
                              f"only in pyproject.toml: {sorted(wanted - listed)}")
    assert "-c constraints.txt" in environment_pip_lines()


def _pins():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split(";")[0].strip().split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_constraints_pin_every_dependency_within_its_range():
    from packaging.requirements import Requirement
    project = pyproject()
    pins = _pins()
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(spec)
        name = req.name.lower()
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject's {req.specifier}"


def test_torch_pin_is_the_cpu_wheel_line():
    assert _pins()["torch"].startswith("2.13."), "the tested torch line is 2.13 (CPU wheel)"


def test_import_dlcourse_is_light():
    code = ("import sys, dlcourse; heavy = [m for m in ('torch', 'plotly', 'ipywidgets', "
            "'sklearn', 'papermill') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import dlcourse pulled in: {out.stdout.strip()}"
