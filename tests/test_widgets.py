"""Headless tests of dlcourse.widgets: the pure compute functions against references, every control
of every gallery widget driven through its range, and the gallery kept complete."""
from __future__ import annotations

import importlib
import json
import pkgutil
import random
import subprocess
import sys
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest
import torch

import dlcourse.widgets
from dlcourse import catalog
from dlcourse.widgets import (GALLERY, LANDMARKS, BroadcastExplorer, ComputeTimeline, CourseMap,
                              Explorer, broadcast_result, era_fits, fit_doubling, parse_shape)
from dlcourse.widgets.broadcast import source_index, unravel
from dlcourse.widgets.compute_timeline import DOMAIN_COLORS
from dlcourse.widgets.course_map import depths, edges, layout



def snapshot(explorer: Explorer) -> str:
    if not isinstance(explorer.fig, go.FigureWidget):  # a front-end of its own: what it draws
        return repr(explorer.fig.drawn_state())
    return json.dumps(explorer.fig.to_plotly_json(), default=str, sort_keys=True)


TEXT_SAMPLES = ["8, 1, 6, 1", "7, 1, 5", "3, x", "", "(2, 3)", "-1", "2, 3, 4", "1.5"]


def sample_values(control) -> list:
    """The values a test drives a control through: every option, both states, or min, mid, max."""
    if hasattr(control, "options"):  # Dropdown, SelectionSlider, ToggleButtons, ...
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, (widgets.Text, widgets.Textarea)):
        return TEXT_SAMPLES
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    if isinstance(control, widgets.FloatLogSlider):  # min and max are exponents of `base`
        return [control.base ** e for e in (control.min, (control.min + control.max) / 2, control.max)]
    if hasattr(control, "min") and hasattr(control, "max"):  # Int- and FloatSlider, ...
        mid = control.min + (control.max - control.min) / 2
        return [control.min, round(mid) if isinstance(control.value, int) else mid, control.max]
    raise AssertionError(f"no sample values for {type(control).__name__}: add them here")


# ---------------------------------------------------------------- the gallery


def explorer_classes() -> set[type]:
    """Every widget class in dlcourse.widgets: the Explorer subclasses that are not themselves a
    base of others (a shared base such as a PathExplorer is covered by its widgets)."""
    for module in pkgutil.iter_modules(dlcourse.widgets.__path__):
        importlib.import_module(f"dlcourse.widgets.{module.name}")
    found, todo = set(), [Explorer]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("dlcourse.widgets.") and not sub.__subclasses__():
                found.add(sub)
            todo.append(sub)
    return found


def test_gallery_names_every_explorer():
    classes = explorer_classes()
    assert classes, "no Explorer subclass found"
    missing = sorted(c.__name__ for c in classes if c.__name__ not in GALLERY)
    assert not missing, f"add these widgets to dlcourse.widgets.GALLERY: {missing}"


# Every widget a catalog entry names, with the lesson that shows it in its test id. That every
# GALLERY widget is named by exactly one entry is the linter's manifest check.
OWNED = [pytest.param(name, id=f"{owner}-{name}")
         for name, owner in catalog.load().widget_owners().items()]


@pytest.mark.parametrize("name", OWNED)
def test_gallery_demo_builds_and_displays(name):
    explorer = GALLERY[name]()
    assert type(explorer).__name__ == name
    assert explorer.fig in explorer.widget.children
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    if isinstance(explorer.fig, go.FigureWidget):
        assert explorer.fig.layout.title.text and explorer.fig.layout.template.layout.font
    else:  # a front-end of its own (the playground's canvas): the arrays and texts it draws
        assert all(explorer.fig.drawn_state().values())
    assert explorer.status.value, "a widget says in words what its figure shows"


@pytest.mark.parametrize("name", OWNED)
def test_every_control_through_its_range(name):
    """From the demo's state, each value of each control redraws without error, and a new value of
    a non-text control changes the figure."""
    for key in GALLERY[name]().controls:
        explorer = GALLERY[name]()
        control = explorer.controls[key]
        for value in sample_values(control):
            before, old = snapshot(explorer), control.value
            control.value = value
            assert explorer.status.value
            if not isinstance(control, (widgets.Text, widgets.Textarea)) and value != old:
                assert snapshot(explorer) != before, f"{name}: {key}={value!r} changed nothing"


@pytest.mark.parametrize("name", OWNED)
def test_all_controls_in_turn(name):
    """One explorer, every control driven in turn: states combine without errors."""
    explorer = GALLERY[name]()
    for control in explorer.controls.values():
        for value in sample_values(control):
            control.value = value
            assert explorer.status.value


def first_slider(explorer: Explorer):
    return next((c for c in explorer.controls.values() if "Slider" in type(c).__name__), None)


@pytest.mark.parametrize("name", OWNED)
def test_first_slider_changes_the_figure(name):
    """What the browser test does with the mouse: the first slider, dragged 85 % along its track
    (or to 15 % when it starts in the right half), redraws the figure."""
    explorer = GALLERY[name]()
    slider = first_slider(explorer)
    assert slider is not None, f"{name}: the browser test drags a slider; this widget has none"
    before = snapshot(explorer)
    if hasattr(slider, "options"):
        last = len(slider.options) - 1
        slider.index = round((0.85 if slider.index < last / 2 else 0.15) * last)
    else:
        low, high = slider.min, slider.max
        fraction = 0.85 if slider.value < (low + high) / 2 else 0.15
        value = low + fraction * (high - low)
        slider.value = round(value) if isinstance(slider.value, int) else value
    assert snapshot(explorer) != before, f"{name}: moving its first slider changed nothing"


def test_import_dlcourse_does_not_load_the_widgets():
    code = ("import sys, dlcourse; heavy = {'plotly', 'ipywidgets'} & set(sys.modules);"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- compute timeline (L1.00)


def test_fit_doubling_recovers_a_known_doubling_time():
    years = np.linspace(1990, 2010, 40)
    exact = 1e9 * 2 ** ((years - 1990) * 12 / 7.0)
    fit = fit_doubling(years, exact)
    assert fit.doubling_months == pytest.approx(7.0, rel=1e-9)
    assert fit.predict(1990) == pytest.approx(1e9, rel=1e-6)
    noisy = exact * np.random.default_rng(0).lognormal(0, 0.5, size=years.size)
    assert fit_doubling(years, noisy).doubling_months == pytest.approx(7.0, rel=0.05)
    months, intercept = fit  # unpacks like a pair
    assert months == fit.doubling_months


def test_fit_doubling_needs_two_years():
    with pytest.raises(ValueError, match="two"):
        fit_doubling([2000], [1e9])
    with pytest.raises(ValueError):
        fit_doubling([2000, 2000], [1e9, 1e10])


def test_landmarks_table():
    assert 25 <= len(LANDMARKS) <= 40
    assert len({m.name for m in LANDMARKS}) == len(LANDMARKS)
    assert all(m.compute > 0 and m.source and m.domain in DOMAIN_COLORS for m in LANDMARKS)
    assert min(m.year for m in LANDMARKS) < 1960 and max(m.year for m in LANDMARKS) > 2020
    assert {"AlexNet", "GPT-3 (175B)"} <= {m.name for m in LANDMARKS}


def test_two_eras_on_the_real_data():
    early, modern = era_fits(2012)
    assert modern.doubling_months <= 6.0  # L1.00's target doubling_months_modern
    assert 18 <= early.doubling_months <= 30  # Moore's-law-like: 1.5 to 2.5 years
    assert modern.doubling_months < early.doubling_months / 3


def test_timeline_redraws_trends_and_highlights():
    timeline = ComputeTimeline()
    domains, (early, modern) = timeline.fig.data[:4], timeline.fig.data[4:]
    assert "×2 every 19.7 months" in early.name and "5.7 months" in modern.name
    timeline.controls["split"].value = 2016
    assert early.x[-1] == modern.x[0] == 2016 and "Since 2016" in modern.name
    assert "2016" in timeline.status.value
    timeline.controls["highlight"].value = "Games"
    assert [t.opacity for t in domains] == [1.0 if t.name == "Games" else 0.15 for t in domains]
    hover = " ".join(domains[0].hovertext)
    assert "AlexNet" in hover and "FLOP" in hover and "petaflop/s-days" in hover


# ---------------------------------------------------------------- broadcasting (L1.01)


def random_shape(rng: random.Random) -> tuple[int, ...]:
    return tuple(rng.choice([0, 1, 1, 1, 2, 3, 4]) for _ in range(rng.randint(0, 4)))


def torch_broadcast(a, b):
    try:
        return tuple(torch.broadcast_shapes(a, b)), None
    except RuntimeError as error:
        return None, str(error)


def test_broadcast_result_matches_torch_on_random_shapes():
    rng = random.Random(0)
    outcomes = set()
    for _ in range(200):
        a, b = random_shape(rng), random_shape(rng)
        result = broadcast_result(a, b)
        assert (result.shape, result.error) == torch_broadcast(a, b), (a, b)
        assert len(result.rules) == max(len(a), len(b))
        for rule in result.rules:
            assert (rule.out is None) == ("incompatible" in (rule.a_rule, rule.b_rule))
        outcomes.add(result.shape is None)
    assert outcomes == {True, False}, "the sample should hold both kinds of pairs"


def test_broadcast_rules_of_the_classic_example():
    result = broadcast_result((8, 1, 6, 1), (7, 1, 5))
    assert result.shape == (8, 7, 6, 5) and result.error is None
    assert [(r.a_rule, r.b_rule) for r in result.rules] == [
        ("equal", "missing"), ("stretched", "equal"), ("equal", "stretched"),
        ("stretched", "equal")]
    assert broadcast_result((1,), (0,)).shape == (0,)  # a 1 stretches to 0, too
    assert broadcast_result((), ()).shape == ()


def test_source_index_matches_torch_broadcast_tensors():
    rng = random.Random(1)
    checked = 0
    while checked < 50:
        a, b = random_shape(rng), random_shape(rng)
        shape = broadcast_result(a, b).shape
        if shape is None:
            continue
        ta, tb = torch.arange(int(np.prod(a))).reshape(a), torch.arange(int(np.prod(b))).reshape(b)
        ea, eb = (t.flatten() for t in torch.broadcast_tensors(ta, tb))
        for flat in range(int(np.prod(shape))):
            out = unravel(flat, shape)
            assert ea[flat] == ta[source_index(out, a)] and eb[flat] == tb[source_index(out, b)]
        checked += 1


@pytest.mark.parametrize("text, shape", [("8, 1, 6, 1", (8, 1, 6, 1)), ("(3,)", (3,)),
                                         ("[2,3]", (2, 3)), ("", ()), ("()", ()), (" 0 ", (0,))])
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["3,x", "-1", "1.5", "3,,4", "1,2,3,4,5,6,7,8,9"])
def test_parse_shape_rejects_with_a_message(text):
    with pytest.raises(ValueError) as error:
        parse_shape(text)
    assert "size" in str(error.value) or "dimensions" in str(error.value)


def test_broadcast_explorer_shows_result_error_and_bad_input():
    explorer = BroadcastExplorer(a=(8, 1, 6, 1), b=(7, 1, 5))
    assert explorer.controls["element"].max == 8 * 7 * 6 * 5 - 1
    assert "(8, 7, 6, 5)" in explorer.fig.layout.title.text
    grid = explorer.fig.data[0]
    assert grid.text[1][0] == "(1)" and grid.text[0][1] == "1→7"

    panels = explorer.fig.data[-3:]
    before = [p.z for p in panels]
    explorer.controls["element"].value = 1422  # result[6, 5, 2, 2]
    assert [p.z for p in panels] != before
    assert "result[6, 5, 2, 2]" in explorer.status.value and "B[5, 0, 2]" in explorer.status.value

    explorer.controls["b"].value = "7, 2, 5"
    assert explorer.status.value.count(torch_broadcast((8, 1, 6, 1), (7, 2, 5))[1]) == 1
    assert explorer.controls["element"].disabled and "✗" in explorer.fig.data[0].text[2]

    explorer.controls["a"].value = "3, x"
    assert "Could not read" in explorer.status.value and "'x'" in explorer.status.value
    explorer.controls["b"].value = "1"
    explorer.controls["a"].value = "0"
    assert "(0,)" in explorer.status.value and "no element" in explorer.status.value


# ---------------------------------------------------------------- course map


def test_course_map_layout():
    cat = catalog.load()
    positions = layout(cat)
    assert set(positions) == {lesson.id for lesson in cat.lessons}
    assert len(set(positions.values())) == len(positions), "two lessons drawn on one spot"
    assert layout(cat) == positions, "layout must be deterministic"
    depth = depths(cat)
    assert len(edges(cat)) == sum(len(lesson.prereqs) for lesson in cat.lessons)
    for source, target in edges(cat):
        assert positions[source][0] < positions[target][0] and depth[source] < depth[target]
    lanes = {level: [y for i, (_, y) in positions.items() if i.startswith(level)]
             for level in cat.levels}
    ordered = list(lanes.values())
    for upper, lower in zip(ordered, ordered[1:]):
        assert min(upper) > max(lower), "one horizontal lane per level, L1 on top"


def test_course_map_widget(planned_lesson):
    cat = catalog.load()
    course_map = CourseMap()
    nodes = course_map.fig.data
    assert sum(len(t.x) for t in nodes) == len(cat.lessons)
    arrows = [a for a in course_map.fig.layout.annotations if a.showarrow]
    assert len(arrows) == len(edges(cat))
    ready = next(t for t in nodes if t.name != "Planned")
    assert list(ready.customdata) == [lesson.path for lesson in cat.ready]
    assert all(lesson.title_zh in text for lesson, text in zip(cat.ready, ready.hovertext))

    course_map.controls["level"].value = "L2"
    faded = [c for t in nodes for c in t.marker.line.color if c.endswith(",0.18)")]
    assert len(faded) == sum(lesson.level != "L2" for lesson in cat.lessons)
    assert "L2" in course_map.status.value

    first = cat.ready[0]
    course_map.select(first.id)
    assert "href=" in course_map.status.value and Path(first.path).name in course_map.status.value
    course_map.select(planned_lesson)
    assert "planned" in course_map.status.value
