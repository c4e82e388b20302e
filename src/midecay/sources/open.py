"""``open_source``: any source a user names -> :class:`~midecay.Symbols`, with structured provenance."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

from ..errors import InputError, InputNotFoundError
from ..sequences import Symbols

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


def _call(loader, what: str, *args: Any, forwards_to=None, **options: Any) -> Symbols:
    """Call ``loader`` with ``options``, naming the accepted ones when an option is unknown.

    ``forwards_to`` is the function that receives the loader's ``**kwargs`` (its options count too).
    """
    accepted: list[str] = []
    for fn in (loader, forwards_to):
        if fn is None:
            continue
        for name, p in inspect.signature(fn).parameters.items():
            if (p.kind is p.KEYWORD_ONLY or p.default is not p.empty) and name not in accepted:
                accepted.append(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InputError(f"{what} takes no option {', '.join(unknown)}; it takes: {', '.join(accepted) or 'none'}")
    return loader(*args, **options)


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
    from .. import datasets  # the registry imports the readers; import it only when a data set is named
    from .fasta import read_fasta
    from .numeric import read_csv_column, series_symbols
    from .text import read_text, text_symbols
    from .tokens import read_tokens

    text = os.fspath(source)
    provenance: dict[str, Any] = {"source": text, "level": level, "options": dict(options)}
    if text.startswith("dataset:"):
        name, _, split = text[len("dataset:"):].partition("/")
        entry = datasets.info(name)
        split, level = split or entry.splits[0], level or entry.levels[0]
        datasets.check_split_level(entry, split, level)
        symbols = _call(entry.loader, f"data set {name!r}", split, level, **options)
        provenance.update(split=split, level=level)
        return _with_provenance(symbols, provenance)
    path = Path(text)
    if not path.exists():
        raise InputNotFoundError(f"{text} not found; pass a file or dataset:NAME[/SPLIT] (see `midecay datasets list`)")
    if path.is_dir():
        raise InputError(f"{text} is a folder; pass a file inside it, or dataset:NAME[/SPLIT]")
    name = path.name.lower()
    streaming = {"progress": True} if progress else {}  # for the readers that may stream (text, FASTA)
    if name.endswith(".npz"):
        if options:
            raise InputError(f"{text} is a .npz of symbols; it takes no options")
        symbols = Symbols.load(path)
        provenance = {**symbols.provenance, **provenance} if symbols.provenance else provenance
    elif name.endswith((".npy", ".bin")):
        symbols = _call(read_tokens, "a token file", path, **options)
    elif name.endswith(_FASTA):
        symbols = _call(read_fasta, "a FASTA file", path, **options, **streaming)
    elif name.endswith((".csv", ".csv.gz")):
        if not column:
            raise InputError(f"{text} is a CSV: name the numeric column (CLI: --column NAME)")
        symbols = _call(series_symbols, "a numeric series", read_csv_column(path, column), description=f"{text}:{column}",
                        **options)
    elif name.endswith(".json"):
        raise InputError(f"{text} is JSON; pass data (a text, FASTA, token or .npz file, or dataset:NAME), or a curve where one is taken")
    else:
        symbols = _call(read_text, "a text file", path, forwards_to=text_symbols, level=level or "char", **options,
                        **streaming)
    return _with_provenance(symbols, provenance)


def _with_provenance(symbols: Symbols, provenance: dict[str, Any]) -> Symbols:
    return Symbols(symbols.codes, symbols.alphabet, symbols.bounds, symbols.description, provenance)
