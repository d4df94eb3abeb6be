"""L3.15: an episode player for CartPole. Recorded episodes (states, actions and, per step, what the
agent computed: action probabilities or Q-values) are replayed frame by frame: the cart and pole
drawn with plotly shapes from the recorded state (left), and the agent's numbers over the episode
with the current step marked (right). Controls: the episode and the frame.

The physics (`cartpole_step`) is gymnasium's CartPole-v1 written out once more, so that the gallery
demo can record an episode without gymnasium; tests/test_widgets_l3_15.py checks it step for step
against gymnasium's."""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

# CartPole-v1's constants (gymnasium.envs.classic_control.cartpole)
GRAVITY, CART_MASS, POLE_MASS, HALF_POLE, FORCE, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
X_LIMIT, ANGLE_LIMIT = 2.4, 12 * 2 * math.pi / 360
CART_W, CART_H, POLE_LEN = 0.5, 0.3, 2 * HALF_POLE          # drawn in metres
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def cartpole_step(state, action: int):
    """One Euler step of CartPole-v1: (x, ẋ, θ, θ̇) and action 0 (push left) or 1 (push right) →
    (next state, terminated)."""
    x, x_dot, theta, theta_dot = (float(v) for v in state)
    force = FORCE if action == 1 else -FORCE
    total = CART_MASS + POLE_MASS
    cos, sin = math.cos(theta), math.sin(theta)
    temp = (force + POLE_MASS * HALF_POLE * theta_dot ** 2 * sin) / total
    theta_acc = (GRAVITY * sin - cos * temp) / (HALF_POLE * (4 / 3 - POLE_MASS * cos ** 2 / total))
    x_acc = temp - POLE_MASS * HALF_POLE * theta_acc * cos / total
    x, x_dot = x + TAU * x_dot, x_dot + TAU * x_acc
    theta, theta_dot = theta + TAU * theta_dot, theta_dot + TAU * theta_acc
    nxt = np.array([x, x_dot, theta, theta_dot])
    return nxt, bool(abs(x) > X_LIMIT or abs(theta) > ANGLE_LIMIT)


def record_episode(policy, seed: int = 0, max_steps: int = 500) -> dict:
    """Run `policy(state) → (action, values)` from gymnasium's initial state for `seed`; returns
    states (T, 4), actions (T,) and values (T, k): the state each action was chosen in."""
    state = np.random.default_rng(seed).uniform(-0.05, 0.05, size=4)
    states, actions, values = [], [], []
    for _ in range(max_steps):
        action, value = policy(state)
        states.append(state), actions.append(int(action)), values.append(np.asarray(value, float))
        state, done = cartpole_step(state, action)
        if done:
            break
    return dict(states=np.array(states), actions=np.array(actions), values=np.array(values))


def pd_controller(state, gain: float = 0.5):
    """A hand-made policy for the demo: push towards where the pole is falling. Its 'values' are
    the probabilities of a softmax over ±(θ + gain·θ̇), scaled."""
    score = 20 * (state[2] + gain * state[3])
    p_right = 1 / (1 + math.exp(-score))
    return int(p_right > 0.5), (1 - p_right, p_right)


def cart_shapes(state) -> list[dict]:
    """The track, the cart (a rectangle centred at x) and the pole (a line from the top of the cart,
    at angle θ from the vertical, clockwise positive as in gymnasium)."""
    x, theta = float(state[0]), float(state[2])
    tip = (x + POLE_LEN * math.sin(theta), CART_H + POLE_LEN * math.cos(theta))
    return [dict(shape, xref="x", yref="y") for shape in [
        dict(type="line", x0=-X_LIMIT - 0.3, x1=X_LIMIT + 0.3, y0=0, y1=0, line=dict(color="#555", width=2)),
        dict(type="rect", x0=x - CART_W / 2, x1=x + CART_W / 2, y0=0, y1=CART_H,
             fillcolor="#4c72b0", line=dict(color="#2b4570", width=1)),
        dict(type="line", x0=x, y0=CART_H, x1=tip[0], y1=tip[1], line=dict(color="#c44e52", width=8)),
    ]]


class EpisodePlayer(Explorer):
    """Replays recorded CartPole episodes. `episodes`: {name: dict(states=(T, 4), actions=(T,),
    values=(T, k))}; `value_names`: the k curves' names ("π(left | s)", "π(right | s)" or Q's)."""

    def __init__(self, episodes: dict, value_names=("π(left | s)", "π(right | s)"),
                 value_title: str = "action probabilities", frame: int = 0):
        self.episodes = {name: {k: np.asarray(v) for k, v in ep.items()} for name, ep in episodes.items()}
        self.value_names, self.value_title = list(value_names), value_title
        first = next(iter(self.episodes))
        self.controls = {
            "episode": widgets.Dropdown(options=list(self.episodes), value=first, description="Episode",
                                        layout=widgets.Layout(width="330px")),
            "frame": widgets.IntSlider(value=frame, min=0, max=len(self.episodes[first]["states"]) - 1,
                                       description="Step", continuous_update=True,
                                       layout=widgets.Layout(width="480px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.09,
                                        subplot_titles=["the cart and pole at this step", value_title]),
                          height=430, margin=dict(l=50, r=20, t=90, b=90),
                          legend=dict(orientation="h", x=0.55, y=-0.22))
        self.fig.add_scatter(row=1, col=1, x=[-X_LIMIT, X_LIMIT], y=[0, 0], mode="markers", showlegend=False,
                             marker=dict(size=1, color="rgba(0,0,0,0)"), hoverinfo="skip")   # keeps the axes
        for k, name in enumerate(self.value_names):
            self.fig.add_scatter(row=1, col=2, x=[0], y=[0], name=name, mode="lines",
                                 line=dict(color=COLOURS[k % len(COLOURS)], width=2))
        self.fig.add_scatter(row=1, col=2, x=[0], y=[0], mode="markers", showlegend=False,
                             marker=dict(color="black", size=9), hoverinfo="skip")   # the current step
        self.fig.update_xaxes(row=1, col=1, range=[-X_LIMIT - 0.3, X_LIMIT + 0.3], zeroline=False,
                              title_text="cart position x (m)")
        self.fig.update_yaxes(row=1, col=1, range=[-0.2, 1.6], scaleanchor="x", scaleratio=1,
                              showticklabels=False, showgrid=False, zeroline=False)
        self.fig.update_xaxes(row=1, col=2, title_text="step t")
        super().__init__()

    def state(self) -> dict:
        """What the figure shows, from the controls (a test reads it)."""
        ep = self.episodes[self.controls["episode"].value]
        k = min(self.controls["frame"].value, len(ep["states"]) - 1)
        return dict(frame=k, steps=len(ep["states"]), state=ep["states"][k], action=int(ep["actions"][k]),
                    values=ep["values"][k], shapes=cart_shapes(ep["states"][k]))

    def update(self) -> None:
        ep = self.episodes[self.controls["episode"].value]
        with self.quiet():
            self.controls["frame"].max = len(ep["states"]) - 1
        s = self.state()
        x, x_dot, theta, theta_dot = s["state"]
        k, steps = s["frame"], len(ep["values"])
        push = "→ right" if s["action"] == 1 else "← left"
        arrow = dict(type="line", xref="x", yref="y", x0=x, x1=x + (0.45 if s["action"] == 1 else -0.45), y0=CART_H / 2,
                     y1=CART_H / 2, line=dict(color="#ff7f0e", width=4))
        limits = [dict(type="line", xref="x", yref="y", x0=v, x1=v, y0=-0.15, y1=0.15, line=dict(color="#999", dash="dot"))
                  for v in (-X_LIMIT, X_LIMIT)]
        marker = dict(type="line", xref="x2", yref="y2 domain", x0=k, x1=k, y0=0, y1=1,
                      line=dict(color="#888", dash="dot"))
        with self.fig.batch_update():
            self.fig.layout.shapes = s["shapes"] + [arrow] + limits + [marker]
            for j in range(len(self.value_names)):
                self.fig.data[1 + j].update(x=np.arange(steps), y=ep["values"][:, j])
            self.fig.data[-1].update(x=[k] * len(self.value_names), y=list(s["values"]))
            self.fig.layout.title.text = (f"Step {k} of {steps}: x = {x:+.2f} m, θ = {math.degrees(theta):+.1f}°, "
                                          f"push {push}<br><sup>the episode ends when |x| > 2.4 m or |θ| > 12°"
                                          f" (or after 500 steps)</sup>")
            self.fig.layout.annotations[1].text = self.value_title
        values = ", ".join(f"{n} = {v:.3g}" for n, v in zip(self.value_names, s["values"]))
        self.status.value = (f"Step {k}: ẋ = {x_dot:+.2f} m/s, θ̇ = {math.degrees(theta_dot):+.0f}°/s; "
                             f"{values}; the agent pushes {push.split()[1]}.")


def _demo() -> EpisodePlayer:
    episodes = {f"hand-made controller, gain {g}": record_episode(lambda s, g=g: pd_controller(s, g), seed=0,
                                                                  max_steps=200)
                for g in (0.5, 0.0)}
    return EpisodePlayer(episodes, frame=40)


GALLERY = {"EpisodePlayer": _demo}
