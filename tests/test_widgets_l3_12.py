"""L3.12's explorer: GanSnapshotScrubber. The points shown at a slider position against the stored
snapshot, the surface against the stored σ(D), the coverage in the title against mode_coverage
recomputed here; the metric itself on hand-made samples; the shipped demo learns (the generic sweep
over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets.gan_training import (GRID, MODES, SIGMA, GanSnapshotScrubber, default_snapshots,
                                           mode_coverage, ring_centers)


def made_up_snapshots():
    rng = np.random.default_rng(0)
    centers = ring_centers()
    snaps = []
    for k, modes in enumerate([[0], [0, 1, 2], list(range(8))]):
        which = rng.choice(modes, size=300)
        snaps.append(dict(step=100 * k, samples=centers[which] + SIGMA * rng.normal(size=(300, 2)),
                          d_grid=rng.uniform(size=(GRID, GRID))))
    return snaps


@pytest.mark.parametrize("index", [0, 1, 2])
def test_shown_points_and_coverage_are_the_snapshot(index):
    snaps = made_up_snapshots()
    explorer = GanSnapshotScrubber(snapshots=snaps, snapshot=0)
    explorer.controls["snapshot"].value = index
    shown = np.stack([np.asarray(explorer.fig.data[-1].x, float), np.asarray(explorer.fig.data[-1].y, float)], 1)
    np.testing.assert_allclose(shown, snaps[index]["samples"])
    np.testing.assert_allclose(np.asarray(explorer.fig.data[0].z, float), snaps[index]["d_grid"])
    covered = mode_coverage(snaps[index]["samples"])["covered"]
    assert covered == [1, 3, 8][index]
    assert f"Step {100 * index}: {covered} of {MODES} modes covered" in explorer.fig.layout.title.text
    assert explorer.state()["coverage"]["covered"] == covered


def test_mode_coverage_counts_only_close_samples_with_enough_share():
    centers = ring_centers()
    assert mode_coverage(centers)["covered"] == MODES and mode_coverage(centers)["high_quality"] == 1.0
    far = centers * 1.2                                   # 0.4 from every centre: more than 3σ
    assert mode_coverage(far)["covered"] == 0 and mode_coverage(far)["high_quality"] == 0.0
    # 99 samples on mode 0, one on mode 1: mode 1 has 1% < 2% of the samples
    x = np.concatenate([np.repeat(centers[:1], 99, 0), centers[1:2]])
    result = mode_coverage(x)
    assert result["covered"] == 1
    np.testing.assert_allclose(result["shares"][:2], [0.99, 0.01])
    edge = centers[:1] + [[2.9 * SIGMA, 0]]
    assert mode_coverage(edge)["covered"] == 1 and mode_coverage(centers[:1] + [[3.1 * SIGMA, 0]])["covered"] == 0


def test_shipped_demo_learns_the_ring():
    snaps = default_snapshots()
    explorer = GanSnapshotScrubber()
    assert explorer.controls["snapshot"].max == len(snaps) - 1
    first, last = (mode_coverage(s["samples"]) for s in (snaps[0], snaps[-1]))
    assert first["covered"] <= 2 and last["covered"] >= 6
    assert last["high_quality"] > first["high_quality"] + 0.3
    explorer.controls["snapshot"].value = 0
    np.testing.assert_allclose(np.asarray(explorer.fig.data[-1].x, float), snaps[0]["samples"][:, 0], atol=1e-6)
