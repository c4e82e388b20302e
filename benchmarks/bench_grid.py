"""Per-trial overhead of the grid engines: seconds from the engine's start to a trial's first optimiser step.

One tiny classification trial (mnist-5k, GRU width 4, 40 images) on each engine, measured in
this run: run in this process (the reference: data loading and model building only), the local
engine in order, the local engine's process pool (spawned workers import torch), and Ray Tune
on a local Ray (its start-up timed apart). Ratios are against the in-process reference.

Usage: ``.venv/bin/python benchmarks/bench_grid.py``
"""

from __future__ import annotations

import os
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from midecay.experiments.grid import GridSpec, run_grid  # noqa: E402
from midecay.experiments.grid.tasks import run_trial  # noqa: E402

SPEC = {"grid": {"name": "bench", "task": "classify", "data": "mnist-5k", "widths": [4], "seeds": [0], "dilations": [[1, 2]]},
        "train": {"n_train": 40, "n_test": 20, "batch": 20}}


def overhead(engine: str, **kwargs) -> float:
    spec = GridSpec.from_dict(SPEC)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.time()
        row = run_grid(spec, out, engine=engine, **kwargs).rows[0]
    return row["first_step_at"] - t0


def main() -> None:
    trial = GridSpec.from_dict(SPEC).trials()[0]
    run_trial(trial)  # warm: torch and the data set's file are loaded once
    reference = min(run_trial(trial)["first_step_s"] for _ in range(3))
    rows = [("in-process run_trial (reference)", reference)]
    rows.append(("local engine, in order", min(overhead("local") for _ in range(3))))
    rows.append(("local engine, pool of 2 (spawned workers)", overhead("local", workers=2)))
    try:
        import ray
    except ImportError:
        ray = None
    if ray is not None:
        t0 = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        rows.append(("ray.init (once per session, not per trial)", time.perf_counter() - t0))
        rows.append(("ray tune engine, first grid", overhead("ray")))
        rows.append(("ray tune engine, next grid", overhead("ray")))
        ray.shutdown()
    print(f"{'engine':<46} {'s to first step':>16} {'x reference':>12}")
    for name, seconds in rows:
        print(f"{name:<46} {seconds:>16.3f} {seconds / reference:>12.1f}")


if __name__ == "__main__":
    main()
