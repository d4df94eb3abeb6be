"""Exercises of L3.06 · Efficient CNNs (EfficientNet) (高效卷积网络).

    from dlcourse.exercises import l3_06 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_06_answers as answers
from .kinds import choices, number, write_function


PARTS = ["the parameters", "the multiply-accumulates"]


# ---------------------------------------------------------------------------------------------
# q1 · the cost of a depthwise separable convolution, against PyTorch
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import random
    rng = random.Random(6)
    cases = {"MobileNet's 3×3, 32 → 64 channels on 112×112": (32, 64, 3, 112, 112),
             "a 1×1 'depthwise' kernel": (8, 8, 1, 5, 5),
             "a 5×5 kernel, 40 → 80 on a non-square 14×9 map": (40, 80, 5, 14, 9),
             "one channel in, 7×7": (1, 16, 7, 10, 10),
             "a 1×1 map": (24, 12, 3, 1, 1)}
    for i in range(6):
        cases[f"random spec {i + 1}"] = (rng.randint(1, 48), rng.randint(1, 48), rng.choice([1, 3, 5, 7]),
                                         rng.randint(1, 30), rng.randint(1, 30))
    return cases


def _separable_reference(c_in, c_out, k, h, w):
    """PyTorch's answer: numel of the two layers' weights and FlopCounterMode's FLOPs / 2."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    layer = torch.nn.Sequential(torch.nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
                                torch.nn.Conv2d(c_in, c_out, 1, bias=False))
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        layer(torch.zeros(1, c_in, h, w))
    return sum(p.numel() for p in layer.parameters()), counter.get_total_flops() // 2


def _q1_diagnose(got, expected, args):
    for wrong, why in [
        (answers.separable_cost_standard, "that is a standard k×k convolution's cost; the depthwise one has "
                                          "one k×k filter per input channel and no mixing across channels"),
        (answers.separable_cost_no_pointwise, "the pointwise 1×1 convolution from C_in to C_out channels "
                                              "counts too"),
        (answers.separable_cost_flops, "that is FLOPs, 2 per multiply-accumulate: return the multiply-accumulates"),
        (answers.separable_cost_depthwise_to_out,
         "the depthwise convolution keeps C_in channels (groups = C_in): k²·C_in weights, not k²·C_out"),
    ]:
        if tuple(got) == tuple(wrong(*args)) and tuple(got) != tuple(expected):
            return why
    return None


q1 = write_function(
    "depthwise_separable_cost(c_in, c_out, k, h, w)", _separable_reference, _q1_cases,
    parts=PARTS, diagnose=_q1_diagnose,
    name="Q1 · the cost of a depthwise separable convolution",
    hint_text=("Depthwise: C_in filters of k×k, each on its own channel: k²·C_in weights, used at every "
               "one of the h·w output positions ('same' padding, stride 1). Pointwise: a 1×1 conv from "
               "C_in to C_out: C_in·C_out weights, also h·w times. No biases."),
    right_answer=answers.depthwise_separable_cost,
    wrong_answers=[answers.separable_cost_standard, answers.separable_cost_no_pointwise,
                   answers.separable_cost_flops, answers.separable_cost_depthwise_to_out],
)

# ---------------------------------------------------------------------------------------------
# q2 · the expansion ratio at which MBConv costs what a standard conv costs
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.break_even_expansion, what="the expansion ratio t", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.break_even_expansion_without_depthwise(): "the depthwise k×k convolution on the t·C "
                                                          "expanded channels costs t·C·k² per pixel too",
        answers.break_even_expansion_one_1x1(): "MBConv has two 1×1 convolutions: C → t·C and t·C → C",
    },
    name="Q2 · when MBConv is not cheaper",
    hint_text=("Per pixel, a standard 3×3 conv from C to C costs 9C² multiply-accumulates. MBConv "
               "costs C·tC (expand) + tC·9 (depthwise) + tC·C (project) = t(2C² + 9C). Set them "
               "equal and solve for t with C = 64."),
    right_answer=answers.break_even_expansion,
    wrong_answers=[answers.break_even_expansion_without_depthwise, answers.break_even_expansion_one_1x1],
)

# ---------------------------------------------------------------------------------------------
# q3 · what the ideas do
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a depthwise convolution mixes information across pixels but not across channels; the "
         "pointwise 1×1 convolution mixes the channels",
    "b": "squeeze-and-excitation adds a large share of a block's FLOPs, because its dense layers "
         "run at every pixel",
    "c": "MBConv's projection has no activation because a ReLU on a narrow bottleneck would throw "
         "away information",
    "d": "doubling the input resolution roughly doubles a conv net's FLOPs",
    "e": "with α·β²·γ² ≈ 2, each step of φ roughly doubles the FLOPs",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · what each idea does",
    hint_text=("SE's two dense layers run once per image on the pooled vector, not at every pixel. "
               "A convolution's FLOPs are proportional to H·W: doubling both sides multiplies them by 4. "
               "FLOPs go as depth × width² × resolution²."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_resolution_linear, answers.true_statements_se_costly],
)
