"""Exercises of L3.15 · Deep RL (深度强化学习).

    from dlcourse.exercises import l3_15 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_15_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · generalized advantage estimation, against the sum written out term by term
# ---------------------------------------------------------------------------------------------
def _rollout(g, T, ends):
    import torch
    rewards = torch.rand(T, generator=g, dtype=torch.float64) * 2 - 0.5
    values = torch.randn(T + 1, generator=g, dtype=torch.float64) * 3
    dones = torch.zeros(T, dtype=torch.float64)
    dones[list(ends)] = 1.0
    return rewards, values, dones


def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(15)
    return {
        "a 12-step rollout, no episode end, γ = 0.99, λ = 0.95": (*_rollout(g, 12, []), 0.99, 0.95),
        "a 20-step rollout with episodes ending at steps 4 and 13": (*_rollout(g, 20, [4, 13]), 0.99, 0.95),
        "a rollout whose last step ends an episode": (*_rollout(g, 8, [7]), 0.9, 0.8),
        "λ = 0 (one-step TD errors)": (*_rollout(g, 10, [3]), 0.99, 0.0),
        "λ = 1 (the return minus V)": (*_rollout(g, 10, [6]), 0.95, 1.0),
        "one step": (*_rollout(g, 1, []), 0.99, 0.95),
    }


def _gae_reference(rewards, values, dones, gamma, lam):
    """Â_t = Σ_l (γλ)^l δ_{t+l}, the sum written out, stopping after the step that ends an episode."""
    import torch
    T = len(rewards)
    delta = [float(rewards[t] + gamma * values[t + 1] * (1 - dones[t]) - values[t]) for t in range(T)]
    out = []
    for t in range(T):
        total, weight = 0.0, 1.0
        for k in range(t, T):
            total += weight * delta[k]
            if dones[k]:
                break
            weight *= gamma * lam
        out.append(total)
    return torch.tensor(out, dtype=torch.float64)


q1 = write_function(
    "gae(rewards, values, dones, gamma, lam)", _gae_reference, _q1_cases, rtol=1e-9, atol=1e-9,
    name="Q1 · generalized advantage estimation",
    hint_text=("Loop t from T − 1 down to 0 with a running sum `last = 0`: keep = 1 − dones[t]; "
               "delta = rewards[t] + gamma * values[t + 1] * keep − values[t]; "
               "last = delta + gamma * lam * keep * last; adv[t] = last."),
    right_answer=answers.gae,
    mistakes=[
        (answers.gae_ignores_dones,
         "where dones[t] = 1 the episode ended: no bootstrap from values[t + 1] (a new episode's "
         "start) and no advantage carried back across the end"),
        (answers.gae_without_lambda, "each step back multiplies the running sum by γλ, not γ alone"),
        (answers.gae_forwards, "the advantage of step t sums the TD errors *after* t: run the "
                               "recursion backwards, from the last step to the first"),
        (answers.gae_td_errors_only, "those are the one-step TD errors δ_t; the advantage adds "
                                     "γλ times the next step's advantage"),
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · PPO's clipped surrogate loss, against a per-sample loop
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(51)

    def batch(n, spread):
        old = -torch.rand(n, generator=g, dtype=torch.float64) * 2 - 0.05
        return old + torch.randn(n, generator=g, dtype=torch.float64) * spread, old, \
            torch.randn(n, generator=g, dtype=torch.float64) * 2

    return {
        "64 samples, new policy close to the old (ratios near 1), ε = 0.2": (*batch(64, 0.05), 0.2),
        "64 samples, ratios far from 1 (both sides), ε = 0.2": (*batch(64, 0.8), 0.2),
        "32 samples, ε = 0.1": (*batch(32, 0.5), 0.1),
        "new = old (the first epoch: every ratio is 1)": (*(lambda n, o, a: (o.clone(), o, a))(*batch(16, 0)), 0.2),
        "one sample, ratio 0.7, advantage −2": (torch.log(torch.tensor([0.7], dtype=torch.float64)),
                                                torch.zeros(1, dtype=torch.float64),
                                                torch.tensor([-2.0], dtype=torch.float64), 0.2),
    }


def _clip_reference(logp_new, logp_old, advantages, eps):
    """−(1/N) Σ min(r A, clip(r, 1 − ε, 1 + ε) A), one sample at a time with Python floats."""
    import math

    import torch
    total = 0.0
    for new, old, a in zip(logp_new.tolist(), logp_old.tolist(), advantages.tolist()):
        r = math.exp(new - old)
        total += min(r * a, min(max(r, 1 - eps), 1 + eps) * a)
    return torch.tensor(-total / len(advantages), dtype=torch.float64)


q2 = write_function(
    "ppo_clip_loss(logp_new, logp_old, advantages, eps)", _clip_reference, _q2_cases, rtol=1e-9,
    atol=1e-9, name="Q2 · PPO's clipped loss",
    hint_text=("ratio = torch.exp(logp_new − logp_old); clipped = ratio.clamp(1 − eps, 1 + eps); "
               "the loss is −torch.min(ratio * advantages, clipped * advantages).mean()."),
    right_answer=answers.ppo_clip_loss,
    mistakes=[
        (answers.ppo_clip_loss_no_sign,
         "that is the objective to *maximize*; an optimizer minimizes, so return its negative"),
        (answers.ppo_clip_loss_clipped_only,
         "take the min of the unclipped and the clipped term: the clip only removes the incentive "
         "to go further, it must never make the objective look better"),
        (answers.ppo_clip_loss_max, "the min of the two terms (a pessimistic bound), not the max"),
        (answers.ppo_clip_loss_log_ratio,
         "the ratio is π_new/π_old = exp(logp_new − logp_old), not the difference of the logs"),
    ],
)

# ---------------------------------------------------------------------------------------------
# q3 · one sample of the clipped objective
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.clipped_objective_value, what="the clipped objective", rtol=1e-6, atol=1e-9,
    mistakes=lambda: {
        answers.clipped_objective_unclipped(): "that is r·A without the clip; PPO takes the min of "
                                               "r·A and clip(r, 1 − ε, 1 + ε)·A",
        answers.clipped_objective_max(): "mind the sign of the advantage, and take the min, not the max",
    },
    name="Q3 · one sample of the clipped objective",
    hint_text="clip(0.7, 0.8, 1.2) = 0.8; the objective is min(0.7 · (−2), 0.8 · (−2)).",
    right_answer=answers.clipped_objective_value,
    wrong_answers=[answers.clipped_objective_unclipped, answers.clipped_objective_max],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of DQN, REINFORCE and PPO
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "DQN's target network is a copy of the Q-network refreshed only now and then, so the "
         "regression target does not move with every gradient step",
    "b": "experience replay makes minibatches of transitions from many different moments, which "
         "breaks up the correlation of consecutive steps and reuses each transition many times",
    "c": "Double DQN chooses the next action with the online network and evaluates it with the "
         "target network",
    "d": "REINFORCE can learn from a replay buffer of episodes collected by old policies, like DQN",
    "e": "once a sample's ratio is above 1 + ε and its advantage is positive, PPO's clipped "
         "objective gives it no gradient",
    "f": "subtracting a baseline b(s) from the return changes the expected policy gradient",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · DQN, REINFORCE and PPO",
    hint_text=("REINFORCE's gradient is an expectation under the *current* policy: it is "
               "on-policy. E[∇log π(a|s) · b(s)] = b(s) · ∇Σ_a π(a|s) = 0."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_reinforce_replay, answers.true_statements_baseline_biases,
                   answers.true_statements_no_double],
)
