"""Bipartite MI of Wikipedia text and of SmolLM2's own samples, read by SmolLM2 (L²M's direct estimator).

Writes into ``--out``: ``wiki.json`` and ``samples.json`` (:class:`~midecay.bipartite.BipartiteCurve`,
each with the two-point curve of the same tokens), ``bipartite.png`` (both scalings, both corpora),
``summary.txt`` (the curves, beta with its interval, the two betas compared, the L²M condition for
the project's architectures and SmolLM2 itself, and the speed). Every stage resumes: the samples
file and each curve's progress file are continued by a second run with the same settings.

Usage: ``.venv/bin/python scripts/bipartite_lm.py [--documents 96] [--splits 1,2,4,8,16,32,64] [--out out/bipartite]``
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--data", default="dataset:wiki-xml")
    parser.add_argument("--documents", type=int, default=96)
    parser.add_argument("--splits", default="1,2,4,8,16,32,64")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("out/bipartite"))
    args = parser.parse_args()

    from scipy.special import ndtr

    from midecay._io import write_atomic
    from midecay.bipartite import BipartiteCurve, both_scalings, l2m_condition
    from midecay.models.pretrained import kv_width, lm_bipartite, load_lm, sample_lm
    from midecay.report import fig_to_png

    args.out.mkdir(parents=True, exist_ok=True)
    splits = sorted(int(s) for s in args.splits.split(","))
    length = 2 * splits[-1]
    lm = load_lm(args.model, device=args.device)
    curves, seconds = {}, {}
    samples = args.out / "samples.npz"
    t0 = time.perf_counter()
    sample_lm(lm, args.documents, length, seed=0, out=samples)
    seconds["sampling"] = time.perf_counter() - t0
    for name, data in (("wiki", args.data), ("samples", str(samples))):
        done = args.out / f"{name}.json"
        if not done.exists():
            t0 = time.perf_counter()
            curve = lm_bipartite(lm, data, splits, documents=args.documents, store=args.out / f"{name}.partial.json")
            # The time is kept with the curve, so a rerun that reads the finished file still reports the speed.
            curve = dataclasses.replace(curve, provenance={**curve.provenance, "seconds": time.perf_counter() - t0})
            curve.to_json(done, overwrite=True)
            (args.out / f"{name}.partial.json").unlink(missing_ok=True)
        curves[name] = BipartiteCurve.from_json(done)
        if "seconds" in curves[name].provenance:
            seconds[name] = curves[name].provenance["seconds"]
    wiki, own = curves["wiki"], curves["samples"]
    fits = {name: c.fit() for name, c in curves.items()}
    gap = fits["samples"].beta.value - fits["wiki"].beta.value
    se = math.hypot(fits["samples"].beta.stderr, fits["wiki"].beta.stderr)
    p = 2 * float(ndtr(-abs(gap) / se))
    layers, width = kv_width(lm)
    models = {"RNN 64 (Shen)": {"arch": "rnn", "width": 64}, "LSTM 512 x 2 (PTB)": {"arch": "lstm", "width": 512, "depth": 2},
              "DilatedRNN 1..256": {"arch": "dilated", "width": 64, "dilations": tuple(2**k for k in range(9))},
              "Transformer 256 x 4, context 512": {"arch": "transformer", "width": 256, "depth": 4, "context": 512},
              f"{args.model} (cache)": {"arch": "pretrained", "width": width, "depth": layers, "context": lm.config.context}}
    condition = l2m_condition(fits["wiki"], models, [64, 256, 1024, 4096])
    rate = {name: curves[name].n_documents * length / (seconds[name] / 60) for name in ("wiki", "samples") if name in seconds}
    lines = [wiki.summary(), "", own.summary(), "",
             f"beta, samples - Wikipedia: {gap:+.3f} ± {se:.3f} (two-sided z-test, documents independent between the sets, "
             f"p = {p:.2g}; splits {fits['wiki'].splits[0]}-{fits['wiki'].splits[-1]} and "
             f"{fits['samples'].splits[0]}-{fits['samples'].splits[-1]}; 1 sampling seed, 1 document draw)", "",
             condition.summary(), "",
             "speed on this machine: " + ", ".join(f"{name} {r:,.0f} tokens per minute ({curves[name].n_documents} documents x "
                                                   f"{length} tokens, every split)" for name, r in rate.items())
             + (f"; sampling {seconds['sampling']:.0f} s" if seconds.get("sampling", 0) > 1 else "")]
    summary = "\n".join(lines)
    print(summary)
    write_atomic(args.out / "summary.txt", summary + "\n", overwrite=True)
    fig = both_scalings({f"Wikipedia ({args.data})": wiki, f"{args.model} samples": own})
    write_atomic(args.out / "bipartite.png", fig_to_png(fig), overwrite=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
