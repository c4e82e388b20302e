"""Figures say what they show: legends name every mark, axes read as numbers."""

import numpy as np
import pytest

import midecay
from midecay import MICurve
from midecay.micurve import NULL_LINE_LABEL

pytestmark = [pytest.mark.needs_plot]


def _curve(lags, mi, floor, name):
    lags = np.asarray(lags)
    err = 0.02 * np.asarray(mi)
    return MICurve(lags, np.asarray(mi, float), err, np.full(len(lags), floor), np.full(len(lags), floor / 10),
                   lags * 0 + 10**5, 1000, 10**5, 1, "grassberger", "nats", {"source": name})


def test_comparison_draws_each_null_as_a_line_in_the_legend_not_blended_bands():
    """Hypothesis: several curves on one axes draw their nulls as dotted lines in their own colours,
    which the legend explains; no translucent band overlaps another into an unexplained colour."""
    from matplotlib.collections import PolyCollection

    d = np.array([1, 2, 4, 8, 16])
    a = _curve(d, 2.5 * d**-0.1, 1.7, "valid")
    b = _curve(d, 2.0 * d**-0.1, 0.8, "train")
    ax = midecay.compare([b, a], ["train", "valid"]).plot()
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert NULL_LINE_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]


def test_narrow_log_axes_read_as_plain_numbers():
    """Word-level I(d) spans a factor of a few: its tick labels are 2, 3, 4, not 2×10⁰."""
    d = np.array([1, 2, 4, 8, 16])
    ax = _curve(d, 4.0 * d**-0.1, 0.5, "words").plot()
    assert ax.yaxis.get_minor_formatter()(3.0, 0) == "3"
    assert ax.yaxis.get_major_formatter()(1.0, 0) == "1"
    wide = _curve(d, 0.1 * d**-2.0, 1e-6, "chars").plot()
    assert wide.yaxis.get_minor_formatter()(3e-3, 0) != "0.003"  # many decades: matplotlib's own labels stay


def test_design_figure_names_what_it_draws():
    """Hypothesis: the legend names levels only when levels are drawn, and the dilations; no colour
    is named in an axis label."""
    from midecay.design import design_dilations
    from midecay.synth import gaussian_sign

    s = gaussian_sign(1000, 600, alpha=0.5, seed=0).symbols
    curve = midecay.mi_curve(s, midecay.log_lags(1, 500, 20), seed=0)
    for layers in (5, None):
        design = design_dilations(curve, n_layers=layers)
        ax = design.plot()
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(label.startswith("dilations") for label in labels)
        assert any(label.startswith("levels") for label in labels) == bool(design.levels)
        assert "blue" not in ax.get_ylabel() and "red" not in ax.get_xlabel()


def test_grid_figure_has_one_point_per_configuration():
    """Three 'given' sets of two seeds each: three points (seed means with bars), all in the legend's count."""
    from midecay.experiments.grid.result import GridResult

    rows = []
    for k, dil in enumerate(([1, 2], [1, 2, 4], [1, 4])):
        for seed in (0, 1):
            rows.append({"key": f"{k}{seed}", "metric": "test_accuracy", "test_accuracy": 0.5 + 0.1 * k + 0.01 * seed,
                         "role": "given", "set_name": f"set{k}", "dilations": dil, "width": 8, "seed": seed,
                         "max_dilation": max(dil), "layers": len(dil), "parameters": 100, "seconds": 1.0})
    ax = GridResult("g", tuple(rows)).plot()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["given (3 configurations)"]
    assert len(ax.containers) == 1 and len(ax.containers[0].lines[0].get_xdata()) == 3
