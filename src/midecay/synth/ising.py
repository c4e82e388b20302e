"""The nearest-neighbour Ising chain: a two-state Markov chain with exponential MI decay."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError
from ..sequences import Symbols
from .base import Synthetic
from .markov import markov, markov_mi

__all__ = ["ising_chain", "ising_transition_matrix"]


def ising_transition_matrix(beta: float, J: float = 1.0) -> np.ndarray:
    """``P(s' | s) ∝ exp(beta J s s')`` for spins ``s, s' = ±1`` (index 0 is -1, 1 is +1).

    With free ends and no field, the Boltzmann law of an open chain is exactly this Markov
    chain started from the uniform (stationary) law, so sampling left to right is exact. The
    second eigenvalue is ``tanh(beta J)``, and (van Hove) the MI decays exponentially.
    """
    if not math.isfinite(beta * J):
        raise InputError(f"beta * J must be finite, got beta={beta}, J={J}")
    same = 1.0 / (1.0 + math.exp(-2.0 * beta * J))
    return np.array([[same, 1 - same], [1 - same, same]])


def ising_chain(
    beta: float, J: float, n: int, *, n_sequences: int = 1, seed: int | np.random.Generator | None = None
) -> Synthetic:
    """Sample nearest-neighbour Ising chains of ``n`` spins (symbols -1 and +1).

    Examples
    --------
    >>> s = ising_chain(0.5, 1.0, 1000, seed=0)
    >>> s.symbols.alphabet, round(float(s.expected_mi([1])[0]), 4)
    ((-1, 1), 0.1109)
    """
    P = ising_transition_matrix(beta, J)
    chain = markov(P, n, n_sequences=n_sequences, seed=seed).symbols
    symbols = Symbols(chain.codes, (-1, 1), chain.bounds, f"Ising chain (beta={beta}, J={J}, n={n} x {n_sequences})")
    pi = np.array([0.5, 0.5])
    return Synthetic(symbols, lambda lags: markov_mi(P, lags, pi))
