import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from dlcourse import cli, paths
from dlcourse.data import registry

ROOT = Path(__file__).resolve().parents[1]


def test_list_shows_ready_lessons_and_hides_planned(capsys, planned_lesson):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "L1.01  Tensors & broadcasting (张量与广播)" in out and planned_lesson not in out
    cli.main(["list", "--all"])
    assert f"○ {planned_lesson}" in capsys.readouterr().out


def test_unknown_lesson_is_a_clear_error(capsys):
    assert cli.main(["run", "L9.99"]) == 2
    assert "No lesson 'L9.99'" in capsys.readouterr().err


def test_lab_allows_root_only_when_root(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert cli.lab_command(ROOT, tmp_path)[-1] == "--allow-root"
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in cli.lab_command(ROOT, tmp_path)


def test_lab_shows_the_whole_course_and_opens_the_course_map(monkeypatch):
    pytest.importorskip("jupyterlab")
    calls = []

    def call(cmd, cwd=None):
        settings = Path(next(a for a in cmd if a.startswith("--LabApp.app_settings_dir=")).split("=", 1)[1])
        calls.append((cmd, cwd, json.loads((settings / "overrides.json").read_text())))
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    assert cli.main(["lab", "--no-browser"]) == 0
    (cmd, cwd, overrides), = calls
    assert cmd[1:4] == ["-m", "jupyter", "lab"] and cmd[-1] == "--no-browser"
    # rooted at the checkout (the course map links to ../assignments/), opening the map
    assert f"--ServerApp.root_dir={ROOT}" in cmd and Path(cwd) == ROOT
    assert cli.LAB_START in cmd and (ROOT / cli.LAB_START).is_file()
    # no news prompt, for this server only: app-settings overrides in a folder of its own
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_lab_settings_keep_the_environment_s_own(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    theme = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}
    (base / "page_config.json").write_text('{"disabledExtensions": {"x": true}}')
    (base / "overrides.json").write_text(json.dumps(theme))
    settings = cli.lab_settings(tmp_path / "settings", base)
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides == {**theme, "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}
    assert (settings / "page_config.json").read_text() == (base / "page_config.json").read_text()
    assert json.loads((base / "overrides.json").read_text()) == theme, "the original is untouched"


# ------------------------------------------------------------------------- with and without a checkout

@pytest.fixture
def no_checkout(monkeypatch, tmp_path):
    """As after `pip install dlcourse`: no checkout above the package or the working directory."""
    monkeypatch.delenv(paths.ENV, raising=False)
    monkeypatch.setattr(paths, "is_checkout", lambda folder: False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("argv", [["run", "L1.01"], ["lab"], ["grade", "A01", "."]])
def test_commands_that_need_a_checkout_say_so_in_one_line(no_checkout, capsys, argv):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"dlcourse {argv[0]} needs a checkout of the course: "
                          "git clone https://github.com/dlcourse/dlcourse.git"), err


def test_list_and_check_need_no_checkout(no_checkout, capsys):
    assert cli.main(["list"]) == 0
    assert "L1.01" in capsys.readouterr().out
    assert cli.main(["check", "A01", "missing.ipynb"]) == 2
    assert "missing.ipynb: no such notebook" in capsys.readouterr().err
    assert cli.main(["check", "A99"]) == 2
    assert "No assignment 'A99'" in capsys.readouterr().err


def test_checkout_is_found_from_the_package_the_working_directory_or_the_env_var(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV, raising=False)
    assert paths.checkout() == ROOT  # the package sits in it
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site-packages" / "dlcourse" / "paths.py"))
    monkeypatch.chdir(ROOT / "course" / "L1-foundations")
    assert paths.checkout() == ROOT  # a folder above the working directory
    monkeypatch.chdir(tmp_path)
    with pytest.raises(paths.NoCheckout, match="needs a checkout"):
        paths.checkout()
    monkeypatch.setenv(paths.ENV, str(ROOT))
    assert paths.checkout() == ROOT
    monkeypatch.setenv(paths.ENV, str(tmp_path))
    with pytest.raises(paths.NoCheckout, match="is not a checkout"):
        paths.checkout()


def test_a_missing_extra_is_named(monkeypatch, capsys):
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec",
                        lambda name: None if name == "papermill" else real(name))
    assert cli.main(["run", "L1.01"]) == 2
    assert capsys.readouterr().err.startswith('dlcourse run needs papermill: pip install "dlcourse[run]"')


def test_doctor_reports_versions_and_data_env_vars():
    pytest.importorskip("torch")
    out = subprocess.run([sys.executable, "-m", "dlcourse.cli", "doctor"], capture_output=True,
                         text=True, check=True).stdout
    for expected in ("torch", "Device:", "DLCOURSE_DATA", "DLCOURSE_DATA_MIRROR"):
        assert expected in out


def test_data_fetch_through_the_mirror(mirror, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path))
    assert cli.main(["data", "fetch", "names"]) == 0
    assert "✓ names" in capsys.readouterr().out
    assert any(tmp_path.rglob("names.txt"))


def test_data_fetch_offline_without_mirror_names_the_env_vars(tmp_path, monkeypatch, capsys):
    pytest.importorskip("tqdm")
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path))
    monkeypatch.delenv("DLCOURSE_DATA_MIRROR")
    monkeypatch.setenv("DLCOURSE_TIMEOUT", "0.5")
    names = registry.REGISTRY["names"]  # offline: its URL now points at a closed local port
    closed = tuple(replace(f, urls=("http://127.0.0.1:9/names.txt",)) for f in names.files)
    monkeypatch.setitem(registry.REGISTRY, "names", replace(names, files=closed))
    assert cli.main(["data", "fetch", "names"]) == 2
    err = capsys.readouterr().err
    assert "DLCOURSE_DATA" in err and "DLCOURSE_DATA_MIRROR" in err
