"""Exercises of L1.06 · MLP & backpropagation (多层感知机与反向传播).

    from dlcourse.exercises import l1_06 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise


def _call(fn, *args, what: str):
    """Call a learner's function; any exception becomes a friendly CheckFailed."""
    import numpy as np
    if not callable(fn):
        raise CheckFailed(f"expected a function ({what}), got {type(fn).__name__}")
    try:
        with np.errstate(all="ignore"):
            return fn(*args)
    except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise CheckFailed(f"your function raised {type(exc).__name__}: {first}") from None


def _array(x, what: str):
    import numpy as np
    try:
        arr = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: expected an array of numbers, got {type(x).__name__}") from None
    return arr


def _finite(arr, what: str, where: str) -> None:
    import numpy as np
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(f"{what} contains NaN or inf {where}: an exponential overflowed. "
                          "Rewrite it so that exp only ever sees numbers ≤ 0.")


# ---------------------------------------------------------------------------------------------
# q1 · the derivative of softplus, stable
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    import numpy as np
    import torch
    z = np.concatenate([np.linspace(-30, 30, 121), [-1000.0, -200.0, 200.0, 1000.0]])
    got = _array(_call(answer, z.copy(), what="f′(z) for a NumPy array z"), "f′(z)")
    if got.shape != z.shape:
        raise CheckFailed(f"for an input of shape {z.shape} your function returns shape {got.shape}")
    moderate = np.abs(z) <= 30
    t = torch.from_numpy(z).requires_grad_(True)
    torch.nn.functional.softplus(t).sum().backward()
    expected = t.grad.numpy()
    check.close(got[moderate], expected[moderate], name="f′(z) for -30 ≤ z ≤ 30", rtol=1e-6,
                atol=1e-9)
    _finite(got, "f′(z)", "at z = ±200 or ±1000")
    check.close(got, expected, name="f′(z) at z = ±200 and ±1000", rtol=1e-6, atol=1e-9)


q1 = Exercise(
    name="Q1 · softplus′, stably",
    checker=_check_q1,
    hint_text=("d/dz log(1 + e^z) = e^z / (1 + e^z). Divide top and bottom by e^z: it is the sigmoid "
               "σ(z) = 1 / (1 + e^(-z)). For large negative z, e^(-z) overflows; the lesson's "
               "sigmoid(z) = 0.5 * (1 + tanh(z / 2)) never does."),
    solution_code="""
import numpy as np

def softplus_grad(z):
    # d/dz log(1 + e^z) = e^z / (1 + e^z) = sigmoid(z), written without overflow
    return 0.5 * (1 + np.tanh(z / 2))

answer = softplus_grad
""",
    wrong_codes=[
        "import numpy as np\nanswer = lambda z: np.exp(z) / (1 + np.exp(z))     # inf / inf = NaN at z = 1000",
        "import numpy as np\nanswer = lambda z: 1 / (1 + np.exp(z))             # that is sigmoid(-z)",
        "import numpy as np\nanswer = lambda z: np.log1p(np.exp(z))             # softplus itself",
        "import numpy as np\nanswer = lambda z: (z > 0).astype(float)           # the ReLU's derivative",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · counting parameters
# ---------------------------------------------------------------------------------------------
Q2_SIZES = (784, 512, 256, 10)


def _q2_expected() -> int:
    return sum(a * b + b for a, b in zip(Q2_SIZES[:-1], Q2_SIZES[1:]))


def _check_q2(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or (
            isinstance(answer, float) and not answer.is_integer()):
        raise CheckFailed(f"expected a whole number of parameters, got {answer!r}")
    value = int(answer)
    weights = sum(a * b for a, b in zip(Q2_SIZES[:-1], Q2_SIZES[1:]))
    mistakes = {
        weights: "that counts the weights only; each layer also has one bias per output",
        weights + sum(Q2_SIZES): "the input layer has no biases: one bias per neuron of the next layer",
        sum(Q2_SIZES): "that is the number of units, not of parameters",
        math.prod(Q2_SIZES): "layers connect in sequence: multiply only neighbouring sizes, then add",
    }
    if value in mistakes:
        raise CheckFailed(f"{value:,} is not it: {mistakes[value]}")
    check.equal(value, _q2_expected(), name="the number of parameters")


q2 = Exercise(
    name="Q2 · count the parameters",
    checker=_check_q2,
    hint_text=("A layer from a units to b units has an a × b weight matrix and b biases. Add this up "
               "for 784 → 512, 512 → 256 and 256 → 10. Check yourself with "
               "sum(p.numel() for p in model.parameters())."),
    solution_code="""
sizes = [784, 512, 256, 10]
answer = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
""",
    wrong_codes=[
        "answer = 784 * 512 + 512 * 256 + 256 * 10                    # biases forgotten",
        "answer = 784 * 512 + 512 * 256 + 256 * 10 + 784 + 512 + 256 + 10   # biases on the input too",
        "answer = 784 * 512 * 256 * 10",
        "answer = 784 * 512 + 512 + 512 * 256 + 256                   # output layer forgotten",
    ],
)


# ---------------------------------------------------------------------------------------------
# q3 · backward of an affine layer
# ---------------------------------------------------------------------------------------------
def _check_q3(answer):
    import numpy as np
    import torch
    rng = np.random.default_rng(3)
    for n, d, h in [(5, 3, 4), (2, 6, 6), (7, 1, 2)]:
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
        dY = rng.normal(size=(n, h))
        out = _call(answer, X.copy(), W.copy(), dY.copy(), what="linear_backward(X, W, dY)")
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise CheckFailed(f"expected a tuple (dX, dW, db), got {type(out).__name__}")
        tX, tW, tb = (torch.from_numpy(a).requires_grad_(True) for a in (X, W, b))
        (tX @ tW + tb).backward(torch.from_numpy(dY))
        for got, ref, name in zip(out, (tX.grad, tW.grad, tb.grad), ("dX", "dW", "db")):
            got = _array(got, name)
            if got.shape != tuple(ref.shape):
                raise CheckFailed(f"{name} has shape {got.shape} for X {X.shape}, W {W.shape}: "
                                  f"a gradient has the shape of its variable, {tuple(ref.shape)}")
            check.close(got, ref, name=f"{name} for X of shape {X.shape}", rtol=1e-9, atol=1e-12)


q3 = Exercise(
    name="Q3 · backward of a linear layer",
    checker=_check_q3,
    hint_text=("Y = X @ W + b with X (N, D), W (D, H), b (H,) and dY (N, H). Each gradient has the "
               "shape of its variable; only one product of dY with X or W has each shape: dX = "
               "dY @ W.T is (N, D), dW = X.T @ dY is (D, H). b is added to every row: sum dY over "
               "the rows."),
    solution_code="""
def linear_backward(X, W, dY):
    dX = dY @ W.T
    dW = X.T @ dY
    db = dY.sum(axis=0)
    return dX, dW, db

answer = linear_backward
""",
    wrong_codes=[
        "answer = lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.mean(axis=0))    # bias grad averaged",
        "answer = lambda X, W, dY: (dY @ W.T, dY.T @ X, dY.sum(axis=0))     # dW transposed",
        "answer = lambda X, W, dY: (dY @ W, X.T @ dY, dY.sum(axis=0))       # W not transposed",
        "answer = lambda X, W, dY: (dY @ W.T, X.T @ dY, dY)                 # bias not summed",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · the gradient of softmax cross-entropy
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    import numpy as np
    import torch
    rng = np.random.default_rng(4)
    cases = [(rng.normal(size=(6, 4)), "small logits"),
             (rng.normal(size=(5, 3)) * 300 + 700, "large logits (around 700)")]
    for S, label in cases:
        y = rng.integers(0, S.shape[1], len(S))
        got = _array(_call(answer, S.copy(), y.copy(), what="ce_grad(S, y)"), "dS")
        if got.shape != S.shape:
            raise CheckFailed(f"dS has shape {got.shape}, expected the shape of S, {S.shape}")
        _finite(got, "dS", f"for {label}")
        t = torch.from_numpy(S).requires_grad_(True)
        torch.nn.functional.cross_entropy(t, torch.from_numpy(y)).backward()
        check.close(got, t.grad, name=f"dS for {label}", rtol=1e-7, atol=1e-10)


q4 = Exercise(
    name="Q4 · softmax cross-entropy gradient",
    checker=_check_q4,
    hint_text=("For the mean loss L = -(1/N) Σ log softmax(S)[i, y_i], dL/dS = (P - Y) / N, with P "
               "the softmax of each row and Y the one-hot labels. Subtract each row's max from S "
               "before exp: the softmax does not change, and exp can no longer overflow."),
    solution_code="""
import numpy as np

def ce_grad(S, y):
    S = S - S.max(axis=1, keepdims=True)        # stable: exp sees numbers <= 0
    P = np.exp(S)
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1                 # P - Y
    return P / len(y)                            # the loss is a mean over N rows

answer = ce_grad
""",
    wrong_codes=[
        """import numpy as np
def ce_grad(S, y):                               # no max-shift: exp(700) overflows
    P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P / len(y)
answer = ce_grad""",
        """import numpy as np
def ce_grad(S, y):                               # not divided by N
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P
answer = ce_grad""",
        """import numpy as np
def ce_grad(S, y):                               # Y - P: the sign flipped
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    Y = np.eye(S.shape[1])[y]
    return (Y - P) / len(y)
answer = ce_grad""",
        """import numpy as np
def ce_grad(S, y):                               # softmax over the batch axis
    P = np.exp(S - S.max(axis=0, keepdims=True))
    P /= P.sum(axis=0, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P / len(y)
answer = ce_grad""",
    ],
)


# ---------------------------------------------------------------------------------------------
# q5 · a hat from three ReLUs
# ---------------------------------------------------------------------------------------------
def hat(x):
    """The target of q5: 0 outside [-1, 1], rising to 1 at x = 0 and back down."""
    import numpy as np
    return np.maximum(0.0, 1.0 - np.abs(x))


def network(params, x):
    """A 1-hidden-layer ReLU network on scalars: Σ_j v_j relu(a_j x + b_j) + c."""
    import numpy as np
    a, b, v, c = params
    a, b, v = (np.asarray(p, dtype=np.float64).reshape(-1) for p in (a, b, v))
    return np.maximum(np.outer(x, a) + b, 0.0) @ v + float(c)


def _check_q5(answer):
    import numpy as np
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise CheckFailed("expected a tuple (a, b, v, c): three lists of 3 numbers and a number")
    try:
        a, b, v = (np.asarray(p, dtype=np.float64).reshape(-1) for p in answer[:3])
        c = float(answer[3])
    except (TypeError, ValueError):
        raise CheckFailed("expected a tuple (a, b, v, c): three lists of 3 numbers and a number") from None
    if not (len(a) == len(b) == len(v) == 3):
        raise CheckFailed(f"a, b and v need 3 entries each (3 neurons), got {len(a)}, {len(b)}, {len(v)}")
    x = np.linspace(-3, 3, 601)
    got = network((a, b, v, c), x)
    wrong = np.abs(got - hat(x)) > 1e-9
    if wrong.any():
        xs = x[wrong]
        raise CheckFailed(f"your network differs from the hat on {wrong.mean():.0%} of [-3, 3], "
                          f"e.g. at x = {xs[0]:.2f} it gives {got[wrong][0]:.3g} instead of "
                          f"{hat(xs[:1])[0]:.3g}")


q5 = Exercise(
    name="Q5 · a hat from three ReLUs",
    checker=_check_q5,
    hint_text=("Each ReLU neuron relu(a·x + b) adds a kink at x = -b/a. The hat has kinks at -1, 0 "
               "and 1, where its slope changes by +1, -2 and +1. With a = 1 for every neuron, put "
               "the kinks there (b = 1, 0, -1) and give each neuron the slope change as its output "
               "weight v."),
    solution_code="""
a = [1.0, 1.0, 1.0]      # input weights
b = [1.0, 0.0, -1.0]     # kinks at x = -1, 0, 1
v = [1.0, -2.0, 1.0]     # slope changes: 0 → 1 → -1 → 0
c = 0.0
answer = (a, b, v, c)
""",
    wrong_codes=[
        "answer = ([1, 1, 1], [1, 0, -1], [1, -1, 1], 0.0)     # slope after the top is 1, not -1",
        "answer = ([1, 1, 1], [2, 0, -2], [1, -2, 1], 0.0)     # kinks at ±2: twice as wide and high",
        "answer = ([1, 1, 1], [1, 0, -1], [1, -2, 1], 1.0)     # shifted up by 1",
        "answer = ([1, 1, 1], [1, 0, -1], [1, -2, 0], 0.0)     # keeps falling after x = 1",
    ],
)
