"""The null "no dependence at lag d" for sequences that keep their own autocorrelation.

Reference chain: the 27-state de Bruijn shift made sticky, P = I/2 + S/2 (S: append a uniform
symbol to the last two of three). Its exact MI is ~0 beyond d = 20 (3e-8 nats at d = 20), so
every estimate at lags 20…200 is a draw from the null. The exact autocorrelation terms follow
from P: R(tau) = D^(1/2) P^tau D^(-1/2) - s s^T (s = sqrt(pi)), c(tau) = tr R(tau) = tr P^tau - 1.
"""

import itertools

import numpy as np
import pytest

import midecay
from midecay.null import autocorrelation_terms
from midecay.synth import markov
from midecay.synth.markov import markov_mi


def _mi_per_lag(counts, estimator):
    """The estimate at every lag of ``counts`` (a permuted copy's, here)."""
    return counts.mutual_information(estimator)


def sticky_de_bruijn() -> np.ndarray:
    states = list(itertools.product(range(3), repeat=3))
    index = {s: i for i, s in enumerate(states)}
    shift = np.zeros((27, 27))
    for s in states:
        for x in range(3):
            shift[index[s], index[s[1:] + (x,)]] += 1 / 3
    return 0.5 * np.eye(27) + 0.5 * shift


P = sticky_de_bruijn()
NULL_LAGS = np.arange(20, 201)


def exact_terms(P: np.ndarray, max_tau: int) -> tuple[float, float]:
    """(S, cross) of the null for lags far beyond the correlation time, from P alone."""
    k = len(P)
    pi = np.full(k, 1 / k)  # doubly stochastic: uniform stationary law
    root = np.sqrt(pi)
    q, power = [], np.eye(k)
    for _ in range(max_tau):
        power = power @ P
        q.append(pi[:, None] * power / np.outer(root, root) - np.outer(root, root))
    q = np.array(q)
    c = np.einsum("tii->t", q)
    flat = q.reshape(len(q), -1)
    g_same, g_flip = flat @ flat.T, flat @ q.transpose(0, 2, 1).reshape(len(q), -1).T
    return float((c**2).sum()), float((g_same**2 + g_flip**2).sum())


def test_reference_chain_has_no_dependence_beyond_20():
    assert markov_mi(P, [20])[0] < 1e-7


def test_autocorrelation_terms_match_the_exact_chain():
    """Hypothesis: S and the variance's cross term measured on 2e5 symbols equal the exact ones within 5 % / 15 %."""
    s_exact, cross_exact = exact_terms(P, 200)
    symbols = markov(P, 200_000, seed=3).symbols
    terms = autocorrelation_terms(symbols, np.array([150]))
    assert terms.s[0] == pytest.approx(s_exact, rel=0.05)
    assert terms.cross[0] == pytest.approx(cross_exact, rel=0.15)


def test_independent_sequence_has_no_excess():
    symbols = midecay.encode(np.random.default_rng(0).integers(0, 27, 200_000))
    terms = autocorrelation_terms(symbols, np.array([5, 50]))
    assert np.all(terms.s < 0.02 * 26**2)  # vs the (K-1)^2 = 676 of the independent part


def _null_draws(null: str, n: int = 100_000, seeds=range(12)):
    z, significant = [], []
    for seed in seeds:
        curve = midecay.mi_curve(markov(P, n, seed=seed).symbols, NULL_LAGS, seed=seed, null=null)
        sd = np.hypot(curve.null_std, curve.floor_se)
        z.append((curve.mi - curve.floor) / sd)
        significant.append(curve.significant(3.0))
    return np.concatenate(z), np.concatenate(significant)


def test_null_is_calibrated_on_an_autocorrelated_chain():
    """Hypothesis: at zero true MI, (I - floor) / sd has mean ~0 and mean square ~1, and z = 3 flags ~0.13 %.

    Two-sided: a floor missing the autocorrelation excess (or an sd 3x too small) drives the mean
    square to ~10 and the flag rate to ~100 %; an sd 3x too large drives the mean square to ~0.1.
    """
    z, significant = _null_draws("autocorrelated")
    assert abs(z.mean()) < 0.35
    assert 0.6 < np.mean(z**2) < 1.6
    assert significant.mean() < 0.01
    # The shuffle floor alone (independent-sequence null) is what the issue measured failing.
    _, significant_iid = _null_draws("iid", seeds=range(3))
    assert significant_iid.mean() > 0.3


@pytest.mark.slow
def test_compare_keeps_its_level_at_unequal_sizes_and_its_power():
    """Same process at 1e6 and 1e5 symbols: "different" in at most 1 of 8 runs (nominal 1 %).

    Raw curves differ there (the small sample's bias is larger); floors removed they must not.
    Power: a 0.5 % mix of a random transition matrix into P is detected at 5e5 in >= 7 of 8 runs.
    """
    lags = np.arange(1, 201)
    mixed = 0.995 * P + 0.005 * np.random.default_rng(0).dirichlet(np.ones(27), size=27)
    false_alarms, detected, raw_gap = 0, 0, []
    for seed in range(8):
        big = midecay.mi_curve(markov(P, 1_000_000, seed=seed).symbols, lags, seed=seed)
        small = midecay.mi_curve(markov(P, 100_000, seed=100 + seed).symbols, lags, seed=seed)
        false_alarms += midecay.compare([big, small]).verdict == "different"
        raw_gap.append(np.mean((small.mi - big.mi)[50:] / np.hypot(small.stderr, big.stderr)[50:]))
        a = midecay.mi_curve(markov(P, 500_000, seed=200 + seed).symbols, lags, seed=seed)
        b = midecay.mi_curve(markov(mixed, 500_000, seed=300 + seed).symbols, lags, seed=seed)
        detected += midecay.compare([a, b]).verdict == "different"
    assert false_alarms <= 1
    assert np.mean(raw_gap) > 2  # the raw curves differ, by bias alone: ~3 sd at each of 150 lags
    assert detected >= 7


def test_iid_plugin_floor_matches_the_analytic_bias():
    """Hypothesis: the shuffle floor of the plug-in estimator on an i.i.d. uniform K = 8 sequence is
    (K-1)^2 / (2N) (Miller-Madow's leading term) within 10 %; a zeroed or doubled floor fails."""
    n = 100_000
    symbols = midecay.encode(np.random.default_rng(1).integers(0, 8, n))
    curve = midecay.mi_curve(symbols, [1, 2, 3, 5, 8, 13, 21, 34], estimator="plugin", n_shuffles=8, seed=0)
    expected = 49 / (2 * n)
    assert np.mean(curve.floor) == pytest.approx(expected, rel=0.10)
    assert np.all(curve.floor_excess < 0.1 * expected)


def _permutation_draws(codes, lags, k, n, rng, estimator):
    from midecay.counting import KERNELS, windows_from_bounds
    

    w = windows_from_bounds(np.array([0, len(codes)]))
    return np.array([_mi_per_lag(KERNELS["dense"].count(rng.permutation(codes), w, lags, k, cells=False), estimator)
                     for _ in range(n)])


def _nulls_agree(draws, reference, spread):
    """Per lag (columns): means within 3 standard errors of their difference, spreads within ``spread`` of the reference's."""
    se = np.sqrt(draws.var(axis=0) / len(draws) + reference.var(axis=0) / len(reference))
    ratio = draws.std(axis=0) / reference.std(axis=0)
    return bool(np.all(np.abs(draws.mean(axis=0) - reference.mean(axis=0)) < 3 * se) and np.all(np.abs(ratio - 1) < spread))


@pytest.mark.parametrize("k", [2, 6])
def test_table_null_matches_the_permutation_null(k):
    """Hypothesis: given a lag's margins, a global permutation makes the pair table a
    hypergeometric draw, which the table sampler draws directly; so over 2000 draws each,
    the two nulls' means agree within 3 standard errors and their spreads within 20 % (the
    spread of a chi-square with 1 degree of freedom is itself uncertain by ~6 % at this size,
    so 20 % is over 3 of its errors), at every lag, on an autocorrelated sequence (whose own dependence neither null keeps). A null scaled
    by 3, or a floor of zero, fails. (Miller-Madow here: Grassberger's estimator has a term in
    the parity of each count, and the table null keeps the observed margins' parities, which a
    permutation does not: see the next test for what that means.)"""
    from midecay.counting import KERNELS, windows_from_bounds
    from midecay.null.floor import table_null

    P = np.full((k, k), 0.2 / (k - 1))
    np.fill_diagonal(P, 0.8)
    codes = markov(P, 20_000, seed=1).symbols.codes
    lags = np.array([1, 3, 30, 300])
    counts = KERNELS["dense"].count(codes, windows_from_bounds(np.array([0, len(codes)])), lags, k)
    n = 2000
    tables = table_null(counts, "miller_madow", n, np.random.default_rng(0))
    perms = _permutation_draws(np.asarray(codes), lags, k, n, np.random.default_rng(1), "miller_madow")
    assert _nulls_agree(tables, perms, 0.2)
    assert not _nulls_agree(3 * tables, perms, 0.2) and not _nulls_agree(0 * tables, perms, 0.2)


def test_grassberger_table_floor_is_calibrated_and_tighter():
    """Hypothesis: on independent binary sequences (true MI 0 at every lag) the Grassberger
    estimate minus the table floor averages zero over 40 seeds (within 3 standard errors), and
    scatters less than minus the permutation floor, because the floor conditions on the
    observed margins, parities included, as the estimate does."""
    from midecay.counting import KERNELS, windows_from_bounds
    from midecay.null.floor import table_null

    w = windows_from_bounds(np.array([0, 20_000]))
    lags = np.array([1, 300])
    by_tables, by_perms = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        codes = (rng.random(20_000) < 0.5).astype(np.int8)
        counts = KERNELS["dense"].count(codes, w, lags, 2)
        observed = counts.mutual_information("grassberger")
        by_tables.append(observed - table_null(counts, "grassberger", 16, rng).mean(axis=0))
        by_perms.append(observed - _permutation_draws(codes, lags, 2, 16, rng, "grassberger").mean(axis=0))
    by_tables, by_perms = np.array(by_tables), np.array(by_perms)
    assert np.all(np.abs(by_tables.mean(axis=0)) < 3 * by_tables.std(axis=0) / np.sqrt(40))
    assert by_tables.std(axis=0)[1] < by_perms.std(axis=0)[1]


def test_default_floor_uses_tables_and_is_seeded(monkeypatch):
    """The default floor draws tables for small alphabets (16 a lag, cell by cell) and for
    large ones (by matching, where they fit the memory limit: 16 a lag on a small sample, 3 on
    a large one), and permutes between and past the limit; one seed, same bytes."""
    s = markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 50_000, seed=0).symbols
    a = midecay.mi_curve(s, [1, 10], seed=5)
    b = midecay.mi_curve(s, [1, 10], seed=5)
    assert a.provenance["null_draws"] == "tables" and a.provenance["n_shuffles"] == 16
    assert np.array_equal(a.floor, b.floor) and np.array_equal(a.null_std, b.null_std)
    c = midecay.mi_curve(s, [1, 10], seed=5, null_draws="permutation")
    assert c.provenance["null_draws"] == "permutation" and c.provenance["n_shuffles"] == 3
    words = midecay.encode(np.arange(200_000) % 300)
    assert midecay.mi_curve(words, [1], seed=0, n_blocks=0).provenance["null_draws"] == "permutation"
    many = midecay.encode(np.random.default_rng(0).integers(0, 600, 400_000))
    d = midecay.mi_curve(many, [1, 7], seed=5)
    assert d.provenance["null_draws"] == "tables" and d.provenance["n_shuffles"] == 16
    assert np.array_equal(d.floor, midecay.mi_curve(many, [1, 7], seed=5).floor)
    tight = midecay.mi_curve(many, [1, 7], seed=5, memory_limit=2_000_000)  # a master of 400,000 pairs: 2.8 MB
    assert tight.provenance["null_draws"] == "permutation"
    monkeypatch.setattr(midecay.null.floor, "MATCHING_PAIR_BUDGET", 4 * 800_000)  # as if the sample were 5x larger
    assert midecay.mi_curve(many, [1, 7], seed=5).provenance["n_shuffles"] == 4
    monkeypatch.setattr(midecay.null.floor, "MATCHING_PAIR_BUDGET", 800_000)
    assert midecay.mi_curve(many, [1, 7], seed=5).provenance["n_shuffles"] == 3


def _word_tables():
    """Two tables' margins, as two lags of a short text give (a symbol absent on one side, counts
    off by one or two): their right margins differ, so each table drops copies from the master."""
    left = np.array([[3, 40, 90, 57, 0, 10], [0, 41, 90, 57, 2, 10]])
    right = np.array([[50, 2, 30, 98, 0, 20], [49, 2, 30, 97, 2, 20]])
    return left, right


def test_random_matchings_have_the_table_law():
    """Hypothesis: a random matching of a table's left and right symbols is a random table with
    those margins (multivariate hypergeometric cells), so over 20,000 draws the joint sum of
    Grassberger's cell term and the occupied cells average their exact expectations (the sum
    over cells of the hypergeometric law's E f(n) and P(n > 0), from scipy) within 4 standard
    errors, for both tables of a draw (which drop different copies from the shared master), and
    spread as the cell-by-cell sampler's do within 5 %; a sampler 20 % too wide or too narrow,
    or one biased by a tenth of a cell, fails."""
    from scipy.stats import hypergeom

    from midecay.estimators import cell_terms
    from midecay.random_tables import random_matching_sums, random_tables

    left, right = _word_tables()
    f = cell_terms(300, "grassberger")
    draws = 20_000
    sums, cells = random_matching_sums(left, right, draws, np.random.default_rng(0), "grassberger")
    assert sums.shape == cells.shape == (draws, 2)
    for i in range(2):
        n_pairs = left[i].sum()
        laws = [hypergeom(n_pairs, u, v) for u in left[i] for v in right[i] if u and v]
        exact_sum = sum((law.pmf(np.arange(301)) * f).sum() for law in laws)
        exact_cells = sum(1 - law.pmf(0) for law in laws)
        tables = random_tables(left[i], right[i], draws, np.random.default_rng(i + 1))
        ref_sums, ref_cells = f[tables].sum(axis=(1, 2)), (tables > 0).sum(axis=(1, 2))

        def law(x, exact, ref):
            return abs(x.mean() - exact) < 4 * x.std() / np.sqrt(draws) and abs(x.var() / ref.var() - 1) < 0.05

        assert law(sums[:, i], exact_sum, ref_sums) and law(cells[:, i], exact_cells, ref_cells)
        mean = sums[:, i].mean()
        assert not law(mean + 1.2 * (sums[:, i] - mean), exact_sum, ref_sums)
        assert not law(mean + 0.8 * (sums[:, i] - mean), exact_sum, ref_sums)
        assert not law(cells[:, i] + 0.1, exact_cells, ref_cells)


def test_matching_floor_matches_the_permutation_floor_at_word_level():
    """Hypothesis: at word level (Zipf words, 2,000 types, the matching sampler) the table floor
    is the permutation floor: over 150 draws each, the means agree within 3 standard errors and
    the spreads within 25 % (a spread from 150 draws is uncertain by ~6 %), at a short and a long
    lag; a null scaled by 3, or a floor of zero, fails."""
    from midecay.counting import KERNELS, windows_from_bounds
    from midecay.null.floor import table_null
    from midecay.rng import shuffled

    words = np.minimum(np.random.default_rng(3).zipf(1.4, 60_000), 2000) - 1
    s = midecay.encode(words)
    lags, k = np.array([1, 300]), s.alphabet_size
    assert k > midecay.counting.MAX_DENSE_ALPHABET
    w = windows_from_bounds(s.bounds)
    counts = KERNELS["sparse"].count(s.codes, w, lags, k, cells=False)
    n = 150
    tables = table_null(counts, "grassberger", n, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    perms = np.array([_mi_per_lag(KERNELS["sparse"].count(shuffled(np.asarray(s.codes), rng), w, lags, k, cells=False),
                                  "grassberger") for _ in range(n)])
    assert _nulls_agree(tables, perms, 0.25)
    assert not _nulls_agree(3 * tables, perms, 0.25) and not _nulls_agree(0 * tables, perms, 0.25)


def test_matching_floor_keeps_positional_margins_the_permutation_floor_loses():
    """Hypothesis: in many short segments whose first symbol comes from another alphabet than
    the rest (a sentence's first word), all independent, the true MI is 0 at every lag but a
    lag's left margins hold the first symbols and its right margins do not. The table floor
    keeps those margins, so over 20 seeds the Grassberger estimate minus it averages zero within
    3 standard errors at lags 1 and 3 (K = 800: tables by matching); a global permutation mixes
    first symbols into both sides, so its floor sits above the estimate by over 10 standard
    errors (it would hide dependence of that size)."""
    from midecay.counting import KERNELS, windows_from_bounds
    from midecay.null.floor import table_null
    from midecay.rng import shuffled

    lags = np.array([1, 3])
    by_tables, by_perms = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        x = np.minimum(rng.zipf(1.3, (12_000, 5)), 700) + 99
        x[:, 0] = rng.integers(0, 100, 12_000)
        s = midecay.encode(list(x))
        w = windows_from_bounds(s.bounds)
        counts = KERNELS["sparse"].count(s.codes, w, lags, s.alphabet_size, cells=False)
        observed = counts.mutual_information("grassberger")
        by_tables.append(observed - table_null(counts, "grassberger", 8, rng).mean(axis=0))
        perms = [_mi_per_lag(KERNELS["sparse"].count(shuffled(np.asarray(s.codes), rng), w, lags, s.alphabet_size,
                                                     cells=False), "grassberger") for _ in range(8)]
        by_perms.append(observed - np.mean(perms, axis=0))
    assert s.alphabet_size == 800 and midecay.null.floor.by_matching(s.alphabet_size)
    by_tables, by_perms = np.array(by_tables), np.array(by_perms)
    assert np.all(np.abs(by_tables.mean(axis=0)) < 3 * by_tables.std(axis=0) / np.sqrt(20))
    assert np.all(by_perms.mean(axis=0) < -10 * by_perms.std(axis=0) / np.sqrt(20))


def test_matching_floor_is_the_same_bytes_on_one_thread_and_two():
    """Every random number of the matching sampler comes from the seed's generator (a child a
    draw, the reading places drawn up front), so the threads that scan the tables change no byte."""
    import numba

    from midecay.random_tables import random_matching_sums

    left, right = _word_tables()
    with midecay.threads(1):
        one = random_matching_sums(left, right, 50, np.random.default_rng(9))
    with midecay.threads(min(2, numba.config.NUMBA_NUM_THREADS)):
        two = random_matching_sums(left, right, 50, np.random.default_rng(9))
    assert all(np.array_equal(a, b) for a, b in zip(one, two)) and np.unique(one[0][:, 0]).size > 20


def test_random_tables_have_the_hypergeometric_law():
    """Hypothesis: every cell of a random table with margins (r, c) is hypergeometric: mean
    r_i c_j / N and variance r_i c_j (N - r_i)(N - c_j) / (N^2 (N - 1)). Over 40,000 tables (small
    cells drawn ball by ball, large ones by ratio-of-uniforms) the cell means agree within 4
    standard errors and the variances within 5 %; a sampler whose cells spread 20 % more, or 20 %
    less, fails. The Patefield reference gives the same MI distribution (mean within 4
    standard errors, spread within 5 %)."""
    from midecay.estimators import mutual_information_tables
    from midecay.random_tables import random_tables, random_tables_reference

    row, col = np.array([3, 40, 900, 57, 0]), np.array([500, 2, 300, 198])
    n_total, draws = row.sum(), 40_000
    tables = random_tables(row, col, draws, np.random.default_rng(0))
    assert (tables.sum(axis=2) == row).all() and (tables.sum(axis=1) == col).all()
    mean = np.outer(row, col) / n_total
    var = np.outer(row * (n_total - row), col * (n_total - col)) / (n_total**2 * (n_total - 1))
    live = var > 0

    def law(t):
        ok_mean = np.abs(t.mean(axis=0) - mean)[live] < 4 * np.sqrt(var[live] / draws)
        ok_var = np.abs(t.var(axis=0)[live] / var[live] - 1) < 0.05
        return ok_mean.all() and ok_var.all()

    assert law(tables)
    assert not law(np.rint(mean + 1.2 * (tables - mean)).astype(np.int64))
    assert not law(np.rint(mean + 0.8 * (tables - mean)).astype(np.int64))
    mi = mutual_information_tables(tables[:4000], "plugin")
    ref = mutual_information_tables(random_tables_reference(row, col, 4000, np.random.default_rng(1)), "plugin")
    assert abs(mi.mean() - ref.mean()) < 4 * np.sqrt((mi.var() + ref.var()) / 4000)
    assert abs(mi.std() / ref.std() - 1) < 0.05


def test_table_floor_is_the_same_bytes_on_one_thread_and_two(monkeypatch):
    """The floor's draws come from a generator per lag (spawned from the seed), so the number
    of threads that draw them does not change a byte, nor does drawing many tables in chunks
    (memory) instead of one stack."""
    import midecay.null.floor
    from midecay.counting import KERNELS, windows_from_bounds
    from midecay.null.floor import table_null

    codes = markov(np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]), 50_000, seed=3).symbols.codes
    counts = KERNELS["dense"].count(codes, windows_from_bounds(np.array([0, len(codes)])), np.array([1, 2, 3, 50]), 3)
    with midecay.threads(1):
        one = table_null(counts, "grassberger", 16, np.random.default_rng(9))
    import numba

    with midecay.threads(min(2, numba.config.NUMBA_NUM_THREADS)):
        two = table_null(counts, "grassberger", 16, np.random.default_rng(9))
    assert np.array_equal(one, two) and np.unique(one[:, 0]).size > 8
    monkeypatch.setattr(midecay.null.floor, "TABLE_STACK_CELLS", 0)
    monkeypatch.setattr(midecay.null.floor, "TABLE_CHUNK", 5)
    assert np.array_equal(table_null(counts, "grassberger", 16, np.random.default_rng(9)), one)


def test_shuffle_is_uniform_and_seeded():
    """Hypothesis: the compiled Fisher-Yates shuffle behind the permutation floor gives each of
    the 24 orders of 4 symbols with probability 1/24: over 24,000 shuffles the counts pass a
    chi-square test at 0.1 %, which the classic off-by-one (swapping with any position at each
    step) fails; it keeps the multiset, and one seed gives one order."""
    from scipy.stats import chisquare

    from midecay.rng import shuffled

    rng = np.random.default_rng(0)
    orders = [tuple(shuffled(np.arange(4, dtype=np.uint8), rng).tolist()) for _ in range(24_000)]
    _, counts = np.unique(np.array(orders), axis=0, return_counts=True)
    assert len(counts) == 24 and chisquare(counts).pvalue > 1e-3
    biased = []  # the off-by-one: j drawn from every position at each step
    for _ in range(24_000):
        x = list(range(4))
        for i in range(3, 0, -1):
            j = int(rng.integers(0, 4))
            x[i], x[j] = x[j], x[i]
        biased.append(tuple(x))
    assert chisquare(np.unique(np.array(biased), axis=0, return_counts=True)[1]).pvalue < 1e-3
    codes = np.random.default_rng(1).integers(0, 9, 1000).astype(np.uint16)
    a, b = shuffled(codes, np.random.default_rng(5)), shuffled(codes, np.random.default_rng(5))
    assert np.array_equal(a, b) and np.array_equal(np.sort(a), np.sort(codes)) and not np.array_equal(a, codes)


def _sticky_chain(k: int, n: int, stay: float, rng: np.random.Generator) -> np.ndarray:
    """Keep the last symbol with probability ``stay``, else draw a fresh uniform one: I(d) ~ stay^(2d)."""
    fresh = rng.integers(0, k, n)
    source = np.where(rng.random(n) < stay, 0, np.arange(n))
    return fresh[np.maximum.accumulate(source)]


@pytest.mark.parametrize(("k", "n", "stay"), [(2, 20_000, 0.0), (2, 20_001, 0.8), (3, 20_000, 0.3), (4, 20_000, 0.5),
                                               (27, 20_000, 0.5), (200, 50_000, 0.3)])
def test_p_values_are_uniform_at_zero_mi_lags_for_both_parities(k, n, stay):
    """Hypothesis: at lags where I(d) = 0 (stay^d < 1e-19) p-values are uniform over independent seeds.

    Lags 200 and 201 give both parities of N - d, where Grassberger's (-1)^n term flips the
    null's skew. Before the exact two-symbol law, K = 2 gave Kolmogorov-Smirnov p = 6e-4 and a
    chi-square over deciles p = 3e-8. Each test here must give p >= 0.01 (200 seeds).
    """
    from scipy import stats

    lags = np.array([200, 201])
    p = np.array([midecay.mi_curve(_sticky_chain(k, n, stay, np.random.default_rng(s)), lags, seed=s).p_values()
                  for s in range(200)])
    for i in range(len(lags)):
        assert stats.kstest(p[:, i], "uniform").pvalue >= 0.01, (k, lags[i])
        assert stats.chisquare(np.histogram(p[:, i], bins=10, range=(0, 1))[0]).pvalue >= 0.01, (k, lags[i])


def test_two_symbol_p_values_keep_their_power_and_see_autocorrelation():
    """Hypothesis: the exact law still finds dependence (lag 1 of a sticky binary chain: p ~ 0), and
    widening it for autocorrelation raises the p-value of the same estimate."""
    from midecay.two_by_two import two_by_two_p_value

    c = midecay.mi_curve(_sticky_chain(2, 20_000, 0.3, np.random.default_rng(1)), [1, 2], seed=1)
    assert np.isfinite(c.exact_p).all() and c.p_values()[0] < 1e-10
    left = right = np.array([10_000, 10_000])
    narrow = two_by_two_p_value(left, right, 2e-4, 1.0, "grassberger")
    wide = two_by_two_p_value(left, right, 2e-4, 3.0, "grassberger")
    assert narrow < 0.05 < wide


def _binomial_99(hits: int, trials: int) -> tuple[float, float]:
    """Two-sided 98 % Clopper-Pearson interval of a rate (99 % each side)."""
    from scipy.stats import beta

    lo = 0.0 if hits == 0 else float(beta.ppf(0.01, hits, trials - hits + 1))
    hi = 1.0 if hits == trials else float(beta.ppf(0.99, hits + 1, trials - hits))
    return lo, hi


@pytest.mark.parametrize(("k", "period", "r", "n"), [(2, 5, 0.7, 100_000), (4, 6, 0.5, 100_000), (27, 12, 0.6, 200_000)])
def test_lag_p_copy_process_keeps_the_level_at_its_zero_mi_lags(k, period, r, n):
    """Hypothesis: I(d) = 0 unless the period divides d; the floor flags those lags at p < 0.05
    within 1.5x nominal (and not so rarely that the floor is set too high), at z = 3 within
    1.5x its 0.135 %, and finds the period's lag every time.

    Before, the autocorrelation term stopped at the first two quiet lags of the sequence's
    autocorrelation, which for a period are lags 1 and 2: it dropped all of it and flagged
    18 %, 25 % and 100 % of the zero-MI lags of these three processes.
    """
    lags = np.arange(1, 121)
    zero = lags % period != 0
    p_hits = z_hits = trials = 0
    for seed in range(8):
        s = midecay.synth.copy_process(n, k, period, r, probabilities=np.full(k, 1.0 / k), seed=seed)
        curve = midecay.mi_curve(s.symbols, lags, seed=seed)
        p_hits += int((curve.p_values()[zero] < 0.05).sum())
        z_hits += int(curve.significant(3.0)[zero].sum())
        trials += int(zero.sum())
        assert curve.significant(3.0)[period - 1]
    lo, hi = _binomial_99(p_hits, trials)
    assert lo <= 0.075 and hi >= 0.02, (p_hits, trials)
    assert _binomial_99(z_hits, trials)[0] <= 1.5 * 0.00135, (z_hits, trials)


@pytest.mark.parametrize(("k", "n"), [(2, 200_000), (4, 100_000), (27, 100_000)])
def test_sliding_window_sum_keeps_the_level_beyond_its_window(k, n):
    """Hypothesis: a function of a window of 3 i.i.d. symbols has I(d) = 0 for d >= 3; the floor
    flags those lags at p < 0.05 within 1.5x nominal over seeds (Zipf-skewed symbols)."""
    lags = midecay.log_lags(3, 2000, 25)
    p_hits = z_hits = trials = 0
    for seed in range(12):
        curve = midecay.mi_curve(midecay.synth.sliding_sum(n, k, seed=seed), lags, seed=seed)
        p_hits += int((curve.p_values() < 0.05).sum())
        z_hits += int(curve.significant(3.0).sum())
        trials += len(lags)
    lo, hi = _binomial_99(p_hits, trials)
    assert lo <= 0.075 and hi >= 0.02, (p_hits, trials)
    assert _binomial_99(z_hits, trials)[0] <= 1.5 * 0.00135, (z_hits, trials)


@pytest.mark.parametrize("estimator", ["miller_madow", "plugin"])
def test_two_symbol_p_values_are_uniform_for_every_estimator(estimator):
    """Hypothesis: the exact two-symbol law evaluates the curve's own estimator over the free count,
    so p-values at a zero-MI lag are uniform whichever estimator made the curve (Miller-Madow's
    cells-in-use term included: left out, it shifts every value by ~2 null SDs)."""
    from scipy import stats

    p = np.array([midecay.mi_curve(_sticky_chain(2, 20_001, 0.5, np.random.default_rng(s)), [200, 201], seed=s,
                                   estimator=estimator, n_blocks=0).p_values() for s in range(200)])
    for i in range(2):
        assert stats.kstest(p[:, i], "uniform").pvalue >= 0.01, (estimator, i)
        assert stats.chisquare(np.histogram(p[:, i], bins=10, range=(0, 1))[0]).pvalue >= 0.01, (estimator, i)


def test_near_covariance_kernel_equals_a_direct_count():
    """Hypothesis: the compiled four-point covariance (A_t = [x_t = x_{t+tau}] / pi(x_t), Cov(A_t, A_{t+d}))
    equals the same sum written in numpy, windows respected."""
    from midecay.null.autocorrelation import _near_covariance

    rng = np.random.default_rng(3)
    codes = rng.integers(0, 5, 3000).astype(np.uint8)
    inv_pi = 1.0 / (np.bincount(codes, minlength=5) / len(codes))
    windows = np.array([[0, 1000, 1000], [1000, 3000, 3000]], dtype=np.int64)
    taus, lags = np.array([1, 2, 2], dtype=np.int64), np.array([3, 3, 4], dtype=np.int64)
    fast = _near_covariance(codes, windows, taus, lags, inv_pi)
    for value, tau, d in zip(fast, taus, lags):
        a1, a2 = [], []
        for start, _, end in windows:
            t = np.arange(start, end - d - tau)
            a1.append(np.where(codes[t] == codes[t + tau], inv_pi[codes[t]], 0.0))
            a2.append(np.where(codes[t + d] == codes[t + d + tau], inv_pi[codes[t + d]], 0.0))
        a1, a2 = np.concatenate(a1), np.concatenate(a2)
        assert value == pytest.approx(np.mean(a1 * a2) - a1.mean() * a2.mean(), rel=1e-10, abs=1e-12)


def test_the_lag_right_after_a_window_is_not_read_high():
    """Hypothesis: at d = 3 after a window of 3 (x_t = u_t + u_{t-1} + u_{t-2} mod 40, Zipf u, N = 10^5),
    pairs (t, t+3) and (t+1, t+4) still share symbols of u, so the null's four-point terms do not
    factorise there; with the covariance measured, the floor-removed MI over its noise has mean
    within +-0.25 over 24 seeds (factorised, it read +0.45; lags 10 and 50 stay within +-0.25)."""
    z = np.array([(lambda c: c.floor_removed / c.floor_removed_se)(midecay.mi_curve(midecay.synth.sliding_sum(100_000, 40, seed=s),
                                                                           [3, 10, 50], seed=s)) for s in range(24)])
    assert np.all(np.abs(z.mean(axis=0)) < 0.25), z.mean(axis=0)
