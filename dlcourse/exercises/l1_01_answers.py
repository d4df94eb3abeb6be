"""Answers to L1.01's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · creation and dtype
@computed
def counting_tensor():
    return torch.arange(12, dtype=torch.float64).reshape(3, 4)


@computed
def counting_tensor_int64():
    return torch.arange(12).reshape(3, 4)


@computed
def counting_tensor_float32():
    return torch.arange(12.0).reshape(3, 4)


@computed
def counting_tensor_4_by_3():
    return torch.arange(12, dtype=torch.float64).reshape(4, 3)


@computed
def counting_tensor_by_columns():
    return torch.arange(12, dtype=torch.float64).reshape(4, 3).T


@computed
def counting_tensor_as_list():
    """A list, not a tensor."""
    return [[0., 1., 2., 3.], [4., 5., 6., 7.], [8., 9., 10., 11.]]


# q2 · predict broadcast shapes
@computed
def broadcast_shapes():
    return [(5, 3, 4), "error", (4, 7), (6, 6, 3)]


@computed
def broadcast_shapes_forced_match():
    """3 vs 2 forced to match."""
    return [(5, 3, 4), (3, 3), (4, 7), (6, 6, 3)]


@computed
def broadcast_shapes_left_aligned():
    return [(5, 3, 4), "error", (7, 4), (6, 6, 3)]


@computed
def broadcast_shapes_one_vs_six_mismatch():
    return [(5, 3, 4), "error", (4, 7), "error"]


@computed
def broadcast_shapes_ones_kept():
    return [(5, 1, 4), "error", (4, 7), (6, 1, 3)]


# q3 · views or copies
@computed
def views():
    return {"a", "b", "c", "e"}


@computed
def views_reshape_always_copies():
    return {"a", "e"}


@computed
def views_reshape_of_any_slice():
    """Rows cut short are not one block: that reshape must copy."""
    return {"a", "b", "c", "d", "e"}


@computed
def views_flip_as_in_numpy():
    return {"a", "b", "c", "e", "f"}


@computed
def views_diagonal_gathers():
    return {"a", "b", "c"}


@computed
def views_reshape_of_transpose_copies():
    """It already has shape (4, 3): nothing to copy."""
    return {"a", "c", "e"}


# q4 · pairwise distances by broadcasting
def pairwise_distances(X, Y):
    diff = X[:, None, :] - Y[None, :, :]          # (n, 1, d) − (1, m, d) → (n, m, d)
    return (diff ** 2).sum(dim=-1).sqrt()         # (n, m)


def pairwise_distances_squared(X, Y):
    """The square root forgotten."""
    return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1)


def pairwise_distances_transposed(X, Y):
    """(m, n): the new axes swapped."""
    return ((X[None, :, :] - Y[:, None, :]) ** 2).sum(dim=-1).sqrt()


def pairwise_distances_summed_over_points(X, Y):
    """Summed over Y's points instead of over the coordinates."""
    return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=1).sqrt()


def pairwise_distances_expansion_without_2(X, Y):
    """|x|² + |y|² − 2 x·y with the 2 missing."""
    sq = (X ** 2).sum(-1, keepdim=True) + (Y ** 2).sum(-1) - X @ Y.T
    return sq.clamp(min=0).sqrt()


def pairwise_distances_manhattan(X, Y):
    """The L1 distance, not the Euclidean one."""
    return (X[:, None, :] - Y[None, :, :]).abs().sum(dim=-1)


# q5 · einsum: attention-style scores
@computed
def scores_spec():
    return "bic,bjc->bij"


@computed
def scores_spec_sums_batch():
    return "bic,bjc->ij"


@computed
def scores_spec_k_pre_transposed():
    """K read as if already transposed: the sizes do not match."""
    return "bic,bcj->bij"


@computed
def scores_spec_output_transposed():
    return "bic,bjc->bji"


@computed
def scores_spec_feature_kept():
    """The feature axis kept instead of summed."""
    return "bic,bjc->bijc"


@computed
def scores_spec_same_position_only():
    """Each query only with the key at the same position."""
    return "bic,bic->bi"
