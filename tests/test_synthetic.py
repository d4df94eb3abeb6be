import math

import numpy as np
import pytest
import torch

from dlcourse.data import adding_problem, regression_curve, two_d
from dlcourse.data.synthetic import CLASSIFICATION, KINDS, REGRESSION


@pytest.mark.parametrize("kind", KINDS)
def test_shapes_and_dtypes(kind):
    X, y = two_d(kind, n=101, seed=0)
    assert X.shape == (101, 2) and X.dtype == torch.float32
    if kind in CLASSIFICATION:
        assert y.shape == (101,) and y.dtype == torch.int64
    else:
        assert y.shape == (101, 1) and y.dtype == torch.float32
    assert X.abs().max() < 2  # about [-1, 1]² plus noise


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_data_other_seed_other_data(kind):
    X1, y1 = two_d(kind, n=50, seed=3)
    X2, y2 = two_d(kind, n=50, seed=3)
    X3, _ = two_d(kind, n=50, seed=4)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


def test_global_random_state_is_left_alone():
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()
    two_d("spiral", seed=0)
    regression_curve(seed=0)
    assert np.array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


@pytest.mark.parametrize("kind", CLASSIFICATION)
@pytest.mark.parametrize("n", [200, 201])
def test_classes_are_balanced_and_shuffled(kind, n):
    _, y = two_d(kind, n=n, seed=0)
    assert y.sum().item() == n // 2 and set(y.tolist()) == {0, 1}
    assert 0 < y[: n // 2].sum() < n // 2  # not all ones at the end


def nearest_neighbour_accuracy(X, y):
    distances = torch.cdist(X, X)
    distances.fill_diagonal_(math.inf)
    return (y[distances.argmin(1)] == y).float().mean().item()


@pytest.mark.parametrize("kind", CLASSIFICATION)
def test_noise_blurs_the_classes(kind):
    clean = nearest_neighbour_accuracy(*two_d(kind, n=400, noise=0.0, seed=0))
    noisy = nearest_neighbour_accuracy(*two_d(kind, n=400, noise=1.0, seed=0))
    assert clean > 0.97, "without noise the two classes should not mix"
    assert noisy < clean - 0.1


def test_clean_sets_follow_their_rule():
    X, y = two_d("circle", n=400, noise=0.0)
    radius = X.norm(dim=1)
    assert (radius[y == 1] <= 0.5).all() and (radius[y == 0] >= 0.7).all()
    X, y = two_d("xor", n=400, noise=0.0)
    assert torch.equal((X[:, 0] * X[:, 1] > 0).long(), y)
    X, y = two_d("gauss", n=400, noise=0.0)
    assert X[y == 1].mean(0).sub(0.5).abs().max() < 0.05
    assert X[y == 0].mean(0).add(0.5).abs().max() < 0.05


@pytest.mark.parametrize("kind", REGRESSION)
def test_regression_noise_is_on_the_targets(kind):
    X, clean = two_d(kind, n=2000, noise=0.0, seed=0)
    X_noisy, noisy = two_d(kind, n=2000, noise=0.2, seed=0)
    assert torch.equal(X, X_noisy)
    assert (noisy - clean).std().item() == pytest.approx(0.2, rel=0.1)
    assert X.min() >= -1 and X.max() <= 1


def test_plane_is_a_plane():
    X, y = two_d("plane", n=100, noise=0.0)
    assert torch.allclose(y[:, 0], (X[:, 0] + X[:, 1]) / 2, atol=1e-6)


def test_multi_gauss_has_bumps_of_both_signs():
    _, y = two_d("multi_gauss", n=4000, noise=0.0)
    assert y.max() > 0.8 and y.min() < -0.8


def test_unknown_kind():
    with pytest.raises(ValueError, match="spiral"):
        two_d("swirl")


def test_regression_curve():
    x, y = regression_curve(n=50, noise=0.0, seed=0)
    assert x.shape == y.shape == (50, 1) and x.dtype == y.dtype == torch.float32
    assert (x[1:] >= x[:-1]).all() and 0 <= x.min() and x.max() <= 1
    assert torch.allclose(y, torch.sin(2 * math.pi * x), atol=1e-5)

    x, y = regression_curve(n=50, noise=0.0, fn=lambda x: x ** 2, low=-2, high=2)
    assert -2 <= x.min() and x.max() <= 2 and torch.allclose(y, x ** 2, atol=1e-5)

    _, noisy = regression_curve(n=5000, noise=0.3, seed=1)
    x, clean = regression_curve(n=5000, noise=0.0, seed=1)
    assert (noisy - clean).std().item() == pytest.approx(0.3, rel=0.1)
    assert torch.equal(regression_curve(seed=7)[1], regression_curve(seed=7)[1])


def test_adding_problem_marks_one_step_in_each_half():
    X, y = adding_problem(500, length=20, seed=3)
    assert X.shape == (500, 20, 2) and y.shape == (500,) and X.dtype == y.dtype == torch.float32
    markers = X[..., 1]
    assert torch.equal(markers[:, :10].sum(1), torch.ones(500))
    assert torch.equal(markers[:, 10:].sum(1), torch.ones(500))
    assert torch.allclose(y, (X[..., 0] * markers).sum(1))
    assert abs(y.mean().item() - 1) < 0.05 and abs(y.var().item() - 1 / 6) < 0.03
    assert torch.equal(adding_problem(5, 20, seed=3)[0], adding_problem(5, 20, seed=3)[0])
    with pytest.raises(ValueError, match="length"):
        adding_problem(5, length=1)


# ------------------------------------------------------------------------- shapes segmentation
def test_shapes_segmentation_shapes_dtypes_and_seeds():
    from dlcourse.data import SHAPE_CLASSES, shapes_segmentation
    X, masks = shapes_segmentation(40, size=24, seed=0)
    assert X.shape == (40, 1, 24, 24) and X.dtype == torch.float32
    assert masks.shape == (40, 24, 24) and masks.dtype == torch.int64
    assert set(masks.unique().tolist()) == set(range(len(SHAPE_CLASSES)))
    X2, masks2 = shapes_segmentation(40, size=24, seed=0)
    assert torch.equal(X, X2) and torch.equal(masks, masks2)
    assert not torch.equal(masks, shapes_segmentation(40, size=24, seed=1)[1])
    assert ((masks > 0).flatten(1).any(1)).all()          # every image holds a shape


def test_shapes_segmentation_masks_match_the_pixels():
    from dlcourse.data import shapes_segmentation
    X, masks = shapes_segmentation(60, size=32, noise=0.0, seed=2)
    shape, background = X[:, 0][masks > 0], X[:, 0][masks == 0]
    assert shape.min() >= 0.45 - 1e-6 and background.max() <= 0.3 + 1e-6   # noise-free: separable
    noisy, _ = shapes_segmentation(60, size=32, noise=0.15, seed=2)
    assert (noisy - X).std().item() == pytest.approx(0.15, rel=0.05)
    # brightness does not give the class away: the classes' mean brightness is about the same
    means = [X[:, 0][masks == c].mean().item() for c in (1, 2, 3)]
    assert max(means) - min(means) < 0.08


def test_shapes_look_like_their_class():
    from dlcourse.data.synthetic import _shape_mask
    rows, cols = np.mgrid[0:64, 0:64].astype(float)
    r = 20.0
    area = {kind: _shape_mask(kind, rows, cols, 31.7, 32.4, r, 0.3).sum()
            for kind in ("circle", "square", "triangle")}
    assert area["circle"] == pytest.approx(np.pi * r ** 2, rel=0.03)
    assert area["square"] == pytest.approx((1.6 * r) ** 2, rel=0.06)
    assert area["triangle"] == pytest.approx(3 * np.sqrt(3) / 4 * (1.1 * r) ** 2, rel=0.05)


def test_dates_pairs_every_written_form_with_its_iso_date():
    import datetime as dt

    from dlcourse.data import dates
    from dlcourse.data.synthetic import DATE_FORMATS
    sources, targets = dates(2000, seed=1)
    assert len(sources) == len(targets) == 2000
    assert dates(2000, seed=1) == (sources, targets)
    days = [dt.date.fromisoformat(t) for t in targets]
    assert min(days).year >= 1950 and max(days).year <= 2049
    # each source is its own target's date written in one of the formats
    for source, day in zip(sources, days):
        assert source in {fmt(day) for fmt in DATE_FORMATS}
    assert len({s.split()[0] for s in sources}) > 20          # many forms, not one
    assert dates(3, seed=1)[0] != dates(3, seed=2)[0]
    with pytest.raises(ValueError, match="comes before"):
        dates(3, first_year=2000, last_year=1999)


# ---------------------------------------------------------------------------- shapes detection
def test_shapes_detection_boxes_are_the_tightest_around_each_shape():
    from dlcourse.data import shapes_detection, shapes_segmentation
    X, targets = shapes_detection(50, size=32, noise=0.0, seed=4)
    X_seg, masks = shapes_segmentation(50, size=32, noise=0.0, seed=4)
    assert torch.equal(X, X_seg) and len(targets) == 50                 # the same scenes
    for mask, (boxes, labels) in zip(masks, targets):
        assert boxes.dtype == torch.float32 and boxes.shape == (len(labels), 4)
        assert labels.dtype == torch.int64 and 1 <= len(labels) <= 3
        assert set(labels.tolist()) <= {1, 2, 3}
        covered = torch.zeros_like(mask)
        for (x1, y1, x2, y2), label in zip(boxes.long().tolist(), labels.tolist()):
            inside = mask[y1:y2, x1:x2]
            assert (inside == label).any(dim=0).all() and (inside == label).any(dim=1).all()  # tight
            covered[y1:y2, x1:x2] += (inside == label).long()
        assert torch.equal(covered > 0, mask > 0)          # every shape pixel is in its class's box
        # shapes do not touch, so no pixel is claimed by two boxes of its class
        assert covered.max() <= 1
    X2, targets2 = shapes_detection(50, size=32, noise=0.0, seed=4)
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(targets, targets2))


def test_shapes_detection_counts_every_shape_once():
    from dlcourse.data import shapes_detection
    from dlcourse.data.synthetic import _shape_scenes
    _, masks, instances = _shape_scenes(30, 40, 0.1, 3, 9)
    _, targets = shapes_detection(30, size=40, noise=0.1, seed=9)
    for mask, inst, (boxes, labels) in zip(masks, instances, targets):
        assert len(boxes) == int(inst.max())
        assert labels.tolist() == [int(mask[inst == k][0]) for k in range(1, int(inst.max()) + 1)]
