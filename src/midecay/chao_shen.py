"""The Chao-Shen entropy estimator (2003): coverage-adjusted probabilities, Horvitz-Thompson weights.

Undersampled tables miss bins; the plug-in's probabilities ``n_i / N`` sum to one over the bins
seen and so are too large. Good-Turing's sample coverage ``C = 1 - f_1 / N`` (``f_1`` bins seen
once) estimates the probability mass of the bins seen; ``p_i = C n_i / N`` shrinks them onto it.
Each seen bin is then weighted by the inverse of its chance of being seen at all,
``1 - (1 - p_i)^N`` (Horvitz-Thompson), for the bins that were missed::

    H = - sum_i p_i ln p_i / (1 - (1 - p_i)^N)

It needs no number of possible bins. When every bin is a singleton the coverage would be 0; as
Chao and Shen do, ``f_1`` is then taken as ``N - 1``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["chao_shen_entropy"]


def chao_shen_entropy(values: np.ndarray, mult: np.ndarray) -> float:
    """Chao-Shen entropy (nats) of a count profile (``mult[j]`` bins hold ``values[j]``).

    Examples
    --------
    >>> round(chao_shen_entropy(np.array([500]), np.array([2])), 6)  # well sampled: ln 2
    0.693147
    >>> rng = np.random.default_rng(1)
    >>> counts = np.bincount(rng.integers(0, 2000, 1000))  # 1000 draws from 2000 equal bins
    >>> from midecay.profiles import count_profile
    >>> plug_in = np.log(1000) - (counts[counts > 0] * np.log(counts[counts > 0])).sum() / 1000
    >>> h = chao_shen_entropy(*count_profile(counts))
    >>> bool(plug_in < h), bool(abs(h - np.log(2000)) < abs(plug_in - np.log(2000)))
    (True, True)
    """
    v = np.asarray(values, dtype=np.float64)
    m = np.asarray(mult, dtype=np.float64)
    keep = (v > 0) & (m > 0)
    v, m = v[keep], m[keep]
    n = float((v * m).sum())
    if n <= 1:
        return 0.0
    singletons = float(m[v == 1].sum())
    if singletons >= n:
        singletons = n - 1.0
    coverage = 1.0 - singletons / n
    p = coverage * v / n
    seen = -np.expm1(n * np.log1p(-p))  # 1 - (1 - p)^N, exact for small p
    return float((m * (-p * np.log(p)) / seen).sum())
