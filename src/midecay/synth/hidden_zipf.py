"""A hidden two-state chain that emits from a large, word-like alphabet: exact MI at every lag.

The state flips with probability ``q`` each step (eigenvalue ``lam = 1 - 2q``). State 0 emits
symbol ``x`` with Zipf(1.1) probability ``e0[x]``; state 1 from the mirrored law ``e1[x] =
e0[K - 1 - x]``. With ``u_x = (e0[x] - e1[x]) / (e0[x] + e1[x])`` and ``p_x = (e0[x] + e1[x]) / 2``
the joint law at lag ``d`` is ``p_x p_y (1 + lam^d u_x u_y)``, so with ``eps = lam^d`` and
``m_k = sum_x p_x u_x^k``::

    I(d) = sum_xy p_x p_y (1 + eps u_x u_y) ln(1 + eps u_x u_y)
         = sum_{k >= 2} (-1)^k eps^k m_k^2 / (k (k - 1))

(the series of ``(1 + w) ln(1 + w)``, whose first term vanishes as ``m_1 = 0``): ``O(K)`` a
term instead of ``K^2`` cells, and it converges geometrically for ``eps < 1``. Its MI decays as
``lam^{2d}``; unlike a copy process nothing repeats exactly, and every lag is dependent.
"""

from __future__ import annotations

import numpy as np

from ..rng import as_generator
from ..sequences import Symbols, smallest_code_dtype
from ..validation import check_int, check_real
from .base import MAX_SYNTH_SYMBOLS, Synthetic
from .copying import zipf_marginal

__all__ = ["hidden_zipf", "hidden_zipf_mi"]

#: Terms of the series summed (eps^k below 1e-16 long before this for eps <= 0.98).
_TERMS = 2000


def _emissions(alphabet_size: int) -> tuple[np.ndarray, np.ndarray]:
    e0 = zipf_marginal(alphabet_size)
    return e0, e0[::-1].copy()


def hidden_zipf_mi(alphabet_size: int, flip: float, lags) -> np.ndarray:
    """Exact ``I(d)`` (nats) of :func:`hidden_zipf` (see the module notes).

    >>> hidden_zipf_mi(2, 0.1, [1]).round(6).tolist()  # equal to the sum over the 2 x 2 cells
    [0.005614]
    """
    check_int("alphabet_size", alphabet_size, 2)
    check_real("flip", flip, 0.0, 0.5)
    e0, e1 = _emissions(int(alphabet_size))
    p = (e0 + e1) / 2.0
    u = (e0 - e1) / (e0 + e1)
    k = np.arange(2, _TERMS + 2, dtype=np.float64)
    moments = np.array([float((p * u ** int(j)).sum()) for j in k])  # m_k
    lam = 1.0 - 2.0 * float(flip)
    out = []
    for d in np.asarray(lags, dtype=np.int64).ravel():
        eps = lam ** int(d)
        terms = (-1.0) ** k * eps**k * moments**2 / (k * (k - 1.0))
        out.append(float(terms.sum()))
    return np.maximum(np.array(out), 0.0)


def hidden_zipf(n: int, alphabet_size: int, flip: float, *, seed: int | np.random.Generator | None = None) -> Synthetic:
    """A hidden two-state chain (flip probability ``flip``) emitting Zipf or mirrored-Zipf symbols.

    >>> s = hidden_zipf(1000, 50, 0.1, seed=0)
    >>> s.symbols.n_symbols, bool(s.expected_mi([1])[0] > s.expected_mi([5])[0] > 0)
    (1000, True)
    """
    check_int("n", n, 2, MAX_SYNTH_SYMBOLS)
    check_int("alphabet_size", alphabet_size, 2)
    check_real("flip", flip, 0.0, 0.5)
    rng = as_generator(seed)
    k = int(alphabet_size)
    flips = rng.random(int(n)) < flip
    state = (np.cumsum(flips) + rng.integers(0, 2)) % 2
    draws = rng.choice(k, size=int(n), p=zipf_marginal(k))
    codes = np.where(state == 0, draws, k - 1 - draws).astype(smallest_code_dtype(k))
    symbols = Symbols(codes, tuple(range(k)), np.array([0, int(n)], dtype=np.int64),
                      f"hidden two-state Zipf (K={k}, flip {flip}, n={n})")
    return Synthetic(symbols, lambda lags: hidden_zipf_mi(k, flip, lags))
