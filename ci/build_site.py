"""Build the course website from the executed notebooks: `make site`.

    python ci/build_site.py                               # from artifacts/notebooks (quick mode, CI)
    python ci/build_site.py --notebooks artifacts/full    # from a full-mode run, for a release

Sphinx with MyST-NB and the Sphinx Book Theme, all from PyPI (`pip install dlcourse[site]`): the
build needs no network. One page per lesson with its prose, maths (MathJax, served from the site
itself, MathJax 3), code and outputs; the course map, one page per level and the bilingual glossary are
generated from the catalog and the glossary files; Sphinx's own full-text search.

The notebooks are not executed again. Each executed copy is prepared first:
- a plotly figure's output (application/vnd.plotly.v1+json) becomes a static plotly.js figure;
  plotly.js itself is loaded once per page;
- an explorer's output (a widget view, which needs a kernel) becomes its figure as the notebook
  left it, read from the widget state the notebook saved, its controls' values, and a
  "run it live" note (Colab, or JupyterLab on a checkout); the widget state (several MB, plotly.js
  inside) is dropped;
- a header after the title gives the level, the prerequisites and the lessons that build on this
  one, as links, and the ways to run the lesson live;
- links to files outside the site (the package, assignments) point at the repository instead.
The site goes to artifacts/site/html (index.html); the prepared sources to artifacts/site/src.
"""
from __future__ import annotations

import argparse
import base64
import html
import json
import posixpath
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dlcourse import catalog as course_catalog  # noqa: E402
from dlcourse import glossary  # noqa: E402

HERE = Path(__file__).resolve().parent / "site"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLOTLY_JSON = "application/vnd.plotly.v1+json"
COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE = "_static/colab-badge.svg"   # the same badge, served by the site (no request outside it)
LOCAL_SERVER = re.compile(r"""<iframe[^>]+src=["']https?://(127\.0\.0\.1|localhost)[:/]""")
MAP_PAGE = "map"
GLOSSARY_PAGE = "glossary"


# ------------------------------------------------------------------ static figures

class Figures:
    """Numbers the static figures of one page, so their element ids are unique and stable."""

    def __init__(self, page: str):
        self.prefix = re.sub(r"[^A-Za-z0-9]+", "-", page).strip("-")
        self.count = 0

    def html(self, fig: dict) -> str:
        self.count += 1
        div = f"dlc-fig-{self.prefix}-{self.count}"
        layout = dict(fig.get("layout") or {})
        width = layout.pop("width", None)   # the figure fills the column, up to its own width
        layout["autosize"] = True
        style = f"width:100%;max-width:{int(width)}px;" if width else "width:100%;"
        if layout.get("height"):
            style += f"height:{int(layout['height'])}px;"
        data = json.dumps(fig.get("data") or [], separators=(",", ":"))
        lay = json.dumps(layout, separators=(",", ":"))
        config = json.dumps({"responsive": True, "displaylogo": False})
        return (f'<div class="dlc-figure"><div id="{div}" class="plotly-graph-div" style="{style}">'
                f'</div><script>window.dlcPlot("{div}",{data},{lay},{config});</script></div>')


def _put_buffers(state: dict, buffers: list[dict]) -> None:
    """Put the binary buffers a widget's saved state keeps apart back into it, as lists (numpy
    arrays the kernel sent as {dtype, shape, buffer})."""
    import numpy as np
    for buffer in buffers:
        *path, last = buffer["path"]
        target = state
        for key in path[:-1]:
            target = target[key]
        raw = base64.b64decode(buffer["data"])
        holder = target[path[-1]] if path else state
        if last == "buffer" and isinstance(holder, dict) and "dtype" in holder:
            array = np.frombuffer(raw, dtype=holder["dtype"]).reshape(holder.get("shape") or -1)
            target[path[-1]] = array.tolist()
        else:
            holder[last] = raw.decode("latin-1")


def _model(states: dict, ref) -> dict | None:
    if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
        ref = ref[len("IPY_MODEL_"):]
    entry = states.get(ref) if isinstance(ref, str) else None
    if entry is None:
        return None
    if entry.get("buffers") and not entry.get("_dlc_buffers_in"):
        _put_buffers(entry["state"], entry["buffers"])
        entry["_dlc_buffers_in"] = True
    return entry


def _walk(states: dict, ref, seen=None):
    """Every model under `ref` (a widget tree), depth first, the root first."""
    seen = set() if seen is None else seen
    entry = _model(states, ref)
    if entry is None or id(entry) in seen:
        return
    seen.add(id(entry))
    yield entry
    for child in entry["state"].get("children", []) or []:
        yield from _walk(states, child, seen)


def _control_text(state: dict) -> str | None:
    name = (state.get("description") or "").strip().rstrip(":")
    if "_options_labels" in state and state.get("index") is not None:
        index = state["index"]
        labels = state["_options_labels"]
        value = (", ".join(labels[i] for i in index) if isinstance(index, list)
                 else labels[index] if 0 <= index < len(labels) else "")
    elif "value" in state and not isinstance(state["value"], (dict, list)):
        value = state["value"]
    else:
        return None
    if isinstance(value, float):
        value = f"{value:.4g}"
    return f"{html.escape(name)} = <b>{html.escape(str(value))}</b>" if name else None


def _live_note(colab: str, what: str) -> str:
    return (f'<div class="dlc-live"><a href="{html.escape(colab)}" target="_blank" rel="noopener">'
            f'<img src="{{badge}}" alt="Open In Colab"></a> <span>{what} Run it live: open the '
            f'lesson on Colab, or on a checkout <code>make lab</code> (JupyterLab, with the '
            f'widgets).</span></div>')


def widget_html(states: dict, model_id: str, figures: Figures, colab: str) -> str | None:
    """A widget view as static HTML: its plotly figure(s) as the notebook left them, its
    controls' values, its status line and a "run it live" note; None for a widget with nothing
    to show (what remains then is its plain-text form)."""
    models = list(_walk(states, model_id))
    if not models:
        return None
    figs = [m["state"] for m in models if "_widget_data" in m["state"]]
    anywidgets = [m for m in models if m.get("model_name") == "AnyModel"]
    texts = [m["state"].get("value") for m in models
             if m.get("model_name") in ("HTMLModel", "LabelModel", "HTMLMathModel")]
    if not figs and not anywidgets:   # plain ipywidgets (a progress bar, a search box's result)
        shown = [t for t in texts if t]
        return f'<div class="dlc-widget-text">{"".join(shown)}</div>' if shown else None
    controls = [c for c in (_control_text(m["state"]) for m in models
                            if m.get("model_name", "").endswith(("SliderModel", "DropdownModel",
                                                                 "CheckboxModel", "ButtonsModel",
                                                                 "TextModel", "RadioButtonsModel",
                                                                 "SelectModel", "ToggleButtonModel")))
                if c]
    parts = ['<div class="dlc-explorer">']
    what = ("An interactive explorer: the picture below is the one the notebook drew, at the "
            "settings listed; moving its controls needs a running Python kernel."
            if figs else "An interactive explorer that needs a running Python kernel to draw.")
    parts.append(_live_note(colab, what))
    if controls:
        parts.append('<div class="dlc-controls">' + " · ".join(controls) + "</div>")
    for state in figs:
        layout = dict(state.get("_widget_layout") or {})
        if state.get("_dlc_template"):
            layout["template"] = state["_dlc_template"]
        parts.append(figures.html({"data": state["_widget_data"], "layout": layout}))
    status = [t for t in texts if t]
    if status:
        parts.append('<div class="dlc-status">' + "".join(status) + "</div>")
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------ links and headers

def page_of(lesson) -> str:
    """A lesson's page in the site: its notebook's path under course/, without the suffix."""
    return posixpath.splitext(posixpath.relpath(lesson.path, "course"))[0]


def relative(target: str, page: str) -> str:
    """The link from `page` to another page of the site (both without suffix)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def rewrite_links(text: str, source: str, page: str, pages: dict[str, str], cat) -> str:
    """Relative links in a notebook at `source` (repository path): a notebook of the site → its
    page (.md/.ipynb as MyST resolves them), the course map notebook → the map page, anything
    else in the repository → the file on GitHub; the Colab badge image → the site's copy."""
    def fix(match):
        url = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", url):
            return match.group(0)
        path, _, anchor = url.partition("#")
        repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if repo_path in pages:
            target = pages[repo_path]
            suffix = ".md" if target in (MAP_PAGE, GLOSSARY_PAGE, "index") else ".ipynb"
            new = relative(target, page) + suffix + (f"#{anchor}" if anchor else "")
        else:
            new = f"https://github.com/{cat.repo}/blob/{cat.branch}/{repo_path}"
            new += f"#{anchor}" if anchor else ""
        return f"{match.group(1)}{new}{match.group(3)}"

    return LINK.sub(fix, text).replace(COLAB_BADGE_URL, relative(BADGE.rsplit(".", 1)[0], page) + ".svg")


def lesson_header(lesson, cat, page: str) -> str:
    level = cat.levels[lesson.level]
    by_id = {item.id: item for item in cat.lessons}

    def named(ids):
        out = []
        for lid in ids:
            other = by_id.get(lid)
            if other is None:
                continue
            text = f"{other.id} {other.title}"
            out.append(f"[{text}]({relative(page_of(other), page)}.ipynb)" if other.ready
                       else f"{text} (coming)")
        return ", ".join(out) or "none"

    after = [item.id for item in cat.lessons if lesson.id in item.prereqs]
    colab = cat.colab_url(lesson.path)
    return "\n".join([
        "```{admonition} About this lesson",
        ":class: dlc-lesson-header",
        f"**Level {lesson.level[1:]} · {level['title']} ({level['title_zh']})** — "
        f"[all {lesson.level} lessons]({relative(f'levels/{lesson.level}', page)}.md) · "
        f"[course map]({relative(MAP_PAGE, page)}.md)",
        "",
        f"**Before this:** {named(lesson.prereqs)}  ",
        f"**Builds on it:** {named(after)}",
        "",
        f"**Run it live** (the explorers need a running kernel): "
        f"[![Open In Colab]({relative(BADGE.rsplit('.', 1)[0], page)}.svg)]({colab}) "
        f"· or on a checkout, `make lab` (JupyterLab) and open `{lesson.path}`. "
        f"This page shows the notebook as the course's tests ran it.",
        "```",
    ])


# ------------------------------------------------------------------ one notebook

def prepare(nb, lesson, cat, pages: dict[str, str]) -> tuple[nbformat.NotebookNode, int]:
    """The executed notebook, made into a page: see the module docstring. Returns it and its
    number of static figures."""
    page = page_of(lesson)
    states = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    nb.metadata.pop("papermill", None)
    figures = Figures(page)
    colab = cat.colab_url(lesson.path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, lesson.path, page, pages, cat)
            continue
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            if WIDGET_VIEW in data:
                view = data.pop(WIDGET_VIEW)
                shown = widget_html(states, view.get("model_id"), figures, colab)
                if shown is not None:
                    badge = relative(BADGE.rsplit(".", 1)[0], page) + ".svg"
                    data.clear()
                    data["text/html"] = shown.replace("{badge}", badge)
                elif "text/plain" in data and re.match(r"^[A-Z]\w*\(", data["text/plain"]):
                    data.clear()   # a widget's repr (HBox(children=...)) says nothing to a reader
            if PLOTLY_JSON in data:
                fig = data.pop(PLOTLY_JSON)
                data.clear()
                data["text/html"] = figures.html(fig)
            if LOCAL_SERVER.search("".join(data.get("text/html", ""))):
                data.clear()   # an app the notebook served while it ran (Gradio, TensorBoard)
                data["text/html"] = ('<div class="dlc-explorer">' + _live_note(colab, (
                    "Here the notebook showed an app it served while it ran (a local server "
                    "that this page cannot reach).")).replace("{badge}", relative(
                        BADGE.rsplit(".", 1)[0], page) + ".svg") + "</div>")
            for key in ("text/markdown", "text/html"):
                if key in data:
                    text = data[key] if isinstance(data[key], str) else "".join(data[key])
                    data[key] = rewrite_links(text, lesson.path, page, pages, cat) if key == "text/markdown" \
                        else text.replace(COLAB_BADGE_URL, relative(BADGE.rsplit(".", 1)[0], page) + ".svg")
        cell.outputs = [o for o in cell.get("outputs", [])
                        if o.get("output_type") not in ("display_data", "execute_result") or o.get("data")]
    title = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), None)
    if title is not None and lesson.level in cat.levels:
        nb.cells.insert(title + 1, nbformat.v4.new_markdown_cell(lesson_header(lesson, cat, page)))
    return nb, figures.count


# ------------------------------------------------------------------ generated pages

def _status(lesson, page_from: str) -> str:
    if lesson.ready:
        return f"[{lesson.title}]({relative(page_of(lesson), page_from)}.ipynb)"
    return f"{lesson.title} *(coming)*"


def level_table(cat, level: str, page_from: str) -> str:
    by_id = {lesson.id: lesson for lesson in cat.lessons}
    rows = ["| id | lesson | 中文 | before it |", "|---|---|---|---|"]
    for lesson in cat.lessons:
        if lesson.level != level:
            continue
        prereqs = ", ".join(
            f"[{p}]({relative(page_of(by_id[p]), page_from)}.ipynb)" if p in by_id and by_id[p].ready else p
            for p in lesson.prereqs) or "—"
        rows.append(f"| {lesson.id} | {_status(lesson, page_from)} | {lesson.title_zh} | {prereqs} |")
    return "\n".join(rows)


def map_figure(cat) -> dict | None:
    """The course map explorer's figure (prerequisites as arrows), drawn without a kernel."""
    try:
        import plotly.graph_objects as go

        from dlcourse.widgets.course_map import CourseMap
        return go.Figure(CourseMap().fig).to_plotly_json()
    except Exception as error:   # the map page still has its tables
        print(f"course map figure left out: {error}", file=sys.stderr)
        return None


def map_page(cat, built: set[str]) -> str:
    lines = ["# Course map (课程地图)", "",
             "Every lesson of the course by level, with what to read before it. Lessons not written "
             "yet are listed as *coming*, without a page.", ""]
    fig = map_figure(cat)
    if fig is not None:
        lines += ["Each circle is a lesson, each arrow a prerequisite (hover for the title). "
                  "In JupyterLab the same map opens a lesson when you click it (`make lab`).", "",
                  "```{raw} html", Figures(MAP_PAGE).html(fig), "```", ""]
    for level, info in cat.levels.items():
        ready = sum(1 for lesson in cat.lessons if lesson.level == level and lesson.ready)
        total = sum(1 for lesson in cat.lessons if lesson.level == level)
        lines += [f"## Level {level[1:]} · {info['title']} ({info['title_zh']})", "",
                  f"{ready} of {total} lessons written · [the level's page](levels/{level}.md)", "",
                  level_table(cat, level, MAP_PAGE), ""]
    return "\n".join(lines)


def level_page(cat, level: str) -> str:
    info = cat.levels[level]
    page = f"levels/{level}"
    lines = [f"# Level {level[1:]} · {info['title']} ({info['title_zh']})", "",
             f"The lessons of level {level[1:]} in order; the [course map](../{MAP_PAGE}.md) shows "
             "how they connect.", "", level_table(cat, level, page), ""]
    ready = [lesson for lesson in cat.lessons if lesson.level == level and lesson.ready]
    if ready:
        lines += ["```{toctree}", ":hidden:", ":maxdepth: 1", "",
                  *[f"{lesson.id} {lesson.title} <{relative(page_of(lesson), page)}>" for lesson in ready],
                  "```", ""]
    return "\n".join(lines)


def glossary_page(cat) -> str:
    by_id = {lesson.id: lesson for lesson in cat.lessons}
    lines = ["# Glossary · 术语表", "",
             "Every key term of the course in English and Chinese (中文), in the order the lessons "
             "introduce them. The search box (top of the page) finds terms in either language.", ""]
    current = None
    for term in glossary.terms():
        if term.lesson != current:
            current = term.lesson
            lesson = by_id.get(current)
            name = f"{lesson.id} · {lesson.title} ({lesson.title_zh})" if lesson else current
            link = f"[{name}]({page_of(lesson)}.ipynb)" if lesson and lesson.ready else name
            lines += ["", f"## {link}", "", "| English | 中文 | meaning |", "|---|---|---|"]
        cells = [c.replace("|", "\\|").replace("\n", " ") for c in (term.en, term.zh, term.meaning)]
        lines.append(f"| **{cells[0]}** | **{cells[1]}** | {cells[2]} |")
    return "\n".join(lines) + "\n"


def home_page(cat, built: list) -> str:
    lines = ["# Deep learning, level by level (深度学习)", "",
             "An interactive deep-learning course in Jupyter notebooks with PyTorch, in three "
             "levels. Each page below is a lesson as its notebook ran: prose, maths, code and the "
             "outputs, with figures you can hover and zoom. The explorers need a running kernel: "
             "every lesson has an *Open in Colab* badge, and on a checkout `make lab` opens the "
             "course in JupyterLab.", "",
             f"- [Course map]({MAP_PAGE}.md): every lesson and its prerequisites",
             f"- [Glossary]({GLOSSARY_PAGE}.md): the key terms in English and 中文", ""]
    for level, info in cat.levels.items():
        ready = [lesson for lesson in built if lesson.level == level]
        lines += [f"- [Level {level[1:]} · {info['title']} ({info['title_zh']})](levels/{level}.md): "
                  f"{len(ready)} lessons"]
    lines += ["", "```{toctree}", ":hidden:", ":caption: Course", "", f"Course map <{MAP_PAGE}>",
              f"Glossary <{GLOSSARY_PAGE}>", "```", ""]
    for level, info in cat.levels.items():
        lines += ["```{toctree}", ":hidden:", ":maxdepth: 1",
                  f":caption: Level {level[1:]} · {info['title']} ({info['title_zh']})", "",
                  f"Level {level[1:]}: the lessons <levels/{level}>", "```", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------ the build

def stage(notebooks: Path, src: Path) -> dict:
    """Write the prepared sources into `src`; returns what went in."""
    cat = course_catalog.load()
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    shutil.copy(HERE / "conf.py", src / "conf.py")
    static = src / "_static"
    shutil.copytree(HERE / "_static", static)
    import mathjax   # MathJax 3, from the django-static-mathjax package: its runtime, CHTML output only
    import plotly
    shutil.copytree(Path(mathjax.__file__).parent / "static" / "mathjax" / "es5", static / "mathjax",
                    ignore=shutil.ignore_patterns("sre", "svg", "*svg*.js", "mml-*.js", "tex-mml-*.js",
                                                  "tex-chtml-full*.js", "node-main.js", "latest.js"))
    shutil.copy(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", static / "plotly.min.js")

    built, missing = [], []
    for lesson in cat.ready:
        if (notebooks / lesson.path).is_file():
            built.append(lesson)
        else:
            missing.append(lesson.id)
    if missing:   # a partial build (--allow-missing): the lessons left out are shown as coming
        import dataclasses
        cat = dataclasses.replace(cat, lessons=tuple(
            dataclasses.replace(lesson, path=None) if lesson.id in missing else lesson
            for lesson in cat.lessons))
    pages = {lesson.path: page_of(lesson) for lesson in built}
    for page in cat.pages:   # the course map and glossary notebooks have generated pages here
        pages[page.path] = {"index": MAP_PAGE}.get(page.id, page.id)
    figures = {}
    for lesson in built:
        nb = nbformat.read(notebooks / lesson.path, as_version=4)
        nb, count = prepare(nb, lesson, cat, pages)
        figures[lesson.id] = count
        out = src / f"{page_of(lesson)}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    (src / "levels").mkdir()
    for level in cat.levels:
        (src / "levels" / f"{level}.md").write_text(level_page(cat, level), encoding="utf-8")
    (src / f"{MAP_PAGE}.md").write_text(map_page(cat, {lesson.id for lesson in built}), encoding="utf-8")
    (src / f"{GLOSSARY_PAGE}.md").write_text(glossary_page(cat), encoding="utf-8")
    (src / "index.md").write_text(home_page(cat, built), encoding="utf-8")
    manifest = {"lessons": [{"id": lesson.id, "page": page_of(lesson) + ".html",
                             "figures": figures[lesson.id]} for lesson in built],
                "missing": missing, "notebooks": str(notebooks)}
    (src / "site.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def build(notebooks: Path, out: Path, jobs: str = "1") -> dict:
    """Stage and build the site into out/html; returns the manifest (lessons, their figure
    counts, build seconds). Raises when Sphinx fails or warns."""
    from sphinx.cmd.build import build_main
    start = time.perf_counter()
    manifest = stage(notebooks, out / "src")
    html_dir = out / "html"
    shutil.rmtree(html_dir, ignore_errors=True)
    shutil.rmtree(out / "doctrees", ignore_errors=True)
    code = build_main(["-b", "html", "-q", "-W", "--keep-going", "-j", jobs,
                       "-d", str(out / "doctrees"), str(out / "src"), str(html_dir)])
    if code:
        raise RuntimeError(f"sphinx-build failed (exit {code}); its warnings are above")
    shutil.copy(out / "src" / "site.json", html_dir / "site.json")
    manifest["seconds"] = round(time.perf_counter() - start, 1)
    manifest["pages"] = sum(1 for _ in html_dir.rglob("*.html")
                            if not _.relative_to(html_dir).parts[0].startswith("_"))
    (out / "site.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "artifacts" / "notebooks",
                        help="the executed notebooks (default: artifacts/notebooks, quick mode; "
                             "artifacts/full for a release)")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "site")
    parser.add_argument("--jobs", default="1", help="Sphinx's parallel jobs (default 1)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="build from the notebooks there are (default: every ready lesson)")
    args = parser.parse_args(argv)
    cat = course_catalog.load()
    absent = [lesson.id for lesson in cat.ready if not (args.notebooks / lesson.path).is_file()]
    if absent and not args.allow_missing:
        print(f"no executed notebook for {', '.join(absent)} under {args.notebooks}: run "
              f"`make quick` (or `make full`) first, or pass --allow-missing", file=sys.stderr)
        return 1
    manifest = build(args.notebooks, args.out, args.jobs)
    print(f"site: {len(manifest['lessons'])} lessons, {manifest['pages']} pages, "
          f"{sum(x['figures'] for x in manifest['lessons'])} static figures, "
          f"{manifest['seconds']} s → {args.out / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
