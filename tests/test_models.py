"""dlcourse.models: the networks later lessons reuse are the ones their lessons build."""
from pathlib import Path

import torch

from dlcourse.models import LeNet


def test_lenet_is_l2_04s_network():
    net = LeNet()
    assert sum(p.numel() for p in net.parameters()) == 61_706       # L2.04's count by hand
    x = torch.randn(3, 1, 28, 28)
    assert net(x).shape == (3, 10) and net.features(x).shape == (3, 84)
    assert torch.equal(net(x), net.out(net.features(x)))
    assert LeNet(classes=5)(x).shape == (3, 5)


def test_lenet_matches_the_class_l2_04_writes():
    import nbformat
    from torch import nn

    path = Path(__file__).resolve().parent.parent / "course/L2-core/L2.04-lenet.ipynb"
    source = next(c.source for c in nbformat.read(path, as_version=4).cells
                  if c.cell_type == "code" and c.source.startswith("class LeNet("))
    namespace = {"nn": nn}
    exec(source, namespace)
    torch.manual_seed(0)
    lesson = namespace["LeNet"]()
    torch.manual_seed(0)
    package = LeNet()
    assert lesson.state_dict().keys() == package.state_dict().keys()
    x = torch.randn(2, 1, 28, 28)
    assert torch.equal(lesson(x), package(x))
