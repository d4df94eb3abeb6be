"""Exercises of L2.06 · Vanishing/exploding gradients & initialization (梯度消失与爆炸).

    from dlcourse.exercises import l2_06 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_06_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the He (Kaiming) standard deviation, for any weight shape
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    return {
        "nn.Linear(784, 256).weight, ReLU": ((256, 784), 0.0, "fan_in"),
        "nn.Linear(64, 512).weight, mode fan_out": ((512, 64), 0.0, "fan_out"),
        "nn.Conv2d(8, 16, 3).weight, ReLU": ((16, 8, 3, 3), 0.0, "fan_in"),
        "nn.Conv2d(8, 16, 3).weight, mode fan_out": ((16, 8, 3, 3), 0.0, "fan_out"),
        "nn.Conv1d(4, 32, 5).weight, Leaky ReLU a = 0.2": ((32, 4, 5), 0.2, "fan_in"),
        "nn.Linear(100, 10).weight, Leaky ReLU a = 0.01": ((10, 100), 0.01, "fan_in"),
        "a square nn.Linear(128, 128).weight, a = 1 (a linear layer)": ((128, 128), 1.0, "fan_in"),
    }


def _kaiming_reference(shape, a, mode):
    """The standard deviation torch.nn.init.kaiming_normal_ uses, from torch's own helpers."""
    import math

    import torch
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fan = fan_in if mode == "fan_in" else fan_out
    return torch.nn.init.calculate_gain("leaky_relu", a) / math.sqrt(fan)


def _q1_diagnose(got, expected, args):
    import math
    shape, a, mode = args
    got = float(got)
    if math.isclose(got, expected ** 2, rel_tol=1e-6):
        return "that is the variance 2 / fan; the standard deviation is its square root"
    if math.isclose(got, answers.kaiming_std_out_features_as_fan_in(shape, a, mode), rel_tol=1e-6):
        return ("PyTorch stores a weight as (out, in, …): fan_in is shape[1] times the kernel's "
                "size, fan_out is shape[0] times it")
    if math.isclose(got, answers.kaiming_std_kernel_ignored(shape, a, mode), rel_tol=1e-6):
        return ("each output of a conv layer reads in_channels × kernel size inputs: multiply the "
                "channels by the product of shape[2:]")
    return None


q1 = write_function(
    "kaiming_std(shape, a, mode)", _kaiming_reference, _q1_cases,
    rtol=1e-9, atol=1e-12, diagnose=_q1_diagnose,
    name="Q1 · the He standard deviation",
    hint_text=("A weight of shape (out, in, *kernel): the kernel's size k = product of shape[2:] "
               "(1 for a Linear layer), fan_in = shape[1]·k, fan_out = shape[0]·k. Pick the fan by "
               "`mode`. The gain for a Leaky ReLU of slope a is √(2 / (1 + a²)) (√2 for ReLU, "
               "a = 0). The standard deviation is gain / √fan."),
    right_answer=answers.kaiming_std,
    wrong_answers=[answers.kaiming_std_variance, answers.kaiming_std_out_features_as_fan_in,
                   answers.kaiming_std_kernel_ignored, answers.kaiming_std_mode_ignored,
                   answers.kaiming_std_slope_ignored, answers.kaiming_std_xavier],
)

# ---------------------------------------------------------------------------------------------
# q2 · the sigmoid's bound
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.sigmoid_chain_bound, what="the bound", rtol=1e-4, atol=0,
    mistakes=lambda: {
        answers.sigmoid_chain_bound_weights_ignored(): "each layer's derivative is "
                                                       "σ'(3h)·3: the weight multiplies it too",
        answers.sigmoid_chain_bound_sigmoid_ignored(): "each layer's derivative is σ'(3h)·3, and "
                                                       "σ' is at most 1/4",
        answers.sigmoid_chain_bound_sum(): "the chain rule multiplies the five derivatives; it "
                                           "does not add them",
        answers.sigmoid_chain_bound_half(): "σ(0) = 1/2 is the sigmoid's value at 0; its slope "
                                            "there is σ(0)(1 − σ(0))",
    },
    name="Q2 · five weighted sigmoids",
    hint_text=("By the chain rule dh₅/dh₀ is the product of the five layers' derivatives "
               "dh_l/dh_{l−1} = 3·σ'(3h_{l−1}). Bound each factor with σ' ≤ 1/4, then multiply."),
    right_answer=answers.sigmoid_chain_bound,
    wrong_answers=[answers.sigmoid_chain_bound_weights_ignored,
                   answers.sigmoid_chain_bound_sigmoid_ignored, answers.sigmoid_chain_bound_sum,
                   answers.sigmoid_chain_bound_half],
)

# ---------------------------------------------------------------------------------------------
# q3 · Xavier's standard deviation
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.xavier_std, what="the standard deviation", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.xavier_std_variance(): "that is the variance; the standard deviation is its "
                                       "square root",
        answers.xavier_std_he(): "that is He's choice, for ReLU; Glorot's averages fan_in and "
                                 "fan_out",
        answers.xavier_std_uniform_bound(): "that is the bound b of the uniform version "
                                            "U(−b, b); its standard deviation is b / √3",
        answers.xavier_std_fan_in_only(): "that keeps the forward variance only (LeCun's "
                                          "choice); Glorot's compromise uses both fans",
    },
    name="Q3 · Xavier's standard deviation",
    hint_text=("Glorot and Bengio keep the variance in both passes on average: "
               "Var[w] = 2 / (fan_in + fan_out). The answer is its square root."),
    right_answer=answers.xavier_std,
    wrong_answers=[answers.xavier_std_variance, answers.xavier_std_he,
                   answers.xavier_std_uniform_bound, answers.xavier_std_fan_in_only],
)

# ---------------------------------------------------------------------------------------------
# q4 · what attacks the cause of vanishing gradients
# ---------------------------------------------------------------------------------------------
FIXES = {
    "a": "clip the gradient norm to 1",
    "b": "switch to ReLU and He initialization",
    "c": "multiply the learning rate by 100",
    "d": "switch to Leaky ReLU and He initialization with its gain",
    "e": "initialize every weight to the same constant, 0.1",
}

q4 = choices(
    list(FIXES), answers.fixes,
    extra="{n} of your letters do not change the product of Jacobians that shrinks the gradient",
    missing="{n} change(s) that do are missing",
    name="Q4 · fixing a vanishing gradient",
    hint_text=("Clipping only ever shrinks a gradient. A larger learning rate scales every "
               "layer's step alike, so the first layers still move ~10⁻¹⁰ times as far as the "
               "last. Equal weights make every unit in a layer compute the same thing. What "
               "changes the per-layer factor Var[w]·n·E[φ'²] to about 1?"),
    right_answer=answers.fixes,
    wrong_answers=[answers.fixes_with_clipping, answers.fixes_with_learning_rate,
                   answers.fixes_with_constant_init],
)
