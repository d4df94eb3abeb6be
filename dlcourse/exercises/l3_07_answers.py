"""Answers to L3.07's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · an image batch as a sequence of flattened patches
def patchify(images, patch):
    n, c, h, w = images.shape
    x = images.reshape(n, c, h // patch, patch, w // patch, patch)   # (N, C, rows, p, cols, p)
    x = x.permute(0, 2, 4, 1, 3, 5)                                   # (N, rows, cols, C, p, p)
    return x.reshape(n, (h // patch) * (w // patch), c * patch * patch)


def patchify_no_permute(images, patch):
    """Reshapes without moving the axes: each 'patch' is a run of consecutive pixels of a row."""
    n, c, h, w = images.shape
    return images.reshape(n, (h // patch) * (w // patch), c * patch * patch)


def patchify_channels_last(images, patch):
    """Flattens each patch as (p, p, C) instead of (C, p, p), the order F.unfold and a conv use."""
    n, c, h, w = images.shape
    x = images.reshape(n, c, h // patch, patch, w // patch, patch).permute(0, 2, 4, 3, 5, 1)
    return x.reshape(n, (h // patch) * (w // patch), c * patch * patch)


def patchify_column_order(images, patch):
    """Numbers the patches column by column; the sequence goes row by row (raster order)."""
    n, c, h, w = images.shape
    x = images.reshape(n, c, h // patch, patch, w // patch, patch).permute(0, 4, 2, 1, 3, 5)
    return x.reshape(n, (h // patch) * (w // patch), c * patch * patch)


# q2 · Swin's window partition
def window_partition(x, window):
    b, h, w, c = x.shape
    x = x.reshape(b, h // window, window, w // window, window, c)    # (B, rows, M, cols, M, C)
    x = x.permute(0, 1, 3, 2, 4, 5)                                   # (B, rows, cols, M, M, C)
    return x.reshape(-1, window, window, c)


def window_partition_no_permute(x, window):
    """Reshapes straight to (-1, M, M, C): each 'window' takes M² consecutive tokens of a row."""
    return x.reshape(-1, window, window, x.shape[-1])


def window_partition_column_order(x, window):
    """Lists the windows column by column; Swin lists them row by row."""
    b, h, w, c = x.shape
    x = x.reshape(b, h // window, window, w // window, window, c).permute(0, 3, 1, 2, 4, 5)
    return x.reshape(-1, window, window, c)


# q3 · how much attention the windows save
@computed
def global_over_window_pairs():
    image, patch, window = 448, 4, 7
    tokens = (image // patch) ** 2                      # 112 × 112 = 12,544 tokens
    global_pairs = tokens ** 2                          # every query with every key
    window_pairs = tokens * window ** 2                 # every query with the M² keys of its window
    return global_pairs / window_pairs


@computed
def global_over_window_side():
    image, patch, window = 448, 4, 7
    return (image // patch) / window


@computed
def global_over_window_tokens_over_window():
    image, patch, window = 448, 4, 7
    return (image // patch) ** 2 / window


# q4 · what is true of ViT and Swin
@computed
def true_statements():
    return {"a", "c", "e"}


@computed
def true_statements_with_position_free():
    return {"a", "b", "c", "e"}


@computed
def true_statements_with_shift_crossing():
    return {"a", "c", "d", "e"}


@computed
def true_statements_without_merging():
    return {"a", "c"}
