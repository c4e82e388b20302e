"""Hidden Markov models: sampling and the exact MI between emissions d apart."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..errors import InputError
from ..lags import as_lags
from ..rng import as_generator
from ..sequences import Symbols, smallest_code_dtype
from .base import Synthetic
from .markov import (
    check_transition_matrix,
    markov,
    matrix_powers,
    mi_of_joint,
    stationary_distribution,
)

__all__ = ["hmm", "hmm_mi"]


def _check_emissions(emissions: np.ndarray, n_states: int) -> np.ndarray:
    E = np.asarray(emissions, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] != n_states:
        raise InputError(f"emissions must have one row per state ({n_states}), got shape {E.shape}")
    if E.min() < 0 or not np.allclose(E.sum(axis=1), 1.0, atol=1e-10):
        raise InputError("each row of the emission matrix must be a probability distribution (non-negative, sums to 1)")
    return E


def hmm_mi(P: np.ndarray, emissions: np.ndarray, lags: Iterable[int], pi: np.ndarray | None = None) -> np.ndarray:
    """Exact MI in nats between emissions ``d`` apart of a stationary HMM.

    The joint is ``J_ab(d) = sum_ij pi_i E_ia (P^d)_ij E_jb``; both margins are ``q = pi E``.

    Examples
    --------
    >>> P = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> E = np.eye(2)  # emissions reveal the state: the Markov chain's own MI
    >>> round(float(hmm_mi(P, E, [1])[0]), 4)
    0.3681
    """
    P = check_transition_matrix(P)
    E = _check_emissions(emissions, len(P))
    pi = stationary_distribution(P) if pi is None else np.asarray(pi, dtype=np.float64)
    weighted = (pi[:, None] * E).T
    return np.array([mi_of_joint(weighted @ power @ E) for power in matrix_powers(P, as_lags(lags))])


def hmm(
    P: np.ndarray,
    emissions: np.ndarray,
    n: int,
    *,
    n_sequences: int = 1,
    alphabet: tuple | None = None,
    seed: int | np.random.Generator | None = None,
) -> Synthetic:
    """Sample an HMM (hidden chain started stationary) and keep its exact MI curve.

    Examples
    --------
    >>> P = np.array([[0.95, 0.05], [0.05, 0.95]])
    >>> E = np.array([[0.8, 0.2], [0.2, 0.8]])
    >>> s = hmm(P, E, 500, seed=0)
    >>> s.symbols.n_symbols, s.symbols.alphabet_size
    (500, 2)
    """
    P = check_transition_matrix(P)
    E = _check_emissions(emissions, len(P))
    rng = as_generator(seed)
    states = markov(P, n, n_sequences=n_sequences, seed=rng).symbols
    n_symbols = E.shape[1]
    cum = np.cumsum(E, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(states.n_symbols)
    s = states.codes.astype(np.int64)
    # Inverse-CDF draw of each emission from its state's row.
    emitted = (u[:, None] >= cum[s]).sum(axis=1)
    codes = np.minimum(emitted, n_symbols - 1).astype(smallest_code_dtype(n_symbols))
    alphabet = tuple(range(n_symbols)) if alphabet is None else tuple(alphabet)
    pi = stationary_distribution(P)
    symbols = Symbols(codes, alphabet, states.bounds, f"HMM ({len(P)} states, {n_symbols} symbols, n={n} x {n_sequences})")
    return Synthetic(symbols, lambda lags: hmm_mi(P, E, lags, pi))
