import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlcourse import train


def data(n=512, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    y = (x[:, 0] * x[:, 1] > 0).long()
    return TensorDataset(x, y)


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))


def test_fit_learns_and_records_history():
    m = model()
    loader = DataLoader(data(), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    hist = train.fit(m, loader, nn.CrossEntropyLoss(), torch.optim.Adam(m.parameters(), 0.03),
                     epochs=15, val_loader=DataLoader(data(seed=1), batch_size=256),
                     progress=False)
    assert len(hist.train_loss) == len(hist.val_accuracy) == 15
    assert hist.train_loss[-1] < 0.5 * hist.train_loss[0]
    assert hist.val_accuracy[-1] > 0.9


def test_fit_matches_a_hand_written_loop_exactly():
    def loader():
        return DataLoader(data(), batch_size=64, shuffle=True,
                          generator=torch.Generator().manual_seed(5))

    loss_fn = nn.CrossEntropyLoss()
    ours, hand = model(), model()
    train.fit(ours, loader(), loss_fn, torch.optim.SGD(ours.parameters(), 0.1), epochs=2,
              progress=False)
    opt, batches = torch.optim.SGD(hand.parameters(), 0.1), loader()
    for _ in range(2):
        for x, y in batches:
            opt.zero_grad()
            loss_fn(hand(x), y).backward()
            opt.step()
    for p_ours, p_hand in zip(ours.parameters(), hand.parameters()):
        assert torch.equal(p_ours, p_hand)


def test_evaluate_reports_nan_accuracy_for_regression():
    m = nn.Linear(3, 1)
    ds = TensorDataset(torch.randn(10, 3), torch.randn(10, 1))
    loss, acc = train.evaluate(m, DataLoader(ds, batch_size=4), nn.MSELoss())
    assert loss > 0 and math.isnan(acc)


def test_history_repr_is_short():
    h = train.History(train_loss=[1.0, 0.5])
    assert repr(h) == "History(epochs=2, last={'train_loss': 0.5})"
