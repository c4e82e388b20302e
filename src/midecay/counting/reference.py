"""The readable numpy reference for pair counting; every fast kernel is tested against it."""

from __future__ import annotations

import numpy as np

from .checks import checked_kernel
from .pair_counts import PairCounts

__all__ = ["count_reference"]


@checked_kernel
def count_reference(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True) -> PairCounts:
    """Count pairs with numpy, one lag and one window at a time.

    Parameters
    ----------
    codes
        1-D non-negative integer codes.
    windows
        ``(n, 3)`` int64 rows ``(start, first_stop, end)``: pairs ``(t, t + d)`` with
        ``start <= t < first_stop`` and ``t + d < end``.
    lags
        Sorted positive int64 lags.
    alphabet_size
        ``K``: every code is below it.

    Examples
    --------
    >>> codes = np.array([0, 1, 0, 1, 1])
    >>> w = np.array([[0, 5, 5]])
    >>> count_reference(codes, w, np.array([1]), 2).to_dense()[0].tolist()
    [[0, 2], [1, 1]]
    """
    k = int(alphabet_size)
    keys, values = [], []
    for d in lags:
        parts = []
        for start, first_stop, end in windows:
            hi = min(first_stop, end - d)
            if hi > start:
                a = codes[start:hi].astype(np.int64)
                b = codes[start + d : hi + d].astype(np.int64)
                parts.append(a * k + b)
        joined = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        key, count = np.unique(joined, return_counts=True)
        keys.append(key.astype(np.int64))
        values.append(count.astype(np.int64))
    return PairCounts.from_sparse(lags, k, keys, values)
