import json

import pytest

from dlcourse import results


def test_record_judges_against_the_catalog_and_appends_for_the_runner(tmp_path, monkeypatch, capsys):
    out = tmp_path / "results.jsonl"
    monkeypatch.setenv(results.RESULTS_ENV, str(out))
    assert results.record("matmul_speedup", 50.0, lesson="L1.01", quick=True)
    assert not results.record("matmul_speedup", 7.0, lesson="L1.01", quick=False)
    assert results.record("free_metric", 1.5) is None
    printed = capsys.readouterr().out
    assert "met ✓" in printed and "missed ✗" in printed
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["name"], r["value"], r["met"]) for r in lines] == [
        ("matmul_speedup", 50.0, True), ("matmul_speedup", 7.0, False), ("free_metric", 1.5, None)]


def test_record_without_the_runner_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(results.RESULTS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    results.record("x", 1.0)
    assert list(tmp_path.iterdir()) == []


def test_nan_is_an_error_not_a_result():
    with pytest.raises(ValueError, match="NaN"):
        results.record("loss", float("nan"))
