"""The course map of the index notebook: the catalog's lessons, their prerequisites as arrows, and
the learner's own progress (dlcourse.progress): finished, started and untouched lessons, and the
lesson to do next."""
from __future__ import annotations

import posixpath
from functools import cache
from html import escape

import ipywidgets as widgets

from .. import catalog as course_catalog
from .. import progress as course_progress
from .base import Explorer, figure

LEVEL_COLORS = {"L1": "#2b8cbe", "L2": "#e6550d", "L3": "#756bb1"}
LANE_GAP = 1.0  # vertical space between the level lanes, in rows
NODE_SIZE = 30  # px: room for the lesson id inside
LABEL_X = -2.8  # the level names sit left of the first column, in x units
# A ready lesson's fill says how far the learner got; an untouched one keeps its level's colour.
STATUS_COLORS = {course_progress.FINISHED: "#238b45", course_progress.STARTED: "#fed976"}
STATUS_TEXT = {course_progress.FINISHED: "#ffffff", course_progress.STARTED: "#333333"}


def depths(cat) -> dict[str, int]:
    """Each lesson's distance from the start: the length of its longest chain of prerequisites."""
    prereqs = {lesson.id: lesson.prereqs for lesson in cat.lessons}

    @cache
    def depth(lesson_id: str) -> int:
        return 1 + max((depth(p) for p in prereqs[lesson_id]), default=-1)

    return {lesson_id: depth(lesson_id) for lesson_id in prereqs}


def layout(cat) -> dict[str, tuple[float, float]]:
    """Lesson id → (x, y): x is the depth; y gives each level its own horizontal lane (L1 on top)
    and stacks the lessons of one lane and depth, in catalog order, around the lane's middle."""
    x = depths(cat)
    stacks: dict[tuple[str, int], list[str]] = {}
    for lesson in cat.lessons:
        stacks.setdefault((lesson.level, x[lesson.id]), []).append(lesson.id)
    positions, top = {}, 0.0
    for level in cat.levels:
        height = max((len(s) for (lv, _), s in stacks.items() if lv == level), default=1)
        middle = top - (height - 1) / 2
        for (lv, _), stack in stacks.items():
            if lv == level:
                for k, lesson_id in enumerate(stack):
                    positions[lesson_id] = (float(x[lesson_id]), middle + (len(stack) - 1) / 2 - k)
        top -= height + LANE_GAP
    return positions


def edges(cat) -> list[tuple[str, str]]:
    """(prerequisite, lesson) pairs."""
    return [(p, lesson.id) for lesson in cat.lessons for p in lesson.prereqs]


def _hover(lesson, level: dict, done=None) -> str:
    lines = [f"<b>{escape(lesson.heading)}</b>",
             f"{lesson.level} · {level['title']} ({level['title_zh']})",
             "Prerequisites: " + (", ".join(lesson.prereqs) or "none"),
             "Ready: click to get its link" if lesson.ready else "Planned"]
    if done is not None and done.exercises:
        lines.append(f"Your exercises: {len(done.passed)} of {len(done.exercises)} passed ({done.status})")
    lines += [f"• {escape(objective)}" for objective in lesson.objectives]
    return "<br>".join(lines)


def legend_line() -> str:
    """The key to the fills, above the map."""
    swatches = [(STATUS_COLORS[course_progress.FINISHED], "finished"),
                (STATUS_COLORS[course_progress.STARTED], "started"),
                ("#2b8cbe", "not started (its level's colour)")]
    return "Your progress:  " + "   ".join(
        f"<span style='color:{color}'>●</span> {text}" for color, text in swatches) + \
        "   ○ planned.   Click a ready lesson for its link."


def _alpha(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


class CourseMap(Explorer):
    """The lessons of dlcourse.catalog as a graph: x = steps from the start, one lane per level,
    arrows from prerequisites, ready lessons filled and planned ones hollow.

    Control: `level` ("All", "L1", "L2", "L3"): highlights one level and its arrows.
    Nodes of ready lessons carry their notebook's path in `customdata`; clicking one puts a link
    to it (relative to `notebook_dir`, where the index notebook lives) under the map.

    Ready lessons are filled by the learner's progress (`progress`: dlcourse.progress.lessons(),
    read from the progress file when not given): green when every exercise has passed, yellow
    when some were answered, the level's colour when none; the line under the map suggests the
    next lesson. `refresh()` reads the file again.
    """

    def __init__(self, level: str = "All", notebook_dir: str = "course", progress=None):
        self.catalog = course_catalog.load()
        self.notebook_dir = notebook_dir
        self._given = progress
        self.progress = self._read_progress()
        self.positions = layout(self.catalog)
        self.controls = {"level": widgets.SelectionSlider(
            options=["All", *self.catalog.levels], value=level, description="Level")}
        xs, ys = zip(*self.positions.values())
        self.fig = figure(
            title=f"Course map: {len(self.catalog.lessons)} lessons, "
                  f"{len(self.catalog.ready)} ready",
            height=640, hovermode="closest", hoverlabel=dict(align="left"),
            xaxis=dict(title="Steps from the start (longest chain of prerequisites)",
                       tickvals=list(range(int(max(xs)) + 1)), zeroline=False, showgrid=False,
                       range=[LABEL_X - 0.1, max(xs) + 0.6]),
            yaxis=dict(visible=False, range=[min(ys) - 0.8, max(ys) + 0.9]),
            showlegend=False,  # the key is legend_line(): a legend would show one node's fill
            margin=dict(l=20, r=20, t=95, b=55))
        self.fig.layout.shapes = self._lanes()
        self._ids = {}
        for name, ready in (("Ready: click for the notebook link", True), ("Planned", False)):
            lessons = [lesson for lesson in self.catalog.lessons if lesson.ready == ready]
            self._ids[name] = [lesson.id for lesson in lessons]
            self.fig.add_scatter(
                name=name, mode="markers+text", textposition="middle center",
                x=[self.positions[lesson.id][0] for lesson in lessons],
                y=[self.positions[lesson.id][1] for lesson in lessons],
                text=[lesson.id for lesson in lessons], textfont=dict(size=9),
                hovertext=[_hover(lesson, self.catalog.levels[lesson.level], self.progress.get(lesson.id))
                           for lesson in lessons],
                hoverinfo="text", customdata=[lesson.path or "" for lesson in lessons],
                marker=dict(size=NODE_SIZE, line=dict(width=2)))
        super().__init__()
        for trace in self.fig.data:
            trace.on_click(self._clicked)

    def _read_progress(self) -> dict:
        return course_progress.lessons(cat=self.catalog) if self._given is None else self._given

    def status_of(self, lesson_id: str) -> str:
        """finished, started or untouched (a planned lesson is untouched)."""
        done = self.progress.get(lesson_id)
        return done.status if done else course_progress.UNTOUCHED

    @property
    def next_up(self) -> str | None:
        return course_progress.next_lesson(self.progress, self.catalog)

    def refresh(self) -> None:
        """Read the progress file again (after passing exercises in another notebook) and redraw."""
        self.progress = self._read_progress()
        with self._sending_once():
            ready = next(trace for trace in self.fig.data if trace.name != "Planned")
            ready.hovertext = [_hover(self.catalog.lesson(i), self.catalog.levels[i[:2]],
                                      self.progress.get(i)) for i in self._ids[ready.name]]
            self.update()

    def _lanes(self) -> list[dict]:
        shapes = []
        for level, color in LEVEL_COLORS.items():
            ys = [y for lesson_id, (_, y) in self.positions.items() if lesson_id.startswith(level)]
            shapes.append(dict(type="rect", xref="paper", yref="y", x0=0, x1=1, y0=min(ys) - 0.45,
                               y1=max(ys) + 0.45, fillcolor=color, opacity=0.08, line_width=0,
                               layer="below"))
        return shapes

    def update(self) -> None:
        selected = self.values["level"]
        on = {lesson.id: selected in ("All", lesson.level) for lesson in self.catalog.lessons}
        levels = {lesson.id: lesson.level for lesson in self.catalog.lessons}
        with self.fig.batch_update():
            for trace in self.fig.data:
                ids, ready = self._ids[trace.name], trace.name != "Planned"
                colors = [LEVEL_COLORS[levels[i]] for i in ids]
                alpha = [1.0 if on[i] else 0.18 for i in ids]
                status = [self.status_of(i) for i in ids]
                trace.marker.color = [_alpha(STATUS_COLORS.get(s, c), a) if ready else _alpha("#ffffff", a)
                                      for c, a, s in zip(colors, alpha, status)]
                trace.marker.line.color = [_alpha(c, a) for c, a in zip(colors, alpha)]
                trace.textfont.color = [_alpha(STATUS_TEXT.get(s, "#ffffff") if ready else "#333333", a)
                                        for a, s in zip(alpha, status)]
            self.fig.layout.annotations = (self._level_labels(selected) + self._arrows(on)
                                           + [self._legend()])
        counts = [lesson for lesson in self.catalog.lessons if selected in ("All", lesson.level)]
        ready = sum(lesson.ready for lesson in counts)
        what = ("the course" if selected == "All"
                else f"{selected} {self.catalog.levels[selected]['title']}")
        self.status.value = (f"{what}: {len(counts)} lessons, {ready} ready. Hover a lesson for "
                             "its title, prerequisites and objectives.<br>" + self.progress_line())

    def progress_line(self) -> str:
        """How many lessons are finished and started, the lesson to do next, where it is kept."""
        statuses = [self.status_of(lesson.id) for lesson in self.catalog.ready]
        finished, started = (statuses.count(s) for s in (course_progress.FINISHED,
                                                         course_progress.STARTED))
        line = f"<b>Your progress</b>: {finished} finished, {started} started. "
        nxt = self.next_up
        if nxt:
            lesson = self.catalog.lesson(nxt)
            href = posixpath.relpath(lesson.path, self.notebook_dir)
            line += (f"<b>Next up</b>: <a href='{escape(href)}' target='_blank'>"
                     f"{escape(lesson.heading)}</a> (its prerequisites are done). ")
        elif statuses:
            line += "Every lesson is finished. "
        return line + f"<small>{escape(course_progress.describe_location())}</small>"

    def _legend(self) -> dict:
        return dict(x=0, y=1.0, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                    showarrow=False, align="left", text=legend_line(), font=dict(size=12))

    def _level_labels(self, selected: str) -> list[dict]:
        labels = []
        for level, info in self.catalog.levels.items():
            ys = [y for lesson_id, (_, y) in self.positions.items() if lesson_id.startswith(level)]
            alpha = 1.0 if selected in ("All", level) else 0.3
            labels.append(dict(x=LABEL_X, y=(min(ys) + max(ys)) / 2, xref="x", yref="y",
                               xanchor="left", showarrow=False, align="left",
                               text=f"<b>{level} {info['title']}</b><br>{info['title_zh']}",
                               font=dict(size=13, color=_alpha(LEVEL_COLORS[level], alpha))))
        return labels

    def _arrows(self, on: dict[str, bool]) -> list[dict]:
        arrows = []
        for source, target in edges(self.catalog):
            (x0, y0), (x1, y1) = self.positions[source], self.positions[target]
            alpha = 0.55 if on[source] or on[target] else 0.08
            arrows.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=2, arrowsize=1, arrowwidth=1.2,
                               standoff=NODE_SIZE / 2, startstandoff=NODE_SIZE / 2, text="",
                               arrowcolor=_alpha("#555555", alpha)))
        return arrows

    def select(self, lesson_id: str) -> None:
        """Show the lesson's heading, and a link to its notebook when it is ready."""
        lesson = self.catalog.lesson(lesson_id)
        if lesson.ready:
            href = posixpath.relpath(lesson.path, self.notebook_dir)
            done = self.progress.get(lesson.id)
            mine = (f" · your exercises: {len(done.passed)} of {len(done.exercises)} passed"
                    if done and done.exercises else "")
            self.status.value = (f"<b>{escape(lesson.heading)}</b>: <a href='{escape(href)}' "
                                 f"target='_blank'>open {escape(href)}</a>{mine}")
        else:
            self.status.value = f"<b>{escape(lesson.heading)}</b> is planned: no notebook yet."

    def _clicked(self, trace, points, _state) -> None:
        if points.point_inds:
            self.select(self._ids[trace.name][points.point_inds[0]])


GALLERY = {"CourseMap": CourseMap}
