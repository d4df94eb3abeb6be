"""Exercises of L1.11 · The playground (神经网络游乐场).

    from dlcourse.exercises import l1_11 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_11_answers as answers
from .kinds import number, write_function

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
# q3 · the largest stable learning rate, from the data
# ---------------------------------------------------------------------------------------------
Q3_SETTINGS = dict(dataset="plane", hidden=(), batch_size=1000, optimizer="sgd", seed=0)


def _q3_eigenvalues():
    """Eigenvalues (ascending) of the Hessian 2/n ÃᵀÃ of the training MSE of a network without
    hidden layers on the plane (Ã: the features x1, x2 and a column of ones)."""
    import torch

    from .. import playground_model as pm
    settings = pm.Settings(**Q3_SETTINGS)
    X_train = pm.split(settings)[0]
    F = pm.features(X_train, settings.features).double()
    A = torch.cat([F, torch.ones(len(F), 1, dtype=F.dtype)], dim=1)
    return torch.linalg.eigvalsh(2 * A.T @ A / len(A))


def _q3_expected() -> float:
    return 2 / _q3_eigenvalues()[-1].item()


def _q3_mistakes() -> dict[float, str]:
    import torch

    from .. import playground_model as pm
    lam = _q3_eigenvalues()
    X_train = pm.split(pm.Settings(**Q3_SETTINGS))[0].double()
    no_bias = torch.linalg.eigvalsh(2 * X_train.T @ X_train / len(X_train))
    return {
        1 / lam[-1].item(): "that is 1/λ_max; gradient descent overshoots but still converges up "
                            "to 2/λ_max (each step multiplies the error by 1 − ηλ, stable while "
                            "|1 − ηλ| < 1)",
        2 / no_bias[-1].item(): "the bias is a parameter too: append a column of ones to the "
                                "features before forming the Hessian",
        1 / lam[-1].item() * 2 * 2: "the MSE's Hessian is 2/n ÃᵀÃ: the 2 comes from "
                                    "differentiating the square",
        2 / (lam[-1] + lam[0]).item(): "that is the best constant learning rate, "
                                       "2/(λ_max + λ_min); the question asks where it starts "
                                       "to diverge",
    }


q3 = number(
    _q3_expected, what="the learning rate", rtol=1e-3, mistakes=_q3_mistakes,
    name="Q3 · the largest stable learning rate",
    hint_text=("Without hidden layers the network is linear regression on (x1, x2), and the MSE "
               "is a quadratic: full-batch gradient descent converges if and only if η < "
               "2/λ_max, with λ_max the largest eigenvalue of the Hessian H = 2/n ÃᵀÃ, Ã = the "
               "training features with a column of ones (L1.04, L1.08). Get the training points "
               "with pm.split(pm.Settings(dataset='plane', seed=0))[0]."),
    right_answer=answers.largest_stable_lr,
    wrong_answers=[answers.largest_stable_lr_one_over_lambda, answers.largest_stable_lr_no_bias,
                   answers.largest_stable_lr_hessian_without_2, answers.best_constant_lr],
)


# ---------------------------------------------------------------------------------------------
# q4 · the feature map
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import torch

    from .. import playground_model as pm
    g = torch.Generator().manual_seed(114)
    points = torch.rand(6, 2, generator=g) * 2.4 - 1.2
    return {
        "6 points, all seven features": (points, FEATURE_NAMES),
        "6 points, ('x1', 'x2')": (points, ("x1", "x2")),
        "6 points, names in another order ('sin(pi*x2)', 'x1*x2', 'x1')":
            (points, ("sin(pi*x2)", "x1*x2", "x1")),
        "the 1600 grid points, ('x1^2', 'x2^2')": (pm.grid(40)[0], ("x1^2", "x2^2")),
        "one point (0.5, -1), ('x2', 'sin(pi*x1)')":
            (torch.tensor([[0.5, -1.0]]), ("x2", "sin(pi*x1)")),
    }


def _features_reference(X, names):
    from .. import playground_model as pm
    return pm.features(X, names)


q4 = write_function(
    "features(X, names)", _features_reference, _q4_cases, rtol=1e-5, atol=1e-6,
    name="Q4 · the feature map",
    hint_text=("Take x1, x2 = X[:, 0], X[:, 1]; make one column per name, in the order of "
               "`names` (a dict from name to a function of x1 and x2 keeps it short); sin uses "
               "π·x (torch.sin(math.pi * x1)); then torch.stack(columns, dim=1) gives one row per "
               "point."),
    right_answer=answers.features,
    wrong_answers=[answers.features_sin_without_pi, answers.features_in_a_fixed_order,
                   answers.features_one_row_per_feature],
)
