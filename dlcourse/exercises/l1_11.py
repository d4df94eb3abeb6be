"""Exercises of L1.11 · The playground (神经网络游乐场).

    from dlcourse.exercises import l1_11 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from functools import lru_cache

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_11_answers as answers
from .kinds import number

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(pi*x1)", "sin(pi*x2)")


# ---------------------------------------------------------------------------------------------
# q1 · feature engineering: the circle
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    got = check.as_choices(answer, FEATURE_NAMES, "feature names")
    if not {"x1^2", "x2^2"} <= got:
        raise CheckFailed("with these features the best a network without hidden layers can "
                          "draw is still not a circle: which feature combination is constant "
                          "on a circle centred at the origin?")
    if got != {"x1^2", "x2^2"}:
        raise CheckFailed(f"these work, but {sorted(got - {'x1^2', 'x2^2'})} are not needed: "
                          "the question asks for the smallest set")


q1 = Exercise(
    name="Q1 · features for the circle",
    checker=_check_q1,
    hint_text=("A network without hidden layers draws the boundary w·features + b = 0. The class "
               "depends only on the distance from the centre, r² = x1² + x2². Which features do "
               "you need for w·features + b = 0 to be the circle r² = c? Try it: "
               "Playground(dataset='circle', hidden=(), features=...)."),
    right_answer=answers.circle_features,
    wrong_answers=[answers.circle_features_linear, answers.circle_features_x1_squared_only,
                   answers.circle_features_xor, answers.circle_features_not_the_smallest],
)

# ---------------------------------------------------------------------------------------------
# q2 · counting parameters
# ---------------------------------------------------------------------------------------------
q2 = number(
    (4 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1), what="the number of parameters", whole=True,
    mistakes={
        4 * 6 + 6 * 3 + 3 * 1: "that counts the weights only: every neuron also has a bias",
        4 * 6 + 6 + 6 * 3 + 3: "the output neuron has weights and a bias too",
    },
    name="Q2 · count the parameters",
    hint_text=("A layer with n_in inputs and n_out neurons has n_in × n_out weights and n_out "
               "biases. The layers here are 4 → 6, 6 → 3 and 3 → 1 (the output). The status line "
               "under the playground shows the count of any network you build."),
    right_answer=answers.parameter_count,
    wrong_answers=[answers.parameter_count_weights_only,
                   answers.parameter_count_output_layer_forgotten,
                   answers.parameter_count_two_inputs],
)

# ---------------------------------------------------------------------------------------------
# q3 · the learning rate that diverges
# ---------------------------------------------------------------------------------------------
Q3_SETTINGS = dict(dataset="plane", features=("x1", "x2"), hidden=(4, 2), activation="tanh",
                   optimizer="sgd", batch_size=10, seed=0)
Q3_STEPS = 200


@lru_cache(maxsize=1)
def _q3_expected() -> tuple[float, tuple[float, ...]]:
    import torch

    from ..playground_model import Run, Settings
    from ..widgets.playground import LEARNING_RATES
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for lr in LEARNING_RATES:
            run = Run(Settings(lr=lr, **Q3_SETTINGS))
            run.train(Q3_STEPS)
            if run.diverged:
                return lr, LEARNING_RATES
    finally:
        torch.set_num_threads(threads)
    raise AssertionError("no learning rate diverges: the exercise needs new settings")


def _check_q3(answer):
    lr = check.as_number(answer, "a learning rate")
    expected, options = _q3_expected()
    if not any(abs(lr - o) <= 1e-12 * max(1, o) for o in options):
        raise CheckFailed(f"{lr:g} is not one of the widget's learning rates {list(options)}")
    if lr < expected:
        raise CheckFailed(f"at {lr:g} training still converges: the loss stays finite")
    if lr > expected:
        raise CheckFailed(f"{lr:g} diverges, but a smaller rate already does")


q3 = Exercise(
    name="Q3 · when does it diverge",
    checker=_check_q3,
    hint_text=("Build Playground(dataset='plane') (its defaults: x1 and x2, layers 4 and 2, tanh, "
               "SGD, batch 10, seed 0), then for each learning rate: "
               "pg.set(lr=...); pg.reset(); pg.step(200); print(pg.run.diverged). The status "
               "line says 'Diverged' when the weights stop being finite numbers."),
    right_answer=answers.first_diverging_lr,
    wrong_answers=[answers.largest_converging_lr, answers.lr_3, answers.largest_lr_option,
                   answers.lr_as_text],
)

# ---------------------------------------------------------------------------------------------
# q4 · a second-layer neuron's heatmap by hand
# ---------------------------------------------------------------------------------------------
RES = 40


def network():
    """The data of q4: (model, F) with model a trained 2-input network with hidden layers of
    3 and 2 tanh neurons, and F the (1600, 2) grid of points (x1, x2) the playground draws
    (row-major: 40 rows of x2 from the bottom, 40 columns of x1). A fresh copy each call."""
    import copy
    model, F = _trained_network()
    return copy.deepcopy(model), F.clone()


@lru_cache(maxsize=1)
def _trained_network():
    import torch

    from ..playground_model import Run, Settings, grid
    run = Run(Settings(dataset="xor", hidden=(3, 2), lr=0.3, seed=11))
    run.train(200)
    F, _ = grid(RES)
    for p in run.model.parameters():
        p.requires_grad_(False)
    return run.model, torch.as_tensor(F)


def _check_q4(answer):
    import torch
    heat = check.as_tensor(answer, f"the heatmap, shape ({RES}, {RES})")
    if tuple(heat.shape) != (RES, RES):
        raise CheckFailed(f"shape {tuple(heat.shape)}: reshape the {RES * RES} values to "
                          f"({RES}, {RES}), one row per x2")
    model, F = _trained_network()
    first, second, _ = model.layers(F)
    expected = second[:, 0].reshape(RES, RES)
    if torch.allclose(heat.double(), expected.T.double(), atol=1e-5):
        raise CheckFailed("transposed: the grid's rows are x2 (x1 varies fastest), so "
                          ".reshape(40, 40) already puts x2 on the rows")
    for j in range(first.shape[1]):
        if torch.allclose(heat.double(), first[:, j].reshape(RES, RES).double(), atol=1e-5):
            raise CheckFailed("that is a neuron of the first hidden layer; go one layer further")
    check.close(heat, expected, name="neuron 0 of hidden layer 2", atol=1e-5)


q4 = Exercise(
    name="Q4 · a deeper neuron by hand",
    checker=_check_q4,
    hint_text=("Layer by layer, as the network does: h1 = tanh(F @ W1.T + b1) with W1, b1 = "
               "model.linears[0].weight, .bias; then h2 = tanh(h1 @ W2.T + b2) with "
               "model.linears[1]; the heatmap is h2[:, 0].reshape(40, 40)."),
    right_answer=answers.deeper_neuron,
    wrong_answers=[answers.first_layer_neuron, answers.deeper_neuron_no_first_activation,
                   answers.deeper_neuron_transposed, answers.deeper_neuron_no_biases],
)
