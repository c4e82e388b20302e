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

__all__ = ["hmm", "hmm_mi", "hmm_block_entropy", "hmm_bipartite_mi"]

#: The most sequences a block entropy enumerates (alphabet ** length).
MAX_BLOCK_SEQUENCES = 1 << 22


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


def hmm_block_entropy(P: np.ndarray, emissions: np.ndarray, length: int) -> float:
    """Exact entropy (nats) of ``length`` consecutive emissions of a stationary HMM, by enumerating every
    sequence with the forward recursion ``alpha(x_1..x_t, s) = sum_r alpha(x_1..x_{t-1}, r) P_rs E_s,x_t``.

    >>> P = np.array([[0.5, 0.5], [0.5, 0.5]]); E = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(hmm_block_entropy(P, E, 3) / np.log(2)), 6)   # three fair coins
    3.0
    """
    P = check_transition_matrix(P)
    E = _check_emissions(emissions, len(P))
    k = E.shape[1]
    if length < 1 or float(k) ** length > MAX_BLOCK_SEQUENCES:
        raise InputError(f"a block of {length} over {k} symbols is {float(k) ** length:.3g} sequences to enumerate; "
                         f"keep alphabet ** length <= {MAX_BLOCK_SEQUENCES:,}")
    alpha = stationary_distribution(P)[None, :] * E.T  # (k sequences of length 1, states): P(x_1, s_1)
    for _ in range(length - 1):
        moved = alpha @ P  # P(x_1..x_t, s_{t+1})
        alpha = (moved[:, None, :] * E.T[None, :, :]).reshape(-1, len(P))
    p = alpha.sum(axis=1)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def hmm_bipartite_mi(P: np.ndarray, emissions: np.ndarray, first: int, second: int | None = None) -> float:
    """Exact ``I(X_1..X_first; X_first+1..X_first+second)`` (nats) of a stationary HMM:
    ``H(first) + H(second) - H(first + second)`` (stationarity: a block's entropy depends on its length only).

    >>> P = np.array([[0.9, 0.1], [0.1, 0.9]]); E = np.eye(2)   # a Markov chain: only the adjacent pair counts
    >>> bool(abs(hmm_bipartite_mi(P, E, 3) - hmm_mi(P, E, [1])[0]) < 1e-12)
    True
    """
    second = first if second is None else second
    return (hmm_block_entropy(P, emissions, first) + hmm_block_entropy(P, emissions, second)
            - hmm_block_entropy(P, emissions, first + second))
