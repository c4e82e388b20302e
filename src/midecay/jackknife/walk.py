"""Leave-one-block-out joint sums for sparse counts, all blocks in one walk over the total.

The jackknife needs ``H(total - block_j)`` for every block ``j``. For a sparse table of many
cells, forming each difference (and summing over all its cells again) costs a pass over the
whole table per block. But an entropy estimator is ``ln N - S / N`` with ``S = sum_c f(n_c)``,
so ``S`` of ``total - block_j`` is ``S_total - sum over block j's cells of
[f(n_c) - f(n_c - m_c)]``: only the cells the block touches change. :func:`leave_out_joint`
walks the total's cells once, group by group (cells are grouped by first symbol), aligning
every block's cells of that group through one K-sized scratch row.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..estimators import cell_term, cell_term_table

__all__ = ["leave_out_joint"]


@njit(cache=True, nogil=True)
def _walk(tkeys, tvals, bkeys, bvals, bstart, k, tabled, grassberger):
    """Per block: sum of f(n) - f(n - m) over its cells, and how many cells it empties."""
    n_blocks = len(bstart) - 1
    delta = np.zeros(n_blocks)
    emptied = np.zeros(n_blocks, dtype=np.int64)
    pos = bstart[:-1].copy()
    scratch = np.zeros(k, dtype=np.int64)
    i = 0
    # Keys are grouped by ascending a = key // k, so "still in group a" is "key < (a + 1) k" and
    # the second symbol is key - a k: no integer division per cell.
    while i < len(tkeys):
        a = tkeys[i] // k
        lo, hi = a * k, (a + 1) * k
        i_end = i
        while i_end < len(tkeys) and tkeys[i_end] < hi:
            scratch[tkeys[i_end] - lo] = tvals[i_end]
            i_end += 1
        for j in range(n_blocks):
            p = pos[j]
            stop = bstart[j + 1]
            while p < stop and bkeys[p] < hi:
                n = scratch[bkeys[p] - lo]
                m = bvals[p]
                delta[j] += cell_term(n, tabled, grassberger) - cell_term(n - m, tabled, grassberger)
                if n == m:
                    emptied[j] += 1
                p += 1
            pos[j] = p
        for m in range(i, i_end):
            scratch[tkeys[m] - lo] = 0
        i = i_end
    return delta, emptied


def leave_out_joint(total_keys: np.ndarray, total_values: np.ndarray, block_keys: list[np.ndarray],
                    block_values: list[np.ndarray], k: int, estimator: str = "grassberger") -> tuple[np.ndarray, np.ndarray]:
    """``(delta, emptied)`` per block: ``S(total - block) = S(total) - delta``, and cells it leaves at zero.

    ``S`` sums ``estimator``'s cell term (:func:`~midecay.estimators.cell_term`) over the cells.
    Keys of the total and of each block are grouped by ascending first symbol, as the sparse
    kernel writes them; every block's cells are a subset of the total's.

    >>> d, e = leave_out_joint(np.array([0, 3]), np.array([2, 1]), [np.array([0]), np.array([3])], [np.array([1]), np.array([1])], 2, "plugin")
    >>> d.round(4).tolist(), e.tolist()  # 2 ln 2 - 1 ln 1 for the first block
    ([1.3863, 0.0], [0, 1])
    """
    if len(block_keys):
        bkeys = np.concatenate([np.asarray(b, dtype=np.int64) for b in block_keys])
        bvals = np.concatenate([np.asarray(b, dtype=np.int64) for b in block_values])
    else:
        bkeys = bvals = np.zeros(0, dtype=np.int64)
    bstart = np.concatenate([[0], np.cumsum([len(b) for b in block_keys])]).astype(np.int64)
    return _walk(np.asarray(total_keys, dtype=np.int64), np.asarray(total_values, dtype=np.int64), bkeys, bvals,
                 bstart, int(k), *cell_term_table(estimator))
