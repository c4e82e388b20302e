"""The checks every counting kernel runs before touching memory.

The compiled kernels index histograms by code and read ``codes[t + d]`` without bounds
checks, so a code outside the alphabet or a window past the array would read or write
outside their buffers. :func:`checked_kernel` puts these checks in front of every kernel in
:data:`~midecay.counting.KERNELS`; nothing reaches a kernel around them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from ..errors import InputError
from ..sequences import check_code_range

__all__ = ["check_count_inputs", "checked_kernel"]


def check_count_inputs(codes, windows, lags, alphabet_size: int, *, codes_checked: bool = False):
    """Validated ``(codes, windows, lags, alphabet_size)`` for a kernel, or a one-line :class:`InputError`.

    ``codes_checked=True`` skips the O(N) code-range pass for codes already validated (a
    :class:`~midecay.Symbols`' read-only codes, or a permutation of them); windows and lags,
    which are small, are always checked.
    """
    if not isinstance(codes, np.ndarray) or codes.ndim != 1 or not np.issubdtype(codes.dtype, np.integer):
        raise InputError("codes must be a 1-D numpy integer array; build them with midecay.encode")
    k = int(alphabet_size)
    if k < 1:
        raise InputError(f"alphabet_size must be >= 1, got {alphabet_size}")
    if not codes_checked:
        check_code_range(codes, k)
    windows = np.ascontiguousarray(windows, dtype=np.int64)
    if windows.ndim != 2 or windows.shape[1] != 3:
        raise InputError(f"windows must have shape (n, 3) rows of (start, first_stop, end), got {windows.shape}")
    if len(windows):
        start, first_stop, end = windows[:, 0], windows[:, 1], windows[:, 2]
        if (start < 0).any() or (first_stop < start).any() or (end < first_stop).any() or (end > len(codes)).any():
            raise InputError(f"windows must satisfy 0 <= start <= first_stop <= end <= len(codes) = {len(codes)}")
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    if lags.ndim != 1 or len(lags) == 0 or (lags < 1).any():
        raise InputError("lags must be a non-empty 1-D array of positive integers")
    return codes, windows, lags, k


def checked_kernel(fn: Callable) -> Callable:
    """Wrap a kernel ``fn(codes, windows, lags, K, *, cells)`` with :func:`check_count_inputs`."""

    @functools.wraps(fn)
    def kernel(codes, windows, lags, alphabet_size, *, cells: bool = True, codes_checked: bool = False):
        codes, windows, lags, k = check_count_inputs(codes, windows, lags, alphabet_size, codes_checked=codes_checked)
        return fn(codes, windows, lags, k, cells=cells)

    return kernel
