"""Many short streams of which some loop: the stream null swept over the class (the tests run a slice).

Run: ``.venv/bin/python benchmarks/bench_streams.py [--seeds 20] [--streams 400 --length 512]``.
The class is :func:`midecay.synth.looping_streams` (Zipf(1.1) tokens, loops of 2-60 with
``P(L) ∝ L^-1.5``; in section 3b streams that copy the token ``L`` back instead), whose pooled
``I(d)`` is exact. Prints, per alphabet and loop share:

1. zero-MI lags (no loop length divides ``d``) flagged at p < 0.05, with a 95 % Wilson interval
   taking lags as trials (the lags of one seed share its floor, so the true interval is wider);
2. the z of the estimate against the null there (mean, SD over seeds and lags);
3. at lags with MI: ``(floor_removed - exact) / noise`` (mean, SD) and ``floor_removed / exact``
   (median and 10-90 % range);
4. comparisons as ``lm evaluate`` runs them (two sets of streams, ``compare`` at 0.01: Holm at
   0.005 over lags and bands, the repeat test at 0.005; log lags 1-511): 2 % against 10 % loopers
   and 10 % against 50 % (found, found by the repeat test, lags, bands or repeat tests flagged with
   the wrong sign), and two sets of one process (the level).
Also the cost of a curve against its counting alone. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

import midecay
import midecay.curve
from midecay.null import streams
from midecay.synth import looping_streams


def wilson(hits: float, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return math.nan, math.nan
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def sweep(k: int, q: float, repeat: float, seeds: int, streams: int, length: int, lags: np.ndarray,
          copy: float = 0.0) -> str:
    rates, z0, zi, ratio, costs, hits, trials, routes = [], [], [], [], [], 0, 0, set()
    for s in range(seeds):
        syn = looping_streams(streams, length, k, q, repeat_share=repeat, copy_share=copy, seed=50_000 + s)
        exact = syn.expected_mi(lags)
        t0 = time.perf_counter()
        c = midecay.mi_curve(syn.symbols, lags, seed=s)
        costs.append(time.perf_counter() - t0)
        routes.add(c.provenance["null"])
        zero = exact == 0
        if zero.any():
            rates.append(float(np.mean(c.p_values()[zero] < 0.05)))
            hits += int((c.p_values()[zero] < 0.05).sum())
            trials += int(zero.sum())
            z0.extend(((c.mi - c.floor) / np.hypot(c.null_std, c.floor_se))[zero])
        on = ~zero
        zi.extend((c.floor_removed[on] - exact[on]) / c.floor_removed_se[on])
        ratio.extend(c.floor_removed[on] / exact[on])
    # Lags as trials; lags of one seed share its floor, so the true interval is wider.
    lo, hi = wilson(hits, trials) if trials else (math.nan, math.nan)
    flagged = f"{np.mean(rates):.3f} [{lo:.3f}, {hi:.3f}]" if rates else "   -  (no zero-MI lag)   "
    zero_z = f"{np.mean(z0):+.2f} / {np.std(z0):.2f}" if z0 else "   -    "
    dependent = (f"(est-exact)/noise {np.mean(zi):+.2f} / {np.std(zi):.2f} | est/exact {np.median(ratio):.2f} "
                 f"[{np.percentile(ratio, 10):.2f}, {np.percentile(ratio, 90):.2f}]") if zi else "no lag with MI"
    label = f"copiers {copy:>4.0%} ({'/'.join(sorted(routes))})" if copy else f"loop {q:>4.0%} one-token {repeat:>3.0%}"
    return f"K={k:>6} {label} | {flagged} | z {zero_z} | {dependent} | {np.mean(costs):.2f} s/curve"


def comparisons(k: int, qa: float, qb: float, seeds: int, streams: int, length: int, lags: np.ndarray) -> str:
    found = wrong = repeats = 0
    for s in range(seeds):
        a = looping_streams(streams, length, k, qa, seed=60_000 + s)
        b = looping_streams(streams, length, k, qb, seed=70_000 + s)
        pair = midecay.compare([midecay.mi_curve(a.symbols, lags, seed=s),
                                midecay.mi_curve(b.symbols, lags, seed=s + 1000)]).pairs[0]
        exact = b.expected_mi(lags) - a.expected_mi(lags)
        found += pair.verdict == "different"
        wrong += int((pair.significant & (np.sign(pair.difference) != np.sign(exact)) & (exact != 0)).sum())
        band_exact = np.array([exact[(lags >= lo) & (lags <= hi)].mean() for lo, hi in pair.bands])
        wrong += int((pair.band_significant & (np.sign(pair.band_difference) != np.sign(band_exact))).sum())
        # The share of equal pairs grows with the loop share at every lag, so the whole-curve
        # difference in repeats has the sign of the loop shares' difference.
        repeats += bool(pair.repeat_significant)
        wrong += int(pair.repeat_significant and np.sign(pair.repeat_difference) != np.sign(qb - qa))
    lo, hi = wilson(found, seeds)
    return (f"K={k:>6} {qa:.0%} vs {qb:.0%}: 'different' in {found}/{seeds} [{lo:.2f}, {hi:.2f}], by the repeat "
            f"test in {repeats}; lags, bands or repeat tests flagged with the wrong sign: {wrong}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--streams", type=int, default=400)
    parser.add_argument("--length", type=int, default=512)
    args = parser.parse_args()
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    lags = np.unique(np.concatenate([np.rint(np.geomspace(1, args.length - 1, 27)).astype(int),
                                     [61, 67, 127, 131, 199, 307]]))
    lags = lags[lags < args.length]
    print(f"midecay {midecay.__version__}; {args.streams} streams x {args.length}, {args.seeds} seeds a row; "
          f"{len(lags)} lags; nominal rate 0.05, z 0 / 1")
    print("[1-3] zero-MI lags flagged at p<0.05 [95 % Wilson] | their z mean / SD | at I>0: (est-exact)/noise "
          "mean / SD | est/exact median [10-90 %] | cost")
    for k in (2000, 50_000):
        for q in (0.0, 0.02, 0.1, 0.3, 0.5):
            print(sweep(k, q, 0.0, args.seeds, args.streams, args.length, lags), flush=True)
    print(sweep(2000, 0.1, 0.03, args.seeds, args.streams, args.length, lags), flush=True)
    print("[3b] streams that repeat without looping exactly (each token copies the one L back, r = 0.8) among "
          "i.i.d. ones: the default (the stream null, a run's cost falling by the measured ratio), the cost taken "
          "as linear in the runs (the rule before), and the shifted null that such data used to keep")
    routes = {"default": (streams, "MIN_RUN_COST_RATIO", streams.MIN_RUN_COST_RATIO),
              "linear": (streams, "MIN_RUN_COST_RATIO", 1.0),
              "shifted": (midecay.curve, "treats_as_streams", lambda symbols, options: False)}
    for name, (module, attribute, value) in routes.items():
        kept = getattr(module, attribute)
        setattr(module, attribute, value)
        try:
            for c in (0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.0):
                print(f"{name:>8}: " + sweep(2000, 0.0, 0.0, max(args.seeds // 2, 4), args.streams, args.length, lags,
                                            copy=c), flush=True)
        finally:
            setattr(module, attribute, kept)
    print("[4] comparisons (compare: Holm 0.005 over lags and decade bands, the repeat test at 0.005)")
    half = max(args.seeds // 2, 4)
    for qa, qb in ((0.02, 0.1), (0.1, 0.5), (0.1, 0.1), (0.5, 0.5)):
        print(comparisons(2000, qa, qb, half, args.streams, args.length, lags), flush=True)
    print("[5] cost of a curve against its counting alone (same data, same run)")
    syn = looping_streams(args.streams, args.length, 2000, 0.1, seed=1)
    midecay.mi_curve(syn.symbols, lags, seed=0)  # compiled
    t0 = time.perf_counter()
    midecay.mi_curve(syn.symbols, lags, seed=0)
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    midecay.mi_curve(syn.symbols, lags, null="none", n_blocks=0)
    counting = time.perf_counter() - t0
    print(f"curve {full:.3f} s, counting alone {counting:.3f} s: {full / counting:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
