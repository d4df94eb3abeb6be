"""Exercises of L3.14 · RL foundations (强化学习基础).

    from dlcourse.exercises import l3_14 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_14_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the Q-learning update, on random Q-tables and transitions
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import numpy as np
    rng = np.random.default_rng(14)
    cases = {}
    for k, (states, done) in enumerate([(6, False), (48, False), (5, True), (10, False), (3, True)]):
        Q = rng.normal(size=(states, 4)) * 5
        s, s_next = rng.integers(states, size=2)
        a = int(rng.integers(4))
        best = int(Q[s_next].argmax())
        a_next = (best + 1 + k % 3) % 4                        # never the greedy action
        r = float(rng.choice([-1.0, -100.0, 2.5]))
        cases[f"a {states}×4 Q-table, {'a final' if done else 'an ordinary'} step"] = (
            Q, int(s), a, r, int(s_next), a_next, done, 0.5, 0.9)
    Q = np.zeros((4, 4))
    cases["Q = 0 everywhere (the first step of learning)"] = (Q, 1, 2, -1.0, 3, 0, False, 0.1, 1.0)
    Q = rng.normal(size=(4, 4))
    cases["s_next = s (bumping into a wall)"] = (Q, 2, 1, -1.0, 2, (int(Q[2].argmax()) + 2) % 4,
                                                 False, 0.5, 0.95)
    return cases


def _q_learning_reference(Q, s, a, r, s_next, a_next, done, alpha, gamma):
    """Watkins' update on a copy: Q(s,a) += α (r + γ max_a' Q(s',a') − Q(s,a)), no bootstrap at the end."""
    Q = Q.copy()
    bootstrap = 0.0 if done else gamma * float(Q[s_next].max())
    Q[s, a] = Q[s, a] + alpha * (r + bootstrap - Q[s, a])
    return Q


def _q1_diagnose(got, expected, args):
    import copy

    import numpy as np
    for wrong, why in [
        (answers.q_learning_update_sarsa_target,
         "that is SARSA's target, Q(s', a_next): Q-learning bootstraps from the best action in s', "
         "max over a' of Q(s', a'), whatever the agent does next"),
        (answers.q_learning_update_no_terminal,
         "when `done` is true the episode has ended: there is no next state to bootstrap from, "
         "the target is just r"),
        (answers.q_learning_update_no_step_size,
         "move Q(s, a) a fraction α of the way to the target, do not replace it"),
        (answers.q_learning_update_max_here,
         "the max is over the *next* state's actions, Q(s_next, ·)"),
    ]:
        mine = wrong(*copy.deepcopy(args))
        if np.allclose(np.asarray(got, dtype=float), mine):
            return why
    return None


q1 = write_function(
    "q_learning_update(Q, s, a, r, s_next, a_next, done, alpha, gamma)", _q_learning_reference,
    _q1_cases, rtol=1e-10, atol=1e-10, diagnose=_q1_diagnose, name="Q1 · the Q-learning update",
    hint_text=("target = r if done else r + gamma * Q[s_next].max(); then "
               "Q[s, a] += alpha * (target - Q[s, a]); return Q. `a_next` is there because SARSA "
               "needs it: Q-learning does not."),
    right_answer=answers.q_learning_update,
    wrong_answers=[answers.q_learning_update_sarsa_target, answers.q_learning_update_no_terminal,
                   answers.q_learning_update_no_step_size, answers.q_learning_update_max_here],
)


# ---------------------------------------------------------------------------------------------
# q2 · one Bellman optimality backup over all states, on random MDPs
# ---------------------------------------------------------------------------------------------
def _random_mdp(rng, states, actions, ending):
    P = rng.random((states, actions, states)) ** 3
    P /= P.sum(axis=2, keepdims=True)
    P *= 1 - ending * rng.random((states, actions, 1))      # some mass ends the episode
    return P, rng.normal(size=(states, actions)) * 3


def _q2_cases():
    import numpy as np
    rng = np.random.default_rng(41)
    cases = {}
    for states, actions, ending, gamma in [(5, 2, 0.0, 0.9), (12, 4, 0.3, 0.95), (48, 4, 0.1, 1.0),
                                           (3, 3, 1.0, 0.5)]:
        P, R = _random_mdp(rng, states, actions, ending)
        V = rng.normal(size=states) * 10
        cases[f"a random MDP, {states} states, {actions} actions, γ = {gamma}"] = (P, R, V, gamma)
    return cases


def _backup_reference(P, R, V, gamma):
    """max over a of Σ_s' P(s'|s,a) (… ) written as explicit sums."""
    import numpy as np
    S, A, _ = P.shape
    out = np.empty(S)
    for s in range(S):
        out[s] = max(R[s, a] + gamma * sum(P[s, a, t] * V[t] for t in range(S)) for a in range(A))
    return out


def _q2_diagnose(got, expected, args):
    import numpy as np
    for wrong, why in [
        (answers.bellman_backup_mean,
         "averaging over the actions evaluates the uniformly random policy; the optimality backup "
         "takes the best action: max over a"),
        (answers.bellman_backup_no_discount, "the next state's value is discounted: γ · P V"),
        (answers.bellman_backup_discount_reward,
         "only the future is discounted: R + γ · P V, not γ · (R + P V)"),
    ]:
        if np.allclose(np.asarray(got, dtype=float), wrong(*args)):
            return why
    return None


q2 = write_function(
    "bellman_optimality_backup(P, R, V, gamma)", _backup_reference, _q2_cases, rtol=1e-9, atol=1e-9,
    diagnose=_q2_diagnose, name="Q2 · one sweep of value iteration",
    hint_text=("P has shape (S, A, S) and V shape (S,): P @ V is (S, A), the expected next value "
               "for each state and action. Q = R + gamma * P @ V, then the max over axis 1."),
    right_answer=answers.bellman_optimality_backup,
    wrong_answers=[answers.bellman_backup_mean, answers.bellman_backup_no_discount,
                   answers.bellman_backup_discount_reward],
)

# ---------------------------------------------------------------------------------------------
# q3 · the discounted return of SARSA's safe path
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.safe_path_return, what="the return", rtol=1e-4, atol=0,
    mistakes=lambda: {
        answers.safe_path_return_undiscounted(): "that is the undiscounted sum; with γ = 0.9 the "
                                                 "reward of step t counts γ^t",
        answers.safe_path_return_one_step_short(): "17 moves give 17 rewards: t = 0, …, 16",
        answers.safe_path_return_discount_from_one(): "the first reward is not discounted: "
                                                      "G₀ = R₁ + γR₂ + γ²R₃ + …",
    },
    name="Q3 · the return of the safe path",
    hint_text="G₀ = Σ_{t=0}^{16} γ^t · (−1) = −(1 − γ¹⁷)/(1 − γ).",
    right_answer=answers.safe_path_return,
    wrong_answers=[answers.safe_path_return_undiscounted, answers.safe_path_return_one_step_short,
                   answers.safe_path_return_discount_from_one],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of TD control on the cliff
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "Q-learning learns the values of the greedy policy while it behaves ε-greedily: it is "
         "off-policy",
    "b": "SARSA's target uses the action the agent actually takes next, so the values it learns "
         "include the cost of its own exploration",
    "c": "if ε were decreased towards 0 over the episodes, SARSA's greedy path would also move to "
         "the cliff edge",
    "d": "a Monte Carlo update must wait until the episode ends; TD(0) updates after every step",
    "e": "value iteration learns from sampled episodes, like Q-learning",
    "f": "Q-learning's online reward is lower because its Q-values are wrong",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · TD control on the cliff",
    hint_text=("On- or off-policy is about whose values the target estimates. Dynamic programming "
               "needs the model P and R, no samples. Q-learning's values are right for the greedy "
               "path; it is the ε-greedy *behaviour* next to the cliff that falls off."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_values_wrong, answers.true_statements_no_decay,
                   answers.true_statements_samples_for_dp],
)
