import os
import subprocess
import sys
from dataclasses import replace

from dlcourse import cli
from dlcourse.data import registry


def test_list_shows_ready_lessons_and_hides_planned(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "L1.01  Tensors & broadcasting (张量与广播)" in out and "L3.13" not in out
    cli.main(["list", "--all"])
    assert "○ L3.13" in capsys.readouterr().out


def test_unknown_lesson_is_a_clear_error(capsys):
    assert cli.main(["run", "L9.99"]) == 2
    assert "No lesson 'L9.99'" in capsys.readouterr().err


def test_lab_allows_root_only_when_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert cli.lab_command()[-1] == "--allow-root"
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in cli.lab_command()
    assert "course/index.ipynb" in cli.lab_command()


def test_doctor_reports_versions_and_data_env_vars():
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
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path))
    monkeypatch.delenv("DLCOURSE_DATA_MIRROR")
    monkeypatch.setenv("DLCOURSE_TIMEOUT", "0.5")
    names = registry.REGISTRY["names"]  # offline: its URL now points at a closed local port
    closed = tuple(replace(f, urls=("http://127.0.0.1:9/names.txt",)) for f in names.files)
    monkeypatch.setitem(registry.REGISTRY, "names", replace(names, files=closed))
    assert cli.main(["data", "fetch", "names"]) == 2
    err = capsys.readouterr().err
    assert "DLCOURSE_DATA" in err and "DLCOURSE_DATA_MIRROR" in err
