"""The ``midecay`` command line: thin Typer commands over the public API.

Every command takes ``--json`` (machine-readable result on stdout, nothing else there) and
``--quiet``; user errors print one line on stderr and exit 1, usage errors exit 2.
"""

from __future__ import annotations

import os
import signal
from typing import Annotated, Optional

import typer

from .._version import __version__
from . import (
    analysis_cmds,
    data_cmds,
    design_cmds,
    experiment_cmds,
    lm_cmds,
    model_cmds,
    report_cmds,
    synth_cmds,
)

app = typer.Typer(
    name="midecay",
    help="Mutual-information scaling analysis of sequences and sequence models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help text: option help holds brackets such as dataset:NAME[/SPLIT], which rich
    # markup would read as tags.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"midecay {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Mutual-information scaling analysis of sequences and sequence models."""


analysis_cmds.register(app)
model_cmds.register(app)
experiment_cmds.register(app)
design_cmds.register(app)
lm_cmds.register(app)
synth_cmds.register(app)
data_cmds.register(app)
report_cmds.register(app)


def _terminate(signum: int, frame) -> None:
    # SIGTERM and SIGHUP (a closed terminal or ssh session) unwind like Ctrl-C, so pending writes
    # remove their temporary files and the command says how to go on.
    raise SystemExit(128 + signum)


def main() -> None:
    """Entry point of the ``midecay`` console script."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # a command line draws into files, never windows
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # under nohup, hang-ups stay ignored
        signal.signal(signal.SIGHUP, _terminate)
    app()


__all__ = ["app", "main"]
