"""A released model's samples against real text: SmolLM2-135M (offline GGUF) as in Shen 2019's GPT-2 experiment.

Samples unconditional streams (resumable: run again to continue), then compares their MI
curves with a reference corpus's at character level and at token level, each size-matched.
Shen used 500 x 1024 tokens of GPT-2 117M against WikiText-2; on 2 CPU cores SmolLM2 writes
~60-100 tokens/s, so the default here is smaller.

Usage: ``.venv/bin/python scripts/lm_demo.py [--streams 64] [--tokens 512] [--reference dataset:wiki-xml] [--out out/lm_demo]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from midecay._io import write_atomic
from midecay.models.pretrained import LMSamples, evaluate_lm, load_lm, sample_lm
from midecay.report import fig_to_png


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--reference", default="dataset:wiki-xml")
    parser.add_argument("--out", type=Path, default=Path("out/lm_demo"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    lm = load_lm(args.model)
    t_load = time.perf_counter() - t0
    path = args.out / "samples.npz"
    before = len(LMSamples.load(path).tokens) if path.exists() else 0  # a resumed run samples only the rest
    samples = sample_lm(lm, args.streams, args.tokens, seed=0, batch=args.batch, out=path)
    t_sample = time.perf_counter() - t0 - t_load
    new = max(len(samples.tokens) - before, 0)
    lines = [f"{args.model}: {lm.n_parameters():,} parameters, loaded in {t_load:.0f} s; {args.streams} x {args.tokens} tokens "
             f"({sum(len(t) for t in samples.texts):,} characters); this run sampled {new} streams in {t_sample:.0f} s "
             f"({new * args.tokens / max(t_sample, 1e-9):.0f} tokens/s)"]
    for level in ("char", "token"):
        ev = evaluate_lm(samples, args.reference, level=level, tokenizer=lm.tokenizer, seed=0)
        ev.to_json(args.out / f"{level}_evaluation.json", overwrite=True)
        write_atomic(args.out / f"{level}_vs_reference.png", fig_to_png(ev.plot().figure), overwrite=True)
        lines.append(f"[{level} level, reference {args.reference}]\n{ev.summary()}")
        if "note" in ev.model:
            lines.append(f"  note: {ev.model['note']}")
        print(lines[-1], flush=True)
    lines.append(f"total {time.perf_counter() - t0:.0f} s")
    write_atomic(args.out / "summary.txt", "\n\n".join(lines) + "\n", overwrite=True)
    print(lines[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
