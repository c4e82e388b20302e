"""compare's whole-curve test of repeats over the looping class: its power and its level.

Run: ``.venv/bin/python benchmarks/sweep_repeat_test.py [--pairs-scale 1.0] [--curves]`` (about a
minute; ``--curves`` adds about four).
Each row draws pairs of sets of 400 streams of 512 tokens (:func:`midecay.synth.looping_streams`),
measures their excess of repeats at log lags 1-511 as a curve does (groups of whole streams),
and runs :func:`midecay.comparison.repeat_test` on them: the z's mean and SD over pairs, and how
many pairs reach the test's level (half of compare's 0.01) with 16 groups (the MI's jackknife
blocks) and with :data:`~midecay.repeat_excess.REPEAT_GROUPS`. With ``--curves``, fewer pairs go
through :func:`midecay.mi_curve` and :func:`midecay.compare` as ``lm evaluate`` runs them (log
lags 1-511 and the zero-MI lags 61-307): compare's verdicts, the repeat test's z, and lags or
bands flagged against the exact difference's sign. ``docs/methods.md``, "Repeats
between two sets of streams", quotes the table. Nothing is asserted; the tests
(``tests/test_repeat_excess.py``) hold the claims on fewer pairs.
"""

from __future__ import annotations

import argparse
import time
import warnings
from types import SimpleNamespace

import numpy as np

import midecay
from midecay.comparison import REPEAT_SHARE, repeat_test
from midecay.null.streams import stream_blocks
from midecay.repeat_excess import REPEAT_GROUPS, repeat_excess
from midecay.synth import looping_streams

LAGS = np.unique(np.rint(np.geomspace(1, 511, 40)).astype(int))
ALPHA = 0.01
#: (label, alphabet, loop share of the first set, of the second, single-token share, pairs)
ROWS = (
    ("2 % vs 10 % loopers, K = 2,000", 2000, 0.02, 0.10, 0.0, 40),
    ("2 % vs 10 % loopers, K = 50,000", 50_000, 0.02, 0.10, 0.0, 20),
    ("one process: 10 % loopers, K = 2,000", 2000, 0.10, 0.10, 0.0, 300),
    ("one process: 2 % loopers, 1 % single-token, K = 50,000", 50_000, 0.02, 0.02, 0.01, 100),
    ("one process: 50 % loopers, K = 2,000", 2000, 0.50, 0.50, 0.0, 100),
    ("one process: i.i.d., K = 200", 200, 0.0, 0.0, 0.0, 100),
)


def measured(symbols, groups: int) -> SimpleNamespace:
    """The set's excess of repeats as a curve carries it (what :func:`repeat_test` reads)."""
    r, reps = repeat_excess(symbols.codes, stream_blocks(symbols.bounds, groups), LAGS, symbols.alphabet_size)
    return SimpleNamespace(repeat_excess=r, repeat_replicates=reps, n_pairs=400 * (512 - LAGS))


#: (label, alphabet, loop share of the reference, of the other set, pairs) through mi_curve and compare.
CURVE_ROWS = (
    ("2 % vs 10 % loopers, K = 2,000", 2000, 0.02, 0.10, 8),
    ("2 % vs 10 % loopers, K = 50,000", 50_000, 0.02, 0.10, 6),
    ("30 % vs 50 % loopers, K = 2,000", 2000, 0.30, 0.50, 4),
    ("one process: 10 % loopers, K = 2,000", 2000, 0.10, 0.10, 8),
)
CURVE_LAGS = np.unique(np.concatenate([LAGS, [61, 67, 127, 131, 199, 307]]))


def through_curves(scale: float) -> None:
    """compare()'s verdicts on curves of the sets, and what it flags against the exact difference's sign."""
    print(f"\n{'sets, through mi_curve and compare':<56} {'pairs':>5} {'different':>9}  repeat z  wrong-sign flags")
    for label, k, first, second, pairs in CURVE_ROWS:
        t0 = time.perf_counter()
        pairs = max(2, round(pairs * scale))
        different, wrong, z = 0, 0, []
        for seed in range(pairs):
            a = looping_streams(400, 512, k, first, seed=100 + seed)
            b = looping_streams(400, 512, k, second, seed=200 + seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
                pair = midecay.compare([midecay.mi_curve(x.symbols, CURVE_LAGS, seed=seed) for x in (a, b)]).pairs[0]
            exact = b.expected_mi(CURVE_LAGS) - a.expected_mi(CURVE_LAGS)
            different += pair.verdict == "different"
            wrong += int((pair.significant & (np.sign(pair.difference) != np.sign(exact))).sum())
            wrong += int((pair.band_significant & (np.sign(pair.band_difference) != np.sign(exact.max()))).sum())
            wrong += bool(pair.repeat_significant and np.sign(pair.repeat_difference) != np.sign(exact.max()))
            z.append(pair.repeat_z)
        print(f"{label:<56} {pairs:>5} {different:>9}  {min(z):+.1f}..{max(z):+.1f}  {wrong}"
              f" ({time.perf_counter() - t0:.0f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs-scale", type=float, default=1.0, help="multiply every row's number of pairs")
    parser.add_argument("--curves", action="store_true", help="also run pairs through mi_curve and compare")
    args = parser.parse_args()
    scale = args.pairs_scale
    index = np.arange(len(LAGS))
    print(f"{'sets':<56} {'pairs':>5} {'z mean':>7} {'z SD':>5}  reached {REPEAT_SHARE * ALPHA:g} (16 groups / {REPEAT_GROUPS})")
    for label, k, first, second, single, pairs in ROWS:
        t0 = time.perf_counter()
        pairs = max(2, round(pairs * scale))
        z, reached = [], {16: 0, REPEAT_GROUPS: 0}
        for seed in range(pairs):
            sets = [looping_streams(400, 512, k, share, repeat_share=single, seed=base + seed).symbols
                    for base, share in ((10_000, first), (20_000, second))]
            for groups in reached:  # the same two sets, with each number of groups
                _, zval, p = repeat_test(measured(sets[0], groups), index, measured(sets[1], groups), index)
                reached[groups] += p <= REPEAT_SHARE * ALPHA
                if groups == REPEAT_GROUPS:
                    z.append(zval)
        print(f"{label:<56} {pairs:>5} {np.mean(z):>+7.2f} {np.std(z):>5.2f}  {reached[16]:>3} / {reached[REPEAT_GROUPS]:<3}"
              f" ({time.perf_counter() - t0:.0f} s)")
    if args.curves:
        through_curves(scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
