"""A curve on a busy machine: default threads against one thread, with neighbours burning the CPUs.

numba's OpenMP layer spin-waits between parallel regions when ``OMP_WAIT_POLICY`` is ACTIVE
(libgomp's default when a program sets nothing): with other processes on every core, each
region waits for a descheduled spinning thread, and one curve ran 40x slower than on one
thread. midecay sets ``OMP_WAIT_POLICY=PASSIVE`` on import unless the user set it; this bench
shows what that buys. Each configuration runs in a fresh process (the OpenMP runtime reads
the variable once, when it starts), first on a quiet machine, then beside ``--neighbours``
processes that spin. Ratios are measured in this run; nothing here asserts a time.

Usage: ``.venv/bin/python benchmarks/bench_busy.py [--neighbours 8] [--n 100000] [--states 27]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys

CHILD = r"""
import json, sys, time
import numpy as np
import midecay
from midecay.synth import block_markov_matrix, markov
n, states = int(sys.argv[1]), int(sys.argv[2])
codes = markov(block_markov_matrix(states, 3, 0.9), n, seed=0).symbols
lags = midecay.log_lags(1, 1000, 19)
midecay.mi_curve(codes, lags, seed=0)  # compile and warm
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    midecay.mi_curve(codes, lags, seed=0)
    best = min(best, time.perf_counter() - t0)
import numba
print(json.dumps({"seconds": best, "threads": numba.get_num_threads(), "layer": numba.threading_layer()}))
"""

#: name -> environment changes (None: remove the variable).
CONFIGS = {
    "default (midecay sets PASSIVE)": {"OMP_WAIT_POLICY": None},
    "OMP_WAIT_POLICY=ACTIVE (threads spin)": {"OMP_WAIT_POLICY": "ACTIVE"},
    "one thread": {"OMP_WAIT_POLICY": None, "NUMBA_NUM_THREADS": "1"},
}


def _spin() -> None:  # a neighbour: one core's worth of pure Python work, until killed
    x = 0
    while True:
        x += 1


def _time(changes: dict, n: int, states: int) -> dict:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(states)], env=env, capture_output=True, text=True,
                         timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neighbours", type=int, default=4 * (os.cpu_count() or 2))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--states", type=int, default=27)
    args = parser.parse_args()
    print(f"K = {args.states} block chain, N = {args.n}, 19 log lags to 1000; best of 3 in a fresh process each")
    results: dict[str, dict[str, float]] = {}
    for load in ("quiet", "busy"):
        neighbours = []
        if load == "busy":
            neighbours = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.neighbours)]
            for p in neighbours:
                p.start()
        try:
            for name, changes in CONFIGS.items():
                res = _time(changes, args.n, args.states)
                results.setdefault(name, {})[load] = res["seconds"]
                print(f"  {load:5s} {name:50s} {res['seconds'] * 1e3:9.1f} ms  ({res['threads']} thread(s), {res['layer']})")
        finally:
            for p in neighbours:
                p.kill()
    single = results["one thread"]
    print(f"\nwith {args.neighbours} busy neighbours, ratio to one thread (the issue's bar: within 2x):")
    for name, times in results.items():
        print(f"  {name:50s} busy {times['busy'] / single['busy']:6.2f}x   quiet {times['quiet'] / single['quiet']:5.2f}x")


if __name__ == "__main__":
    main()
