"""Exercises of L1.08 · Optimizers (优化器).

    from dlcourse.exercises import l1_08 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from ..check import CheckFailed, NotAttempted
from . import Exercise
from . import l1_08_answers as answers
from .kinds import number

# ---------------------------------------------------------------------------------------------
# q1 · two steps of heavy-ball momentum by hand
# ---------------------------------------------------------------------------------------------
Q1_THETA0, Q1_LR, Q1_MU, Q1_GRADS = 1.0, 0.1, 0.9, (2.0, -1.0)


def _q1_expected() -> float:
    theta, buf = Q1_THETA0, None
    for g in Q1_GRADS:
        buf = g if buf is None else Q1_MU * buf + g
        theta -= Q1_LR * buf
    return theta


q1 = number(
    _q1_expected(), what="θ after two steps", rtol=0, atol=1e-9,
    mistakes={
        0.9: "that is plain SGD: the second step should still carry 0.9 × the first gradient",
        0.972: "that is a buffer that starts at zero and averages (b = 0.9 b + 0.1 g): PyTorch "
               "starts the buffer at the first gradient, b₁ = g₁, and adds g undamped",
        0.648: "that is Nesterov's update (g + μ b); plain momentum steps by b",
        1.28: "the sign is flipped: the step goes against the gradient, θ ← θ − η b",
    },
    name="Q1 · momentum by hand",
    hint_text=("PyTorch's momentum: b₁ = g₁ on the first step, then b_t = μ b_(t−1) + g_t; every "
               "step is θ ← θ − η b_t. Here η = 0.1, μ = 0.9, g₁ = 2, g₂ = −1, θ₀ = 1."),
    right_answer=answers.momentum_two_steps,
    wrong_answers=[answers.momentum_none, answers.momentum_damped_zero_buffer,
                   answers.momentum_nesterov, answers.momentum_uphill,
                   answers.momentum_one_step],
)

# ---------------------------------------------------------------------------------------------
# q2 · momentum's effective learning rate
# ---------------------------------------------------------------------------------------------
q2 = number(
    0.1 * (1 - 0.9), what="lr", rtol=1e-3, atol=0,
    mistakes={
        0.1: "with momentum 0.9 the buffer grows to 10× the gradient, so the same lr makes "
             "10× longer steps",
        1.0: "the other way round: momentum makes the steps longer, so the lr must shrink",
        0.09: "that is 0.1 × 0.9; work out the limit of b_t for a constant gradient instead",
    },
    name="Q2 · momentum's effective learning rate",
    hint_text=("With a constant gradient g, b_t = g (1 + μ + μ² + … + μ^(t−1)) → g / (1 − μ). "
               "Choose the lr so that lr · g / (1 − μ) equals 0.1 · g."),
    right_answer=answers.momentum_lr,
    wrong_answers=[answers.momentum_lr_unchanged, answers.momentum_lr_grown,
                   answers.momentum_lr_times_mu, answers.momentum_lr_over_mu],
)

# ---------------------------------------------------------------------------------------------
# q3 · Adam's first step, and where ε matters
# ---------------------------------------------------------------------------------------------
Q3_GRAD = (3.0, -0.002, 1e-9)
Q3_LR, Q3_EPS = 0.01, 1e-8


def _check_q3(answer):
    import torch
    got = check.as_tensor(answer, "θ₁, a tensor of 3 parameters", shape=(3,)).double()
    g = torch.tensor(Q3_GRAD, dtype=torch.float64)
    # m̂₁ = g and v̂₁ = g²: bias correction undoes the (1 − β) factors exactly at t = 1
    expected = 1.0 - Q3_LR * g / (g.abs() + Q3_EPS)
    check.rule_out(got, [
        (2.0 - expected, ("the signs are flipped: Adam steps against the gradient, "
                          "θ ← θ − η m̂ / (√v̂ + ε)")),
        (1.0 - Q3_LR * 0.1 * g / ((0.001 * g * g).sqrt() + Q3_EPS),
         ("this is Adam without bias correction: m₁ = 0.1 g and v₁ = 0.001 g² must be divided "
          "by 1 − β₁ and 1 − β₂ first")),
    ], rtol=0, atol=1e-7)
    check.close(got, expected, name="θ₁", rtol=0, atol=1e-9)


q3 = Exercise(
    name="Q3 · Adam's first step",
    checker=_check_q3,
    hint_text=("At t = 1: m₁ = (1 − β₁) g and v₁ = (1 − β₂) g², so the bias-corrected m̂₁ = g and "
               "v̂₁ = g². The step is η m̂₁ / (√v̂₁ + ε) = η g / (|g| + ε), with ε added outside "
               "the square root. Look at the third parameter: there |g| is smaller than ε."),
    right_answer=answers.adam_first_step,
    wrong_answers=[answers.adam_first_step_no_bias_correction,
                   answers.adam_first_step_eps_inside_sqrt, answers.adam_first_step_no_eps,
                   answers.adam_first_step_uphill, answers.sgd_first_step],
)

# ---------------------------------------------------------------------------------------------
# q4 · AdaGrad's shrinking step
# ---------------------------------------------------------------------------------------------
q4 = number(
    100, what="t", whole=True,
    mistakes={
        10: "after 10 steps the sum of squares is 10 g², so the step is η/√10, about η/3.2",
        1000: "too many: the step shrinks like 1/√t, so η/10 comes at t = 10²",
        20: "the size of g does not matter: it cancels between g and √(Σ g²)",
    },
    name="Q4 · AdaGrad's shrinking step",
    hint_text=("With a constant gradient g, the sum of squares after t steps is s_t = t g², so "
               "the step is η g / √(t g²) = η / √t (ε aside). When is that η / 10?"),
    right_answer=answers.adagrad_steps,
    wrong_answers=[answers.adagrad_steps_10, answers.adagrad_steps_1000,
                   answers.adagrad_steps_20, answers.adagrad_steps_99],
)

# ---------------------------------------------------------------------------------------------
# q5 · AdamW: decoupled weight decay
# ---------------------------------------------------------------------------------------------
Q5_KW = dict(lr=0.05, betas=(0.85, 0.99), eps=1e-8, weight_decay=0.2)
Q5_STEPS = 12


def _q5_loss(params):
    import torch
    w, b = params
    x = torch.linspace(-1, 1, 6, dtype=torch.float64)
    return ((torch.tanh(x[:, None] * w) + b).pow(2).sum() + (w - 0.5).pow(4).sum())


def _q5_params():
    import torch
    g = torch.Generator().manual_seed(8)
    return [torch.randn(4, generator=g, dtype=torch.float64).requires_grad_(),
            torch.randn(4, generator=g, dtype=torch.float64).requires_grad_()]


def _q5_run(make):
    params = _q5_params()
    opt = make(params)
    for _ in range(Q5_STEPS):
        for p in params:
            p.grad = None
        _q5_loss(params).backward()
        opt.step()
    return [p.detach().clone() for p in params]


def _check_q5(answer):
    import torch
    if not isinstance(answer, type):
        raise CheckFailed(f"expected a class (the optimizer itself, not an instance), got "
                          f"{check.describe(answer)}")
    if check.is_stub(answer):
        raise NotAttempted(f"the methods of {answer.__name__} are still `...`")
    try:
        ours = _q5_run(lambda ps: answer(ps, **Q5_KW))
    except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
        raise CheckFailed(f"could not run {answer.__name__}(params, lr=…, betas=…, eps=…, "
                          f"weight_decay=…).step(): {type(exc).__name__}: {exc}") from None
    theirs = _q5_run(lambda ps: torch.optim.AdamW(ps, **Q5_KW))
    l2 = _q5_run(lambda ps: torch.optim.Adam(ps, **Q5_KW))
    if all(torch.allclose(a, b, rtol=0, atol=1e-10) for a, b in zip(ours, l2)):
        raise CheckFailed("this is Adam with L2 regularization (λθ added to the gradient), what "
                          "torch.optim.Adam(weight_decay=λ) does; AdamW shrinks θ directly")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        check.close(a, b, name=f"parameter {i} after {Q5_STEPS} steps vs torch.optim.AdamW",
                    rtol=0, atol=1e-10)


q5 = Exercise(
    name="Q5 · AdamW",
    checker=_check_q5,
    hint_text=("Decoupled weight decay leaves the gradient alone: before Adam's update, multiply "
               "every parameter by (1 − lr · weight_decay). Subclass the notebook's Adam, pass "
               "weight_decay=0 to it, keep your own λ, and in step() shrink the parameters, then "
               "call super().step()."),
    right_answer=answers.AdamW,
    wrong_answers=[answers.AdamWithL2, answers.AdamWDecayWithoutLr,
                   answers.AdamWDecayAfterStep, answers.AdamWithoutDecay],
)
