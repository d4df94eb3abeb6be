"""The worker's Execute preprocessor: nbgrader's, with evidence instead of trust.

nbgrader decides a test cell from its outputs: an error or anything on stderr scores 0, anything
else full marks (a number as the first result is a partial score). Student code can print, emit a
result before the test runs, swallow the test's exception, rewrite the test's source or replace the
helpers it calls; and a warning costs the points of correct work. `GuardedExecute` runs the same
cells in the same kernel, and decides each autograded test cell by evidence (guard.py):

- before the first cell, the preamble installs the guard (before any student code runs);
- after each locked setup cell, `pin` records the helpers it defined;
- each test cell is sent with one more line, `end(nonce, ...)`, which runs only when every
  assertion before it passed, checks that nothing the test relies on was changed, and publishes an
  HMAC-signed record; the worker accepts the cell when that record is there, valid, lists no change,
  and the cell shows no error. stderr and warnings do not count.

The evidence output is removed from the notebook, and the source of every cell is saved as it was.
While the kernel runs, outputs are capped as they arrive (a submission that prints 60 MB is
graded, with a note, not timed out), and the scratch gradebook (which holds the hidden tests) is
moved out of the kernel's reach; whatever the kernel started is ended when it stops.
"""
from __future__ import annotations

import ast
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from . import guard as _guard

HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MAX_STREAM = 256 * 1024        # characters of stream output kept per cell
MAX_OUTPUTS = 200              # outputs kept per cell


# ----------------------------------------------------------------------- what the locked cells use

def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def bound_names(tree: ast.Module) -> list[str]:
    """Names a cell binds at its top level (def, class, import, assignment)."""
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                out += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return out


def free_names(tree: ast.Module) -> list[str]:
    """Names a cell reads that it does not bind itself anywhere (so they come from before it)."""
    loaded, stored = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    return sorted(loaded - stored)


def imported(trees: list[ast.Module]) -> tuple[list[str], list[str]]:
    """The modules the locked cells import, and the dotted names they use under them
    (torch.optim.SGD, np.allclose): the guard records the modules among these, and the classes."""
    aliases: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        aliases[a.name.split(".")[0]] = a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                aliases[f"<from {node.module}>"] = node.module
                for a in node.names:
                    if a.name != "*":
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    dotted = set(aliases.values())
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                parts, cur = [], node
                while isinstance(cur, ast.Attribute):
                    parts.append(cur.attr)
                    cur = cur.value
                if isinstance(cur, ast.Name) and cur.id in aliases:
                    dotted.add(".".join([aliases[cur.id], *reversed(parts)]))
    # every dotted prefix may be a module (torch.optim) or a class (torch.optim.SGD)
    names = {".".join(d.split(".")[:i]) for d in dotted for i in range(1, d.count(".") + 2)}
    return sorted(n for n in names if n.count(".") < 3), sorted(names)


# ------------------------------------------------------------------------------- the verdicts

@dataclass
class Verdict:
    grade_id: str
    passed: bool = False
    tamper: list[str] = field(default_factory=list)
    error: str = ""            # the first line of the error, if the cell failed with one
    evidence: bool = False     # a valid record from the guard was found


def _first_line(output: dict) -> str:
    value = str(output.get("evalue", "")).strip().splitlines()
    return f"{output.get('ename', 'Error')}: {value[0]}" if value else str(output.get("ename", "Error"))


def records(outputs: list, nonce: str, gid: str, key: bytes) -> tuple[list, list, int]:
    """The guard's records among `outputs` that verify for (nonce, cell), the other outputs, and
    how many records did not verify."""
    kept, found, forged = [], [], 0
    for out in outputs:
        data = out.get("data") or {}
        if out.get("output_type") in ("display_data", "execute_result") and _guard.MIME in data:
            rec = data[_guard.MIME]
            if isinstance(rec, str):
                try:
                    rec = json.loads(rec)
                except ValueError:
                    rec = {}
            ok = (isinstance(rec, dict) and rec.get("nonce") == nonce and rec.get("cell") == gid
                  and isinstance(rec.get("tamper"), list)
                  and secrets.compare_digest(str(rec.get("mac", "")),
                                             _guard.mac(key, nonce, gid, rec.get("tamper", []))))
            if ok:
                found.append(rec)
            else:
                forged += 1
            continue
        kept.append(out)
    return found, kept, forged


def judge(cell, nonce: str, key: bytes, reply_status: str | None, guard_name: str,
          audit: list | None = ()) -> Verdict:
    """Decide one test cell from its outputs (and remove the guard's record from them); `audit`:
    the verified records of the check the worker ran after it (None: it did not answer)."""
    gid = cell["metadata"]["nbgrader"].get("grade_id", "")
    v = Verdict(gid)
    records_, kept, forged = records(cell.get("outputs", []), nonce, gid, key)
    cell["outputs"] = kept
    errors = [o for o in kept if o.get("output_type") == "error"]
    if errors:
        v.error = _first_line(errors[-1])
        if guard_name in json.dumps(errors[-1].get("traceback", []) + [v.error]):
            v.tamper.append("the grader's guard was removed or replaced")
    if forged:
        v.tamper.append("forged grader evidence in its output")
    if len(records_) > 1:
        v.tamper.append("the grader's guard ran more than once")
    for rec in (records_[-1:] + (audit or [])[-1:]):
        v.tamper += [t for t in rec["tamper"] if t not in v.tamper]
    if audit is None:
        v.tamper.append("the grader's check after the cell did not answer (the guard was removed, "
                        "or the kernel's machinery changed)")
    if records_:
        v.evidence = True
    elif not errors and reply_status == "ok":
        v.tamper.append("the test cell did not run to its end, with no error shown "
                        "(its source was changed, or its error hidden)")
    elif not errors and reply_status == "error":
        v.error = v.error or "the cell failed (its error output was hidden)"
    v.passed = v.evidence and not errors and not v.tamper and reply_status != "error"
    merged = []
    for out in kept:   # the record sat between two pieces of one stream: join them again
        if merged and out.get("output_type") == "stream" and merged[-1].get("output_type") == "stream" \
                and merged[-1].get("name") == out.get("name"):
            merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    cell["outputs"] = merged
    if v.tamper:
        note = {"output_type": "stream", "name": "stdout",
                "text": "[grader] this test cell does not count: " + "; ".join(v.tamper) + "\n"}
        cell["outputs"].append(type(cell)(note))
    return v


def hidden_lines(source: str) -> list[str]:
    """The lines of a test cell between the hidden-test markers."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN[0]:
            inside = True
        elif line.strip() == HIDDEN[1]:
            inside = False
        elif inside:
            out.append(line)
    return out


# ------------------------------------------------------------------------- the preprocessor

def guarded_execute_class():
    """nbgrader's Execute, guarded (built on demand: nbgrader loads only in the worker)."""
    import signal

    from jupyter_client.manager import AsyncKernelManager
    from nbgrader.preprocessors import Execute

    class State:
        last_cell = ""
        kernel_exit: int | None = None
        verdicts: dict[str, Verdict] = {}
        truncated: list[str] = []
        links: list[str] = []          # symbolic links the kernel left in its folder (removed)
        hide: list[Path] = []          # files the kernel must not see while it runs (the gradebook)

    class RecordingKernelManager(AsyncKernelManager):
        async def is_alive(self) -> bool:  # type: ignore[override]
            alive = await super().is_alive()
            proc = getattr(getattr(self, "provisioner", None), "process", None)
            if not alive and proc is not None and proc.poll() is not None:
                State.kernel_exit = proc.returncode
            return alive

    class GuardedExecute(Execute):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", RecordingKernelManager)
            super().__init__(*args, **kwargs)
            # a slow or busy machine delays the last messages of a cell: wait for them rather than
            # failing the whole notebook (nbgrader raises after 4 s)
            self.iopub_timeout = max(int(self.iopub_timeout or 0), 60)
            self.raise_on_iopub_timeout = False
            self._guard_key = secrets.token_bytes(32)
            self._guard_name = "_g_" + secrets.token_hex(4)
            self._guard_ready = False
            self._reply_status = None
            self._kept: dict[int, dict] = {}

        # -------------------------------------------------------------------------- the kernel

        def preprocess(self, nb, resources=None, km=None):
            cwd = (resources or {}).get("metadata", {}).get("path")
            hidden = {}
            for path in State.hide:   # nbgrader needs the gradebook before and after, not during
                if path.exists():
                    hidden[path] = path.read_bytes()
                    path.unlink()
            self._plan(nb)
            try:
                return super().preprocess(nb, resources, km)
            finally:
                _end_descendants()
                if cwd:   # nbgrader chmods every file of its output folder: not through a link
                    State.links += _remove_links(Path(cwd))
                for path, data in hidden.items():   # (not through a link the kernel left there)
                    tmp = path.with_name(path.name + ".restore")
                    tmp.unlink(missing_ok=True)
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data)
                    os.replace(tmp, path)

        def _plan(self, nb) -> None:
            locked = []
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell.cell_type == "code" and (meta.get("locked") or meta.get("grade")) \
                        and not meta.get("solution"):
                    tree = _parse(cell.source)
                    if tree is not None:
                        locked.append(tree)
            self._modules, self._classes = imported(locked)

        def _probe(self, cell, index, code: str, timeout: int):
            """Run `code` in the kernel as a cell of the grader's own (not saved, no history)."""
            probe = type(cell)(cell_type="code", source=code, metadata={}, outputs=[],
                               execution_count=None)
            original, saved = self.nb.cells[index], self.timeout
            self.timeout = timeout
            try:
                self.execute_cell(probe, index, store_history=False)
            finally:
                self.nb.cells[index], self.timeout = original, saved
            return probe

        def _install_guard(self, cell, index) -> None:
            code = (f"import dlcourse.grading.guard as _m\n"
                    f"{self._guard_name} = _m.install({self._guard_key.hex()!r}, {self._modules!r}, "
                    f"{self._classes!r}, {self._guard_name!r})\n"
                    f"del _m")
            # the grader's own step (it imports the libraries the tests use): not the student's timeout
            probe = self._probe(cell, index, code, max(int(self.timeout or 0), 300))
            errors = [o for o in probe.outputs if o.get("output_type") == "error"]
            if errors:
                raise RuntimeError("the grader's tamper guard could not start in the kernel: "
                                   + _first_line(errors[0]))
            self._guard_ready = True

        def preprocess_cell(self, cell, resources, index):
            nbg = cell.get("metadata", {}).get("nbgrader", {})
            State.last_cell = nbg.get("grade_id") or cell.get("id") or f"cell {index}"
            if cell.cell_type != "code" or not cell.source.strip():
                return super().preprocess_cell(cell, resources, index)
            if not self._guard_ready:
                self._install_guard(cell, index)
            source, line, nonce, names = cell.source, "", "", []
            if not nbg.get("solution") and (nbg.get("locked") or nbg.get("grade")):
                tree = _parse(source)
                if nbg.get("grade"):
                    nonce = secrets.token_hex(16)
                    names = free_names(tree) if tree is not None else []
                    line = f"{self._guard_name}.end({nonce!r}, {nbg.get('grade_id', '')!r}, {names!r})"
                elif tree is not None:
                    line = f"{self._guard_name}.pin({bound_names(tree)!r})"
            self._kept[index] = {"chars": 0, "outputs": 0, "dropped": 0}
            self._reply_status = None
            if line:
                cell.source = source.rstrip("\n") + "\n" + line
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            finally:
                cell.source = source
            kept = self._kept.pop(index, {})
            if kept.get("dropped"):
                State.truncated.append(State.last_cell)
                cell.outputs.append(type(cell)(
                    output_type="stream", name="stdout",
                    text=f"\n[output truncated by the grader: {kept['dropped']:,} more characters "
                         f"were printed and not kept]\n"))
            if nonce:
                gid, status = nbg.get("grade_id", ""), self._reply_status
                v = judge(cell, nonce, self._guard_key, status, self._guard_name, self._audit(gid, names))
                State.verdicts[v.grade_id] = v
            return cell, resources

        def _audit(self, gid: str, names: list[str]) -> list | None:
            """The guard's checks after a test cell, as a user expression of an empty, silent
            execute request: no input transformer, AST transformer or cell event sees it. The
            verified record, in a list, or None when none came back."""
            nonce = secrets.token_hex(16)
            expr = f"{self._guard_name}.audit({nonce!r}, {gid!r}, {names!r})"
            try:
                msg_id = self.kc.execute("", silent=True, store_history=False,
                                         user_expressions={"guard": expr}, allow_stdin=False)
                saved, self.timeout = self.timeout, max(int(self.timeout or 0), 60)
                try:
                    reply = self.wait_for_reply(msg_id)
                finally:
                    self.timeout = saved
                value = reply["content"]["user_expressions"]["guard"]["data"]["text/plain"]
                record = json.loads(ast.literal_eval(value))
            except Exception:  # noqa: BLE001  (no reply, an error, a value that is not a record)
                return None
            found = records([{"output_type": "display_data", "data": {_guard.MIME: record}}],
                            nonce, gid, self._guard_key)[0]
            return found or None

        def on_cell_executed(self, **kwargs):
            reply = kwargs.get("execute_reply") or {}
            self._reply_status = reply.get("content", {}).get("status")
            return super().on_cell_executed(**kwargs)

        # ---------------------------------------------------------------- outputs, capped

        def output(self, outs, msg, display_id, cell_index):
            kept = self._kept.get(cell_index)
            if kept is None:
                return super().output(outs, msg, display_id, cell_index)
            content = msg.get("content", {})
            if msg.get("msg_type") == "stream":
                text = content.get("text", "")
                room = MAX_STREAM - kept["chars"]
                if room <= 0:
                    kept["dropped"] += len(text)
                    return None
                if len(text) > room:
                    kept["dropped"] += len(text) - room
                    content["text"] = text[:room]
                kept["chars"] += len(content["text"])
            elif msg.get("msg_type") != "error" and _guard.MIME not in (content.get("data") or {}):
                if kept["outputs"] >= MAX_OUTPUTS:
                    kept["dropped"] += 1
                    return None
                kept["outputs"] += 1
            return super().output(outs, msg, display_id, cell_index)

    def _remove_links(folder: Path) -> list[str]:
        removed = []
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            for name in dirnames + filenames:
                path = Path(dirpath) / name
                if path.is_symlink():
                    removed.append(str(path.relative_to(folder)))
                    path.unlink()
        return sorted(removed)

    def _end_descendants() -> None:
        """Whatever the kernel started and left running (the worker is their subreaper)."""
        try:
            import psutil
            for p in psutil.Process().children(recursive=True):
                try:
                    p.send_signal(signal.SIGKILL)
                except psutil.Error:
                    pass
        except Exception:  # noqa: BLE001
            pass

    return Execute, GuardedExecute, State


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)
