"""Entropy estimators against exact values, in nats and bits."""

import math

import numpy as np
import pytest
from scipy.special import digamma

from midecay.estimators import (
    entropy,
    grassberger,
    grassberger_g,
    miller_madow,
    mutual_information,
    plugin,
)

EULER = 0.5772156649015329


def test_grassberger_g_exact_small_values():
    """Hypothesis: G(1) = -gamma - ln 2 and G(2) = 2 - gamma - ln 2 (digamma at half-integers)."""
    assert grassberger_g(np.array([1.0]))[0] == pytest.approx(-EULER - math.log(2), abs=1e-12)
    assert grassberger_g(np.array([2.0]))[0] == pytest.approx(2 - EULER - math.log(2), abs=1e-12)


def test_grassberger_on_singletons_is_exact():
    """Hypothesis: N cells of count 1 give ln N - G(1) = ln N + gamma + ln 2."""
    n = 37
    assert grassberger(np.ones(n)) == pytest.approx(math.log(n) + EULER + math.log(2), abs=1e-12)


def test_grassberger_tends_to_plugin_for_large_counts():
    counts = np.array([10**7, 3 * 10**7, 6 * 10**7])
    assert grassberger(counts) == pytest.approx(plugin(counts), abs=1e-7)


def test_plugin_and_miller_madow_exact():
    """Hypothesis: uniform on 4 cells has plug-in ln 4; Miller-Madow adds (4-1)/(2N)."""
    counts = np.array([5, 5, 5, 5, 0])
    assert plugin(counts) == pytest.approx(math.log(4), abs=1e-14)
    assert miller_madow(counts) == pytest.approx(math.log(4) + 3 / 40, abs=1e-14)


@pytest.mark.parametrize("name", ["plugin", "miller_madow", "grassberger"])
def test_bits_are_nats_over_ln2_for_the_whole_expression(name):
    """Hypothesis: bits = nats / ln 2 exactly; the published base-mixing formula is off by log2 N - ln N.

    The peer codes compute log2 N - (1/N) sum n psi(n): a base-2 logarithm beside natural-log
    digammas. For 8 singletons our Grassberger in bits is (ln 8 + gamma + ln 2) / ln 2 = 3 + (gamma + ln 2)/ln 2,
    theirs is log2 8 - psi(1) = 3 + gamma. The difference is what this test would catch.
    """
    counts = np.ones(8)
    nats = entropy(counts, name, "nats")
    bits = entropy(counts, name, "bits")
    assert bits == pytest.approx(nats / math.log(2), rel=1e-14)
    if name == "grassberger":
        assert bits == pytest.approx(3 + (EULER + math.log(2)) / math.log(2), abs=1e-12)
        mixed = math.log2(8) - np.mean(digamma(counts))
        assert abs(bits - mixed) > 0.1


def test_mutual_information_of_independent_product_is_zero_for_plugin():
    left, right = np.array([30, 70]), np.array([10, 40, 50])
    joint = np.outer(left, right)
    assert mutual_information(joint.ravel(), joint.sum(1), joint.sum(0), "plugin") == pytest.approx(0.0, abs=1e-12)


def test_unknown_estimator_and_base_are_refused():
    with pytest.raises(ValueError, match="unknown estimator"):
        entropy([1, 2], "shannon")
    with pytest.raises(ValueError, match="unknown base"):
        entropy([1, 2], "plugin", "decibans")
