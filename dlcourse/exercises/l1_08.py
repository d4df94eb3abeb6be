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
# q4 · AMSGrad, matched step for step with torch.optim.Adam(amsgrad=True)
# ---------------------------------------------------------------------------------------------
Q4_STEPS = 12


def _q4_shrinking(t, params, g):
    """Hand-fed gradients: large for 4 steps, then 100 times smaller, so v falls and the max
    matters; the last entry of the first parameter never gets a gradient (v = 0 there)."""
    import torch
    scale = 10.0 if t < 4 else 0.1
    grads = [torch.randn(p.shape, generator=g, dtype=torch.float64) * scale for p in params]
    grads[0][-1] = 0.0
    return grads


def _q4_skipping(t, params, g):
    """Like _q4_shrinking, but the second parameter gets no gradient (None) at steps 3 and 4:
    its state, step count included, must stand still there, as in torch.optim."""
    grads = _q4_shrinking(t, params, g)
    if t in (2, 3):
        grads[1] = None
    return grads


def _q4_loss(t, params, g):
    """The gradients of the smooth loss of q5, at the current parameters."""
    import torch
    with torch.enable_grad():
        return list(torch.autograd.grad(_q5_loss(params), params))


Q4_CASES = {  # label: (gradients at step t, optimizer settings)
    "gradients that shrink 100-fold after 4 steps": (_q4_shrinking, dict(lr=0.01)),
    "the same, with betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01":
        (_q4_shrinking, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    "a parameter that gets no gradient at steps 3 and 4": (_q4_skipping, dict(lr=0.02)),
    "the gradients of a small loss, lr=0.05": (_q4_loss, dict(lr=0.05, betas=(0.9, 0.95))),
}


def _q4_run(make, feed):
    """Parameters after each of Q4_STEPS steps of the optimizer `make(params)` builds."""
    import torch
    params = _q5_params()
    opt = make(params)
    g = torch.Generator().manual_seed(84)
    trajectory = []
    for t in range(Q4_STEPS):
        for p, grad in zip(params, feed(t, params, g)):
            p.grad = grad
        opt.step()
        trajectory.append([p.detach().clone() for p in params])
    return trajectory


def _same(a, b) -> bool:
    import torch
    return all(torch.allclose(x, y, rtol=0, atol=1e-10) for x, y in zip(a, b))


def _check_q4(answer):
    import torch
    if not isinstance(answer, type):
        raise CheckFailed(f"expected a class (the optimizer itself, not an instance), got "
                          f"{check.describe(answer)}")
    if check.is_stub(answer):
        raise NotAttempted(f"the methods of {answer.__name__} are still `...`")
    for label, (feed, settings) in Q4_CASES.items():
        try:
            ours = _q4_run(lambda ps: answer(ps, **settings), feed)
        except Exception as exc:  # noqa: BLE001 -- report the learner's error briefly
            raise CheckFailed(f"could not run {answer.__name__}(params, lr=…, betas=…, eps=…, "
                              f"weight_decay=…).step(): {type(exc).__name__}: {exc}") from None
        theirs = _q4_run(lambda ps: torch.optim.Adam(ps, amsgrad=True, **settings), feed)
        adam = _q4_run(lambda ps: torch.optim.Adam(ps, **settings), feed)
        if all(_same(a, b) for a, b in zip(ours, adam)):
            raise CheckFailed(f"on {label}: this is plain Adam; AMSGrad divides by the square "
                              "root of the largest v seen so far, not of the current v")
        for t, (a, b) in enumerate(zip(ours, theirs)):
            for i, (x, y) in enumerate(zip(a, b)):
                if not bool(torch.isfinite(x).all()):
                    raise CheckFailed(f"on {label}: parameter {i} is not finite after step "
                                      f"{t + 1} (is ε added outside the square root?)")
                if not torch.allclose(x, y, rtol=0, atol=1e-10):
                    worst = (x - y).abs().max().item()
                    raise CheckFailed(f"on {label}: parameter {i} differs from "
                                      f"torch.optim.Adam(amsgrad=True) after step {t + 1} "
                                      f"(by up to {worst:.2g})")


q4 = Exercise(
    name="Q4 · AMSGrad",
    checker=_check_q4,
    hint_text=("Keep Adam's m and v, and one more buffer per parameter, v_max, starting at 0. "
               "After updating v: v_max = torch.maximum(v_max, v) (the raw v, stored in the state "
               "so that it is the maximum over every step so far). Then divide by "
               "√(v_max / (1 − β₂ᵗ)) + ε instead of √v̂ + ε. Subclassing the notebook's Adam, "
               "you only rewrite update(p, g, state)."),
    right_answer=answers.AMSGrad,
    wrong_answers=[answers.AMSGradMaxOfLastTwo, answers.AMSGradMaxOfCorrected,
                   answers.AMSGradWithoutBiasCorrection, answers.AdamNotAMSGrad],
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
