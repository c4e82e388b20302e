"""Lag sets: log-spaced grids and validation of explicit lags."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .errors import InputError
from .limits import MAX_LAGS

__all__ = ["log_lags", "as_lags", "parse_lags"]


def log_lags(start: int, stop: int, num: int) -> np.ndarray:
    """Sorted unique integer lags, log-spaced from ``start`` to ``stop`` (both included).

    Rounding makes small lags collide, so fewer than ``num`` lags may come back; the
    endpoints are always present.

    Parameters
    ----------
    start, stop
        Smallest and largest lag, ``1 <= start <= stop``.
    num
        Number of log-spaced points before rounding and de-duplication.

    Examples
    --------
    >>> log_lags(1, 1000, 7).tolist()
    [1, 3, 10, 32, 100, 316, 1000]
    """
    if not (isinstance(start, (int, np.integer)) and isinstance(stop, (int, np.integer))):
        raise InputError(f"log_lags start and stop must be integers, got {start!r} and {stop!r}")
    if start < 1 or stop < start:
        raise InputError(f"log_lags needs 1 <= start <= stop, got start={start}, stop={stop}")
    if num < 1:
        raise InputError(f"log_lags needs num >= 1, got {num}")
    if num == 1 or start == stop:
        return np.array(sorted({int(start), int(stop)}), dtype=np.int64)
    grid = np.rint(np.geomspace(start, stop, num)).astype(np.int64)
    return np.unique(np.clip(grid, start, stop))


def as_lags(lags: Iterable[int] | int | np.ndarray) -> np.ndarray:
    """Validate lags: positive integers, returned sorted and unique as int64.

    Examples
    --------
    >>> as_lags([4, 1, 2, 2]).tolist()
    [1, 2, 4]
    """
    if isinstance(lags, (int, np.integer)):
        lags = [int(lags)]
    try:
        arr = np.asarray(list(lags) if not isinstance(lags, np.ndarray) else lags)
    except TypeError:
        raise InputError(f"lags must be an iterable of positive integers, got {type(lags).__name__}") from None
    if arr.size == 0:
        raise InputError("lags is empty; pass at least one positive integer lag, e.g. log_lags(1, 1000, 30)")
    if arr.ndim != 1:
        raise InputError(f"lags must be 1-D, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise InputError(f"lags must be integers, got {arr.dtype} values such as {arr.flat[0]!r}")
    if arr.min() < 1:
        raise InputError(f"lags must be >= 1, got {int(arr.min())}")
    return np.unique(arr.astype(np.int64))


def parse_lags(spec: str) -> np.ndarray:
    """Lag specs: ``1:1000:40log`` (40 log-spaced), ``1:256`` (every lag), ``1:256:4`` (step), ``1,2,4,8``.

    A spec is checked for size before any array is built (``1:99999999`` is refused at once).

    Examples
    --------
    >>> parse_lags("1:8").tolist(), parse_lags("2,4").tolist(), parse_lags("1:100:3log").tolist()
    ([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], [1, 10, 100])
    """
    text = spec.strip()
    bad = InputError(f"bad lag spec {spec!r}; use e.g. 1:1000:40log, 1:256, 1:256:4 or 1,2,4,8")
    try:
        if "," in text:
            parts = text.split(",")
            _check_count(len(parts), spec)
            return as_lags(int(x) for x in parts)
        parts = text.split(":")
        if len(parts) == 1:
            return as_lags([int(parts[0])])
        start, stop = int(parts[0]), int(parts[1])
        if len(parts) == 3 and parts[2].endswith("log"):
            num = int(parts[2][:-3])
            _check_count(num, spec)
            return log_lags(start, stop, num)
        step = int(parts[2]) if len(parts) == 3 else 1
        if len(parts) > 3 or step < 1:
            raise bad
        _check_count((stop - start) // step + 1, spec)
        return as_lags(range(start, stop + 1, step))
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise bad from None


def _check_count(n: int, spec: str) -> None:
    if n > MAX_LAGS:
        raise InputError(f"lag spec {spec!r} asks for {n:,} lags (at most {MAX_LAGS:,}); use a log grid such as 1:100000:60log")


#: The lag spec that fits the data: :func:`default_lags` of its longest segment.
AUTO = "auto"
#: The default grid of long sequences: this many log-spaced lags from 1 to DEFAULT_MAX_LAG.
DEFAULT_MAX_LAG = 1000
DEFAULT_N_LAGS = 40


def default_lags(longest: int, *, stop: int = DEFAULT_MAX_LAG, num: int = DEFAULT_N_LAGS) -> np.ndarray:
    """Lags that fit segments of at most ``longest`` symbols.

    Every lag below the longest segment when segments are short (images, records, sentences:
    at most ``stop + 1`` symbols), else ``num`` log-spaced lags from 1 to ``stop``.

    Examples
    --------
    >>> default_lags(784)[[0, -1]].tolist(), len(default_lags(784))
    ([1, 783], 783)
    >>> default_lags(10**6)[[0, -1]].tolist()
    [1, 1000]
    """
    longest = int(longest)
    if longest < 2:
        raise InputError("every segment holds one symbol, so no pair lies inside one; pass longer segments")
    if longest - 1 <= stop:
        return np.arange(1, longest, dtype=np.int64)
    return log_lags(1, stop, num)


def parse_lag_spec(spec: str) -> np.ndarray | str:
    """:func:`parse_lags`, or :data:`AUTO` for ``"auto"`` (resolved once the data are known)."""
    return AUTO if spec.strip().lower() == AUTO else parse_lags(spec)


def resolve_lags(lags: Iterable[int] | int | np.ndarray | str, longest: int) -> np.ndarray:
    """Lags for data whose longest segment has ``longest`` symbols: ``"auto"`` gives
    :func:`default_lags`, another string is a spec (:func:`parse_lags`), anything else :func:`as_lags`."""
    if isinstance(lags, str):
        spec = parse_lag_spec(lags)
        return default_lags(longest) if isinstance(spec, str) else spec
    return as_lags(lags)
