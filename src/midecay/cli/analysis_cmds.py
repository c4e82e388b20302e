"""``midecay curve``, ``midecay fit``, ``midecay compare``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from ._common import (
    CsvOpt,
    ForceOpt,
    JsonOpt,
    LagsOpt,
    LevelOpt,
    OptionOpt,
    Output,
    QuietOpt,
    SeedOpt,
    check_outputs,
    load_curve_or_source,
    load_curves,
    load_source,
    parse_lag_spec,
    parse_names,
    save_figure,
    user_errors,
)

DEFAULT_LAWS = "exponential,power_law,power_law_plus_constant,broken_power_law,composite"


def fit_payload(fit, diagnosis=None) -> dict:
    payload = fit.to_dict()
    payload.pop("curve", None)  # the curve is the command's input; keep the output about the fit
    if diagnosis is not None:
        summary = diagnosis.to_dict()
        payload["kind"] = diagnosis.kind
        payload["law"] = diagnosis.law
        payload["parameters"] = summary["parameters"]
        payload["span"] = summary["span"]
        payload["periodicity"] = summary["periodicity"]
        payload["tail"] = summary["tail"]
    return payload


@user_errors
def curve(
    source: Annotated[str, typer.Argument(help="A file, or dataset:NAME[/SPLIT].")],
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    column: Annotated[Optional[str], typer.Option(help="CSV column (numeric series).")] = None,
    option: OptionOpt = None,
    estimator: Annotated[str, typer.Option(help="grassberger | miller_madow | plugin | nsb | chao_shen (large alphabets; see the README's estimator table)")] = "grassberger",
    base: Annotated[str, typer.Option(help="nats | bits")] = "nats",
    null_draws: Annotated[str, typer.Option(help="How the null's independent draws are made: auto (the cheapest valid) | tables | permutation")] = "auto",
    shuffles: Annotated[Optional[int], typer.Option(help="Null draws: tables per lag (default 16; 3-16 for large alphabets, by size) or permuted copies (3).")] = None,
    blocks: Annotated[int, typer.Option(help="Jackknife blocks for standard errors (0: none, at most 1000).")] = 16,
    backend: Annotated[str, typer.Option(help="auto | dense | sparse | bitset | numpy | torch (CUDA when available)")] = "auto",
    positions: Annotated[str, typer.Option(help="pooled (every pair at a lag together: running text) | aligned (the MI at each position across segments, averaged: images, records, samples)")] = "pooled",
    null: Annotated[str, typer.Option(help="autocorrelated (keeps the data's own structure; many streams over a large alphabet: streams) | streams (each segment an independent stream: model samples, documents) | iid | none (no floor)")] = "autocorrelated",
    engine: Annotated[str, typer.Option(help="local | ray (slices counted by Ray tasks; see --address)")] = "local",
    address: Annotated[Optional[str], typer.Option(help="ray: a running cluster's address (`ray start --head`); default: a local Ray.")] = None,
    seed: SeedOpt = 0,
    out: Annotated[Optional[Path], typer.Option(help="Write the curve as JSON here.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG figure here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    quiet: QuietOpt = False,
    baseline: Annotated[Optional[str], typer.Option(hidden=True, help="Renamed: --null-draws (or --null none).")] = None,
) -> None:
    """Estimate the MI curve I(d) of a source, with its shuffle floor and standard errors."""
    from ..curve import baseline_in_new_names, mi_curve
    from ..errors import InputError
    from ..options import CurveOptions, Engine

    if baseline is not None:  # the former spelling, kept to say the new one (as mi_curve's baseline= does)
        said = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in baseline_in_new_names(baseline).items())
        raise InputError(f"--baseline {baseline} is now {said} (--null-draws: how the null's draws are made; "
                         "--null none: no floor)")
    io = Output(as_json, quiet, as_csv)
    check_outputs(force, out, figure=plot)
    lag_values = parse_lag_spec(lags)
    # Both checked before the data are read: a bad value costs no reading.
    options = CurveOptions(estimator=estimator, base=base, backend=backend, null_draws=null_draws,
                           n_shuffles=shuffles, n_blocks=blocks, positions=positions, null=null)
    where = Engine(engine, address=address)
    symbols = load_source(source, level, column, option)
    io.info(f"{symbols.n_symbols:,} symbols, alphabet {symbols.alphabet_size}, "
            f"{'lags fitted to the data' if isinstance(lag_values, str) else f'{len(lag_values)} lags'}")
    result = mi_curve(symbols, lag_values, options, seed=seed, progress=io.progress, engine=where)
    io.save(result, out, plot, force)
    io.result(result.to_dict(), result.summary(), result.table_rows())
    io.info(f"the decay's kind and law: midecay fit {out if out else 'CURVE.json (write one with --out)'}")


@user_errors
def fit(
    source: Annotated[str, typer.Argument(help="A curve .json (from `midecay curve --out`), a file, or dataset:NAME.")],
    laws: Annotated[str, typer.Option(help="Comma-separated decay laws.")] = DEFAULT_LAWS,
    dmin: Annotated[Optional[float], typer.Option(help="Smallest lag to fit.")] = None,
    dmax: Annotated[Optional[float], typer.Option(help="Largest lag to fit.")] = None,
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    option: OptionOpt = None,
    seed: SeedOpt = 0,
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of the fits here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fit decay laws (AICc weights, xi, alpha), and give the span and decay type."""
    from ..fitting import classify, fit_decay

    io = Output(as_json, quiet, as_csv)
    check_outputs(force, figure=plot)
    if dmin is not None and dmax is not None and dmin > dmax:
        raise InputError(f"--dmin {dmin:g} is above --dmax {dmax:g}; give dmin <= dmax")
    curve_ = load_curve_or_source(source, parse_lag_spec(lags), level, seed, io.progress, option)
    diagnosis = classify(curve_, dmin=dmin, dmax=dmax)
    # xi of the slowest mode only where the verdict is exponential: elsewhere it is no finding.
    result = fit_decay(curve_, laws=[law.strip() for law in laws.split(",") if law.strip()], dmin=dmin, dmax=dmax,
                       slowest_mode=diagnosis.decay == "exponential")
    if plot:
        save_figure(result.plot().figure, plot, force)
    text = f"{diagnosis.summary()}\n\nEvery law fitted, for comparison (the verdict above is the tail test's and the rules'):\n{result.summary()}"
    io.result(fit_payload(result, diagnosis), text, result.table_rows())


@user_errors
def compare_cmd(
    sources: Annotated[list[str], typer.Argument(help="Two or more curve .json files or sources; the first is the reference.")],
    names: Annotated[Optional[str], typer.Option(help="Comma-separated names, one per source.")] = None,
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    option: OptionOpt = None,
    seed: SeedOpt = 0,
    alpha: Annotated[float, typer.Option(help="Family-wise error level of the per-lag tests (0 < alpha < 1).")] = 0.01,
    plot: Annotated[Optional[Path], typer.Option(help="Write the overlay PNG here.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Write the comparison JSON here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compare curves fairly (floors removed): split non-uniformity, or model samples vs data."""
    from ..comparison import compare

    io = Output(as_json, quiet, as_csv)
    if len(sources) < 2:
        raise InputError("compare needs at least two sources")
    if not 0 < alpha < 1:
        raise InputError(f"--alpha must be between 0 and 1 (e.g. 0.01), got {alpha:g}")
    check_outputs(force, out, figure=plot)
    label = parse_names(names, sources, default=[Path(s).stem if ":" not in s else s for s in sources])
    curves = load_curves(sources, lags, level, seed, io.progress, option)
    result = compare(curves, label, alpha=alpha)
    io.save(result, out, plot, force)
    payload = result.to_dict()
    payload.pop("curves", None)
    io.result(payload, result.summary(), result.table_rows())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.command()(curve)
    app.command()(fit)
    app.command(name="compare")(compare_cmd)
