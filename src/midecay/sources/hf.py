"""Hugging Face ``datasets``: the path users take for WikiText-2/103 and friends."""

from __future__ import annotations

from typing import Any

from ..errors import InputError, MissingExtraError
from ..sequences import Symbols
from .text import text_symbols

__all__ = ["hf_symbols"]


def hf_symbols(
    dataset: Any = None,
    *,
    column: str = "text",
    load_args: tuple = (),
    load_kwargs: dict | None = None,
    split: str | None = None,
    join: str = "\n",
    **text_kwargs: Any,
) -> Symbols:
    """Symbols from a Hugging Face dataset's text column.

    Pass a ``datasets.Dataset`` (or ``DatasetDict`` with ``split``), or ``load_args`` /
    ``load_kwargs`` for ``datasets.load_dataset`` (e.g. ``("wikitext", "wikitext-2-raw-v1")``).
    Rows are joined with ``join`` (WikiText stores one line per row); ``text_kwargs`` go to
    :func:`~midecay.sources.text_symbols` (``level``, ``tokenizer``, ``segments`` …).
    """
    if dataset is None:
        try:
            import datasets
        except ImportError:
            raise MissingExtraError("Hugging Face datasets are not installed; `pip install midecay[hf]`") from None
        dataset = datasets.load_dataset(*load_args, **(load_kwargs or {}))
    if split is not None:
        dataset = dataset[split]
    if hasattr(dataset, "keys") and column not in getattr(dataset, "column_names", []):
        raise InputError(f"dataset has splits {list(dataset.keys())}; pass split=...")
    if column not in dataset.column_names:
        raise InputError(f"dataset has no column {column!r}; columns are {dataset.column_names}")
    text = join.join(dataset[column])
    text_kwargs.setdefault("description", f"HF dataset column {column!r}")
    return text_symbols(text, **text_kwargs)
