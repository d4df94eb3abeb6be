import torch

import dlcourse
from dlcourse import runtime


def test_setup_seeds_everything_and_prints_a_banner(capsys):
    dlcourse.setup(seed=123)
    a = torch.randn(3)
    device = dlcourse.setup(seed=123)
    assert torch.equal(a, torch.randn(3))
    assert device.type in {"cpu", "cuda", "mps"}
    assert "seed 123" in capsys.readouterr().out


def test_device_override(monkeypatch):
    monkeypatch.setenv("DLCOURSE_DEVICE", "cpu")
    assert runtime.pick_device().type == "cpu"


def test_colab_without_gpu_says_how_to_switch(monkeypatch, capsys):
    monkeypatch.setenv("COLAB_RELEASE_TAG", "test")
    monkeypatch.setattr(runtime, "pick_device", lambda prefer=None: torch.device("cpu"))
    dlcourse.setup(seed=0)
    assert "Change runtime type" in capsys.readouterr().out
