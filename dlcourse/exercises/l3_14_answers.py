"""Answers to L3.14's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

from . import computed


# q1 · one Q-learning update
def q_learning_update(Q, s, a, r, s_next, a_next, done, alpha, gamma):
    target = r if done else r + gamma * Q[s_next].max()      # the greedy action's value; not a_next's
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_learning_update_sarsa_target(Q, s, a, r, s_next, a_next, done, alpha, gamma):
    """SARSA's target: the value of the action the ε-greedy policy takes next, not the best one."""
    target = r if done else r + gamma * Q[s_next, a_next]
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_learning_update_no_terminal(Q, s, a, r, s_next, a_next, done, alpha, gamma):
    """Bootstraps from the next state even when the episode has ended there."""
    Q[s, a] += alpha * (r + gamma * Q[s_next].max() - Q[s, a])
    return Q


def q_learning_update_no_step_size(Q, s, a, r, s_next, a_next, done, alpha, gamma):
    """Replaces Q(s, a) by the target instead of moving it a fraction α of the way."""
    Q[s, a] = r if done else r + gamma * Q[s_next].max()
    return Q


def q_learning_update_max_here(Q, s, a, r, s_next, a_next, done, alpha, gamma):
    """Takes the max over the current state's actions instead of the next state's."""
    target = r if done else r + gamma * Q[s].max()
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


# q2 · one sweep of value iteration (Bellman optimality backup)
def bellman_optimality_backup(P, R, V, gamma):
    Q = R + gamma * P @ V                  # (S, A): one step, then V from wherever it lands
    return Q.max(axis=1)


def bellman_backup_mean(P, R, V, gamma):
    """Averages over the actions: that evaluates the uniformly random policy, it does not optimize."""
    return (R + gamma * P @ V).mean(axis=1)


def bellman_backup_no_discount(P, R, V, gamma):
    """Forgets γ on the next state's value."""
    return (R + P @ V).max(axis=1)


def bellman_backup_discount_reward(P, R, V, gamma):
    """Discounts the reward too: γ·(R + P V)."""
    return (gamma * (R + P @ V)).max(axis=1)


# q3 · the return of the safe path
@computed
def safe_path_return():
    gamma, steps = 0.9, 17
    return sum(-1.0 * gamma ** t for t in range(steps))     # −(1 − γ¹⁷)/(1 − γ)


@computed
def safe_path_return_undiscounted():
    return -17.0


@computed
def safe_path_return_one_step_short():
    return sum(-1.0 * 0.9 ** t for t in range(16))


@computed
def safe_path_return_discount_from_one():
    return sum(-1.0 * 0.9 ** t for t in range(1, 18))


# q4 · what is true of TD control and the cliff
@computed
def true_statements():
    return {"a", "b", "c", "d"}


@computed
def true_statements_values_wrong():
    return {"a", "b", "c", "d", "f"}


@computed
def true_statements_no_decay():
    return {"a", "b", "d"}


@computed
def true_statements_samples_for_dp():
    return {"a", "b", "c", "d", "e"}
