"""Passes over memory-mapped codes that keep resident memory bounded.

Pages of a memory map that have been read stay mapped, and count as resident memory, until
the map is closed or the pages are released. A pass over a 4 GB token file would therefore
hold 4 GB. :func:`chunks` walks an array in slices and, for a memory map, releases each
slice's pages (``madvise(MADV_DONTNEED)``: read-only file pages are dropped and read again
from the file if touched) once the caller has moved on, so a pass holds one slice.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator

import numpy as np

__all__ = ["CHUNK_SYMBOLS", "is_mapped", "release", "chunks", "minmax"]

#: Symbols per slice of a pass over mapped codes.
CHUNK_SYMBOLS = 1 << 24


def is_mapped(arr: np.ndarray) -> bool:
    """Whether ``arr`` is (a view of) a memory map whose pages :func:`release` can drop."""
    return getattr(arr, "_mmap", None) is not None and hasattr(mmap, "MADV_DONTNEED")


def release(arr: np.ndarray, start: int, stop: int) -> None:
    """Drop the mapped pages holding ``arr[start:stop]`` (no-op for ordinary arrays)."""
    if not is_mapped(arr) or stop <= start:
        return
    mm = arr._mmap
    base_view = np.frombuffer(mm, dtype=np.uint8)
    base = base_view.ctypes.data
    del base_view
    item = arr.dtype.itemsize
    lo = arr.ctypes.data - base + int(start) * item
    hi = min(arr.ctypes.data - base + int(stop) * item, len(mm))
    lo -= lo % mmap.PAGESIZE
    if hi > lo:
        try:
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
        except (OSError, ValueError):  # pragma: no cover - a platform without it just keeps the pages
            pass


def chunks(arr: np.ndarray, size: int = CHUNK_SYMBOLS, overlap: int = 0) -> Iterator[tuple[int, int, np.ndarray]]:
    """``(start, stop, view)`` over ``arr``: ``view`` holds ``arr[start:stop + overlap]``; its pages are released after."""
    n = len(arr)
    for start in range(0, n, size):
        stop = min(n, start + size)
        end = min(n, stop + overlap)
        yield start, stop, arr[start:end]
        release(arr, start, end)


def minmax(arr: np.ndarray) -> tuple[int, int]:
    """``(min, max)`` of a non-empty array, in slices for a memory map."""
    if not is_mapped(arr) or len(arr) <= CHUNK_SYMBOLS:
        return int(arr.min()), int(arr.max())
    lo, hi = None, None
    for _, _, view in chunks(arr):
        a, b = int(view.min()), int(view.max())
        lo = a if lo is None else min(lo, a)
        hi = b if hi is None else max(hi, b)
    return lo, hi
