"""SmolLM2's tokens and characters against Wikipedia's at the largest size the reference allows (report §3).

Samples come from a GPU (on 2 CPU cores 10^6 tokens take hours):

    midecay lm sample smollm2-135m --streams 1024 --tokens 512 --batch 1024 --seed S --device cuda --out DIR/smollm2_gpu_sS.npz

for S = 0..6 (40 s each on one H200). Then, on CPU:

    .venv/bin/python scripts/lm_token_level.py DIR/smollm2_gpu_s*.npz --out out/lm_token_level

1. For every file (one sampling seed each): the first ``--streams`` streams (960 x 512 = 491,520 tokens; the
   reference, Wikipedia's article text in ``dataset:wiki-xml``, holds 515,626 SmolLM2 tokens, so
   this is as large as disjoint reference streams go) against as many reference streams drawn at
   random offsets with the file's seed (``evaluate_lm``, Grassberger, Holm 0.01 over 27 log lags 1-511);
   then the same streams' decoded text against article text at character level. Over the seeds,
   per lag up to half the shortest stream: the paired t of the differences (Holm 0.01 over those
   lags), and how many seeds differ on their own and in which direction. The first file's two comparisons are also drawn (``OUT/smollm2_{token,char}_vs_wiki_960.png``).
2. The samples' standard error and floor-removed I(d) against N: all files pooled, cut to
   160 ... 7168 streams (what a difference's size needs in tokens to be seen).
3. The floor's cross-repeat term on the samples and the reference by the largest repeat offset
   searched (:func:`midecay.null.shifted.cross_repeats`, within each stream): 16 (the default before
   2026-11-30), 64, and 512 (now the default: the whole stream).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import t as student_t

from midecay import UnreliableEstimateWarning, log_lags, mi_curve
from midecay._io import write_atomic
from midecay.comparison import holm
from midecay.models.pretrained import LMSamples, draw_reference, evaluate_lm, load_tokenizer
from midecay.report.html import fig_to_bytes
from midecay.null.shifted import cross_repeats

REFERENCE = "dataset:wiki-xml"
LAGS = log_lags(1, 511, 30)
OFFSETS = (16, 64, 512)


def first(samples: LMSamples, n: int) -> LMSamples:
    return LMSamples(samples.tokens[:n], samples.texts[:n], {**samples.meta, "n_streams": n})


def pooled(files: list[LMSamples]) -> LMSamples:
    return LMSamples(np.vstack([f.tokens for f in files]), tuple(t for f in files for t in f.texts),
                     {**files[0].meta, "n_streams": sum(len(f.tokens) for f in files)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="+", type=Path, help="files from `midecay lm sample`, one seed each")
    parser.add_argument("--streams", type=int, default=960, help="streams compared against the reference")
    parser.add_argument("--out", type=Path, default=Path("out/lm_token_level"))
    args = parser.parse_args()
    warnings.simplefilter("ignore", UnreliableEstimateWarning)
    files = [LMSamples.load(p) for p in args.samples]
    tok = load_tokenizer(files[0].meta["model"])
    result: dict = {"samples": [str(p) for p in args.samples], "streams": args.streams, "comparisons": {}, "scaling": {},
                    "term": {}}

    print(f"[1] {args.streams} x {files[0].tokens.shape[1]} tokens against {REFERENCE} (Grassberger, Holm 0.01)")
    pairs: dict[str, list] = {"token": [], "char": []}
    shortest = {"token": int(files[0].tokens.shape[1]), "char": 1 << 62}
    for f, level in [(f, level) for level in ("token", "char") for f in files]:
        seed = int(f.meta["seed"])
        lags = LAGS if level == "token" else None  # characters: 30 log lags up to 1000 (or the shortest stream)
        ev = evaluate_lm(first(f, args.streams), REFERENCE, level=level, lags=lags, tokenizer=tok, seed=seed)
        pair = ev.comparison.pairs[0]
        ref, smp = ev.comparison.curves
        pairs[level].append(pair)
        # the reference streams are cut to the samples' lengths
        shortest[level] = min(shortest[level], int(first(f, args.streams).symbols(level).lengths.min()))
        print(f"  {level} level, sampling seed {seed} ({smp.n_symbols:,} {level}s): "
              f"{pair.describe_differences()}")
        for i, d in enumerate(pair.lags if len(pairs[level]) <= 2 else []):  # the lags of the first two seeds
            print(f"    d={int(d):4d} reference {ref.floor_removed[i]:.4f} ± {ref.floor_removed_se[i]:.4f}  samples "
                  f"{smp.floor_removed[i]:.4f} ± {smp.floor_removed_se[i]:.4f}  difference {pair.difference[i]:+.4f} "
                  f"z {pair.z[i]:+6.2f}{'  *' if pair.significant[i] else ''}")
        result["comparisons"][f"{level}/{seed}"] = ev.to_dict()
        if seed == int(files[0].meta["seed"]):
            figure = args.out / f"smollm2_{level}_vs_wiki_{args.streams}.png"
            figure.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(figure, fig_to_bytes(ev.plot().figure, "png"), overwrite=True)

    for level, found in pairs.items():
        # Over seeds: each lag's mean difference against its spread over the sampling runs (paired t).
        diffs = np.array([q.difference for q in found])
        z_all = np.array([q.z for q in found])
        mean = diffs.mean(axis=0)
        # Past half the shortest stream a lag has few pairs a stream and its estimates are mostly
        # bias, which a t over seeds cannot tell from dependence: those lags are left out of it.
        usable = found[0].lags <= shortest[level] // 2
        if len(found) > 1:
            t_stat = np.where(usable, mean / (diffs.std(axis=0, ddof=1) / np.sqrt(len(found))), np.nan)
            p_over = np.where(usable, 2 * student_t.sf(np.abs(t_stat), len(found) - 1), np.nan)
            over = np.zeros(len(mean), dtype=bool)
            over[usable] = holm(p_over[usable], 0.01)
            spread = float(np.median(z_all.std(axis=0, ddof=1)))
        else:
            t_stat = p_over = np.full(len(mean), np.nan)
            over, spread = np.zeros(len(mean), dtype=bool), float("nan")
        print(f"  {level} level over the {len(found)} sampling seeds (a lag's z spreads with SD {spread:.2f} over them, "
              "median over lags): per lag, the mean difference, the paired t over seeds (Holm 0.01), the z range, "
              "and the seeds where it differs on its own, lower or higher")
        for i, d in enumerate(found[0].lags):
            low = sum(bool(q.significant[i] and q.z[i] < 0) for q in found)
            high = sum(bool(q.significant[i] and q.z[i] > 0) for q in found)
            print(f"    d={int(d):4d} difference {mean[i]:+.4f}  t {t_stat[i]:+7.2f} p {p_over[i]:.4f}{' *' if over[i] else '  '}"
                  f"  z {z_all[:, i].min():+6.2f} .. {z_all[:, i].max():+6.2f}  differs at {low} lower, {high} higher")
        result[f"over_seeds_{level}"] = {"lags": found[0].lags.tolist(), "mean": mean.tolist(), "t": t_stat.tolist(),
                                         "p": p_over.tolist(), "differs": over.tolist(), "z_spread": spread}

    everything = pooled(files)
    print("[2] the samples' standard error and floor-removed I(d) against N (streams pooled over the files)")
    for n in (160, 320, 960, 2048, 4096, len(everything.tokens)):
        if n > len(everything.tokens):
            continue
        c = mi_curve(first(everything, n).symbols("token"), LAGS, seed=0)
        result["scaling"][n] = {"tokens": int(c.n_symbols), "lags": c.lags.tolist(), "floor_removed_se": c.floor_removed_se.tolist(),
                                "floor_removed": c.floor_removed.tolist()}
        print(f"  {n:5d} streams ({c.n_symbols:,} tokens): SE at d=1,2,3 "
              + ", ".join(f"{v:.4f}" for v in c.floor_removed_se[:3]) + "; I(d) - floor at d=1,2,3 "
              + ", ".join(f"{v:.3f}" for v in c.floor_removed[:3]))

    print("[3] the cross-repeat term (nats) by the largest repeat offset searched")
    compared = first(files[0], args.streams)
    reference = draw_reference(compared, REFERENCE, level="token", tokenizer=tok, seed=int(compared.meta["seed"]))
    shown = [i for i, d in enumerate(LAGS) if d in (1, 3, 7, 13, 25, 31, 39, 48, 74, 113)]
    for name, symbols in (("samples", compared.symbols("token")), ("reference", reference)):
        for top in OFFSETS:
            term = cross_repeats(np.asarray(symbols.codes), LAGS, "grassberger", np.random.default_rng(0), max_offset=top,
                                 bounds=symbols.bounds)
            result["term"][f"{name}/{top}"] = {"lags": LAGS.tolist(), "excess": term.excess.tolist(),
                                               "excess_se": term.excess_se.tolist(), "offsets": len(term.offsets)}
            print(f"  {name:9s} offsets <= {top:3d}: " + " ".join(f"d={int(LAGS[i])}:{term.excess[i]:.3f}" for i in shown))
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomic(args.out / "token_level.json", json.dumps(result, indent=1).encode(), overwrite=True)
    print(f"wrote {args.out / 'token_level.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
