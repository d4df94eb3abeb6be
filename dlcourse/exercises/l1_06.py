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
Q2_SIZES = (784, 300, 100, 10)   # LeNet-300-100 (LeCun et al. 1998), not the network of section 8
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
               "for 784 → 300, 300 → 100 and 100 → 10. Check yourself: build it with nn.Linear as "
               "in section 8 and compute sum(p.numel() for p in model.parameters())."),
    right_answer=answers.parameter_count,
    wrong_answers=[answers.parameter_count_weights_only,
                   answers.parameter_count_input_biases,
                   answers.parameter_count_product,
                   answers.parameter_count_output_layer_forgotten],
)


# ---------------------------------------------------------------------------------------------
# q3, q4 · backward passes that return their gradients as a dict keyed like `params`
# ---------------------------------------------------------------------------------------------
def _shapes_diagnose(keys):
    def diagnose(got, expected, args):
        import numpy as np
        if not isinstance(got, tuple):
            return (f"return a dict of the {len(keys)} gradients keyed like params "
                    f"({', '.join(repr(k) for k in keys)}), as the lesson's `backward` does")
        params = args[0]
        for key, g in zip(keys, got):
            if g is not None and np.size(g) != params[key].size:
                return (f"the gradient for {key} has shape {np.shape(g)}, but a gradient has the "
                        f"shape of its variable, {params[key].shape}")
        return None
    return diagnose


def _mlp_params(rng, sizes):
    """Weights (normal, He-scaled) and nonzero biases for a D-H…-C MLP, as float64 arrays."""
    import numpy as np
    params = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.normal(0, np.sqrt(2 / a), (a, b))
        params[f"b{i}"] = rng.normal(0, 0.5, b)
    return params


# ---------------------------------------------------------------------------------------------
# q3 · backward through two hidden ReLU layers
# ---------------------------------------------------------------------------------------------
GRADS3 = ("W1", "b1", "W2", "b2", "W3", "b3")


def _q3_cases():
    import numpy as np
    rng = np.random.default_rng(63)
    cases = {}
    for label, n, sizes in [("8 examples, sizes 5-7-6-3", 8, (5, 7, 6, 3)),
                            ("a single example, sizes 4-3-5-2", 1, (4, 3, 5, 2)),
                            ("30 examples, sizes 10-16-8-4", 30, (10, 16, 8, 4))]:
        cases[label] = (_mlp_params(rng, sizes), rng.normal(size=(n, sizes[0])),
                        rng.integers(0, sizes[-1], n))
    return cases


def _mlp3_reference(params, X, y):
    import torch
    import torch.nn.functional as F
    t = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
    H1 = torch.relu(torch.from_numpy(X) @ t["W1"] + t["b1"])
    H2 = torch.relu(H1 @ t["W2"] + t["b2"])
    F.cross_entropy(H2 @ t["W3"] + t["b3"], torch.from_numpy(y)).backward()
    return tuple(t[k].grad for k in GRADS3)


q3 = write_function(
    "mlp3_backward(params, X, y)", _mlp3_reference, _q3_cases, rtol=1e-9, atol=1e-12,
    parts=GRADS3, diagnose=_shapes_diagnose(GRADS3),
    name="Q3 · backward through two hidden layers",
    hint_text=("Forward first, keeping Z1, H1, Z2, H2 and the softmax P. Then backward from the "
               "top: dS = (P − Y)/N as in `backward`; the affine rule gives dW3 = H2ᵀ dS, db3 = "
               "Σ rows of dS and dH2 = dS W3ᵀ; the ReLU rule gives dZ2 = dH2 ⊙ relu'(Z2). Now "
               "W2 and the first ReLU are one more affine layer and one more activation: repeat "
               "the same two rules."),
    right_answer=answers.mlp3_backward,
    wrong_answers=[answers.mlp3_backward_second_relu_skipped,
                   answers.mlp3_backward_first_relu_skipped,
                   answers.mlp3_backward_sum_not_mean, answers.mlp3_backward_bias_averaged],
)


# ---------------------------------------------------------------------------------------------
# q4 · backward of a tanh network with one logit and the binary cross-entropy
# ---------------------------------------------------------------------------------------------
GRADS2 = ("W1", "b1", "W2", "b2")


def _q4_cases():
    import numpy as np
    rng = np.random.default_rng(64)
    cases = {}
    for label, n, sizes, scale in [("8 examples, sizes 3-5-1", 8, (3, 5, 1), 1.0),
                                   ("a single example, sizes 4-6-1", 1, (4, 6, 1), 1.0),
                                   ("a confident network: logits in the thousands", 12,
                                    (3, 5, 1), 2000.0)]:
        params = _mlp_params(rng, sizes)
        params["W2"] *= scale
        cases[label] = (params, rng.normal(size=(n, sizes[0])),
                        rng.integers(0, 2, n).astype(np.float64))
    return cases


def _bce_mlp_reference(params, X, y):
    import torch
    import torch.nn.functional as F
    t = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
    s = torch.tanh(torch.from_numpy(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    F.binary_cross_entropy_with_logits(s[:, 0], torch.from_numpy(y)).backward()
    # b2 has one entry: check.matches reads a one-element answer as a number, so compare it as one
    return tuple(t[k].grad.reshape(()) if t[k].numel() == 1 else t[k].grad for k in GRADS2)


def _q4_diagnose(got, expected, args):
    import numpy as np
    why = _shapes_diagnose(GRADS2)(got, expected, args)
    if why:
        return why
    if any(g is not None and not np.isfinite(g).all() for g in got):
        return f"a gradient contains nan or inf: {OVERFLOW}"
    return None


q4 = write_function(
    "bce_mlp_backward(params, X, y)", _bce_mlp_reference, _q4_cases, rtol=1e-9, atol=1e-12,
    parts=GRADS2, diagnose=_q4_diagnose,
    name="Q4 · backward with a BCE output",
    hint_text=("Only the top changes. With one logit per example, s = H W2 + b2 has shape (N, 1), "
               "and the mean BCE gives ds = (σ(s) − y)/N: the sigmoid's slope cancels, as softmax "
               "and cross-entropy's did. Make y a column first (y[:, None]), or (N, 1) − (N,) "
               "broadcasts to (N, N). Below the logit, the affine rule, then tanh' = 1 − H²; "
               "the lesson's sigmoid(z) never overflows."),
    right_answer=answers.bce_mlp_backward,
    wrong_answers=[answers.bce_mlp_backward_labels_not_a_column,
                   answers.bce_mlp_backward_relu_derivative,
                   answers.bce_mlp_backward_extra_sigmoid_slope,
                   answers.bce_mlp_backward_overflows],
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
