"""Shen 2019's central claim at CPU scale, on binary Gaussian-sign data with a power-law curve.

Data: ``gaussian_sign`` sequences with I(d) = 0.1 d^-0.5 exactly (the paper: 10000 x 512).
Models: Elman RNNs of growing width, LSTMs, and a Transformer of similar size, trained with
full BPTT on whole sequences (RMSProp; RNN 1e-3, LSTM 5e-3, clip 0.25, early stopping), then
sampled; each sample curve is fitted (xi with jackknife errors, alpha) and classified, and
compared with the data's curve. Each cell trains ``--restarts`` times (best on validation kept)
with early stopping; the table says whether the kept run converged (its validation loss stopped
improving) or ran out of epochs, so an unfinished model's xi is marked as such.

Usage: ``.venv/bin/python scripts/shen_binary.py [--sequences 10000] [--epochs 10] [--seeds 0,1,2] [--out out/shen]``
(the defaults are a reduced run of ~10-20 minutes on 2 cores; the paper-size run is the first
option set to 10000 and --epochs 50). Every cell is saved in ``OUT/results.json`` as it finishes
and a second run skips it, so ``--budget-minutes M`` runs a sweep in chunks: each chunk starts no
cell after M minutes, and the same command continues.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import midecay
from midecay._io import write_atomic
from midecay.cli._common import int_list_argument
from midecay.experiments.scaling import ScalingSpec, run_cell, scaling_sweep
from midecay.report import fig_to_png
from midecay.synth import gaussian_sign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=3000)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rnn-widths", default="2,4,8,16,32")
    parser.add_argument("--lstm-widths", default="2,4,8")
    parser.add_argument("--rnn-depths", default="", help="depths of a second RNN sweep at --depth-width, e.g. 1,2,3,4")
    parser.add_argument("--lstm-depths", default="", help="depths of a second LSTM sweep at --depth-width, e.g. 1,2,3")
    parser.add_argument("--depth-width", type=int, default=8)
    parser.add_argument("--seeds", default="0", type=int_list_argument("seeds", low=0), help="training seeds, comma-separated: each cell is trained once a seed")
    parser.add_argument("--budget-minutes", type=float, default=0.0,
                        help="start no new cell after this many minutes (0: no limit); a run again continues the sweep")
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--restarts", type=int, default=1, help="train each cell this many times, keep the best on validation")
    parser.add_argument("--patience", type=int, default=5, help="early stopping: epochs without a better validation loss")
    parser.add_argument("--out", type=Path, default=Path("out/shen"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = gaussian_sign(args.sequences, args.length, alpha=0.5, scale=0.1, seed=0).symbols
    valid = gaussian_sign(max(200, args.sequences // 5), args.length, alpha=0.5, scale=0.1, seed=1).symbols
    lags = tuple(int(d) for d in midecay.log_lags(1, args.length - 12, 20))
    data_curve = midecay.mi_curve(data, lags, seed=0)
    print(f"data: {midecay.classify(data_curve).headline()}")
    seeds = args.seeds
    common = {"lags": lags, "streams": args.streams, "length": args.length, "seed": seeds[0], "seeds": seeds}
    deadline = time.monotonic() + 60 * args.budget_minutes if args.budget_minutes else None
    store = args.out / "results.json"
    widths = {"rnn": [int(w) for w in args.rnn_widths.split(",")], "lstm": [int(w) for w in args.lstm_widths.split(",")]}
    depths = {"rnn": args.rnn_depths, "lstm": args.lstm_depths}
    rates = {"rnn": 1e-3, "lstm": 5e-3}
    rows, wanted, depth_rows = [], set(), []

    def sweep(spec: ScalingSpec) -> list[dict]:
        wanted.update((c["arch"], c["width"], c["depth"], c["seed"]) for c in spec.cells())
        return list(scaling_sweep(data, spec, store=store, valid=valid, deadline=deadline).rows)

    for arch in ("rnn", "lstm"):
        train = {"epochs": args.epochs, "batch": 50, "optimizer": "rmsprop", "lr": rates[arch], "clip": 0.25,
                 "patience": args.patience, "restarts": args.restarts, "mode": "sequences"}
        rows += sweep(ScalingSpec(archs=(arch,), widths=tuple(widths[arch]), depths=(1,), model={"embedding": 2},
                                  train=train, **common))
        print(f"{arch}: {len(rows)} cells at {time.perf_counter() - t0:.0f} s", flush=True)
        if depths[arch]:
            # Depth 1 at --depth-width is a cell of the width sweep too when that width is in it: the store's key is the same.
            done = sweep(ScalingSpec(archs=(arch,), widths=(args.depth_width,), depths=tuple(int(d) for d in depths[arch].split(",")),
                                     model={"embedding": 2}, train=train, **common))
            depth_rows += done
            rows += [r for r in done if r["depth"] > 1 or args.depth_width not in widths[arch]]
    spec = ScalingSpec(archs=("transformer",), widths=(16,), depths=(2,),
                       model={"heads": 4, "context": args.length, "positions": "sinusoidal"},
                       train={"epochs": args.epochs, "batch": 50, "lr": 2e-3, "warmup": 200, "patience": args.patience,
                              "restarts": args.restarts, "mode": "sequences"}, **common)
    rows += sweep(spec)
    if depth_rows:
        depth_result = midecay.experiments.scaling.ScalingResult(tuple(depth_rows))
        write_atomic(args.out / "xi_vs_depth.png", fig_to_png(depth_result.plot(against="depth").figure), overwrite=True)
    unfinished = (f"\n{len(rows)} of {len(wanted)} cells done within the budget of {args.budget_minutes:g} minutes; "
                  "the same command continues the sweep" if len(rows) < len(wanted) else "")
    result = midecay.experiments.scaling.ScalingResult(tuple(rows))
    summary = f"data: {midecay.classify(data_curve).headline()}\n{result.summary()}{unfinished}"
    print(summary)
    write_atomic(args.out / "summary.txt", summary + "\n", overwrite=True)
    result.to_json(args.out / "shen_binary.json", overwrite=True)
    write_atomic(args.out / "xi_vs_width.png", fig_to_png(result.plot().figure), overwrite=True)
    write_atomic(args.out / "summary.json", json.dumps({"data": midecay.classify(data_curve).to_dict()["parameters"],
                                                        "seconds": round(time.perf_counter() - t0)}, indent=1), overwrite=True)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
