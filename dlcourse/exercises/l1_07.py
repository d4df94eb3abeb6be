"""Exercises of L1.07 · Loss functions (损失函数).

    from dlcourse.exercises import l1_07 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise


def _function(answer, what: str):
    if not callable(answer):
        raise CheckFailed(f"expected a function ({what}), got {type(answer).__name__}")
    return answer


def _call(fn, *args, what: str):
    import torch
    try:
        out = fn(*args)
    except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
        raise CheckFailed(f"calling your function {what} raised {type(exc).__name__}: "
                          f"{exc}") from None
    try:
        return torch.as_tensor(out, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(f"your function {what} should return a tensor, got "
                          f"{type(out).__name__}") from None


def _pair(answer, what: str) -> tuple[float, float]:
    if isinstance(answer, (str, bytes, dict, set)) or not hasattr(answer, "__len__"):
        raise CheckFailed(f"expected a pair {what}, got {answer!r}")
    if len(answer) != 2:
        raise CheckFailed(f"expected a pair {what}, got {len(answer)} item(s)")
    try:
        return float(answer[0]), float(answer[1])
    except (TypeError, ValueError):
        raise CheckFailed(f"expected two numbers {what}, got {answer!r}") from None


# ---------------------------------------------------------------------------------------------
# q1 · the Huber loss
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    import torch
    import torch.nn.functional as F
    fn = _function(answer, "huber(pred, target, delta) → the mean Huber loss")
    g = torch.Generator().manual_seed(71)
    pred = torch.randn(40, generator=g, dtype=torch.float64) * 3
    target = torch.randn(40, generator=g, dtype=torch.float64)
    for delta in (1.0, 0.5, 2.0):
        got = _call(fn, pred.clone(), target.clone(), delta, what=f"huber(pred, target, {delta})")
        if got.numel() != 1:
            raise CheckFailed(f"expected one number (the mean over the examples), got "
                              f"shape {tuple(got.shape)}")
        check.close(got.reshape(()), F.huber_loss(pred, target, delta=delta),
                    name=f"your Huber loss with δ = {delta}")


q1 = Exercise(
    name="Q1 · the Huber loss",
    checker=_check_q1,
    hint_text=("With r = pred − target: ½ r² where |r| ≤ δ, and δ (|r| − ½ δ) elsewhere; then "
               "the mean. `torch.where(r.abs() <= delta, a, b)` picks between the two pieces. "
               "The pieces meet at |r| = δ with the same value and the same slope."),
    solution_code="""
import torch

def huber(pred, target, delta):
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)).mean()

answer = huber
""",
    wrong_codes=[
        "import torch\ndef huber(pred, target, delta):\n    r = (pred - target).abs()\n"
        "    return torch.where(r <= delta, r ** 2, delta * (r - 0.5 * delta)).mean()\n"
        "answer = huber      # the ½ missing in the quadratic part",
        "import torch\ndef huber(pred, target, delta):\n    r = (pred - target).abs()\n"
        "    return torch.where(r <= delta, 0.5 * r ** 2, delta * r).mean()\n"
        "answer = huber      # the linear part not shifted: the pieces do not meet",
        "import torch\ndef huber(pred, target, delta):\n    r = (pred - target).abs()\n"
        "    return torch.where(r <= delta, 0.5 * r ** 2 / delta, r - 0.5 * delta).mean()\n"
        "answer = huber      # smooth L1 (Huber divided by δ): equal only at δ = 1",
        "import torch\ndef huber(pred, target, delta):\n    r = (pred - target).abs()\n"
        "    return torch.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)).sum()\n"
        "answer = huber      # a sum, not a mean",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · the best constant under MSE and under MAE
# ---------------------------------------------------------------------------------------------
Q2_DATA = (2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0)


def _check_q2(answer):
    c_mse, c_mae = _pair(answer, "(c_mse, c_mae)")
    data = sorted(Q2_DATA)
    mean, median = sum(data) / len(data), data[len(data) // 2]
    if abs(c_mse - median) < 1e-6 and abs(c_mae - mean) < 1e-6:
        raise CheckFailed("the two are swapped: which loss does the outlier 40 pull hard?")
    check.close(c_mse, mean, name="the constant that minimises the MSE")
    check.close(c_mae, median, name="the constant that minimises the MAE")


q2 = Exercise(
    name="Q2 · the best constant",
    checker=_check_q2,
    hint_text=("Set the derivative with respect to c to zero. For Σ(yᵢ − c)² it is "
               "−2 Σ(yᵢ − c): zero at the average. For Σ|yᵢ − c| it is (number of yᵢ below c) − "
               "(number above c): zero where half the data lies on each side."),
    solution_code="""
import torch
data = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0])
answer = (data.mean().item(), data.median().item())
""",
    wrong_codes=[
        "import torch\ndata = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0])\n"
        "answer = (data.median().item(), data.mean().item())      # swapped",
        "import torch\ndata = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0])\n"
        "answer = (data.mean().item(), data.mean().item())        # the mean for both",
        "import torch\ndata = torch.tensor([2.0, 3.0, 3.5, 4.0, 5.0, 6.5])\n"
        "answer = (data.mean().item(), data.median().item())      # the outlier dropped",
    ],
)


# ---------------------------------------------------------------------------------------------
# q3 · the two gradients when confidently wrong
# ---------------------------------------------------------------------------------------------
Q3_LOGIT, Q3_LABEL = -4.0, 1.0


def _check_q3(answer):
    import torch
    g_bce, g_mse = _pair(answer, "(gradient of BCE, gradient of MSE on σ(z))")
    z = torch.tensor(Q3_LOGIT, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(z)
    bce = -(Q3_LABEL * torch.log(p) + (1 - Q3_LABEL) * torch.log(1 - p))
    (expected_bce,) = torch.autograd.grad(bce, z)
    z2 = torch.tensor(Q3_LOGIT, dtype=torch.float64, requires_grad=True)
    (expected_mse,) = torch.autograd.grad((torch.sigmoid(z2) - Q3_LABEL) ** 2, z2)
    if abs(g_bce + expected_bce.item()) < 1e-4 and abs(g_bce) > 1e-3:
        raise CheckFailed("the BCE gradient has the wrong sign: it is σ(z) − y, and a smaller "
                          "σ(z) than y makes it negative")
    check.close(g_bce, expected_bce, name="dBCE/dz", rtol=1e-4, atol=1e-5)
    check.close(g_mse, expected_mse, name="d(σ(z) − y)²/dz", rtol=1e-4, atol=1e-5)


q3 = Exercise(
    name="Q3 · two gradients",
    checker=_check_q3,
    hint_text=("With p = σ(z): d BCE/dz = p − y, and d(p − y)²/dz = 2 (p − y) · p (1 − p) "
               "(the chain rule through the sigmoid, σ'(z) = p (1 − p)). Here p = σ(−4) ≈ 0.018."),
    solution_code="""
import torch
p = torch.sigmoid(torch.tensor(-4.0, dtype=torch.float64)).item()
y = 1.0
answer = (p - y, 2 * (p - y) * p * (1 - p))
""",
    wrong_codes=[
        "import torch\np = torch.sigmoid(torch.tensor(-4.0)).item()\n"
        "answer = (1 - p, 2 * (1 - p) * p * (1 - p))      # signs flipped",
        "import torch\np = torch.sigmoid(torch.tensor(-4.0)).item()\n"
        "answer = (p - 1, 2 * (p - 1))                    # σ' forgotten for the MSE",
        "import torch\np = torch.sigmoid(torch.tensor(-4.0)).item()\n"
        "answer = ((p - 1) * p * (1 - p), 2 * (p - 1) * p * (1 - p))   # σ' kept in the BCE too",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · a stable log-sum-exp
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    import torch
    fn = _function(answer, "logsumexp(S) over the last dimension")
    g = torch.Generator().manual_seed(74)
    cases = {
        "random scores of shape (3, 6)": torch.randn(3, 6, generator=g, dtype=torch.float64),
        "a 1-D score vector": torch.randn(5, generator=g, dtype=torch.float64),
        "rows [1000, 1001, 1002] and [-1000, -999, -998]":
            torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]],
                         dtype=torch.float64),
        "rows [0, 500, 1000] and [-1000, 0, 3]":
            torch.tensor([[0.0, 500.0, 1000.0], [-1000.0, 0.0, 3.0]], dtype=torch.float64),
    }
    for what, S in cases.items():
        got = _call(fn, S.clone(), what=f"on {what}")
        if not torch.isfinite(got).all():
            raise CheckFailed(f"on {what} your log-sum-exp gives inf or nan: exp overflowed, or "
                              "everything underflowed to log 0")
        check.close(got, torch.logsumexp(S, dim=-1), name=f"log-sum-exp on {what}")


q4 = Exercise(
    name="Q4 · a stable log-sum-exp",
    checker=_check_q4,
    hint_text=("log Σ exp(sⱼ) = m + log Σ exp(sⱼ − m) for any m. With m the row's maximum "
               "(`S.max(dim=-1, keepdim=True).values`) the largest term is exp(0) = 1: no "
               "overflow, and the sum is at least 1, so no log 0. Add m back at the end."),
    solution_code="""
def logsumexp(S):
    m = S.max(dim=-1, keepdim=True).values
    return (m + (S - m).exp().sum(dim=-1, keepdim=True).log()).squeeze(-1)

answer = logsumexp
""",
    wrong_codes=[
        "def logsumexp(S):\n    return S.exp().sum(dim=-1).log()\nanswer = logsumexp      # overflows at 1000",
        "def logsumexp(S):\n    m = S.max(dim=-1, keepdim=True).values\n"
        "    return (S - m).exp().sum(dim=-1).log()\nanswer = logsumexp      # m not added back",
        "def logsumexp(S):\n    m = S.min(dim=-1, keepdim=True).values\n"
        "    return (m + (S - m).exp().sum(dim=-1, keepdim=True).log()).squeeze(-1)\n"
        "answer = logsumexp      # the minimum: exp(S − min) still overflows",
        "def logsumexp(S):\n    return S.max(dim=-1).values\nanswer = logsumexp      # only the max: a bound, not the value",
    ],
)


# ---------------------------------------------------------------------------------------------
# q5 · cross-entropy from logits
# ---------------------------------------------------------------------------------------------
def _check_q5(answer):
    import torch
    import torch.nn.functional as F
    fn = _function(answer, "cross_entropy(S, y) → the mean cross-entropy")
    g = torch.Generator().manual_seed(75)
    for scale, what in ((1.0, "ordinary logits"), (500.0, "logits in the hundreds")):
        S = torch.randn(12, 5, generator=g, dtype=torch.float64) * scale
        y = torch.randint(0, 5, (12,), generator=g)
        got = _call(fn, S.clone(), y.clone(), what=f"on {what}")
        if got.numel() != 1:
            raise CheckFailed(f"expected one number (the mean over the 12 examples), got "
                              f"shape {tuple(got.shape)}")
        if not torch.isfinite(got).all():
            raise CheckFailed(f"on {what} your cross-entropy is inf or nan: compute it from the "
                              "logits with a stable log-sum-exp, never as log(softmax)")
        check.close(got.reshape(()), F.cross_entropy(S, y), name=f"cross-entropy on {what}")


q5 = Exercise(
    name="Q5 · cross-entropy from logits",
    checker=_check_q5,
    hint_text=("For one example, −log softmax(s)[y] = log Σⱼ exp(sⱼ) − s_y. Compute the "
               "log-sum-exp stably (Q4, or `torch.logsumexp`), pick each row's true-class logit "
               "with `S[torch.arange(len(y)), y]`, and average."),
    solution_code="""
import torch

def cross_entropy(S, y):
    return (torch.logsumexp(S, dim=1) - S[torch.arange(len(y)), y]).mean()

answer = cross_entropy
""",
    wrong_codes=[
        "import torch\ndef cross_entropy(S, y):\n"
        "    P = S.exp() / S.exp().sum(dim=1, keepdim=True)\n"
        "    return -P[torch.arange(len(y)), y].log().mean()\n"
        "answer = cross_entropy      # naive softmax, then log: nan at large logits",
        "import torch\ndef cross_entropy(S, y):\n"
        "    return (S[torch.arange(len(y)), y] - torch.logsumexp(S, dim=1)).mean()\n"
        "answer = cross_entropy      # the log-likelihood, not its negative",
        "import torch\ndef cross_entropy(S, y):\n"
        "    return (torch.logsumexp(S, dim=1) - S[torch.arange(len(y)), y]).sum()\n"
        "answer = cross_entropy      # a sum, not a mean",
        "import torch\ndef cross_entropy(S, y):\n"
        "    return (torch.logsumexp(S, dim=0) - S[:, 0]).mean()\n"
        "answer = cross_entropy      # wrong axis and always class 0",
    ],
)
