"""The tamper guard: runs inside the kernel that executes a submission, next to the student's code.

The grader's worker (execute.py) sends one preamble before the notebook's first cell, before any
student code has run:

    import dlcourse.grading.guard as _m; _g_3f9c = _m.install(KEY, MODULES, CLASSES, "_g_3f9c"); del _m

`install` records what the tests rely on, as it is then: the builtins; the library modules the
locked cells import and the classes they name (and `torch.Tensor`); IPython's event callbacks,
input transformers, AST transformers, display hook, display publisher, exception handlers; the
methods of the shell, the kernel and their helpers; the trace and profile functions; the import
hooks. It then forgets its module (`sys.modules`), so that `import dlcourse.grading.guard` in a
student's cell gets a fresh copy with no key.

The worker appends one line to each locked cell it runs: `_g_3f9c.pin([...])` after a setup cell
(the helpers it defines become part of what is checked), and `_g_3f9c.end(NONCE, GRADE_ID, [...])`
after an autograded test cell; after each test cell it also evaluates `_g_3f9c.audit(NONCE2, ...)`
as a user expression (no transformer or event sees it), so that a cell that failed anyway still
shows what was changed. `end` runs only if every assertion of the test before it passed; it checks
the recorded state again (the builtins, the libraries, IPython, and the helpers the test reads,
directly or through other helpers) and publishes its evidence: the nonce, the cell, what it found
changed, and an HMAC of the three with the key. The worker accepts a test cell as passed only with
valid evidence that lists nothing, and no error. Printing cannot forge that: the key is not in the
notebook, and the nonce is new for each cell.

A library may replace its own functions (torch wraps `torch.manual_seed` and an optimizer's `step`
on first use): a replacement is accepted when it is library code (a file of the installed
environment) that wraps (`__wrapped__`) the recorded function.

What this does not stop: code that digs the key out of this object (gc, frames, closures), code
that changes something and puts it back within one call from a test, or code that fakes the objects
checked here (a function given another's `__module__` and file name). The static scan (scan.py)
names the usual ways to do those, as a second signal; the sandbox keeps every such trick inside
the submission's own scratch folder.
"""
from __future__ import annotations

import builtins
import hashlib
import hmac
import importlib
import inspect
import json
import os
import sys
import threading
import types

MIME = "application/vnd.dlcourse.guard+json"
_SKIP_BUILTINS = {"_", "__", "___"}
# callbacks that IPython extensions register on their own (%matplotlib inline, %autoreload):
# accepted when they are the real thing, a function of that module
_KNOWN_CALLBACK_MODULES = ("matplotlib_inline.", "IPython.", "ipykernel.", "matplotlib.")


def mac(key: bytes, nonce: str, cell: str, found: list[str]) -> str:
    message = json.dumps([nonce, cell, found], separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _same(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, types.MethodType) and isinstance(b, types.MethodType):
        return a.__func__ is b.__func__ and a.__self__ is b.__self__
    return False


_LIBRARY_ROOTS = tuple(sorted({os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                             sys.base_exec_prefix)}))


def _library_function(obj) -> bool:
    """A Python function whose code is a file of the installed libraries (not a notebook cell)."""
    func = obj.__func__ if isinstance(obj, types.MethodType) else obj
    if not isinstance(func, types.FunctionType):
        return False
    name = func.__code__.co_filename
    return name.startswith(_LIBRARY_ROOTS) and os.path.isfile(name)


def _rewrapped(now, before) -> bool:
    """Whether `now` is a library's own wrapper around `before`: torch wraps some of its functions
    on first use (`torch.manual_seed`, an optimizer's `step`), with functools.wraps. Every layer
    must be library code; the innermost must be the recorded object."""
    cur = now
    for _ in range(8):
        if _same(cur, before):
            return True
        if not _library_function(cur):
            return False
        func = cur.__func__ if isinstance(cur, types.MethodType) else cur
        cur = func.__dict__.get("__wrapped__")
        if cur is None:
            return False
    return False


def _static(cls: type) -> dict[str, object]:
    """Every attribute of `cls` as attribute lookup finds it (own or inherited), unbound."""
    out = {}
    for name in dir(cls):
        try:
            out[name] = inspect.getattr_static(cls, name)
        except AttributeError:
            pass
    return out


def _callables(namespace: dict) -> dict[str, object]:
    return {k: v for k, v in namespace.items()
            if callable(v) or isinstance(v, types.ModuleType)}


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _genuine_callback(cb) -> bool:
    func = getattr(cb, "__func__", cb)
    module = getattr(func, "__module__", "") or ""
    if not module.startswith(_KNOWN_CALLBACK_MODULES) or module not in sys.modules:
        return False
    owner = getattr(cb, "__self__", None)
    found = inspect.getattr_static(type(owner), func.__name__, None) if owner is not None else \
        getattr(sys.modules[module], func.__name__, None)
    return found is func


class _Snapshot:
    """What the tests rely on, recorded once before any student code runs."""

    def __init__(self, shell, modules: list[str], classes: list[str]):
        self.shell = shell
        self.builtins = {k: v for k, v in vars(builtins).items() if k not in _SKIP_BUILTINS}
        self.modules: dict[str, tuple[types.ModuleType, dict]] = {}
        for name in modules:
            try:
                mod = importlib.import_module(name)
            except Exception:  # noqa: BLE001  (a module the tests name but this kernel lacks)
                continue
            self.modules[name] = (mod, _callables(vars(mod)))
        self.classes: dict[str, tuple[type, dict]] = {}
        for dotted in classes:
            cls = self._resolve(dotted)
            if isinstance(cls, type):
                self.classes[dotted] = (cls, _static(cls))
        events = shell.events.callbacks
        self.events = {name: list(cbs) for name, cbs in events.items()}
        mgr = shell.input_transformer_manager
        self.transformers = {
            "input_transformers_cleanup": list(mgr.cleanup_transforms),
            "input transformer (line)": list(mgr.line_transforms),
            "input transformer (token)": list(mgr.token_transformers),
            "input_transformers_post": list(shell.input_transformers_post),
            "ast_transformers": list(shell.ast_transformers),
        }
        self.objects = self._objects()
        owners = [shell, shell.displayhook, shell.display_pub, shell.compile, shell.events,
                  shell.input_transformer_manager, getattr(shell, "kernel", None)]
        self.owners = [(o, _static(type(o)), set(vars(o))) for o in owners if o is not None]
        self.meta_path = list(sys.meta_path)

    @staticmethod
    def _resolve(dotted: str):
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            mod = sys.modules.get(".".join(parts[:i]))
            if mod is not None:
                obj = mod
                for part in parts[i:]:
                    obj = getattr(obj, part, None)
                return obj
        return None

    def _objects(self) -> dict[str, object]:
        sh = self.shell
        return {
            "sys.displayhook": sys.displayhook, "sys.excepthook": sys.excepthook,
            "get_ipython().displayhook": sh.displayhook, "get_ipython().display_pub": sh.display_pub,
            "get_ipython().compile": sh.compile, "get_ipython().events": sh.events,
            "get_ipython().input_transformer_manager": sh.input_transformer_manager,
            "get_ipython().CustomTB": sh.CustomTB, "get_ipython().kernel": getattr(sh, "kernel", None),
            "sys.modules['builtins']": sys.modules.get("builtins"),
        }

    # ------------------------------------------------------------------------------ the checks

    def changes(self, names: set[str], pins: dict, user_ns: dict, in_cell: bool = True) -> list[str]:
        """What differs from the record. Outside a cell (a user expression), IPython and ipykernel
        have put back what they set only while a cell runs (get_ipython, input, the display and
        exception hooks): those are compared inside cells only."""
        found: list[str] = []
        for k, v in self.builtins.items():
            if not in_cell and k in _CELL_ONLY_BUILTINS:
                continue
            now = vars(builtins).get(k, _MISSING)
            if now is _MISSING:
                found.append(f"builtins.{k} deleted")
            elif not _same(now, v):
                found.append(f"builtins.{k} replaced")
        for name, (mod, snap) in self.modules.items():
            if sys.modules.get(name) is not mod:
                found.append(f"sys.modules[{name!r}] replaced")
            space = vars(mod)
            for k, v in snap.items():
                now = space.get(k, _MISSING)
                if _same(now, v):
                    continue
                if _rewrapped(now, v):
                    snap[k] = now
                else:
                    found.append(f"{name}.{k} replaced")
        for dotted, (cls, snap) in self.classes.items():
            for k, v in snap.items():
                try:
                    now = inspect.getattr_static(cls, k)
                except AttributeError:
                    now = _MISSING
                if now is v:
                    continue
                if _rewrapped(now, v):
                    snap[k] = now
                else:
                    found.append(f"{dotted}.{k} replaced")
        found += self._ipython(in_cell)
        found += self._pins(names, pins, user_ns)
        if sys.gettrace() is not None or getattr(threading, "_trace_hook", None) is not None:
            found.append("a trace function (sys.settrace)")
        if sys.getprofile() is not None or getattr(threading, "_profile_hook", None) is not None:
            found.append("a profile function (sys.setprofile)")
        for finder in sys.meta_path:
            if finder not in self.meta_path and \
                    getattr(type(finder) if not isinstance(finder, type) else finder, "__module__", "") \
                    in ("__main__", "builtins"):
                found.append("an import hook (sys.meta_path)")
        return found

    def _ipython(self, in_cell: bool = True) -> list[str]:
        sh, found = self.shell, []
        for event, before in self.events.items():
            now = sh.events.callbacks.get(event, [])
            for cb in now:
                if not any(_same(cb, b) for b in before) and not _genuine_callback(cb):
                    found.append(f"IPython event {event}: "
                                 f"{getattr(cb, '__qualname__', type(cb).__name__)}")
        mgr = sh.input_transformer_manager
        lists = {"input_transformers_cleanup": mgr.cleanup_transforms,
                 "input transformer (line)": mgr.line_transforms,
                 "input transformer (token)": mgr.token_transformers,
                 "input_transformers_post": sh.input_transformers_post,
                 "ast_transformers": sh.ast_transformers}
        for what, now in lists.items():
            before = self.transformers[what]
            if len(now) != len(before) or any(not _same(a, b) for a, b in zip(now, before)):
                found.append(f"IPython {what} changed")
        now = self._objects()
        for what, before in self.objects.items():
            if not in_cell and what in ("sys.displayhook", "sys.excepthook"):
                continue
            if before is not None and not _same(now[what], before):
                found.append(f"{what} replaced")
        if sh.custom_exceptions:
            found.append("a custom exception handler (set_custom_exc)")
        for owner, snap, own in self.owners:
            for k, v in snap.items():
                try:
                    cur = inspect.getattr_static(type(owner), k)
                except AttributeError:
                    cur = _MISSING
                if cur is not v:
                    found.append(f"{type(owner).__name__}.{k} replaced")
            for k in set(vars(owner)) - own:
                if callable(snap.get(k)):
                    found.append(f"{type(owner).__name__}.{k} overridden on the instance")
        return found

    @staticmethod
    def _pins(names: set[str], pins: dict, user_ns: dict) -> list[str]:
        found, seen, todo = [], set(), [n for n in names if n in pins]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            obj, code, defaults, kwdefaults, snap = pins[name]
            now = user_ns.get(name, _MISSING)
            if now is not obj:
                found.append(f"{name} redefined (a helper of the tests)")
                continue
            if code is not None:
                if obj.__code__ is not code or obj.__defaults__ is not defaults \
                        or obj.__kwdefaults__ is not kwdefaults:
                    found.append(f"{name}.__code__ changed (a helper of the tests)")
                todo += [n for n in _code_names(code) if n in pins]
            if snap is not None:
                for k, v in snap.items():
                    try:
                        cur = inspect.getattr_static(obj, k)
                    except AttributeError:
                        cur = _MISSING
                    if cur is not v:
                        found.append(f"{name}.{k} replaced (a helper of the tests)")
        return found


_MISSING = object()
_CELL_ONLY_BUILTINS = {"get_ipython", "exit", "quit", "input", "display", "__IPYTHON__"}


class Guard:
    """The object the preamble binds in the user namespace (under a name chosen per submission)."""

    def __init__(self, key: bytes, snapshot: _Snapshot, user_ns: dict, publish):
        self._key, self._snap, self._ns, self._publish = key, snapshot, user_ns, publish
        self._pins: dict[str, tuple] = {}
        self._used: set[str] = set()

    def __repr__(self) -> str:
        return "<the grader's tamper guard>"

    def pin(self, names: list[str]) -> None:
        """Record the helpers a locked cell just defined (functions, classes, modules)."""
        if not self._called_from_cell():
            return
        for name in names:
            obj = self._ns.get(name, _MISSING)
            if isinstance(obj, types.FunctionType):
                self._pins[name] = (obj, obj.__code__, obj.__defaults__, obj.__kwdefaults__, None)
            elif isinstance(obj, type):
                self._pins[name] = (obj, None, None, None, _static(obj))
            elif isinstance(obj, types.ModuleType):
                self._pins[name] = (obj, None, None, None, None)

    def end(self, nonce: str, cell: str, names: list[str]) -> None:
        """The last line of a test cell: check, then publish the evidence that it got here."""
        data = self._record(nonce, cell, names)
        self._publish(data={MIME: data, "text/plain": "(grader evidence)"}, metadata={})

    def audit(self, nonce: str, cell: str, names: list[str]) -> str:
        """Evaluated by the worker after each test cell, passed or not, as a user expression of an
        execute request (no input transformer or cell event sees it): the same checks, as JSON, so
        that a cell that failed anyway still shows what was changed."""
        return json.dumps(self._record(nonce, cell, names, in_cell=False))

    def _record(self, nonce: str, cell: str, names: list[str], in_cell: bool = True) -> dict:
        if nonce in self._used:
            found = ["the guard was called twice for one cell"]
        elif not self._called_from_cell(nonce):
            found = ["the guard was called from outside the test cell"]
        else:
            found = self._snap.changes(set(names), self._pins, self._ns, in_cell)
        self._used.add(nonce)
        found = sorted(set(found))[:20]
        return {"nonce": nonce, "cell": cell, "tamper": found, "mac": mac(self._key, nonce, cell, found)}

    def _called_from_cell(self, nonce: str | None = None) -> bool:
        """Whether the first caller outside this module is the code the worker sent: the top level
        of a cell (or of a user expression) in the user namespace, holding the nonce."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals is globals():
            frame = frame.f_back
        if frame is None:
            return False
        ok = frame.f_code.co_name == "<module>" and frame.f_globals is self._ns
        return ok and (nonce is None or nonce in frame.f_code.co_consts)


def install(key: str, modules: list[str], classes: list[str], name: str) -> Guard:
    """Record the state the tests rely on and return the guard (the preamble binds it as `name`)."""
    from IPython import get_ipython

    shell = get_ipython()
    if "torch" in modules or any(m.startswith("torch.") for m in modules):
        classes = [*classes, "torch.Tensor", "torch.nn.Module"]
    snapshot = _Snapshot(shell, modules, classes)
    publish = shell.display_pub.publish
    guard = Guard(bytes.fromhex(key), snapshot, shell.user_ns, publish)
    # forget this module: a student's `import dlcourse.grading.guard` gets a copy with no key
    sys.modules.pop(__name__, None)
    package = sys.modules.get(__name__.rsplit(".", 1)[0])
    if package is not None and getattr(package, "guard", None) is not None:
        delattr(package, "guard")
    return guard
