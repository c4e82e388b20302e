"""Markov chains: sampling and the exact MI curve."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numba import njit

from ..errors import InputError
from ..lags import as_lags
from ..rng import as_generator
from ..sequences import Symbols, smallest_code_dtype
from ..validation import check_int
from .base import MAX_SYNTH_SYMBOLS, Synthetic

__all__ = ["markov", "markov_mi", "stationary_distribution", "block_markov_matrix", "check_transition_matrix",
           "spectral_transition_matrix"]

_CHUNK = 1 << 20  # uniforms drawn a chunk at a time: no N-sized float64 temporary


def check_transition_matrix(P: np.ndarray) -> np.ndarray:
    """``P`` as a float array if it is a square row-stochastic matrix, else a one-line error."""
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 1:
        raise InputError(f"transition matrix must be square, got shape {P.shape}")
    if not np.all(np.isfinite(P)) or P.min() < 0:
        raise InputError("transition matrix must hold finite non-negative probabilities")
    if not np.allclose(P.sum(axis=1), 1.0, atol=1e-10):
        raise InputError("each row of the transition matrix must sum to 1; normalise with P / P.sum(axis=1, keepdims=True)")
    return P


def stationary_distribution(P: np.ndarray) -> np.ndarray:
    """Stationary distribution ``pi = pi P`` (the left eigenvector for eigenvalue 1).

    Examples
    --------
    >>> stationary_distribution(np.array([[0.9, 0.1], [0.5, 0.5]])).round(4).tolist()
    [0.8333, 0.1667]
    """
    P = check_transition_matrix(P)
    vals, vecs = np.linalg.eig(P.T)
    i = int(np.argmin(np.abs(vals - 1.0)))
    pi = np.real(vecs[:, i])
    pi = np.abs(pi) / np.abs(pi).sum()
    return pi


def markov_mi(P: np.ndarray, lags: Iterable[int], pi: np.ndarray | None = None) -> np.ndarray:
    """Exact ``I(d) = sum_ab pi_a (P^d)_ab ln[(P^d)_ab / pi_b]`` in nats for a stationary chain.

    Examples
    --------
    >>> P = np.array([[0.0, 1.0], [1.0, 0.0]])  # alternating: one bit of memory forever
    >>> markov_mi(P, [1, 2], pi=np.array([0.5, 0.5])).round(6).tolist()
    [0.693147, 0.693147]
    """
    P = check_transition_matrix(P)
    pi = stationary_distribution(P) if pi is None else np.asarray(pi, dtype=np.float64)
    # In the deviations D = P^d - 1 pi^T = (P - 1 pi^T)^d, each term pi_a pi_b f(D_ab / pi_b) with
    # f(x) = (1 + x) ln(1 + x) - x >= 0 is of the order of its own size: ln(P^d / pi) of P^d near pi
    # would leave float rounding (~1e-13) where I(d) is far smaller, rising with d as the signal falls.
    weights = pi[:, None] * pi[None, :]
    live = weights > 0
    out = []
    for deviation in matrix_powers(P - np.outer(np.ones(len(P)), pi), as_lags(lags)):
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(live, deviation / np.where(live, pi[None, :], 1.0), 0.0)
            f = np.where(x > -1, (1 + x) * np.log1p(np.maximum(x, -1 + 1e-300)) - x, 1.0)
        small = np.abs(x) < 1e-4  # its series, where 1 + x rounds: x^2/2 - x^3/6 + x^4/12 (next term x^5/20)
        f = np.where(small, x * x * (0.5 - x / 6 + x * x / 12), f)
        out.append(max(float((weights * f)[live].sum()), 0.0))
    return np.array(out)


def matrix_powers(P: np.ndarray, lags: np.ndarray):
    """Yield ``P^d`` for each sorted lag, each from the previous one (any square matrix)."""
    power = np.eye(len(P))
    done = 0
    for d in lags:
        power = power @ np.linalg.matrix_power(P, int(d - done))
        done = int(d)
        yield power


def mi_of_joint(joint: np.ndarray) -> float:
    """MI in nats of a joint distribution given as a matrix (its margins are its row and column sums)."""
    indep = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log(joint / indep), 0.0)
    return max(float(terms.sum()), 0.0)


@njit(cache=True)
def _walk(cum, state, uniforms, out, offset):
    k = cum.shape[0]
    for i in range(uniforms.shape[0]):
        u = uniforms[i]
        row = cum[state]
        nxt = 0
        while nxt < k - 1 and u >= row[nxt]:
            nxt += 1
        state = nxt
        out[offset + i] = state
    return state


def markov(
    P: np.ndarray,
    n: int,
    *,
    n_sequences: int = 1,
    initial: np.ndarray | None = None,
    seed: int | np.random.Generator | None = None,
) -> Synthetic:
    """Sample a Markov chain started from its stationary distribution.

    Parameters
    ----------
    P
        Row-stochastic transition matrix, ``P[a, b] = P(x_{t+1} = b | x_t = a)``.
    n
        Length of each sequence.
    n_sequences
        Independent sequences, one segment each.
    initial
        Distribution of the first state (default: stationary, so ``expected_mi`` is exact).
    seed
        Seed or Generator; the same seed gives the same bytes.

    Examples
    --------
    >>> P = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> s = markov(P, 1000, seed=1)
    >>> s.symbols.n_symbols, round(float(s.expected_mi([1])[0]), 4)
    (1000, 0.3681)
    """
    P = check_transition_matrix(P)
    n = check_int("n", n, 1, MAX_SYNTH_SYMBOLS)
    n_sequences = check_int("n_sequences", n_sequences, 1, MAX_SYNTH_SYMBOLS // n)
    rng = as_generator(seed)
    pi = stationary_distribution(P)
    start = pi if initial is None else np.asarray(initial, dtype=np.float64)
    cum = np.cumsum(P, axis=1)
    cum[:, -1] = 1.0
    k = len(P)
    codes = np.empty(int(n) * int(n_sequences), dtype=smallest_code_dtype(k))
    for s in range(int(n_sequences)):
        base = s * int(n)
        state = int(rng.choice(k, p=start))
        codes[base] = state
        pos = 1
        while pos < n:
            m = min(_CHUNK, int(n) - pos)
            state = _walk(cum, state, rng.random(m), codes, base + pos)
            pos += m
    bounds = np.arange(int(n_sequences) + 1, dtype=np.int64) * int(n)
    symbols = Symbols(codes, tuple(range(k)), bounds, f"markov chain ({k} states, n={n} x {n_sequences})")
    if initial is None:
        return Synthetic(symbols, lambda lags: markov_mi(P, lags, pi))
    return Synthetic(symbols, lambda lags: np.full(len(lags), np.nan))


def block_markov_matrix(n_states: int = 27, n_blocks: int = 3, stay: float = 0.98) -> np.ndarray:
    """A chain with block structure and a known second eigenvalue.

    ``P = stay * Q + (1 - stay) * U``: ``Q`` jumps uniformly within the current block, ``U``
    uniformly anywhere. ``Q`` and ``U`` are projections with ``QU = UQ = U``, so
    ``P^d = stay^d Q + (1 - stay^d) U``: the second eigenvalue is ``stay`` and, MI being
    quadratic in weak correlations, ``I(d) ~ stay^(2d)``, correlation length
    ``xi = -1 / (2 ln stay)`` (24.75 for the default 0.98).

    Examples
    --------
    >>> P = block_markov_matrix()
    >>> P.shape, round(float(np.sort(np.abs(np.linalg.eigvals(P)))[-2]), 6)
    ((27, 27), 0.98)
    """
    check_int("n_states", n_states, 1, 4096)
    check_int("n_blocks", n_blocks, 1, n_states)
    if n_states % n_blocks:
        raise InputError(f"n_states ({n_states}) must be a multiple of n_blocks ({n_blocks})")
    if not 0.0 <= stay <= 1.0:
        raise InputError(f"stay must lie in [0, 1], got {stay}")
    size = n_states // n_blocks
    Q = np.kron(np.eye(n_blocks), np.full((size, size), 1.0 / size))
    U = np.full((n_states, n_states), 1.0 / n_states)
    return stay * Q + (1.0 - stay) * U


def spectral_transition_matrix(eigenvalues, *, seed: int | np.random.Generator | None = None,
                               tries: int = 2000) -> np.ndarray:
    """A symmetric (doubly stochastic, reversible) chain whose eigenvalues besides 1 are ``eigenvalues``.

    ``P = U/n + sum_k lambda_k v_k v_k^T`` with ``v_k`` a random orthonormal basis of the vectors
    orthogonal to ``1``; bases are drawn until every entry is non-negative. The chain's modes are
    then known exactly: a hidden Markov process on it has ``I(d) ~ lambda_max^(2d)`` at long range,
    ``xi = -1 / (2 ln lambda_max)``, with faster terms from the other eigenvalues and their products.

    Examples
    --------
    >>> P = spectral_transition_matrix([0.9, 0.6], seed=0)
    >>> sorted(np.linalg.eigvalsh(P).round(6).tolist())
    [0.6, 0.9, 1.0]
    """
    lam = np.asarray(eigenvalues, dtype=np.float64).ravel()
    if not len(lam) or not np.all(np.isfinite(lam)) or np.any(np.abs(lam) >= 1.0):
        raise InputError(f"eigenvalues must be finite numbers strictly between -1 and 1, got {eigenvalues!r}")
    n = len(lam) + 1
    rng = as_generator(seed)
    one = np.full(n, 1.0 / np.sqrt(n))
    for _ in range(check_int("tries", tries, 1, 10**6)):
        basis, _ = np.linalg.qr(np.c_[one, rng.normal(size=(n, n - 1))])
        V = basis[:, 1:]
        P = np.full((n, n), 1.0 / n) + (V * lam) @ V.T
        if P.min() >= 0.0:
            P = np.clip(P, 0.0, None)
            return P / P.sum(axis=1, keepdims=True)
    raise InputError(f"no non-negative chain with eigenvalues {lam.tolist()} found in {tries} tries; "
                     "use eigenvalues closer together or fewer of them")
