"""Seeds and generators: every random function takes either."""

from __future__ import annotations

import numpy as np
from numba import njit

from .errors import InputError

__all__ = ["as_generator", "permutation", "shuffled"]


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator (used as is) or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be an int, a numpy Generator or None, got {type(seed).__name__}")
    return np.random.default_rng(seed)


@njit(cache=True, nogil=True)
def _fisher_yates(rng, x):
    for i in range(x.shape[0] - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        x[i], x[j] = x[j], x[i]


def shuffled(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An in-memory copy of ``codes`` in uniformly random order (Fisher-Yates).

    Compiled: 4x ``Generator.permutation`` (which works through a generic buffer), whose
    order it does not reproduce; one generator state gives one order.

    >>> x = shuffled(np.arange(5), np.random.default_rng(0))
    >>> sorted(x.tolist()), x.tolist() == shuffled(np.arange(5), np.random.default_rng(0)).tolist()
    ([0, 1, 2, 3, 4], True)
    """
    out = np.array(codes, copy=True)
    _fisher_yates(rng, out)
    return out


def permutation(n: int, rng: np.random.Generator) -> np.ndarray:
    """``0 … n-1`` in uniformly random order (the compiled Fisher-Yates of :func:`shuffled`), as
    ``uint32`` below ``2**32`` (half the memory of ``int64``).

    >>> sorted(permutation(4, np.random.default_rng(0)).tolist())
    [0, 1, 2, 3]
    """
    out = np.arange(int(n), dtype=np.uint32 if n < 1 << 32 else np.int64)
    _fisher_yates(rng, out)
    return out
