"""Answers to L1.08's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · two steps of heavy-ball momentum by hand
@computed
def momentum_two_steps():
    theta, lr, mu = 1.0, 0.1, 0.9
    b = 2.0                  # step 1: the buffer starts at the first gradient
    theta -= lr * b          # 0.8
    b = mu * b + (-1.0)      # step 2: 0.9 * 2 - 1 = 0.8
    theta -= lr * b          # 0.8 - 0.08
    return theta             # 0.72


@computed
def momentum_none():
    return 1.0 - 0.1 * 2.0 - 0.1 * (-1.0)


@computed
def momentum_damped_zero_buffer():
    return 0.972


@computed
def momentum_nesterov():
    return 0.648


@computed
def momentum_uphill():
    return 1.28


@computed
def momentum_one_step():
    return 0.8


# q2 · momentum's effective learning rate
@computed
def momentum_lr():
    return 0.1 * (1 - 0.9)     # 0.01: the buffer's limit g / (1 - μ) is 10 g


@computed
def momentum_lr_unchanged():
    return 0.1


@computed
def momentum_lr_grown():
    return 1.0


@computed
def momentum_lr_times_mu():
    return 0.1 * 0.9


@computed
def momentum_lr_over_mu():
    return 0.1 / 0.9


# q3 · Adam's first step, and where ε matters
@computed
def adam_first_step():
    g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
    lr, eps = 0.01, 1e-8
    m_hat, v_hat = g, g ** 2          # bias-corrected moments after one step
    return torch.ones(3, dtype=torch.float64) - lr * m_hat / (v_hat.sqrt() + eps)


@computed
def adam_first_step_no_bias_correction():
    g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
    return 1 - 0.01 * (0.1 * g) / ((0.001 * g ** 2).sqrt() + 1e-8)


@computed
def adam_first_step_eps_inside_sqrt():
    g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
    return 1 - 0.01 * g / (g ** 2 + 1e-8).sqrt()


@computed
def adam_first_step_no_eps():
    """ε forgotten: every parameter moves by exactly lr."""
    g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
    return 1 - 0.01 * torch.sign(g)


@computed
def adam_first_step_uphill():
    g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
    return 1 + 0.01 * g / (g.abs() + 1e-8)


@computed
def sgd_first_step():
    g = torch.tensor([3.0, -0.002, 1e-9], dtype=torch.float64)
    return 1 - 0.01 * g


# q4 · AMSGrad
class AMSGrad:
    """torch.optim.Adam(amsgrad=True): Adam, divided by the largest second moment seen so far
    (the notebook's version subclasses Adam and rewrites update(); this one stands alone)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self.update(p, p.grad + self.weight_decay * p, state)   # L2, as in Adam

    def update(self, p, g, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p),
                         v_max=torch.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        state["m"].mul_(b1).add_((1 - b1) * g)
        state["v"].mul_(b2).add_((1 - b2) * g * g)
        torch.maximum(state["v_max"], state["v"], out=state["v_max"])   # the largest v so far
        m_hat = state["m"] / (1 - b1 ** t)
        v_hat = state["v_max"] / (1 - b2 ** t)        # bias-corrected with the current step
        p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


class AMSGradMaxOfLastTwo(AMSGrad):
    """The maximum of the previous and the new v only: the running maximum is not kept."""

    def update(self, p, g, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        v_before = state["v"].clone()
        state["m"].mul_(b1).add_((1 - b1) * g)
        state["v"].mul_(b2).add_((1 - b2) * g * g)
        v_max = torch.maximum(v_before, state["v"])
        m_hat = state["m"] / (1 - b1 ** t)
        p -= self.lr * m_hat / ((v_max / (1 - b2 ** t)).sqrt() + self.eps)


class AMSGradMaxOfCorrected(AMSGrad):
    """The maximum of the bias-corrected v̂: early v̂s, divided by a small 1 − β₂ˢ, win."""

    def update(self, p, g, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p),
                         v_hat_max=torch.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        state["m"].mul_(b1).add_((1 - b1) * g)
        state["v"].mul_(b2).add_((1 - b2) * g * g)
        v_hat = state["v"] / (1 - b2 ** t)
        torch.maximum(state["v_hat_max"], v_hat, out=state["v_hat_max"])
        m_hat = state["m"] / (1 - b1 ** t)
        p -= self.lr * m_hat / (state["v_hat_max"].sqrt() + self.eps)


class AMSGradWithoutBiasCorrection(AMSGrad):
    """The paper's Algorithm 2, without bias correction of v_max (PyTorch corrects it)."""

    def update(self, p, g, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p),
                         v_max=torch.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        state["m"].mul_(b1).add_((1 - b1) * g)
        state["v"].mul_(b2).add_((1 - b2) * g * g)
        torch.maximum(state["v_max"], state["v"], out=state["v_max"])
        m_hat = state["m"] / (1 - b1 ** t)
        p -= self.lr * m_hat / (state["v_max"].sqrt() + self.eps)


class AdamNotAMSGrad(AMSGrad):
    """Plain Adam: the current v̂, no maximum."""

    def update(self, p, g, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        state["m"].mul_(b1).add_((1 - b1) * g)
        state["v"].mul_(b2).add_((1 - b2) * g * g)
        m_hat = state["m"] / (1 - b1 ** t)
        v_hat = state["v"] / (1 - b2 ** t)
        p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


# q5 · AdamW: decoupled weight decay
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
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                p.mul_(1 - self.lr * self.weight_decay)    # decoupled: not through the gradient
                self.adam_update(p, p.grad, state)

    def adam_update(self, p, g, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
        state["step"] += 1
        state["m"].mul_(b1).add_((1 - b1) * g)
        state["v"].mul_(b2).add_((1 - b2) * g * g)
        m_hat = state["m"] / (1 - b1 ** state["step"])
        v_hat = state["v"] / (1 - b2 ** state["step"])
        p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


class AdamWithL2(AdamW):
    """L2 regularization: λθ added to the gradient, then divided by √v̂ like the rest."""

    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self.adam_update(p, p.grad + self.weight_decay * p, state)


class AdamWDecayWithoutLr(AdamW):
    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                p.mul_(1 - self.weight_decay)
                self.adam_update(p, p.grad, state)


class AdamWDecayAfterStep(AdamW):
    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self.adam_update(p, p.grad, state)
                p.mul_(1 - self.lr * self.weight_decay)


class AdamWithoutDecay(AdamW):
    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self.adam_update(p, p.grad, state)
