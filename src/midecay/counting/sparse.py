"""Compiled sparse pair counting for large alphabets (word level, 10k-100k types).

A ``K x K`` histogram would not fit (10^10 cells for 100k types), so positions are grouped
by their symbol once (a counting sort), and for each lag each group's partners
``x_{t+d}`` are tallied in a ``K``-sized scratch array that is reset through the list of
cells it touched. Memory: the position index (``N`` positions plus, per position, how far a
pair may reach) built once per call, ``O(K)`` scratch per thread, and ``O(distinct pairs)``
output per lag.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

from .pair_counts import PairCounts

__all__ = ["count_sparse"]


@njit(cache=True, nogil=True)
def _group_positions(codes, windows, k, pos_dtype_probe):
    """Counting sort of window positions by symbol: (group starts, positions, room)."""
    counts = np.zeros(k + 1, dtype=np.int64)
    total = 0
    for w in range(windows.shape[0]):
        for t in range(windows[w, 0], windows[w, 1]):
            counts[np.int64(codes[t]) + 1] += 1
        total += windows[w, 1] - windows[w, 0]
    for a in range(k):
        counts[a + 1] += counts[a]
    starts = counts.copy()
    fill = counts[:k].copy()
    positions = np.empty(total, dtype=pos_dtype_probe.dtype)
    # room[j]: the largest lag for which position j still has its partner inside the window.
    room = np.empty(total, dtype=pos_dtype_probe.dtype)
    for w in range(windows.shape[0]):
        end = windows[w, 2]
        for t in range(windows[w, 0], windows[w, 1]):
            a = np.int64(codes[t])
            j = fill[a]
            positions[j] = t
            room[j] = end - 1 - t
            fill[a] = j + 1
    return starts, positions, room


@njit(cache=True, nogil=True)
def _sparse_one_lag(codes, starts, positions, room, d, k):
    scratch = np.zeros(k, dtype=np.int64)
    touched = np.empty(k, dtype=np.int64)
    cap = 1024
    keys = np.empty(cap, dtype=np.int64)
    vals = np.empty(cap, dtype=np.int64)
    n_out = 0
    for a in range(k):
        n_touched = 0
        for j in range(starts[a], starts[a + 1]):
            if room[j] < d:
                continue
            b = np.int64(codes[np.int64(positions[j]) + d])
            if scratch[b] == 0:
                touched[n_touched] = b
                n_touched += 1
            scratch[b] += 1
        if n_touched == 0:
            continue
        if n_out + n_touched > cap:
            while n_out + n_touched > cap:
                cap *= 2
            keys2 = np.empty(cap, dtype=np.int64)
            vals2 = np.empty(cap, dtype=np.int64)
            keys2[:n_out] = keys[:n_out]
            vals2[:n_out] = vals[:n_out]
            keys, vals = keys2, vals2
        tb = np.sort(touched[:n_touched])
        for i in range(n_touched):
            b = tb[i]
            keys[n_out] = a * k + b
            vals[n_out] = scratch[b]
            scratch[b] = 0
            n_out += 1
    return keys[:n_out].copy(), vals[:n_out].copy()


def count_sparse(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int) -> PairCounts:
    """Count pairs sparsely: sorted keys ``a * K + b`` and their counts, per lag.

    Lags run in parallel on numba's thread count (the kernel releases the GIL).

    Examples
    --------
    >>> codes = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    >>> pc = count_sparse(codes, np.array([[0, 5, 5]]), np.array([1]), 2)
    >>> pc.keys[0].tolist(), pc.values[0].tolist()
    ([1, 2, 3], [2, 1, 1])
    """
    k = int(alphabet_size)
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    windows = np.ascontiguousarray(windows, dtype=np.int64)
    n = int(windows[:, 2].max()) if len(windows) else 0
    probe = np.zeros(0, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    starts, positions, room = _group_positions(codes, windows, k, probe)

    def one(d: int) -> tuple[np.ndarray, np.ndarray]:
        return _sparse_one_lag(codes, starts, positions, room, np.int64(d), k)

    threads = min(numba.get_num_threads(), len(lags))
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, lags))
    else:
        results = [one(d) for d in lags]
    return PairCounts.from_sparse(lags, k, [r[0] for r in results], [r[1] for r in results])
