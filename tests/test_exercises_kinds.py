"""The reusable exercise kinds and the way answers are kept as code and shown to a learner."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from dlcourse.exercises import Exercise, computed, source_of, value_of
from dlcourse.exercises.kinds import (choices, finite_or, labels, number, ordering,
                                      write_function)


def _exercise(kind, *args, **kwargs) -> Exercise:
    return kind(*args, name="Q1 · test", hint_text="a hint", right_answer=None, **kwargs)


def _said(ex: Exercise, answer, capsys) -> str:
    ex.check(answer)
    return capsys.readouterr().out.strip()


def test_labels_reads_keys_and_labels_loosely_and_names_what_is_off(capsys):
    ex = _exercise(labels, {"A": "underfitting", "B": "good fit"}, ("underfitting", "good fit"),
                   what="verdict", aliases={"underfit": "underfitting"})
    assert ex.check({"a": "Underfit", "B": " good-fit"})
    assert "no answer yet for B: give one verdict for each of A, B" in _said(ex, {"A": "x"}, capsys)
    assert "1 of 2 not right yet: look again at A" in _said(ex, {"A": "good fit",
                                                                 "B": "good fit"}, capsys)
    assert "'bad' is not one of" in _said(ex, {"A": "bad", "B": "good fit"}, capsys)
    assert "expected a dict" in _said(ex, ["A"], capsys)


def test_choices_counts_extra_and_missing(capsys):
    ex = _exercise(choices, ["a", "b", "c"], lambda: {"a", "b"},
                   extra="{n} of your letters name a copy", missing="{n} view(s) are missing")
    assert ex.check(["b", "a"])
    out = _said(ex, {"a", "c"}, capsys)
    assert "1 of your letters name a copy; 1 view(s) are missing" in out


def test_ordering_points_at_the_first_misplaced_name(capsys):
    ex = _exercise(ordering, ["c", "a", "b"], ["a", "b", "c"])
    assert ex.check(["a", "b", "c"])
    assert "'c' does not belong in position 2" in _said(ex, ["a", "c", "b"], capsys)


def test_number_explains_known_mistakes_and_hides_the_right_value(capsys):
    ex = _exercise(number, lambda: 0.72, what="θ", rtol=0, atol=1e-9,
                   mistakes={0.9: "that is plain SGD"})
    assert ex.check(0.72) and ex.check(torch.tensor(0.72, dtype=torch.float64))
    assert "0.9 is not it: that is plain SGD" in _said(ex, 0.9, capsys)
    out = _said(ex, 0.8, capsys)
    assert "θ: 0.8 is too large" in out and "0.72" not in out
    assert "θ: 0.5 is too small" in _said(ex, 0.5, capsys)


def test_a_whole_number_is_compared_exactly(capsys):
    ex = _exercise(number, 100, what="t", whole=True, mistakes={10: "η/√10"})
    assert ex.check(100) and ex.check(100.0)
    assert "10 is not it: η/√10" in _said(ex, 10, capsys)
    assert "expected a whole number (t), got 99.5" in _said(ex, 99.5, capsys)


def _relu_cases():
    return {"a row with a zero": (torch.tensor([-1.0, 0.0, 2.0]),)}


def test_write_function_reports_the_first_mismatch_in_one_line(capsys):
    cases = [(torch.tensor([1.0, 2.0]),), (torch.tensor([-1.0, 2.0]),)]
    ex = _exercise(write_function, "relu(x)", torch.relu, lambda: cases)
    assert ex.check(lambda x: x.clamp(min=0))
    capsys.readouterr()
    out = _said(ex, lambda x: x.abs(), capsys)
    assert out.splitlines()[0] == (
        "✗ Q1 · test: relu(x=tensor([-1, 2])) is not close enough: largest difference 1 at flat "
        "index 0 (got 1, expected 0)")
    big = _exercise(write_function, "relu(x)", torch.relu, lambda: [(-torch.ones(2, 4),)])
    assert "relu(x=tensor (2, 4)) is not close enough" in _said(big, lambda x: x.abs(), capsys)
    labelled = _exercise(write_function, "relu(x)", torch.relu, _relu_cases)
    assert "relu(…) on a row with a zero" in _said(labelled, lambda x: x.abs(), capsys)


def test_write_function_tells_not_attempted_from_wrong(capsys):
    ex = _exercise(write_function, "relu(x)", torch.relu, _relu_cases)

    def relu(x):
        """Return max(x, 0), elementwise."""
        ...

    def forgot_return(x):
        x.clamp(min=0)

    assert "⏳ Q1 · test: not attempted yet (the body of relu(x) is still `...`)" in \
        _said(ex, relu, capsys)
    assert "returned None: is a `return` missing?" in _said(ex, forgot_return, capsys)
    out = _said(ex, lambda x: x.nope(), capsys)
    assert "relu(…) on a row with a zero raised AttributeError" in out and out.count("\n") == 1
    assert "expected a function (relu(x)), got an int" in _said(ex, 3, capsys)


def test_the_learners_function_cannot_spoil_the_reference_inputs():
    def relu_in_place(x):
        return x.clamp_(min=0)

    ex = _exercise(write_function, "relu(x)", torch.relu, _relu_cases)
    assert ex.check(relu_in_place)


def test_write_function_compares_tuples_and_lets_a_diagnosis_explain(capsys):
    def reference(x):
        return x.sum(), x.mean()

    def diagnose(got, expected, args):
        return "the two are swapped" if math.isclose(got[0], expected[1]) else None

    ex = _exercise(write_function, "stats(x)", reference, lambda: [(torch.arange(4.0),)],
                   parts=("total", "mean"), diagnose=diagnose)
    assert ex.check(lambda x: (x.sum().item(), x.mean()))
    assert "stats(x=tensor([0, 1, 2, 3])): the two are swapped" in _said(
        ex, lambda x: (x.mean(), x.sum()), capsys)
    assert "mean from stats(x=tensor([0, 1, 2, 3])) is not close enough" in _said(
        ex, lambda x: (x.sum(), x.max()), capsys)
    assert "expected 2 values (from stats(x=tensor([0, 1, 2, 3]))), got a float" in _said(
        ex, lambda x: 1.0, capsys)


def test_write_function_names_a_known_mistake_after_the_diagnosis(capsys):
    def swapped(x, y):
        return y - x

    def diagnose(got, expected, args):
        return "not a number" if not torch.is_tensor(got) else None

    ex = _exercise(write_function, "diff(x, y)", lambda x, y: x - y,
                   lambda: [(torch.tensor([1.0, 5.0]), torch.tensor([2.0, 3.0]))],
                   diagnose=diagnose, mistakes=[(swapped, "x comes first")], wrong_answers=[torch.add, swapped])
    assert ex.wrong_answers == [swapped, torch.add], "every mistake is proven wrong too, once"
    assert ex.check(lambda x, y: x - y)
    assert "): x comes first" in _said(ex, swapped, capsys)
    assert "): not a number" in _said(ex, lambda x, y: [1.0, -2.0], capsys), "the diagnosis speaks first"
    assert "x comes first" not in _said(ex, torch.add, capsys)


def test_finite_or_explains_an_overflow(capsys):
    ex = _exercise(write_function, "softmax(S)", lambda S: S.softmax(-1),
                   lambda: [(torch.tensor([1000.0, 1001.0]),)],
                   diagnose=finite_or("exp overflowed"))
    out = _said(ex, lambda S: S.exp() / S.exp().sum(), capsys)
    assert "the result contains nan or inf: exp overflowed" in out


def test_finite_or_looks_into_every_part_of_a_tuple(capsys):
    ex = _exercise(write_function, "split(s)", lambda s: (s.sigmoid(), F.logsigmoid(s)),
                   lambda: [(torch.tensor([-1000.0, 2.0]),)], parts=("p", "log_p"),
                   diagnose=finite_or("log of 0"))
    out = _said(ex, lambda s: (s.sigmoid(), s.sigmoid().log()), capsys)
    assert "log of 0" in out, out

# ---------------------------------------------------------------------------------------------
# answers as code, shown as a notebook cell
# ---------------------------------------------------------------------------------------------
@computed
def _shown_value():
    """This docstring is for maintainers, not part of the cell."""
    # the data
    data = torch.tensor([1.0, 2.0,
                         3.0])
    return (data.mean(),
            data.std())   # two numbers


def _shown_function(x):
    return torch.relu(x)


def test_value_of_calls_only_computed_answers():
    assert value_of(_shown_value)[0].item() == 2.0
    assert value_of(_shown_function) is _shown_function


def test_a_computed_answer_is_shown_as_its_body_ending_in_answer():
    assert source_of(_shown_value) == (
        "import torch\n\n"
        "# the data\n"
        "data = torch.tensor([1.0, 2.0,\n"
        "                     3.0])\n"
        "answer = (data.mean(),\n"
        "          data.std())   # two numbers")


def test_a_written_function_is_shown_with_its_name_bound_to_answer():
    cell = source_of(_shown_function)
    assert cell.startswith("import torch\n\ndef _shown_function(x):")
    assert cell.endswith("\n\nanswer = _shown_function")


def test_a_computed_answer_must_end_in_return():
    @computed
    def no_return():
        x = 1  # noqa: F841

    with pytest.raises(TypeError, match="must end with `return"):
        source_of(no_return)
