"""Pair-count kernels: codes + windows + lags -> :class:`PairCounts`, one signature for all.

Backends (see :data:`KERNELS`): ``numpy`` (reference), ``dense``, ``sparse``, ``bitset``;
``auto`` picks by :func:`choose_backend`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..errors import InputError
from ..lags import as_lags
from ..sequences import encode
from .pair_counts import DenseCounts, PairCounts, ProfileCounts, SparseCounts
from .registry import KERNELS, MAX_DENSE_ALPHABET, Kernel, choose_backend
from .windows import block_windows, windows_from_bounds

__all__ = ["PairCounts", "DenseCounts", "SparseCounts", "ProfileCounts", "KERNELS", "Kernel", "choose_backend", "count_pairs", "windows_from_bounds", "block_windows", "MAX_DENSE_ALPHABET"]


def resolve_backend(backend: str, alphabet_size: int) -> Kernel:
    """The kernel for ``backend`` (``"auto"`` resolved), with a one-line error when unknown or unfit."""
    name = choose_backend(alphabet_size) if backend == "auto" else backend
    if name not in KERNELS:
        raise InputError(f"unknown backend {backend!r}; choose one of: auto, {', '.join(KERNELS)}")
    kernel = KERNELS[name]
    if not kernel.accepts(alphabet_size):
        raise InputError(
            f"backend {name!r} takes alphabets of at most {kernel.max_alphabet} symbols, this one has "
            f"{alphabet_size}; use backend='auto'"
        )
    return kernel


def count_pairs(data, lags: Iterable[int], *, backend: str = "auto", windows: np.ndarray | None = None) -> PairCounts:
    """Count symbol pairs ``(x_t, x_{t+d})`` within segments for each lag.

    Parameters
    ----------
    data
        :class:`~midecay.Symbols` or anything :func:`~midecay.encode` accepts.
    lags
        Positive integer lags.
    backend
        ``"auto"`` or a key of :data:`KERNELS`.
    windows
        Advanced: explicit ``(start, first_stop, end)`` rows instead of the segments.

    Examples
    --------
    >>> pc = count_pairs("abab", [1, 2])
    >>> pc.to_dense().tolist()
    [[[0, 2], [1, 0]], [[1, 0], [0, 1]]]
    """
    symbols = encode(data)
    lags = as_lags(lags)
    kernel = resolve_backend(backend, symbols.alphabet_size)
    if windows is None:
        windows = windows_from_bounds(symbols.bounds)
    return kernel.count(symbols.codes, windows, lags, symbols.alphabet_size)
