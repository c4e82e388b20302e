"""Counting windows: which first positions a kernel counts, and how far their pairs may reach.

A window ``(start, first_stop, end)`` says: count pairs ``(t, t + d)`` with
``start <= t < first_stop`` and ``t + d < end``. Whole segments are windows with
``first_stop == end``; the block jackknife uses windows whose first positions cover one block
while their pairs still reach to the segment's end, so block counts add up to the total.
"""

from __future__ import annotations

import numpy as np

__all__ = ["windows_from_bounds", "block_windows", "slice_windows"]


def windows_from_bounds(bounds: np.ndarray) -> np.ndarray:
    """Counting windows ``(start, first_stop, end)`` for whole segments.

    A window says: count pairs ``(t, t + d)`` with ``start <= t < first_stop`` and
    ``t + d < end``. For a whole segment ``first_stop == end``; the block jackknife uses
    windows whose first positions cover one block while pairs may still reach past it.
    """
    bounds = np.asarray(bounds, dtype=np.int64)
    return np.ascontiguousarray(np.stack([bounds[:-1], bounds[1:], bounds[1:]], axis=1))


def block_windows(bounds: np.ndarray, n_blocks: int) -> list[np.ndarray]:
    """Counting windows whose first positions fall in each of ``n_blocks`` contiguous blocks.

    A pair is assigned to the block of its first position, and may reach past the block's end
    (never past its segment's end), so the blocks' counts add up exactly to the total.
    """
    bounds = np.asarray(bounds, dtype=np.int64)
    n = int(bounds[-1])
    edges = np.linspace(0, n, n_blocks + 1).round().astype(np.int64)
    seg_start, seg_end = bounds[:-1], bounds[1:]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        start = np.maximum(seg_start, lo)
        first_stop = np.minimum(seg_end, hi)
        keep = start < first_stop
        out.append(np.ascontiguousarray(np.stack([start[keep], first_stop[keep], seg_end[keep]], axis=1)))
    return out


def slice_windows(windows: np.ndarray, lo: int, hi: int, end: int) -> np.ndarray | None:
    """``windows`` restricted to first positions in ``[lo, hi)``, relative to a slice ``codes[lo:end]``; None if empty.

    With ``end = hi + max(lags)`` (or the array's end) every pair whose first position lies in
    the slice is inside it, so counts over consecutive slices add up to one count of the whole.

    >>> slice_windows(np.array([[0, 10, 10]]), 4, 6, 9).tolist()
    [[0, 2, 5]]
    """
    start, first_stop = np.maximum(windows[:, 0], lo), np.minimum(windows[:, 1], hi)
    keep = start < first_stop
    if not keep.any():
        return None
    return np.ascontiguousarray(np.stack([start[keep], first_stop[keep], np.minimum(windows[keep, 2], end)], axis=1) - lo)
