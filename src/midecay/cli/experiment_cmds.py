"""``midecay experiment scaling``: correlation length of model samples against width and depth."""

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
    check_output_dir,
    load_source,
    parse_int_list,
    parse_lags,
    resume_hint,
    saved_in,
    save_figure,
    needs,
    user_errors,
)


experiment_app = typer.Typer(help="Experiments over many models (resumable).", no_args_is_help=True)


@experiment_app.command("scaling")
@user_errors
@needs("experiment scaling", "torch", "matplotlib")
@resume_hint(lambda kw: saved_in(kw["out"] / "results.json", "finished cells"))
def scaling(
    source: Annotated[str, typer.Argument(help="Training data: a file or dataset:NAME[/SPLIT].")],
    out: Annotated[Path, typer.Option(help="Folder for results.json (finished cells are reused) and the figures.")],
    arch: Annotated[str, typer.Option(help="Comma-separated architectures.")] = "rnn,lstm",
    widths: Annotated[str, typer.Option(help="Comma-separated widths.")] = "2,4,8,16,32",
    depths: Annotated[str, typer.Option(help="Comma-separated depths.")] = "1",
    epochs: Annotated[int, typer.Option(help="Most epochs per model.")] = 5,
    batch: Annotated[int, typer.Option(help="Batch size.")] = 50,
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 1e-3,
    steps_per_epoch: Annotated[int, typer.Option(help="Cap on steps per epoch (0: all).")] = 0,
    streams: Annotated[int, typer.Option(help="Sampled streams per model.")] = 256,
    length: Annotated[int, typer.Option(help="Symbols per sampled stream.")] = 1024,
    lags: LagsOpt = "1:320:14log",
    dmin: Annotated[Optional[float], typer.Option(help="Smallest lag of the fits.")] = None,
    dmax: Annotated[Optional[float], typer.Option(help="Largest lag of the fits.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of weights, batches and samples.")] = 0,
    seeds: Annotated[Optional[str], typer.Option(help="Comma-separated training seeds (e.g. 0,1,2): each cell trained once a seed, xi reported over them.")] = None,
    level: LevelOpt = None,
    option: OptionOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Train each (arch, width, depth), sample it, fit xi: one table and one figure; reruns skip finished cells."""
    from .._io import check_output_path
    from ..experiments.scaling import ScalingSpec, scaling_sweep

    io = Output(as_json, quiet)
    figure = out / "xi_vs_width.png"
    check_output_dir(out)
    check_output_path(figure, overwrite=True)  # results.json is extended, the figure redrawn: both by design
    spec = ScalingSpec(
        archs=tuple(a.strip() for a in arch.split(",") if a.strip()), widths=parse_int_list(widths, "widths"),
        depths=parse_int_list(depths, "depths"), lags=tuple(int(d) for d in parse_lags(lags)), dmin=dmin, dmax=dmax,
        streams=streams, length=length, seed=seed,
        seeds=parse_int_list(seeds, "seeds", low=0) if seeds else None,
        train={"epochs": epochs, "batch": batch, "lr": lr, "steps_per_epoch": steps_per_epoch},
    )
    symbols = load_source(source, level, options=option)
    result = scaling_sweep(symbols, spec, store=out / "results.json", progress=io.progress)
    save_figure(result.plot().figure, figure, True)
    if len(spec.depths) > 1:
        save_figure(result.plot(against="depth").figure, out / "xi_vs_depth.png", True)
    io.result(result.to_dict(), result.summary() + f"\nwrote {out}/results.json and figures", result.table_rows())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.add_typer(experiment_app, name="experiment")
