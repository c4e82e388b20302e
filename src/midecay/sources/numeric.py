"""Numeric series (prices, measurements) to symbols: returns, then quantile bins or signs."""

from __future__ import annotations

import csv
import io
import os
from typing import TextIO

import numpy as np

from ..errors import InputError
from ..sequences import Symbols, smallest_code_dtype
from .files import read_bytes

__all__ = ["series_symbols", "read_csv_column"]


def read_csv_column(source: str | os.PathLike | TextIO, column: str) -> np.ndarray:
    """One numeric column of a CSV file (``.gz`` too) or open text stream; empty cells become NaN."""
    if hasattr(source, "read"):
        return _csv_column(source, column, "CSV stream")
    try:
        text = read_bytes(source).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: byte {exc.start} is not UTF-8; CSV files are read as UTF-8 text") from None
    return _csv_column(io.StringIO(text, newline=""), column, str(source))


def _csv_column(fh: TextIO, column: str, path: str) -> np.ndarray:
    reader = csv.DictReader(fh)
    if reader.fieldnames is None or column not in reader.fieldnames:
        raise InputError(f"{path} has no column {column!r}; columns are {reader.fieldnames}")
    values = []
    for i, row in enumerate(reader):
        cell = (row[column] or "").strip()
        try:
            values.append(float(cell) if cell else np.nan)
        except ValueError:
            raise InputError(f"{path}: row {i + 2} of column {column!r} is not a number ({cell!r})") from None
    return np.asarray(values)


def series_symbols(
    values,
    *,
    transform: str | None = "log_return",
    bins: int | str = 4,
    nan: str = "error",
    description: str = "numeric series",
) -> Symbols:
    """Discretise a series: optional transform, then ``bins`` quantile bins (or ``"sign"``).

    Parameters
    ----------
    values
        1-D numbers (e.g. daily closing prices).
    transform
        ``"log_return"`` (``ln x_t - ln x_{t-1}``, needs positive values), ``"diff"``, or None.
    bins
        Number of equal-frequency (quantile) bins, or ``"sign"`` (down / up; zeros go up).
    nan
        ``"error"`` (default) refuses missing values; ``"drop"`` removes them (joining the
        neighbours); ``"split"`` starts a new segment at each gap.

    Examples
    --------
    >>> s = series_symbols([1, 2, 4, 2, 1, 3], bins="sign")
    >>> s.codes.tolist()
    [1, 1, 0, 0, 1]
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise InputError(f"series must be 1-D with at least 2 values, got shape {x.shape}")
    pieces = _nan_pieces(x, nan)
    out = []
    for piece in pieces:
        if transform == "log_return":
            if np.any(piece <= 0):
                raise InputError("log returns need positive values; use transform='diff' (CLI: --option transform=diff)")
            piece = np.diff(np.log(piece))
        elif transform == "diff":
            piece = np.diff(piece)
        elif transform is not None:
            raise InputError(f"unknown transform {transform!r}; use 'log_return', 'diff' or None")
        if piece.size:
            out.append(piece)
    if not out:
        raise InputError("series too short after the transform")
    allv = np.concatenate(out)
    if bins == "sign":
        codes = [(p >= 0).astype(np.uint8) for p in out]
        alphabet = ("down", "up")
    else:
        k = int(bins)
        if k < 2:
            raise InputError(f"bins must be >= 2 or 'sign', got {bins}")
        edges = np.quantile(allv, np.linspace(0, 1, k + 1)[1:-1])
        codes = [np.searchsorted(edges, p, side="right").astype(smallest_code_dtype(k)) for p in out]
        alphabet = tuple(range(k))
    bounds = np.concatenate([[0], np.cumsum([len(c) for c in codes])])
    return Symbols(np.concatenate(codes), alphabet, bounds, description)


def _nan_pieces(x: np.ndarray, nan: str) -> list[np.ndarray]:
    missing = ~np.isfinite(x)
    if not missing.any():
        return [x]
    if nan == "error":
        raise InputError(
            f"series has {int(missing.sum())} missing value(s) (first at {int(np.argmax(missing))}); pass nan='drop' or "
            "nan='split' (CLI: --option nan=drop)"
        )
    if nan == "drop":
        return [x[~missing]]
    if nan == "split":
        idx = np.flatnonzero(missing)
        return [q for q in (p[np.isfinite(p)] for p in np.split(x, idx)) if q.size >= 2]
    raise InputError(f"unknown nan policy {nan!r}; use 'error', 'drop' or 'split'")
