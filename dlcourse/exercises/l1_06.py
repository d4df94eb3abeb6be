"""Exercises of L1.06 · MLP & backpropagation (多层感知机与反向传播).

    from dlcourse.exercises import l1_06 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_06_answers as answers
from .kinds import finite_or, number, write_function

OVERFLOW = ("an exponential overflowed. Rewrite it so that exp only ever sees numbers ≤ 0.")


# ---------------------------------------------------------------------------------------------
# q1 · the derivative of softplus, stable
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import numpy as np
    return {"z from -30 to 30": (np.linspace(-30, 30, 121),),
            "z = -1000, -200, 200 and 1000": (np.array([-1000.0, -200.0, 200.0, 1000.0]),)}


def _softplus_grad_reference(z):
    import torch
    t = torch.from_numpy(z).requires_grad_(True)
    torch.nn.functional.softplus(t).sum().backward()
    return t.grad


q1 = write_function(
    "softplus_grad(z)", _softplus_grad_reference, _q1_cases, rtol=1e-6, atol=1e-9,
    diagnose=finite_or(OVERFLOW),
    name="Q1 · softplus′, stably",
    hint_text=("d/dz log(1 + e^z) = e^z / (1 + e^z). Divide top and bottom by e^z: it is the sigmoid "
               "σ(z) = 1 / (1 + e^(-z)). For large negative z, e^(-z) overflows; the lesson's "
               "sigmoid(z) = 0.5 * (1 + tanh(z / 2)) never does."),
    right_answer=answers.softplus_grad,
    wrong_answers=[answers.softplus_grad_overflows, answers.softplus_grad_sigmoid_of_minus_z,
                   answers.softplus_itself, answers.softplus_grad_relu_derivative],
)

# ---------------------------------------------------------------------------------------------
# q2 · counting parameters
# ---------------------------------------------------------------------------------------------
Q2_SIZES = (784, 512, 256, 10)
Q2_WEIGHTS = sum(a * b for a, b in zip(Q2_SIZES[:-1], Q2_SIZES[1:]))

q2 = number(
    sum(a * b + b for a, b in zip(Q2_SIZES[:-1], Q2_SIZES[1:])),
    what="the number of parameters", whole=True,
    mistakes={
        Q2_WEIGHTS: "that counts the weights only; each layer also has one bias per output",
        Q2_WEIGHTS + sum(Q2_SIZES): "the input layer has no biases: one bias per neuron of the "
                                    "next layer",
        sum(Q2_SIZES): "that is the number of units, not of parameters",
        math.prod(Q2_SIZES): "layers connect in sequence: multiply only neighbouring sizes, "
                             "then add",
    },
    name="Q2 · count the parameters",
    hint_text=("A layer from a units to b units has an a × b weight matrix and b biases. Add this up "
               "for 784 → 512, 512 → 256 and 256 → 10. Check yourself with "
               "sum(p.numel() for p in model.parameters())."),
    right_answer=answers.parameter_count,
    wrong_answers=[answers.parameter_count_weights_only,
                   answers.parameter_count_input_biases,
                   answers.parameter_count_product,
                   answers.parameter_count_output_layer_forgotten],
)


# ---------------------------------------------------------------------------------------------
# q3 · backward of an affine layer
# ---------------------------------------------------------------------------------------------
def _q3_cases():
    import numpy as np
    rng = np.random.default_rng(3)
    return [(rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=(n, h)))
            for n, d, h in [(5, 3, 4), (2, 6, 6), (7, 1, 2)]]


def _linear_backward_reference(X, W, dY):
    import torch
    tX, tW = torch.from_numpy(X).requires_grad_(True), torch.from_numpy(W).requires_grad_(True)
    tb = torch.zeros(W.shape[1], dtype=torch.float64, requires_grad=True)
    (tX @ tW + tb).backward(torch.from_numpy(dY))
    return (tX.grad, tW.grad, tb.grad)


def _q3_diagnose(got, expected, args):
    import numpy as np
    for part, g, e in zip(("dX", "dW", "db"), got, expected):
        if np.shape(g) != tuple(e.shape):
            return (f"{part} has shape {np.shape(g)}, but a gradient has the shape of its "
                    f"variable, {tuple(e.shape)}")
    return None


q3 = write_function(
    "linear_backward(X, W, dY)", _linear_backward_reference, _q3_cases, rtol=1e-9, atol=1e-12,
    parts=("dX", "dW", "db"), diagnose=_q3_diagnose,
    name="Q3 · backward of a linear layer",
    hint_text=("Y = X @ W + b with X (N, D), W (D, H), b (H,) and dY (N, H). Each gradient has the "
               "shape of its variable; only one product of dY with X or W has each shape: dX = "
               "dY @ W.T is (N, D), dW = X.T @ dY is (D, H). b is added to every row: sum dY over "
               "the rows."),
    right_answer=answers.linear_backward,
    wrong_answers=[answers.linear_backward_bias_averaged, answers.linear_backward_dw_transposed,
                   answers.linear_backward_w_not_transposed,
                   answers.linear_backward_bias_not_summed],
)


# ---------------------------------------------------------------------------------------------
# q4 · the gradient of softmax cross-entropy
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import numpy as np
    rng = np.random.default_rng(4)
    cases = {}
    for S, label in [(rng.normal(size=(6, 4)), "small logits"),
                     (rng.normal(size=(5, 3)) * 300 + 700, "large logits (around 700)")]:
        cases[label] = (S, rng.integers(0, S.shape[1], len(S)))
    return cases


def _ce_grad_reference(S, y):
    import torch
    t = torch.from_numpy(S).requires_grad_(True)
    torch.nn.functional.cross_entropy(t, torch.from_numpy(y)).backward()
    return t.grad


q4 = write_function(
    "ce_grad(S, y)", _ce_grad_reference, _q4_cases, rtol=1e-7, atol=1e-10,
    diagnose=finite_or(OVERFLOW),
    name="Q4 · softmax cross-entropy gradient",
    hint_text=("For the mean loss L = -(1/N) Σ log softmax(S)[i, y_i], dL/dS = (P - Y) / N, with P "
               "the softmax of each row and Y the one-hot labels. Subtract each row's max from S "
               "before exp: the softmax does not change, and exp can no longer overflow."),
    right_answer=answers.ce_grad,
    wrong_answers=[answers.ce_grad_overflows, answers.ce_grad_not_divided_by_n,
                   answers.ce_grad_sign_flipped, answers.ce_grad_softmax_over_batch],
)


# ---------------------------------------------------------------------------------------------
# q5 · a hat from three ReLUs
# ---------------------------------------------------------------------------------------------
def hat(x):
    """The target of q5: 0 outside [-1, 1], rising to 1 at x = 0 and back down."""
    import numpy as np
    return np.maximum(0.0, 1.0 - np.abs(x))


def network(params, x):
    """A 1-hidden-layer ReLU network on scalars: Σ_j v_j relu(a_j x + b_j) + c."""
    import numpy as np
    a, b, v, c = params
    a, b, v = (np.asarray(p, dtype=np.float64).reshape(-1) for p in (a, b, v))
    return np.maximum(np.outer(x, a) + b, 0.0) @ v + float(c)


def _check_q5(answer):
    import numpy as np
    what = "a, b, v, c: three lists of 3 numbers and a number"
    *weights, c = check.as_tuple(answer, 4, what)
    a, b, v = (check.as_array(p, name).numpy().reshape(-1) for p, name in zip(weights, "abv"))
    c = check.as_number(c, "c")
    if not (len(a) == len(b) == len(v) == 3):
        raise CheckFailed(f"a, b and v need 3 entries each (3 neurons), got {len(a)}, {len(b)}, {len(v)}")
    x = np.linspace(-3, 3, 601)
    got = network((a, b, v, c), x)
    wrong = np.abs(got - hat(x)) > 1e-9
    if wrong.any():
        xs = x[wrong]
        raise CheckFailed(f"your network differs from the hat on {wrong.mean():.0%} of [-3, 3], "
                          f"e.g. at x = {xs[0]:.2f} it gives {got[wrong][0]:.3g} instead of "
                          f"{hat(xs[:1])[0]:.3g}")


q5 = Exercise(
    name="Q5 · a hat from three ReLUs",
    checker=_check_q5,
    hint_text=("Each ReLU neuron relu(a·x + b) adds a kink at x = -b/a. The hat has kinks at -1, 0 "
               "and 1, where its slope changes by +1, -2 and +1. With a = 1 for every neuron, put "
               "the kinks there (b = 1, 0, -1) and give each neuron the slope change as its output "
               "weight v."),
    right_answer=answers.hat_weights,
    wrong_answers=[answers.hat_weights_slope_after_top, answers.hat_weights_twice_as_wide,
                   answers.hat_weights_shifted_up, answers.hat_weights_keeps_falling],
)
