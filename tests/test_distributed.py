"""dlcourse.distributed: torchrun on local gloo processes, a failing worker reported with its
traceback, a hung worker stopped at the timeout, and the multi-node command line. Each launch
starts Python processes that import torch: a few seconds each."""
from __future__ import annotations

import textwrap
import time

import pytest

from dlcourse.distributed import WorkerFailed, free_port, launch, torchrun_command

WORKER = textwrap.dedent('''
    import os, sys
    from datetime import timedelta
    import torch, torch.distributed as dist
    dist.init_process_group("gloo", timeout=timedelta(seconds=20))
    rank, n = dist.get_rank(), dist.get_world_size()
    mode = sys.argv[2]
    if mode == "fail" and rank == 1:
        raise ValueError("rank 1 gives up")
    if mode == "hang" and rank == 1:
        import time; time.sleep(600)
    t = torch.full((5,), float(rank + 1))
    dist.all_reduce(t)
    with open(f"{sys.argv[1]}.{rank}", "w") as f:
        f.write(f"{t.tolist()} {n} {torch.get_num_threads()}")
    dist.destroy_process_group()
''')


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "worker.py"
    path.write_text(WORKER)
    return path


def test_two_workers_all_reduce(script, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")          # what a notebook runner may have set
    run = launch(script, tmp_path / "out", "ok", nproc=2, timeout=120)
    assert run.command[1:3] == ["-m", "torch.distributed.run"] and "--nproc_per_node=2" in run.command
    for rank in (0, 1):
        assert (tmp_path / f"out.{rank}").read_text() == "[3.0, 3.0, 3.0, 3.0, 3.0] 2 1"


def test_a_failing_worker_is_reported_with_its_error(script, tmp_path):
    with pytest.raises(WorkerFailed) as failure:
        launch(script, tmp_path / "out", "fail", nproc=2, timeout=120)
    message = str(failure.value)
    assert "worker.py failed" in message and "ValueError: rank 1 gives up" in message


def test_a_hung_worker_is_stopped_at_the_timeout(script, tmp_path):
    start = time.perf_counter()
    with pytest.raises(WorkerFailed, match="timeout"):
        launch(script, tmp_path / "out", "hang", nproc=2, timeout=8)
    assert time.perf_counter() - start < 30


def test_commands():
    port = free_port()
    assert 1024 <= port < 65536
    one = torchrun_command("train.py", "a", 3, nproc=4, master_port=port, python="python")
    assert one == ["python", "-m", "torch.distributed.run", "--nproc_per_node=4", "--nnodes=1",
                   "--master_addr=127.0.0.1", f"--master_port={port}", "train.py", "a", "3"]
    multi = torchrun_command("train.py", nproc=8, nnodes=2, node_rank=1, rdzv_endpoint="10.0.0.1:29500",
                             python="python")
    assert multi[3:] == ["--nproc_per_node=8", "--nnodes=2", "--node_rank=1", "--rdzv_backend=c10d",
                         "--rdzv_endpoint=10.0.0.1:29500", "train.py"]
