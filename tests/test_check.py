from fractions import Fraction

import numpy as np
import pytest
import torch

from dlcourse import check
from dlcourse.check import CheckFailed, NotAttempted


def test_close_accepts_right_and_names_the_difference_when_wrong(capsys):
    assert check.close(torch.tensor([1.0, 2.0]), [1.0, 2.0])
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="largest difference 0.5 at flat index 1"):
        check.close(torch.tensor([1.0, 2.5]), [1.0, 2.0])
    with pytest.raises(CheckFailed, match=r"shape \(3,\), expected \(2,\)"):
        check.close(torch.zeros(3), torch.zeros(2))
    with pytest.raises(CheckFailed, match="no answer yet"):
        check.close(..., 1.0)


def test_shape_dtype_equal():
    assert check.shape(torch.zeros(2, 3), (2, 3))
    with pytest.raises(CheckFailed, match=r"shape \(2, 3\), expected \(3, 2\)"):
        check.shape(torch.zeros(2, 3), (3, 2))
    with pytest.raises(CheckFailed, match="dtype"):
        check.dtype(torch.zeros(1), torch.int64)
    with pytest.raises(CheckFailed, match="expected 4"):
        check.equal(3, 4)
    with pytest.raises(CheckFailed, match="expected a tensor"):
        check.shape(object(), (1,))


def test_against_reference_reports_a_learners_exception_briefly():
    x = torch.randn(4, 3)
    assert check.against_reference(lambda t: t.relu(), torch.relu, x)
    with pytest.raises(CheckFailed, match="raised ValueError: nope"):
        check.against_reference(lambda t: (_ for _ in ()).throw(ValueError("nope")), torch.relu, x)
    with pytest.raises(CheckFailed, match="vs the PyTorch reference"):
        check.against_reference(lambda t: t.abs(), torch.relu, x)


def test_gradient_check_catches_a_wrong_backward():
    assert check.gradient(lambda a, b: (a * b).sin().sum(), torch.randn(3), torch.randn(3))

    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2x

    with pytest.raises(CheckFailed, match="gradient of input 0"):
        check.gradient(lambda x: WrongSquare.apply(x).sum(), torch.randn(4))


def test_gradient_check_steps_relative_to_the_input():
    # At x = 1e12 a float64 step of 1e-6 is below one ulp (x + h == x): the step must scale with |x|
    fn, x = (lambda t: (t ** 2).sum() / 1e12), torch.tensor([1e12, -3e11, 0.5])
    assert check.gradient(fn, x)
    with pytest.raises(CheckFailed):
        check.gradient(fn, x, eps=1e-6)


def test_failures_render_without_a_traceback_in_ipython():
    assert CheckFailed("bad")._render_traceback_() == ["✗ bad"]


def test_a_passing_check_is_true_but_shows_nothing_as_a_cells_value():
    verdict = check.equal(1, 1)
    assert verdict and verdict._ipython_display_() is None


def test_python_floats_are_compared_in_double_precision():
    assert check.close(0.46211715726000974, 0.46211715726000974, rtol=0, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# readers: one rule each for what a learner's answer may be
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (2.5, 2.5), (np.float32(0.5), 0.5), (np.int64(7), 7.0), (np.array(1.5), 1.5),
    (torch.tensor(2.0), 2.0), (torch.tensor([4.0]), 4.0), (torch.tensor(3, dtype=torch.int64), 3.0),
    (torch.tensor(1.0, requires_grad=True) * 2, 2.0), (Fraction(1, 4), 0.25),
])
def test_as_number_accepts_reals_and_one_value_arrays(value, expected):
    got = check.as_number(value)
    assert got == expected and type(got) is float


@pytest.mark.parametrize("value, message", [
    (True, "True/False is not a number"),
    (np.bool_(False), "True/False is not a number"),
    (torch.tensor(True), "True/False is not a number"),
    ("3.5", "without quotes"),
    (b"3", "without quotes"),
    (1 + 2j, "expected a number"),
    ([1.0], "expected a number"),
    (None, "expected a number"),
    (torch.zeros(3), r"one number .* shape \(3,\)"),
    (float("nan"), "finite"),
    (np.inf, "finite"),
])
def test_as_number_rejects_with_a_reason(value, message):
    with pytest.raises(CheckFailed, match=message):
        check.as_number(value, "x")


def test_a_dot_dot_dot_anywhere_is_not_attempted_rather_than_wrong():
    for read in (check.as_number, check.as_whole_number, check.as_tensor, check.as_array):
        with pytest.raises(NotAttempted, match="still `...`"):
            read(...)
    with pytest.raises(NotAttempted):
        check.as_pair(...)
    with pytest.raises(NotAttempted):
        check.as_label(..., ["a"])
    assert issubclass(NotAttempted, CheckFailed)


def test_as_whole_number_accepts_integral_floats_only():
    assert check.as_whole_number(55.0) == 55 and check.as_whole_number(torch.tensor(7)) == 7
    with pytest.raises(CheckFailed, match="whole number"):
        check.as_whole_number(55.5)
    with pytest.raises(CheckFailed, match="True/False"):
        check.as_whole_number(True)


def test_as_tensor_is_strict_and_checks_the_shape():
    t = torch.ones(2, 3, requires_grad=True)
    got = check.as_tensor(t, shape=(2, 3))
    assert got.dtype == t.dtype and not got.requires_grad
    with pytest.raises(CheckFailed, match=r"torch.Tensor .* a list: wrap it with torch.tensor"):
        check.as_tensor([[1.0, 2.0]])
    with pytest.raises(CheckFailed, match="ndarray of shape"):
        check.as_tensor(np.zeros(2))
    with pytest.raises(CheckFailed, match=r"has shape \(2, 3\), expected \(3, 2\)"):
        check.as_tensor(t, "V", shape=(3, 2))


def test_as_array_takes_any_array_form_as_float64():
    for value in (np.arange(3), [0, 1, 2], (0.0, 1.0, 2.0), torch.arange(3.0)):
        got = check.as_array(value, shape=(3,))
        assert got.dtype == torch.float64 and got.tolist() == [0.0, 1.0, 2.0]
    assert check.as_array(2.5).item() == 2.5
    for bad in ("123", {"a": 1}, {1, 2}, None, print, np.array([True]), torch.tensor([True]),
                [[1, 2], [3]], torch.tensor([1j])):
        with pytest.raises(CheckFailed, match="expected"):
            check.as_array(bad)


def test_as_tuple_and_as_pair_count_the_values():
    assert check.as_pair([1, 2]) == (1, 2)
    assert len(check.as_pair(torch.tensor([1.0, 2.0]))) == 2
    with pytest.raises(CheckFailed, match=r"expected 2 values \(c_mse, c_mae\), got 3"):
        check.as_pair((1, 2, 3), "c_mse, c_mae")
    for bad in ("ab", {1: 2}, {1, 2}, 5):
        with pytest.raises(CheckFailed, match="expected 2 values"):
            check.as_pair(bad)
    assert check.as_tuple([1, 2, 3], 3) == (1, 2, 3)


def test_as_label_ignores_case_spaces_and_dashes_and_knows_aliases():
    options = ["good fit", "overfitting"]
    assert check.as_label("  Good-Fit ", options) == "good fit"
    assert check.as_label("overfit", options, aliases={"overfit": "overfitting"}) == "overfitting"
    with pytest.raises(CheckFailed, match="'underfit' is not one of 'good fit', 'overfitting'"):
        check.as_label("underfit", options)
    with pytest.raises(CheckFailed, match="expected text"):
        check.as_label(3, options)


def test_as_choices_wants_a_collection_of_known_options():
    assert check.as_choices(["A", "b"], ["a", "b", "c"]) == {"a", "b"}
    with pytest.raises(CheckFailed, match="expected a set such as"):
        check.as_choices("ab", ["a", "b", "c"])
    with pytest.raises(CheckFailed, match="'z' not among the choices"):
        check.as_choices({"a", "z"}, ["a", "b", "c"])


def test_as_ordering_wants_every_item_once():
    assert check.as_ordering(("b", "A", "c"), ["a", "b", "c"]) == ["b", "a", "c"]
    with pytest.raises(CheckFailed, match="'a' appear more than once"):
        check.as_ordering(["a", "a", "b", "c"], ["a", "b", "c"])
    with pytest.raises(CheckFailed, match="'c' missing"):
        check.as_ordering(["a", "b"], ["a", "b", "c"])
    with pytest.raises(CheckFailed, match="expected a list"):
        check.as_ordering("abc", ["a", "b", "c"])


def test_is_stub_recognises_an_untouched_body():
    def dots(x):
        ...

    def documented(x):
        """What it should do."""
        ...

    def passes(x):
        pass

    def returns_dots(x):
        return ...

    def written(x):
        return x * 2

    def no_return(x):
        x = x * 2  # noqa: F841 -- a forgotten return, not a stub

    class Stub:
        def __init__(self, params):
            ...

        def step(self):
            ...

    class Half(Stub):
        def step(self):
            return 1

    assert all(check.is_stub(f) for f in (dots, documented, passes, returns_dots, Stub))
    assert not any(check.is_stub(f) for f in (written, no_return, Half, torch.relu, len, 3))


def test_as_function_and_call_report_the_learners_side_in_one_line():
    def dots(x):
        ...

    def no_return(x):
        x.append(1)

    with pytest.raises(NotAttempted, match="body of f\\(x\\) is still `...`"):
        check.as_function(dots, "f(x)")
    with pytest.raises(CheckFailed, match="expected a function \\(f\\(x\\)\\), got an int"):
        check.as_function(3, "f(x)")
    with pytest.raises(CheckFailed, match=r"^f\(2\) raised ZeroDivisionError: division by zero$"):
        check.call(lambda x: x / 0, 2, what="f(2)")
    with pytest.raises(CheckFailed, match="returned None: is a `return` missing"):
        check.call(no_return, [], what="f(2)")
    with pytest.raises(NotAttempted):
        check.call(lambda x: ..., 2, what="f(2)")
    assert check.call(np.exp, np.array([1000.0]), what="exp").item() == np.inf  # no warning


def test_rule_out_explains_a_known_mistake():
    check.rule_out(1.0, {2.0: "twice"})
    with pytest.raises(CheckFailed, match="^2 is not it: twice$"):
        check.rule_out(2.0 + 1e-12, {2.0: "twice"})
    with pytest.raises(CheckFailed, match="^transposed$"):
        check.rule_out(torch.eye(2) * 3, [(torch.eye(2) * 3, "transposed")])
    check.rule_out(torch.ones(2), [(torch.ones(3), "different shape: not this mistake")])


def test_matches_compares_tuples_part_by_part_and_scalars_leniently():
    assert check.matches((torch.ones(2), 3.0), (torch.ones(2), torch.tensor(3.0)))
    assert check.matches(torch.tensor([3.0]), torch.tensor(3.0))
    assert check.matches([2, 4], (2, 4))
    with pytest.raises(CheckFailed, match=r"f\(x\) is \(2, 5\), expected \(2, 4\)"):
        check.matches((2, 5), (2, 4), name="f(x)")
    with pytest.raises(CheckFailed, match=r"dW from f\(x\) has shape \(3, 2\), expected \(2, 3\)"):
        check.matches((torch.ones(2), torch.ones(3, 2)), (torch.ones(2), torch.ones(2, 3)),
                      name="f(x)", parts=("dX", "dW"))
    with pytest.raises(CheckFailed, match="contains inf where the right answer is finite"):
        check.matches(torch.tensor([1.0, float("inf")]), torch.ones(2))
    with pytest.raises(CheckFailed, match="one number"):
        check.matches(torch.ones(4), torch.tensor(1.0))


def test_matches_keeps_one_element_arrays_as_arrays():
    import torch
    assert check.matches(torch.tensor([2.0]), torch.tensor([2.0]))
    assert check.matches(torch.tensor([2.0]), torch.tensor(2.0))  # a number as a 1-element tensor
    with pytest.raises(check.CheckFailed):
        check.matches(torch.tensor([3.0]), torch.tensor([2.0]))
