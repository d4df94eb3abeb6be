"""Benchmark of L1.11's Playground: is it responsive, and does it learn the spiral?

    python ci/bench_playground.py [--ticks 200] [--seeds 5] [--steps 3000] [--skip-spiral]

Responsiveness: the default network (TensorFlow Playground's: circle, x1 and x2, hidden layers of
4 and 2 tanh neurons, SGD with learning rate 0.03, batch 10) is stepped headless tick by tick,
each tick being what the ▶ button does: `steps_per_tick` training steps, every heatmap and curve
recomputed, one figure update, its messages packed as JSON as a kernel would. Bars: p95 ≤ 50 ms
of kernel time per tick, ≥ 10 redraws/s (1000 / mean ms: what the kernel can feed the browser).

Learning, as L1.11's section 9: spiral, inputs x1 and x2 only, two hidden layers of 8 tanh neurons,
Adam with learning rate 0.01 on the full training set, L2 rate 0.001, the widget's default noise;
bar: test accuracy ≥ 0.95 after `--steps` steps for every one of `--seeds` seeds. Exits 1 when a
bar is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dlcourse import playground_model as pm  # noqa: E402
from dlcourse.widgets.playground import Playground  # noqa: E402

SPIRAL = dict(dataset="spiral", features=("x1", "x2"), hidden=(8, 8), activation="tanh",
              optimizer="adam", lr=0.01, batch_size=pm.N_POINTS, regularization="L2",
              reg_rate=0.001)
MAX_TICK_MS, MIN_REDRAWS = 50.0, 10.0
MIN_SPIRAL = 0.95


def pack_like_a_kernel() -> None:
    """Headless, ipywidgets hands every message to a DummyComm that drops it; in a kernel each is
    first packed as JSON for the browser. Pack them here too, so a tick's time includes it."""
    import comm
    from jupyter_client.session import json_packer

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        json_packer({"data": data, "metadata": metadata or {}, **keys})

    comm.DummyComm.publish_msg = publish_msg


def ticks(pg: Playground, n: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of n ticks, after a warm-up."""
    for _ in range(10):
        pg.tick()
    wall, cpu = [], []
    for _ in range(n):
        c0 = time.thread_time()
        wall.append(pg.tick())
        cpu.append((time.thread_time() - c0) * 1e3)
    return wall, cpu


def describe(name: str, ms: list[float]) -> str:
    return (f"{name}: mean {statistics.fmean(ms):.1f} ms, p50 {np.percentile(ms, 50):.1f}, "
            f"p95 {np.percentile(ms, 95):.1f}, max {max(ms):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--noise", type=float, default=None, help="default: the widget's")
    parser.add_argument("--steps-per-tick", type=int, default=None, help="default: the widget's")
    parser.add_argument("--skip-spiral", action="store_true")
    args = parser.parse_args()
    ok = True

    pack_like_a_kernel()
    pg = Playground()
    if args.steps_per_tick:
        pg.set(steps_per_tick=args.steps_per_tick)
    wall, cpu = ticks(pg, args.ticks)
    p95 = float(np.percentile(wall, 95))
    rate = 1000 / statistics.fmean(wall)
    print(f"Default network, {pg.values['steps_per_tick']} steps per tick, {args.ticks} ticks")
    print("  " + describe("kernel time per tick (wall)", wall))
    print("  " + describe("kernel time per tick (CPU) ", cpu))
    print(f"  redraws per second the kernel sustains: {rate:.1f}")
    tick_ok = p95 <= MAX_TICK_MS and rate >= MIN_REDRAWS
    print(f"  bar p95 ≤ {MAX_TICK_MS:.0f} ms and ≥ {MIN_REDRAWS:.0f} redraws/s: "
          f"{'met' if tick_ok else 'MISSED'}")
    ok &= tick_ok

    big = Playground(hidden=(8,) * 6, features=tuple(pm.FEATURES))
    wall, _ = ticks(big, max(args.ticks // 4, 10))
    print("Largest network (6 × 8 neurons, 7 features), for information:")
    print("  " + describe("kernel time per tick (wall)", wall))

    if not args.skip_spiral:
        noise = pg.values["noise"] if args.noise is None else args.noise
        print(f"Spiral, {args.steps} steps, noise {noise}, "
              + ", ".join(f"{k}={v}" for k, v in SPIRAL.items() if k != "dataset"))
        accuracies = []
        for seed in range(args.seeds):
            start = time.perf_counter()
            run = Playground(seed=seed, noise=noise, **SPIRAL)
            run.step(args.steps)
            accuracies.append(run.test_accuracy())
            print(f"  seed {seed}: test accuracy {accuracies[-1]:.3f} "
                  f"(train {run.train_accuracy():.3f}, {time.perf_counter() - start:.1f} s)")
        spiral_ok = min(accuracies) >= MIN_SPIRAL
        print(f"  min {min(accuracies):.3f}, mean {statistics.fmean(accuracies):.3f}; "
              f"bar min ≥ {MIN_SPIRAL}: {'met' if spiral_ok else 'MISSED'}")
        ok &= spiral_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
