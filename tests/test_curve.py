"""mi_curve against exact and hand-computable values; invariances; I/O."""

import json
import math
import warnings

import numpy as np
import pytest

import midecay
from midecay import MICurve, mi_curve
from midecay.synth import block_markov_matrix, markov


@pytest.fixture(scope="module")
def chain27():
    """The 27-state block chain (second eigenvalue 0.98), N = 10^6."""
    return markov(block_markov_matrix(27, 3, 0.98), 10**6, seed=2024)


def test_markov_chain_estimates_agree_with_exact_curve(chain27):
    """Hypothesis: at d = 1 … 1000 the Grassberger estimate lies within its standard error of the
    exact Markov curve I(d) = sum pi_a (P^d)_ab ln[(P^d)_ab / pi_b].

    Tolerance: |estimate - exact| <= 3.5 jackknife standard errors at every lag (a 1-in-2000 event
    per independent point), and the mean squared z-score is of order one.
    """
    lags = midecay.log_lags(1, 1000, 30)
    curve = mi_curve(chain27.symbols, lags, seed=0)
    exact = chain27.expected_mi(lags)
    z = (curve.mi - exact) / curve.stderr
    assert np.all(np.abs(z) < 3.5), z.round(2)
    assert np.mean(z**2) < 4.0
    # And the shuffle floor is tiny compared with I(1) yet carries the estimator's noise.
    assert np.all(np.abs(curve.floor) < 1e-3)


@pytest.mark.parametrize("k", [2, 3, 7, 30])
@pytest.mark.parametrize("estimator", ["plugin", "grassberger"])
def test_period_k_sequence_has_ln_k_at_every_lag(k, estimator):
    """Hypothesis: a period-k sequence over k symbols is fully determined by any earlier symbol: I(d) = ln k.

    For the plug-in estimator this is exact whenever the pair count is a multiple of k.
    Grassberger's correction is below 1e-3 nats with ~10^4 pairs per cell.
    """
    n = k * 20000
    codes = np.tile(np.arange(k), n // k)
    lags = [k, 2 * k, 5 * k]  # pair counts n - d stay multiples of k
    c = mi_curve(codes, lags, estimator=estimator, null="none", n_blocks=0)
    tol = 1e-12 if estimator == "plugin" else 1e-3
    np.testing.assert_allclose(c.mi, math.log(k), atol=tol)


def test_two_symbol_sequence_by_hand():
    """Hypothesis: 'aabb' repeated gives, at d = 1, the plug-in MI of the joint [[1,1],[1,1]]/4 with
    diagonal weight 1/2: I = 0; at d = 2, every pair differs: I = ln 2.
    """
    codes = np.tile([0, 0, 1, 1], 10000)
    c = mi_curve(codes, [2, 4], estimator="plugin", null="none", n_blocks=0)
    np.testing.assert_allclose(c.mi, [math.log(2), math.log(2)], atol=1e-8)
    c1 = mi_curve(codes, [1], estimator="plugin", null="none", n_blocks=0)
    # joint at d=1: (0,0),(0,1),(1,1),(1,0) equally often, marginals uniform: I = 0.
    assert abs(c1.mi[0]) < 1e-8


def test_plugin_is_non_negative(rng):
    codes = rng.integers(0, 5, 3000)
    c = mi_curve(codes, range(1, 50), estimator="plugin", null="none", n_blocks=0)
    assert np.all(c.mi >= -1e-15)


@pytest.mark.parametrize("estimator", ["plugin", "miller_madow", "grassberger"])
def test_invariant_under_relabelling_and_reversal(estimator, rng):
    """Hypothesis: MI depends neither on the names of the symbols nor on the direction of reading."""
    codes = markov(block_markov_matrix(12, 3, 0.9), 20000, seed=5).symbols.codes
    perm = rng.permutation(12)
    lags = [1, 2, 5, 40]
    base = mi_curve(codes, lags, estimator=estimator, null="none", n_blocks=0).mi
    relabelled = mi_curve(perm[codes], lags, estimator=estimator, null="none", n_blocks=0).mi
    reversed_ = mi_curve(codes[::-1].copy(), lags, estimator=estimator, null="none", n_blocks=0).mi
    np.testing.assert_allclose(relabelled, base, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(reversed_, base, rtol=1e-12, atol=1e-14)


def test_segments_stop_dependence_across_boundaries():
    """Hypothesis: 2000 one-symbol-type segments 'xy' joined give I(1) = ln 2 (y always follows x,
    x follows y); as separate segments only (x, y) pairs exist: all H terms vanish and I(1) = 0.
    """
    joined = mi_curve("xy" * 2000, [1], estimator="plugin", null="none", n_blocks=0).mi[0]
    split = mi_curve(midecay.encode(["xy"] * 2000, segmented=True), [1], estimator="plugin", null="none", n_blocks=0)
    assert joined == pytest.approx(math.log(2), abs=1e-3)
    assert split.mi[0] == pytest.approx(0.0, abs=1e-12) and split.n_pairs[0] == 2000 and split.n_segments == 2000


def test_bits_equal_nats_over_ln2(chain27):
    lags = [1, 10, 100]
    nats = mi_curve(chain27.symbols, lags, seed=1, n_blocks=4)
    bits = mi_curve(chain27.symbols, lags, seed=1, n_blocks=4, base="bits")
    np.testing.assert_allclose(bits.mi, nats.mi / math.log(2), rtol=1e-12)
    np.testing.assert_allclose(bits.stderr, nats.stderr / math.log(2), rtol=1e-12)
    np.testing.assert_allclose(bits.floor, nats.floor / math.log(2), rtol=1e-12)
    np.testing.assert_allclose(chain27.expected_mi(lags, base="bits"), chain27.expected_mi(lags) / math.log(2))


def test_same_seed_same_numbers_and_backends_agree(rng):
    codes = rng.integers(0, 6, 20000)
    a = mi_curve(codes, [1, 3, 9], seed=7, backend="bitset")
    b = mi_curve(codes, [1, 3, 9], seed=7, backend="dense")
    c = mi_curve(codes, [1, 3, 9], seed=7, backend="sparse")
    # The same integer counts; the dense kernels' tables are summed as a stack, the sparse
    # kernel's cells as count profiles, so the estimates agree to rounding (~1e-15 nats).
    for other in (b, c):
        for name in ("mi", "stderr", "floor", "null_std"):
            np.testing.assert_allclose(getattr(a, name), getattr(other, name), rtol=1e-6, atol=1e-13)
    assert np.array_equal(a.n_pairs, c.n_pairs)
    d = mi_curve(codes, [1, 3, 9], seed=8)
    assert not np.array_equal(a.floor, d.floor)


def test_shapes_do_not_depend_on_flags():
    c = mi_curve("abcdabcd" * 100, [1, 2, 3], null="none", n_blocks=0)
    assert c.floor.shape == c.stderr.shape == c.mi.shape == (3,)
    assert np.all(np.isnan(c.floor)) and np.all(np.isnan(c.stderr))


def test_json_round_trip_is_exact(tmp_path, chain27):
    c = mi_curve(chain27.symbols, [1, 7, 70], seed=3, n_shuffles=2, n_blocks=4)
    path = tmp_path / "curve.json"
    c.to_json(path)
    back = MICurve.from_json(path)
    for name in ("lags", "mi", "stderr", "floor", "null_std", "n_pairs"):
        assert np.array_equal(getattr(c, name), getattr(back, name))
    assert back.to_dict() == c.to_dict()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        c.to_json(path)
    c.to_json(path, overwrite=True)
    no_floor = mi_curve("abab" * 50, [1], null="none", n_blocks=0)
    no_floor.to_json(tmp_path / "nan.json")
    assert json.loads((tmp_path / "nan.json").read_text())["floor"] == [None]
    assert np.isnan(MICurve.from_json(tmp_path / "nan.json").floor[0])


def test_curves_and_settings_under_their_old_names_still_read(chain27):
    """Hypothesis: a format-2 file (the floor named ``baseline``, ``baseline_std``, ``baseline_se``,
    ``baseline_excess``) reads as the same curve, and ``baseline=`` still sets the null, with a warning."""
    c = mi_curve(chain27.symbols, [1, 7], seed=3, n_shuffles=2, n_blocks=4)
    old = {{"floor": "baseline", "null_std": "baseline_std", "floor_se": "baseline_se",
            "floor_excess": "baseline_excess"}.get(k, k): v for k, v in c.to_dict().items()}
    old["format"] = "midecay.MICurve/2"
    old["provenance"] = {("baseline" if k == "null_draws" else k): v for k, v in old["provenance"].items()}
    assert MICurve.from_dict(old) == c
    with pytest.warns(FutureWarning, match="null='none'"):
        bare = mi_curve("abab" * 50, [1], baseline=None, n_blocks=0)
    assert bare == mi_curve("abab" * 50, [1], null=None, n_blocks=0)
    assert np.isnan(bare.floor).all()
    with pytest.warns(FutureWarning, match="null_draws='permutation'"):
        permuted = mi_curve(chain27.symbols, [1], seed=0, baseline="permutation", n_blocks=0)
    assert permuted.provenance["null_draws"] == "permutation"
    assert permuted == mi_curve(chain27.symbols, [1], seed=0, null_draws="permutation", n_blocks=0)
    with pytest.raises(midecay.InputError, match="null_draws"):
        mi_curve(chain27.symbols, [1], null_draws="shuffle")


def test_bad_arguments_get_one_line_errors(tmp_path):
    with pytest.raises(ValueError, match="longest segment"):
        mi_curve("abc", [5])
    with pytest.raises(ValueError, match="unknown estimator"):
        mi_curve("abcabc", [1], estimator="kozachenko")
    with pytest.raises(ValueError, match="n_blocks"):
        mi_curve("abcabc", [1], n_blocks=1)
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        MICurve.from_json(tmp_path / "x.json")
    (tmp_path / "y.json").write_text("{}")
    with pytest.raises(ValueError, match="not a MICurve"):
        MICurve.from_json(tmp_path / "y.json")


def test_fewer_pairs_than_bins_warns(rng):
    """Hypothesis: 200 draws from 100 symbols give ~10^4 joint bins for ~200 pairs: a warning."""
    codes = rng.integers(0, 100, 200)
    with pytest.warns(midecay.UnreliableEstimateWarning, match="fewer pairs than joint bins"):
        mi_curve(codes, [1], null="none", n_blocks=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mi_curve(rng.integers(0, 3, 5000), [1], null="none", n_blocks=0)


@pytest.mark.needs_plot
def test_plot_and_summary(chain27):
    c = mi_curve(chain27.symbols, [1, 10, 100], seed=0, n_blocks=4)
    ax = c.plot()
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "nats" in ax.get_ylabel()
    # the figure draws the estimate at each lag, and the null's cut the table prints
    ys = [line.get_ydata() for line in ax.get_lines()]
    assert any(np.allclose(y, c.mi) for y in ys) and any(np.allclose(y, c.threshold(3.0), rtol=1e-4) for y in ys)
    text = c.summary()
    assert text.splitlines()[0].startswith("MI curve (grassberger, nats)")
    rows = [f for f in map(str.split, text.splitlines()) if len(f) == 7 and f[6] in ("yes", "no")]
    assert [int(r[0]) for r in rows] == [1, 10, 100]
    for row, mi, floor, cut, yes in zip(rows, c.mi, c.floor, c.threshold(3.0), c.significant(3.0)):
        assert float(row[1]) == pytest.approx(mi, rel=1e-4) and float(row[3]) == pytest.approx(floor, rel=1e-4)
        assert float(row[5]) == pytest.approx(cut, rel=1e-4) and row[6] == ("yes" if yes else "no")


def _sticky(k: int, n: int, stay: float, rng: np.random.Generator):
    """Keep the last symbol with probability ``stay``, else draw a fresh uniform one (a Markov chain): I(d) ~ stay^(2d)."""
    return midecay.synth.markov(stay * np.eye(k) + (1 - stay) / k, n, seed=rng).symbols


@pytest.mark.parametrize(("k", "n", "stay"), [(2, 40_000, 0.9), (4, 20_000, 0.5), (27, 40_000, 0.6)])
def test_stderr_matches_the_spread_over_seeds_at_zero_and_nonzero_mi(k, n, stay):
    """Hypothesis: ``stderr`` is the spread of the estimate over seeds, where MI is clearly
    positive and where it is zero (stay^d < 1e-4). Before, the jackknife was 1.5-2.5x too large
    at zero MI (Grassberger's parity term in its replicates, and the doubled null variance of
    a jackknifed quadratic form, whose noise at one degree of freedom alone read 1.3-1.5x the
    spread); an error bar 1.3x too large or too small fails here.
    """
    lags = np.array([1, 2, 3, 5, 60, 80, 100, 130, 170, 220])
    rho = stay ** lags
    est, se = [], []
    for seed in range(40):
        c = mi_curve(_sticky(k, n, stay, np.random.default_rng(seed)), lags, seed=seed)
        est.append(c.mi - c.floor)
        se.append(c.stderr)
    est, se = np.array(est), np.array(se)
    ratio = se.mean(axis=0) / est.std(axis=0, ddof=1)  # mean SE over SD, as the audit measured it
    clear = (est.mean(axis=0) > 10 * est.std(axis=0)) & (rho > 1e-2)
    zero = rho < 1e-4
    assert clear.sum() >= 2 and zero.sum() >= 3
    # 40 seeds give the spread to about +-11 %; pooled over lags, tighter.
    for group in (clear, zero):
        pooled = float(np.sqrt((ratio[group] ** 2).mean()))
        assert 0.75 <= pooled <= 1.3, (k, group, ratio.round(2))
