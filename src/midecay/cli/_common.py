"""What every command shares: sources, lag specs, output (table, JSON or CSV), one-line errors.

Nothing heavy is imported here: ``midecay --help`` must not load numba or scipy. Commands
import the library inside their bodies.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer

from .._io import check_output_path
from .._warnings import UnreliableEstimateWarning
from ..errors import InputError
from ..lags import parse_lag_spec, parse_lags  # noqa: F401  (re-exported for the commands)
from ..results import jsonable, rows_to_csv

logger = logging.getLogger(__name__)

#: The outputs the running command holds (:func:`hold_output`), released when it ends however it ends.
#: A context variable, not a global: each command invocation (and each thread running one) has its own.
_HELD: contextvars.ContextVar[contextlib.ExitStack | None] = contextvars.ContextVar("midecay_held_outputs", default=None)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout (and nothing else there).")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the result's table as CSV on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or table output.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]
LagsOpt = Annotated[str, typer.Option("--lags", help="Lags: auto (every lag below the longest segment when segments are "
                                     "short, at most 1001 symbols; else 40 log-spaced up to 1000), 1:1000:40log, 1:256, "
                                     "1:256:4 or 1,2,4,8.")]
LevelOpt = Annotated[Optional[str], typer.Option("--level", help="char | word (text), byte (any file's bytes, a binary one "
                                                  "too), or a data set's level (see `midecay datasets info`).")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", help="Seed for the shuffle floor.")]
OptionOpt = Annotated[
    Optional[list[str]],
    typer.Option("--option", "-o", help="KEY=VALUE for the reader or data set (repeatable). Text: encoding, errors, "
                 "lowercase, ascii_only, clean=text8, segments=lines|documents, stream; FASTA: keep_ambiguous, uppercase, "
                 "stream; .npy/.bin tokens: dtype (e.g. uint8), vocab_size; CSV: transform, bins, nan; data sets: "
                 "`midecay datasets info NAME`."),
]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` with control characters shown as escapes: a file name holding a terminal escape
    sequence must not recolour, retitle or rewrite the user's terminal when a message names it.

    >>> printable("a\x1b[31mb.txt")
    'a\\x1b[31mb.txt'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _EchoHandler(logging.Handler):
    """The library's log on stderr as plain lines (warnings as ``note:``), resolved at each write."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):  # a malformed record never stops a command
            return
        typer.echo(("note: " if record.levelno >= logging.WARNING else "") + printable(text), err=True)


def _route_library_log(verbose: bool) -> None:
    """Show midecay's log on stderr: progress lines and notes (INFO) when ``verbose``, else warnings only."""
    root = logging.getLogger("midecay")
    if not any(isinstance(h, _EchoHandler) for h in root.handlers):
        root.addHandler(_EchoHandler())  # records still propagate: a host application's logging sees them too
    root.setLevel(logging.INFO if verbose else logging.WARNING)


class Output:
    """Where a command's result goes: a table for people, or JSON / CSV on stdout (and nothing else there).

    Feedback on long work follows one policy (:mod:`midecay._progress`): live bars on a
    terminal, a line every ~15 s elsewhere, nothing with ``--quiet``, ``--json`` or ``--csv``.
    """

    def __init__(self, as_json: bool, quiet: bool, as_csv: bool = False) -> None:
        if as_json and as_csv:
            raise InputError("--json and --csv exclude each other; pick one")
        self.as_json = as_json
        self.as_csv = as_csv
        self.quiet = quiet
        _route_library_log(self.progress)

    @property
    def machine(self) -> bool:
        return self.as_json or self.as_csv

    @property
    def progress(self) -> bool:
        return not (self.machine or self.quiet)

    def info(self, message: str) -> None:
        """Progress and notes: stderr, silenced by --quiet, --json and --csv."""
        if not (self.quiet or self.machine):
            typer.echo(printable(message), err=True)

    def save(self, result, out: Path | None, figure: Path | None, force: bool) -> None:
        """Write ``result``'s JSON to ``out`` and its figure to ``figure`` (where given), and say so."""
        if out:
            result.to_json(out, overwrite=force)
            self.info(f"wrote {out}")
        if figure:
            save_figure(result.plot().figure, figure, force)
            self.info(f"wrote {figure}")

    def result(self, payload: dict[str, Any], text: str, rows: list[dict[str, Any]] | None = None) -> None:
        if self.as_json:
            write_stdout(json.dumps(jsonable(payload), indent=1) + "\n")
        elif self.as_csv:
            if rows is None:
                raise InputError("this command has no table to write as CSV; use --json")
            write_stdout(rows_to_csv(rows))
        elif not self.quiet:
            write_stdout(text + "\n")


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout whole, or fail with one line.

    Python's buffered stdout drops a short write silently (``ulimit -f``: a JSON cut at 4 KiB,
    exit 0), so the bytes go to the descriptor in a loop that sees every error. A closed pipe
    (``| head``) ends the command quietly, as it ends a Unix tool.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a captured stdout (tests, notebooks): no descriptor
        typer.echo(text, nl=False)
        return
    data = text.encode(sys.stdout.encoding or "utf-8", errors="replace")
    try:
        sys.stdout.flush()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), fd)  # no second error when Python flushes at exit
        raise typer.Exit(141) from None
    except OSError as exc:
        raise InputError(f"cannot write the result to standard output ({(exc.strerror or str(exc)).lower()}); "
                         "free space, raise the file-size limit (ulimit -f) or write it elsewhere") from None


#: The library's words for a fix, as this command line's flags.
_CLI_WORDS = (("overwrite=True", "--force"), ("resume=True", "--resume"))


def in_cli_words(message: str) -> str:
    """A library message as the command line says it: flags instead of keyword arguments.

    Examples
    --------
    >>> in_cli_words("x.json exists; pass overwrite=True to replace it")
    'x.json exists; pass --force to replace it'
    >>> in_cli_words("use transform='diff' (CLI: --option transform=diff)")
    'use --option transform=diff'
    """
    message = re.sub(r"[\w.]+=[^\s()]+ \(CLI: ([^)]+)\)", r"\1", message)
    message = re.sub(r"\(CLI: ([^)]+)\)", r"(\1)", message)
    for word, flag in _CLI_WORDS:
        message = message.replace(word, flag)
    return message


def resume_hint(make: Callable[[dict[str, Any]], str]) -> Callable[[Callable], Callable]:
    """Attach to a command what to print when it is interrupted: ``make(its arguments)`` says how to go on."""
    def attach(fn: Callable) -> Callable:
        fn.__midecay_resume__ = make
        return fn

    return attach


def typed_command(extra: str = "") -> str:
    """The command line as typed, with ``extra`` appended (without ``--force``), or a description of it."""
    import shlex

    argv = [a for a in sys.argv[1:] if a != "--force"]
    started = Path(sys.argv[0])
    if started.name == "midecay" or started.parts[-2:] == ("midecay", "__main__.py"):  # the script, or python -m midecay
        return shlex.join(["midecay", *argv]) + (f" {extra}" if extra and extra not in argv else "")
    return f"the same command{f' with {extra}' if extra else ''}"


def saved_in(path: Path, what: str) -> str:
    """The resume hint of a run that saves ``what`` in ``path`` as it goes: it names ``path`` only if it exists.

    >>> saved_in(Path("/nonexistent/results.json"), "finished trials")
    'nothing had finished, so nothing was saved; run the same command to start again'
    """
    if Path(path).exists():
        return f"{what} are saved in {path}; run {typed_command()} again to continue"
    return f"nothing had finished, so nothing was saved; run {typed_command()} to start again"


def needs(command: str, *packages: str) -> Callable[[Callable], Callable]:
    """Refuse ``command`` (its words after ``midecay``), before any work, when an extra it needs is not
    installed: one line naming the extra. Place it under :func:`user_errors`."""
    def attach(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from ..extras import require

            for package in packages:
                require(package, f"`midecay {command}`")
            return fn(*args, **kwargs)

        return wrapper

    return attach


def user_errors(fn: Callable) -> Callable:
    """Turn :class:`~midecay.errors.InputError` into one line on stderr and exit code 1.

    Only input errors: anything else is a bug and keeps its traceback. Warnings raised on
    the way are printed as one ``warning:`` line each when they are midecay's
    (:class:`~midecay.UnreliableEstimateWarning`); other libraries' warnings go to the log.
    An interrupt (Ctrl-C, SIGTERM, SIGHUP) exits 130 (143, 129) with one line saying how to go on, where the
    command says it (:func:`resume_hint`).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught, contextlib.ExitStack() as held:
            warnings.simplefilter("default")
            token = _HELD.set(held)
            try:
                return fn(*args, **kwargs)
            except InputError as exc:
                text = str(exc).strip()
                message = text.splitlines()[0] if text else type(exc).__name__
                typer.echo(f"error: {printable(in_cli_words(message))}", err=True)
                raise typer.Exit(1) from None
            except ModuleNotFoundError as exc:  # an extra this install lacks, met inside the work
                from ..extras import EXTRA_OF, missing_extra

                if (exc.name or "").split(".")[0] not in EXTRA_OF:
                    raise
                typer.echo(f"error: {missing_extra(exc.name, 'this command')}", err=True)
                raise typer.Exit(1) from None
            except MemoryError:  # the machine's limit (RAM, ulimit -v), met by an input too big for it
                typer.echo("error: out of memory; read a large text or FASTA file with -o stream=true, use a smaller "
                           "input or fewer lags, or raise the memory limit (ulimit -v)", err=True)
                raise typer.Exit(1) from None
            except (KeyboardInterrupt, SystemExit) as exc:
                code = 130 if isinstance(exc, KeyboardInterrupt) else exc.code
                if code not in (129, 130, 143):  # SIGHUP, Ctrl-C, SIGTERM
                    raise
                make = getattr(fn, "__midecay_resume__", None)
                hint = make(kwargs) if make is not None else "nothing was left half-written"
                typer.echo(f"interrupted; {hint}", err=True)
                raise typer.Exit(code) from None
            finally:
                _HELD.reset(token)
                # Legal but unreliable input: one line each on stderr, not Python's warning format.
                # Other libraries' warnings (deprecations, matplotlib's notes) are not the user's
                # concern: they go to the debug log.
                for w in caught:
                    if not issubclass(w.category, UnreliableEstimateWarning):
                        logger.debug("%s: %s", w.category.__name__, w.message)
                for text in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UnreliableEstimateWarning)):
                    typer.echo(f"warning: {printable(text)}", err=True)

    return wrapper


def parse_options(items: list[str] | None) -> dict[str, Any]:
    """``--option KEY=VALUE`` items as a dict."""
    from ..opening import parse_option

    return dict(parse_option(item) for item in (items or []))


def load_source(source: str, level: str | None = None, column: str | None = None, options: list[str] | None = None,
                progress: bool = False):
    """A file path or ``dataset:NAME[/SPLIT]`` as symbols (see :func:`midecay.open_source`)."""
    from ..opening import open_source

    logger.info("reading %s%s", source, f" ({level} level)" if level else "")
    return open_source(source, level=level, column=column, progress=progress, **parse_options(options))


def curve_file_or_source(item: str, level: str | None, options: list[str] | None = None, progress: bool = False):
    """A saved curve (``.json``, as an :class:`~midecay.MICurve`) or a source's symbols."""
    from ..micurve import MICurve

    if item.lower().endswith(".json"):
        return MICurve.from_json(item)
    return load_source(item, level, options=options, progress=progress)


def load_curve_or_source(item: str, lags: np.ndarray | str, level: str | None, seed: int | None, progress: bool,
                         options: list[str] | None = None, **kwargs):
    """A saved curve (``.json``) or the curve of a source (``lags`` may be ``"auto"``: fitted to it)."""
    from ..curve import mi_curve
    from ..micurve import MICurve

    loaded = curve_file_or_source(item, level, options, progress)
    return loaded if isinstance(loaded, MICurve) else mi_curve(loaded, lags, seed=seed, progress=progress, **kwargs)


def load_curves(items: list[str], spec: str, level: str | None, seed: int | None, progress: bool,
                options: list[str] | None = None) -> list:
    """The curves of several saved curves or sources on one lag grid.

    ``auto`` takes the first saved curve's lags, else fits the shortest of the sources'
    longest segments (:func:`~midecay.lags.default_lags`), so every curve has the same lags.
    """
    from ..curve import mi_curve
    from ..lags import default_lags
    from ..micurve import MICurve

    lags = parse_lag_spec(spec)
    loaded = {i: MICurve.from_json(item) if item.lower().endswith(".json") else
              load_source(item, level, options=options, progress=progress) for i, item in enumerate(items)}
    if isinstance(lags, str):
        saved = [x for x in loaded.values() if isinstance(x, MICurve)]
        lags = saved[0].lags if saved else default_lags(min(int(x.lengths.max()) for x in loaded.values()))
    return [x if isinstance(x, MICurve) else mi_curve(x, lags, seed=seed, progress=progress) for x in loaded.values()]


def parse_int_list(text: str, name: str, low: int = 1) -> tuple[int, ...]:
    """``"2,4,8"`` as ``(2, 4, 8)`` with a one-line error naming the option (each value at least ``low``, and
    below 2**63, which seeds and sizes take everywhere)."""
    try:
        values = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise InputError(f"--{name} must be comma-separated integers, got {text!r}") from None
    if not values or min(values) < low or max(values) >= 2**63:
        what = "positive integers" if low == 1 else f"integers >= {low}"
        raise InputError(f"--{name} must be {what} below 2**63, got {text!r}")
    return values


def int_list_argument(name: str, low: int = 1):
    """:func:`parse_int_list` as an ``argparse`` ``type=`` (the scripts' ``--seeds``): a bad value is
    argparse's one-line usage error, not a traceback.

    >>> int_list_argument("seeds", low=0)("0,1,2")
    (0, 1, 2)
    """
    import argparse

    def parse(text: str) -> tuple[int, ...]:
        try:
            return parse_int_list(text, name, low)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def parse_names(names: str | None, sources: list[str], default: list[str] | None = None) -> list[str]:
    """Comma-separated names, one per source (default: ``default`` or the sources themselves)."""
    label = [n.strip() for n in names.split(",")] if names else list(default or sources)
    if len(label) != len(sources):
        raise InputError(f"got {len(label)} names for {len(sources)} sources; pass one name per source")
    return label


#: Figure formats by file suffix (what matplotlib writes without extra packages).
FIGURE_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


def check_output_dir(folder: Path) -> None:
    """:func:`~midecay._io.check_output_folder`, saying when the folder will be created."""
    from .._io import check_output_folder

    check_output_folder(folder)
    if not Path(folder).exists():
        logger.info("%s does not exist: it will be created", folder)
    hold_output(folder)


def hold_output(path: Path) -> None:
    """Hold ``path`` until the running command ends (:func:`midecay._locks.output_held`): a second run
    naming it refuses with one line instead of both writing it."""
    from .._locks import output_held

    held = _HELD.get()
    if held is not None:
        held.enter_context(output_held(path))


def figure_format(path: Path) -> str:
    """The format a figure file's suffix names, or a one-line error."""
    fmt = FIGURE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"cannot tell the figure format of {path}: name it .png, .pdf or .svg")
    return fmt


def check_outputs(force: bool, *paths: Path | None, figure: Path | None = None) -> None:
    """Refuse early, before any work: an existing output without --force, a folder, an unwritable place,
    one path given for two outputs, or a ``figure`` whose suffix names no format we write."""
    if figure is not None:
        figure_format(figure)
    given = [Path(p) for p in (*paths, figure) if p is not None]
    for p in given:
        check_output_path(p, overwrite=force)
    for folder in dict.fromkeys(p.parent for p in given if not p.parent.exists()):
        logger.info("%s does not exist: it will be created", folder)
    resolved = [os.path.realpath(p) for p in given]
    for i, p in enumerate(resolved):
        if p in resolved[:i]:
            raise InputError(f"{given[i]} is named for two outputs; give each output its own file")
    if figure is not None:
        from ..extras import require

        require("matplotlib", "a figure")  # before the work, not after it
    for p in given:
        hold_output(p)
        check_output_path(p, overwrite=force)  # again, held: a run that finished meanwhile may have written it


def save_figure(fig, path: Path, force: bool) -> None:
    """Write ``fig`` in the format ``path``'s suffix names (PNG, PDF or SVG), atomically."""
    from .._io import write_atomic
    from ..report.html import (
        fig_to_bytes,  # matplotlib only where a figure is asked for
    )

    write_atomic(path, fig_to_bytes(fig, figure_format(path)), overwrite=force)
