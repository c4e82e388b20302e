"""Dilations designed from real decay curves, beside the grid-search paper's own choices.

Sequential MNIST and Fashion-MNIST (periodic at 28), MNIST at its 256 grey levels as well as
binarised, permuted sequential MNIST under three permutation seeds (flat, reaching far), PTB
characters (7, 8 and 12 layers as in the paper's Table 3, also capped at a 256-symbol training
window). Every image curve is measured at every lag. Writes one figure per data set and a table.

Usage: ``.venv/bin/python scripts/design_real.py [--out out/design]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import midecay
from midecay._io import write_atomic
from midecay.design import design_dilations
from midecay.report import fig_to_png

PAPER = {
    "mnist": "Table 1: best max dilation 32 (standard 1 ... 32; period 28)",
    "mnist-gray": "Table 1 (the paper's pixels; it does not say whether binarised)",
    "fashion": "(not in the paper)",
    "permuted": "Table 2: best max dilation 780 (1 ... 512, 780)",
    "permuted-seed1": "Table 2: best max dilation 780 (1 ... 512, 780)",
    "permuted-seed2": "Table 2: best max dilation 780 (1 ... 512, 780)",
    "permuted-aligned": "Table 2: best max dilation 780 (1 ... 512, 780)",
    "ptb": "Table 3 model 6: 1,2,3,4,5,6,8,11,18,32,73,240 (break ~12 by eye)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/design"))
    args = parser.parse_args()
    image_lags = range(1, 784)  # every lag: a log grid holds too few multiples of 28 to show the period
    cases = [("mnist", "dataset:mnist-5k", {}, image_lags, [None]),
             ("mnist-gray", "dataset:mnist-5k", {"level": "gray"}, image_lags, [None]),
             ("fashion", "dataset:fashion-mnist/test", {}, image_lags, [None]),
             # one permutation is one draw: the span a design reads must hold over permutations
             ("permuted", "dataset:mnist-5k", {"permute_seed": 0}, image_lags, [None]),
             ("permuted-seed1", "dataset:mnist-5k", {"permute_seed": 1}, image_lags, [None]),
             ("permuted-seed2", "dataset:mnist-5k", {"permute_seed": 2}, image_lags, [None]),
             # every image shares the frame of pixel positions: MI per position, averaged (issue 23 §3)
             ("permuted-aligned", "dataset:mnist-5k", {"permute_seed": 0}, image_lags, [None]),
             ("ptb", "dataset:ptb/train", {}, midecay.log_lags(1, 1000, 40), [None, 7, 8, 12])]
    lines = []
    for name, source, opts, lags, layer_counts in cases:
        positions = "aligned" if name.endswith("-aligned") else "pooled"
        curve = midecay.mi_curve(midecay.open_source(source, **opts), lags, seed=0, positions=positions)
        diagnosis = midecay.classify(curve)
        lines.append(f"## {name} ({source} {opts or ''}): {diagnosis.headline()}")
        lines.append(f"paper: {PAPER[name]}")
        for layers in layer_counts:
            design = design_dilations(curve, layers, diagnosis=diagnosis)
            lines.append(design.summary())
            if layers is None:
                write_atomic(args.out / f"{name}.png", fig_to_png(design.plot().figure), overwrite=True)
                design.to_json(args.out / f"{name}.json", overwrite=True)
        if name == "ptb":
            for cap in (240, 256):  # the paper's max dilation; the grid's training window
                capped = [design_dilations(curve, 12, cap=cap, diagnosis=diagnosis, read_from=r).dilations for r in ("curve", "fit")]
                lines.append(f"12 layers capped at {cap}: from the curve {capped[0]}; from the fit {capped[1]}")
            lines.append(f"paper threshold 1e-5 nats: {design_dilations(curve, 12, threshold=1e-5, diagnosis=diagnosis).dilations}")
        lines.append("")
        print("\n".join(lines[-6:]), flush=True)
    write_atomic(args.out / "designs.txt", "\n".join(lines) + "\n", overwrite=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
