"""Penn Treebank characters: an LSTM 1x256 and a Transformer (2 layers, d_model 128) against the data.

Each model trains within a time budget (default 10 minutes; the issue's full runs: 20), then
samples at least 5 million characters (tails need data: a 10^6 sample is significant only to
d ~ 30-40), and its curve, fit and decay type are compared with the training text's. Writes
the evaluations (JSON), figures and a table to --out, and ``samples.txt``: a few sampled lines of
each model beside the validation text, to read as Shen's App. F does (spelling is the short-range
MI, a sentence whose parts fit the intermediate range).

Usage: ``.venv/bin/python scripts/ptb_models.py [--budget 600] [--symbols 5000000] [--out out/ptb_models]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import midecay
from midecay._io import write_atomic
from midecay.models import ModelConfig, TrainConfig, evaluate, sample, train
from midecay.report import fig_to_png

#: Shown text: this many streams of this many characters a model, after the sampling's burn-in.
TEXT_STREAMS, TEXT_LENGTH = 2, 300


def as_line(symbols: midecay.Symbols, codes) -> str:
    """``codes`` of ``symbols``' alphabet as one line (PTB's line breaks shown as "/")."""
    return "".join(map(str, symbols.decode(codes))).replace("\n", "/").strip()


def text_samples(checkpoint) -> list[str]:
    """A few lines of the model's samples: seed 1, after the burn-in of 100 the curves' samples have."""
    drawn = sample(checkpoint.model, TEXT_STREAMS, TEXT_LENGTH, seed=1, burn_in=100, alphabet=checkpoint.alphabet)
    return [as_line(drawn, seg) for seg in drawn.segments()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=600.0, help="training seconds per model")
    parser.add_argument("--symbols", type=int, default=5_000_000, help="characters sampled per model")
    parser.add_argument("--archs", default="lstm,transformer")
    parser.add_argument("--transformer-epochs", type=int, default=0,
                        help="epochs of 200 steps the Transformer's cosine schedule spans (0: budget / 20 s)")
    parser.add_argument("--out", type=Path, default=Path("out/ptb_models"))
    args = parser.parse_args()
    train_text = midecay.open_source("dataset:ptb/train")
    valid_text = midecay.open_source("dataset:ptb/valid")
    valid_text = midecay.Symbols(valid_text.codes, valid_text.alphabet, valid_text.bounds)
    lags = midecay.log_lags(1, 1000, 30)
    data_curve = midecay.mi_curve(train_text, lags, seed=0)
    setups = {
        # Shen's character recipe: embedding 200, batch 128, BPTT 100, state reset 0.01, RMSProp 5e-3, clip 0.25.
        "lstm": (ModelConfig("lstm", vocab_size=train_text.alphabet_size, width=256, embedding=200),
                 TrainConfig(mode="stream", epochs=50, batch=128, bptt=100, optimizer="rmsprop", lr=5e-3, clip=0.25,
                             time_budget=args.budget)),
        # A Transformer of similar size needs a warm-up, else it sits on a bigram plateau (~3.3 bpc), and a
        # falling rate to finish: windows of 128, rate 2e-3 falling along a cosine over a horizon of
        # --transformer-epochs x 200 steps (by default what the budget holds at ~0.1 s a step on 2 cores).
        "transformer": (ModelConfig("transformer", vocab_size=train_text.alphabet_size, width=128, heads=8, depth=2,
                                    context=128),
                        TrainConfig(mode="windows", epochs=args.transformer_epochs or max(2, round(args.budget / 20)), batch=32,
                                    lr=2e-3, warmup=200, decay="cosine", steps_per_epoch=200, clip=1.0, patience=50,
                                    time_budget=args.budget)),
    }
    rows = []
    start = valid_text.n_symbols // 2
    texts = [f"data (ptb/valid, from its middle): {as_line(valid_text, valid_text.codes[start:start + TEXT_LENGTH])}"]
    for arch in args.archs.split(","):
        model_cfg, train_cfg = setups[arch]
        t0 = time.perf_counter()
        ck = train(model_cfg, train_text, valid=valid_text, config=train_cfg, checkpoint=args.out / f"{arch}.pt", overwrite=True)
        t_train = time.perf_counter() - t0
        streams = 256
        length = -(-args.symbols // streams)
        ev = evaluate(ck, data_curve, lags, n_streams=streams, length=length, seed=0, burn_in=100)
        t_all = time.perf_counter() - t0
        ev.to_json(args.out / f"{arch}_evaluation.json", overwrite=True)
        write_atomic(args.out / f"{arch}_vs_data.png", fig_to_png(ev.plot().figure), overwrite=True)
        rows.append(f"{arch}: {ck.model.n_parameters():,} parameters, {len(ck.history)} epochs in {t_train:.0f} s, "
                    f"best valid {ck.extra['best_valid_bps']:.3f} bpc; sampled {streams * length:,} chars "
                    f"({t_all - t_train:.0f} s incl. curves)\n{ev.summary()}")
        print(rows[-1], flush=True)
        texts += [f"{arch} sample {k}: {line}" for k, line in enumerate(text_samples(ck))]
    write_atomic(args.out / "summary.txt", "\n\n".join(rows) + "\n", overwrite=True)
    write_atomic(args.out / "samples.txt", "\n\n".join(texts) + "\n", overwrite=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
