"""Exercises of L1.08 · Optimizers (优化器).

    from dlcourse.exercises import l1_08 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise


def _number(answer, what: str) -> float:
    if isinstance(answer, bool):
        raise CheckFailed(f"expected a number ({what}), got {answer!r}")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise CheckFailed(f"expected a number ({what}), got {type(answer).__name__}") from None
    if not math.isfinite(value):
        raise CheckFailed(f"expected a finite number ({what}), got {value}")
    return value


def _known_mistake(value: float, mistakes: dict[float, str], rel: float = 1e-6) -> None:
    for wrong, why in mistakes.items():
        if math.isclose(value, wrong, rel_tol=rel, abs_tol=1e-12):
            raise CheckFailed(f"{value:g} is not right: {why}")


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


def _check_q1(answer):
    value = _number(answer, "θ after two steps")
    _known_mistake(value, {
        0.9: "that is plain SGD: the second step should still carry 0.9 × the first gradient",
        0.972: "that is a buffer that starts at zero and averages (b = 0.9 b + 0.1 g): PyTorch "
               "starts the buffer at the first gradient, b₁ = g₁, and adds g undamped",
        0.648: "that is Nesterov's update (g + μ b); plain momentum steps by b",
        1.28: "the sign is flipped: the step goes against the gradient, θ ← θ − η b",
    })
    check.close(value, _q1_expected(), name="θ after two steps", rtol=0, atol=1e-9)


q1 = Exercise(
    name="Q1 · momentum by hand",
    checker=_check_q1,
    hint_text=("PyTorch's momentum: b₁ = g₁ on the first step, then b_t = μ b_(t−1) + g_t; every "
               "step is θ ← θ − η b_t. Here η = 0.1, μ = 0.9, g₁ = 2, g₂ = −1, θ₀ = 1."),
    solution_code="""
theta, lr, mu = 1.0, 0.1, 0.9
b = 2.0                  # step 1: the buffer starts at the first gradient
theta -= lr * b          # 0.8
b = mu * b + (-1.0)      # step 2: 0.9 * 2 - 1 = 0.8
theta -= lr * b          # 0.8 - 0.08
answer = theta           # 0.72
""",
    wrong_codes=[
        "answer = 1.0 - 0.1 * 2.0 - 0.1 * (-1.0)          # no momentum",
        "answer = 0.972                                   # zero-initialised, damped buffer",
        "answer = 0.648                                   # Nesterov's update",
        "answer = 1.28                                    # stepping uphill",
        "answer = 0.8                                     # stopped after one step",
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · momentum's effective learning rate
# ---------------------------------------------------------------------------------------------
def _check_q2(answer):
    value = _number(answer, "the learning rate for SGD(momentum=0.9)")
    _known_mistake(value, {
        0.1: "with momentum 0.9 the buffer grows to 10× the gradient, so the same lr makes "
             "10× longer steps",
        1.0: "the other way round: momentum makes the steps longer, so the lr must shrink",
        0.09: "that is 0.1 × 0.9; work out the limit of b_t for a constant gradient instead",
    })
    check.close(value, 0.1 * (1 - 0.9), name="lr", rtol=1e-3, atol=0)


q2 = Exercise(
    name="Q2 · momentum's effective learning rate",
    checker=_check_q2,
    hint_text=("With a constant gradient g, b_t = g (1 + μ + μ² + … + μ^(t−1)) → g / (1 − μ). "
               "Choose the lr so that lr · g / (1 − μ) equals 0.1 · g."),
    solution_code="""
answer = 0.1 * (1 - 0.9)     # 0.01: the buffer's limit g / (1 - μ) is 10 g
""",
    wrong_codes=[
        "answer = 0.1",
        "answer = 1.0",
        "answer = 0.1 * 0.9",
        "answer = 0.1 / 0.9",
    ],
)


# ---------------------------------------------------------------------------------------------
# q3 · Adam's first step, and where ε matters
# ---------------------------------------------------------------------------------------------
Q3_GRAD = (3.0, -0.002, 1e-9)
Q3_LR, Q3_EPS = 0.01, 1e-8


def _q3_expected():
    import torch
    g = torch.tensor(Q3_GRAD, dtype=torch.float64)
    # m̂₁ = g and v̂₁ = g²: bias correction undoes the (1 − β) factors exactly at t = 1
    return 1.0 - Q3_LR * g / (g.abs() + Q3_EPS)


def _check_q3(answer):
    import torch
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"expected a torch.Tensor of 3 parameters, got {type(answer).__name__}")
    got = answer.detach().double()
    check.shape(got, (3,), name="θ₁")
    expected = _q3_expected()
    if torch.allclose(got, 2.0 - expected, rtol=0, atol=1e-9):
        raise CheckFailed("the signs are flipped: Adam steps against the gradient, θ ← θ − η m̂ / (√v̂ + ε)")
    g = torch.tensor(Q3_GRAD, dtype=torch.float64)
    no_correction = 1.0 - Q3_LR * 0.1 * g / ((0.001 * g * g).sqrt() + Q3_EPS)
    if torch.allclose(got, no_correction, rtol=0, atol=1e-7):
        raise CheckFailed("this is Adam without bias correction: m₁ = 0.1 g and v₁ = 0.001 g² "
                          "must be divided by 1 − β₁ and 1 − β₂ first")
    check.close(got, expected, name="θ₁", rtol=0, atol=1e-9)


q3 = Exercise(
    name="Q3 · Adam's first step",
    checker=_check_q3,
    hint_text=("At t = 1: m₁ = (1 − β₁) g and v₁ = (1 − β₂) g², so the bias-corrected m̂₁ = g and "
               "v̂₁ = g². The step is η m̂₁ / (√v̂₁ + ε) = η g / (|g| + ε), with ε added outside "
               "the square root. Look at the third parameter: there |g| is smaller than ε."),
    solution_code="""
import torch
g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
lr, eps = 0.01, 1e-8
m_hat, v_hat = g, g ** 2          # bias-corrected moments after one step
answer = torch.ones(3, dtype=torch.float64) - lr * m_hat / (v_hat.sqrt() + eps)
""",
    wrong_codes=[
        # no bias correction
        "import torch\ng = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)\n"
        "answer = 1 - 0.01 * (0.1 * g) / ((0.001 * g ** 2).sqrt() + 1e-8)",
        # ε inside the square root
        "import torch\ng = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)\n"
        "answer = 1 - 0.01 * g / (g ** 2 + 1e-8).sqrt()",
        # ε forgotten: every parameter moves by exactly lr
        "import torch\ng = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)\n"
        "answer = 1 - 0.01 * torch.sign(g)",
        # uphill
        "import torch\ng = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)\n"
        "answer = 1 + 0.01 * g / (g.abs() + 1e-8)",
        # plain SGD
        "import torch\ng = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)\n"
        "answer = 1 - 0.01 * g",
    ],
)


# ---------------------------------------------------------------------------------------------
# q4 · AdaGrad's shrinking step
# ---------------------------------------------------------------------------------------------
def _check_q4(answer):
    if isinstance(answer, float) and answer.is_integer():
        answer = int(answer)
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise CheckFailed(f"expected a whole number of steps, got {answer!r}")
    _known_mistake(answer, {
        10: "after 10 steps the sum of squares is 10 g², so the step is η/√10, about η/3.2",
        1000: "too many: the step shrinks like 1/√t, so η/10 comes at t = 10²",
        20: "the size of g does not matter: it cancels between g and √(Σ g²)",
    })
    check.equal(answer, 100, name="t")


q4 = Exercise(
    name="Q4 · AdaGrad's shrinking step",
    checker=_check_q4,
    hint_text=("With a constant gradient g, the sum of squares after t steps is s_t = t g², so "
               "the step is η g / √(t g²) = η / √t (ε aside). When is that η / 10?"),
    solution_code="""
answer = 10 ** 2    # η / √t = η / 10  ⇔  t = 100, whatever g is
""",
    wrong_codes=["answer = 10", "answer = 1000", "answer = 20", "answer = 99"],
)


# ---------------------------------------------------------------------------------------------
# q5 · AdamW: decoupled weight decay
# ---------------------------------------------------------------------------------------------
Q5_KW = dict(lr=0.05, betas=(0.85, 0.99), eps=1e-8, weight_decay=0.2)
Q5_STEPS = 12

_Q5_SOLUTION = '''
import torch

class AdamW:
    """Adam with decoupled weight decay: shrink θ by (1 − ηλ), then take Adam's step on the
    plain gradient (the notebook's version subclasses Adam; this one stands alone)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p, s in zip(self.params, self.state):
            if p.grad is None:
                continue
            if not s:
                s.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
            s["step"] += 1
            g = p.grad
            p.mul_(1 - self.lr * self.weight_decay)    # decoupled: not through the gradient
            s["m"].mul_(b1).add_((1 - b1) * g)
            s["v"].mul_(b2).add_((1 - b2) * g * g)
            m_hat = s["m"] / (1 - b1 ** s["step"])
            v_hat = s["v"] / (1 - b2 ** s["step"])
            p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)

answer = AdamW
'''


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
    if not callable(answer) or not isinstance(answer, type):
        raise CheckFailed(f"expected a class (the optimizer itself, not an instance), got "
                          f"{type(answer).__name__}")
    try:
        ours = _q5_run(lambda ps: answer(ps, **Q5_KW))
    except TypeError as exc:
        raise CheckFailed(f"could not run {answer.__name__}(params, lr=…, betas=…, eps=…, "
                          f"weight_decay=…).step(): {exc}") from None
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
    solution_code=_Q5_SOLUTION,
    wrong_codes=[
        # the L2 version: λθ added to the gradient
        _Q5_SOLUTION.replace("g = p.grad\n", "g = p.grad + self.weight_decay * p\n")
                    .replace("p.mul_(1 - self.lr * self.weight_decay)", "pass"),
        # decay without the learning rate
        _Q5_SOLUTION.replace("p.mul_(1 - self.lr * self.weight_decay)",
                             "p.mul_(1 - self.weight_decay)"),
        # decay after the Adam step instead of before
        _Q5_SOLUTION.replace("            p.mul_(1 - self.lr * self.weight_decay)    # decoupled: "
                             "not through the gradient\n", "")
                    .replace("p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)",
                             "p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)\n"
                             "            p.mul_(1 - self.lr * self.weight_decay)"),
        # no weight decay at all
        _Q5_SOLUTION.replace("p.mul_(1 - self.lr * self.weight_decay)", "pass"),
    ],
)
