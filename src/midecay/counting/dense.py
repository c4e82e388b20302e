"""Compiled dense pair counting for alphabets whose K x K histogram fits in cache."""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from .pair_counts import PairCounts

__all__ = ["count_dense"]

# Four interleaved sub-histograms: consecutive pairs usually hit the same few cells (text,
# DNA), and one histogram would make every increment wait for the previous store.
_N_SUB = 4


@njit(inline="always")
def _count_range(codes, lo, hi, d, k, sub):
    """Add pairs (x_t, x_{t+d}), lo <= t < hi, into four interleaved sub-histograms."""
    # Unsigned positions and indices: numba then drops its negative-index wrap-around test
    # from every load and increment (a third of the run time here).
    kk = k * k
    ku = np.uint64(k)
    off1, off2, off3 = np.uint64(kk), np.uint64(2 * kk), np.uint64(3 * kk)
    one, two, three, four = np.uint64(1), np.uint64(2), np.uint64(3), np.uint64(4)
    t, du, h = np.uint64(lo), np.uint64(d), np.uint64(hi)
    while t + three < h:
        sub[np.uint64(codes[t]) * ku + np.uint64(codes[t + du])] += 1
        sub[off1 + np.uint64(codes[t + one]) * ku + np.uint64(codes[t + one + du])] += 1
        sub[off2 + np.uint64(codes[t + two]) * ku + np.uint64(codes[t + two + du])] += 1
        sub[off3 + np.uint64(codes[t + three]) * ku + np.uint64(codes[t + three + du])] += 1
        t += four
    while t < h:
        sub[np.uint64(codes[t]) * ku + np.uint64(codes[t + du])] += 1
        t += one


@njit(parallel=True, cache=True, nogil=True)
def _dense_kernel(codes, windows, lags, k, n_chunks):
    n_lags = lags.shape[0]
    kk = k * k
    n_tasks = n_lags * n_chunks
    partial = np.zeros((n_tasks, kk), dtype=np.int64)
    for task in prange(n_tasks):
        li = task // n_chunks
        chunk = task % n_chunks
        d = lags[li]
        sub = np.zeros(_N_SUB * kk, dtype=np.int64)
        for w in range(windows.shape[0]):
            start = windows[w, 0]
            hi = min(windows[w, 1], windows[w, 2] - d)
            if hi > start:
                span = hi - start
                lo_c = start + span * chunk // n_chunks
                hi_c = start + span * (chunk + 1) // n_chunks
                _count_range(codes, lo_c, hi_c, d, k, sub)
        for j in range(kk):
            partial[task, j] = sub[j] + sub[kk + j] + sub[2 * kk + j] + sub[3 * kk + j]
    out = np.zeros((n_lags, kk), dtype=np.int64)
    for task in range(n_tasks):
        out[task // n_chunks] += partial[task]
    return out


def count_dense(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True) -> PairCounts:
    """Count pairs into a dense ``(n_lags, K, K)`` histogram with a compiled loop.

    Parallel over lags; when there are fewer lags than threads, each lag is also split into
    chunks of positions so every core works. Extra memory is ``O(K^2)`` per task (four
    sub-histograms) plus the ``(n_lags, K, K)`` result; no ``N``-sized temporaries.

    Examples
    --------
    >>> codes = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    >>> count_dense(codes, np.array([[0, 5, 5]]), np.array([1]), 2).to_dense()[0].tolist()
    [[0, 2], [1, 1]]
    """
    k = int(alphabet_size)
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    threads = numba.get_num_threads()
    n_chunks = max(1, -(-threads // len(lags)))
    flat = _dense_kernel(codes, np.ascontiguousarray(windows, dtype=np.int64), lags, k, n_chunks)
    return PairCounts.from_dense(lags, flat.reshape(len(lags), k, k))
