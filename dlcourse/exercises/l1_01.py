"""Exercises of L1.01 · Tensors & broadcasting (张量与广播).

    from dlcourse.exercises import l1_01 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_01_answers as answers
from .kinds import choices


# ---------------------------------------------------------------------------------------------
# q1 · creation and dtype
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    import torch
    t = check.as_tensor(answer, "shape (3, 4), dtype float64")
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
    right_answer=answers.counting_tensor,
    wrong_answers=[answers.counting_tensor_int64, answers.counting_tensor_float32,
                   answers.counting_tensor_4_by_3, answers.counting_tensor_by_columns,
                   answers.counting_tensor_as_list],
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
    items = check.as_tuple(answer, len(Q2_PAIRS), 'a shape tuple or "error" for each pair')
    got = []
    for item in items:
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
    right_answer=answers.broadcast_shapes,
    wrong_answers=[answers.broadcast_shapes_forced_match, answers.broadcast_shapes_left_aligned,
                   answers.broadcast_shapes_one_vs_six_mismatch,
                   answers.broadcast_shapes_ones_kept],
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
    """The letters whose result shares x's memory, found by running the code shown."""
    import torch
    x = torch.arange(12)
    shared = set()
    for key, expr in Q3_CODE.items():
        y = eval(expr, {"x": x})  # noqa: S307 -- our own fixed expressions
        if y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr():
            shared.add(key)
    return shared


q3 = choices(
    list(Q3_CODE), _q3_expected,
    extra="{n} of your letters name a copy", missing="{n} view(s) are missing",
    name="Q3 · view or copy",
    hint_text=("Basic slicing (ints, ranges, steps), view, transpose and permute only change the "
               "shape/stride bookkeeping: views. Indexing with a list or a boolean mask gathers "
               "elements into new memory, and clone always copies. reshape is a view when it "
               "can be and a copy when the input is not contiguous. Test a guess with "
               "`y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()`."),
    right_answer=answers.views,
    wrong_answers=[answers.views_with_reshape_of_transpose, answers.views_without_strided_slice,
                   answers.views_with_list_indexing, answers.views_with_boolean_mask],
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
    t = check.as_tensor(answer, "the (6, 4) matrix of squared distances")
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
    right_answer=answers.squared_distances,
    wrong_answers=[answers.squared_distances_transposed, answers.distances_not_squared,
                   answers.squared_distances_wrong_axis,
                   answers.squared_distances_expansion_without_2],
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
    right_answer=answers.scores_spec,
    wrong_answers=[answers.scores_spec_sums_batch, answers.scores_spec_k_pre_transposed,
                   answers.scores_spec_output_transposed, answers.scores_spec_feature_kept,
                   answers.scores_spec_same_position_only],
)
