"""Start a worker script on several local processes with torchrun, from a notebook or a test.

`launch(script, *args, nproc=2)` runs `python -m torch.distributed.run --nproc_per_node=nproc
script args…` on 127.0.0.1 with a free port, the way a learner would type `torchrun` in a
terminal, and waits for it. What it adds is plumbing no lesson teaches:

- a **timeout**: a worker that hangs (a peer that never joins a collective, a deadlock in a
  send/recv pair) cannot hang the notebook; the whole process group is killed and `WorkerFailed`
  says so;
- a **clear message** when a worker fails: which command, its exit status and the last lines of
  what the workers printed (torchrun's own summary names the failed rank);
- loopback only: the gloo backend is told to use the loopback interface, so it works on a
  machine with no network (CI) as on a laptop.

It does not protect against a worker script that writes where it should not, or that leaves
processes of its own behind outside the process group; it is for the lesson's own scripts.
`torchrun_command` builds the same command for other machines (several nodes), for display.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .serve import free_port


class WorkerFailed(RuntimeError):
    """A launched group of workers exited with an error or ran past its timeout."""


@dataclass(frozen=True)
class Launch:
    command: list[str]
    output: str        # stdout and stderr of torchrun and every worker, interleaved
    seconds: float     # wall time from start to the last worker's exit


def torchrun_command(script: str | Path, *args: str, nproc: int = 2, nnodes: int = 1,
                     node_rank: int | None = None, rdzv_endpoint: str | None = None,
                     master_port: int | None = None, python: str | None = None) -> list[str]:
    """The torchrun command line. One node: a fixed master on 127.0.0.1 (`master_port`).
    Several nodes: every node runs the same command with its own `node_rank`, and all meet at
    `rdzv_endpoint` ("host:port" of node 0) through the c10d rendezvous."""
    cmd = [python or sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}",
           f"--nnodes={nnodes}"]
    if nnodes == 1 and rdzv_endpoint is None:
        cmd += ["--master_addr=127.0.0.1", f"--master_port={master_port or free_port()}"]
    else:
        if node_rank is not None:
            cmd.append(f"--node_rank={node_rank}")
        cmd += ["--rdzv_backend=c10d", f"--rdzv_endpoint={rdzv_endpoint}"]
    return cmd + [str(script), *map(str, args)]


def _environment(threads: int) -> dict:
    env = dict(os.environ)
    # Threads per worker, set rather than inherited: N workers × the notebook's own thread count
    # would oversubscribe the cores (torchrun's default is 1, with a banner this keeps quiet).
    env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
    if sys.platform.startswith("linux"):
        env.setdefault("GLOO_SOCKET_IFNAME", "lo")
    elif sys.platform == "darwin":
        env.setdefault("GLOO_SOCKET_IFNAME", "lo0")
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the launcher's whole process group, then SIGKILL to what is left."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def launch(script: str | Path, *args: str, nproc: int = 2, timeout: float = 120,
           threads: int = 1, tail: int = 12) -> Launch:
    """Run `script` on `nproc` local worker processes (`threads` torch threads each) with
    torchrun and wait, at most `timeout` seconds. Returns a `Launch`; raises `WorkerFailed` with
    the failing worker's traceback and the end of the output if a worker fails or the group runs
    past the timeout."""
    cmd = torchrun_command(script, *args, nproc=nproc)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=_environment(threads), start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        output, _ = proc.communicate()
        raise WorkerFailed(f"{nproc} workers of {Path(script).name} ran past the {timeout:g} s "
                           f"timeout and were stopped (a worker waiting for a peer that never "
                           f"came?). Last lines:\n{_tail(output, tail)}") from None
    except BaseException:            # KeyboardInterrupt in a notebook: leave nothing behind
        _kill_group(proc)
        raise
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise WorkerFailed(f"{Path(script).name} failed (exit status {proc.returncode}) on "
                           f"{nproc} workers.{_first_traceback(output)}\nLast lines:\n"
                           f"{_tail(output, tail)}")
    return Launch(command=cmd, output=output, seconds=seconds)


def _first_traceback(text: str, most: int = 30) -> str:
    """The first worker traceback in the output (torchrun's own comes after it), or ""."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "Traceback (most recent call last)" in line), None)
    if start is None:
        return ""
    prefix = lines[start][:lines[start].index("Traceback")]    # "[rank1]: " or ""
    block = [lines[start]]
    for line in lines[start + 1:start + most]:
        if not line.startswith(prefix):
            continue                               # another worker's line, interleaved
        block.append(line)
        body = line[len(prefix):]
        if body and not body[0].isspace() and ":" in body and not body.startswith("Traceback"):
            break                                  # "ValueError: …", the exception's own line
    return "\nThe first error:\n" + "\n".join(block)


def _tail(text: str, n: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-n:])
