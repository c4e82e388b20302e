"""The exponential / power-law verdict over classes of processes, with binomial intervals.

Prints, per class and size: how often finite-state processes are called a power law, power laws
exponential, how often the verdict cannot tell, and how often the 95 % interval of ``xi`` holds the
slowest mode's exact value (cases where that mode is visible in the lags measured). Then the
lag-7 copy process (I(d) = 0 unless 7 divides d) over alphabets, copy probabilities, two lag grids
and seeds: the period found and the kind, which should be one per (K, r) whatever the grid. The
suite (``tests/test_verdicts.py``, ``tests/test_diagnosis.py``) checks a few of the same cases;
this is the full sweep (~10 min).

    python benchmarks/bench_verdicts.py [--cases 40] [--sizes 1e5,1e6] [--seeds 3] [--period-seeds 3]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main() -> None:
    from midecay.experiments.verdicts import verdict_rows, wilson_interval
    from midecay.synth.families import finite_state_cases, mixed_cases, power_law_cases

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40, help="finite-state processes drawn")
    parser.add_argument("--sizes", default="1e5,1e6", help="sequence lengths, comma-separated")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per power-law / mixed case")
    parser.add_argument("--period-seeds", type=int, default=3, help="seeds per lag-7 copy process and grid (0: skip)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    def rate(rows, test) -> str:
        hits = sum(1 for r in rows if test(r))
        low, high = wilson_interval(hits, len(rows))
        return f"{hits:3d}/{len(rows):<3d} = {hits / max(len(rows), 1):.2f} [{low:.2f}, {high:.2f}]"

    for n in (int(float(s)) for s in args.sizes.split(",")):
        start = time.perf_counter()
        finite = verdict_rows(finite_state_cases(args.cases, seed=0), n, [0])
        power = verdict_rows(power_law_cases() + mixed_cases(), n, range(args.seeds))
        judged = [r for r in finite if r.verdict == "exponential" and r.visible]
        print(f"N = {n:.0e} ({time.perf_counter() - start:.0f} s)")
        print(f"  finite-state called a power law : {rate(finite, lambda r: r.verdict == 'power_law')}  (target <= 0.05)")
        print(f"  finite-state: cannot tell       : {rate(finite, lambda r: r.verdict == 'cannot_tell')}")
        print(f"  finite-state called exponential : {rate(finite, lambda r: r.verdict == 'exponential')}")
        print(f"  ... slowest mode visible        : {rate([r for r in finite if r.verdict == 'exponential'], lambda r: r.visible)}")
        print(f"  xi 95 % interval covers         : {rate(judged, lambda r: r.xi_covered)}  (target 0.85-0.99)")
        print(f"  power laws called exponential   : {rate(power, lambda r: r.verdict == 'exponential')}  (target <= 0.05)")
        print(f"  power laws: cannot tell         : {rate(power, lambda r: r.verdict == 'cannot_tell')}")
        alpha = [r for r in power if r.tail == "power_law" and r.alpha == r.alpha and "over" not in r.case]
        print(f"  alpha 95 % interval covers      : {rate(alpha, lambda r: abs(r.alpha - r.alpha_true) <= 1.96 * r.alpha_stderr)}")
    if args.period_seeds:
        lag7(args.period_seeds)


def lag7(seeds: int, n: int = 100_000) -> None:
    """The lag-7 copy process on a log grid and on every lag 1-200: period and kind per seed."""
    import numpy as np

    import midecay
    from midecay.synth import copy_process

    grids = {"30 log lags to 1,000": midecay.log_lags(1, 1000, 30), "lags 1-200": np.arange(1, 201)}
    print(f"lag-7 copy process, N = {n:.0e}, seeds 0-{seeds - 1}: period found, and kinds over both grids (target: one)")
    for k in (4, 50, 2000):
        for r in (0.3, 0.7):
            found, kinds = 0, set()
            for grid in grids.values():
                for seed in range(seeds):
                    d = midecay.classify(midecay.mi_curve(copy_process(n, k, 7, r, seed=seed).symbols, grid, seed=seed))
                    found += d.periodicity.period == 7
                    kinds.add(d.kind)
            print(f"  K = {k:5d}, r = {r}: period 7 in {found}/{2 * seeds}; kinds: {', '.join(sorted(kinds))}")


if __name__ == "__main__":
    main()
