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

from .checks import checked_kernel
from .pair_counts import PairCounts

__all__ = ["count_sparse"]

# Lags per pass: measured on PTB words (K = 10^4), 1 / 2 / 4 / 5-7 / 10 lags per pass took
# 0.24 / 0.16 / 0.15 / 0.125 / 0.13 s for 19 lags on one thread.
_BATCH = 6


@njit(cache=True, nogil=True)
def group_positions(codes, windows, k, pos_dtype_probe, owner):
    """Counting sort of window positions by symbol: (group starts, positions, room, owner of each).

    ``owner[w]`` labels window ``w`` (the jackknife's block); each position carries its window's
    label. An empty ``owner`` gives no labels (an empty array) and writes none.
    """
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
    labelled = owner.shape[0] > 0
    label = np.empty(total if labelled else 0, dtype=owner.dtype)
    for w in range(windows.shape[0]):
        end = windows[w, 2]
        for t in range(windows[w, 0], windows[w, 1]):
            a = np.int64(codes[t])
            j = fill[a]
            positions[j] = t
            room[j] = end - 1 - t
            if labelled:
                label[j] = owner[w]
            fill[a] = j + 1
    return starts, positions, room, label


#: Cell counts below this are tallied in a dense profile per lag; the rare larger ones (a cell of
#: count c takes c pairs, so there are at most N / cap of them) go to a list. Sizing the profile
#: by the largest possible count instead would take N words a lag when one symbol is common.
PROFILE_CAP = 1 << 16


@njit(cache=True)
def profile_buffers(n_lags, max_count, n_positions):
    """Zeroed ``(profile, big, n_big)`` for a batch of lags (see :data:`PROFILE_CAP`)."""
    cap = min(max_count, PROFILE_CAP)
    return (np.zeros((n_lags, cap + 1), dtype=np.int64), np.zeros((n_lags, n_positions // (cap + 1) + 1), dtype=np.int64),
            np.zeros(n_lags, dtype=np.int64))


@njit(inline="always")
def tally_partners(codes, positions, room, lags, lo, hi, scratch, touched, n_touched):
    """Each lag's partners ``x_{t+d}`` of the grouped positions ``lo … hi`` into its scratch row.

    A partner seen for the first time is listed in ``touched`` (which needs one spare slot: the
    write is branch-free, every partner is stored and only new ones advance the count, since
    whether a partner is new is a coin toss for the branch predictor at word level). Unsigned
    indices spare numba's negative-index test on every load.
    """
    for j in range(lo, hi):
        r = room[j]
        p = np.uint64(positions[j])
        for q in range(lags.shape[0]):
            if r >= lags[q]:
                b = np.uint64(codes[p + np.uint64(lags[q])])
                touched[q, n_touched[q]] = b
                n_touched[q] += scratch[q, b] == 0
                scratch[q, b] += 1


@njit(cache=True, nogil=True)
def _sparse_lag_batch(codes, starts, positions, room, lags, k, max_count, keep_cells):
    """Tally the pairs of several lags in one pass over the symbol-grouped positions.

    One pass serves a batch of lags: each position's index entries are loaded once, and the
    batch's independent gathers keep more memory requests in flight (~2x over one lag at a
    time for PTB words). Returns, per lag of the batch: count profile, left and right
    marginals, and the cells (keys, counts, how many) when ``keep_cells``.
    """
    nb = lags.shape[0]
    scratch = np.zeros((nb, k), dtype=np.int64)
    touched = np.empty((nb, k + 1), dtype=np.uint64)  # one spare slot (tally_partners)
    n_touched = np.zeros(nb, dtype=np.int64)
    left = np.zeros((nb, k), dtype=np.int64)
    right = np.zeros((nb, k), dtype=np.int64)
    # profile[q, c]: cells holding exactly c pairs at lag q; counts past its end in big. (Tallied
    # inline: through a helper function the kernel ran 2.5x slower.)
    profile, big, n_big = profile_buffers(nb, max_count, positions.shape[0])
    n_profile = profile.shape[1]
    # Cells at a lag never outnumber its pairs: room for all of them up front (bounded) spares
    # the regrowth copies, whose fresh pages cost more than the tally (page faults).
    cap = min(max(positions.shape[0], 1), 1 << 22) if keep_cells else 0
    keys = np.empty((nb, cap), dtype=np.int64)
    vals = np.empty((nb, cap), dtype=np.int64)
    n_out = np.zeros(nb, dtype=np.int64)
    for a in range(k):
        n_touched[:] = 0
        tally_partners(codes, positions, room, lags, starts[a], starts[a + 1], scratch, touched, n_touched)
        if keep_cells:
            need = 0
            for q in range(nb):
                need = max(need, n_out[q] + n_touched[q])
            if need > cap:
                while need > cap:
                    cap *= 2
                keys2 = np.empty((nb, cap), dtype=np.int64)
                vals2 = np.empty((nb, cap), dtype=np.int64)
                for q in range(nb):
                    keys2[q, : n_out[q]] = keys[q, : n_out[q]]
                    vals2[q, : n_out[q]] = vals[q, : n_out[q]]
                keys, vals = keys2, vals2
        row = a * k
        for q in range(nb):
            total = 0
            for i in range(n_touched[q]):
                b = touched[q, i]
                c = scratch[q, b]
                if c < n_profile:
                    profile[q, c] += 1
                else:
                    big[q, n_big[q]] = c
                    n_big[q] += 1
                total += c
                right[q, b] += c
                scratch[q, b] = 0
                if keep_cells:
                    keys[q, n_out[q]] = row + np.int64(b)
                    vals[q, n_out[q]] = c
                    n_out[q] += 1
            left[q, a] = total
    return (profile, big, n_big), left, right, keys, vals, n_out


def lag_batches(lags: np.ndarray) -> tuple[int, list[np.ndarray]]:
    """``(threads, batches)``: lags in batches of at most ``_BATCH``, as many as a multiple of the
    thread count, so that every thread gets the same number of passes."""
    threads = max(1, min(numba.get_num_threads(), len(lags)))
    n_batches = threads * -(-len(lags) // (threads * _BATCH))
    return threads, [b for b in np.array_split(lags, min(n_batches, len(lags))) if len(b)]


@checked_kernel
def count_sparse(
    codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True
) -> PairCounts:
    """Count pairs sparsely, per lag: the count profile and marginals, and the cells if ``cells``.

    Cells are keys ``a * K + b`` (grouped by ``a``) with their counts. Estimators need only the
    count profile (how many cells hold each count) and the marginals, so ``cells=False`` skips
    writing ``O(distinct pairs)`` keys per lag. Lags are split into balanced batches that run in
    parallel on numba's thread count (the kernel releases the GIL), each batch in one pass.

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
    starts, positions, room, _ = group_positions(codes, windows, k, probe, np.zeros(0, dtype=np.uint8))
    max_count = int(np.diff(starts).max()) if k else 0

    threads, batches = lag_batches(lags)

    def one(batch: np.ndarray) -> tuple[np.ndarray, ...]:
        return _sparse_lag_batch(codes, starts, positions, room, batch, k, max_count, cells)

    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, batches))
    else:
        results = [one(b) for b in batches]
    left = np.concatenate([r[1] for r in results])
    right = np.concatenate([r[2] for r in results])
    profiles = [p for r in results for p in profile_pairs(*r[0])]
    if not cells:
        return PairCounts.from_profile(lags, k, profiles, left, right)
    keys = [r[3][q, : r[5][q]].copy() for r in results for q in range(len(r[5]))]
    values = [r[4][q, : r[5][q]].copy() for r in results for q in range(len(r[5]))]
    return PairCounts.from_sparse(lags, k, keys, values, left=left, right=right)


def profile_pairs(profile: np.ndarray, big: np.ndarray, n_big: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each lag's ``(distinct positive counts, how many cells hold each)`` from the kernels' tallies."""
    out = []
    for q in range(profile.shape[0]):
        values = np.flatnonzero(profile[q])
        values = values[values > 0]
        large, times = np.unique(big[q, : n_big[q]], return_counts=True)
        out.append((np.concatenate([values, large]).astype(np.int64), np.concatenate([profile[q, values], times]).astype(np.int64)))
    return out
