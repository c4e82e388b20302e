"""A gallery of the decay kinds: one generated process built to be each kind, and what ``classify`` calls it.

Each case is drawn from a generator with an exact MI curve (``midecay.synth``): a hidden Markov
chain (exponential), Gaussian-sign sequences with a power law, a broken power law, and an
exponential head over a power-law tail (composite), Shen's repetitive "01"/"10" blocks (flat, App. C),
a lag-7 copy process (periodic), i.i.d. symbols (no dependence), and the hidden Markov chain again
at a size too small to tell its tail. Every case is drawn at several seeds; the table says how
often the verdict is the kind the process was built as, the figure shows seed 0's curve against
the exact one with its verdict.

Usage: ``.venv/bin/python scripts/decay_gallery.py [--seeds 0,1,2,3,4] [--out out/gallery]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import midecay
from midecay._io import write_atomic
from midecay.cli._common import int_list_argument
from midecay.report import fig_to_png
from midecay.synth import Synthetic, copy_process, gaussian_sign, hmm, repetitive, rho_for_mi, spectral_transition_matrix

#: Lags of every curve but the Gaussian-sign ones (sequences of 1,000): 30 log-spaced to 1,000.
LAGS = tuple(int(d) for d in midecay.log_lags(1, 1000, 30))
SIGN_LAGS = tuple(int(d) for d in midecay.log_lags(1, 990, 25))


@dataclass(frozen=True)
class Case:
    """A process built to be ``built`` (a kind of :data:`midecay.fitting.KINDS`); ``accepted``: the verdicts
    that are right for it (a too-short sample may rightly be called undetermined)."""

    name: str
    built: str
    draw: Callable[[int], Synthetic]
    lags: tuple[int, ...]
    accepted: tuple[str, ...]


def _three_state_hmm(n: int) -> Callable[[int], Synthetic]:
    # Eigenvalues 1, 0.9, 0.6: two modes, the slowest xi = -1 / (2 ln 0.9) = 4.7; 50 symbols, overlapping laws.
    P = spectral_transition_matrix([0.9, 0.6], seed=3)
    E = np.random.default_rng(4).dirichlet(np.full(50, 0.3), size=3)
    return lambda seed: hmm(P, E, n, seed=seed)


def _signs(mi: Callable[[np.ndarray], np.ndarray]) -> Callable[[int], Synthetic]:
    return lambda seed: gaussian_sign(1000, 1000, rho=lambda d: rho_for_mi(mi(d.astype(np.float64))), seed=seed)


def cases() -> list[Case]:
    return [
        Case("3-state HMM, K = 50, N = 10^6", "exponential", _three_state_hmm(10**6), LAGS, ("exponential",)),
        Case("Gaussian sign, 0.1 d^-0.5", "power_law", _signs(lambda d: 0.1 * d ** -0.5), SIGN_LAGS, ("power_law",)),
        Case("Gaussian sign, slope 0.3 then 1.5 from d = 30", "broken_power_law",
             _signs(lambda d: np.where(d <= 30, 0.1 * d ** -0.3, 0.1 * 30 ** -0.3 * (d / 30) ** -1.5)), SIGN_LAGS,
             ("broken_power_law",)),
        Case("Gaussian sign, 0.15 e^(-d/4) + 0.02 d^-0.4", "composite",
             _signs(lambda d: 0.15 * np.exp(-d / 4) + 0.02 * d ** -0.4), SIGN_LAGS, ("composite", "power_law")),
        Case("repeated 01 / 10 blocks, p = 0.8 (Shen App. C)", "flat",
             lambda seed: repetitive(0.8, 10**6, seed=seed), LAGS, ("flat", "periodic_flat")),
        Case("lag-7 copy, K = 50, r = 0.7, N = 10^6", "periodic_exponential",
             lambda seed: copy_process(10**6, 50, 7, 0.7, seed=seed), LAGS, ("periodic_exponential",)),
        Case("i.i.d., K = 50, N = 10^6", "no_dependence",
             lambda seed: hmm(np.ones((1, 1)), np.full((1, 50), 1 / 50), 10**6, seed=seed), LAGS, ("no_dependence",)),
        Case("the 3-state HMM at N = 2,000", "exponential", _three_state_hmm(2000), LAGS,
             ("exponential", "undetermined", "no_dependence")),
    ]


def run_case(case: Case, seed: int) -> dict:
    data = case.draw(seed)
    curve = midecay.mi_curve(data.symbols, case.lags, seed=seed)
    diagnosis = midecay.classify(curve)
    return {"case": case.name, "built": case.built, "seed": seed, "kind": diagnosis.kind,
            "period": diagnosis.period, "headline": diagnosis.headline(),
            "lags": list(case.lags), "mi": [float(x) for x in curve.floor_removed],
            "mi_stderr": [float(x) for x in curve.stderr], "exact": [float(x) for x in data.expected_mi(case.lags)],
            "n_symbols": int(curve.n_symbols)}


def table(rows: list[dict], chosen: list[Case]) -> str:
    seeds = len({r["seed"] for r in rows})
    lines = [f"each case at {seeds} seeds: the verdict of classify() on its curve (mi_curve defaults)",
             f"  {'case':<48} {'built as':<21} {'right':>6}  verdicts"]
    for case in chosen:
        sub = [r for r in rows if r["case"] == case.name]
        kinds = sorted({r["kind"] for r in sub})
        right = sum(r["kind"] in case.accepted for r in sub)
        lines.append(f"  {case.name:<48} {case.built:<21} {right:>3}/{len(sub):<2}  "
                     + ", ".join(f"{k} {sum(r['kind'] == k for r in sub)}" for k in kinds))
    lines.append("  (right: the kind it was built as; a composite may be read as its power-law tail, the flat blocks as "
                 "periodic-flat, a too-short sample as undetermined)")
    return "\n".join(lines)


def figure(rows: list[dict], chosen: list[Case]):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(15, 7), sharey=False)
    first = min(r["seed"] for r in rows)
    for ax, case in zip(axes.flat, chosen):
        r = next(r for r in rows if r["case"] == case.name and r["seed"] == first)
        d, mi, se, exact = (np.asarray(r[k], dtype=float) for k in ("lags", "mi", "mi_stderr", "exact"))
        shown = mi > 0
        ax.errorbar(d[shown], mi[shown], yerr=1.96 * se[shown], fmt="o", ms=3, lw=0.8, label="measured, floor removed")
        positive = exact > 0
        if positive.any():
            ax.plot(d[positive], exact[positive], "kx-", ms=4, lw=0.8, label="exact (where > 0)")
        # An exact exponential tail falls to 1e-12 within the lags: the axis follows what was measured.
        low = mi[shown].min() / 5 if shown.any() else 1e-6
        ax.set(xscale="log", yscale="log", ylim=(low, None), title=f"{case.name}\nbuilt {case.built}; called {r['kind']}")
        ax.title.set_fontsize(8)
    axes.flat[0].legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("lag d")
    for ax in axes[:, 0]:
        ax.set_ylabel("I(d) (nats)")
    fig.tight_layout()
    return fig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", type=int_list_argument("seeds", low=0), help="data seeds, comma-separated")
    parser.add_argument("--out", type=Path, default=Path("out/gallery"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    seeds = list(args.seeds)
    chosen = cases()
    rows = [run_case(case, seed) for case in chosen for seed in seeds]
    args.out.mkdir(parents=True, exist_ok=True)
    text = table(rows, chosen)
    write_atomic(args.out / "results.json", json.dumps({"rows": rows}, indent=1), overwrite=True)
    write_atomic(args.out / "summary.txt", text + "\n", overwrite=True)
    write_atomic(args.out / "gallery.png", fig_to_png(figure(rows, chosen)), overwrite=True)
    print(text)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
