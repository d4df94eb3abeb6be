"""Exercises of L2.05 · Classic CNNs: AlexNet, VGG, NiN, GoogLeNet (经典 CNN).

    from dlcourse.exercises import l2_05 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_05_answers as answers
from .kinds import choices, number, write_function

PARTS = ["the parameters", "the multiply-accumulates", "the output shape"]


# ---------------------------------------------------------------------------------------------
# q1 · parameters, multiply-accumulates and output shape of a conv layer, against PyTorch
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import random
    rng = random.Random(5)
    cases = {
        "AlexNet's conv1 on a 3×224×224 image": ((3, 224, 224), 96, 11, 4, 1, 1, 1, True),
        "a 1×1 bottleneck, 192 → 16 channels on 28×28": ((192, 28, 28), 16, 1, 1, 0, 1, 1, True),
        "a 3×3 conv without bias": ((8, 10, 10), 4, 3, 1, 1, 1, 1, False),
        "a depthwise 3×3 conv (groups = channels)": ((6, 9, 9), 6, 3, 1, 1, 1, 6, True),
        "a 2×5 kernel, stride (2, 1), padding (0, 2)": ((2, 11, 7), 3, (2, 5), (2, 1), (0, 2), 1, 1, True),
        "a dilated 3×3 conv (dilation 2), stride 2": ((4, 15, 13), 8, 3, 2, 2, 2, 2, True),
    }
    for i in range(6):                                    # random specs
        groups = rng.choice([1, 1, 2, 4])
        c, o = groups * rng.randint(1, 4), groups * rng.randint(1, 4)
        k, s, d = rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 2)
        p = rng.randint(0, k // 2 + 1)
        size = d * (k - 1) + 1 + rng.randint(0, 12)
        cases[f"random spec {i + 1}"] = ((c, size, size + rng.randint(0, 3)), o, k, s, p, d, groups,
                                         rng.random() < 0.7)
    return cases


def _conv_cost_reference(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias):
    """PyTorch's answer: the layer's parameters, FlopCounterMode's FLOPs / 2 and a forward pass."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    layer = torch.nn.Conv2d(in_shape[0], out_channels, kernel_size, stride, padding, dilation,
                            groups, bias)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = layer(torch.zeros(1, *in_shape))
    return (sum(p.numel() for p in layer.parameters()), counter.get_total_flops() // 2,
            tuple(out.shape[1:]))


def _q1_diagnose(got, expected, args):
    for wrong, why in [
        (answers.conv_cost_no_groups,
         "with groups g, each output channel reads only C/g input channels: the weight is "
         "(O, C/g, kh, kw)"),
        (answers.conv_cost_no_dilation,
         "a kernel of size k with dilation d spans d·(k − 1) + 1 pixels: the output size is "
         "⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1"),
        (answers.conv_cost_bias_always, "with bias=False the layer has no bias parameters"),
        (answers.conv_cost_flops,
         "that is FLOPs, 2 per multiply-accumulate: return the multiply-accumulates"),
        (answers.conv_cost_macs_per_input_pixel,
         "every weight is used once per *output* position (H_out × W_out), not per input pixel"),
    ]:
        if tuple(got) == tuple(wrong(*args)) and tuple(got) != tuple(expected):
            return why
    return None


q1 = write_function(
    "conv_cost(in_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias)",
    _conv_cost_reference, _q1_cases, parts=PARTS, diagnose=_q1_diagnose,
    name="Q1 · the cost of a conv layer",
    hint_text=("Output size along each axis: ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1. The weight is "
               "(O, C/groups, kh, kw), plus O biases when bias is True. Each weight is used once "
               "at every output position: MACs = H_out · W_out · O · (C/groups) · kh · kw. "
               "kernel_size, stride, padding and dilation may be an int or an (h, w) pair."),
    right_answer=answers.conv_cost,
    wrong_answers=[answers.conv_cost_no_groups, answers.conv_cost_no_dilation,
                   answers.conv_cost_bias_always, answers.conv_cost_flops,
                   answers.conv_cost_macs_per_input_pixel],
)

# ---------------------------------------------------------------------------------------------
# q2 · the saving of a 1×1 bottleneck
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.bottleneck_saving, what="the ratio", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.bottleneck_saving_without_the_1x1(): "the 1×1 convolution costs something too: "
                                                     "192 → 16 channels at every pixel",
        answers.bottleneck_saving_inverted(): "that is the bottleneck's share of the direct cost; "
                                              "the question asks how many times fewer",
    },
    name="Q2 · what a bottleneck saves",
    hint_text=("A k×k conv from C to O channels on an H×W map (same size out) costs "
               "H·W·O·C·k² multiply-accumulates. Direct: 192 → 32 with 5×5. Bottleneck: 192 → 16 "
               "with 1×1, then 16 → 32 with 5×5. Divide the first by the sum of the second two."),
    right_answer=answers.bottleneck_saving,
    wrong_answers=[answers.bottleneck_saving_without_the_1x1, answers.bottleneck_saving_inverted],
)

# ---------------------------------------------------------------------------------------------
# q3 · what each network introduced
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "AlexNet's ReLU, dropout and GPU training made a deep conv net on ImageNet practical",
    "b": "two stacked 3×3 convolutions see a larger window of the input than one 5×5 convolution",
    "c": "global average pooling lets NiN and GoogLeNet end without the huge dense layers of AlexNet and VGG",
    "d": "a 1×1 convolution has no parameters of its own: it only reshapes the channels",
    "e": "in a VGG-style net the dense layers' parameters grow with the input size; with global "
         "average pooling the parameters do not",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · what each network introduced",
    hint_text=("Two 3×3 convolutions see a 5×5 window: the same, not larger. A 1×1 convolution "
               "from C to O channels has O·C weights and O biases: a dense layer at every pixel. "
               "The first dense layer's input is the flattened feature map, whose size follows "
               "the input's; global average pooling leaves one number per channel whatever the size."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_vgg_larger_field, answers.true_statements_nin_params,
                   answers.true_statements_without_gap],
)
