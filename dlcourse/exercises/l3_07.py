"""Exercises of L3.07 · Vision Transformer & Swin (ViT 与 Swin).

    from dlcourse.exercises import l3_07 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_07_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · patchify, against F.unfold
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(7)
    return {
        "a (2, 1, 28, 28) batch, patch 7": (torch.randn(2, 1, 28, 28, generator=g), 7),
        "a (3, 1, 28, 28) batch, patch 4": (torch.randn(3, 1, 28, 28, generator=g), 4),
        "a (2, 3, 8, 12) batch (3 channels, not square), patch 4": (torch.randn(2, 3, 8, 12, generator=g), 4),
        "a (1, 2, 6, 6) batch, patch 2": (torch.randn(1, 2, 6, 6, generator=g), 2),
        "a (2, 3, 4, 4) batch, patch 4 (one patch)": (torch.randn(2, 3, 4, 4, generator=g), 4),
    }


def _patchify_reference(images, patch):
    """F.unfold with kernel = stride = patch: (N, C·p², L), then one row per patch."""
    import torch.nn.functional as F
    return F.unfold(images, kernel_size=patch, stride=patch).transpose(1, 2)


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.patchify_no_permute,
         "a reshape alone cuts each image row into pieces, not into p×p squares: split H and W "
         "into (rows, p) and (cols, p), then permute so that the patch axes come last"),
        (answers.patchify_channels_last,
         "flatten each patch in the order (C, p, p), channel first, as F.unfold and a conv's "
         "weight do"),
        (answers.patchify_column_order,
         "the patches go row by row (raster order): the patch grid's row axis before its column axis"),
    ]:
        if torch.allclose(torch.as_tensor(got, dtype=expected.dtype), wrong(*args)):
            return why
    return None


q1 = write_function(
    "patchify(images, patch)", _patchify_reference, _q1_cases, rtol=0, atol=0,
    diagnose=_q1_diagnose, name="Q1 · patchify",
    hint_text=("(N, C, H, W) → reshape to (N, C, H/p, p, W/p, p) → permute to "
               "(N, H/p, W/p, C, p, p) → reshape to (N, H/p · W/p, C·p·p)."),
    right_answer=answers.patchify,
    wrong_answers=[answers.patchify_no_permute, answers.patchify_channels_last,
                   answers.patchify_column_order],
)

# ---------------------------------------------------------------------------------------------
# q2 · window_partition, against the reshape–permute of the Swin paper's code
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(8)
    return {
        "a (1, 8, 8, 3) grid, window 4": (torch.randn(1, 8, 8, 3, generator=g), 4),
        "a (2, 14, 14, 5) grid, window 7": (torch.randn(2, 14, 14, 5, generator=g), 7),
        "a (2, 6, 9, 4) grid (not square), window 3": (torch.randn(2, 6, 9, 4, generator=g), 3),
        "a (1, 4, 4, 2) grid, window 4 (one window)": (torch.randn(1, 4, 4, 2, generator=g), 4),
    }


def _window_partition_reference(x, window):
    """Each window is the slice x[b, i·M:(i+1)·M, j·M:(j+1)·M]; windows in raster order per image."""
    import torch
    b, h, w, _ = x.shape
    return torch.stack([x[k, i:i + window, j:j + window] for k in range(b)
                        for i in range(0, h, window) for j in range(0, w, window)])


def _q2_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.window_partition_no_permute,
         "a reshape alone takes M² consecutive tokens of a row as a window: split H and W into "
         "(rows, M) and (cols, M), then permute the two window-grid axes in front of the M, M axes"),
        (answers.window_partition_column_order,
         "the windows go row by row: window-grid row before window-grid column"),
    ]:
        mine = wrong(*args)
        if mine.shape == torch.as_tensor(got).shape and torch.allclose(torch.as_tensor(got), mine):
            return why
    return None


q2 = write_function(
    "window_partition(x, window)", _window_partition_reference, _q2_cases, rtol=0, atol=0,
    diagnose=_q2_diagnose, name="Q2 · window partition",
    hint_text=("(B, H, W, C) → reshape to (B, H/M, M, W/M, M, C) → permute to "
               "(B, H/M, W/M, M, M, C) → reshape to (−1, M, M, C)."),
    right_answer=answers.window_partition,
    wrong_answers=[answers.window_partition_no_permute, answers.window_partition_column_order],
)

# ---------------------------------------------------------------------------------------------
# q3 · global attention over windowed attention at Swin's first stage
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.global_over_window_pairs, what="the ratio", rtol=1e-6, atol=0,
    mistakes=lambda: {
        answers.global_over_window_side(): "that is the ratio of side lengths (tokens per row over "
                                           "M); count query–key pairs: N² against N·M²",
        answers.global_over_window_tokens_over_window(): "each query sees M² keys in its window, "
                                                         "not M",
    },
    name="Q3 · what windows save",
    hint_text=("N = (448/4)² tokens. Global attention scores N·N query–key pairs; windowed "
               "attention scores N·M² (each query with the M² keys of its window). Divide."),
    right_answer=answers.global_over_window_pairs,
    wrong_answers=[answers.global_over_window_side,
                   answers.global_over_window_tokens_over_window],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of ViT and Swin
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "without position embeddings, shuffling the patches of an image leaves a ViT's class-token "
         "output unchanged",
    "b": "a ViT needs no position embeddings: attention itself knows where each patch came from",
    "c": "Swin's patch merging halves the grid's side and doubles the number of channels",
    "d": "in a shifted-window block, a token may attend to a token from the far side of the image "
         "that the cyclic roll moved into its window",
    "e": "with a fixed window, Swin's attention cost grows linearly with the number of tokens, "
         "ViT's quadratically",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · ViT and Swin",
    hint_text=("Attention is a weighted sum over a set: permuting the keys and values permutes "
               "nothing in the result. The shifted-window mask exists exactly for the tokens the "
               "roll brought together. Patch merging concatenates 2×2 neighbours (4C) and maps "
               "them to 2C."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_position_free,
                   answers.true_statements_with_shift_crossing,
                   answers.true_statements_without_merging],
)
