"""Estimators built for undersampled large alphabets: NSB and Chao-Shen (issue 22).

Reference values:

* NSB and its fixed-concentration form (Wolpert-Wolf, beta = 1): the ``ndd`` package's published
  test cases (github.com/simomarsili/ndd, ``tests/data.json`` at commit 82d1aa7, made by
  ``tests/make_test_ref.py``): counts drawn with numpy's legacy ``random.seed(123)``,
  ``dirichlet([alpha] * k)``, ``multinomial(n, p)`` for n, k in {10, 100, 1000} and alpha in
  {0.01, 0.1, 1, 10}; each case lists NSB, Wolpert-Wolf, plug-in. The plug-in column checks that
  the counts are reproduced (numpy changed its Dirichlet sampler for tiny alpha since: those
  cases are skipped, as the plug-in shows);
* Chao-Shen: a case computed by hand, and the estimators' bias over a class of undersampled
  laws (uniform and Zipf, K = 200 ... 50,257), against the exact entropy;
* the hidden two-state Zipf process: its series against the sum over all K^2 cells.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import beta as beta_law

import midecay
from midecay.chao_shen import chao_shen_entropy
from midecay.errors import InputError
from midecay.estimators import entropy
from midecay.nsb import nsb_entropy, wolpert_wolf_entropy
from midecay.profiles import count_profile
from midecay.synth import copy_process, hidden_zipf_mi, zipf_marginal

pytestmark = pytest.mark.filterwarnings("ignore::midecay.UnreliableEstimateWarning")

# (NSB, Wolpert-Wolf beta = 1, plug-in) per case, in make_test_ref.py's order (n, then k, then alpha).
NDD_REFERENCE = [
    (0.11449119805793086, 1.4868071174611754, 0.0), (0.11449119805793086, 1.4868071174611754, 0.0),
    (1.857627764672698, 1.912739657143753, 1.4978661367769956), (2.1040529110408124, 2.0060729904770866, 1.834371970281624),
    (0.12255891723019825, 4.080246863756306, 0.0), (2.4136447788049704, 4.164810355819806, 1.6094379124341005),
    (4.084320047176497, 4.191325507334957, 2.302585092994046), (4.084320047176497, 4.191325507334957, 2.302585092994046),
    (2.5573055273927547, 6.4835350544317185, 1.7480673485460896), (5.571013452795859, 6.4855152524515205, 2.302585092994046),
    (5.571013452795859, 6.4855152524515205, 2.302585092994046), (5.571013452795859, 6.4855152524515205, 2.302585092994046),
    (0.010243733072526564, 0.42836978659305913, 0.0), (0.2551417108161794, 0.6011200937107528, 0.23216582669633556),
    (1.9060173312426074, 1.893341329251292, 1.859322495021051), (2.2517560540034047, 2.1988436598597416, 2.2258698366515177),
    (0.2162216022788911, 2.835184154890425, 0.190437553518926), (2.5694150886775624, 3.7628320751425974, 2.410527694792209),
    (4.32271765899682, 4.216114281454849, 3.8335357838634647), (4.515855462339505, 4.258864281454849, 4.0106270907407096),
    (2.8556134578587535, 6.398426747508691, 2.680531473848583), (5.175148402420312, 6.471947721484215, 4.1181326588943925),
    (6.405792129217431, 6.4852810548175475, 4.466540749876103), (6.785922832579093, 6.488917418453911, 4.577444298765694),
    (0.000992419798066017, 0.06674660749016859, 0.0), (0.2023665633828483, 0.2530858928501942, 0.1990081849712695),
    (1.9514645954295688, 1.949135726780936, 1.9467517367477356), (2.239450942021349, 2.233628996889392, 2.2366982579266557),
    (0.163341822815634, 0.811279671402807, 0.15876743673285532), (2.5444450165055743, 2.8701564894567966, 2.5200099354087824),
    (4.269358278180698, 4.248932417450504, 4.216459923244882), (4.5486818789943655, 4.474920568463114, 4.499393265655103),
    (2.9339823190502967, 5.327311170802785, 2.9096438268067377), (5.011194410369237, 6.109177227276609, 4.832834503946499),
    (6.512835806974912, 6.489902429007178, 6.037442368873068), (6.891998682232693, 6.567271675038924, 6.337760381056404),
]


def _ndd_counts(n: int, k: int, alpha: float) -> np.ndarray:
    legacy = np.random.RandomState(123)  # the reference's own generator and seed
    return legacy.multinomial(n, legacy.dirichlet([alpha] * k))


def test_nsb_matches_the_published_reference_cases():
    """Hypothesis: where the counts are reproduced (plug-in equal to 1e-9), NSB agrees with ndd's
    published values within 1e-4 nats and Wolpert-Wolf within 1e-6 (a closed form)."""
    cases = itertools.product([10, 100, 1000], [10, 100, 1000], np.logspace(-2, 1, 4))
    checked = 0
    for (n, k, alpha), (nsb_ref, ww_ref, plugin_ref) in zip(cases, NDD_REFERENCE):
        counts = _ndd_counts(n, k, alpha)
        if abs(entropy(counts, "plugin") - plugin_ref) > 1e-9:
            continue
        profile = count_profile(counts)
        assert nsb_entropy(*profile, k) == pytest.approx(nsb_ref, abs=1e-4), (n, k, alpha)
        assert float(wolpert_wolf_entropy(*profile, k, 1.0)) == pytest.approx(ww_ref, abs=1e-6), (n, k, alpha)
        checked += 1
    assert checked >= 30


def test_chao_shen_by_hand():
    """Counts (1, 1, 2): N = 4, two singletons, coverage 1/2, p = (1/8, 1/8, 1/4), each term
    divided by its chance of being seen, 1 - (1 - p)^4."""
    by_hand = 2 * (-0.125 * math.log(0.125)) / (1 - 0.875**4) + (-0.25 * math.log(0.25)) / (1 - 0.75**4)
    assert chao_shen_entropy(*count_profile(np.array([1, 1, 2]))) == pytest.approx(by_hand, rel=1e-12)
    # all singletons: f1 is taken as N - 1 (coverage 1/N), not 0
    assert np.isfinite(chao_shen_entropy(*count_profile(np.ones(5, dtype=int))))


@pytest.mark.parametrize("name,p,n", [
    ("uniform K=2000", np.full(2000, 1 / 2000), 1000),
    ("Zipf K=5000", zipf_marginal(5000), 2000),
    ("Zipf K=50257", zipf_marginal(50_257), 20_000),
])
def test_large_alphabet_estimators_cut_the_entropy_bias(name, p, n):
    """Hypothesis: with fewer draws than symbols (N/K 0.4-0.5), NSB and Chao-Shen have at most
    half (NSB) or 0.7x (Chao-Shen) of Grassberger's mean error against the exact entropy, over
    10 seeds; an estimator that fell back to the plug-in would have 2-4x Grassberger's."""
    exact = float(-(p * np.log(p)).sum())
    errors = {e: [] for e in ("grassberger", "nsb", "chao_shen")}
    for seed in range(10):
        counts = np.bincount(np.random.default_rng(seed).choice(len(p), n, p=p), minlength=len(p))
        for e in errors:
            errors[e].append(entropy(counts, e) - exact)
    bias = {e: abs(np.mean(v)) for e, v in errors.items()}
    assert bias["nsb"] <= 0.5 * bias["grassberger"], (name, bias)
    assert bias["chao_shen"] <= 0.7 * bias["grassberger"], (name, bias)


def test_hidden_zipf_series_equals_the_sum_over_cells():
    """Hypothesis: the O(K) series of the hidden two-state Zipf process equals the K^2 sum."""
    for k, flip, d in ((50, 0.1, 1), (300, 0.02, 3), (300, 0.3, 2)):
        e0 = zipf_marginal(k)
        e1 = e0[::-1]
        eps = (1 - 2 * flip) ** d
        joint = 0.25 * ((1 + eps) * (np.outer(e0, e0) + np.outer(e1, e1)) + (1 - eps) * (np.outer(e0, e1) + np.outer(e1, e0)))
        px = joint.sum(axis=1)
        exact = float((joint * np.log(joint / np.outer(px, px))).sum())
        assert hidden_zipf_mi(k, flip, [d])[0] == pytest.approx(exact, rel=1e-10)


@pytest.mark.parametrize("estimator", ["nsb", "chao_shen"])
def test_large_alphabet_curves_keep_the_level_and_the_power(estimator):
    """Hypothesis: the null is measured with the curve's own estimator (permuted and shifted
    copies), so on Zipf copy processes (K = 5,000, N = 5e4, r = 0.1) the zero-MI lags are flagged
    at p < 0.05 within 1.5x nominal (99 % binomial bound) and d = 5 is found at every seed."""
    lags = np.array([1, 2, 3, 4, 5, 6, 7, 9, 11, 13])
    zero = lags % 5 != 0
    hits = trials = 0
    for seed in range(8):
        x = copy_process(50_000, 5_000, 5, 0.1, seed=500 + seed).symbols.codes
        curve = midecay.mi_curve(x, lags, seed=seed, estimator=estimator)
        assert curve.estimator == estimator and np.isnan(curve.exact_p).all()
        hits += int((curve.p_values()[zero] < 0.05).sum())
        trials += int(zero.sum())
        assert curve.significant(3.0)[~zero].all()
        assert np.all(np.isfinite(curve.stderr)) and curve.replicates.shape == (16, len(lags))
    lower = 0.0 if hits == 0 else float(beta_law.ppf(0.01, hits, trials - hits + 1))
    assert lower <= 0.075, (hits, trials)


def test_random_tables_refuse_an_estimator_that_is_not_a_sum_over_cells():
    with pytest.raises(InputError, match="not a sum over cells"):
        midecay.CurveOptions(estimator="nsb", null_draws="tables")


@pytest.mark.parametrize("name,make,dependent,zero,low,high", [
    ("hidden Zipf K=5000", lambda s: midecay.synth.hidden_zipf(100_000, 5_000, 0.05, seed=s), 2, 400, -0.10, 0.10),
    ("Zipf copy K=5000 r=0.1", lambda s: copy_process(100_000, 5_000, 5, 0.1, seed=s), 5, 7, -0.20, 0.05),
])
def test_floor_removed_mi_keeps_the_dependence_of_sparse_tables(name, make, dependent, zero, low, high):
    """Hypothesis: at a dependent lag of a sparse table the estimator's bias is smaller than the
    independence floor (pairs crowd into fewer joint cells); taking off only the share of the
    floor given by the occupied cells (``floor_scale``) brings the floor-removed MI within
    [low, high] of the exact value over 3 seeds, where the whole floor read it 19 % (hidden) and
    26 % (copy) low; at a zero-MI lag the whole floor stays (scale 1) and the mean reads zero
    within 2 null standard deviations.

    The [low, high] bands are regression pins, not derived bounds: they hold the bias measured
    by ``benchmarks/bench_estimators.py`` (hidden Zipf +3 %, copy -14 %) with room for 3 seeds'
    spread, and exclude the whole floor's -19 % and -26 %; the zero-lag check is derived."""
    lags = np.array([dependent, zero])
    rel, at_zero, sd = [], [], []
    for seed in range(3):
        synthetic = make(seed)
        exact = synthetic.expected_mi(lags)
        curve = midecay.mi_curve(synthetic.symbols.codes, lags, seed=seed, n_blocks=0)
        assert curve.floor_scale[1] == 1.0 and 0.8 < curve.floor_scale[0] < 0.99
        rel.append(curve.floor_removed[0] / exact[0] - 1.0)
        at_zero.append(curve.floor_removed[1] - exact[1])
        sd.append(curve.null_std[1])
    assert low <= np.mean(rel) <= high, (name, rel)
    assert abs(np.mean(at_zero)) <= 2 * np.mean(sd), (name, at_zero, sd)


def test_floor_scale_is_validated_on_load():
    curve = midecay.mi_curve("abcab" * 200, [1, 2], seed=0)
    data = curve.to_dict()
    data["floor_scale"] = [0.5, 1.5]
    with pytest.raises(InputError, match="floor_scale"):
        midecay.MICurve.from_dict(data)
