"""Seeds and generators: every random function takes either."""

from __future__ import annotations

import numpy as np
from numba import njit

from .errors import InputError

__all__ = ["STREAMS", "as_generator", "named_stream", "permutation", "shuffled"]


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator (used as is) or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be an int, a numpy Generator or None, got {type(seed).__name__}")
    return np.random.default_rng(seed)


#: The named random streams a seed feeds, each with the key that makes its draws independent of the
#: seed's own stream and of every other name's. A key is fixed once chosen: changing it changes every
#: result drawn from that stream with a given seed.
STREAMS: dict[str, int] = {
    "shifted-null": 0x5F1F7,  # offsets of the shifted null (midecay.null.shifted)
    "stream-null": 0x57E4,  # partners of the stream null (midecay.null.streams)
    "lm-reference": 0x1E7F,  # where an LM's reference stretches (and bipartite documents) are drawn from the data
    "grid-image-split": 0x9121D,  # a grid's train/test images (seed 0: one split for every trial)
    "period-peaks": 0x7EA5,
    "bipartite-documents": 0xB1DA,  # which texts become the documents of a bipartite estimate (lm_documents)  # the floor of a period's multiples counted as their own curve (midecay.curve.peak_lags)
}


def named_stream(seed: int | np.random.Generator | None, name: str) -> np.random.Generator:
    """The generator of stream ``name`` (a key of :data:`STREAMS`) fed by ``seed``.

    An int seed gives the same draws every time, independent of ``default_rng(seed)``'s and of the
    other names'; a Generator gives a child spawned from it (its state advances); None, fresh entropy.

    Examples
    --------
    >>> a = named_stream(0, "stream-null").integers(1 << 30)
    >>> bool(a == named_stream(0, "stream-null").integers(1 << 30)), bool(a == named_stream(0, "shifted-null").integers(1 << 30))
    (True, False)
    """
    if name not in STREAMS:
        raise InputError(f"unknown random stream {name!r}; choose one of: {', '.join(STREAMS)}")
    if isinstance(seed, np.random.Generator):
        return seed.spawn(1)[0]
    as_generator(seed)  # the same check of the seed's type
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAMS[name],)))


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
