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
def _sparse_one_lag(codes, starts, positions, room, d, k, max_count, keep_cells):
    """Tally the pairs at lag d group by group; return count profile, marginals, and cells if asked."""
    scratch = np.zeros(k, dtype=np.int64)
    touched = np.empty(k, dtype=np.uint64)
    left = np.zeros(k, dtype=np.int64)
    right = np.zeros(k, dtype=np.int64)
    # profile[c]: cells holding exactly c pairs. A cell never exceeds its group's size.
    profile = np.zeros(max_count + 1, dtype=np.int64)
    cap = 1024 if keep_cells else 0
    keys = np.empty(cap, dtype=np.int64)
    vals = np.empty(cap, dtype=np.int64)
    n_out = 0
    du = np.uint64(d)
    for a in range(k):
        n_touched = np.uint64(0)
        for j in range(starts[a], starts[a + 1]):
            if room[j] >= d:
                b = np.uint64(codes[np.uint64(positions[j]) + du])
                # Branch-free first-touch bookkeeping: whether a partner is new is a coin
                # toss for the branch predictor at word level.
                touched[n_touched] = b
                n_touched += np.uint64(scratch[b] == 0)
                scratch[b] += 1
        nt = np.int64(n_touched)
        if keep_cells and n_out + nt > cap:
            while n_out + nt > cap:
                cap *= 2
            keys2 = np.empty(cap, dtype=np.int64)
            vals2 = np.empty(cap, dtype=np.int64)
            keys2[:n_out] = keys[:n_out]
            vals2[:n_out] = vals[:n_out]
            keys, vals = keys2, vals2
        row = a * k
        total = 0
        for i in range(nt):
            b = touched[i]
            c = scratch[b]
            profile[c] += 1
            total += c
            right[b] += c
            scratch[b] = 0
            if keep_cells:
                keys[n_out] = row + np.int64(b)
                vals[n_out] = c
                n_out += 1
        left[a] = total
    return profile, left, right, keys[:n_out].copy(), vals[:n_out].copy()


def count_sparse(
    codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True
) -> PairCounts:
    """Count pairs sparsely, per lag: the count profile and marginals, and the cells if ``cells``.

    Cells are keys ``a * K + b`` (grouped by ``a``) with their counts. Estimators need only the
    count profile (how many cells hold each count) and the marginals, so ``cells=False`` skips
    writing ``O(distinct pairs)`` keys per lag. Lags run in parallel on numba's thread count
    (the kernel releases the GIL).

    Examples
    --------
    >>> codes = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    >>> pc = count_sparse(codes, np.array([[0, 5, 5]]), np.array([1]), 2)
    >>> sorted(zip(pc.keys[0].tolist(), pc.values[0].tolist()))
    [(1, 2), (2, 1), (3, 1)]
    """
    k = int(alphabet_size)
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    windows = np.ascontiguousarray(windows, dtype=np.int64)
    n = int(windows[:, 2].max()) if len(windows) else 0
    probe = np.zeros(0, dtype=np.uint32 if n < 2**32 else np.uint64)
    starts, positions, room = _group_positions(codes, windows, k, probe)
    max_count = int(np.diff(starts).max()) if k else 0

    def one(d: int) -> tuple[np.ndarray, ...]:
        return _sparse_one_lag(codes, starts, positions, room, np.int64(d), k, max_count, cells)

    threads = min(numba.get_num_threads(), len(lags))
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, lags))
    else:
        results = [one(d) for d in lags]
    left = np.stack([r[1] for r in results])
    right = np.stack([r[2] for r in results])
    profiles = [_profile_pairs(r[0]) for r in results]
    if not cells:
        return PairCounts.from_profile(lags, k, profiles, left, right)
    return PairCounts.from_sparse(lags, k, [r[3] for r in results], [r[4] for r in results], left=left, right=right)


def _profile_pairs(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense profile array -> (distinct positive counts, how many cells hold each)."""
    values = np.flatnonzero(profile)
    values = values[values > 0]
    return values.astype(np.int64), profile[values]
