"""L1.09's FeatureScaling widget: feature scale and preprocessing → loss contours and GD path."""
from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets import feature_scaling as fs
from dlcourse.widgets import loss_surface as ls
from dlcourse.widgets.base import Explorer
from dlcourse.widgets.feature_scaling import GALLERY, FeatureScaling


# ---------------------------------------------------------------------------------------------
# the pure compute functions, against known answers
# ---------------------------------------------------------------------------------------------
def test_preprocess_known_answers():
    x = np.array([2.0, 4.0, 6.0, 8.0])
    np.testing.assert_allclose(fs.preprocess(x, "raw"), x)
    np.testing.assert_allclose(fs.preprocess(x, "min-max"), [0, 1 / 3, 2 / 3, 1])
    z = fs.preprocess(x, "standardized")
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1)
    with pytest.raises(ValueError):
        fs.preprocess(x, "whitened")


@pytest.mark.parametrize("scale", fs.SCALES)
def test_condition_number_of_raw_feature_follows_the_formula(scale):
    # x = scale·u with u of mean 1, std 1: H = 2 [[2 s², s], [s, 1]], so κ = (t + r) / (t − r)
    # with t = 2s² + 1 and r = √(t² − 4s²) (the determinant of H/2 is s²)
    r = fs.scaled_surface(scale, "raw", 1.0, 5, resolution=11)
    t = 2 * scale ** 2 + 1
    root = np.sqrt(t * t - 4 * scale ** 2)
    assert r.surface.curv.cond == pytest.approx((t + root) / (t - root), rel=1e-9)


@pytest.mark.parametrize("scale", [0.1, 1, 20])
def test_standardized_is_perfectly_conditioned_and_converges_in_one_step(scale):
    r = fs.scaled_surface(scale, "standardized", 1.0, 20, resolution=11)
    assert r.surface.curv.cond == pytest.approx(1.0)
    assert r.lr == pytest.approx(0.5)  # 2 / (λ_max + λ_min) with H = 2 I
    assert r.steps_needed == 1  # lr = 1/λ on a round bowl: straight to the minimum
    np.testing.assert_allclose(r.surface.path.params[1], (r.surface.best.w, r.surface.best.b),
                               atol=1e-12)


def test_min_max_is_in_between_and_does_not_depend_on_scale():
    conds = {s: fs.scaled_surface(s, "min-max", 1.0, 5, resolution=11).surface.curv.cond
             for s in (0.1, 1, 20)}
    assert conds[0.1] == pytest.approx(conds[1]) == pytest.approx(conds[20])
    assert 1 < conds[1] < fs.scaled_surface(20, "raw", 1.0, 5, resolution=11).surface.curv.cond


def test_raw_badly_scaled_feature_needs_many_more_steps():
    raw = fs.scaled_surface(10, "raw", 1.0, 500, resolution=11)
    std = fs.scaled_surface(10, "standardized", 1.0, 500, resolution=11)
    assert std.steps_needed == 1
    assert raw.steps_needed is None or raw.steps_needed > 100


def test_lr_factor_above_the_limit_diverges_for_ill_conditioned_raw_features():
    r = fs.scaled_surface(10, "raw", 1.2, 300, resolution=11)  # 1.2 × best > 2/λ_max when κ ≫ 1
    assert r.surface.path.diverged_at is not None
    ok = fs.scaled_surface(10, "standardized", 1.2, 300, resolution=11)
    assert ok.surface.path.diverged_at is None and ok.steps_needed is not None


def test_the_window_is_square_and_holds_start_and_minimum():
    r = fs.scaled_surface(5, "raw", 1.0, 10, resolution=11)
    w_lo, w_hi, b_lo, b_hi = r.surface.window
    assert w_hi - w_lo == pytest.approx(b_hi - b_lo)
    for w, b in [(0.0, 0.0), (r.surface.best.w, r.surface.best.b)]:
        assert w_lo < w < w_hi and b_lo < b < b_hi


# ---------------------------------------------------------------------------------------------
# the widget, driven headless through every control
# ---------------------------------------------------------------------------------------------
def _contour(w):
    return np.asarray(w.fig.data[0].z, float)


def _path(w):
    return np.c_[np.asarray(w.fig.data[1].x, float), np.asarray(w.fig.data[1].y, float)]


def test_gallery_and_explorer_pattern():
    w = GALLERY["FeatureScaling"]()
    assert isinstance(w, Explorer) and isinstance(w, FeatureScaling)
    assert isinstance(w, ls.PathExplorer), "FeatureScaling reuses L1.04's loss-surface drawing"
    first = next(c for c in w.controls.values() if "Slider" in type(c).__name__)
    assert first is w.controls["scale"], "the browser test drags the first slider: the scale"
    assert w.fig.layout.title.text and w.fig.layout.xaxis.title.text and w.fig.layout.yaxis.title.text
    assert "κ" in w.status.value


def test_scale_slider_changes_the_elongation_of_the_contours():
    w = FeatureScaling()
    slider = w.controls["scale"]
    conds = []
    for index in range(len(slider.options)):
        before = _contour(w)
        slider.index = index
        conds.append(float(w.fig.layout.title.text.split("κ = ")[1].split(" ")[0].replace(",", "")))
        assert not np.array_equal(_contour(w), before), f"scale {slider.value} left the contours alone"
    # κ is smallest near scale 1 and grows on both sides, fastest for large scales
    assert min(conds) == conds[slider.options.index(1)]
    assert conds[-1] > 100 * conds[slider.options.index(1)]
    # where the browser test drags it
    slider.value = 1
    before = (_contour(w).copy(), _path(w).copy())
    slider.index = round(0.85 * (len(slider.options) - 1))
    after = (_contour(w), _path(w))
    assert not np.array_equal(before[0], after[0]) and not np.array_equal(before[1], after[1])


def test_every_preprocessing_option_at_several_scales():
    w = FeatureScaling()
    for scale in (0.1, 1, 20):
        w.controls["scale"].value = scale
        seen = {}
        for how in fs.PREPROCESSING:
            w.controls["preprocessing"].value = how
            seen[how] = _contour(w).copy()
            assert how.split("-")[0] in w.fig.layout.title.text or how == "raw"
            if how == "standardized":
                assert "κ = 1 " in w.fig.layout.title.text
                assert "after <b>1</b> step" in w.status.value
        assert not np.array_equal(seen["raw"], seen["standardized"])


@pytest.mark.parametrize("name", ["lr_factor", "steps"])
def test_numeric_sliders_min_mid_max(name):
    w = FeatureScaling(scale=5)
    s = w.controls[name]
    paths = []
    for value in (s.min, (s.min + s.max) / 2, s.max):
        s.value = int(value) if name == "steps" else round(value, 2)
        paths.append(_path(w))
        assert w.status.value
    assert not np.array_equal(paths[0], paths[2])
    if name == "steps":
        assert len(paths[0]) == s.min + 1 and len(paths[2]) == s.max + 1
    else:  # at 1.5 × the best rate, the raw ×5 problem (κ ≈ 100) diverges
        assert "Diverged" in w.status.value
