"""Exercises of L1.11 · The playground (神经网络游乐场).

    from dlcourse.exercises import l1_11 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from functools import lru_cache

from ..check import CheckFailed
from . import Exercise

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(pi*x1)", "sin(pi*x2)")


# ---------------------------------------------------------------------------------------------
# q1 · feature engineering: the circle
# ---------------------------------------------------------------------------------------------
def _check_q1(answer):
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        raise CheckFailed(f"expected a set of feature names such as {{'x1', 'x2'}}, got {answer!r}")
    got = {str(a).strip() for a in answer}
    unknown = got - set(FEATURE_NAMES)
    if unknown:
        raise CheckFailed(f"unknown feature names {sorted(unknown)}; the playground's are "
                          f"{list(FEATURE_NAMES)}")
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
    solution_code="""
answer = {"x1^2", "x2^2"}
""",
    wrong_codes=[
        'answer = {"x1", "x2"}                    # a straight line: no circle',
        'answer = {"x1^2"}                        # a pair of vertical lines x1 = ±c',
        'answer = {"x1*x2"}                       # the xor feature: hyperbolas',
        'answer = {"x1", "x2", "x1^2", "x2^2"}    # works, but not the smallest set',
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · counting parameters
# ---------------------------------------------------------------------------------------------
def _check_q2(answer):
    from ..playground_model import n_parameters
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise CheckFailed(f"expected a whole number, got {answer!r}")
    expected = n_parameters(4, (6, 3))
    if answer == 4 * 6 + 6 * 3 + 3 * 1:
        raise CheckFailed(f"{answer} counts the weights only: every neuron also has a bias")
    if answer == 4 * 6 + 6 + 6 * 3 + 3:
        raise CheckFailed(f"{answer}: the output neuron has weights and a bias too")
    if answer != expected:
        raise CheckFailed(f"{answer} is not the count; go layer by layer: inputs × neurons "
                          "weights plus one bias per neuron")


q2 = Exercise(
    name="Q2 · count the parameters",
    checker=_check_q2,
    hint_text=("A layer with n_in inputs and n_out neurons has n_in × n_out weights and n_out "
               "biases. The layers here are 4 → 6, 6 → 3 and 3 → 1 (the output). The status line "
               "under the playground shows the count of any network you build."),
    solution_code="""
answer = (4 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1)
""",
    wrong_codes=[
        "answer = 4 * 6 + 6 * 3 + 3 * 1                    # weights only",
        "answer = (4 * 6 + 6) + (6 * 3 + 3)                # the output layer forgotten",
        "answer = (2 * 6 + 6) + (6 * 3 + 3) + (3 * 1 + 1)  # two inputs instead of four",
        "answer = 55.0                                     # a float, not a count",
    ],
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
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise CheckFailed(f"expected a learning rate (a number), got {answer!r}")
    expected, options = _q3_expected()
    if not any(abs(answer - o) <= 1e-12 * max(1, o) for o in options):
        raise CheckFailed(f"{answer} is not one of the widget's learning rates {list(options)}")
    if answer < expected:
        raise CheckFailed(f"at {answer:g} training still converges: the loss stays finite")
    if answer > expected:
        raise CheckFailed(f"{answer:g} diverges, but a smaller rate already does")


q3 = Exercise(
    name="Q3 · when does it diverge",
    checker=_check_q3,
    hint_text=("Build Playground(dataset='plane') (its defaults: x1 and x2, layers 4 and 2, tanh, "
               "SGD, batch 10, seed 0), then for each learning rate: "
               "pg.set(lr=...); pg.reset(); pg.step(200); print(pg.run.diverged). The status "
               "line says 'Diverged' when the weights stop being finite numbers."),
    solution_code="""
from dlcourse.widgets.playground import LEARNING_RATES, Playground
pg = Playground(dataset="plane")
answer = None
for lr in LEARNING_RATES:
    pg.set(lr=lr)
    pg.reset()
    pg.step(200)
    if pg.run.diverged:
        answer = lr
        break
""",
    wrong_codes=[
        "answer = 0.3      # the largest that still converges",
        "answer = 3.0",
        "answer = 10       # the largest option: it diverges, but not first",
        'answer = "1"      # a string',
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · a second-layer neuron's heatmap by hand
# ---------------------------------------------------------------------------------------------
RES = 40


def network():
    """The data of q4: (model, F) with model a trained 2-input network with hidden layers of
    3 and 2 tanh neurons, and F the (1600, 2) grid of points (x1, x2) the playground draws
    (row-major: 40 rows of x2 from the bottom, 40 columns of x1)."""
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

    from .. import check
    model, F = network()
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a torch.Tensor of shape ({RES}, {RES}), got "
                          f"{type(answer).__name__}")
    if tuple(answer.shape) != (RES, RES):
        raise CheckFailed(f"shape {tuple(answer.shape)}: reshape the {RES * RES} values to "
                          f"({RES}, {RES}), one row per x2")
    first, second, _ = model.layers(F)
    expected = second[:, 0].reshape(RES, RES)
    if torch.allclose(answer.double(), expected.T.double(), atol=1e-5):
        raise CheckFailed("transposed: the grid's rows are x2 (x1 varies fastest), so "
                          ".reshape(40, 40) already puts x2 on the rows")
    for j in range(first.shape[1]):
        if torch.allclose(answer.double(), first[:, j].reshape(RES, RES).double(), atol=1e-5):
            raise CheckFailed("that is a neuron of the first hidden layer; go one layer further")
    check.close(answer, expected, name="neuron 0 of hidden layer 2", atol=1e-5)


q4 = Exercise(
    name="Q4 · a deeper neuron by hand",
    checker=_check_q4,
    hint_text=("Layer by layer, as the network does: h1 = tanh(F @ W1.T + b1) with W1, b1 = "
               "model.linears[0].weight, .bias; then h2 = tanh(h1 @ W2.T + b2) with "
               "model.linears[1]; the heatmap is h2[:, 0].reshape(40, 40)."),
    solution_code="""
import torch
from dlcourse.exercises.l1_11 import network
model, F = network()
l1, l2 = model.linears[0], model.linears[1]
h1 = torch.tanh(F @ l1.weight.T + l1.bias)
h2 = torch.tanh(h1 @ l2.weight.T + l2.bias)
answer = h2[:, 0].reshape(40, 40)
""",
    wrong_codes=[
        "import torch\nfrom dlcourse.exercises.l1_11 import network\nmodel, F = network()\n"
        "l1 = model.linears[0]\n"
        "answer = torch.tanh(F @ l1.weight.T + l1.bias)[:, 0].reshape(40, 40)   # layer 1",
        "import torch\nfrom dlcourse.exercises.l1_11 import network\nmodel, F = network()\n"
        "l1, l2 = model.linears[0], model.linears[1]\n"
        "h1 = F @ l1.weight.T + l1.bias                    # no activation in layer 1\n"
        "answer = torch.tanh(h1 @ l2.weight.T + l2.bias)[:, 0].reshape(40, 40)",
        "import torch\nfrom dlcourse.exercises.l1_11 import network\nmodel, F = network()\n"
        "l1, l2 = model.linears[0], model.linears[1]\n"
        "h1 = torch.tanh(F @ l1.weight.T + l1.bias)\n"
        "answer = torch.tanh(h1 @ l2.weight.T + l2.bias)[:, 0].reshape(40, 40).T   # transposed",
        "import torch\nfrom dlcourse.exercises.l1_11 import network\nmodel, F = network()\n"
        "l1, l2 = model.linears[0], model.linears[1]\n"
        "h1 = torch.tanh(F @ l1.weight.T)                  # biases forgotten\n"
        "answer = torch.tanh(h1 @ l2.weight.T)[:, 0].reshape(40, 40)",
    ],
)
