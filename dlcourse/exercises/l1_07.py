"""Exercises of L1.07 · Loss functions (损失函数).

    from dlcourse.exercises import l1_07 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed
from . import Exercise
from . import l1_07_answers as answers
from .kinds import finite_or, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the weighted binary cross-entropy from logits, and its gradient
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(71)
    z = torch.randn(40, generator=g, dtype=torch.float64) * 3
    y = (torch.rand(40, generator=g) > 0.5).double()
    soft = torch.rand(40, generator=g, dtype=torch.float64)
    return {
        "40 logits, labels 0/1, pos_weight = 1": (z, y, 1.0),
        "the same, pos_weight = 3": (z, y, 3.0),
        "soft targets in [0, 1], pos_weight = 0.5": (z, soft, 0.5),
        "logits ±1000, right and wrong, pos_weight = 2":
            (torch.tensor([1000.0, -1000.0, 1000.0, -1000.0], dtype=torch.float64),
             torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=torch.float64), 2.0),
        "a (4, 5) batch, pos_weight = 2": (z[:20].reshape(4, 5), y[:20].reshape(4, 5), 2.0),
    }


def _bce_reference(z, y, pos_weight):
    import torch
    import torch.nn.functional as F
    z = z.requires_grad_()
    loss = F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(pos_weight,
                                                                            dtype=z.dtype))
    (grad,) = torch.autograd.grad(loss, z)
    return loss.detach(), grad


q1 = write_function(
    "bce_and_grad(z, y, pos_weight)", _bce_reference, _q1_cases, rtol=1e-6, atol=1e-9,
    parts=("loss", "grad"),
    diagnose=finite_or("compute the logs from the logit, log σ(z) = −softplus(−z) and "
                      "log(1 − σ(z)) = −softplus(z), never as log of a probability"),
    name="Q1 · weighted BCE and its gradient",
    hint_text=("Per entry, ℓ = −w·y·log σ(z) − (1 − y)·log(1 − σ(z)). Section 5 gives the logs "
               "from the logit: log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z) "
               "(`F.softplus` is stable). For the gradient use d/dz log σ(z) = 1 − σ(z) and "
               "d/dz log(1 − σ(z)) = −σ(z); with w = 1 it is σ(z) − y, as in section 6. The loss "
               "is a mean over all entries, so divide by z.numel()."),
    right_answer=answers.bce_and_grad,
    wrong_answers=[answers.bce_and_grad_through_probabilities,
                   answers.bce_and_grad_weight_on_negatives,
                   answers.bce_and_grad_gradient_ignores_weight,
                   answers.bce_and_grad_gradient_of_the_sum],
)

# ---------------------------------------------------------------------------------------------
# q2 · the best constant under MSE and under MAE
# ---------------------------------------------------------------------------------------------
Q2_DATA = (2.0, 3.0, 3.5, 4.0, 5.0, 6.5, 40.0)


def _check_q2(answer):
    c_mse, c_mae = (check.as_number(c, name) for c, name in
                    zip(check.as_pair(answer, "c_mse, c_mae"), ("c_mse", "c_mae")))
    data = sorted(Q2_DATA)
    mean, median = sum(data) / len(data), data[len(data) // 2]
    if abs(c_mse - median) < 1e-6 and abs(c_mae - mean) < 1e-6:
        raise CheckFailed("the two are swapped: which loss does the outlier 40 pull hard?")
    check.close(c_mse, mean, name="the constant that minimises the MSE")
    check.close(c_mae, median, name="the constant that minimises the MAE")


q2 = Exercise(
    name="Q2 · the best constant",
    checker=_check_q2,
    hint_text=("Set the derivative with respect to c to zero. For Σ(yᵢ − c)² it is "
               "−2 Σ(yᵢ − c): zero at the average. For Σ|yᵢ − c| it is (number of yᵢ below c) − "
               "(number above c): zero where half the data lies on each side."),
    right_answer=answers.best_constants,
    wrong_answers=[answers.best_constants_swapped, answers.best_constants_mean_for_both,
                   answers.best_constants_outlier_dropped],
)

# ---------------------------------------------------------------------------------------------
# q3 · the two gradients when confidently wrong
# ---------------------------------------------------------------------------------------------
Q3_LOGIT, Q3_LABEL = -4.0, 1.0


def _check_q3(answer):
    import torch
    g_bce, g_mse = (check.as_number(g, name) for g, name in
                    zip(check.as_pair(answer, "g_bce, g_mse"), ("g_bce", "g_mse")))
    z = torch.tensor(Q3_LOGIT, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(z)
    bce = -(Q3_LABEL * torch.log(p) + (1 - Q3_LABEL) * torch.log(1 - p))
    (expected_bce,) = torch.autograd.grad(bce, z)
    z2 = torch.tensor(Q3_LOGIT, dtype=torch.float64, requires_grad=True)
    (expected_mse,) = torch.autograd.grad((torch.sigmoid(z2) - Q3_LABEL) ** 2, z2)
    if abs(g_bce + expected_bce.item()) < 1e-4 and abs(g_bce) > 1e-3:
        raise CheckFailed("the BCE gradient has the wrong sign: it is σ(z) − y, and a smaller "
                          "σ(z) than y makes it negative")
    check.close(g_bce, expected_bce, name="dBCE/dz", rtol=1e-4, atol=1e-5)
    check.close(g_mse, expected_mse, name="d(σ(z) − y)²/dz", rtol=1e-4, atol=1e-5)


q3 = Exercise(
    name="Q3 · two gradients",
    checker=_check_q3,
    hint_text=("With p = σ(z): d BCE/dz = p − y, and d(p − y)²/dz = 2 (p − y) · p (1 − p) "
               "(the chain rule through the sigmoid, σ'(z) = p (1 − p)). Here p = σ(−4) ≈ 0.018."),
    right_answer=answers.two_gradients,
    wrong_answers=[answers.two_gradients_signs_flipped, answers.two_gradients_mse_without_slope,
                   answers.two_gradients_bce_with_slope],
)


# ---------------------------------------------------------------------------------------------
# q4 · cross-entropy with label smoothing
# ---------------------------------------------------------------------------------------------
def _q4_cases():
    import torch
    g = torch.Generator().manual_seed(74)
    cases = {}
    for label, n, K, scale, eps in [("12 examples, 5 classes, ε = 0.1", 12, 5, 1.0, 0.1),
                                    ("ε = 0: the plain cross-entropy", 8, 4, 1.0, 0.0),
                                    ("two classes, ε = 0.3", 6, 2, 1.0, 0.3),
                                    ("logits in the hundreds, ε = 0.2", 10, 5, 300.0, 0.2)]:
        S = torch.randn(n, K, generator=g, dtype=torch.float64) * scale
        cases[label] = (S, torch.randint(0, K, (n,), generator=g), eps)
    return cases


def _smoothed_reference(S, y, eps):
    import torch.nn.functional as F
    return F.cross_entropy(S, y, label_smoothing=eps)


def _q4_diagnose(got, expected, args):
    import torch
    why = finite_or("compute log softmax as S − logsumexp(S) (section 4), never as "
                    "log(softmax(S))")(got, expected, args)
    if why:
        return why
    S, y, eps = args
    log_p = S - torch.logsumexp(S, dim=1, keepdim=True)
    true = log_p[torch.arange(len(y)), y]
    others = (log_p.sum(dim=1) - true) / (S.shape[1] - 1)
    if torch.isclose(check.as_array(got).reshape(()), -((1 - eps) * true + eps * others).mean()):
        return ("you spread ε over the K − 1 wrong classes; PyTorch spreads it over all K "
                "classes, the true one included: q_k = (1 − ε)[k = y] + ε/K")
    return None


q4 = write_function(
    "smoothed_cross_entropy(S, y, eps)", _smoothed_reference, _q4_cases, rtol=1e-6, atol=1e-9,
    diagnose=_q4_diagnose,
    name="Q4 · cross-entropy with label smoothing",
    hint_text=("The target of example i is q = (1 − ε)·onehot(y_i) + ε/K for every class, and "
               "the loss is −Σ_k q_k log p_k. That splits into (1 − ε)·(−log p_y) + ε·(the mean "
               "over k of −log p_k). Take log p = S − logsumexp(S) row by row (keepdim=True), "
               "then average over the examples."),
    right_answer=answers.smoothed_cross_entropy,
    wrong_answers=[answers.smoothed_cross_entropy_other_classes_only,
                   answers.smoothed_cross_entropy_through_probabilities,
                   answers.smoothed_cross_entropy_uniform_part_forgotten,
                   answers.smoothed_cross_entropy_sum_not_mean],
)


# ---------------------------------------------------------------------------------------------
# q5 · the Gaussian negative log-likelihood with a predicted variance
# ---------------------------------------------------------------------------------------------
def _q5_cases():
    import torch
    g = torch.Generator().manual_seed(75)
    mean, target = (torch.randn(30, generator=g, dtype=torch.float64) for _ in range(2))
    log_var = torch.rand(30, generator=g, dtype=torch.float64) * 6 - 3     # σ² from e⁻³ to e³
    return {
        "30 predictions, log σ² in [−3, 3]": (mean, log_var, target),
        "log σ² = 0 (σ = 1)": (mean, torch.zeros(30, dtype=torch.float64), target),
        "a (6, 5) batch": (mean.reshape(6, 5), log_var.reshape(6, 5), target.reshape(6, 5) * 5),
    }


def _gaussian_nll_reference(mean, log_var, target):
    import torch.nn.functional as F
    return F.gaussian_nll_loss(mean, target, log_var.exp())


q5 = write_function(
    "gaussian_nll(mean, log_var, target)", _gaussian_nll_reference, _q5_cases, rtol=1e-6,
    atol=1e-9,
    name="Q5 · a loss that predicts its own noise",
    hint_text=("The Gaussian density is exp(−(y − μ)²/(2σ²)) / √(2πσ²). Take −log: "
               "(y − μ)²/(2σ²) + ½ log σ² + ½ log 2π. Drop the last term (a constant), write σ² as "
               "exp(log_var), and average over all entries."),
    right_answer=answers.gaussian_nll,
    wrong_answers=[answers.gaussian_nll_log_var_term_forgotten, answers.gaussian_nll_std_for_var,
                   answers.gaussian_nll_half_forgotten],
)
