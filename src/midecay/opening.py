"""``open_source``: any source a user names -> :class:`~midecay.Symbols`, with structured provenance.

Above both the readers (:mod:`midecay.sources`) and the named data sets (:mod:`midecay.datasets`,
which read through those readers): a scheme such as ``dataset:`` is resolved here, by
:data:`SCHEMES`, so neither package imports this one or each other's upper half.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from . import datasets
from .errors import InputError
from .sequences import Symbols
from .sources.files import existing_file
from .sources.fasta import read_fasta
from .sources.loader_options import call_with_options as _call
from .sources.numeric import read_csv_column, series_symbols
from .sources.text import read_byte_symbols, read_text, text_symbols
from .sources.tokens import read_tokens

__all__ = ["open_source", "parse_option"]

_FASTA = (".fa", ".fasta", ".fna", ".fa.gz", ".fasta.gz", ".fna.gz")


def parse_option(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` from the command line: VALUE read as int, float, true/false/none, else text.

    Examples
    --------
    >>> parse_option("permute_seed=0"), parse_option("errors=replace"), parse_option("nan=none")
    (('permute_seed', 0), ('errors', 'replace'), ('nan', None))
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise InputError(f"bad option {text!r}; use KEY=VALUE, e.g. permute_seed=0")
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return key, lowered == "true"
    if lowered == "none":
        return key, None
    for cast in (int, float):
        try:
            return key, cast(value)
        except ValueError:
            pass
    return key, value


def open_source(source: str | os.PathLike, *, level: str | None = None, column: str | None = None, progress: bool = False,
                **options: Any) -> Symbols:
    """Symbols from a file path or ``dataset:NAME[/SPLIT]``.

    Parameters
    ----------
    source
        ``dataset:NAME[/SPLIT]`` (see :func:`midecay.datasets.list`), or a file: ``.npz``
        (:meth:`Symbols.save`, ``midecay sample``), ``.npy`` / ``.bin`` token ids, FASTA
        (``.fa``, ``.fasta``, ``.fna``, gzipped too), CSV (needs ``column``), or text (anything
        else; ``.gz`` / ``.bz2`` / ``.xz`` decompressed).
    level
        ``char`` / ``word`` for text, or a data set's level (``binary``, ``gray`` …).
    column
        The numeric column of a CSV file.
    progress
        Show a progress bar while a large text or FASTA file is streamed into codes.
    **options
        Passed to the reader or the data set's loader: ``permute_seed=`` (images),
        ``bins=`` / ``transform=`` / ``nan=`` (series), ``encoding=`` / ``errors=`` /
        ``segments=`` (text), ``keep_ambiguous=`` (FASTA), ``dtype=`` (``.bin``) …

    Returns
    -------
    Symbols
        With ``provenance`` = ``{"source", "level", "options"}`` (plus ``"split"`` for a data set).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "genome.fa")
    >>> _ = open(path, "w").write(">chr1\\nACGTACGT\\n>chr2\\nGGCC\\n")
    >>> s = open_source(path)
    >>> s.bounds.tolist(), s.provenance["source"] == path
    ([0, 8, 12], True)
    """
    text = os.fspath(source)
    provenance: dict[str, Any] = {"source": text, "level": level, "options": dict(options)}
    scheme, sep, rest = text.partition(":")
    if sep and scheme in SCHEMES:
        return SCHEMES[scheme](rest, level, **options)
    path = existing_file(text, other=", or pass dataset:NAME[/SPLIT] (see `midecay datasets list`)")
    streaming = {"progress": True} if progress else {}  # for the readers that may stream (text, FASTA)
    kind = _kind(path.name.lower())
    if kind == "JSON":
        raise InputError(f"{text} is JSON; pass data (a text, FASTA, token or .npz file, or dataset:NAME), or a curve where one is taken")
    if level is not None and level != "byte" and kind != "text" and not (kind == "FASTA" and level == "char"):
        raise InputError(f"{text} is a {kind} file: --level {level} does not apply to it (levels char and word are "
                         "for text; --level byte reads any file's bytes)")
    if level == "byte":
        symbols = _call(read_byte_symbols, "a file read as bytes", path, **options)
    elif kind == "symbols (.npz)":
        if options:
            raise InputError(f"{text} is a .npz of symbols; it takes no options")
        symbols = Symbols.load(path)
        provenance = {**symbols.provenance, **provenance} if symbols.provenance else provenance
    elif kind == "token":
        symbols = _call(read_tokens, "a token file", path, **options)
    elif kind == "FASTA":
        symbols = _call(read_fasta, "a FASTA file", path, **options, **streaming)
    elif kind == "CSV":
        if not column:
            raise InputError(f"{text} is a CSV: name the numeric column (CLI: --column NAME)")
        symbols = _call(series_symbols, "a numeric series", read_csv_column(path, column), description=f"{text}:{column}",
                        **options)
    else:
        symbols = _call(read_text, "a text file", path, forwards_to=text_symbols, level=level or "char", **options,
                        **streaming)
    return _with_provenance(symbols, provenance)


def _kind(name: str) -> str:
    """What a file is taken for, by its name."""
    if name.endswith(".npz"):
        return "symbols (.npz)"
    if name.endswith((".npy", ".bin")):
        return "token"
    if name.endswith(_FASTA):
        return "FASTA"
    if name.endswith((".csv", ".csv.gz")):
        return "CSV"
    if name.endswith(".json"):
        return "JSON"
    return "text"


#: ``SCHEME:REST`` sources and what opens them: ``opener(rest, level, **options) -> Symbols``.
SCHEMES: dict[str, Callable[..., Symbols]] = {"dataset": datasets.open_named}


def _with_provenance(symbols: Symbols, provenance: dict[str, Any]) -> Symbols:
    return Symbols(symbols.codes, symbols.alphabet, symbols.bounds, symbols.description, provenance)
