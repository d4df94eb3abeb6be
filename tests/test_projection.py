"""ci/projection.py: the suite's time projected to the whole course, printed after `make test`."""
from ci import projection

TIMES = {"workers": 2, "total_wall": 1000.0,
         "groups": {"notebooks": {"busy": 600.0}, "assignments": {"busy": 900.0}, "units": {"busy": 100.0}}}
NOTEBOOKS = [{"id": "L1.01", "seconds": 20.0}, {"id": "L3.23", "seconds": 40.0}]


def test_with_every_lesson_ready_there_is_nothing_left_to_budget():
    text = projection.project(TIMES, NOTEBOOKS, setup=100.0)
    # all 48 lessons and 12 assignments are in the catalog: the projection is the measurement
    assert "Projected at 48 lessons and 12 assignments: 1600 s busy / 2 + 40 s tail + 100 s setup" in text
    assert "To stay within" not in text


def test_with_a_lesson_to_come_it_says_what_each_may_take(planned_lesson):
    text = projection.project(TIMES, NOTEBOOKS, setup=100.0)
    assert "To stay within 45 min, each new lesson's quick-mode notebook may take" in text
