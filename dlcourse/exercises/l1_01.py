"""Exercises of L1.01 · Tensors & broadcasting (张量与广播).

    from dlcourse.exercises import l1_01 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_01_answers as answers
from .kinds import choices, write_function


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
    "a": "x.view(3, 4)[:, 1]",
    "b": "x.view(3, 4).t().reshape(4, 3)",
    "c": "x.view(3, 4)[1:].reshape(8)",
    "d": "x.view(3, 4)[:, :2].reshape(6)",
    "e": "x.view(3, 4).diagonal()",
    "f": "x.flip(0)",
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
    hint_text=("Slicing, view, t() and diagonal() only write a new shape, stride and offset over "
               "the same memory: views (the diagonal of a 3 × 4 is a stride of 5). reshape "
               "returns a view when strides can describe the result (a contiguous block, or a "
               "shape it already has), and copies otherwise. A mask gathers elements: a copy. "
               "PyTorch has no negative strides, so flip copies (NumPy's flip is a view). Test "
               "a guess with `same_storage(y, x)` from section 6."),
    right_answer=answers.views,
    wrong_answers=[answers.views_reshape_always_copies, answers.views_reshape_of_any_slice,
                   answers.views_flip_as_in_numpy, answers.views_diagonal_gathers,
                   answers.views_reshape_of_transpose_copies],
)


# ---------------------------------------------------------------------------------------------
# q4 · pairwise distances by broadcasting
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import torch
    g = torch.Generator().manual_seed(104)
    rand = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    same = rand(5, 3)
    return {
        "X of 6 points and Y of 4 points in 3-D": (rand(6, 3), rand(4, 3)),
        "X and Y of 5 points each in 2-D": (rand(5, 2), rand(5, 2)),
        "one point in X, 3 points in Y, in 7-D": (rand(1, 7), rand(3, 7)),
        "points on a line (1-D), 4 and 2 of them": (rand(4, 1), rand(2, 1)),
        "Y the same 5 points as X (the diagonal is 0)": (same, same.clone()),
    }


def _cdist_reference(X, Y):
    import torch
    return torch.cdist(X, Y)


def _q4_diagnose(got, expected, args):
    import torch
    got = check.as_array(got)
    if tuple(got.shape) == tuple(expected.shape)[::-1] and got.shape != expected.shape:
        return (f"shape {tuple(got.shape)}: rows should index the points of X and columns those "
                f"of Y, {tuple(expected.shape)}")
    if got.shape == expected.shape and torch.allclose(got, expected ** 2, rtol=1e-6, atol=1e-6):
        return "these are the squared distances: take the square root"
    if got.shape == expected.shape and torch.allclose(got, expected.T, rtol=1e-6, atol=1e-6):
        return "the result is transposed: D[i, j] pairs X[i] with Y[j]"
    if bool(torch.isnan(got).any()):
        return ("nan where a distance is 0: with |x|² + |y|² − 2 x·y rounding can go slightly "
                "negative; clamp at 0 (`.clamp(min=0)`) before the square root")
    return None


q4 = write_function(
    "pairwise_distances(X, Y)", _cdist_reference, _q4_cases, rtol=1e-6, atol=1e-6,
    diagnose=_q4_diagnose,
    name="Q4 · pairwise distances",
    hint_text=("Give X a new axis in the middle and Y a new axis in front: X[:, None, :] has shape "
               "(n, 1, d) and Y[None, :, :] has shape (1, m, d). Their difference broadcasts to "
               "(n, m, d); square it, sum over the last axis, and take the square root."),
    right_answer=answers.pairwise_distances,
    wrong_answers=[answers.pairwise_distances_squared, answers.pairwise_distances_transposed,
                   answers.pairwise_distances_summed_over_points,
                   answers.pairwise_distances_expansion_without_2,
                   answers.pairwise_distances_manhattan],
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
