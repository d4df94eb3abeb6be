"""Exercises of L1.05 · Classification: perceptron, logistic & softmax regression (分类).

    from dlcourse.exercises import l1_05 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise


def _numbers(answer, n: int, what: str):
    """A tensor, list or tuple of n numbers → a float64 tensor, or a friendly CheckFailed."""
    import torch
    if isinstance(answer, (str, bytes, dict, set)) or answer is None:
        raise CheckFailed(f"expected {what}, got {type(answer).__name__}")
    try:
        t = torch.as_tensor(answer, dtype=torch.float64).flatten()
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(f"expected {what}, got {answer!r}") from None
    if t.numel() != n:
        raise CheckFailed(f"expected {what} ({n} numbers), got {t.numel()} number(s)")
    return t


def _function(answer, what: str):
    if not callable(answer):
        raise CheckFailed(f"expected a function ({what}), got {type(answer).__name__}")
    return answer


def _call(fn, *args, what: str):
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
        raise CheckFailed(f"calling your function {what} raised {type(exc).__name__}: "
                          f"{exc}") from None


# ---------------------------------------------------------------------------------------------
# q1 · one step of the perceptron rule
# ---------------------------------------------------------------------------------------------
Q1 = dict(w=(0.5, -1.0), b=0.2, x=(1.0, 2.0), t=1.0, lr=0.5)


def _check_q1(answer):
    import torch
    got = _numbers(answer, 3, "the three numbers [w1, w2, b] after the update")
    w, x = torch.tensor(Q1["w"], dtype=torch.float64), torch.tensor(Q1["x"], dtype=torch.float64)
    score = float(w @ x + Q1["b"])
    assert Q1["t"] * score <= 0  # the point is misclassified, so the rule updates
    step = Q1["lr"] * Q1["t"]
    expected = torch.cat([w + step * x, torch.tensor([Q1["b"] + step], dtype=torch.float64)])
    if torch.allclose(got, torch.tensor([*Q1["w"], Q1["b"]], dtype=torch.float64)):
        raise CheckFailed(f"nothing changed, but the score w·x + b = {score:.1f} has the wrong "
                          "sign for a point of class +1: the rule must update")
    if torch.allclose(got[:2], expected[:2]) and abs(got[2] - Q1["b"]) < 1e-9:
        raise CheckFailed("w is right, but the bias moves too: b ← b + η t")
    check.close(got, expected, name="[w1, w2, b] after the update")


q1 = Exercise(
    name="Q1 · one perceptron update",
    checker=_check_q1,
    hint_text=("First compute the score s = w·x + b and check the sign of t·s: the rule updates "
               "only when t·s ≤ 0. The update is w ← w + η·t·x and b ← b + η·t."),
    solution_code="""
import torch
w, b = torch.tensor([0.5, -1.0]), 0.2
x, t, lr = torch.tensor([1.0, 2.0]), 1.0, 0.5
if t * (w @ x + b) <= 0:            # -1.3: on the wrong side, so update
    w, b = w + lr * t * x, b + lr * t
answer = [w[0].item(), w[1].item(), b]
""",
    wrong_codes=[
        "answer = [0.5, -1.0, 0.2]      # no update: the point was misclassified",
        "answer = [1.0, 0.0, 0.2]       # bias not updated",
        "answer = [0.0, -2.0, -0.3]     # moved away from the point (sign flipped)",
        "answer = [1.5, 1.0, 1.2]       # the learning rate forgotten",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · the gradient of the binary cross-entropy
# ---------------------------------------------------------------------------------------------
def _check_q2(answer):
    import torch
    import torch.nn.functional as F
    fn = _function(answer, "grad(X, y, w, b) → (grad_w, grad_b)")
    g = torch.Generator().manual_seed(52)
    for n, d in [(7, 3), (20, 2)]:
        X = torch.randn(n, d, generator=g, dtype=torch.float64)
        y = (torch.rand(n, generator=g) > 0.5).double()
        w = torch.randn(d, generator=g, dtype=torch.float64)
        b = torch.randn((), generator=g, dtype=torch.float64)
        out = _call(fn, X, y, w.clone(), b.clone(), what="grad(X, y, w, b)")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise CheckFailed("your function should return a pair (grad_w, grad_b)")
        wr, br = w.clone().requires_grad_(), b.clone().requires_grad_()
        F.binary_cross_entropy_with_logits(X @ wr + br, y).backward()
        check.close(out[0], wr.grad, name=f"grad_w (n={n}, d={d})")
        check.close(torch.as_tensor(out[1]).reshape(()), br.grad, name=f"grad_b (n={n}, d={d})")


q2 = Exercise(
    name="Q2 · the gradient of the BCE",
    checker=_check_q2,
    hint_text=("Per point, the derivative of the loss with respect to the score s = x·w + b is "
               "p − y with p = σ(s). The chain rule multiplies it by x for w and by 1 for b; the "
               "loss is a mean, so divide the sums by n."),
    solution_code="""
import torch

def grad(X, y, w, b):
    p = torch.sigmoid(X @ w + b)
    g = (p - y) / len(y)          # dL/ds for each point
    return X.T @ g, g.sum()

answer = grad
""",
    wrong_codes=[
        "import torch\ndef grad(X, y, w, b):\n    g = (y - torch.sigmoid(X @ w + b)) / len(y)\n"
        "    return X.T @ g, g.sum()\nanswer = grad      # sign flipped: the ascent direction",
        "import torch\ndef grad(X, y, w, b):\n    g = torch.sigmoid(X @ w + b) - y\n"
        "    return X.T @ g, g.sum()\nanswer = grad      # a sum, not a mean",
        "import torch\ndef grad(X, y, w, b):\n    g = ((X @ w + b) - y) / len(y)\n"
        "    return X.T @ g, g.sum()\nanswer = grad      # the score instead of the probability",
        "import torch\ndef grad(X, y, w, b):\n    p = torch.sigmoid(X @ w + b)\n"
        "    g = (p - y) * p * (1 - p) / len(y)\n    return X.T @ g, g.sum()\n"
        "answer = grad      # an extra σ' factor: that is the gradient of MSE∘σ (up to 2)",
    ],
)


# ---------------------------------------------------------------------------------------------
# q3 · a numerically stable softmax
# ---------------------------------------------------------------------------------------------
def _check_q3(answer):
    import torch
    fn = _function(answer, "softmax(S) over the last dimension")
    g = torch.Generator().manual_seed(53)
    cases = {
        "random scores of shape (4, 5)": torch.randn(4, 5, generator=g, dtype=torch.float64),
        "a 1-D score vector": torch.randn(6, generator=g, dtype=torch.float64),
        "rows [1000, 1001, 1002] and [-1000, -999, -998]":
            torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]]),
    }
    for what, S in cases.items():
        got = _call(fn, S.clone(), what=f"on {what}")
        got = torch.as_tensor(got)
        if torch.isnan(got).any() or torch.isinf(got).any():
            raise CheckFailed(f"on {what} your softmax gives nan or inf: exp overflowed or "
                              "underflowed to 0/0")
        check.close(got, torch.softmax(S, dim=-1), name=f"softmax on {what}")


q3 = Exercise(
    name="Q3 · a stable softmax",
    checker=_check_q3,
    hint_text=("softmax(s) = softmax(s − c) for any constant c. Subtract each row's own maximum "
               "(`S.max(dim=-1, keepdim=True).values`) before exp: the largest exponent is then "
               "0, so nothing overflows, and each row's sum is at least 1."),
    solution_code="""
def softmax(S):
    Z = S - S.max(dim=-1, keepdim=True).values
    E = Z.exp()
    return E / E.sum(dim=-1, keepdim=True)

answer = softmax
""",
    wrong_codes=[
        "def softmax(S):\n    E = S.exp()\n    return E / E.sum(dim=-1, keepdim=True)\n"
        "answer = softmax      # overflows at 1000",
        "def softmax(S):\n    E = (S - S.max()).exp()\n    return E / E.sum(dim=-1, keepdim=True)\n"
        "answer = softmax      # one global max: the second row underflows to 0/0",
        "def softmax(S):\n    Z = S - S.max(dim=0, keepdim=True).values\n    E = Z.exp()\n"
        "    return E / E.sum(dim=0, keepdim=True)\nanswer = softmax      # normalised over the wrong axis",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · features that make the circle linearly separable
# ---------------------------------------------------------------------------------------------
def circle_data():
    """The data of q4: dlcourse.data.two_d("circle") with 200 points (seeded, always the same)."""
    from ..data.synthetic import two_d
    return two_d("circle", n=200, noise=0.05, seed=4)


def _logistic_accuracy(Phi, y, steps: int = 400, lr: float = 1.0) -> float:
    """Training accuracy of logistic regression (full-batch GD on standardised features)."""
    import torch
    Phi = (Phi - Phi.mean(0)) / Phi.std(0).clamp(min=1e-8)
    w = torch.zeros(Phi.shape[1], dtype=torch.float64)
    b = torch.zeros((), dtype=torch.float64)
    for _ in range(steps):
        g = (torch.sigmoid(Phi @ w + b) - y) / len(y)
        w, b = w - lr * Phi.T @ g, b - lr * g.sum()
    return ((Phi @ w + b > 0).double() == y).double().mean().item()


def _check_q4(answer):
    import torch
    fn = _function(answer, "phi(X) → a (n, k) feature matrix")
    X, y = circle_data()
    Phi = torch.as_tensor(_call(fn, X.clone(), what="phi(X)"))
    if Phi.ndim != 2 or Phi.shape[0] != len(X):
        raise CheckFailed(f"phi(X) should have shape (n, k) = ({len(X)}, k), got "
                          f"{tuple(Phi.shape)}")
    if not 1 <= Phi.shape[1] <= 10:
        raise CheckFailed(f"use between 1 and 10 features, not {Phi.shape[1]}")
    Phi = Phi.double()
    if not torch.isfinite(Phi).all():
        raise CheckFailed("phi(X) contains nan or inf")
    accuracy = _logistic_accuracy(Phi, y.double())
    if accuracy < 0.95:
        raise CheckFailed(f"logistic regression on your features reaches {accuracy:.0%} "
                          "training accuracy; a good feature gets at least 95%")


q4 = Exercise(
    name="Q4 · features for the circle",
    checker=_check_q4,
    hint_text=("Class 1 is the inner disc, class 0 the ring around it: the label depends on the "
               "distance from the centre, x1² + x2², not on the direction. A line in the "
               "features (x1², x2²) is a circle in the plane."),
    solution_code="""
import torch

def phi(X):
    return torch.stack([X[:, 0] ** 2, X[:, 1] ** 2], dim=1)

answer = phi
""",
    wrong_codes=[
        "def phi(X):\n    return X\nanswer = phi        # a line cannot enclose a disc",
        "import torch\ndef phi(X):\n    return torch.stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]], 1)\n"
        "answer = phi        # x1·x2 solves XOR, not the circle",
        "import torch\ndef phi(X):\n    return ((X[:, 0] + X[:, 1]) ** 2)[:, None]\n"
        "answer = phi        # a band along a diagonal, not a disc",
    ],
)


# ---------------------------------------------------------------------------------------------
# q5 · recall from a confusion matrix
# ---------------------------------------------------------------------------------------------
def confusion():
    """The data of q5: a 10 × 10 confusion matrix of counts, rows = true digit, columns =
    predicted digit (seeded, always the same)."""
    import torch
    g = torch.Generator().manual_seed(55)
    C = torch.randint(0, 4, (10, 10), generator=g) * (torch.rand(10, 10, generator=g) < 0.3)
    C = C + torch.diag(torch.randint(30, 46, (10,), generator=g))
    return C


def _check_q5(answer):
    import torch
    C = confusion().double()
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a tensor of 10 recalls, got {type(answer).__name__}")
    got = answer.detach().double().flatten()
    if got.numel() != 10:
        raise CheckFailed(f"expected 10 numbers, one per digit, got {got.numel()}")
    if torch.allclose(got, C.diag() / C.sum(0)):
        raise CheckFailed("you divided by the column sums (all images *predicted* as k): that "
                          "is the precision. Recall divides by the row sums, the true k's.")
    check.close(got, C.diag() / C.sum(1), name="recall per digit")


q5 = Exercise(
    name="Q5 · recall from a confusion matrix",
    checker=_check_q5,
    hint_text=("Row k of the matrix counts the images whose true digit is k, split by what the "
               "model predicted. The diagonal entry C[k, k] is the ones it got right. Recall of "
               "class k = C[k, k] / (sum of row k); `C.diag()` and `C.sum(dim=1)` do it for all "
               "ten at once."),
    solution_code="""
from dlcourse.exercises.l1_05 import confusion
C = confusion().double()
answer = C.diag() / C.sum(dim=1)
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_05 import confusion\nC = confusion().double()\n"
        "answer = C.diag() / C.sum(dim=0)      # precision, not recall",
        "from dlcourse.exercises.l1_05 import confusion\nC = confusion().double()\n"
        "answer = C.diag() / C.sum()           # share of all images",
        "from dlcourse.exercises.l1_05 import confusion\nimport torch\nC = confusion().double()\n"
        "answer = torch.full((10,), (C.diag().sum() / C.sum()).item())   # overall accuracy",
    ],
)
