"""The null's calibration swept over processes with exact answers (issue 21's full sweep; the tests run a slice).

Run: ``.venv/bin/python benchmarks/bench_null.py [--seeds 40]``. Prints, over seeds:

1. false-positive rates (p < 0.05 and significant at z = 3) at lags where I(d) = 0 exactly, on
   copy processes (Zipf marginals, K = 200 ... 50,257; uniform, K = 2, 4, 27, period 5-12) and
   on sliding-window sums and maxima of 3 Zipf symbols (K = 2, 4, 27, 200), and at d = 3 alone
   (the lag right after the window, K = 4 and 40);
2. Kolmogorov-Smirnov and decile chi-square p of the p-values at one zero-MI lag, both parities;
3. the standard error over the spread at zero and at clear MI (sticky chains);
4. coverage of xi's 95 % interval on binary chains with exact xi.
Nothing is asserted; the tests hold the slice they run.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings

import numpy as np
from scipy import stats

import midecay
from midecay.synth import copy_process, markov, sliding_max, sliding_sum


def rates(make, lags: np.ndarray, zero: np.ndarray, seeds: int) -> tuple[float, float]:
    p_hits = z_hits = trials = 0
    for s in range(seeds):
        c = midecay.mi_curve(make(s), lags, seed=s)
        p_hits += int((c.p_values()[zero] < 0.05).sum())
        z_hits += int(c.significant(3.0)[zero].sum())
        trials += int(zero.sum())
    return p_hits / trials, z_hits / trials


def sticky(k: int, stay: float):
    return stay * np.eye(k) + (1 - stay) / k


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    args = parser.parse_args()
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    seeds = args.seeds
    print(f"midecay {midecay.__version__}; {seeds} seeds a row (nominal: p<0.05 0.05, z>3 0.00135)")
    print("[1] false positives at zero-MI lags")
    short = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19, 21, 23])
    for k, n in ((200, 20_000), (5_000, 50_000), (50_257, 100_000)):
        fp = rates(lambda s: copy_process(n, k, 5, 0.1, seed=1000 + s).symbols, short, short % 5 != 0, seeds)
        print(f"    Zipf copy K={k:<6} N={n:<7} r=0.1: p<0.05 {fp[0]:.3f}  z>3 {fp[1]:.4f}")
    lin = np.arange(1, 121)
    for k, p, r in ((2, 5, 0.7), (4, 6, 0.5), (27, 12, 0.6)):
        fp = rates(lambda s: copy_process(100_000, k, p, r, probabilities=np.full(k, 1 / k), seed=s).symbols, lin,
                   lin % p != 0, seeds)
        print(f"    lag-{p} copy K={k:<3} r={r}: p<0.05 {fp[0]:.3f}  z>3 {fp[1]:.4f}")
    far = midecay.log_lags(3, 2000, 25)
    for k in (2, 4, 27, 200):
        fs = rates(lambda s: sliding_sum(100_000, k, seed=s), far, far >= 3, seeds)
        fm = rates(lambda s: sliding_max(100_000, k, seed=s), far, far >= 3, seeds)
        print(f"    window of 3, K={k:<3}: sum p<0.05 {fs[0]:.3f} z>3 {fs[1]:.4f}; max p<0.05 {fm[0]:.3f} z>3 {fm[1]:.4f}")
    # Issue 32's case: d = 3 alone, the first zero-MI lag, where pairs (t, t+3) and (t+1, t+4) still
    # share symbols of u (the null's four-point terms do not factorise there).
    for k in (4, 40):
        first = rates(lambda s: sliding_sum(100_000, k, seed=s), np.array([3]), np.array([True]), seeds)
        print(f"    window of 3, K={k:<3}, d = 3 only: sum p<0.05 {first[0]:.3f} z>3 {first[1]:.4f}")
    print("[2] p-value uniformity at lags 200 and 201 (KS p, decile chi-square p)")
    for k, n, stay in ((2, 20_000, 0.0), (2, 20_001, 0.8), (4, 20_000, 0.5), (27, 20_000, 0.5), (200, 50_000, 0.3)):
        p = np.array([midecay.mi_curve(markov(sticky(k, stay), n, seed=s).symbols, [200, 201], seed=s, n_blocks=0).p_values()
                      for s in range(5 * seeds)])
        cells = [f"{stats.kstest(p[:, i], 'uniform').pvalue:.2g} / "
                 f"{stats.chisquare(np.histogram(p[:, i], bins=10, range=(0, 1))[0]).pvalue:.2g}" for i in range(2)]
        print(f"    K={k:<3} N={n} stay={stay}: {cells[0]}   {cells[1]}")
    print("[3] mean stderr over the spread of mi - floor (clear MI: d = 1-3; zero: stay^d < 1e-4)")
    lags = np.array([1, 2, 3, 60, 80, 100, 130, 170, 220])
    for k, n, stay in ((2, 40_000, 0.9), (4, 20_000, 0.5), (27, 40_000, 0.6)):
        cs = [midecay.mi_curve(markov(sticky(k, stay), n, seed=s).symbols, lags, seed=s) for s in range(seeds)]
        est = np.array([c.mi - c.floor for c in cs])
        ratio = np.array([c.stderr for c in cs]).mean(axis=0) / est.std(axis=0, ddof=1)
        print(f"    K={k:<3} stay={stay}: clear {np.round(ratio[:3], 2).tolist()}, zero {np.round(ratio[3:], 2).tolist()}")
    print("[4] xi of binary chains: mean (exact), SD, mean SE, SE/SD, 95 % coverage")
    grid = np.unique(np.rint(np.geomspace(1, 400, 30)).astype(int))
    for lam, n in ((0.8, 1_000_000), (0.9, 1_000_000), (0.97, 1_000_000), (0.9, 100_000)):
        q = (1 - lam) / 2
        xi_true = -1.0 / (2.0 * math.log(lam))
        est = [midecay.fit_decay(midecay.mi_curve(markov(np.array([[1 - q, q], [q, 1 - q]]), n, seed=s).symbols, grid,
                                                  seed=s), laws=["exponential"]).correlation_length for s in range(seeds)]
        xi, se = np.array([e.value for e in est]), np.array([e.stderr for e in est])
        print(f"    lam={lam} N={n:.0e}: {xi.mean():.3f} ({xi_true:.3f}), SD {xi.std(ddof=1):.3f}, SE {se.mean():.3f}, "
              f"SE/SD {se.mean() / xi.std(ddof=1):.2f}, coverage {np.mean(np.abs(xi - xi_true) <= 1.96 * se):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
