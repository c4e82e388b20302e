"""Repetitive sequences: blocks "01" or "10"; their MI never decays (Shen et al., App. C)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..rng import as_generator
from ..sequences import Symbols
from ..validation import check_int
from .base import MAX_SYNTH_SYMBOLS, Synthetic
from .hmm import hmm_mi

__all__ = ["repetitive", "repetitive_hmm"]


def repetitive_hmm(p: float) -> tuple[np.ndarray, np.ndarray]:
    """The periodic HMM behind :func:`repetitive`: states (block, position in block).

    States: 0 = first symbol of "01" (emits 0), 1 = its second (emits 1), 2 = first of "10"
    (emits 1), 3 = its second (emits 0). A block's second state picks the next block: "01"
    with probability ``p``. The stationary law puts the pairs' first symbol in either phase
    with probability 1/2, which is how a long sequence's pairs pool the two phases.
    """
    P = np.array(
        [[0, 1, 0, 0], [p, 0, 1 - p, 0], [0, 0, 0, 1], [p, 0, 1 - p, 0]],
        dtype=np.float64,
    )
    E = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=np.float64)
    return P, E


def repetitive(p: float, n: int, *, n_sequences: int = 1, seed: int | np.random.Generator | None = None) -> Synthetic:
    """Blocks "01" with probability ``p`` and "10" otherwise, ``n`` symbols per sequence.

    The exact MI (via the periodic HMM of :func:`repetitive_hmm`) is a non-zero constant for
    every ``d > 1`` whenever ``p`` differs from 1/2: short-range bias alone leaves dependence
    that never decays.

    Examples
    --------
    >>> s = repetitive(0.8, 1000, seed=0)
    >>> mi = s.expected_mi([2, 3, 50, 51])
    >>> bool(np.allclose(mi, mi[0])), bool(mi[0] > 0)
    (True, True)
    """
    if not 0.0 <= p <= 1.0:
        raise InputError(f"p must lie in [0, 1], got {p}")
    check_int("n", n, 2, MAX_SYNTH_SYMBOLS)
    check_int("n_sequences", n_sequences, 1, MAX_SYNTH_SYMBOLS // n)
    if int(n) < 2 or int(n) % 2:
        raise InputError(f"n must be an even number >= 2 (whole blocks), got {n}")
    rng = as_generator(seed)
    n_blocks = int(n) // 2
    first = (rng.random((int(n_sequences), n_blocks)) >= p).astype(np.uint8)  # 0 for "01", 1 for "10"
    codes = np.stack([first, 1 - first], axis=2).reshape(-1)
    bounds = np.arange(int(n_sequences) + 1, dtype=np.int64) * int(n)
    symbols = Symbols(codes, (0, 1), bounds, f"repetitive 01/10 blocks (p={p}, n={n} x {n_sequences})")
    P, E = repetitive_hmm(p)
    pi = np.array([p, p, 1 - p, 1 - p]) / 2.0
    return Synthetic(symbols, lambda lags: hmm_mi(P, E, lags, pi))
