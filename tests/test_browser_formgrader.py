"""Browser test: the written question of A01 is gradable by hand in nbgrader's formgrader, in
JupyterLab 4.

A temporary grading course (what `dlcourse grade` makes: A01 generated, one solved submission with
a written answer autograded), JupyterLab on 127.0.0.1 serving it (root_dir = the course, started in
it so that nbgrader's formgrader reads its nbgrader_config.py), and Debian's Chromium driven by
Playwright open `/lab?formgrader=true`: the URL route of nbgrader 0.9's lab extension
(`nbgrader:open-formgrader`), which shows the formgrader (`/formgrader`) in a panel's iframe. The
test checks that the panel lists A01-autograd, follows its submissions link and finds the student's
submission marked "needs manual grading", then opens it in the grading view (the written answer's
score box, 2 points); and that our pages log no console errors.

Needs /usr/bin/chromium (never `playwright install`). Without it the test skips, unless
DLCOURSE_REQUIRE_BROWSER=1, where it fails. Screenshots go to artifacts/browser/formgrader-*.png.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NAME = "A01-autograd"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("DLCOURSE_ARTIFACTS", ROOT / "artifacts")) / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Console errors that are not ours, each with why it is safe to ignore.
# Every one of them comes from the closed network of the test machine (nothing else is ignored):
BENIGN_ERRORS: list[re.Pattern] = [
    # The Colab badge in the title cell of every notebook (COURSE.md section 4) is an image on
    # colab.research.google.com: offline it does not load. An image; nothing depends on it.
    re.compile(r"net::ERR_NAME_NOT_RESOLVED \(https://colab\.research\.google\.com/assets/colab-badge\.svg\)"),
    # nbgrader 0.9's grading view (formgrade/index.html.j2) loads MathJax 2 from cdnjs, a URL its
    # template hard-codes; offline it does not load ...
    re.compile(r"net::ERR_NAME_NOT_RESOLVED \(https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/"),
    # ... and formgrade.js then stops in configureScrolling(), after loadGrades() and
    # loadComments(): the score boxes and buttons work (the test below saves a manual grade
    # through them); what is lost offline is LaTeX rendering and the keyboard shortcuts.
    re.compile(r"^pageerror: MathJax is not defined$"),
]

USER_SETTINGS = {  # no news or update checks: the network is closed
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory, require_browser):
    """A grading course with A01 generated and one solved submission autograded."""
    require_browser()
    pytest.importorskip("nbgrader")
    from dlcourse.grading import batch, course

    tmp = tmp_path_factory.mktemp("formgrader")
    source = course.read_nb(ROOT / course.SOURCE / NAME / f"{NAME}.ipynb")
    release = course.read_nb(ROOT / course.RELEASE / NAME / f"{NAME}.ipynb")
    course.write_nb(course.solved_release(source, release), tmp / "subs" / "alice.ipynb")
    run = batch.grade(batch.Options("A01", tmp / "subs", course=tmp / "course", jobs=1, timeout=60,
                                    echo=lambda s: None))
    assert run.graded == ["alice"] and run.row("alice").score == 10, run.table()
    return run.course


@pytest.fixture(scope="module")
def lab(graded_course, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formgrader-lab")
    config = tmp / "jupyter-config"
    for name, settings in USER_SETTINGS.items():
        path = config / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    token, port = secrets.token_hex(16), _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    log_path = tmp / "server.log"
    log = open(log_path, "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={graded_course}",
         f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=graded_course)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail("JupyterLab exited:\n" + log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 90 s")
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


def _wait_for_grade(course: Path, student: str, score: float, limit: float = 30) -> bool:
    from nbgrader.api import Gradebook

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcourse") as gb:
            sub = gb.find_submission(NAME, student)
            if sub.score == score and not sub.needs_manual_grade:
                return True
        time.sleep(0.5)
    return False


def test_formgrader_lists_the_assignment_and_the_submission_to_grade_by_hand(lab, graded_course):
    from playwright.sync_api import expect, sync_playwright

    url, token, log_path = lab
    errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: m.type == "error" and errors.append(
            f"console: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        try:
            page.goto(f"{url}/lab?token={token}&formgrader=true")
            panel = page.locator("#formgrader-iframe iframe")
            panel.wait_for(timeout=90_000)
            frame = page.frame_locator("#formgrader-iframe iframe")
            # Manage Assignments: the assignment, with its one submission
            row = frame.locator("tr", has_text=NAME).first
            expect(row).to_be_visible(timeout=60_000)
            expect(frame.locator("h1", has_text="Manage Assignments")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "formgrader-assignments.png")
            # its submissions: alice's needs manual grading (the written answer)
            row.locator(f"a[href*='manage_submissions/{NAME}']").first.click()
            student = frame.locator("tr", has_text="alice").first
            expect(student).to_be_visible(timeout=60_000)
            expect(student.locator(".label", has_text="needs manual grading")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "formgrader-submissions.png")
            # the gradebook: submission #1 of the notebook needs a manual grade; its grading view
            # has a score box for the written answer, out of 2 points
            inner = page.frame(url=re.compile(r"/formgrader/"))
            inner.goto(f"{url}/formgrader/gradebook/{NAME}/{NAME}")
            first = frame.locator("tr", has_text="Submission #1").first
            expect(first).to_be_visible(timeout=60_000)
            expect(first.locator(".glyphicon-ok")).to_have_count(1)
            first.locator("a", has_text="Submission #1").click()
            score = frame.locator("input.score#written_accumulation")
            expect(score).to_be_visible(timeout=60_000)
            cell = frame.locator(".nbgrader_cell", has=score)
            expect(cell).to_contain_text("/ 2")
            # grade it: full credit for the written answer, saved to the gradebook
            cell.locator("button.full-credit").click()
            expect(score).to_have_value("2", timeout=30_000)
            assert _wait_for_grade(graded_course, "alice", 12.0), "the manual grade was not saved"
            page.screenshot(path=ARTIFACTS / "formgrader-grade.png")
        except Exception:
            page.screenshot(path=ARTIFACTS / "formgrader-failure.png")
            print("JupyterLab's log, last lines:\n" + log_path.read_text()[-4000:])
            raise
        finally:
            browser.close()
    unexplained = [e for e in errors if not any(p.search(e) for p in BENIGN_ERRORS)]
    assert not unexplained, "errors in the browser console:\n" + "\n".join(unexplained)
