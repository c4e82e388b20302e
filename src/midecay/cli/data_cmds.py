"""``midecay datasets list|info``."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import JsonOpt, Output, QuietOpt, user_errors


data_app = typer.Typer(help="The named data sets.", no_args_is_help=True)


@data_app.command("list")
@user_errors
def list_cmd(as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """List the named data sets (local and online-only)."""
    from .. import datasets

    entries = [datasets.info(n) for n in datasets.list()]
    rows = "\n".join(
        f"  {e.name:<14} {'online' if e.online else 'local':<7} {','.join(e.splits):<20} {','.join(e.levels):<14} {e.description}"
        for e in entries
    )
    Output(as_json, quiet).result({"datasets": [e.to_dict() for e in entries]},
                                  f"  {'name':<14} {'where':<7} {'splits':<20} {'levels':<14} description\n{rows}")


@data_app.command("info")
@user_errors
def info_cmd(name: Annotated[str, typer.Argument(help="Data set name.")], as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """What a data set is and where it comes from, and the options its loader takes (--option KEY=VALUE)."""
    from .. import datasets

    entry = datasets.info(name)
    text = "\n".join(f"{k}: {v}" for k, v in entry.to_dict().items())
    Output(as_json, quiet).result(entry.to_dict(), text)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.add_typer(data_app, name="datasets")
