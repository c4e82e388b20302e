"""The excess of repeats (:mod:`midecay.repeat_excess`) and compare's whole-curve test of it.

Exact reference: :func:`midecay.synth.looping_streams`. Pooled over streams, the pair at lag
``d`` is one draw twice with probability ``c(d) = q P(L | d) + r`` (``q`` loopers, ``r`` streams
repeating one token), else two independent draws; so the share of equal pairs has expectation
``c(d) + (1 - c(d)) sum pi^2``. The chance share ``sum_a n_a (n_a - 1) / (N (N - 1))`` is the
share of equal symbols over two distinct positions, expectation ``sum pi^2 + s (1 - sum pi^2)``
with ``s`` the chance that two distinct positions are one draw: both in one stream (``(n - 1) /
(N - 1)``), at an offset ``δ`` (probability ``2 (n - δ) / (n (n - 1))``) that the stream copies
at (``c(δ)``), ``s = 2 / (n (N - 1)) sum_δ (n - δ) c(δ)``. Both expectations are exact (the
pairs' number is fixed), so ``E R(d) = (c(d) - s) (1 - sum pi^2)``.
"""

from __future__ import annotations

import numpy as np
import pytest

import midecay
from midecay import MICurve, mi_curve
from midecay.comparison import PairComparison
from midecay.counting.windows import block_windows
from midecay.null.streams import stream_blocks
from midecay.repeat_excess import REPEAT_GROUPS, repeat_excess
from midecay.synth import looping_streams
from midecay.synth.copying import token_law
from midecay.synth.looping import loop_length_law

pytestmark = pytest.mark.filterwarnings("ignore::midecay.UnreliableEstimateWarning")

#: Log lags to a stream's length, as ``lm evaluate`` runs them.
LAGS = np.unique(np.rint(np.geomspace(1, 511, 40)).astype(int))


def copy_share(lags, loop_share: float, repeat_share: float) -> np.ndarray:
    """``c(d) = q P(L | d) + r`` with the generator's default loop law (L on 2..60, P ∝ L^-1.5)."""
    lengths, p = loop_length_law()
    d = np.asarray(lags)[:, None]
    return loop_share * ((d % lengths[None, :] == 0) @ p) + repeat_share


def exact_excess(lags, n_streams: int, length: int, k: int, loop_share: float, repeat_share: float) -> np.ndarray:
    """``E R(d) = (c(d) - s) (1 - sum pi^2)`` (the module docstring's derivation)."""
    pi = token_law(k, None)
    n, total = length, n_streams * length
    offsets = np.arange(1, n)
    s = 2.0 / (n * (total - 1)) * ((n - offsets) * copy_share(offsets, loop_share, repeat_share)).sum()
    return (copy_share(lags, loop_share, repeat_share) - s) * (1.0 - (pi**2).sum())


def test_repeat_excess_counts_what_a_plain_recount_counts():
    """Hypothesis: the kernel's per-block equal pairs, pairs and symbol counts are those of a plain
    recount, for groups of whole streams and for contiguous blocks of one sequence (whose pairs
    cross the block's end)."""
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, 3000).astype(np.uint8)
    lags = np.array([1, 2, 7, 40])
    bounds = np.array([0, 700, 1500, 2200, 3000])
    for blocks in (stream_blocks(bounds, 3), block_windows(np.array([0, 3000]), 4)):
        r, reps = repeat_excess(codes, blocks, lags, 5)
        equal, pairs, hist = np.zeros((len(blocks), len(lags))), np.zeros((len(blocks), len(lags))), np.zeros((len(blocks), 5))
        for b, windows in enumerate(blocks):
            for start, first_stop, end in windows:
                hist[b] += np.bincount(codes[start:end], minlength=5)
                for i, d in enumerate(lags):
                    t = np.arange(start, min(first_stop, end - d))
                    equal[b, i] += (codes[t] == codes[t + d]).sum()
                    pairs[b, i] += len(t)

        def chance(h):
            return (h * (h - 1)).sum() / (h.sum() * (h.sum() - 1))

        assert np.allclose(r, equal.sum(0) / pairs.sum(0) - chance(hist.sum(0)))
        for b in range(len(blocks)):
            rest = np.arange(len(blocks)) != b
            assert np.allclose(reps[b], equal[rest].sum(0) / pairs[rest].sum(0) - chance(hist[rest].sum(0)))


@pytest.mark.parametrize("k, loop_share, repeat_share", [(2000, 0.1, 0.0), (50_000, 0.02, 0.01), (300, 0.5, 0.0),
                                                         (40, 0.0, 0.0)])
def test_repeat_excess_is_exact_with_honest_errors_over_the_class(k, loop_share, repeat_share):
    """Hypothesis: over 30 seeds of 200 streams of 256, the excess of repeats is unbiased for the
    exact ``E R(d)`` at every lag (the seeds' mean within 4 of its SEs) and its jackknife error
    (a curve's groups of whole streams, here 100 of 2) is its spread over seeds (root-mean-square SE / SD in 0.7-1.4
    at every lag). An error 3x too big or too small fails the second; the chance share left out
    moves the mean by tens of SE. (Per seed, ``(R - E R) / SE`` is skewed where a few streams
    repeat: a set with fewer of them has a lower R and a smaller SE. Its mean is -0.9 at
    ``d = 2`` at 10 % loopers, -2 with 1 % single-token streams; a difference of two sets, which
    compare tests, is symmetric.)"""
    lags = np.array([1, 2, 3, 6, 12, 61, 127])
    exact = exact_excess(lags, 200, 256, k, loop_share, repeat_share)
    values, errors = [], []
    for seed in range(30):
        s = looping_streams(200, 256, k, loop_share, repeat_share=repeat_share, seed=50_000 + seed).symbols
        r, reps = repeat_excess(s.codes, stream_blocks(s.bounds, REPEAT_GROUPS), lags, k)
        values.append(r)
        g = len(reps)
        errors.append(np.sqrt((g - 1) / g * ((reps - reps.mean(0)) ** 2).sum(0)))
    values, errors = np.array(values), np.array(errors)
    spread = values.std(axis=0, ddof=1)
    bias = (values.mean(axis=0) - exact) / (spread / np.sqrt(30))
    assert np.abs(bias).max() < 4, bias.round(2)
    ratio = np.sqrt((errors**2).mean(axis=0)) / spread
    assert ((0.7 < ratio) & (ratio < 1.4)).all(), ratio.round(2)


def repeats_only_curve(symbols, lags: np.ndarray) -> MICurve:
    """A curve whose MI is the same at every lag (zero, no error), carrying the symbols' excess of
    repeats over groups of streams as a curve's: compare's verdict on two of them is the repeat test's alone."""
    groups = stream_blocks(symbols.bounds, min(REPEAT_GROUPS, symbols.n_segments))
    r, reps = repeat_excess(symbols.codes, groups, lags, symbols.alphabet_size)
    zero = np.zeros(len(lags))
    pairs = np.array([sum(max(b - a - d, 0) for a, b in zip(symbols.bounds[:-1], symbols.bounds[1:])) for d in lags])
    return MICurve(lags, zero, zero, zero, zero + 1.0, pairs, symbols.alphabet_size, symbols.n_symbols,
                   symbols.n_segments, "grassberger", "nats", repeat_excess=r, repeat_replicates=reps)


def test_whole_curve_repeat_test_keeps_its_level_over_the_class():
    """Hypothesis: under one process (two sets of 200 streams of 256 from the same generator) the
    repeat test rejects at most at its share of the level, alpha / 2 = 0.5 %: 0.5 expected
    among these 100 pairs over four kinds of set (loopers 10 % and 50 %, 2 % loopers with 1 %
    single-token streams over 50,000 types, i.i.d. over 40), and at most 3 found (P(X >= 4) at
    0.5 % is 1.7e-3); the z's SD over pairs is 0.8-1.25. An error 3x too small rejects in most
    pairs."""
    kinds = [(2000, 0.1, 0.0), (2000, 0.5, 0.0), (50_000, 0.02, 0.01), (40, 0.0, 0.0)]
    z, found = [], 0
    for seed in range(25):
        for j, (k, q, r) in enumerate(kinds):
            a, b = (repeats_only_curve(looping_streams(200, 256, k, q, repeat_share=r, seed=base + 100 * j + seed).symbols,
                                       LAGS[LAGS < 256]) for base in (60_000, 61_000))
            pair = midecay.compare([a, b]).pairs[0]
            z.append(pair.repeat_z)
            found += pair.verdict == "different"
    assert found <= 3, found
    assert 0.8 < np.std(z) < 1.25, np.std(z).round(2)


def test_whole_curve_repeat_test_sees_two_against_ten_percent_loopers():
    """Hypothesis: 400 streams of 512 of which 2 % loop against 10 % (the issue's sets, K = 2,000 and
    50,000) differ in the share of streams that repeat themselves, and the repeat test over log
    lags 1-511 calls them different in most of 40 pairs (at least 26; 52 of 60 in the prototype)
    and never with the wrong sign; the MI of the pooled pairs, read through its estimator, found
    3 of 6 (``docs/methods.md``). Its 16 jackknife blocks (a t reference with 15 degrees of
    freedom) found 70 % of the prototype's pairs. Where it finds them, the summary names the side
    that repeats more."""
    found, wrong, z = 0, 0, []
    for seed in range(20):
        for k in (2000, 50_000):
            a = repeats_only_curve(looping_streams(400, 512, k, 0.02, seed=70_000 + seed).symbols, LAGS)
            b = repeats_only_curve(looping_streams(400, 512, k, 0.10, seed=71_000 + seed).symbols, LAGS)
            pair = midecay.compare([a, b]).pairs[0]
            found += pair.repeat_significant
            wrong += pair.repeat_significant and pair.repeat_difference < 0
            z.append(pair.repeat_z)
            if pair.repeat_significant:  # the summary says which side repeats more
                assert f"more in {pair.name if pair.repeat_difference > 0 else pair.reference}" in (
                    pair.describe_differences())
    assert found >= 26, (found, np.round(z, 1))
    assert wrong == 0


def test_curves_of_streams_carry_their_repeats_and_others_do_not():
    """Hypothesis: a curve of streams (the stream null) carries the excess of repeats and its block
    replicates, which a JSON round trip keeps and a curve written without them reads as NaN; a
    single sequence's curve carries none, and compare then runs without the repeat test (the
    whole level to the lags and bands; a note says why where only one side carries them); the
    summary names the test where it ran, and a comparison stored before it reads as not run."""
    s = looping_streams(64, 128, 300, 0.25, seed=0).symbols
    curve = mi_curve(s, [1, 2, 61], seed=0)
    assert curve.provenance["null"] == "streams"
    assert np.isfinite(curve.repeat_excess).all() and curve.repeat_replicates.shape == (64, 3)  # one group a stream
    again = MICurve.from_json_text(curve.to_json())
    assert np.array_equal(again.repeat_excess, curve.repeat_excess)
    assert np.array_equal(again.repeat_replicates, curve.repeat_replicates)
    old = curve.to_dict()
    del old["repeat_excess"], old["repeat_replicates"]
    assert np.isnan(MICurve.from_dict(old).repeat_excess).all()
    single = mi_curve(np.random.default_rng(0).integers(0, 4, 20_000), [1, 2, 61], seed=0)
    assert np.isnan(single.repeat_excess).all() and single.repeat_replicates.shape == (0, 3)
    assert np.isnan(midecay.compare([single, single]).pairs[0].repeat_z)
    other = mi_curve(looping_streams(64, 128, 300, 0.25, seed=1).symbols, [1, 2, 61], seed=0)
    both = midecay.compare([curve, other])
    assert np.isfinite(both.pairs[0].repeat_z)
    assert "repeats" in both.summary()
    stored = both.pairs[0].to_dict()
    assert PairComparison.from_dict(stored).repeat_z == both.pairs[0].repeat_z
    for key in ("repeat_difference", "repeat_z", "repeat_significant"):  # a comparison written before the test
        del stored[key]
    assert np.isnan(PairComparison.from_dict(stored).repeat_z)
    mixed = midecay.compare([curve, single])
    assert np.isnan(mixed.pairs[0].repeat_z) and any("repeat test" in note for note in mixed.notes)
