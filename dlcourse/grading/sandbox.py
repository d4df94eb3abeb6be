"""Run one submission's autograde in a limited subprocess.

The grader (`dlcourse grade`) never executes student code itself. For each submission it builds a
scratch nbgrader course (work/<student>/: a copy of the assignment's gradebook with no other
student in it, the submission, the course's configuration as JSON) and starts a *worker*:

    [bwrap ... | exec prefix ...] python -m dlcourse.grading.sandbox WORKDIR ASSIGNMENT STUDENT

inside bubblewrap when it works here (isolation.py), and writes a random key to its standard input.
The worker runs nbgrader's own autograde (its sanitize preprocessors restore locked and deleted test
cells from the gradebook) with a guarded Execute preprocessor (execute.py: each test cell judged by
evidence the student's code cannot print, outputs capped as they arrive), and writes result.json,
signed with the key. Student code runs only in the kernel, a child of the worker. The worker reads
its key, then closes its input, makes itself not dumpable (the kernel cannot trace it or read its
memory through /proc), ignores SIGINT and SIGTERM, and keeps orphans in its tree (subreaper).

Limits on the worker's process tree, with or without bubblewrap:

- environment: scrubbed to an allow-list (`scrubbed_env`): PATH, HOME and TMPDIR in the scratch
  folder, the locale, the data-mirror variables, thread counts. The grader's own variables (tokens,
  credentials) are not passed on.
- memory: RLIMIT_AS on every process (a runaway allocation raises MemoryError in the student's cell
  and grading goes on), and a watchdog on the tree's total RSS (several processes).
- processes: a watchdog on the number of processes in the tree (RLIMIT_NPROC counts all of the
  user's processes, and root ignores it).
- time: nbgrader's per-cell timeout interrupts a cell; a wall-clock limit on the whole worker
  ends the tree of a kernel that ignores the interrupt.
- files: RLIMIT_FSIZE (no multi-gigabyte file), RLIMIT_CORE = 0 (no core dump from a segfault).

What the grader reads back is data: `read_result` checks the signature before anything in the file
is used. README "What the sandbox does, and what it does not" says what stays open.
"""
from __future__ import annotations

import ctypes
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .selfcheck import NESTED_ENV

DEFAULT_MEMORY_MB = 4096   # per process (RLIMIT_AS) and for the tree's RSS; A01 peaks near 1.1 GB VMS
DEFAULT_MAX_PROCS = 64     # processes in one submission's tree (worker, kernel, whatever it starts)
DEFAULT_FILE_MB = 1024     # largest file a submission may write
EXEC_PREFIX_ENV = "DLCOURSE_GRADE_EXEC_PREFIX"

# Passed on from the grader's environment when set; nothing else is.
ENV_ALLOW = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TERM",
             "DLCOURSE_DATA", "DLCOURSE_DATA_MIRROR")
# Set for every worker: one thread per kernel (submissions run in parallel; and fewer threads
# reserve less address space under RLIMIT_AS), no stray GUI backends, no user site-packages, and
# a learner's check_notebook() cell does nothing while graded (selfcheck.NESTED_ENV), and no
# self-check exercise is recorded as anyone's progress (dlcourse.progress).
ENV_FIXED = {
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2", "MPLBACKEND": "Agg", "PYTHONNOUSERSITE": "1",
    "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1", NESTED_ENV: "1", "DLCOURSE_PROGRESS": "off",
}


def scrubbed_env(home: Path, environ: dict | None = None) -> dict:
    """The worker's whole environment: an allow-list, HOME and TMPDIR in `home`, and the venv's
    bin/ first on PATH (nbgrader runs `alembic`; the kernel launcher runs `python`)."""
    environ = os.environ if environ is None else environ
    env = {k: environ[k] for k in ENV_ALLOW if k in environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin",
                                   "/bin"])
    env["HOME"] = str(home)
    env["TMPDIR"] = str(Path(home) / "tmp")
    env.update(ENV_FIXED)
    return env


@dataclass
class Limits:
    memory_mb: int | None = DEFAULT_MEMORY_MB
    wall_s: float | None = None
    max_procs: int | None = DEFAULT_MAX_PROCS
    file_mb: int | None = DEFAULT_FILE_MB


# Sets the rlimits, then becomes the command (exec): the limits hold for it and everything it
# starts. A shim rather than preexec_fn, which is unsafe when the grader runs several threads.
_SHIM = """import os, resource, sys
core, mem, fsize = (int(a) for a in sys.argv[1:4])
resource.setrlimit(resource.RLIMIT_CORE, (core, core))
if mem: resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
if fsize: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
os.execvp(sys.argv[4], sys.argv[4:])
"""


def limited_command(cmd: list[str], limits: Limits) -> list[str]:
    """`cmd` run under the rlimits of `limits` (RLIMIT_AS, RLIMIT_FSIZE; no core dumps)."""
    mem = int(limits.memory_mb) * 2**20 if limits.memory_mb else 0
    fsize = int(limits.file_mb) * 2**20 if limits.file_mb else 0
    return [sys.executable, "-S", "-c", _SHIM, "0", str(mem), str(fsize), *cmd]


@dataclass
class Outcome:
    returncode: int | None
    output: str
    seconds: float
    killed: str = ""            # why the sandbox ended the tree ("" when it ended by itself)
    peak_rss_mb: float = 0.0    # the tree's total resident memory, at its highest
    peak_vms_mb: float = 0.0    # the largest address space of one process (what RLIMIT_AS bounds)
    peak_procs: int = 0


def _tree(proc) -> list:
    try:
        return [proc] + proc.children(recursive=True)
    except Exception:  # noqa: BLE001  (psutil.NoSuchProcess and friends: the tree is changing)
        return [proc]


def kill_tree(root_pid: int, also: dict | None = None) -> None:
    """End `root_pid` and all its descendants: freeze them (SIGSTOP, so nothing forks while we
    work), then SIGKILL, until none is left; then any process of `also` ({pid: create_time}) still
    alive. Kernels start in their own session, so a process-group kill would miss them."""
    import psutil

    def alive(p):
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    try:
        root = psutil.Process(root_pid)
    except psutil.Error:
        root = None
    for _ in range(50):
        procs = [p for p in (_tree(root) if root is not None else []) if alive(p)]
        procs += [p for p in _known(also) if alive(p) and p not in procs]
        if not procs:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for p in procs:
                try:
                    p.send_signal(sig)
                except psutil.Error:
                    pass
        time.sleep(0.05)  # (not psutil.wait_procs: it would reap our child behind Popen's back)


def _known(also: dict | None) -> list:
    import psutil

    out = []
    for pid, created in (also or {}).items():
        try:
            p = psutil.Process(pid)
            if p.create_time() == created:
                out.append(p)
        except psutil.Error:
            pass
    return out


def _vm_peak(pid: int) -> int:
    """The process's largest address space so far (Linux VmPeak), in bytes; 0 where unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


_LIVE: dict[int, dict] = {}   # the trees run_limited is watching: root pid -> {pid: create_time}
_STOP = threading.Event()


def kill_all() -> None:
    """End every tree being watched, and start no other (the grader was interrupted: Ctrl-C).
    `reset()` allows new runs again."""
    _STOP.set()
    for pid, seen in list(_LIVE.items()):
        kill_tree(pid, seen)


def reset() -> None:
    _STOP.clear()


def run_limited(cmd: list[str], cwd: Path, env: dict, limits: Limits, poll: float = 0.2,
                stdin: bytes = b"") -> Outcome:
    """Run `cmd` in its own session with the rlimits of `limits`, watch its process tree (memory,
    number of processes, wall clock), end the tree when a limit is passed, and return what
    happened. Whatever the tree left running at the end is killed. `stdin` is all the command
    reads on its standard input (the worker's result key: never in its arguments or environment)."""
    import psutil

    if _STOP.is_set():
        raise RuntimeError("grading was interrupted")
    t0 = time.monotonic()
    proc = subprocess.Popen(limited_command(cmd, limits), cwd=cwd, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        proc.stdin.write(stdin)
        proc.stdin.close()
    except OSError:  # the command ended (or closed its input) before reading it
        pass
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stdout.read(65536), b"")),
                              daemon=True)
    reader.start()
    out = Outcome(None, "", 0.0)
    seen: dict[int, float] = {}
    _LIVE[proc.pid] = seen
    try:
        root = psutil.Process(proc.pid)
    except psutil.Error:
        root = None
    try:
        _watch(proc, root, seen, limits, out, t0, poll)
    finally:
        _LIVE.pop(proc.pid, None)
        # leftovers (a daemon the kernel started) do not outlive the worker; before the wait, while
        # the pid is still this process's (a reaped pid may already be another's)
        kill_tree(proc.pid, seen)
        proc.wait()
    reader.join(timeout=5)
    if not reader.is_alive():
        proc.stdout.close()
    out.returncode = proc.returncode
    out.output = b"".join(chunks).decode("utf-8", "replace")
    out.seconds = time.monotonic() - t0
    return out


def _watch(proc, root, seen: dict, limits: Limits, out: Outcome, t0: float, poll: float) -> None:
    import psutil

    while proc.poll() is None:
        if root is not None:
            rss, vms, n = 0, 0, 0
            for p in _tree(root):
                try:
                    mem = p.memory_info()
                    seen.setdefault(p.pid, p.create_time())
                except psutil.Error:
                    continue
                rss += mem.rss
                vms = max(vms, mem.vms, _vm_peak(p.pid))
                n += 1
            out.peak_rss_mb = max(out.peak_rss_mb, rss / 2**20)
            out.peak_vms_mb = max(out.peak_vms_mb, vms / 2**20)
            out.peak_procs = max(out.peak_procs, n)
            reason = ""
            if limits.memory_mb and rss > limits.memory_mb * 2**20:
                reason = (f"memory limit: its processes used {rss / 2**20:.0f} MB "
                          f"(limit {limits.memory_mb} MB)")
            elif limits.max_procs and n > limits.max_procs:
                reason = f"process limit: {n} processes (limit {limits.max_procs})"
            elif limits.wall_s and time.monotonic() - t0 > limits.wall_s:
                reason = f"time limit: still running after {limits.wall_s:.0f} s"
            elif _STOP.is_set():
                reason = "interrupted"
            if reason:
                out.killed = reason
                kill_tree(proc.pid, seen)
                return
        time.sleep(poll)


def exec_prefix_args(prefix: str | list[str] | None, **fields) -> list[str]:
    """The exec prefix as argv, with {work}, {course}, {repo}, {python} filled in."""
    if prefix is None:
        prefix = os.environ.get(EXEC_PREFIX_ENV, "")
    args = shlex.split(prefix) if isinstance(prefix, str) else list(prefix)
    return [a.format(**fields) for a in args]


def worker_command(work: Path, assignment: str, student: str, prefix=None, **fields) -> list[str]:
    from .course import repository

    fields = {"work": str(work), "repo": str(repository()), "python": sys.executable, "course": "",
              **fields}
    return [*exec_prefix_args(prefix, **fields), sys.executable, "-m", "dlcourse.grading.sandbox",
            str(work), assignment, student]


# ----------------------------------------------------------------------------------- the worker

CONFIG = "nbgrader_config.json"   # the worker's configuration: data the grader writes, not code
RESULT = "result.json"


@dataclass
class WorkerResult:
    """What the worker reports (result.json, signed with the key the grader gave it)."""
    success: bool = False
    error: str = ""
    log: str = ""
    last_cell: str = ""          # the cell that was running when the kernel died
    kernel_exit: int | None = None  # the dead kernel's exit status (negative: killed by a signal)
    cells: dict = field(default_factory=dict)       # grade_id -> {passed, tamper, error, evidence}
    truncated: list = field(default_factory=list)   # cells whose output was cut while it ran
    links: list = field(default_factory=list)       # symbolic links its kernel left (removed)
    notebook_sha256: str = ""    # of the autograded notebook the worker wrote
    extra: dict = field(default_factory=dict)


def sign(payload: dict, key: bytes) -> dict:
    import hashlib
    import hmac

    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return {"payload": payload, "mac": hmac.new(key, text.encode(), hashlib.sha256).hexdigest()}


def read_result(work: Path, key: bytes | None = None) -> tuple[WorkerResult | None, str]:
    """The worker's result, checked: (result, "") or (None, why it cannot be used). Read as data
    (JSON, at most 8 MB, not through a symbolic link); with `key`, its signature must match."""
    import hmac

    path = Path(work) / RESULT
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"its result file cannot be read ({exc.strerror})"
    with os.fdopen(fd, "rb") as fh:
        raw = fh.read(8 * 2**20 + 1)
    if len(raw) > 8 * 2**20:
        return None, "its result file is too large"
    try:
        doc = json.loads(raw)
        payload = doc["payload"]
        if key is not None:
            want = sign(payload, key)["mac"]
            if not hmac.compare_digest(str(doc.get("mac", "")), want):
                why = ("its result carries no signature (the worker got no key: an exec prefix "
                       "must pass standard input through, e.g. docker run -i)" if not doc.get("mac")
                       else "its result file was changed after the worker wrote it")
                return None, why
        known = {f for f in WorkerResult.__dataclass_fields__}
        return WorkerResult(**{k: v for k, v in payload.items() if k in known}), ""
    except (ValueError, TypeError, KeyError):
        return None, "its result file is not what the worker writes"


def _harden() -> bytes:
    """Read the result key from standard input, then make this process hard to reach from the
    kernel it starts: no ptrace or /proc/<pid>/mem (not dumpable), SIGINT and SIGTERM ignored
    (handlers, not SIG_IGN: the kernel starts with the default ones), orphans stay in its tree."""
    key = sys.stdin.buffer.readline().strip()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)    # PR_SET_DUMPABLE 0
        libc.prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                signal.SIGUSR2):
        signal.signal(sig, lambda *_: None)
    return bytes.fromhex(key.decode("ascii", "replace")) if key else b""


def worker_main(argv: list[str]) -> int:
    import hashlib

    key = _harden()
    work, assignment, student = Path(argv[0]), argv[1], argv[2]
    os.chdir(work)
    Path(os.environ.get("TMPDIR", work / "home" / "tmp")).mkdir(parents=True, exist_ok=True)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import JSONFileConfigLoader

    from .execute import guarded_execute_class

    execute, guarded, state = guarded_execute_class()
    state.hide = [work / "gradebook.db"]
    cfg = JSONFileConfigLoader(CONFIG, path=str(work)).load_config()
    current = (cfg.Autograde.autograde_preprocessors if "autograde_preprocessors" in cfg.Autograde
               else Autograde.class_traits()["autograde_preprocessors"].default())
    cfg.Autograde.autograde_preprocessors = [guarded if p is execute else p for p in current]
    coursedir = CourseDirectory(config=cfg)
    api = NbGraderAPI(coursedir=coursedir, config=cfg)
    res = WorkerResult()
    r = api.autograde(assignment, student, force=True, create=True)
    res.success, res.error, res.log = bool(r.get("success")), r.get("error", ""), r.get("log", "")
    res.last_cell, res.kernel_exit = state.last_cell, state.kernel_exit
    res.cells = {gid: asdict(v) for gid, v in state.verdicts.items()}
    res.truncated = list(state.truncated)
    res.links = list(state.links)
    notebook = work / "autograded" / student / assignment / f"{assignment}.ipynb"
    if notebook.is_file() and not notebook.is_symlink():
        res.notebook_sha256 = hashlib.sha256(notebook.read_bytes()).hexdigest()
    doc = sign(asdict(res), key) if key else {"payload": asdict(res), "mac": ""}
    tmp = work / (RESULT + ".tmp")
    tmp.unlink(missing_ok=True)   # (not through whatever the kernel may have left at that name)
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "w",
                   encoding="utf-8") as fh:
        fh.write(json.dumps(doc))
    tmp.replace(work / RESULT)
    try:  # nothing the kernel started outlives the worker
        import psutil
        for p in psutil.Process().children(recursive=True):
            p.kill()
    except Exception:  # noqa: BLE001
        pass
    return 0


def describe_exit(code: int | None) -> str:
    """'exit status 1', 'signal SIGSEGV (segmentation fault)', ..."""
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            sig = signal.Signals(-code)
        except ValueError:
            return f"signal {-code}"
        what = {signal.SIGSEGV: "segmentation fault", signal.SIGKILL: "killed",
                signal.SIGABRT: "aborted", signal.SIGBUS: "bus error",
                signal.SIGXFSZ: "file size limit", signal.SIGFPE: "arithmetic error"}.get(sig)
        return f"{sig.name}" + (f", {what}" if what else "")
    return f"exit status {code}"


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
