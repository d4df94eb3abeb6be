import pytest
import torch

from dlcourse import check
from dlcourse.check import CheckFailed


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


def test_failures_render_without_a_traceback_in_ipython():
    assert CheckFailed("bad")._render_traceback_() == ["✗ bad"]


def test_a_passing_check_is_true_but_shows_nothing_as_a_cells_value():
    verdict = check.equal(1, 1)
    assert verdict and verdict._ipython_display_() is None


def test_python_floats_are_compared_in_double_precision():
    assert check.close(0.46211715726000974, 0.46211715726000974, rtol=0, atol=1e-15)
