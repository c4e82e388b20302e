"""What every command shares: sources, lag specs, output (table or JSON), one-line errors."""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import typer

from ..errors import InputError, InputNotFoundError, OutputExistsError
from .. import datasets
from .._io import write_atomic
from ..curve import MICurve
from ..lags import as_lags, log_lags
from ..sequences import Symbols

USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError, ConnectionError, datasets.DatasetUnavailable, ImportError)


class Output:
    """Where a command's result goes: a table for people, or JSON on stdout (and nothing else there)."""

    def __init__(self, as_json: bool, quiet: bool) -> None:
        self.as_json = as_json
        self.quiet = quiet

    @property
    def progress(self) -> bool:
        return not (self.as_json or self.quiet) and sys.stderr.isatty()

    def info(self, message: str) -> None:
        """Progress and notes: stderr, silenced by --quiet and --json."""
        if not (self.quiet or self.as_json):
            typer.echo(message, err=True)

    def result(self, payload: dict[str, Any], text: str) -> None:
        if self.as_json:
            typer.echo(json.dumps(_clean(payload), indent=1))
        elif not self.quiet:
            typer.echo(text)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, np.generic):
        return _clean(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def user_errors(fn: Callable) -> Callable:
    """Turn expected failures into a one-line message on stderr and exit code 1 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def parse_lags(spec: str) -> np.ndarray:
    """Lag specs: ``1:1000:40log`` (40 log-spaced), ``1:256`` (every lag), ``1:256:4`` (step), ``1,2,4,8``.

    Examples
    --------
    >>> parse_lags("1:8").tolist(), parse_lags("2,4").tolist(), parse_lags("1:100:3log").tolist()
    ([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], [1, 10, 100])
    """
    text = spec.strip()
    try:
        if "," in text:
            return as_lags(int(x) for x in text.split(","))
        parts = text.split(":")
        if len(parts) == 1:
            return as_lags([int(parts[0])])
        start, stop = int(parts[0]), int(parts[1])
        if len(parts) == 2:
            return as_lags(range(start, stop + 1))
        if len(parts) == 3 and parts[2].endswith("log"):
            return log_lags(start, stop, int(parts[2][:-3]))
        if len(parts) == 3:
            return as_lags(range(start, stop + 1, int(parts[2])))
    except ValueError as exc:
        if "invalid literal" not in str(exc):
            raise
    raise InputError(f"bad lag spec {spec!r}; use e.g. 1:1000:40log, 1:256, 1:256:4 or 1,2,4,8")


def load_source(source: str, level: str | None = None, column: str | None = None) -> Symbols:
    """A file path or ``dataset:NAME[/SPLIT]`` as symbols."""
    from ..sources import read_csv_column, read_fasta, read_text, read_tokens, series_symbols

    if source.startswith("dataset:"):
        name, _, split = source[len("dataset:"):].partition("/")
        return datasets.load(name, split=split or None, level=level)
    path = Path(source)
    if not path.exists():
        raise InputNotFoundError(f"{source} not found; pass a file or dataset:NAME[/SPLIT] (see `midecay datasets list`)")
    name = path.name.lower()
    if name.endswith(".npz"):
        return load_npz(path)
    if name.endswith((".npy", ".bin")):
        return read_tokens(path)
    if name.endswith((".fa", ".fasta", ".fna", ".fa.gz", ".fasta.gz", ".fna.gz")):
        return read_fasta(path)
    if name.endswith((".csv", ".csv.gz")):
        if not column:
            raise InputError(f"{source} is a CSV: pass --column NAME (a numeric series)")
        return series_symbols(read_csv_column(path, column), description=f"{source}:{column}")
    if name.endswith(".json"):
        raise InputError(f"{source} is JSON; this command takes data (a text, FASTA, token or .npz file, or dataset:NAME)")
    return read_text(path, level=level or "char")


def save_npz(symbols: Symbols, path: Path, *, force: bool, extra: dict[str, np.ndarray] | None = None) -> None:
    """Symbols as a plain (pickle-free) .npz: codes, segment bounds, and the alphabet as text."""
    import io

    buf = io.BytesIO()
    alphabet = np.array([str(a) for a in symbols.alphabet])
    np.savez_compressed(buf, codes=symbols.codes, bounds=symbols.bounds, alphabet=alphabet,
                        description=np.array(symbols.description), **(extra or {}))
    write_atomic(path, buf.getvalue(), overwrite=force)


def load_npz(path: Path) -> Symbols:
    with np.load(path, allow_pickle=False) as data:
        if "codes" not in data or "bounds" not in data:
            raise InputError(f"{path} is not a midecay .npz (needs 'codes' and 'bounds'); write one with `midecay synth`")
        alphabet = tuple(data["alphabet"].tolist()) if "alphabet" in data else tuple(range(int(data["codes"].max()) + 1))
        description = str(data["description"]) if "description" in data else str(path)
        return Symbols(data["codes"], alphabet, data["bounds"], description)


def load_curve_or_source(item: str, lags: np.ndarray, level: str | None, seed: int | None, progress: bool, **kwargs) -> MICurve:
    """A saved curve (``.json``) or the curve of a source."""
    from ..curve import mi_curve

    if item.endswith(".json") and Path(item).exists():
        return MICurve.from_json(item)
    return mi_curve(load_source(item, level), lags, seed=seed, progress=progress, **kwargs)


def parse_names(names: str | None, sources: list[str], default: list[str] | None = None) -> list[str]:
    """Comma-separated names, one per source (default: ``default`` or the sources themselves)."""
    label = [n.strip() for n in names.split(",")] if names else list(default or sources)
    if len(label) != len(sources):
        raise InputError(f"got {len(label)} names for {len(sources)} sources; pass one name per source")
    return label


def check_writable(path: Path | None, force: bool) -> None:
    """Refuse early, before any work, when an output exists and --force was not given."""
    if path is not None and Path(path).exists() and not force:
        raise OutputExistsError(f"{path} exists; pass --force to replace it")


def save_figure(fig, path: Path, force: bool) -> None:
    from ..report.html import fig_to_png  # matplotlib only where a figure is asked for

    write_atomic(path, fig_to_png(fig), overwrite=force)
