"""L3.15's explorer: EpisodePlayer. Its physics against gymnasium's CartPole-v1 step for step; the
frame it draws against the recorded state of that step (cart, pole, pushed side, the marker on the
value trace); what each control is meant to do (the generic sweep over every control is
tests/test_widgets.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse.widgets.cartpole_player import (CART_H, CART_W, POLE_LEN, EpisodePlayer, cartpole_step,
                                              pd_controller, record_episode)


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_physics_and_start_state_are_gymnasium_s(seed):
    gym = pytest.importorskip("gymnasium")
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed + 100)
    ep = record_episode(lambda s: (int(rng.integers(2)) if rng.random() < 0.3 else pd_controller(s)[0], (0.0,)),
                        seed=seed, max_steps=500)
    for k, action in enumerate(ep["actions"]):
        np.testing.assert_allclose(ep["states"][k], obs, rtol=0, atol=1e-6)
        obs, _, terminated, truncated, _ = env.step(int(action))
        ours = cartpole_step(ep["states"][k], int(action))
        np.testing.assert_allclose(ours[0], obs, rtol=0, atol=1e-6)
        assert ours[1] == terminated
    assert terminated or truncated or len(ep["actions"]) == 500


def random_episodes(lengths=(30, 12)):
    rng = np.random.default_rng(0)
    return {f"ep{n}": dict(states=rng.normal(size=(n, 4)) * [1, 1, 0.1, 1], actions=rng.integers(2, size=n),
                           values=rng.random((n, 2))) for n in lengths}


def test_frame_k_draws_recorded_state_k():
    episodes = random_episodes()
    player = EpisodePlayer(episodes, value_names=("Q(s, left)", "Q(s, right)"), value_title="Q")
    for name, ep in episodes.items():
        player.controls["episode"].value = name
        assert player.controls["frame"].max == len(ep["states"]) - 1
        for k in (0, 5, len(ep["states"]) - 1):
            player.controls["frame"].value = k
            x, _, theta, _ = ep["states"][k]
            track, cart, pole, arrow = player.fig.layout.shapes[:4]
            assert math.isclose((cart.x0 + cart.x1) / 2, x, abs_tol=1e-12)
            assert math.isclose(cart.x1 - cart.x0, CART_W) and math.isclose(cart.y1 - cart.y0, CART_H)
            assert (pole.x0, pole.y0) == pytest.approx((x, CART_H))
            assert (pole.x1, pole.y1) == pytest.approx((x + POLE_LEN * math.sin(theta),
                                                        CART_H + POLE_LEN * math.cos(theta)))
            assert (arrow.x1 > arrow.x0) == (ep["actions"][k] == 1)        # the pushed side
            marker = player.fig.data[-1]
            assert list(marker.x) == [k, k] and list(marker.y) == pytest.approx(list(ep["values"][k]))
            for j in range(2):
                assert list(player.fig.data[1 + j].y) == pytest.approx(list(ep["values"][:, j]))
            assert f"Step {k} of {len(ep['states'])}" in player.fig.layout.title.text


def test_switching_to_a_shorter_episode_clamps_the_frame():
    player = EpisodePlayer(random_episodes((30, 12)))
    player.controls["frame"].value = 25
    player.controls["episode"].value = "ep12"
    assert player.state()["frame"] == 11 and player.controls["frame"].max == 11


def test_the_demo_controller_balances_and_the_untuned_one_falls():
    good = record_episode(lambda s: pd_controller(s, 0.5), seed=0, max_steps=300)
    bad = record_episode(lambda s: pd_controller(s, 0.0), seed=0, max_steps=300)
    assert len(good["states"]) == 300 and len(bad["states"]) < 100
