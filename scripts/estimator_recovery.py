"""Shen 2019's estimator benchmark (Appendix D, Fig. 5): a known power-law exponent, recovered.

Binary Gaussian-sign sequences with I(d) = 0.1 d^-alpha exactly (``midecay.synth.gaussian_sign``),
alpha from 0.1 to 1.0 as in the paper, several data seeds each. Each data set's curve is measured
(``mi_curve``, floors removed, jackknife errors), a power law is fitted (``fit_decay``) and the
curve classified. The table gives, for each alpha, the mean estimate, its spread over seeds, the
mean standard error the fit reports, and how often the 95 % interval covers the true alpha: the
error bar is right when the standard error matches the spread and the coverage is near 95 %.
The figure is Shen's Fig. 5: (a) measured curves against the exact ones, (b) alpha recovered
less alpha given, with each data set's interval.

Usage: ``.venv/bin/python scripts/estimator_recovery.py [--sequences 10000] [--length 1000]
[--seeds 0,1,2,3,4] [--out out/recovery]`` (the paper: 10,000 sequences of 1,000).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import midecay
from midecay._io import write_atomic
from midecay.cli._common import int_list_argument
from midecay.report import fig_to_png
from midecay.synth import gaussian_sign

#: The exponents of Shen's Fig. 5, and I(1) of every curve.
ALPHAS = tuple(round(0.1 * k, 1) for k in range(1, 11))
SCALE = 0.1


def measure(alpha: float, seed: int, n: int, length: int, lags: tuple[int, ...]) -> dict:
    """One data set: its curve, the power law's alpha with its 95 % interval, and the verdict."""
    # One data stream an (alpha, seed): with one seed for every alpha the estimates would share their
    # Gaussian draws, and the pooled coverage would count one draw ten times.
    data = gaussian_sign(n, length, alpha=alpha, scale=SCALE, seed=np.random.default_rng([seed, ALPHAS.index(alpha)]))
    curve = midecay.mi_curve(data.symbols, lags, seed=seed)
    fit = midecay.fit_decay(curve, ["power_law"])
    low, high = fit.conf_int(law="power_law")["alpha"]
    est = fit.exponent
    return {"alpha": alpha, "seed": seed, "estimate": est.value, "stderr": est.stderr, "low": low, "high": high,
            "covers": bool(low <= alpha <= high), "kind": midecay.classify(curve).kind,
            "mi": [float(x) for x in curve.floor_removed], "mi_stderr": [float(x) for x in curve.stderr]}


def table(rows: list[dict], n: int, length: int) -> str:
    lines = [f"alpha recovered from {n:,} Gaussian-sign sequences of {length} (I(d) = {SCALE} d^-alpha), "
             f"{len({r['seed'] for r in rows})} data seeds an alpha; power law fitted by fit_decay, 95 % intervals",
             f"  {'alpha':>5} {'mean':>7} {'SD seeds':>9} {'mean SE':>8} {'SE/SD':>6} {'covered':>8}  kinds"]
    for alpha in sorted({r["alpha"] for r in rows}):
        sub = [r for r in rows if r["alpha"] == alpha]
        est = np.array([r["estimate"] for r in sub])
        sd = float(est.std(ddof=1)) if len(sub) > 1 else float("nan")
        se = float(np.mean([r["stderr"] for r in sub]))
        kinds = sorted({r["kind"] for r in sub})
        lines.append(f"  {alpha:>5.1f} {est.mean():>7.3f} {sd:>9.3g} {se:>8.3g} {se / sd:>6.2f} "
                     f"{sum(r['covers'] for r in sub):>4}/{len(sub):<3}  "
                     + ", ".join(f"{k} {sum(r['kind'] == k for r in sub)}" for k in kinds))
    covered = sum(r["covers"] for r in rows)
    lines.append(f"  pooled: {covered}/{len(rows)} intervals cover the true alpha")
    return "\n".join(lines)


def figure(rows: list[dict], lags: tuple[int, ...]):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    d = np.asarray(lags, dtype=float)
    first = min(r["seed"] for r in rows)
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(ALPHAS)))
    for colour, alpha in zip(colours, sorted({r["alpha"] for r in rows})):
        row = next(r for r in rows if r["alpha"] == alpha and r["seed"] == first)
        mi = np.asarray(row["mi"])
        shown = mi > 0
        left.errorbar(d[shown], mi[shown], yerr=1.96 * np.asarray(row["mi_stderr"])[shown], fmt="o", ms=3,
                      color=colour, label=f"alpha {alpha:.1f}")
        left.plot(d, SCALE * d ** -alpha, "-", color=colour, lw=0.8)
    left.set(xscale="log", yscale="log", xlabel="lag d", ylabel="I(d), floor removed (nats)",
             title=f"(a) measured (points, 95 % bars; seed {first}) and exact (lines)")
    left.legend(fontsize=7, ncol=2)
    # The error against the truth, not alpha against alpha: at Shen's size the bars are too small to see there.
    for alpha in sorted({r["alpha"] for r in rows}):
        sub = [r for r in rows if r["alpha"] == alpha]
        for off, r in zip(np.linspace(-0.03, 0.03, len(sub)), sub):
            right.errorbar(alpha + off, r["estimate"] - alpha, yerr=[[r["estimate"] - r["low"]], [r["high"] - r["estimate"]]],
                           fmt="o", ms=3, color="C0" if r["covers"] else "C3", lw=0.8)
    right.axhline(0, color="k", ls="--", lw=0.8)
    right.set(xlabel="alpha given", ylabel="alpha recovered - alpha given (95 % interval)",
              title="(b) each data seed; red: the interval misses")
    fig.tight_layout()
    return fig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=10000)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--seeds", default="0,1,2,3,4", type=int_list_argument("seeds", low=0), help="data seeds, comma-separated: one data set an alpha a seed")
    parser.add_argument("--lags", type=int, default=20, help="log-spaced lags from 1 to length - 10")
    parser.add_argument("--out", type=Path, default=Path("out/recovery"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    seeds = list(args.seeds)
    lags = tuple(int(d) for d in midecay.log_lags(1, args.length - 10, args.lags))
    rows = [measure(alpha, seed, args.sequences, args.length, lags) for alpha in ALPHAS for seed in seeds]
    args.out.mkdir(parents=True, exist_ok=True)
    text = table(rows, args.sequences, args.length)
    write_atomic(args.out / "results.json", json.dumps({"sequences": args.sequences, "length": args.length,
                                                         "lags": list(lags), "scale": SCALE, "rows": rows}, indent=1),
                 overwrite=True)
    write_atomic(args.out / "summary.txt", text + "\n", overwrite=True)
    write_atomic(args.out / "recovery.png", fig_to_png(figure(rows, lags)), overwrite=True)
    print(text)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
