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
from .registry import REGISTRY, DatasetInfo, labelled_images

__all__ = ["list", "info", "load", "check_split_level", "labelled_images", "DatasetInfo", "DatasetUnavailable"]


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
    loader (e.g. ``permute_seed=`` for the image sets, ``bins=`` for ``sp500``).
    """
    from ..sources.open import open_source

    source = f"dataset:{name}" + (f"/{split}" if split else "")
    return open_source(source, level=level, **options)


def check_split_level(entry: DatasetInfo, split: str, level: str) -> None:
    """One-line errors for a split or level the data set does not have."""
    if split not in entry.splits:
        raise InputError(f"{entry.name} has splits {', '.join(entry.splits)}; got {split!r}")
    if level not in entry.levels:
        raise InputError(f"{entry.name} has levels {', '.join(entry.levels)}; got {level!r}")
