"""Browser test: the widget gallery runs in a real JupyterLab, every widget draws a plot, dragging
each widget's slider changes its plot, and the page logs no errors.

Needs Debian's Chromium at /usr/bin/chromium (never `playwright install`). Without it the test
skips, unless DLCOURSE_REQUIRE_BROWSER=1 (CI), where it fails. Screenshots go to
artifacts/browser/ (DLCOURSE_ARTIFACTS overrides): one per widget on success, the page on failure.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "tests" / "browser" / "gallery.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("DLCOURSE_ARTIFACTS", ROOT / "artifacts")) / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Console errors that say nothing about our widgets, each with a comment on why it is safe to
# ignore. None is needed today: with the settings below, a clean run logs no error at all.
BENIGN_ERRORS: list[re.Pattern] = []

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


# n plots, each with its traces (a plot div can exist before its data arrives)
PLOTS_DRAWN = """n => Array.from(document.querySelectorAll('.jp-OutputArea .js-plotly-plot'))
    .filter(plot => plot.data && plot.data.length > 0).length >= n"""


def _require_browser():
    reason = None
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright (python) is not installed"
    if reason:
        if os.environ.get("DLCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and DLCOURSE_REQUIRE_BROWSER=1")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a temporary copy of the gallery notebook."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / "gallery.ipynb")
    config = tmp / "jupyter-config"
    for name, settings in USER_SETTINGS.items():
        path = config / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    token, port = secrets.token_hex(16), _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime")}
    log_path = tmp / "server.log"
    log = open(log_path, "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.expose_app_in_browser=True"],  # window.jupyterapp: to see the kernel is ready
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail("JupyterLab exited:\n" + log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 60 s")
                time.sleep(0.3)
        yield url, token, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _gallery_names() -> list[str]:
    """The widgets the gallery notebook shows, one per code cell, in order."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return [re.search(r'GALLERY\["([^"]+)"\]', "".join(cell["source"])).group(1)
            for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _plot_hash(cell) -> str:
    svg = cell.locator(".js-plotly-plot").first.evaluate(
        "el => Array.from(el.querySelectorAll('svg.main-svg')).map(s => s.innerHTML).join('')")
    return hashlib.sha1(svg.encode()).hexdigest()


def _drag(page, cell) -> None:
    """Drag the cell's first slider handle with the mouse far along its track: to 85% of it, or
    to 15% when the handle starts in the right half."""
    track = cell.locator(".widget-slider .noUi-target").first.bounding_box()
    handle = cell.locator(".widget-slider .noUi-handle").first.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    fraction = 0.85 if x < track["x"] + track["width"] / 2 else 0.15
    # Few steps: a slider with continuous_update redraws at each, and redraws queue up.
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=4)
    page.mouse.up()


def _redraws_when_dragged(page, cell, timeout: float = 30) -> bool:
    before = _plot_hash(cell)
    _drag(page, cell)
    deadline = time.monotonic() + timeout
    while _plot_hash(cell) == before:
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(200)
    return True


def test_gallery_widgets_render_and_respond(lab):
    from playwright.sync_api import sync_playwright

    url, token, log_path = lab
    names = _gallery_names()
    n = len(names)
    errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: m.type == "error" and errors.append(
            f"console: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        try:
            page.goto(f"{url}/lab/tree/gallery.ipynb?token={token}")
            page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=60_000)
            # Code sent while the kernel still starts is lost, so wait until it is connected.
            page.wait_for_function(KERNEL_READY, timeout=60_000)
            cells = page.locator(".jp-CodeCell")
            assert cells.count() == n
            # Run the cells one by one with the keyboard, each once the previous plot is drawn:
            # anywidget gives each widget's JavaScript 2 s to start, which a dozen widgets
            # starting at once on a busy CI machine can exceed. The first cell waits longest
            # (kernel imports, plotly's JavaScript).
            for i, name in enumerate(names):
                cells.nth(i).locator(".jp-InputArea-editor").click()
                page.keyboard.press("Control+Enter")
                wait_ms = 120_000 if i == 0 else 60_000
                page.wait_for_function(PLOTS_DRAWN, arg=i + 1, timeout=wait_ms)
            for i, name in enumerate(names):
                cell = cells.nth(i)
                cell.scroll_into_view_if_needed()
                assert cell.locator(".js-plotly-plot").count() == 1, name
                assert cell.locator(".widget-slider .noUi-handle").count(), f"{name}: no slider"
                # On a heavily loaded machine a redraw now and then never reaches the plot (the
                # status line under it does update): a second drag tells that from a dead widget.
                if not _redraws_when_dragged(page, cell):
                    warnings.warn(f"{name}: the first drag did not redraw the plot; dragging again")
                    assert _redraws_when_dragged(page, cell), (
                        f"{name}: dragging its slider changed nothing; browser errors: {errors}")
                page.wait_for_timeout(300)  # let plotly finish its redraw before the picture
                cell.locator(".jp-OutputArea").screenshot(path=ARTIFACTS / f"{name}.png")
        except Exception:
            page.screenshot(path=ARTIFACTS / "failure.png")
            print("JupyterLab's log, last lines:\n" + log_path.read_text()[-4000:])
            raise
        finally:
            browser.close()
    unexplained = [e for e in errors if not any(p.search(e) for p in BENIGN_ERRORS)]
    assert not unexplained, "errors in the browser console:\n" + "\n".join(unexplained)
