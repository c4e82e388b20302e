"""``midecay curve``, ``midecay fit``, ``midecay compare``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from ..comparison import compare
from ..curve import mi_curve
from ..fitting import DecayFit, classify, fit_decay
from ..fitting.fit import DEFAULT_LAWS
from ._common import (
    Output,
    check_writable,
    load_curve_or_source,
    load_source,
    parse_lags,
    parse_names,
    save_figure,
    user_errors,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout (and nothing else there).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or table output.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]
LagsOpt = Annotated[str, typer.Option("--lags", help="Lags: 1:1000:40log, 1:256, 1:256:4 or 1,2,4,8.")]
LevelOpt = Annotated[Optional[str], typer.Option("--level", help="char | word | token (text), or a data set's level.")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", help="Seed for the shuffle floor.")]


def fit_payload(fit: DecayFit, diagnosis=None) -> dict:
    payload = fit.to_dict()
    if diagnosis is not None:
        payload["kind"] = diagnosis.kind
        payload["span"] = diagnosis.to_dict()["span"]
        payload["periodicity"] = diagnosis.to_dict()["periodicity"]
    return payload


def register(app: typer.Typer) -> None:
    @app.command()
    @user_errors
    def curve(
        source: Annotated[str, typer.Argument(help="A file, or dataset:NAME[/SPLIT].")],
        lags: LagsOpt = "1:1000:40log",
        level: LevelOpt = None,
        column: Annotated[Optional[str], typer.Option(help="CSV column (numeric series).")] = None,
        estimator: Annotated[str, typer.Option(help="grassberger | miller_madow | plugin")] = "grassberger",
        base: Annotated[str, typer.Option(help="nats | bits")] = "nats",
        baseline: Annotated[str, typer.Option(help="shuffle | none")] = "shuffle",
        shuffles: Annotated[int, typer.Option(help="Shuffled copies for the floor.")] = 3,
        blocks: Annotated[int, typer.Option(help="Jackknife blocks for standard errors (0: none).")] = 16,
        backend: Annotated[str, typer.Option(help="auto | dense | sparse | bitset | numpy")] = "auto",
        seed: SeedOpt = 0,
        out: Annotated[Optional[Path], typer.Option(help="Write the curve as JSON here.")] = None,
        plot: Annotated[Optional[Path], typer.Option(help="Write a PNG figure here.")] = None,
        force: ForceOpt = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Estimate the MI curve I(d) of a source, with its shuffle floor and standard errors."""
        io = Output(as_json, quiet)
        check_writable(out, force)
        check_writable(plot, force)
        lag_values = parse_lags(lags)
        symbols = load_source(source, level, column)
        io.info(f"{symbols.n_symbols:,} symbols, alphabet {symbols.alphabet_size}, {len(lag_values)} lags")
        result = mi_curve(
            symbols, lag_values, estimator=estimator, base=base, backend=backend,
            baseline=None if baseline == "none" else baseline, n_shuffles=shuffles, n_blocks=blocks, seed=seed,
            progress=io.progress,
        )
        if out:
            result.to_json(out, overwrite=force)
            io.info(f"wrote {out}")
        if plot:
            save_figure(result.plot().figure, plot, force)
            io.info(f"wrote {plot}")
        io.result(result.to_dict(), result.summary())

    @app.command()
    @user_errors
    def fit(
        source: Annotated[str, typer.Argument(help="A curve .json (from `midecay curve --out`), a file, or dataset:NAME.")],
        laws: Annotated[str, typer.Option(help="Comma-separated decay laws.")] = ",".join(DEFAULT_LAWS),
        dmin: Annotated[Optional[float], typer.Option(help="Smallest lag to fit.")] = None,
        dmax: Annotated[Optional[float], typer.Option(help="Largest lag to fit.")] = None,
        lags: LagsOpt = "1:1000:40log",
        level: LevelOpt = None,
        seed: SeedOpt = 0,
        plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of the fits here.")] = None,
        force: ForceOpt = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Fit decay laws (AICc weights, xi, alpha), and give the span and decay type."""
        io = Output(as_json, quiet)
        check_writable(plot, force)
        curve_ = load_curve_or_source(source, parse_lags(lags), level, seed, io.progress)
        result = fit_decay(curve_, laws=[law.strip() for law in laws.split(",") if law.strip()], dmin=dmin, dmax=dmax)
        diagnosis = classify(curve_, dmin=dmin, dmax=dmax)
        if plot:
            save_figure(result.plot().figure, plot, force)
        text = f"{result.summary()}\n  {diagnosis.span.describe()}\n  kind: {diagnosis.kind}"
        io.result(fit_payload(result, diagnosis), text)

    @app.command(name="compare")
    @user_errors
    def compare_cmd(
        sources: Annotated[list[str], typer.Argument(help="Two or more curve .json files or sources; the first is the reference.")],
        names: Annotated[Optional[str], typer.Option(help="Comma-separated names, one per source.")] = None,
        lags: LagsOpt = "1:1000:40log",
        level: LevelOpt = None,
        seed: SeedOpt = 0,
        alpha: Annotated[float, typer.Option(help="Family-wise error level of the per-lag tests.")] = 0.01,
        plot: Annotated[Optional[Path], typer.Option(help="Write the overlay PNG here.")] = None,
        out: Annotated[Optional[Path], typer.Option(help="Write the comparison JSON here.")] = None,
        force: ForceOpt = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        """Compare curves fairly (floors removed): split non-uniformity, or model samples vs data."""
        io = Output(as_json, quiet)
        if len(sources) < 2:
            raise InputError("compare needs at least two sources")
        check_writable(plot, force)
        check_writable(out, force)
        label = parse_names(names, sources, default=[Path(s).stem if ":" not in s else s for s in sources])
        lag_values = parse_lags(lags)
        curves = [load_curve_or_source(s, lag_values, level, seed, io.progress) for s in sources]
        result = compare(curves, label, alpha=alpha)
        if plot:
            save_figure(result.plot().figure, plot, force)
        if out:
            result.to_json(out, overwrite=force)
        io.result(result.to_dict(), result.summary())
