"""Answers to L1.11's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · feature engineering: the circle
@computed
def circle_features():
    return {"x1^2", "x2^2"}


@computed
def circle_features_linear():
    """A straight line: no circle."""
    return {"x1", "x2"}


@computed
def circle_features_x1_squared_only():
    """A pair of vertical lines x1 = ±c."""
    return {"x1^2"}


@computed
def circle_features_xor():
    """The xor feature: hyperbolas."""
    return {"x1*x2"}


@computed
def circle_features_not_the_smallest():
    return {"x1", "x2", "x1^2", "x2^2"}


# q2 · counting parameters
@computed
def parameter_count():
    return (4 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1)


@computed
def parameter_count_weights_only():
    return 4 * 6 + 6 * 3 + 3 * 1


@computed
def parameter_count_output_layer_forgotten():
    return (4 * 6 + 6) + (6 * 3 + 3)


@computed
def parameter_count_two_inputs():
    return (2 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1)


# q3 · the learning rate that diverges
@computed
def first_diverging_lr():
    from dlcourse.widgets.playground import LEARNING_RATES, Playground
    pg = Playground(dataset="plane")
    for lr in LEARNING_RATES:
        pg.set(lr=lr)
        pg.reset()
        pg.step(200)
        if pg.run.diverged:
            break
    return lr


@computed
def largest_converging_lr():
    return 0.3


@computed
def lr_3():
    return 3.0


@computed
def largest_lr_option():
    """It diverges, but not first."""
    return 10


@computed
def lr_as_text():
    return "1"


# q4 · a second-layer neuron's heatmap by hand
@computed
def deeper_neuron():
    from dlcourse.exercises import l1_11 as ex
    model, F = ex.network()
    l1, l2 = model.linears[0], model.linears[1]
    h1 = torch.tanh(F @ l1.weight.T + l1.bias)
    h2 = torch.tanh(h1 @ l2.weight.T + l2.bias)
    return h2[:, 0].reshape(40, 40)


@computed
def first_layer_neuron():
    from dlcourse.exercises import l1_11 as ex
    model, F = ex.network()
    l1 = model.linears[0]
    return torch.tanh(F @ l1.weight.T + l1.bias)[:, 0].reshape(40, 40)


@computed
def deeper_neuron_no_first_activation():
    from dlcourse.exercises import l1_11 as ex
    model, F = ex.network()
    l1, l2 = model.linears[0], model.linears[1]
    h1 = F @ l1.weight.T + l1.bias
    return torch.tanh(h1 @ l2.weight.T + l2.bias)[:, 0].reshape(40, 40)


@computed
def deeper_neuron_transposed():
    from dlcourse.exercises import l1_11 as ex
    model, F = ex.network()
    l1, l2 = model.linears[0], model.linears[1]
    h1 = torch.tanh(F @ l1.weight.T + l1.bias)
    return torch.tanh(h1 @ l2.weight.T + l2.bias)[:, 0].reshape(40, 40).T


@computed
def deeper_neuron_no_biases():
    from dlcourse.exercises import l1_11 as ex
    model, F = ex.network()
    l1, l2 = model.linears[0], model.linears[1]
    h1 = torch.tanh(F @ l1.weight.T)
    return torch.tanh(h1 @ l2.weight.T)[:, 0].reshape(40, 40)
