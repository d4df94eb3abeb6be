"""Exercises of L2.03 · Convolutions (卷积).

    from dlcourse.exercises import l2_03 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_03_answers as answers
from .kinds import number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · conv2d via im2col, with stride and padding
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(3)

    def case(x_shape, w_shape, stride, padding, bias=True):
        x = torch.randn(*x_shape, generator=g, dtype=torch.float64)
        w = torch.randn(*w_shape, generator=g, dtype=torch.float64)
        b = torch.randn(w_shape[0], generator=g, dtype=torch.float64) if bias else None
        return (x, w, b, stride, padding)

    return {
        "one 5×5 image, one channel, a 3×3 kernel": case((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
        "a batch of 2, 3 channels in, 4 out, padding 1": case((2, 3, 6, 7), (4, 3, 3, 3), 1, 1),
        "stride 2 and padding 1 on a 7×7 input": case((1, 2, 7, 7), (3, 2, 3, 3), 2, 1),
        "stride 3 that does not divide the input, a 2×4 kernel, padding 2":
            case((2, 2, 8, 9), (2, 2, 2, 4), 3, 2),
        "a 1×1 kernel and no bias": case((2, 5, 4, 4), (3, 5, 1, 1), 1, 0, bias=False),
        "a kernel as large as the input": case((1, 2, 4, 4), (2, 2, 4, 4), 1, 0),
    }


def _conv2d_reference(x, weight, bias, stride, padding):
    import torch.nn.functional as F
    return F.conv2d(x, weight, bias, stride=stride, padding=padding)


def _q1_diagnose(got, expected, args):
    import torch
    x, weight, bias, stride, padding = args
    got = torch.as_tensor(got)
    if tuple(got.shape) != tuple(expected.shape):
        return (f"the output has shape {tuple(got.shape)}, but conv2d gives "
                f"{tuple(expected.shape)}: its height is ⌊(H + 2p − k)/s⌋ + 1 = "
                f"⌊({x.shape[2]} + 2·{padding} − {weight.shape[2]})/{stride}⌋ + 1 = "
                f"{expected.shape[2]}")
    flipped = _conv2d_reference(x, weight.flip(-2, -1), bias, stride, padding)
    if torch.allclose(got.double(), flipped, rtol=1e-6, atol=1e-9):
        return ("that is a true convolution: the kernel is flipped. conv2d computes a "
                "cross-correlation, Σ x[s·i + u, s·j + v] · w[u, v], with no flip")
    return None


q1 = write_function(
    "conv2d(x, weight, bias, stride, padding)", _conv2d_reference, _q1_cases,
    rtol=1e-9, atol=1e-12, diagnose=_q1_diagnose,
    name="Q1 · conv2d as one matrix product",
    hint_text=("Three steps. (1) Output size: Ho = (H + 2·padding − kh) // stride + 1, the same for "
               "Wo. (2) im2col: F.unfold(x, (kh, kw), padding=padding, stride=stride) (or the "
               "lesson's im2col) gives the patches as columns, shape (N, C·kh·kw, Ho·Wo), each "
               "column ordered (channel, row, col). (3) weight.reshape(O, -1) flattens each kernel "
               "in that same order: one matrix product sums over channels and taps at once; add "
               "bias[:, None] (when it is not None) and reshape to (N, O, Ho, Wo). No kernel flip."),
    right_answer=answers.conv2d,
    wrong_answers=[answers.conv2d_true_convolution, answers.conv2d_forgot_padding,
                   answers.conv2d_output_size_off_by_one, answers.conv2d_channels_averaged,
                   answers.conv2d_weights_flattened_channels_last],
)

# ---------------------------------------------------------------------------------------------
# q2 · the output size
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.output_height, what="the output height", whole=True,
    mistakes=lambda: {
        answers.output_height_without_plus_one(): "that counts the steps between positions; the "
                                                   "number of positions is one more",
        answers.output_height_stride_ignored(): "with stride 3 the kernel only visits every "
                                                "third position",
        answers.output_height_padding_ignored(): "padding 2 adds two rows of zeros on each "
                                                 "side: 2p to the height",
    },
    name="Q2 · output size",
    hint_text=("Along one axis: out = ⌊(n + 2p − k) / s⌋ + 1 (dilation 1). Check yourself with "
               "nn.Conv2d(1, 8, kernel_size=5, stride=3, padding=2)(torch.zeros(1, 1, 28, 28)).shape."),
    right_answer=answers.output_height,
    wrong_answers=[answers.output_height_without_plus_one, answers.output_height_stride_ignored,
                   answers.output_height_padding_ignored],
)

# ---------------------------------------------------------------------------------------------
# q3 · the receptive field of a stack
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.receptive_field, what="the receptive field", whole=True,
    mistakes=lambda: {
        answers.receptive_field_strides_ignored(): "each 2×2 pool with stride 2 doubles the jump "
                                                   "j: a later 3×3 kernel widens the field by "
                                                   "(3 − 1)·j, not by 2",
        answers.receptive_field_kernels_summed(): "adding kernel sizes ignores both the jump and "
                                                  "the overlap of neighbouring windows",
        answers.receptive_field_kernels_multiplied(): "fields grow by addition, r += (k − 1)·j, not "
                                                      "by multiplication",
        answers.receptive_field_pools_add_nothing(): "a 2×2 pool has a kernel too: it widens the "
                                                     "field by (2 − 1)·j before it doubles j",
    },
    name="Q3 · receptive field",
    hint_text=("Start with r = 1, j = 1 (one input pixel, one pixel between units). For each layer "
               "in order: r += (k − 1)·d·j, then j *= s. A 2×2 pool has k = 2, s = 2."),
    right_answer=answers.receptive_field,
    wrong_answers=[answers.receptive_field_strides_ignored, answers.receptive_field_kernels_summed,
                   answers.receptive_field_kernels_multiplied,
                   answers.receptive_field_pools_add_nothing],
)

# ---------------------------------------------------------------------------------------------
# q4 · parameters of a conv layer
# ---------------------------------------------------------------------------------------------
q4 = number(
    answers.conv_parameters, what="the number of parameters", whole=True,
    mistakes=lambda: {
        answers.conv_parameters_no_bias(): "that counts the weights only: each output channel "
                                           "also has one bias",
        answers.conv_parameters_one_input_channel(): "each output channel has a kernel over all "
                                                     "64 input channels, not just one",
        answers.conv_parameters_per_position(): "weights are shared: the same kernel is used at "
                                                "every position, so the map size does not count",
        answers.conv_parameters_dense(): "that is a fully connected layer between the two maps: "
                                         "a conv layer connects only a 3×3 neighbourhood",
    },
    name="Q4 · parameters of a conv layer",
    hint_text=("nn.Conv2d(C, O, k) holds a weight of shape (O, C, k, k) and a bias of shape (O,). "
               "The size of the feature map does not appear. Check with "
               "sum(p.numel() for p in nn.Conv2d(64, 128, 3, padding=1).parameters())."),
    right_answer=answers.conv_parameters,
    wrong_answers=[answers.conv_parameters_no_bias, answers.conv_parameters_one_input_channel,
                   answers.conv_parameters_per_position, answers.conv_parameters_dense],
)
