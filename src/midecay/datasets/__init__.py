"""Named data sets: ``list()``, ``info(name)``, ``load(name, split=..., level=...)``.

Examples
--------
>>> from midecay import datasets
>>> "ptb" in datasets.list()
True
>>> datasets.info("ptb").levels
('char', 'word')
"""

from __future__ import annotations

import builtins
from typing import Any

from ..errors import DatasetUnavailable, InputError
from ..sequences import Symbols
from ..sources.loader_options import call_with_options
from .registry import REGISTRY, DatasetInfo, labelled_images

__all__ = ["list", "info", "load", "open_named", "check_split_level", "labelled_images", "DatasetInfo", "DatasetUnavailable"]


def list() -> builtins.list[str]:  # noqa: A001 - the public name the API promises
    """Names of all data sets, local and online-only."""
    return sorted(REGISTRY)


def info(name: str) -> DatasetInfo:
    """What a data set is, where it comes from, its splits and levels."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown data set {name!r}; choose from: {', '.join(sorted(REGISTRY))}") from None


def load(name: str, split: str | None = None, level: str | None = None, **options: Any) -> Symbols:
    """Load a named data set as :class:`~midecay.Symbols`.

    ``split`` and ``level`` default to the first listed in :func:`info`. Extra options go to the
    loader (e.g. ``permute_seed=`` for the image sets, ``bins=`` for ``sp500``). The result's
    provenance names the source as ``dataset:NAME[/SPLIT]``, the split, level and options.
    """
    entry = info(name)
    source = f"dataset:{name}" + (f"/{split}" if split else "")
    split, level = split or entry.splits[0], level or entry.levels[0]
    check_split_level(entry, split, level)
    symbols = call_with_options(entry.loader, f"data set {name!r}", split, level, **options)
    provenance = {"source": source, "level": level, "options": dict(options), "split": split}
    return Symbols(symbols.codes, symbols.alphabet, symbols.bounds, symbols.description, provenance)


def open_named(rest: str, level: str | None = None, **options: Any) -> Symbols:
    """The ``dataset:`` scheme of :func:`midecay.open_source`: ``NAME[/SPLIT]`` as :func:`load` reads it."""
    name, _, split = rest.partition("/")
    return load(name, split or None, level, **options)


def check_split_level(entry: DatasetInfo, split: str, level: str) -> None:
    """One-line errors for a split or level the data set does not have."""
    if split not in entry.splits:
        raise InputError(f"{entry.name} has splits {', '.join(entry.splits)}; got {split!r}")
    if level not in entry.levels:
        raise InputError(f"{entry.name} has levels {', '.join(entry.levels)}; got {level!r}")
