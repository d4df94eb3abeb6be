"""Exercises of L1.01 · Tensors & broadcasting (张量与广播).

    from dlcourse.exercises import l1_01 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise


def _tensor(answer, what):
    import torch
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a torch.Tensor ({what}), got {type(answer).__name__}")
    return answer


# ---------------------------------------------------------------------------------------------
# q1 · creation and dtype
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    import torch
    t = _tensor(answer, "shape (3, 4), dtype float64")
    check.dtype(t, torch.float64)
    check.shape(t, (3, 4))
    check.close(t, torch.arange(12, dtype=torch.float64).reshape(3, 4),
                name="the values (0, 1, 2, 3 should fill the first row)")


q1 = Exercise(
    name="Q1 · create a tensor",
    checker=_check_q1,
    hint_text=("`torch.arange(n)` counts 0 … n-1, `dtype=` picks the number type (the default for "
               "integers is int64, for floats float32), and `.reshape(rows, cols)` fills row by "
               "row."),
    solution_code="""
import torch
answer = torch.arange(12, dtype=torch.float64).reshape(3, 4)
""",
    wrong_codes=[
        "import torch\nanswer = torch.arange(12).reshape(3, 4)                 # int64",
        "import torch\nanswer = torch.arange(12.0).reshape(3, 4)               # float32",
        "import torch\nanswer = torch.arange(12, dtype=torch.float64).reshape(4, 3)",
        "import torch\nanswer = torch.arange(12, dtype=torch.float64).reshape(4, 3).T   # by columns",
        "answer = [[0., 1., 2., 3.], [4., 5., 6., 7.], [8., 9., 10., 11.]]   # a list, not a tensor",
    ],
)

# ---------------------------------------------------------------------------------------------
# q2 · predict broadcast shapes
# ---------------------------------------------------------------------------------------------
Q2_PAIRS = [((5, 1, 4), (3, 1)), ((2, 3), (3, 2)), ((7,), (4, 1)), ((6, 1, 3), (6, 3))]


def _q2_expected():
    import torch
    out = []
    for a, b in Q2_PAIRS:
        try:
            out.append(tuple(torch.broadcast_shapes(a, b)))
        except RuntimeError:
            out.append("error")
    return out


def _check_q2(answer):
    if not isinstance(answer, (list, tuple)) or len(answer) != len(Q2_PAIRS):
        raise CheckFailed(f"expected a list of {len(Q2_PAIRS)} entries (a shape tuple or "
                          f"\"error\" for each pair), got {answer!r}")
    got = []
    for item in answer:
        if isinstance(item, str):
            got.append(item.strip().lower())
        else:
            try:
                got.append(tuple(int(d) for d in item))
            except TypeError:
                raise CheckFailed(f"{item!r} is neither a shape nor \"error\"") from None
    wrong = [f"{a} with {b}" for (a, b), g, e in zip(Q2_PAIRS, got, _q2_expected()) if g != e]
    if wrong:
        raise CheckFailed(f"{len(wrong)} of {len(Q2_PAIRS)} not right yet: " + "; ".join(wrong))


q2 = Exercise(
    name="Q2 · predict the shape",
    checker=_check_q2,
    hint_text=("Write the shapes right-aligned, one above the other. Pad the shorter one with 1s "
               "on the left. Then, column by column: equal sizes stay, a 1 stretches to the other "
               "size, anything else is an error."),
    solution_code="""
answer = [(5, 3, 4), "error", (4, 7), (6, 6, 3)]
""",
    wrong_codes=[
        'answer = [(5, 3, 4), (3, 3), (4, 7), (6, 6, 3)]       # 3 vs 2 forced to match',
        'answer = [(5, 3, 4), "error", (7, 4), (6, 6, 3)]      # aligned on the left',
        'answer = [(5, 3, 4), "error", (4, 7), "error"]        # 1 vs 6 treated as a mismatch',
        'answer = [(5, 1, 4), "error", (4, 7), (6, 1, 3)]      # size-1 dims kept',
    ],
)

# ---------------------------------------------------------------------------------------------
# q3 · views or copies
# ---------------------------------------------------------------------------------------------
Q3_CODE = {
    "a": "x.view(3, 4)",
    "b": "x[::2]",
    "c": "x[[0, 2, 4]]",
    "d": "x.clone()",
    "e": "x.view(3, 4).t()",
    "f": "x.view(3, 4).t().reshape(12)",
    "g": "x[x > 5]",
}


def _q3_expected() -> set[str]:
    import torch
    x = torch.arange(12)
    shared = set()
    for key, expr in Q3_CODE.items():
        y = eval(expr, {"x": x})  # noqa: S307 -- our own fixed expressions
        if y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr():
            shared.add(key)
    return shared


def _check_q3(answer):
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        raise CheckFailed(f"expected a set of letters such as {{'a', 'b'}}, got {answer!r}")
    got = {str(k).strip().lower() for k in answer}
    unknown = got - set(Q3_CODE)
    if unknown:
        raise CheckFailed(f"unknown letters {sorted(unknown)}; choose among {sorted(Q3_CODE)}")
    expected = _q3_expected()
    if got != expected:
        extra, missing = sorted(got - expected), sorted(expected - got)
        parts = []
        if extra:
            parts.append(f"{len(extra)} of your letters name a copy")
        if missing:
            parts.append(f"{len(missing)} view(s) are missing")
        raise CheckFailed("; ".join(parts))


q3 = Exercise(
    name="Q3 · view or copy",
    checker=_check_q3,
    hint_text=("Basic slicing (ints, ranges, steps), view, transpose and permute only change the "
               "shape/stride bookkeeping: views. Indexing with a list or a boolean mask gathers "
               "elements into new memory, and clone always copies. reshape is a view when it "
               "can be and a copy when the input is not contiguous. Test a guess with "
               "`y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()`."),
    solution_code="""
answer = {"a", "b", "e"}
""",
    wrong_codes=[
        'answer = {"a", "b", "e", "f"}          # reshape of a transposed tensor copies',
        'answer = {"a", "e"}                    # a strided slice is still a view',
        'answer = {"a", "b", "c", "e"}          # list indexing copies',
        'answer = {"a", "b", "e", "g"}          # a boolean mask copies',
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · pairwise squared distances by broadcasting
# ---------------------------------------------------------------------------------------------
def points():
    """The data of q4: X with 6 points and Y with 4 points in 3-D (seeded, always the same)."""
    import torch
    g = torch.Generator().manual_seed(101)
    return torch.randn(6, 3, generator=g), torch.randn(4, 3, generator=g)


def _check_q4(answer):
    import torch
    X, Y = points()
    t = _tensor(answer, "the (6, 4) matrix of squared distances")
    if tuple(t.shape) == (4, 6):
        raise CheckFailed("shape (4, 6): rows should index X and columns Y (you want (6, 4))")
    check.shape(t, (6, 4), name="D")
    expected = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    if torch.allclose(t.double() ** 2, expected.double(), rtol=1e-4, atol=1e-6):
        raise CheckFailed("these are the distances; the exercise asks for squared distances")
    check.close(t, expected, name="D", rtol=1e-4, atol=1e-5)


q4 = Exercise(
    name="Q4 · pairwise distances",
    checker=_check_q4,
    hint_text=("Give X a new axis in the middle and Y a new axis in front: X[:, None, :] has "
               "shape (6, 1, 3) and Y[None, :, :] has shape (1, 4, 3). Their difference "
               "broadcasts to (6, 4, 3); square it and sum over the last axis."),
    solution_code="""
from dlcourse.exercises.l1_01 import points
X, Y = points()
answer = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1)
""",
    wrong_codes=[
        "from dlcourse.exercises.l1_01 import points\nX, Y = points()\n"
        "answer = ((X[None, :, :] - Y[:, None, :]) ** 2).sum(dim=-1)      # (4, 6)",
        "from dlcourse.exercises.l1_01 import points\nX, Y = points()\n"
        "answer = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1).sqrt()   # not squared",
        "from dlcourse.exercises.l1_01 import points\nX, Y = points()\n"
        "answer = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=1)       # wrong axis",
        "from dlcourse.exercises.l1_01 import points\nX, Y = points()\n"
        "answer = (X ** 2).sum(-1, keepdim=True) + (Y ** 2).sum(-1) - X @ Y.T   # missing 2×",
    ],
)


# ---------------------------------------------------------------------------------------------
# q5 · einsum: attention-style scores
# ---------------------------------------------------------------------------------------------
def _check_q5(answer):
    import torch
    if not isinstance(answer, str):
        raise CheckFailed(f"expected an einsum spec (a string such as 'ij,jk->ik'), got {answer!r}")
    g = torch.Generator().manual_seed(5)
    # (batch, n, d, m): the second case has n == m, so a transposed result has the right shape
    for b, n, d, m in [(2, 3, 4, 5), (3, 2, 6, 2)]:
        Q = torch.randn(b, n, d, generator=g, dtype=torch.float64)
        K = torch.randn(b, m, d, generator=g, dtype=torch.float64)
        try:
            got = torch.einsum(answer, Q, K)
        except (RuntimeError, ValueError) as exc:
            first = str(exc).splitlines()[0]
            raise CheckFailed(f"torch.einsum({answer!r}, Q, K) fails for Q of shape "
                              f"{tuple(Q.shape)} and K of shape {tuple(K.shape)}: {first}") from None
        check.close(got, Q @ K.transpose(1, 2), name=f"torch.einsum({answer!r}, Q, K)")


q5 = Exercise(
    name="Q5 · scores with einsum",
    checker=_check_q5,
    hint_text=("Name every axis with a letter: Q is (b, i, c) and K is (b, j, c). The shared "
               "feature letter c is in both inputs and not in the output, so it is summed; b is "
               "kept (one result per batch element), and the output is (b, i, j)."),
    solution_code="""
answer = "bic,bjc->bij"
""",
    wrong_codes=[
        'answer = "bic,bjc->ij"      # sums over the batch too',
        'answer = "bic,bcj->bij"     # K read as if already transposed: sizes do not match',
        'answer = "bic,bjc->bji"     # output transposed',
        'answer = "bic,bjc->bijc"    # the feature axis kept instead of summed',
        'answer = "bic,bic->bi"      # each query only with the key at the same position',
    ],
)
