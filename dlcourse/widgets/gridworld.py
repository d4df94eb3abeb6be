"""L3.14: a gridworld editor with value iteration run live. A grid of cells, each empty, a wall
(cannot be entered), a cliff (−100 and back to the start), a goal (the episode ends) or the start;
every move costs −1, as in Sutton & Barto's cliff walking. With probability `slip` a move goes
sideways instead (half to each side). The figure shows V after k sweeps of value iteration as a
heatmap, the greedy policy as arrows, and the greedy path from the start. Controls: layout preset,
γ, slip, number of sweeps, and a cell (row, column) whose kind the "cell" buttons set."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure

ACTIONS = ((-1, 0), (0, 1), (1, 0), (0, -1))      # up, right, down, left: gymnasium's order
ARROWS = ("↑", "→", "↓", "←")
KINDS = {"empty": ".", "wall": "#", "cliff": "C", "goal": "G", "start": "S"}
LAYOUTS = {
    "cliff walking": ["............",
                      "............",
                      "............",
                      "SCCCCCCCCCCG"],
    "bridge": ["............",
               "CCCCCCCCCCC.",
               "S..........G",
               "CCCCCCCCCCC.",
               "............"],
    "two rooms": ["......#.....",
                  "......#.....",
                  "............",
                  "......#.....",
                  "S.....#....G"],
}
MAX_SWEEPS = 100


def parse(rows: list[str]) -> np.ndarray:
    """Rows of characters (. # C G S) → a 2-D array of single characters."""
    return np.array([list(r) for r in rows])


def gridworld_mdp(grid: np.ndarray, slip: float = 0.0):
    """The MDP of a grid as matrices over all H·W cells (state = row·W + col).

    Returns P (S, A, S), the probability of *continuing* to each next state (a transition that
    ends the episode puts no mass anywhere, so rows may sum to less than 1), and R (S, A), the
    expected reward. Walls, cliffs and goals are not states the agent is ever in: their rows are 0."""
    h, w = grid.shape
    n = h * w
    P, R = np.zeros((n, 4, n)), np.zeros((n, 4))
    starts = np.argwhere(grid == "S")
    start = None if len(starts) == 0 else int(starts[0][0] * w + starts[0][1])
    for r in range(h):
        for c in range(w):
            if grid[r, c] in "#CG":
                continue
            s = r * w + c
            for a in range(4):
                sides = (a + 1) % 4, (a + 3) % 4
                for move, p in ((a, 1.0 - slip), (sides[0], slip / 2), (sides[1], slip / 2)):
                    if p == 0:
                        continue
                    rr, cc = r + ACTIONS[move][0], c + ACTIONS[move][1]
                    if not (0 <= rr < h and 0 <= cc < w) or grid[rr, cc] == "#":
                        rr, cc = r, c                                  # bump: stay put
                    if grid[rr, cc] == "C":
                        R[s, a] += p * -100.0
                        if start is not None:                          # back to the start
                            P[s, a, start] += p
                    else:
                        R[s, a] += p * -1.0
                        if grid[rr, cc] != "G":                        # the goal ends the episode
                            P[s, a, rr * w + cc] += p
    return P, R


def value_iteration(P: np.ndarray, R: np.ndarray, gamma: float, sweeps: int | None = None,
                    tol: float = 1e-10):
    """Bellman optimality backups V ← max_a (R + γ P V) from V = 0: `sweeps` of them, or until the
    largest change is below `tol`. Returns V, Q and the number of sweeps done."""
    V = np.zeros(P.shape[0])
    done = 0
    while sweeps is None or done < sweeps:
        Q = R + gamma * P @ V
        new = Q.max(axis=1)
        done += 1
        change = np.abs(new - V).max()
        V = new
        if sweeps is None and change < tol:
            break
        if done >= 100_000:
            break
    return V, R + gamma * P @ V, done


def greedy_path(P: np.ndarray, Q: np.ndarray, start: int, limit: int = 200) -> list[int]:
    """The cells visited from `start` following argmax Q, each time to the most likely cell the
    move leads *on* to: a policy may bump into a wall on purpose, waiting for a safe slip, and
    staying put is skipped. Ends where the episode most likely ends, at a dead end or a loop."""
    path, s = [start], start
    for _ in range(limit):
        a = int(np.argmax(Q[s]))
        onwards = P[s, a].copy()
        onwards[s] = 0.0
        if P[s, a].sum() < 0.5 or onwards.max() == 0:                # it ends here, or cannot move
            break
        s = int(np.argmax(onwards))
        path.append(s)
        if s in path[:-1]:                                            # a loop: stop drawing
            break
    return path


class GridWorldEditor(Explorer):
    """Value iteration on an editable gridworld.

    Controls: `layout` (a preset), `gamma`, `slip`, `sweeps` (how many Bellman optimality backups
    from V = 0; the maximum runs to convergence), and the selected cell (`row`, `col`) whose kind
    the `cell` buttons set (empty, wall, cliff, goal, start; one start)."""

    def __init__(self, layout: str = "cliff walking", gamma: float = 0.95, slip: float = 0.0,
                 sweeps: int = MAX_SWEEPS, row: int = 2, col: int = 5):
        self.grid = parse(LAYOUTS[layout])
        h, w = self.grid.shape
        row, col = min(row, h - 1), min(col, w - 1)
        self.controls = {
            "gamma": widgets.FloatSlider(value=gamma, min=0.5, max=0.99, step=0.01, description="γ",
                                         continuous_update=False, layout=widgets.Layout(width="250px")),
            "slip": widgets.FloatSlider(value=slip, min=0.0, max=0.4, step=0.05, description="slip",
                                        continuous_update=False, layout=widgets.Layout(width="250px")),
            "sweeps": widgets.IntSlider(value=sweeps, min=0, max=MAX_SWEEPS, description="sweeps",
                                        continuous_update=False, layout=widgets.Layout(width="300px")),
            "layout": widgets.Dropdown(options=list(LAYOUTS), value=layout, description="Layout",
                                       layout=widgets.Layout(width="220px")),
            "row": widgets.IntSlider(value=row, min=0, max=h - 1, description="cell row",
                                     layout=widgets.Layout(width="250px")),
            "col": widgets.IntSlider(value=col, min=0, max=w - 1, description="cell col",
                                     layout=widgets.Layout(width="250px")),
            "cell": widgets.ToggleButtons(options=list(KINDS), value=self._kind(row, col),
                                          description="set cell",
                                          style=widgets.ToggleButtonsStyle(button_width="62px")),
        }
        self.fig = figure(title="", height=430, margin=dict(l=40, r=30, t=80, b=30))
        self.fig.add_heatmap(z=[[0]], colorscale="Viridis", colorbar=dict(title="V(s)"),
                             texttemplate="%{text}", textfont=dict(size=15, color="white"),
                             xgap=1, ygap=1, hovertemplate="row %{y}, col %{x}: V = %{z:.2f}<extra></extra>")
        self.fig.add_heatmap(z=[[0]], showscale=False, xgap=1, ygap=1, zmin=0, zmax=3,
                             colorscale=[[0, "#555555"], [0.33, "#555555"], [0.34, "#b2182b"],
                                         [0.66, "#b2182b"], [0.67, "#1a9850"], [1, "#1a9850"]],
                             texttemplate="%{text}", textfont=dict(size=13, color="white"),
                             hoverinfo="skip")
        self.fig.add_scatter(x=[], y=[], mode="lines", line=dict(color="#ff7f0e", width=3), opacity=0.6,
                             name="greedy path", hoverinfo="skip")
        self.fig.add_scatter(x=[col], y=[row], mode="markers", name="selected cell", hoverinfo="skip",
                             marker=dict(symbol="square-open", size=30, color="#e377c2",
                                         line=dict(width=3)))
        self.fig.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False, zeroline=False)
        self.fig.update_xaxes(showgrid=False, zeroline=False)
        self.fig.update_layout(showlegend=False)
        super().__init__()

    def _kind(self, row: int, col: int) -> str:
        char = self.grid[row, col]
        return next(k for k, v in KINDS.items() if v == char)

    def paint(self, row: int, col: int, kind: str) -> None:
        """Set cell (row, col) to `kind` and redraw: what selecting the cell and a button does."""
        self._set(row, col, kind)
        with self.quiet():
            c = self.controls
            c["row"].value, c["col"].value, c["cell"].value = row, col, kind
        self.update()

    def _set(self, row: int, col: int, kind: str) -> None:
        if kind == "start":
            self.grid[self.grid == "S"] = "."
        self.grid[row, col] = KINDS[kind]

    def _changed(self, change) -> None:
        c = self.controls
        if self._quiet:
            return
        if change.owner is c["layout"]:
            self.grid = parse(LAYOUTS[change.new])
            h, w = self.grid.shape
            with self.quiet():
                c["row"].max, c["col"].max = h - 1, w - 1
        if change.owner is c["cell"]:
            self._set(c["row"].value, c["col"].value, change.new)
        with self.quiet():                          # the buttons show the selected cell's kind
            c["cell"].value = self._kind(c["row"].value, c["col"].value)
        super()._changed(change)

    def state(self) -> dict:
        """What the figure shows, computed from the grid and the controls (a test reads it)."""
        v = self.values
        P, R = gridworld_mdp(self.grid, v["slip"])
        sweeps = None if v["sweeps"] >= MAX_SWEEPS else v["sweeps"]
        V, Q, done = value_iteration(P, R, v["gamma"], sweeps)
        h, w = self.grid.shape
        open_ = np.isin(self.grid, [".", "S"])
        starts = np.argwhere(self.grid == "S")
        path = greedy_path(P, Q, int(starts[0][0] * w + starts[0][1])) if len(starts) else []
        if path:                                   # the last move, into the goal, is drawn too
            last = path[-1]
            a = int(np.argmax(Q[last]))
            r, c = divmod(last, w)
            r, c = r + ACTIONS[a][0], c + ACTIONS[a][1]
            if P[last, a].sum() < 0.5 and 0 <= r < h and 0 <= c < w:
                path.append(r * w + c)
        return dict(P=P, R=R, V=V, Q=Q, sweeps=done, open=open_, path=path,
                    policy=Q.argmax(axis=1).reshape(h, w))

    def update(self) -> None:
        s = self.state()
        h, w = self.grid.shape
        open_ = s["open"]
        V = np.where(open_, s["V"].reshape(h, w), np.nan)
        arrows = np.where(open_, np.array(ARROWS)[s["policy"]], "")
        special = np.full((h, w), np.nan)
        labels = np.full((h, w), "", dtype=object)
        for char, code, label in (("#", 0, ""), ("C", 1, "cliff"), ("G", 2, "goal")):
            special[self.grid == char] = code
            labels[self.grid == char] = label if w <= 12 else ""
        arrows = np.where(self.grid == "S", np.char.add("S ", arrows.astype(str)), arrows)
        rows, cols = np.divmod(np.array(s["path"], dtype=int), w)
        v = self.values
        with self.fig.batch_update():
            self.fig.data[0].update(z=V, text=arrows)
            self.fig.data[1].update(z=special, text=labels)
            self.fig.data[2].update(x=cols.tolist(), y=rows.tolist())
            self.fig.data[3].update(x=[v["col"]], y=[v["row"]])
            converged = "converged" if v["sweeps"] >= MAX_SWEEPS else "stopped"
            self.fig.layout.title.text = (
                f"V after {s['sweeps']} sweeps of value iteration ({converged}), γ = {v['gamma']:.2f}, "
                f"slip {v['slip']:.2f}<br><sup>arrows: greedy policy · orange: greedy path from S · "
                f"cell ({v['row']}, {v['col']}) selected: {self._kind(v['row'], v['col'])}</sup>")
        starts = np.argwhere(self.grid == "S")
        if len(starts) == 0:
            self.status.value = "No start cell: set one with the 'start' button to see the greedy path."
            return
        start = int(starts[0][0] * w + starts[0][1])
        steps = len(s["path"]) - 1
        near_cliff = sum(1 for p in s["path"] if _next_to(self.grid, *divmod(p, w), "C"))
        P, Q = s["P"], s["Q"]
        waits = sum(1 for p in s["path"][:-1] if P[p, int(np.argmax(Q[p]))].argmax() == p
                    and P[p, int(np.argmax(Q[p]))].sum() >= 0.5)
        wait_text = (f" At {waits} of them the best action bumps into a wall on purpose: waiting for "
                     f"a slip is safer than the move." if waits else "")
        self.status.value = (f"V(start) = {s['V'][start]:.2f} after {s['sweeps']} sweeps · greedy "
                             f"path: {steps} moves, {near_cliff} of its cells next to a cliff."
                             + wait_text)


def _next_to(grid: np.ndarray, r: int, c: int, char: str) -> bool:
    h, w = grid.shape
    return any(0 <= r + dr < h and 0 <= c + dc < w and grid[r + dr, c + dc] == char
               for dr, dc in ACTIONS)


GALLERY = {"GridWorldEditor": lambda: GridWorldEditor(layout="cliff walking", gamma=0.95, slip=0.0)}
