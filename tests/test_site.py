"""The course website, built from the executed notebooks and checked in a real browser.

`make site` (ci/build_site.py) builds it with Sphinx from the quick-mode copies the notebook tests
leave in artifacts/notebooks/; a build that fails or warns fails this test. The site is then
served on 127.0.0.1 and Debian's Chromium (Playwright) opens every page: each lesson's figures
drawn (as many as the build wrote), its maths typeset by MathJax, no console error, no request
leaving the site; every link inside the site answers (no 404); the Chinese renders with the CJK
font. A screenshot of each lesson page goes to artifacts/site/screenshots/, and the numbers to
artifacts/site/browser.json.

In a whole-suite run this test is collected last and waits until every notebook test of the
session has written its outcome; alone, it builds from the executed copies already there.
Without Chromium it skips, unless DLCOURSE_REQUIRE_BROWSER=1 (CI), where it fails.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ci import build_site
from ci.bench_widgets import CHROMIUM, CHROMIUM_ARGS
from dlcourse import catalog

pytestmark = [pytest.mark.website]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "artifacts" / "notebooks"
OUT = Path(os.environ.get("DLCOURSE_ARTIFACTS", ROOT / "artifacts")) / "site"
CJK_FONT = "Noto Sans CJK SC"
NOTEBOOK_WAIT = 1800   # s: the longest a whole-suite run waits for the notebook tests to end


def _wait_for_notebooks(session) -> None:
    """When this session executes the notebooks, wait until each has written its outcome."""
    running = {item.callspec.params["entry"].id for item in session.items
               if "test_notebook_executes" in item.name and hasattr(item, "callspec")}
    deadline = time.monotonic() + NOTEBOOK_WAIT
    while running:
        done = {p.stem for p in (NOTEBOOKS / "outcomes").glob("*.json")}
        if running <= done:
            return
        assert time.monotonic() < deadline, f"notebooks still running: {sorted(running - done)}"
        time.sleep(2)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):   # quiet; the statuses are kept in `served`
        pass

    def log_request(self, code="-", size="-"):
        self.server.served.append((self.path, int(code) if str(code).isdigit() else 0))


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):   # a page left before a file was sent
        pass


@pytest.fixture(scope="module")
def site(request, require_browser):
    require_browser("myst_nb", "sphinx_book_theme", install=": pip install -e '.[site]'")
    _wait_for_notebooks(request.session)
    missing = [e.id for e in catalog.load().ready if not (NOTEBOOKS / e.path).is_file()]
    if missing:
        message = f"no executed notebook for {', '.join(missing)}: run `make quick` first"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    jobs = "2" if (os.cpu_count() or 1) > 1 else "1"
    manifest = build_site.build(NOTEBOOKS, OUT, jobs=jobs)
    server = _Server(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(OUT / "html")))
    server.served = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield manifest, f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()


MATH_DONE = """() => new Promise(done => {
    if (!document.querySelector('script[src*="mathjax"]')) return done('none');   // no maths here
    let tries = 600;   // 60 s
    const wait = () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise)
            MathJax.startup.promise.then(() => done('ok'), e => done('error: ' + e));
        else if (--tries > 0) setTimeout(wait, 100);
        else done('no MathJax');
    };
    wait();
})"""

MATH_STATE = """() => {
    const nodes = Array.from(document.querySelectorAll('span.math.notranslate, div.math.notranslate'));
    const raw = nodes.filter(n => !n.querySelector('mjx-container'));
    return {total: nodes.length, raw: raw.slice(0, 3).map(n => n.textContent.slice(0, 80)),
            unset: raw.length, errors: document.querySelectorAll('mjx-merror').length};
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"""


def _platform_fonts(page, cdp, selector: str) -> list[str]:
    """The fonts Chromium really drew the element's text with (DevTools' platform fonts)."""
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    if not node:
        return []
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts]


def check(manifest: dict, base: str, served: list) -> tuple[dict, list[str]]:
    """Open every page of the site served at `base` in Chromium; returns the numbers and the
    problems found."""
    from playwright.sync_api import sync_playwright

    lessons = manifest["lessons"]
    assert lessons, "the site has no lesson page"
    pages = [(lesson["page"], lesson["figures"], lesson["id"]) for lesson in lessons]
    pages += [(p, None, p) for p in ("index.html", "map.html", "glossary.html", "search.html",
                                     *[f"levels/{lv}.html" for lv in catalog.load().levels])]
    problems, errors, outside, links = [], [], [], set()
    report = {"pages": 0, "lesson_pages": 0, "figures_expected": 0, "figures_drawn": 0,
              "maths": 0, "console_errors": 0, "links_checked": 0}
    shots = OUT / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        current = {"url": ""}
        page.on("console", lambda m: m.type == "error" and errors.append(f"{current['url']}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{current['url']}: {e}"))

        def route(r):
            if r.request.url.startswith(base):
                return r.continue_()
            outside.append(f"{current['url']}: {r.request.url}")
            return r.abort()
        page.route("**/*", route)
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        try:
            for path, expected, name in pages:
                current["url"] = path
                started = time.monotonic()
                response = page.goto(f"{base}/{path}", wait_until="load")
                if response is None or response.status != 200:
                    problems.append(f"{path}: HTTP {response and response.status}")
                    continue
                report["pages"] += 1
                math_loaded = page.evaluate(MATH_DONE) in ("ok", "none")
                math = page.evaluate(MATH_STATE)
                if math["total"] and not math_loaded:
                    problems.append(f"{path}: MathJax did not load")
                report["maths"] += math["total"]
                if math["unset"] or math["errors"]:
                    problems.append(f"{path}: {math['unset']} of {math['total']} formulas not typeset "
                                    f"({math['raw']}), {math['errors']} MathJax errors")
                if expected is not None:
                    report["lesson_pages"] += 1
                    report["figures_expected"] += expected
                    try:
                        page.wait_for_function(
                            f"() => window.dlcFigures && window.dlcFigures.drawn"
                            f" + window.dlcFigures.failed.length >= {expected}", timeout=60_000)
                    except Exception:
                        pass
                    state = page.evaluate("() => window.dlcFigures")
                    svgs = page.locator(".plotly-graph-div .main-svg").count()
                    report["figures_drawn"] += state["drawn"]
                    if state["drawn"] != expected or state["failed"] or svgs < expected:
                        problems.append(f"{path}: {state['drawn']} of {expected} figures drawn, "
                                        f"{svgs} on the page, failed: {state['failed'][:3]}")
                    page.screenshot(path=shots / f"{name}.png")
                    explorer = page.locator(".dlc-explorer").first
                    if explorer.count():
                        explorer.scroll_into_view_if_needed()
                        explorer.screenshot(path=shots / f"{name}-explorer.png")
                    fonts = _platform_fonts(page, cdp, "article h1")
                    title = page.locator("article h1").first.inner_text()
                    if re.search(r"[\u4e00-\u9fff]", title) and not any(CJK_FONT in f for f in fonts):
                        problems.append(f"{path}: the title's Chinese is drawn with {fonts}, "
                                        f"not {CJK_FONT}")
                links.update(u for u in page.evaluate(LINKS) if u.startswith(base))
                report.setdefault("seconds", {})[path] = round(time.monotonic() - started, 1)
            current["url"] = "glossary.html"
            page.goto(f"{base}/glossary.html")
            fonts = _platform_fonts(page, cdp, "table td:nth-child(2) strong")
            if not any(CJK_FONT in f for f in fonts):
                problems.append(f"glossary: its Chinese terms are drawn with {fonts}, not {CJK_FONT}")
            # full-text search: a word of the lesson prose finds lesson pages, in either language; 注意力
            # (attention) stands in the text only inside longer terms (自注意力, 注意力机制), so this
            # needs the Chinese cut into words
            for query, lesson in (("gradient", "L1.04"), ("注意力", "L3.09")):
                current["url"] = f"search.html?q={query}"
                page.goto(f"{base}/search.html?q={urllib.parse.quote(query)}")
                try:
                    page.wait_for_function("lesson => [...document.querySelectorAll('#search-results li a')]"
                                           ".some(a => a.href.includes(lesson))", arg=lesson, timeout=30_000)
                except Exception:
                    problems.append(f"search: {query!r} did not find {lesson}")
                page.screenshot(path=shots / f"search-{lesson}.png")
        except Exception:
            page.screenshot(path=shots / "failure.png")
            raise
        finally:
            browser.close()
    # every link inside the site answers
    for url in sorted(links):
        target = urllib.parse.urldefrag(url)[0]
        try:
            with urllib.request.urlopen(target, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            problems.append(f"link {url}: HTTP {status}")
    report["links_checked"] = len(links)
    not_found = sorted({path for path, code in served if code == 404})
    problems += [f"not found in the site: {path}" for path in not_found]
    report["console_errors"] = len(errors)
    report["requests_outside"] = len(outside)
    report["build_seconds"] = manifest["seconds"]
    report["site_pages"] = manifest["pages"]
    problems += [f"request leaving the site: {u}" for u in outside[:20]]
    problems += [f"console error: {e}" for e in errors[:20]]
    return report, problems


def test_site_builds_and_every_page_renders_in_chromium(site):
    manifest, base, server = site
    report, problems = check(manifest, base, server.served)
    (OUT / "browser.json").write_text(json.dumps(report, indent=1))
    print(f"site: {report}")
    assert not problems, "\n".join(problems)
