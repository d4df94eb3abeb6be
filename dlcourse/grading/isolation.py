"""Where a submission's worker runs: inside bubblewrap when it works here, else beside the grader.

With bubblewrap (Debian's `bubblewrap`, `bwrap`), each worker gets its own mount, PID, network,
IPC and UTS namespaces, no capabilities, and a view of the file system that holds only:

    read only   /usr (and /bin, /lib... as on the host), a few files of /etc (the dynamic linker's
                cache, time zone, passwd/group, hosts), the Python installation and the virtual
                environment, the dlcourse package, the dataset folders (DLCOURSE_DATA, _MIRROR)
    read-write  the submission's scratch course (work/<student>/), and an empty /tmp
    nothing     the repository (solutions/, hidden tests, nbgrader_config.py), the course (its
                gradebook, config, other students' folders), the home directory, other users' files

so a submission cannot read the instructor's files, write outside its scratch course, reach the
network (only its own loopback, where nbgrader talks to the kernel), or see or signal any process
outside its sandbox (the grader among them); `--die-with-parent` ends the sandbox with the grader.

`choose()` probes bwrap once (it may be installed where namespaces are not allowed, e.g. in a
container) and says what is active and, without it, what that leaves open: the `warning` line that
the grader prints and writes to summary.csv. An exec prefix (a container) is trusted as given.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MODES = ("auto", "bwrap", "none")
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf",
       "passwd", "group", "hosts", "host.conf", "mime.types", "fonts")
UNSANDBOXED = ("submissions run as {user} with everything that user can do: read the solutions "
               "and hidden tests, write the course (gradebook, config, other students), use the "
               "network, signal this process")


@dataclass(frozen=True)
class Isolation:
    kind: str            # "bubblewrap" | "exec prefix" | "none"
    detail: str = ""     # the bwrap binary, the prefix, or why there is no sandbox
    warning: str = ""    # one line, when submissions are not isolated

    @property
    def label(self) -> str:
        return self.kind if not self.detail or self.kind == "none" else f"{self.kind} ({self.detail})"


def _user() -> str:
    try:
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return "this user"


def readable_paths() -> list[Path]:
    """What a worker needs to read, beyond /usr and /etc: Python, the environment, the package,
    the dataset folders."""
    import dlcourse

    paths = [Path(sys.base_prefix), Path(sys.base_exec_prefix), Path(sys.prefix),
             Path(sys.exec_prefix), Path(dlcourse.__file__).resolve().parent]
    for var in ("DLCOURSE_DATA", "DLCOURSE_DATA_MIRROR"):
        if os.environ.get(var) and Path(os.environ[var]).is_dir():
            paths.append(Path(os.environ[var]).resolve())
    out: list[Path] = []
    for p in paths:
        p = p.resolve()
        if p != Path("/") and not str(p).startswith("/usr/") and p not in out:
            out.append(p)
    return out


def bwrap_args(bwrap: str, work: Path) -> list[str]:
    """The bwrap command line that runs a worker with `work` as its only writable folder."""
    args = [bwrap, "--die-with-parent", "--new-session", "--unshare-all"]
    if os.geteuid() == 0:   # a user's bwrap has no capabilities outside its user namespace already
        args += ["--cap-drop", "ALL"]
    args += ["--hostname", "grader", "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev",
             "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / top
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    for name in ETC:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for path in readable_paths():
        args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(work), str(work), "--chdir", str(work), "--"]
    return args


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str) -> str:
    """"" when bwrap can start a sandbox here (what a worker gets, running Python), else why not."""
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    try:
        work = Path(__import__("tempfile").mkdtemp(prefix="dlcourse-bwrap-", dir=scratch))
    except OSError as exc:
        return f"no scratch folder for the probe ({exc})"
    try:
        cmd = bwrap_args(bwrap, work) + [sys.executable, "-S", "-c", "import os; print(os.getpid())"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            lines = (out.stderr or out.stdout).strip().splitlines()
            return f"bwrap cannot start a sandbox here: {lines[-1] if lines else out.returncode}"
        return ""
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap cannot start a sandbox here: {exc}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def choose(mode: str = "auto", exec_prefix: str | None = None) -> Isolation:
    """The isolation a batch gets: `mode` auto (bubblewrap when it works, else none, with the
    warning), bwrap (required: RuntimeError when it does not work), none (with the warning)."""
    if mode not in MODES:
        raise ValueError(f"sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if exec_prefix:
        return Isolation("exec prefix", exec_prefix)
    why = "turned off (--sandbox none)"
    if mode != "none":
        bwrap = shutil.which("bwrap")
        why = _probe(bwrap) if bwrap else "bwrap not found (Debian/Ubuntu: apt-get install bubblewrap)"
        if not why:
            return Isolation("bubblewrap", bwrap)
        if mode == "bwrap":
            raise RuntimeError(f"--sandbox bwrap: {why}")
    warning = f"WARNING: no sandbox, {why}: " + UNSANDBOXED.format(user=_user())
    return Isolation("none", why, warning)
