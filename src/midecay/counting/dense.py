"""Compiled dense pair counting for alphabets whose K x K histogram fits in cache."""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from .checks import checked_kernel
from .pair_counts import PairCounts

__all__ = ["count_dense", "count_dense_blocks"]

# Each task counts two lags at once (one load of x_t serves both), each lag into two
# interleaved sub-histograms: consecutive pairs usually hit the same few cells (text, DNA),
# and one histogram would make every increment wait for the previous store.
_N_SUB = 4


@njit(inline="always")
def _count_two_lags(codes, lo, hi, d1, d2, k, sub):
    """Pairs (x_t, x_{t+d1}) into regions 0/1 and (x_t, x_{t+d2}) into regions 2/3, lo <= t < hi."""
    # Unsigned positions and indices: numba then drops its negative-index wrap-around test
    # from every load and increment (a third of the run time here).
    kk = k * k
    ku = np.uint64(k)
    o1, o2, o3 = np.uint64(kk), np.uint64(2 * kk), np.uint64(3 * kk)
    one, two = np.uint64(1), np.uint64(2)
    t, h, u1, u2 = np.uint64(lo), np.uint64(hi), np.uint64(d1), np.uint64(d2)
    while t + one < h:
        a0 = np.uint64(codes[t]) * ku
        a1 = np.uint64(codes[t + one]) * ku
        sub[a0 + np.uint64(codes[t + u1])] += 1
        sub[o1 + a1 + np.uint64(codes[t + one + u1])] += 1
        sub[o2 + a0 + np.uint64(codes[t + u2])] += 1
        sub[o3 + a1 + np.uint64(codes[t + one + u2])] += 1
        t += two
    if t < h:
        a0 = np.uint64(codes[t]) * ku
        sub[a0 + np.uint64(codes[t + u1])] += 1
        sub[o2 + a0 + np.uint64(codes[t + u2])] += 1


@njit(inline="always")
def _count_one_lag(codes, lo, hi, d, k, sub):
    """Pairs (x_t, x_{t+d}) into regions 0/1, lo <= t < hi."""
    kk = k * k
    ku = np.uint64(k)
    o1 = np.uint64(kk)
    one, two = np.uint64(1), np.uint64(2)
    t, h, u = np.uint64(lo), np.uint64(hi), np.uint64(d)
    while t + one < h:
        sub[np.uint64(codes[t]) * ku + np.uint64(codes[t + u])] += 1
        sub[o1 + np.uint64(codes[t + one]) * ku + np.uint64(codes[t + one + u])] += 1
        t += two
    if t < h:
        sub[np.uint64(codes[t]) * ku + np.uint64(codes[t + u])] += 1


@njit(parallel=True, cache=True, nogil=True)
def _dense_kernel(codes, windows, block_starts, lags, k, n_chunks):
    """``(n_blocks, n_lags, K*K)`` counts; block ``b`` is ``windows[block_starts[b]:block_starts[b + 1]]``."""
    n_lags = lags.shape[0]
    n_blocks = block_starts.shape[0] - 1
    kk = k * k
    n_groups = (n_lags + 1) // 2
    n_tasks = n_groups * n_blocks * n_chunks
    partial = np.zeros((n_tasks, 2, kk), dtype=np.int64)
    # Block-major tasks: a thread counts one block's lag pairs one after another while the
    # block's codes stay in its cache (lag-pair-major streamed all blocks per pair: ~30 % slower).
    for task in prange(n_tasks):
        b = task // (n_groups * n_chunks)
        g = (task // n_chunks) % n_groups
        chunk = task % n_chunks
        l1 = 2 * g
        paired = l1 + 1 < n_lags
        d1 = lags[l1]
        d2 = lags[l1 + 1] if paired else d1  # lags are sorted, so d2 >= d1
        sub = np.zeros(_N_SUB * kk, dtype=np.int64)
        for w in range(block_starts[b], block_starts[b + 1]):
            start = windows[w, 0]
            hi1 = min(windows[w, 1], windows[w, 2] - d1)
            if hi1 <= start:
                continue
            span = hi1 - start
            lo_c = start + span * chunk // n_chunks
            hi_c = start + span * (chunk + 1) // n_chunks
            # Both lags up to where the longer one runs out, then the shorter one alone.
            split = max(lo_c, min(hi_c, windows[w, 1], windows[w, 2] - d2)) if paired else lo_c
            if paired:
                _count_two_lags(codes, lo_c, split, d1, d2, k, sub)
            _count_one_lag(codes, split, hi_c, d1, k, sub)
        for j in range(kk):
            partial[task, 0, j] = sub[j] + sub[kk + j]
            partial[task, 1, j] = sub[2 * kk + j] + sub[3 * kk + j]
    out = np.zeros((n_blocks, n_lags, kk), dtype=np.int64)
    for task in range(n_tasks):
        b = task // (n_groups * n_chunks)
        l1 = 2 * ((task // n_chunks) % n_groups)
        out[b, l1] += partial[task, 0]
        if l1 + 1 < n_lags:
            out[b, l1 + 1] += partial[task, 1]
    return out


def _chunks_per_task(n_lags: int, n_blocks: int) -> int:
    """Position chunks per (lag pair, block), so that there are at least as many tasks as threads."""
    return max(1, -(-numba.get_num_threads() // (((n_lags + 1) // 2) * n_blocks)))


@checked_kernel
def count_dense(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True) -> PairCounts:
    """Count pairs into a dense ``(n_lags, K, K)`` histogram with a compiled loop.

    Parallel over pairs of lags (one pass counts two); when there are fewer pairs than threads,
    each is also split into chunks of positions so every core works. Extra memory is ``O(K^2)``
    per task (four sub-histograms) plus the ``(n_lags, K, K)`` result; no ``N``-sized
    temporaries.

    Examples
    --------
    >>> codes = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    >>> count_dense(codes, np.array([[0, 5, 5]]), np.array([1]), 2).to_dense()[0].tolist()
    [[0, 2], [1, 1]]
    """
    return count_dense_blocks(codes, [windows], lags, alphabet_size)[0]


def count_dense_blocks(codes: np.ndarray, blocks: list[np.ndarray], lags: np.ndarray, alphabet_size: int) -> list[PairCounts]:
    """Each block's dense counts from one parallel pass (the jackknife's blocks; inputs already checked).

    One launch for all blocks balances the threads over ``blocks x lag pairs`` tasks, where a
    call per block would leave cores idle at the end of each.

    >>> codes = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    >>> [p.to_dense()[0].tolist() for p in count_dense_blocks(codes, [np.array([[0, 2, 5]]), np.array([[2, 5, 5]])], np.array([1]), 2)]
    [[[0, 1], [1, 0]], [[0, 1], [0, 1]]]
    """
    k = int(alphabet_size)
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum([len(w) for w in blocks])]).astype(np.int64)
    windows = np.ascontiguousarray(np.concatenate(blocks), dtype=np.int64).reshape(-1, 3)
    flat = _dense_kernel(codes, windows, starts, lags, k, _chunks_per_task(len(lags), len(blocks)))
    return [PairCounts.from_dense(lags, f.reshape(len(lags), k, k)) for f in flat]
