"""The ways of installing the course agree with each other."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dlcourse import _toml as tomllib

ROOT = Path(__file__).resolve().parent.parent
# The Python that constraints.txt was frozen on and that environment.yml installs.
TESTED_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.0"}


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def applies(spec: str) -> bool:
    """Whether a requirement is installed on the tested Python (its marker, if any, holds)."""
    from packaging.requirements import Requirement
    marker = Requirement(spec).marker
    return marker is None or marker.evaluate(TESTED_PYTHON)


def environment_pip_lines():
    text = (ROOT / "environment.yml").read_text()
    return [m.group(1).strip() for m in re.finditer(r"^\s{6}- (.+)$", text, re.M)]


def test_environment_yml_matches_pyproject():
    pytest.importorskip("packaging")
    project = pyproject()
    wanted = {spec for spec in project["dependencies"] + project["optional-dependencies"]["test"]
              if applies(spec)}
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
    requirements = pytest.importorskip("packaging.requirements")
    project = pyproject()
    pins = _pins()
    extras = [spec for specs in project["optional-dependencies"].values() for spec in specs]
    for spec in filter(applies, project["dependencies"] + extras):
        req = requirements.Requirement(spec)
        name = req.name.lower()
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject's {req.specifier}"


def test_the_test_extra_is_every_extra():
    extras = pyproject()["optional-dependencies"]
    others = {spec for name, specs in extras.items() if name != "test" for spec in specs}
    assert others <= set(extras["test"]), f"missing from `test`: {sorted(others - set(extras['test']))}"


def test_the_base_install_is_what_a_notebook_needs():
    names = {re.split(r"[<>=;! \[]", spec, maxsplit=1)[0].lower() for spec in pyproject()["dependencies"]}
    assert not names & {"jupyterlab", "papermill", "nbgrader", "psutil", "pytest"}, \
        "the checkout's tools belong in extras"
    assert {"torch", "nbformat", "nbclient", "ipykernel"} <= names, "a notebook and its self-check"


def test_the_colab_cell_installs_this_release():
    import dlcourse
    from dlcourse import catalog
    cell = catalog.colab_install_cell()
    assert f"git+https://github.com/{catalog.load().repo}@v{dlcourse.__version__}" in cell
    assert "output.enable_custom_widget_manager()" in cell


def test_torch_pin_is_the_cpu_wheel_line():
    assert _pins()["torch"].startswith("2.13."), "the tested torch line is 2.13 (CPU wheel)"


def test_import_dlcourse_is_light():
    code = ("import sys, dlcourse; heavy = [m for m in ('torch', 'plotly', 'ipywidgets', "
            "'sklearn', 'papermill') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import dlcourse pulled in: {out.stdout.strip()}"
