"""The sparse kernel's jackknife in one pass: the total and every leave-one-block-out sum, no cells kept.

The delete-one-block jackknife needs, per lag and block ``j``, the estimator's joint sum
``S(total - block_j) = S_total - sum over block j's cells of [f(n_c) - f(n_c - m_c)]`` (``n`` the
total's count of a cell, ``m`` the block's; :mod:`~midecay.jackknife.walk`), the number of
cells the block empties, and the block's marginals. The two-pass way counts the total and each
block with their cells and then aligns them. Here one walk over the symbol-grouped positions
does it all: within a first symbol's group the positions ascend, so the blocks (contiguous runs
of first positions) come one after another; a first sweep over the group tallies the total's
cells, a second tallies each block's run and, with the group's totals at hand, adds up its
``f(n) - f(n - m)`` at once. A block's marginals at lag ``d`` are histograms of two contiguous
ranges of the codes, which slide from lag to lag; they are kept apart from the walk, whose
random writes into ``blocks x K`` arrays would cost more than the walk itself. Memory: ``O(K)``
scratch per lag of a batch, the blocks' marginals (``blocks x lags x K``), no ``O(distinct
pairs)`` cell lists.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..counting.checks import check_count_inputs
from ..counting.pair_counts import PairCounts, ProfileCounts
from ..counting.sparse import (
    group_positions,
    lag_batches,
    profile_buffers,
    profile_pairs,
    tally_partners,
)
from ..estimators import cell_term, cell_term_table
from .leave_out import leave_out_from_sums

__all__ = ["SparseJackknife", "count_sparse_jackknife"]


@njit(cache=True, nogil=True)
def _jackknife_batch(codes, starts, positions, room, block_of, n_blocks, lags, k, max_count, tabled, grassberger,
                     plugin_tabled):
    nb = lags.shape[0]
    scratch = np.zeros((nb, k), dtype=np.int64)
    touched = np.empty((nb, k + 1), dtype=np.uint64)
    n_touched = np.zeros(nb, dtype=np.int64)
    run = np.zeros((nb, k), dtype=np.int64)
    run_touched = np.empty((nb, k + 1), dtype=np.uint64)
    n_run = np.zeros(nb, dtype=np.int64)
    left = np.zeros((nb, k), dtype=np.int64)
    right = np.zeros((nb, k), dtype=np.int64)
    profile, big, n_big = profile_buffers(nb, max_count, positions.shape[0])
    n_profile = profile.shape[1]
    # Per lag and block: what leaving the block out takes from the joint sum of the cell term,
    # and the cells it empties.
    delta = np.zeros((nb, n_blocks))
    plugin_delta = np.zeros((nb, n_blocks))
    emptied = np.zeros((nb, n_blocks), dtype=np.int64)
    for a in range(k):
        lo, hi = starts[a], starts[a + 1]
        if lo == hi:
            continue
        # Sweep 1: the total's cells of this group.
        n_touched[:] = 0
        tally_partners(codes, positions, room, lags, lo, hi, scratch, touched, n_touched)
        # Sweep 2: each block's run of positions, its cells set against the group's totals.
        j = lo
        while j < hi:
            blk = block_of[j]
            j_end = j
            while j_end < hi and block_of[j_end] == blk:
                j_end += 1
            n_run[:] = 0
            tally_partners(codes, positions, room, lags, j, j_end, run, run_touched, n_run)
            for q in range(nb):
                for i in range(n_run[q]):
                    b = run_touched[q, i]
                    m = run[q, b]
                    n = scratch[q, b]
                    delta[q, blk] += cell_term(n, tabled, grassberger) - cell_term(n - m, tabled, grassberger)
                    plugin_delta[q, blk] += cell_term(n, plugin_tabled, False) - cell_term(n - m, plugin_tabled, False)
                    emptied[q, blk] += n == m
                    run[q, b] = 0
            j = j_end
        for q in range(nb):
            total = 0
            for i in range(n_touched[q]):
                b = touched[q, i]
                c = scratch[q, b]
                if c < n_profile:  # inline, as in the sparse kernel
                    profile[q, c] += 1
                else:
                    big[q, n_big[q]] = c
                    n_big[q] += 1
                right[q, b] += c
                total += c
                scratch[q, b] = 0
            left[q, a] = total
    return (profile, big, n_big), left, right, delta, emptied, plugin_delta


@njit(cache=True, nogil=True)
def _move_range(codes, hist, a0, b0, a1, b1):
    """Turn ``hist`` of ``codes[a0:b0]`` into that of ``codes[a1:b1]``, touching only what differs."""
    if a1 >= b0 or b1 <= a0:  # disjoint: out with the old, in with the new
        for t in range(a0, b0):
            hist[codes[t]] -= 1
        for t in range(a1, b1):
            hist[codes[t]] += 1
        return
    for t in range(a0, a1):
        hist[codes[t]] -= 1
    for t in range(a1, a0):
        hist[codes[t]] += 1
    for t in range(b0, b1):
        hist[codes[t]] += 1
    for t in range(b1, b0):
        hist[codes[t]] -= 1


@njit(cache=True, nogil=True)
def _block_margins(codes, windows, lags, left, right):
    """A block's ``(n_lags, K)`` left and right marginals into ``left`` and ``right`` (zeros on the
    way in), sliding each window's ranges from lag to lag.

    At lag ``d`` a window ``(start, first_stop, end)`` pairs first positions ``[start, hi)``,
    ``hi = min(first_stop, end - d)``, with ``[start + d, hi + d)``: contiguous ranges whose
    histograms change only at their ends from one lag to the next. Only those changes are
    written (row ``i`` holds lag ``i``'s change from lag ``i - 1``, summed over windows), so a
    block of many short windows costs its length, not windows x lags x K; the running sums over
    the lags are the marginals. The caller's rows are slices of all blocks' arrays: stacking
    the blocks' own arrays afterwards cost twice the sliding (PTB words: 0.11 s a curve).
    """
    n_lags, k = left.shape
    for w in range(windows.shape[0]):
        start, first_stop, end = windows[w, 0], windows[w, 1], windows[w, 2]
        la, lb, ra, rb = start, start, start, start  # empty ranges before the first lag
        for i in range(n_lags):
            d = lags[i]
            hi = max(start, min(first_stop, end - d))
            _move_range(codes, left[i], la, lb, start, hi)
            _move_range(codes, right[i], ra, rb, start + d, hi + d)
            la, lb, ra, rb = start, hi, start + d, hi + d
    for i in range(1, n_lags):
        for c in range(k):
            left[i, c] += left[i - 1, c]
            right[i, c] += right[i - 1, c]


@dataclass(frozen=True)
class SparseJackknife:
    """The total's counts (profiles and marginals) and, per block, what leaving it out changes.

    ``delta[j, i]``: the joint sum of the estimator's cell term over the total less block ``j``
    at lag ``i`` is the total's sum less ``delta``; ``emptied[j, i]``: the cells block ``j``
    holds all of; ``left_block`` / ``right_block``: its marginals, ``(n_blocks, n_lags, K)``;
    ``plugin_delta``: ``delta`` of the plug-in's cell term, for the smooth replicates the
    jackknife's error is taken from; ``estimator``: the one ``delta`` was summed for.
    """

    total: ProfileCounts
    delta: np.ndarray
    emptied: np.ndarray
    left_block: np.ndarray
    right_block: np.ndarray
    plugin_delta: np.ndarray
    estimator: str

    def leave_out_mutual_information(self, estimator: str = "grassberger") -> np.ndarray:
        """``(n_blocks, n_lags)``: the MI of the total less each block (the jackknife's replicates).

        For the estimator the walk was made for, or the plug-in.
        """
        if estimator not in (self.estimator, "plugin"):
            raise ValueError(f"the walk summed {self.estimator!r} and plug-in terms, not {estimator!r}")
        delta = self.delta if estimator == self.estimator else self.plugin_delta
        total = self.total
        return leave_out_from_sums(list(total.profiles), total.left_counts, total.right_counts, delta,
                                   self.emptied, self.left_block, self.right_block, estimator)


def count_sparse_jackknife(codes: np.ndarray, blocks: list[np.ndarray], lags: np.ndarray, alphabet_size: int,
                           estimator: str = "grassberger") -> SparseJackknife:
    """One pass: the total's profiles and the leave-one-block-out sums of the estimator's cell term.

    ``blocks`` are the jackknife's windows (:func:`~midecay.counting.windows.block_windows`,
    inputs already checked); ``estimator`` names the cell term ``f`` of the sums.
    Equal, to rounding, to counting the total and every block with their cells and aligning
    them (:func:`~midecay.jackknife.walk.leave_out_joint`); the tests hold them together.
    """
    blocks = [check_count_inputs(codes, w, lags, alphabet_size, codes_checked=True)[1] for w in blocks]
    k = int(alphabet_size)
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    windows = np.ascontiguousarray(np.concatenate(blocks), dtype=np.int64)
    owner = np.concatenate([np.full(len(w), b, dtype=np.int64) for b, w in enumerate(blocks)])
    order = np.argsort(windows[:, 0], kind="stable")  # windows in position order, so each group's positions ascend
    windows = windows[order]
    owner = owner[order].astype(np.int16 if len(blocks) < 2**15 else np.int64)
    n = int(windows[:, 2].max()) if len(windows) else 0
    probe = np.zeros(0, dtype=np.uint32 if n < 2**32 else np.uint64)
    starts, positions, room, block_of = group_positions(codes, windows, k, probe, owner)
    max_count = int(np.diff(starts).max()) if k else 0
    tabled, grassberger = cell_term_table(estimator)
    plugin_tabled = cell_term_table("plugin")[0]

    threads, batches = lag_batches(lags)

    def one(batch: np.ndarray):
        return _jackknife_batch(codes, starts, positions, room, block_of, len(blocks), batch, k, max_count, tabled, grassberger,
                                plugin_tabled)

    with ThreadPoolExecutor(max_workers=threads) as pool:  # the kernels release the GIL
        results = list(pool.map(one, batches))
        left_block = np.zeros((len(blocks), len(lags), k), dtype=np.int64)
        right_block = np.zeros((len(blocks), len(lags), k), dtype=np.int64)
        list(pool.map(lambda b: _block_margins(codes, blocks[b], lags, left_block[b], right_block[b]), range(len(blocks))))
    profiles = [p for r in results for p in profile_pairs(*r[0])]
    left = np.concatenate([r[1] for r in results])
    right = np.concatenate([r[2] for r in results])
    total = PairCounts.from_profile(lags, k, profiles, left, right)
    return SparseJackknife(
        total=total,
        delta=np.concatenate([r[3] for r in results]).T,
        emptied=np.concatenate([r[4] for r in results]).T,
        left_block=left_block,
        right_block=right_block,
        plugin_delta=np.concatenate([r[5] for r in results]).T,
        estimator=estimator,
    )
