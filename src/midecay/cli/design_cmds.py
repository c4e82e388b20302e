"""``midecay design dilations`` and ``midecay grid run|show``: from a curve to hyper-parameters, and the grid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    ForceOpt,
    JsonOpt,
    LagsOpt,
    LevelOpt,
    OptionOpt,
    Output,
    QuietOpt,
    SeedOpt,
    check_output_dir,
    check_outputs,
    load_curve_or_source,
    parse_int_list,
    parse_lag_spec,
    resume_hint,
    saved_in,
    save_figure,
    needs,
    user_errors,
)


def _threshold(text: str):
    from ..errors import InputError

    if text == "floor":
        return "floor"
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--threshold must be 'floor' or a number of nats such as 1e-5, got {text!r}") from None
    return value


design_app = typer.Typer(help="Architecture hyper-parameters from a decay curve.", no_args_is_help=True)
grid_app = typer.Typer(help="Grid searches over DilatedRNN dilations (local engine or Ray Tune).", no_args_is_help=True)


@design_app.command("dilations")
@user_errors
def dilations(
    source: Annotated[str, typer.Argument(help="A curve .json (from `midecay curve --out`), a file, or dataset:NAME.")],
    layers: Annotated[Optional[int], typer.Option(help="Number of layers (default: as many as the standard pattern up to the max dilation).")] = None,
    threshold: Annotated[str, typer.Option(help="'floor' (where the curve meets its noise floor) or a fixed threshold in nats (the paper: 1e-5).")] = "floor",
    cap: Annotated[Optional[int], typer.Option(help="Longest dilation the model can use (e.g. its training window); the max dilation is capped there.")] = None,
    positions: Annotated[str, typer.Option(help="pooled | aligned: how the curve of a source is measured (aligned for images and records; see `midecay curve --help`).")] = "pooled",
    read_from: Annotated[str, typer.Option("--from", help="Read the crossings from the measured 'curve' (its non-increasing envelope, as the paper does) or the fitted law ('fit').")] = "curve",
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    option: OptionOpt = None,
    seed: SeedOpt = 0,
    out: Annotated[Optional[Path], typer.Option(help="Write the design as JSON here.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Write the curve, levels and dilations as a PNG here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """DilatedRNN dilations designed from the decay curve (max dilation from the span, density from the slope)."""
    from ..design import design_dilations
    from ..validation import check_int

    io = Output(as_json, quiet)
    check_outputs(force, out, figure=plot)
    if layers is not None:
        check_int("--layers", layers, 1, 4096)
    rule = _threshold(threshold)
    curve = load_curve_or_source(source, parse_lag_spec(lags), level, seed, io.progress, option, positions=positions)
    result = design_dilations(curve, layers, threshold=rule, cap=cap, read_from=read_from)
    io.save(result, out, plot, force)
    io.result(result.to_dict(), result.summary())


@grid_app.command("run")
@user_errors
@needs("grid run", "torch")
@resume_hint(lambda kw: saved_in(kw["out"] / "results.json", "finished trials"))
def run(
    spec: Annotated[str, typer.Argument(help="The grid spec: a TOML file, or example:NAME for one that ships "
                                             "with midecay (tiny, table1_cpu … table3_cpu, table1 … table3).")],
    out: Annotated[Path, typer.Option(help="Folder of results.json; finished trials there are skipped.")],
    engine: Annotated[str, typer.Option(help="local | ray")] = "local",
    workers: Annotated[int, typer.Option(help="local: trials at a time (processes).")] = 1,
    cpus_per_trial: Annotated[int, typer.Option(help="ray: CPUs each trial asks for.")] = 1,
    address: Annotated[Optional[str], typer.Option(help="ray: address of a running cluster (`ray start --head`); default: a local Ray.")] = None,
    seeds: Annotated[Optional[str], typer.Option(help="Run these training seeds instead of the spec's, e.g. 0,1 for a quick look.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Write the metric against max dilation as a PNG here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run a grid's trials (resumable: re-running skips finished ones) and rank them."""
    import dataclasses
    from ..experiments.grid import GridSpec, run_grid
    from ..validation import check_int

    io = Output(as_json, quiet)
    check_int("--workers", workers, 1, 1024)
    check_int("--cpus-per-trial", cpus_per_trial, 1, 1024)
    grid = GridSpec.from_toml(spec)  # before the output folder is announced: a bad spec creates nothing
    check_outputs(force, figure=plot)
    check_output_dir(out)
    if seeds is not None:
        grid = dataclasses.replace(grid, seeds=tuple(sorted(set(parse_int_list(seeds, "seeds", 0)))))
    from ..options import Engine

    Engine(engine, address=address)  # the engine's name and address form, checked before any trial
    n = len(grid.dilations) * len(grid.widths) * len(grid.seeds)
    count = f"{n} trial{'s' if n != 1 else ''}" if grid.design is None else f"{n} given trial{'s' if n != 1 else ''} + designed"
    io.info(f"grid {grid.name}: {grid.task} on {grid.data}, {count}, engine {engine}")
    result = run_grid(grid, out, engine=engine, workers=workers, cpus_per_trial=cpus_per_trial, address=address,
                      progress=io.progress)
    if plot:
        save_figure(result.plot().figure, plot, force)
        io.info(f"wrote {plot}")
    io.result(result.to_dict(), result.summary())


@grid_app.command("show")
@user_errors
def show(
    folder: Annotated[Path, typer.Argument(help="The --out folder of `midecay grid run`.")],
    plot: Annotated[Optional[Path], typer.Option(help="Write the metric against max dilation as a PNG here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The finished trials of a grid, ranked (accuracy or bits per character), with sizes and designs."""
    from ..experiments.grid import load_grid

    io = Output(as_json, quiet)
    check_outputs(force, figure=plot)
    result = load_grid(folder)
    if plot:
        save_figure(result.plot().figure, plot, force)
        io.info(f"wrote {plot}")
    configs = [{k: v for k, v in c.items() if k != "seeds"} for c in result.configurations()]
    io.result({**result.to_dict(), "ranked": result.ranked(), "configs": configs, "pairs": result.pairs()},
              result.summary())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.add_typer(design_app, name="design")
    app.add_typer(grid_app, name="grid")
