"""Bias and RMSE of each estimator's floor-corrected MI against exact answers, over N and K (issue 22).

Run: ``.venv/bin/python benchmarks/bench_estimators.py [--seeds 3] [--max-n 10000000] [--quick]``.

Processes with exact MI (``midecay.synth``):

* Zipf copy process (``copy_process``): Zipf(1.1) over K types, each symbol copying the one 5
  back with probability r; exact ``I(5)`` (``copy_mi``), ``I(7) = 0``;
* hidden two-state Zipf (``hidden_zipf``): a hidden flip chain emitting Zipf or mirrored-Zipf
  symbols; exact ``I(d)`` at every lag (``hidden_zipf_mi``), nothing repeats exactly.

For each process, N and estimator: the mean of the curve's ``floor_removed`` over seeds against
the exact value (bias, in nats and relative), its RMSE, the raw estimate's bias (``mi``, no
floor taken off), and at the zero-MI lag the mean of ``floor_removed`` and the rate of p < 0.05.
All estimators read the same sequences (one curve each, no jackknife). Then each estimator's time
for a default curve of 10^7 Zipf tokens against Grassberger's, measured in the same run.
Nothing is asserted; ``tests/test_estimators_large.py`` holds a slice.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np

import midecay
from midecay.synth import copy_process, hidden_zipf

ESTIMATORS = ("grassberger", "miller_madow", "plugin", "nsb", "chao_shen")


def rows_for(name: str, make, lags: np.ndarray, exact: np.ndarray, zero: np.ndarray, sizes, seeds: int) -> None:
    for n in sizes:
        est = {e: [] for e in ESTIMATORS}
        raw = {e: [] for e in ESTIMATORS}
        pz = {e: 0 for e in ESTIMATORS}
        for s in range(seeds):
            x = make(n, s)
            for e in ESTIMATORS:
                c = midecay.mi_curve(x, lags, seed=s, estimator=e, n_blocks=0)
                est[e].append(c.floor_removed)
                raw[e].append(c.mi)
                pz[e] += int((c.p_values()[zero] < 0.05).sum())
        cells = []
        for e in ESTIMATORS:
            v = np.array(est[e])
            dep = ~zero
            bias = v[:, dep].mean(axis=0) - exact[dep]
            rmse = np.sqrt(((v[:, dep] - exact[dep]) ** 2).mean(axis=0))
            rel = bias / exact[dep]
            raw_bias = np.array(raw[e])[:, dep].mean(axis=0) - exact[dep]
            cells.append(f"{e:<12} {bias[0]:+.4f} ({rel[0]:+4.0%}) rmse {rmse[0]:.4f} | raw {raw_bias[0]:+.4f} "
                         f"({raw_bias[0] / exact[dep][0]:+4.0%}) | zero {v[:, zero].mean():+.4f} "
                         f"p<.05 {pz[e] / (seeds * zero.sum()):.2f}")
        print(f"  {name} N={n:.0e}: exact {exact[~zero][0]:.4f}")
        for cell in cells:
            print(f"      {cell}")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-n", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="K up to 5,000 and N up to 10^6 only")
    args = parser.parse_args()
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    sizes_all = [n for n in (10_000, 100_000, 1_000_000, 10_000_000) if n <= args.max_n]
    print(f"midecay {midecay.__version__}; {args.seeds} seeds; bias = mean(floor_removed) - exact at the dependent lag")
    lags = np.array([5, 7])
    zero = np.array([False, True])
    for k in (200, 5_000, 50_257):
        if args.quick and k > 5_000:
            continue
        for r in (0.1, 0.5):
            exact = copy_process(10, k, 5, r, seed=0).expected_mi(lags)
            sizes = [n for n in sizes_all if not (args.quick and n > 1_000_000)]
            rows_for(f"Zipf copy K={k} r={r} (N/K {sizes[0] / k:.2g}-{sizes[-1] / k:.2g})",
                     lambda n, s: copy_process(n, k, 5, r, seed=s).symbols.codes, lags, exact, zero, sizes, args.seeds)
    hidden_lags = np.array([2, 400])
    for k in (5_000, 50_257):
        if args.quick and k > 5_000:
            continue
        exact = hidden_zipf(10, k, 0.05, seed=0).expected_mi(hidden_lags)
        exact[1] = 0.0  # 0.9^800 ~ 1e-37: zero to any precision
        sizes = [n for n in sizes_all if not (args.quick and n > 1_000_000)]
        rows_for(f"hidden Zipf K={k} flip=0.05 d=2", lambda n, s: hidden_zipf(n, k, 0.05, seed=s).symbols.codes,
                 hidden_lags, exact, np.array([False, True]), sizes, args.seeds)
    n_speed = min(10_000_000, args.max_n)
    x = copy_process(n_speed, 50_257, 5, 0.1, seed=0).symbols.codes
    lags = midecay.log_lags(1, 1000, 20)
    print(f"[speed] default curve, {n_speed:.0e} Zipf copy tokens (K=50,257), 20 log lags; ratio to grassberger")
    times = {}
    for e in ESTIMATORS:
        t0 = time.perf_counter()
        midecay.mi_curve(x, lags, seed=0, estimator=e)
        times[e] = time.perf_counter() - t0
        print(f"    {e:<12} {times[e]:7.1f} s   x{times[e] / times['grassberger']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
