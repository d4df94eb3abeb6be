"""Exercises of L2.08 · ResNet & DenseNet (残差网络与稠密网络).

    from dlcourse.exercises import l2_08 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_08_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · a basic residual block, against one built from nn layers
# ---------------------------------------------------------------------------------------------
def block_params(c_in, c_out, stride, generator, dtype=None):
    """Random weights for a basic block: w1 (c_out, c_in, 3, 3), g1, b1, w2 (c_out, c_out, 3, 3),
    g2, b2, and for a block that changes the shape, ws (c_out, c_in, 1, 1), gs, bs."""
    import torch
    dtype = dtype or torch.float64

    def conv(*shape):
        fan_in = shape[1] * shape[2] * shape[3]
        return torch.randn(*shape, generator=generator, dtype=dtype) * (2 / fan_in) ** 0.5

    def affine(c):
        return (torch.rand(c, generator=generator, dtype=dtype) + 0.5,
                torch.randn(c, generator=generator, dtype=dtype) * 0.5)

    params = {"w1": conv(c_out, c_in, 3, 3)}
    params["g1"], params["b1"] = affine(c_out)
    params["w2"] = conv(c_out, c_out, 3, 3)
    params["g2"], params["b2"] = affine(c_out)
    if stride != 1 or c_in != c_out:
        params["ws"] = conv(c_out, c_in, 1, 1)
        params["gs"], params["bs"] = affine(c_out)
    return params


def reference_block(c_in, c_out, stride):
    """The same block built from nn layers, in training mode (batch statistics)."""
    import torch.nn.functional as F
    from torch import nn

    class BasicBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.shortcut = nn.Identity()
            if stride != 1 or c_in != c_out:
                self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                              nn.BatchNorm2d(c_out))

        def forward(self, x):
            out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
            return F.relu(out + self.shortcut(x))

    return BasicBlock().double().train()


NN_NAMES = {"w1": "conv1.weight", "g1": "bn1.weight", "b1": "bn1.bias", "w2": "conv2.weight",
            "g2": "bn2.weight", "b2": "bn2.bias", "ws": "shortcut.0.weight",
            "gs": "shortcut.1.weight", "bs": "shortcut.1.bias"}


def _residual_block_reference(x, params, stride):
    """nn.Conv2d / nn.BatchNorm2d layers run with `params` through torch.func.functional_call."""
    from torch.func import functional_call
    block = reference_block(x.shape[1], params["w1"].shape[0], stride)
    return functional_call(block, {NN_NAMES[k]: v for k, v in params.items()}, (x,))


def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(8)

    def case(n, c_in, c_out, size, stride):
        x = torch.randn(n, c_in, size, size, generator=g, dtype=torch.float64) * 2 + 0.5
        return (x, block_params(c_in, c_out, stride, g), stride)

    return {
        "4 channels → 4, stride 1 (identity shortcut)": case(8, 4, 4, 6, 1),
        "3 channels → 6, stride 2 (projection shortcut)": case(8, 3, 6, 8, 2),
        "5 channels → 5, stride 2 (projection: the size changes)": case(4, 5, 5, 7, 2),
        "2 channels → 6, stride 1 (projection: the channels change)": case(6, 2, 6, 5, 1),
    }


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.residual_block_no_shortcut, "the shortcut is missing: add x (or its projection) "
                                             "to the branch's output before the last ReLU"),
        (answers.residual_block_relu_before_add, "the last ReLU comes after the addition: "
                                                 "relu(bn2(conv2(…)) + shortcut)"),
        (answers.residual_block_stride_on_second, "the stride belongs to the first 3×3 "
                                                  "convolution (and to the 1×1 projection)"),
        (answers.residual_block_projection_without_bn, "the projection is a 1×1 convolution "
                                                       "followed by its own batch norm (gs, bs)"),
        (answers.residual_block_eval_statistics, "batch norm here is in training mode: normalize "
                                                 "with the batch's mean and variance"),
    ]:
        try:
            mine = wrong(*args)
        except Exception:          # noqa: BLE001 -- a wrong version that cannot run this case
            continue
        if torch.is_tensor(got) and got.shape == mine.shape and torch.allclose(
                got.to(mine.dtype), mine, rtol=1e-6, atol=1e-9):
            return why
    return None


q1 = write_function(
    "residual_block(x, params, stride)", _residual_block_reference, _q1_cases,
    rtol=1e-6, atol=1e-9, diagnose=_q1_diagnose,
    name="Q1 · a residual block",
    hint_text=("Branch: conv2d(x, w1, stride, padding 1) → batch norm (γ g1, β b1, batch "
               "statistics: F.batch_norm(z, None, None, g1, b1, training=True)) → ReLU → "
               "conv2d(w2, stride 1, padding 1) → batch norm (g2, b2). Shortcut: x itself, or, when "
               "params has 'ws', conv2d(x, ws, stride) → batch norm (gs, bs). Return "
               "relu(branch + shortcut)."),
    right_answer=answers.residual_block,
    wrong_answers=[answers.residual_block_no_shortcut, answers.residual_block_relu_before_add,
                   answers.residual_block_stride_on_second,
                   answers.residual_block_projection_without_bn,
                   answers.residual_block_eval_statistics],
)

# ---------------------------------------------------------------------------------------------
# q2 · channels after a dense block and a transition
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.transition_channels, what="channels", whole=True,
    mistakes=lambda: {
        answers.transition_channels_no_compression(): "that is what leaves the dense block; the "
                                                       "transition's 1×1 convolution then compresses it",
        answers.transition_channels_without_input(): "the block's input channels are "
                                                     "concatenated too, not only the new ones",
        answers.transition_channels_last_layer_only(): "the block's output is every layer's "
                                                       "output concatenated with its input, not the last layer's",
    },
    name="Q2 · DenseNet channel count",
    hint_text=("Each layer of the dense block adds `growth rate` channels to what it receives, so "
               "the block's output has c0 + layers × growth channels. The transition's 1×1 "
               "convolution multiplies that by the compression factor; the 2×2 average pool "
               "changes the size, not the channels."),
    right_answer=answers.transition_channels,
    wrong_answers=[answers.transition_channels_no_compression,
                   answers.transition_channels_without_input,
                   answers.transition_channels_last_layer_only],
)

# ---------------------------------------------------------------------------------------------
# q3 · what is true of residual and dense networks
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a deeper plain network (with BN and He init) can end with a higher training loss than a "
         "shallower one, although it could copy it and make its extra layers identities",
    "b": "the degradation problem is overfitting: the deeper plain net fits its training set better "
         "and only its test error is worse",
    "c": "for y = x + F(x), ∂y/∂x = I + ∂F/∂x: a gradient reaches x through the shortcut even "
         "where ∂F/∂x is close to zero",
    "d": "a DenseNet layer adds its output to its input, as a residual block does",
    "e": "where a block halves the resolution or changes the channel count, x cannot be added as it "
         "is; a 1×1 convolution with the block's stride makes the shapes match",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · residual and dense networks",
    hint_text=("Degradation shows on the training loss, so it is about optimization, not "
               "generalization. A ResNet adds the shortcut; a DenseNet concatenates along the "
               "channels. An addition needs equal shapes."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_overfitting,
                   answers.true_statements_with_addition,
                   answers.true_statements_without_degradation],
)
