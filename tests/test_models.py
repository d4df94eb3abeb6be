"""dlcourse.models: the networks later lessons reuse are the ones their lessons build."""
import torch

from dlcourse.models import LeNet


def test_lenet_is_l2_04s_network():
    net = LeNet()
    assert sum(p.numel() for p in net.parameters()) == 61_706       # L2.04's count by hand
    x = torch.randn(3, 1, 28, 28)
    assert net(x).shape == (3, 10) and net.features(x).shape == (3, 84)
    assert torch.equal(net(x), net.out(net.features(x)))
    assert LeNet(classes=5)(x).shape == (3, 5)
