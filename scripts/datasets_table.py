"""Table of the named data sets available here: size, alphabet, and a one-line MI summary.

Usage: ``.venv/bin/python scripts/datasets_table.py``. Online-only sets are listed as such.
For each loadable set: I(1), I(100) (floor removed, nats) and the span (where the curve meets
its shuffle floor; ">=" when it never does within the lags measured).
"""

from __future__ import annotations

import sys
import time
import warnings

import midecay
from midecay import datasets
from midecay.fitting import span


def main() -> int:
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    print(f"{'name':<14} {'split/level':<16} {'symbols':>11} {'segs':>6} {'K':>6} {'I(1)':>9} {'I(100)':>9} {'span':>7} {'s':>5}")
    for name in datasets.list():
        entry = datasets.info(name)
        tag = f"{entry.splits[0]}/{entry.levels[0]}"
        if entry.online:
            print(f"{name:<14} {tag:<16} {'(online only: ' + entry.origin + ')'}")
            continue
        t0 = time.perf_counter()
        try:
            s = datasets.load(name)
        except datasets.DatasetUnavailable as exc:
            print(f"{name:<14} {tag:<16} unavailable: {exc}")
            continue
        top = int(min(1000, s.lengths.max() - 1))
        lags = sorted(set(midecay.log_lags(1, top, 20).tolist()) | ({100} if top >= 100 else set()))
        c = midecay.mi_curve(s, lags, seed=0, n_shuffles=2)
        sp = span(c)
        i100 = f"{c.floor_removed[lags.index(100)]:9.2e}" if 100 in lags else f"{'-':>9}"
        reach = sp.reach
        print(f"{name:<14} {tag:<16} {s.n_symbols:>11,} {s.n_segments:>6} {s.alphabet_size:>6} {c.floor_removed[0]:9.4f} {i100} "
              f"{reach:>7} {time.perf_counter() - t0:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
