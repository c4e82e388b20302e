"""Dilations from decay curves: the grid-search paper's rules on curves whose shape is known, and on real data."""

import json
import math

import numpy as np
import pytest

import midecay
from midecay import MICurve
from midecay.design import (
    DilationDesign,
    design_dilations,
    geometric_dilations,
    matched_grid,
    standard_dilations,
    standard_up_to,
)
from midecay.errors import InputError


def known_curve(lags, mi, floor_noise=1e-12):
    """An MICurve holding exact values (1 % errors) above a zero floor."""
    lags = np.asarray(lags)
    mi = np.asarray(mi, dtype=float)
    zeros = np.zeros(len(lags))
    return MICurve(lags, mi, 0.01 * mi, zeros, zeros + floor_noise, lags * 0 + 10**6, 2, 10**6, 1, "grassberger", "nats",
                   {"source": "constructed"})


def broken(d, a1=2.0, a2=0.5, db=30.0, c=0.1):
    d = np.asarray(d, dtype=float)
    return np.where(d < db, c * d**-a1, c * db**-a1 * (d / db) ** -a2)


LAGS = midecay.log_lags(1, 1000, 40)


def test_power_law_levels_cross_at_geometric_distances():
    """Hypothesis: on I = c d^-alpha, levels equally spaced in log I are crossed at distances
    equally spaced in log d, so the real crossings are exactly geometric from 1 to the max."""
    curve = known_curve(LAGS, 0.1 * LAGS**-0.5)
    for read_from in ("curve", "fit"):  # an exact power law: its envelope and its fitted law agree
        design = design_dilations(curve, n_layers=7, read_from=read_from)
        assert design.kind == "power_law" and design.source == read_from and design.pattern == "levels"
        ratios = np.diff(np.log(design.crossings))
        np.testing.assert_allclose(ratios, math.log(1000) / 6, rtol=1e-2)
        assert design.dilations == geometric_dilations(1000, 7) == (1, 3, 10, 32, 100, 316, 1000)
        assert design.other_dilations == design.dilations and "reads the same dilations" in design.summary()


def test_broken_power_law_is_dense_before_the_break_sparse_after():
    """Hypothesis: log I falls by a1 ln(db) before the break and by a2 ln(D/db) after it, so of
    L levels a fraction a1 ln(db) / (a1 ln(db) + a2 ln(D/db)) is crossed before the break.
    With a1 = 2, a2 = 0.5, db = 30, D = 1000 and 12 layers: 12 * 6.80 / (6.80 + 1.75) = 9.5
    crossings before d = 30; a design that ignored the slope (geometric) would put 6 there."""
    design = design_dilations(known_curve(LAGS, broken(LAGS)), n_layers=12)
    assert design.kind == "broken_power_law"
    assert design.break_distance == pytest.approx(30, rel=0.05)
    before = sum(c < design.break_distance for c in design.crossings)
    expected = 12 * 2 * math.log(30) / (2 * math.log(30) + 0.5 * math.log(1000 / 30))
    assert abs(before - expected) <= 1
    assert sum(r < 30 for r in geometric_dilations(1000, 12)) <= 6
    assert design.dilations[:5] == (1, 2, 3, 4, 5)  # the steep head: dense, the paper's 1, 2, 3, 4, 5 ...
    assert design.dilations[-1] == 1000


def test_exponential_curve_gets_the_standard_pattern_up_to_its_span():
    """Hypothesis (the paper): exponential decay has no long-range structure to pattern; the
    standard 1, 2, 4 ... runs up to where the curve meets its floor."""
    d = np.arange(1, 200)
    mi = 0.1 * np.exp(-d / 8.0)
    curve = MICurve(d, mi, 0.01 * mi + 1e-7, np.zeros(len(d)), np.full(len(d), 1e-6), d * 0 + 10**6, 2, 10**6, 1,
                    "grassberger", "nats")
    design = design_dilations(curve)
    assert design.kind == "exponential" and design.pattern == "standard"
    # 0.1 exp(-d/8) sinks under 3 * 1e-6 (the floor's noise) at d = 8 ln(0.1 / 3e-6) = 83.2.
    assert design.max_dilation == 83
    assert design.dilations == standard_up_to(83) == (1, 2, 4, 8, 16, 32, 64, 83)


def test_fixed_threshold_and_cap():
    """The paper's fixed threshold: I = 0.1 d^-2 crosses 1e-5 at d = 100; a cap wins when shorter."""
    curve = known_curve(LAGS, 0.1 * LAGS**-2.0)
    assert design_dilations(curve, threshold=1e-5).max_dilation == pytest.approx(100, abs=12)
    assert design_dilations(curve, threshold=1e-3).max_dilation == pytest.approx(10, abs=2)
    capped = design_dilations(curve, 5, cap=64)
    assert capped.max_dilation == 64 and "capped at 64" in capped.max_reason and capped.dilations[-1] == 64
    with pytest.raises(InputError, match="threshold"):
        design_dilations(curve, threshold=-1)


def test_integer_dilations_are_strictly_increasing_from_one():
    curve = known_curve(LAGS, broken(LAGS, a1=4.0))
    for layers in (2, 5, 12, 30):
        d = design_dilations(curve, layers).dilations
        assert len(d) == layers and d[0] == 1 and all(b > a for a, b in zip(d, d[1:]))
    with pytest.raises(InputError, match="layers need a max dilation"):
        design_dilations(curve, 12, cap=8)
    with pytest.raises(InputError, match="strictly increasing"):
        DilationDesign((1, 3, 2), 3, "", "power_law", "levels", (), (), "fit", None, "floor")


def test_standard_patterns():
    assert standard_dilations(4) == (1, 2, 4, 8)
    assert standard_up_to(780)[-2:] == (512, 780)  # the paper's Table 2 best
    assert standard_up_to(1) == (1,)


@pytest.mark.needs_plot
def test_design_round_trips_and_plots(tmp_path):
    design = design_dilations(known_curve(LAGS, broken(LAGS)), 8)
    design.to_json(tmp_path / "d.json")
    back = DilationDesign.from_json(tmp_path / "d.json")
    assert back.dilations == design.dilations and back.break_distance == design.break_distance
    assert back.curve is not None and np.array_equal(back.curve.mi, design.curve.mi)
    assert "dilations (8 layers)" in back.summary()
    ax = back.plot()
    # The figure holds what it names: one vertical line a dilation (plus the max dilation's), one
    # horizontal a level, and the floor-removed curve at the lags where it is positive.
    vertical = [line for line in ax.get_lines() if len(set(line.get_xdata())) == 1 and line.get_xdata()[0] in back.dilations]
    horizontal = [line for line in ax.get_lines() if len(set(line.get_ydata())) == 1 and line.get_ydata()[0] in back.levels]
    assert {float(line.get_xdata()[0]) for line in vertical} == set(map(float, back.dilations))
    assert len(horizontal) == len(back.levels)
    assert f"dilations ({len(back.dilations)})" in [t.get_text() for t in ax.get_legend().get_texts()]
    bad = json.loads((tmp_path / "d.json").read_text())
    bad["dilations"] = [1, "2"]
    with pytest.raises(InputError, match="dilations"):
        DilationDesign.from_dict(bad)


@pytest.mark.needs_torch
def test_matched_grid_pairs_each_design_with_a_twin_of_equal_size():
    """Hypothesis (Table 3): a DilatedRNN's parameter count depends on its layers, not its
    dilations, so each designed set and its standard twin have equal sizes."""
    from midecay.models.classifier import DilatedClassifier

    entries = matched_grid(design_dilations(known_curve(LAGS, broken(LAGS)), 12), (7, 8, 12), sweep=True)
    by_name = {e.name: e for e in entries}
    designed = [e for e in entries if e.role == "designed"]
    assert [len(e.dilations) for e in designed] == [7, 8, 12]
    for e in designed:
        twin = by_name[e.twin]
        assert twin.dilations == standard_dilations(len(e.dilations))
        sizes = {DilatedClassifier("gru", 16, d.dilations, 10).n_parameters() for d in (e, twin)}
        assert len(sizes) == 1
    # The sweep (a set already there as a twin is not repeated): standard patterns from 128 to 2048, and 1 ... 512, 1000.
    sweep = sorted(e.dilations[-1] for e in entries if e.role in ("max sweep", "standard twin"))
    assert sweep == [64, 128, 256, 512, 1000, 1024, 2048]


@pytest.fixture(scope="module")
def real_designs():
    out = {}
    for name, source, opts, lags in (("mnist", "dataset:mnist-5k", {}, midecay.log_lags(1, 783, 50)),
                                     ("permuted", "dataset:mnist-5k", {"permute_seed": 0}, midecay.log_lags(1, 783, 50)),
                                     ("ptb", "dataset:ptb/train", {}, midecay.log_lags(1, 1000, 40))):
        curve = midecay.mi_curve(midecay.open_source(source, **opts), lags, seed=0)
        out[name] = design_dilations(curve, 12 if name == "ptb" else None)
    return out


@pytest.mark.needs_data
def test_real_data_designs(real_designs):
    """What the paper found by eye: sequential MNIST is periodic at 28 (max dilation 28; over the whole
    frame its peaks fall faster than an exponential near the frame's end, as on every lag: docs/methods.md,
    "Periods"); a fixed
    permutation spreads dependence over the whole image (max dilation of several hundred);
    PTB characters give a short-range exponential over a power-law tail (composite; issue 21 §5:
    it beats the broken power law by AICc 32), read from the measured curve."""
    mnist, permuted, ptb = real_designs["mnist"], real_designs["permuted"], real_designs["ptb"]
    assert mnist.kind == "periodic_exponential" and mnist.max_dilation == 28 and mnist.dilations == (1, 2, 4, 8, 16, 28)
    assert permuted.kind == "flat" and 300 <= permuted.max_dilation <= 783
    assert ptb.kind == "composite" and ptb.pattern == "levels"
    assert ptb.source == "curve" and ptb.dilations[:2] == (1, 2)


@pytest.mark.needs_data
def test_ptb_design_reads_the_measured_curve_as_the_paper_does(real_designs):
    """Hypothesis: read from the measured curve (the default), 12 layers capped at 240 give what an
    independent reading of PTB's curve gave (issue 23's audit: 1,2,3,5,6,7,10,12,14,19,35,240);
    the fitted law, whose head overshoots I(1), reads other dilations, and the summary says so."""
    ptb = real_designs["ptb"]
    capped = design_dilations(ptb.curve, 12, cap=240)
    assert capped.source == "curve" and capped.dilations == (1, 2, 3, 5, 6, 7, 10, 12, 14, 19, 35, 240)
    fit = design_dilations(ptb.curve, 12, cap=240, read_from="fit")
    assert fit.source == "fit" and fit.dilations != capped.dilations and fit.other_dilations == capped.dilations
    assert "the fit reads" in capped.summary() and "layers differ, by up to" in capped.summary()
    with pytest.raises(midecay.InputError, match="unknown read_from 'law'"):
        design_dilations(ptb.curve, 12, read_from="law")
