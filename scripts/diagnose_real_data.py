"""Classify decay curves of real data and compare the Penn Treebank splits fairly.

Usage: ``.venv/bin/python scripts/diagnose_real_data.py [--out out/diagnosis] [--force]``

* PTB character and word level (train / valid / test), each split against train with floors
  removed, and again with a slice of train as long as valid (sample size matched);
* the E. coli genome (``dataset:ecoli``; skipped with the loader's message if absent).

Everything goes through the library (``open_source``, ``analyse``); results are written with
the results protocol (``Analysis.to_json``), figures as PNG.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import midecay
from midecay._io import write_atomic
from midecay.errors import DatasetUnavailable
from midecay.experiments import analyse
from midecay.experiments.analysis import middle_slice
from midecay.report import fig_to_png


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/diagnosis"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="replace existing outputs")
    args = parser.parse_args()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
        for level, lags in (("char", midecay.log_lags(1, 1000, 30)), ("word", midecay.log_lags(1, 1000, 25))):
            splits = [midecay.open_source(f"dataset:ptb/{s}", level=level) for s in ("train", "valid", "test")]
            names = [f"{level} {s}" for s in ("train", "valid", "test")]
            analysis = analyse(splits, names, lags, seed=args.seed)
            print(f"\n== PTB {level}\n{analysis.summary()}")
            analysis.to_json(args.out / f"ptb_{level}.json", overwrite=args.force)
            write_atomic(args.out / f"ptb_{level}_splits.png", fig_to_png(analysis.plot().figure), overwrite=args.force)
            matched = analyse([middle_slice(splits[0], splits[1].n_symbols), *splits[1:]],
                              [f"{level} train slice", *names[1:]], lags, seed=args.seed)
            print(f"(size-matched)\n{matched.comparison.summary()}")
            matched.to_json(args.out / f"ptb_{level}_size_matched.json", overwrite=args.force)
        try:
            ecoli = analyse([midecay.open_source("dataset:ecoli")], ["E. coli"], midecay.log_lags(1, 100_000, 40), seed=args.seed)
        except DatasetUnavailable as exc:
            print(f"\n(E. coli skipped: {exc})")
        else:
            print(f"\n== E. coli\n{ecoli.results[0].diagnosis.summary()}")
            ecoli.to_json(args.out / "ecoli.json", overwrite=args.force)
    print(f"\nwrote {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
