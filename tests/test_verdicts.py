"""Exponential or power law: the verdict over classes of processes whose tail is known exactly.

The full sweep (40 finite-state processes, two sizes, binomial intervals) is
``benchmarks/bench_verdicts.py``; these tests run a few cases of each class.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import midecay
from midecay.errors import InputError
from midecay.experiments.verdicts import verdict_rows
from midecay.fitting import VerdictRules, fit_decay, tail_test
from midecay.fitting.points import FitPoints
from midecay.synth.families import finite_state_cases, power_law_cases

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def finite_rows():
    """12 finite-state processes (HMMs with 2-5 states, K = 2 ... 2000; linear-RNN signs) at N = 2 * 10^5."""
    return verdict_rows(finite_state_cases(12, seed=0), 200_000, [0])


def test_finite_state_processes_are_not_called_a_power_law(finite_rows):
    """Hypothesis: a finite-state process's tail is exponential, so the tail test calls it a power law
    at most once in 12 (target <= 5 %), and calls it exponential often enough to be a verdict at all
    (a test that always said "cannot tell" fails here)."""
    verdicts = [r.verdict for r in finite_rows]
    assert verdicts.count("power_law") <= 1, verdicts
    assert verdicts.count("exponential") >= 4, verdicts
    for r in finite_rows:
        assert (r.kind == "undetermined") == (r.verdict == "cannot_tell"), r


def test_power_laws_are_not_called_exponential():
    """Hypothesis: Gaussian-sign power laws (alpha = 0.3, 0.6, 1.0, exact) are never called exponential,
    and at N = 10^6 mostly power laws, with alpha's interval holding the exact value."""
    rows = verdict_rows(power_law_cases(), 1_000_000, [0, 1])
    verdicts = [r.verdict for r in rows]
    assert "exponential" not in verdicts, verdicts
    assert verdicts.count("power_law") >= 4, verdicts
    judged = [r for r in rows if r.alpha == r.alpha]
    assert sum(abs(r.alpha - r.alpha_true) <= 1.96 * r.alpha_stderr for r in judged) >= len(judged) - 1


def test_cannot_tell_shrinks_with_size_and_xi_is_the_slowest_mode(finite_rows):
    """Hypothesis: "cannot tell" is a matter of size: the same processes at N = 3 * 10^4 and 10^6 are
    undecided less often at the larger size; where the verdict is exponential and the slowest mode is
    what the measured lags show, xi's 95 % interval holds the slowest mode's exact xi: the median of
    z^2 is near its calibrated 0.45 (errors 3x too small give ~4, 3x too large ~0.05)."""
    cases = [c for c in finite_state_cases(12, seed=0) if "K = 2000" not in c.name][:6]
    small = verdict_rows(cases, 30_000, [1])
    large = verdict_rows(cases, 1_000_000, [1])
    undecided = [sum(r.verdict == "cannot_tell" for r in rows) for rows in (small, large)]
    assert undecided[1] < undecided[0] or undecided == [0, 0], undecided
    judged = [r for r in [*finite_rows, *large] if r.verdict == "exponential" and r.visible]
    assert len(judged) >= 6
    z2 = np.median([((r.xi - r.xi_true) / r.xi_stderr) ** 2 for r in judged])
    assert 0.12 < z2 < 1.6, [(r.case, r.xi, r.xi_stderr, r.xi_true) for r in judged]


def test_the_tail_test_on_exact_curves():
    """Hypothesis: on exact curves with 1 % errors the bridge exponent is 1 for an exponential, 0 for a
    power law; five points or fewer over a short range cannot tell."""
    d = midecay.log_lags(1, 400, 30).astype(float)
    err = np.full(len(d), 0.01)
    expo = tail_test(FitPoints(d[d < 120], 0.3 * np.exp(-d[d < 120] / 20), err[d < 120], (), True))
    power = tail_test(FitPoints(d, 0.1 * d**-0.6, err, (), True))
    assert expo.verdict == "exponential" and abs(expo.gamma.value - 1) < 0.05
    assert power.verdict == "power_law" and abs(power.gamma.value) < 0.05
    short = tail_test(FitPoints(d[:4], 0.1 * d[:4] ** -0.6, err[:4], (), True))
    assert short.verdict == "cannot_tell" and "measure more lags" in short.reason


def test_a_sum_of_two_exponentials_gives_the_slowest_mode():
    """Hypothesis: where two modes both show (exact I = 0.03 e^{-d/12} + 0.04 e^{-d/3}, 0.5 % errors),
    the fit keeps two modes and xi is the slow one, 12; one exponential would read the window's slope."""
    d = np.arange(1, 31)
    y = 0.03 * np.exp(-d / 12.0) + 0.04 * np.exp(-d / 3.0)
    z = np.zeros(len(d))
    curve = midecay.MICurve(d, y, 0.005 * y, z, z + 1e-12, d * 0 + 10**6, 2, 10**6, 1, "plugin", "nats")
    fit = fit_decay(curve, laws=["exponential"])
    assert fit.tail_exponential.law == "two_exponentials"
    assert abs(fit.correlation_length.value - 12.0) < 0.5
    one = fit.fits["exponential"].params["xi"]
    assert one < 10.0  # the single exponential's slope of the window, not the correlation length


def test_a_period_is_found_on_a_large_alphabet_on_any_grid():
    """Hypothesis: a lag-7 copy process over 500 symbols (too many for a joint table) has its period
    found on a log grid too (the scan of repeats), where before no candidate was tested."""
    s = midecay.synth.copy_process(100_000, 500, 7, 0.7, seed=0)
    sparse = midecay.classify(midecay.mi_curve(s.symbols, midecay.log_lags(1, 1000, 30), seed=0))
    assert sparse.periodicity.period == 7 and sparse.periodicity.candidates > 0
    assert sparse.kind in ("periodic_exponential", "undetermined") and sparse.period == 7
    assert sparse.curve.period_scan.measure == "repeats"
    again = midecay.MICurve.from_json_text(sparse.curve.to_json())
    assert again.period_scan.measure == "repeats" and midecay.fitting.periodicity(again).period == 7
    shuffled = np.random.default_rng(0).permutation(s.symbols.codes)
    none = midecay.classify(midecay.mi_curve(shuffled, midecay.log_lags(1, 1000, 30), seed=0))
    assert none.periodicity.period is None and none.periodicity.candidates > 0


def test_the_rules_are_declared_once_and_recorded():
    """Hypothesis: every threshold is a field of VerdictRules, recorded in the diagnosis and read back;
    a nonsense rule is one line; a stricter tail level turns a verdict into "cannot tell"."""
    s = midecay.synth.markov(np.array([[0.9, 0.1], [0.1, 0.9]]), 200_000, seed=0)
    curve = midecay.mi_curve(s.symbols, np.arange(1, 40), seed=0)
    d = midecay.classify(curve)
    again = midecay.fitting.Diagnosis.from_dict(json.loads(d.to_json()))
    assert again.rules == d.rules == VerdictRules() and again.tail == d.tail
    strict = midecay.classify(curve, rules=VerdictRules(tail_level=1e-300))
    assert strict.kind == "undetermined" and strict.rules.tail_level == 1e-300
    assert "cannot tell" in strict.headline()
    with pytest.raises(InputError, match="tail_level"):
        VerdictRules(tail_level=2.0)
    with pytest.raises(InputError, match="unknown verdict rule"):
        VerdictRules.from_dict({"tail_levle": 0.01})
