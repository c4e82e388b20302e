"""The demo job: Penn Treebank at character and word level.

For each level: the train / valid / test curves with shuffle floors and jackknife errors, the
fitted decay laws and diagnosis of each, the fair split comparison (floors removed) with its
verdict, and the same comparison with a slice of train as long as valid (sample size matched).
Writes curve JSON files, PNG figures, ``results.json``, ``summary.txt`` and a self-contained ``report.html``.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from .._io import check_output_path, write_atomic
from .._locks import output_held
from .._warnings import UnreliableEstimateWarning
from ..comparison import compare
from ..lags import log_lags
from ..opening import open_source
from ..report import render_analysis
from ..report.html import HtmlReport, analysis_laws, fig_to_png, methods
from .analysis import analyse, middle_slice

SPLITS = ("train", "valid", "test")
LEVELS = ("char", "word")


def demo_outputs(out: Path) -> list[Path]:
    """Every file the demo writes into ``out``: all are checked before any work starts."""
    out = Path(out)
    files = [out / f"ptb_{level}_{split}.json" for level in LEVELS for split in SPLITS]
    files += [out / f"ptb_{level}_{kind}.png" for level in LEVELS for kind in ("splits", "train_fit")]
    return files + [out / "results.json", out / "summary.txt", out / "report.html"]


def _run_level(level: str, lags, out: Path, page: HtmlReport, summary: dict, run: list, laws: set, *, seed: int, log,
               progress: bool, overwrite: bool) -> list[str]:
    """One level of the demo: curves, fits, comparisons, figures; returns the summary lines (and adds the curves
    and the fitted laws to ``run`` and ``laws`` for the methods section)."""
    lines: list[str] = []
    symbols = [open_source(f"dataset:ptb/{s}", level=level) for s in SPLITS]
    names = [f"{level} {s}" for s in SPLITS]
    log(f"PTB {level}: {', '.join(f'{n} {s.n_symbols:,}' for n, s in zip(SPLITS, symbols))}")
    analysis = analyse(symbols, names, lags, seed=seed, progress=progress)
    matched = compare(
        [analyse([middle_slice(symbols[0], symbols[1].n_symbols)], [f"{level} train slice"], lags, seed=seed).results[0].curve,
         analysis.results[1].curve, analysis.results[2].curve],
        [f"{level} train slice", names[1], names[2]],
    )
    for r in analysis.results:
        r.curve.to_json(out / f"ptb_{level}_{r.name.split()[-1]}.json", overwrite=overwrite)
    write_atomic(out / f"ptb_{level}_splits.png", fig_to_png(analysis.comparison.plot().figure), overwrite=overwrite)
    train = analysis.results[0]
    write_atomic(out / f"ptb_{level}_train_fit.png", fig_to_png(train.diagnosis.fit.plot().figure), overwrite=overwrite)
    render_analysis(analysis, into=page, section=f"PTB {level}")
    run.extend(r.curve for r in analysis.results)
    laws.update(analysis_laws(analysis))
    page.heading(f"PTB {level}: size-matched comparison")
    page.paragraph(
        "A slice of train as long as valid, against valid and test: with sample sizes equal, estimator bias "
        "is equal too, so what differs is the data."
    )
    page.pre(matched.summary())
    summary["levels"][level] = {
        "splits": {r.name: {"n_symbols": r.curve.n_symbols, "kind": r.diagnosis.kind,
                            "span": r.diagnosis.span.floor_distance, "I1": float(r.curve.mi[0])}
                   for r in analysis.results},
        "verdict": analysis.comparison.verdict,
        "size_matched_verdict": matched.verdict,
        # Lag by lag (and band by band), for Shen's non-uniformity check (midecay.experiments.claims).
        "size_matched": [pair.to_dict() for pair in matched.pairs],
    }
    lines.append(f"PTB {level}:")
    for r in analysis.results:
        lines.append(f"  {r.name:<12} N={r.curve.n_symbols:>9,}  {r.diagnosis.kind:<18} I(1)={r.curve.mi[0]:.4f} "
                     f"(floor {r.curve.floor[0]:.4f}, above it {r.curve.mi[0] - r.curve.floor[0]:.4f})  "
                     f"span {r.diagnosis.span.reach}")
    lines.append("  I(1) is the raw estimate, the floor its bias at that sample size (larger for the smaller valid and "
                 "test splits): compare what lies above the floor, and the size-matched verdict")
    lines.append(f"  splits vs train (floors removed): {analysis.comparison.verdict}; "
                 f"size-matched: {matched.verdict}")
    for pair in matched.pairs:
        lines.append(f"    {pair.name} against {pair.reference}: {pair.verdict}, {pair.describe_differences()}")
    return lines


def run_demo(
    out: Path,
    *,
    seed: int = 0,
    overwrite: bool = False,
    log: Callable[[str], None] = lambda m: None,
    progress: bool = False,
) -> dict:
    """Run the demo into ``out``; returns a JSON-ready summary (with a ``text`` rendering).

    ``out`` is held for the run (:func:`midecay._locks.output_held`): a second demo into it refuses.
    """
    with output_held(out):
        return _demo(Path(out), seed, overwrite, log, progress)


def _demo(out: Path, seed: int, overwrite: bool, log: Callable[[str], None], progress: bool) -> dict:
    report_path = out / "report.html"
    for path in demo_outputs(out):
        check_output_path(path, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    page = HtmlReport("midecay demo: Penn Treebank, character and word level")
    summary: dict = {"levels": {}}
    lines = []
    run: list = []
    laws: set = set()
    for level, lags in (("char", log_lags(1, 1000, 30)), ("word", log_lags(1, 1000, 25))):
        with warnings.catch_warnings():
            # Word level has 10^8 joint bins for ~10^6 pairs: the estimates warn, rightly; the
            # demo shows the floors instead of repeating the warning.
            warnings.simplefilter("ignore", UnreliableEstimateWarning)
            lines.extend(_run_level(level, lags, out, page, summary, run, laws, seed=seed, log=log, progress=progress,
                                     overwrite=overwrite))
    methods(page, run, sorted(laws))
    page.write(report_path, overwrite=overwrite)
    elapsed = time.perf_counter() - t0
    summary["seconds"] = round(elapsed, 1)
    write_atomic(out / "results.json", json.dumps(summary, indent=1), overwrite=overwrite)
    write_atomic(out / "summary.txt", "\n".join(lines) + "\n", overwrite=overwrite)
    lines.append(f"wrote {out}/report.html, figures and curves in {elapsed:.0f} s")
    summary["text"] = "\n".join(lines)
    return summary
