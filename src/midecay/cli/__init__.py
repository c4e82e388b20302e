"""The ``midecay`` command line: thin Typer commands over the public API.

Every command takes ``--json`` (machine-readable result on stdout, nothing else there) and
``--quiet``; user errors print one line on stderr and exit 1, usage errors exit 2.
"""

from __future__ import annotations

import typer

from . import analysis_cmds, data_cmds, report_cmds, synth_cmds

app = typer.Typer(
    name="midecay",
    help="Mutual-information scaling analysis of sequences and sequence models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
analysis_cmds.register(app)
synth_cmds.register(app)
data_cmds.register(app)
report_cmds.register(app)


def main() -> None:
    """Entry point of the ``midecay`` console script."""
    app()


__all__ = ["app", "main"]
