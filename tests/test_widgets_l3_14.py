"""L3.14's explorer: GridWorldEditor. Its MDP against gymnasium's cliff walking (plain and slippery)
and against an independent construction from the rules; the values it draws against a direct
linear solve for the greedy policy, after cells and γ are set through the editor; what each
control is meant to do (the generic sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets.gridworld import (LAYOUTS, GridWorldEditor, gridworld_mdp, parse,
                                        value_iteration)


def reference_mdp(rows: list[str], slip: float):
    """The rules, written once more with dictionaries: (P, R) over all cells."""
    h, w = len(rows), len(rows[0])
    cell = {(r, c): rows[r][c] for r in range(h) for c in range(w)}
    start = next(((r, c) for (r, c), k in cell.items() if k == "S"), None)
    P, R = np.zeros((h * w, 4, h * w)), np.zeros((h * w, 4))
    moves = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}
    for (r, c), kind in cell.items():
        if kind in "#CG":
            continue
        for a in range(4):
            outcomes = {a: 1 - slip}
            for side in ((a + 1) % 4, (a - 1) % 4):
                outcomes[side] = outcomes.get(side, 0) + slip / 2
            for move, p in outcomes.items():
                there = (r + moves[move][0], c + moves[move][1])
                if cell.get(there, "#") == "#":
                    there = (r, c)
                if cell[there] == "C":
                    R[r * w + c, a] -= 100 * p
                    if start:
                        P[r * w + c, a, start[0] * w + start[1]] += p
                else:
                    R[r * w + c, a] -= p
                    if cell[there] != "G":
                        P[r * w + c, a, there[0] * w + there[1]] += p
    return P, R


def gymnasium_arrays(slippery: bool):
    gym = pytest.importorskip("gymnasium")
    table = gym.make("CliffWalking-v1", is_slippery=slippery).unwrapped.P
    P, R = np.zeros((48, 4, 48)), np.zeros((48, 4))
    for s in range(48):
        if s // 12 == 3 and s != 36:          # cliff and goal: never occupied
            continue
        for a in range(4):
            for p, nxt, r, done in table[s][a]:
                R[s, a] += p * r
                if not done:
                    P[s, a, nxt] += p
    return P, R


@pytest.mark.parametrize("slippery", [False, True])
def test_cliff_layout_is_gymnasium_s_cliff_walking(slippery):
    P, R = gridworld_mdp(parse(LAYOUTS["cliff walking"]), slip=2 / 3 if slippery else 0.0)
    P_gym, R_gym = gymnasium_arrays(slippery)
    np.testing.assert_allclose(P, P_gym, rtol=0, atol=1e-12)
    np.testing.assert_allclose(R, R_gym, rtol=0, atol=1e-12)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_mdp_matches_the_rules(layout, slip):
    P, R = gridworld_mdp(parse(LAYOUTS[layout]), slip)
    P_ref, R_ref = reference_mdp(LAYOUTS[layout], slip)
    np.testing.assert_allclose(P, P_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(R, R_ref, rtol=0, atol=1e-12)


def direct_values(P, R, Q, gamma):
    """V of the greedy policy of Q by the linear solve (I − γP_π)V = r_π."""
    n = len(R)
    greedy = Q.argmax(axis=1)
    P_pi, r_pi = P[np.arange(n), greedy], R[np.arange(n), greedy]
    return np.linalg.solve(np.eye(n) - gamma * P_pi, r_pi)


def drawn_values(ex):
    return np.asarray(ex.fig.data[0].z, dtype=float)


def test_edited_grid_values_match_a_direct_solve():
    ex = GridWorldEditor(layout="cliff walking", gamma=0.95)
    ex.paint(1, 5, "wall")
    ex.paint(2, 5, "wall")
    ex.paint(0, 0, "goal")
    ex.controls["gamma"].value = 0.8
    ex.controls["slip"].value = 0.1
    rows = ["".join(r) for r in ex.grid]
    assert rows[1][5] == rows[2][5] == "#" and rows[0][0] == "G"
    P, R = reference_mdp(rows, 0.1)
    V_star, Q, _ = value_iteration(P, R, 0.8)
    V_direct = direct_values(P, R, Q, 0.8)
    shown = drawn_values(ex)
    open_ = np.isin(ex.grid, [".", "S"])
    np.testing.assert_allclose(shown[open_], V_direct.reshape(ex.grid.shape)[open_], atol=1e-8)
    # Bellman optimality: each value is the best one-step lookahead
    np.testing.assert_allclose(V_direct, (R + 0.8 * P @ V_direct).max(axis=1), atol=1e-8)
    assert np.isnan(shown[~open_]).all()                    # walls, cliff and goals carry no value
    assert "γ = 0.80" in ex.fig.layout.title.text


def test_sweeps_are_bellman_backups_from_zero():
    ex = GridWorldEditor(layout="two rooms", gamma=0.9, sweeps=0)
    P, R = reference_mdp(LAYOUTS["two rooms"], 0.0)
    open_ = np.isin(ex.grid, [".", "S"])
    V = np.zeros(len(R))
    for k in range(6):
        ex.controls["sweeps"].value = k
        np.testing.assert_allclose(drawn_values(ex)[open_], V.reshape(ex.grid.shape)[open_], atol=1e-12)
        assert f"after {k} sweeps" in ex.fig.layout.title.text
        V = (R + 0.9 * P @ V).max(axis=1)


def test_cliff_path_hugs_the_edge_until_moves_slip():
    ex = GridWorldEditor(layout="cliff walking", gamma=0.99, slip=0.0)
    path = ex.state()["path"]
    assert len(path) - 1 == 13 and path[-1] == 47     # 13 moves, the last into the goal
    assert path[1:-1] == list(range(24, 36))           # along the row next to the cliff
    for gamma, slip in [(0.99, 0.1), (0.95, 0.1), (0.95, 0.2)]:
        ex.controls["gamma"].value, ex.controls["slip"].value = gamma, slip
        path = ex.state()["path"]
        assert path[0] == 36 and path[-1] == 47, path
        assert not set(path) & set(range(25, 35)), "with slipping moves the path keeps off the edge"
        assert "next to a cliff" in ex.status.value
    # at γ = 0.95, slip 0.2 the start's best action is to bump left and wait for a slip upwards
    assert ex.state()["policy"][3, 0] == 3 and "on purpose" in ex.status.value


def test_painting_and_selecting_cells():
    ex = GridWorldEditor(layout="cliff walking", row=2, col=5)
    assert ex.controls["cell"].value == "empty"
    ex.controls["row"].value = 3                              # a cliff cell: the buttons follow
    assert ex.controls["cell"].value == "cliff"
    ex.controls["cell"].value = "empty"                       # fill the cliff cell in
    assert ex.grid[3, 5] == "."
    ex.paint(0, 4, "start")                                   # one start: the old one is cleared
    assert (ex.grid == "S").sum() == 1 and ex.grid[0, 4] == "S"
    assert ex.state()["path"][0] == 4
    ex.paint(0, 4, "wall")                                    # no start: no path, a message
    assert ex.state()["path"] == [] and "No start" in ex.status.value
    ex.controls["layout"].value = "bridge"
    assert ex.grid.shape == (5, 12) and ex.controls["row"].max == 4
    assert ex.controls["cell"].value == ex._kind(ex.controls["row"].value, ex.controls["col"].value)


def test_fits_900_px():
    ex = GridWorldEditor()
    assert ex.fig.layout.width <= 900
