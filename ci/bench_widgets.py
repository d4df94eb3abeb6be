"""Browser benchmark of the widgets: JupyterLab on 127.0.0.1, Debian's Chromium, Playwright.

    python ci/bench_widgets.py [--label after] [--seconds 8] [--json out.json] [--markdown md]
                               [--pythonpath DIR] [--no-tf] [--only NAME ...]
    python ci/bench_widgets.py --json docs/widget-benchmark.json --markdown \
                               docs/widget-benchmark.md --table-only   # the table again, no run

It opens the widget gallery (tests/browser/gallery.ipynb), runs it with *Run All* and measures, for
every widget:
- **first render**: seconds from *Run All* to the first frame of its picture (a plotly plot, or a
  canvas drawn into);
- **redraws/s**: animation frames in which its picture changed, while its first slider is moved
  one step at a time with the keyboard (the next step once the last one has been drawn, or after
  2 s), or, for the playground, while ▶ runs;
- **bytes/frame**: what the kernel's websocket brought in that time, per redraw;
- **long tasks**: the main thread's tasks over 50 ms in that time (count, and share of the time).
The playground is also measured with 6 hidden layers × 8 neurons, with its training steps per
second, and TensorFlow Playground (the unmodified build in ../shared/anchors/tf-playground) in the
same browser, counted the same way (animation frames in which a canvas of its main heatmap was
drawn, epochs of 25 steps from its counter). The machine's load average goes with every table.

`--pythonpath DIR` puts DIR first on the kernel's path: with a copy of an older dlcourse there
(`git archive`), the same run measures the older widgets. tests/test_browser.py reuses `lab()`,
`launch()` and the page instrumentation below.
"""
from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "tests" / "browser" / "gallery.ipynb"
TF_PLAYGROUND = ROOT.parent / "shared" / "anchors" / "tf-playground"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Lab settings for a quiet, deterministic session: no news or update checks (the network is
# closed), the notebook's kernel started without asking, and every cell kept in the DOM (no
# windowing) so each plot renders without scrolling.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"windowingMode": "none", "autoStartDefaultKernel": True},
}

KERNEL_READY = """() => {
    const kernel = window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel;
    return kernel?.connectionStatus === 'connected' && kernel?.status === 'idle';
}"""

# Installed before any page script runs. It counts, per notebook cell (its index among the code
# cells; -1 outside a notebook):
#   frames[i]   animation frames in which cell i's picture changed: a DOM change inside a plotly
#               plot, or a draw call on a canvas (putImageData, drawImage);
#   first[i]    ms from __bench.t0 to the first such frame;
# and, for the page: bytes and messages received over websockets, and long tasks (> 50 ms).
INSTRUMENT = r"""
(() => {
  const B = window.__bench = {t0: performance.now(), frames: {}, first: {}, dirty: new Set(),
                              wsBytes: 0, wsMsgs: 0, longtasks: [], canvasSelector: null};
  const cellIndex = new WeakMap();
  const cellOf = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    if (!el) return null;
    if (B.canvasSelector) return el.closest(B.canvasSelector) ? -1 : null;
    const cell = el.closest('.jp-CodeCell');
    if (!cell) return null;
    let i = cellIndex.get(cell);
    if (i === undefined) {
      i = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).indexOf(cell);
      cellIndex.set(cell, i);
    }
    return i;
  };
  // Counted once per animation frame, with a frame requested only when something was drawn:
  // a page that draws nothing runs no animation frames for the benchmark's sake.
  let pending = false;
  const flush = () => {
    pending = false;
    const now = performance.now();
    for (const i of B.dirty) {
      B.frames[i] = (B.frames[i] || 0) + 1;
      if (!(i in B.first)) B.first[i] = now - B.t0;
    }
    B.dirty.clear();
  };
  const mark = (node) => {
    const i = cellOf(node);
    if (i === null) return;
    B.dirty.add(i);
    if (!pending) { pending = true; requestAnimationFrame(flush); }
  };
  for (const name of ['putImageData', 'drawImage']) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      if (this.canvas.isConnected) mark(this.canvas);
      return original.apply(this, args);
    };
  }
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (el && el.closest('.js-plotly-plot')) mark(el);
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = e.data;
        B.wsBytes += typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
        B.wsMsgs += 1;
      });
    }
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no long-task timing in this browser */ }
})();
"""

SNAPSHOT = """() => { const B = window.__bench;
    return {now: performance.now(), frames: {...B.frames}, wsBytes: B.wsBytes, wsMsgs: B.wsMsgs,
            longtasks: B.longtasks.length}; }"""


# ------------------------------------------------------------------------------------------ lab
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab(notebooks: list[Path], pythonpath: str | None = None, workdir: Path | None = None):
    """A JupyterLab server on 127.0.0.1 serving copies of `notebooks`; yields (url, token, log).
    With `pythonpath`, its kernels import dlcourse from there first."""
    tmp = Path(workdir or tempfile.mkdtemp(prefix="dlcourse-lab-"))
    root = tmp / "notebooks"
    root.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        shutil.copy(notebook, root / notebook.name)
    config = tmp / "jupyter-config"
    for name, settings in USER_SETTINGS.items():
        path = config / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    token, port = secrets.token_hex(16), _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime")}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
             f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.expose_app_in_browser=True"],  # window.jupyterapp: kernel state, commands
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError("JupyterLab exited:\n" + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab did not answer within 60 s") from None
                    time.sleep(0.3)
            yield url, token, log_path
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def launch(playwright, viewport=(1400, 1000)):
    """Debian's Chromium, headless, and a page instrumented with INSTRUMENT."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.add_init_script(INSTRUMENT)
    return browser, page


def open_notebook(page, url: str, token: str, name: str, timeout_ms: int = 240_000):
    """Open a notebook and wait until its kernel is connected and idle: code sent while the
    kernel still starts is lost. Returns the locator of its code cells."""
    page.goto(f"{url}/lab/tree/{name}?token={token}")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=timeout_ms)
    page.wait_for_function(KERNEL_READY, timeout=timeout_ms)
    return page.locator(".jp-Notebook .jp-CodeCell")


def run_all(page) -> None:
    """Run All, as from the Run menu; __bench.t0 is reset to now."""
    page.evaluate("""() => { window.__bench.t0 = performance.now();
        window.__bench.first = {}; window.__bench.frames = {};
        window.jupyterapp.commands.execute('notebook:run-all-cells'); }""")


def kernel_exec(page, code: str, timeout_ms: int = 120_000) -> str:
    """Run code in the notebook's kernel (no cell), returning what it printed."""
    return page.evaluate("""async ([code, timeout]) => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const future = kernel.requestExecute({code, store_history: false});
        let out = '';
        future.onIOPub = (msg) => {
            if (msg.header.msg_type === 'stream') out += msg.content.text;
            const c = msg.content;
            if (msg.header.msg_type === 'error') out += `${c.ename}: ${c.evalue}`;
        };
        await Promise.race([future.done, new Promise((_, no) => setTimeout(
            () => no(new Error('kernel did not answer')), timeout))]);
        return out; }""", [code, timeout_ms])


def gallery_names(notebook: Path = GALLERY) -> list[str]:
    """The widgets the gallery notebook shows, one per code cell, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [re.search(r'GALLERY\["([^"]+)"\]', "".join(c["source"])).group(1)
            for c in cells if c["cell_type"] == "code"]


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# ------------------------------------------------------------------------------- measurements
def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by this benchmark's kernels, JupyterLab server and Chromium (its
    renderer, the page's process, apart)."""
    import psutil
    totals = {"kernel": 0.0, "server": 0.0, "renderer": 0.0, "browser": 0.0}
    for p in psutil.Process().children(recursive=True):
        try:
            cmd, t = p.cmdline(), p.cpu_times()
        except psutil.Error:
            continue
        line = " ".join(cmd)
        group = ("kernel" if "ipykernel" in line
                 else "renderer" if "chromium" in line and "--type=renderer" in cmd
                 else "browser" if "chromium" in line
                 else "server" if "jupyter" in line and "lab" in line else None)
        if group:
            totals[group] += t.user + t.system
    return totals


def window(page, seconds: float, cell: int, during=None) -> dict:
    """Redraws/s of `cell`, bytes per redraw and long tasks over `seconds`, calling `during()`
    repeatedly in that time when given (it drives a control); and the CPU time each process
    spent per redraw, which says more than a rate on a machine shared with others."""
    cpu0 = cpu_seconds()
    a = page.evaluate(SNAPSHOT)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if during:
            during(deadline)
        else:
            page.wait_for_timeout(200)
    b = page.evaluate(SNAPSHOT)
    cpu1 = cpu_seconds()
    span = (b["now"] - a["now"]) / 1000
    frames = b["frames"].get(str(cell), 0) - a["frames"].get(str(cell), 0)
    tasks = page.evaluate("""([t0, t1]) => window.__bench.longtasks
        .filter(([s, d]) => s >= t0 && s < t1).map(([s, d]) => d)""", [a["now"], b["now"]])
    return {"seconds": round(span, 2), "frames": frames, "redraws_per_s": round(frames / span, 1),
            "bytes_per_frame": round((b["wsBytes"] - a["wsBytes"]) / max(frames, 1)),
            "messages_per_s": round((b["wsMsgs"] - a["wsMsgs"]) / span, 1),
            "long_tasks": len(tasks), "long_task_share": round(sum(tasks) / 1000 / span, 3),
            "cpu_ms_per_frame": {k: round((cpu1[k] - cpu0[k]) * 1000 / max(frames, 1), 1)
                                 for k in cpu0}}


def drive_slider(page, cell_locator, cell: int):
    """A `during` callback: one keyboard step of the cell's first slider, then wait until the
    picture has redrawn (at most 2 s). Steps right until the end of the track, then left."""
    handle = cell_locator.locator(".widget-slider .noUi-handle").first
    state = {"key": "ArrowRight"}

    def step(deadline):
        frames = page.evaluate(f"() => window.__bench.frames[{cell}] || 0")
        before = handle.get_attribute("aria-valuenow")
        handle.focus()
        page.keyboard.press(state["key"])
        if handle.get_attribute("aria-valuenow") == before:   # the end of the track: turn
            state["key"] = "ArrowLeft" if state["key"] == "ArrowRight" else "ArrowRight"
            page.keyboard.press(state["key"])
        limit = min(deadline, time.monotonic() + 2)
        while time.monotonic() < limit:
            if page.evaluate(f"() => window.__bench.frames[{cell}] || 0") > frames:
                break
            page.wait_for_timeout(5)
    return step


def wait_first_renders(page, n: int, timeout_s: float) -> dict[int, float]:
    """Seconds from Run All to the first frame of each code cell's picture (None: never)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        first = page.evaluate("() => window.__bench.first")
        if len(first) >= n and page.evaluate(KERNEL_READY):
            break
        page.wait_for_timeout(250)
    first = page.evaluate("() => window.__bench.first")
    return {i: round(first[str(i)] / 1000, 2) if str(i) in first else None for i in range(n)}


def playground_steps(page, cell_locator) -> int:
    """The training step the playground's picture shows ("step 1,234")."""
    text = cell_locator.locator(".jp-OutputArea").inner_text()
    found = re.findall(r"step ([\d,]+)", text)
    return int(found[0].replace(",", "")) if found else 0


def press_play(cell_locator) -> None:
    """▶ of the playground: the new canvas widget's button, or the old ipywidgets Play."""
    new = cell_locator.locator("[data-dlc-play]")
    if new.count():
        new.first.click()
    else:
        cell_locator.locator(".widget-play button").first.click()


def measure_playground(page, cells, index: int, seconds: float, label: str) -> dict:
    cell = cells.nth(index)
    cell.scroll_into_view_if_needed()
    steps0, t0 = playground_steps(page, cell), time.monotonic()
    press_play(cell)
    page.wait_for_timeout(1500)          # the first frames: the kernel and browser warm up
    steps1, t1 = playground_steps(page, cell), time.monotonic()
    result = window(page, seconds, index)
    steps2, t2 = playground_steps(page, cell), time.monotonic()
    press_play(cell)                     # pause
    page.wait_for_timeout(500)
    result["steps_per_s"] = round((steps2 - steps1) / (t2 - t1), 1)
    result["network"] = label
    result["load"] = load()
    del steps0, t0
    return result


def set_playground(page, code: str) -> None:
    out = kernel_exec(page, "_pg = [v for v in Out.values() if type(v).__name__ == 'Playground']"
                            f"[-1]\n{code}\nprint('ok')")
    if "ok" not in out:
        raise RuntimeError(f"could not set the playground: {out}")


def measure_tf(playwright, seconds: float) -> list[dict]:
    """TensorFlow Playground's build served on 127.0.0.1, its network picked by the URL hash."""
    if not (TF_PLAYGROUND / "index.html").exists():
        return []
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(TF_PLAYGROUND))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    results = []
    try:
        for label, hash_ in (("default 4-2", ""), ("6 × 8", "#networkShape=8,8,8,8,8,8")):
            browser, page = launch(playwright)
            page.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
            page.goto(base + hash_)
            page.evaluate("() => { window.__bench.canvasSelector = '#heatmap'; }")
            page.locator("#play-pause-button").click()
            page.wait_for_timeout(1500)
            epoch = lambda: int(page.locator("#iter-number").inner_text().replace(",", ""))  # noqa
            e1, t1 = epoch(), time.monotonic()
            r = window(page, seconds, -1)
            e2, t2 = epoch(), time.monotonic()
            r.update(network=label, epochs_per_s=round((e2 - e1) / (t2 - t1), 1),
                     steps_per_s=round(25 * (e2 - e1) / (t2 - t1), 1), load=load())
            results.append(r)
            browser.close()
    finally:
        server.shutdown()
    return results


def rerun(page, cell, i: int) -> None:
    """Run one cell alone (Ctrl+Enter) and wait until its picture has drawn again."""
    frames = page.evaluate(f"() => window.__bench.frames[{i}] || 0")
    page.evaluate(f"() => {{ delete window.__bench.first[{i}]; }}")
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(f"() => {i} in window.__bench.first && "
                           f"(window.__bench.frames[{i}] || 0) > {frames}", timeout=180_000)
    page.wait_for_function(KERNEL_READY, timeout=180_000)
    page.wait_for_timeout(1000)


def measure_widget(page, cells, i: int, name: str, seconds: float, out: dict) -> dict:
    """Redraws while a control is driven (▶ for the playground, also with 6 × 8 neurons)."""
    cell = cells.nth(i)
    if name == "Playground":
        default = measure_playground(page, cells, i, seconds, "default 4-2")
        set_playground(page, "_pg.set(hidden=(8,) * 6)")
        page.wait_for_timeout(1000)
        big = measure_playground(page, cells, i, seconds, "6 × 8")
        set_playground(page, "_pg.set(hidden=(4, 2))")
        out["playground"] = [default, big]
        return dict(default)
    if cell.locator(".widget-slider .noUi-handle").count():
        return window(page, seconds, i, drive_slider(page, cell, i))
    return {}


def measure_gallery(playwright, seconds: float, pythonpath: str | None, only: list[str],
                    timeout_s: float = 240) -> dict:
    names = gallery_names()
    out = {"widgets": {}, "playground": []}
    with lab([GALLERY], pythonpath) as (url, token, log_path):
        browser, page = launch(playwright)
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        try:
            cells = open_notebook(page, url, token, GALLERY.name)
            started = time.monotonic()
            run_all(page)
            first = wait_first_renders(page, len(names), timeout_s)
            out["run_all_s"] = round(time.monotonic() - started, 1)
            out["load_run_all"] = load()
            for i, name in enumerate(names):
                if only and name not in only:
                    continue
                cell = cells.nth(i)
                cell.scroll_into_view_if_needed()
                row = {"first_render_s": first[i], "load": load()}
                if first[i] is None:         # lost on Run All: run the cell alone to measure it
                    rerun(page, cell, i)
                row.update(measure_widget(page, cells, i, name, seconds, out))
                if row.get("frames") == 0:   # frozen after Run All: measure it alone too
                    row["frozen_after_run_all"] = True
                    rerun(page, cell, i)
                    alone = measure_widget(page, cells, i, name, seconds, out)
                    row["alone"] = {k: alone[k] for k in ("redraws_per_s", "bytes_per_frame",
                                                           "long_tasks", "long_task_share",
                                                           "steps_per_s") if k in alone}
                    for p in out["playground"] if name == "Playground" else []:
                        p["network"] += " (cell run alone: frozen after Run All)"
                out["widgets"][name] = row
                print(f"  {name}: {row}", flush=True)
        finally:
            out["console_errors"] = errors[:20]
            browser.close()
    return out


# ----------------------------------------------------------------------------------- the table
HEADER = """# Widgets in the browser: the benchmark

Written by `python ci/bench_widgets.py --json docs/widget-benchmark.json --markdown
docs/widget-benchmark.md --label NAME` (each run adds a section). JupyterLab on 127.0.0.1 and
Debian's headless Chromium (Playwright), on the course's 2-core machine, which other work shares:
each row states the load average (1, 5, 15 min) when it was measured, and the CPU time each
process spent per frame, which depends far less on that load than a rate does.

- **first render**: seconds from *Run All* of the widget gallery (tests/browser/gallery.ipynb) to
  the first frame of the widget's picture.
- **redraws/s**: animation frames in which the picture changed, while its first slider is moved
  one keyboard step at a time (the next step once the last one is drawn, or after 2 s), or, for
  the playground, while ▶ runs. "0 (frozen)" means the picture never changed again after Run
  All; the widget was then run alone and measured again.
- **bytes/frame**: what the kernel's websocket brought in that time, per redraw.
- **long tasks**: tasks over 50 ms on the page's main thread in that time, and their share of it.
- **TF Playground**: the unmodified build of tensorflow/playground (../shared/anchors), in the
  same browser, counted the same way (frames in which a canvas of its main heatmap was drawn;
  an epoch is 25 steps).

The playground's bars: at least TensorFlow Playground's pace on this machine, ≥ 55 redraws/s
with the default network, ≥ 13 with 6 hidden layers × 8 neurons, ≥ 1,000 training steps/s with
the default network; every widget drawn on the first *Run All*.
"""


def _cpu(p: dict) -> str:
    c = p.get("cpu_ms_per_frame")
    return " / ".join(str(c[k]) for k in ("kernel", "server", "renderer", "browser")) if c else "—"


def _rate(w: dict) -> str:
    if w.get("frozen_after_run_all"):
        return f"0 (frozen); alone: {w['alone']['redraws_per_s']}"
    return str(w.get("redraws_per_s", "—"))


def _first(w: dict) -> str:
    return "never" if w["first_render_s"] is None else str(w["first_render_s"])


def comparison(results: dict) -> list[str]:
    """One table, the runs side by side: first render and redraws/s of each widget, then the
    playground's redraws/s and steps/s beside TensorFlow Playground's."""
    labels = list(results)
    lines = ["## Side by side", "",
             "| widget | " + " | ".join(f"{label}: first render (s) | {label}: redraws/s"
                                      for label in labels) + " |",
             "|---|" + "---|---|" * len(labels)]
    names = list(dict.fromkeys(n for r in results.values() for n in r["gallery"]["widgets"]))
    for name in names:
        cells = []
        for label in labels:
            w = results[label]["gallery"]["widgets"].get(name)
            cells += [_first(w), _rate(w)] if w else ["—", "—"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| ▶ | " + " | ".join(f"{label}: redraws/s, steps/s (load)" for label in labels)
              + " |", "|---|" + "---|" * len(labels)]
    for i, network in enumerate(("default 4-2", "6 × 8")):
        for who, key in (("playground", "playground"), ("TF Playground", "tf")):
            cells = []
            for label in labels:
                rows = results[label]["gallery"]["playground"] if key == "playground" \
                    else results[label].get("tf", [])
                p = rows[i] if len(rows) > i else None
                cells.append(f"{p['redraws_per_s']}, {p['steps_per_s']} ({p['load'].split()[0]})"
                             if p else "—")
            lines.append(f"| {who}, {network} | " + " | ".join(cells) + " |")
    return lines + [""]


def markdown(results: dict) -> str:
    lines = [HEADER] + (comparison(results) if len(results) > 1 else [])
    for label, r in results.items():
        g = r["gallery"]
        lines += [f"## {label}", "",
                  f"{r['when']} · Run All of the gallery took {g['run_all_s']} s (load "
                  f"{g['load_run_all']}) · {r['cpus']} CPUs", "",
                  "| widget | first render after Run All (s) | redraws/s | bytes/frame | "
                  "long tasks (share of time) | load |", "|---|---|---|---|---|---|"]
        for name, w in g["widgets"].items():
            lines.append(f"| {name} | {_first(w)} | {_rate(w)} | {w.get('bytes_per_frame', '—')} | "
                         f"{w.get('long_tasks', '—')} ({w.get('long_task_share', 0):.0%}) | "
                         f"{w['load']} |")
        lines += ["", "| playground, ▶ | redraws/s | training steps/s | bytes/frame | long tasks "
                  "(share) | CPU ms per frame: kernel / server / renderer / rest of Chromium | "
                  "load |", "|---|---|---|---|---|---|---|"]
        for p in g["playground"] + [dict(t, network=f"TF Playground, {t['network']}")
                                    for t in r.get("tf", [])]:
            lines.append(f"| {p['network']} | {p['redraws_per_s']} | {p['steps_per_s']} | "
                         f"{p['bytes_per_frame']} | {p['long_tasks']} "
                         f"({p['long_task_share']:.0%}) | {_cpu(p)} | {p['load']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", default="current")
    parser.add_argument("--seconds", type=float, default=8.0, help="each measuring window")
    parser.add_argument("--pythonpath", help="import dlcourse from here first (an older copy)")
    parser.add_argument("--json", type=Path, help="add this run to a JSON file of runs")
    parser.add_argument("--markdown", type=Path, help="write the table of every run in --json")
    parser.add_argument("--no-tf", action="store_true", help="skip TensorFlow Playground")
    parser.add_argument("--only", nargs="*", default=[], help="measure only these widgets")
    parser.add_argument("--table-only", action="store_true",
                        help="measure nothing: write --markdown from the runs in --json")
    args = parser.parse_args()
    if args.table_only:
        if not (args.json and args.markdown):
            parser.error("--table-only needs --json and --markdown")
        args.markdown.write_text(markdown(json.loads(args.json.read_text())))
        return 0
    from playwright.sync_api import sync_playwright

    result = {"when": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count()}
    print(f"load {load()}: gallery ({args.label})", flush=True)
    with sync_playwright() as p:
        result["gallery"] = measure_gallery(p, args.seconds, args.pythonpath, args.only)
        if not args.no_tf:
            print(f"load {load()}: TensorFlow Playground", flush=True)
            result["tf"] = measure_tf(p, args.seconds)
            for t in result["tf"]:
                print(f"  {t}", flush=True)
    runs = {}
    if args.json:
        if args.json.exists():
            runs = json.loads(args.json.read_text())
        runs[args.label] = result
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(runs, indent=1))
    if args.markdown:
        args.markdown.write_text(markdown(runs or {args.label: result}))
    print(markdown({args.label: result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
