"""The NSB entropy estimator (Nemenman, Shafee and Bialek 2002): Bayes under a prior flat in entropy.

A Dirichlet prior with concentration ``beta`` in each of ``K`` bins makes the posterior mean of
the entropy closed-form (Wolpert and Wolf 1995)::

    E[H | n, beta] = psi(N + K beta + 1) - sum_i (n_i + beta) / (N + K beta) psi(n_i + beta + 1)

but any single ``beta`` fixes the answer before the data speak (the prior's entropy is sharply
peaked at ``xi(beta) = psi(K beta + 1) - psi(beta + 1)``). NSB mixes the Dirichlet priors with
weight ``d xi / d beta``, so the prior on the entropy is about flat on ``[0, ln K]``, and
integrates ``beta`` out against the evidence::

    p(n | beta) = Gamma(K beta) / Gamma(N + K beta) prod_i Gamma(n_i + beta) / Gamma(beta)

Everything depends on the counts through their profile (which counts occur, how often) and on
``K``, the number of bins that could be occupied (empty ones included). The integral runs over
``ln beta`` on a coarse grid, then on a fine grid where the posterior lives (its width shrinks as
the number of coincidences grows). Tested against published values (the ``ndd`` package's
reference cases) and against the fixed-``beta`` closed form in ``tests/test_estimators_large.py``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma, gammaln, polygamma

__all__ = ["nsb_entropy", "wolpert_wolf_entropy"]

#: The range of ``ln beta`` searched (beta from ~1e-11 to ~1.6e5 per bin).
_LOG_BETA = (-25.0, 12.0)
_COARSE, _FINE = 160, 240
#: The fine grid spans where the log posterior is within this of its maximum.
_SPAN = 40.0


def wolpert_wolf_entropy(values: np.ndarray, mult: np.ndarray, bins: int, beta) -> np.ndarray:
    """Posterior mean entropy (nats) under a symmetric Dirichlet(``beta``) prior on ``bins`` bins.

    ``beta`` may be an array (one answer each).

    >>> round(float(wolpert_wolf_entropy(np.array([1]), np.array([2]), 2, 1.0)), 6)  # (1, 1), uniform: 1/3 + 1/4
    0.583333
    """
    v, m = _profile(values, mult)
    beta = np.asarray(beta, dtype=np.float64)
    n = float((v * m).sum())
    occupied = float(m.sum())
    kb = bins * beta
    inner = (m[None, :] * (v[None, :] + beta.reshape(-1, 1)) * digamma(v[None, :] + beta.reshape(-1, 1) + 1.0)).sum(axis=1)
    inner = inner + (bins - occupied) * beta.ravel() * digamma(beta.ravel() + 1.0)
    out = digamma(n + kb.ravel() + 1.0) - inner / (n + kb.ravel())
    return out.reshape(beta.shape)


def _profile(values, mult) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=np.float64)
    m = np.asarray(mult, dtype=np.float64)
    keep = (v > 0) & (m > 0)
    return v[keep], m[keep]


def _log_weight(v: np.ndarray, m: np.ndarray, bins: int, n: float, log_beta: np.ndarray) -> np.ndarray:
    """Log evidence plus log prior ``d xi / d beta`` plus the Jacobian ``beta`` of ``ln beta``."""
    beta = np.exp(log_beta)
    kb = bins * beta
    evidence = gammaln(kb) - gammaln(n + kb) + (m[None, :] * (gammaln(v[None, :] + beta[:, None])
                                                              - gammaln(beta[:, None]))).sum(axis=1)
    prior = bins * polygamma(1, kb + 1.0) - polygamma(1, beta + 1.0)
    return evidence + np.log(np.maximum(prior, 1e-300)) + log_beta


def nsb_entropy(values: np.ndarray, mult: np.ndarray, bins: int) -> float:
    """NSB posterior mean entropy (nats) of a count profile over ``bins`` possible bins.

    ``values[j]`` is a count that occurs in ``mult[j]`` bins; ``bins`` counts every bin that
    could be occupied (at least the occupied ones).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> counts = np.bincount(rng.integers(0, 1000, 300), minlength=1000)  # 300 draws, uniform over 1000
    >>> from midecay.profiles import count_profile
    >>> h = nsb_entropy(*count_profile(counts), 1000)
    >>> bool(abs(h - np.log(1000)) < 0.3), bool(h > np.log(300))  # the plug-in is below ln 300
    (True, True)
    """
    v, m = _profile(values, mult)
    n = float((v * m).sum())
    occupied = float(m.sum())
    bins = max(int(bins), int(occupied), 1)
    if n == 0 or bins == 1:
        return 0.0
    # Without coincidences (every count 1) the evidence keeps rising with beta and the posterior
    # sits at the grid's top: the estimate tends to ln K, as NSB's does.
    coarse = np.linspace(*_LOG_BETA, _COARSE)
    lw = _log_weight(v, m, bins, n, coarse)
    top = int(np.argmax(lw))
    alive = np.flatnonzero(lw >= lw[top] - _SPAN)
    step = coarse[1] - coarse[0]
    lo = max(coarse[alive[0]] - step, _LOG_BETA[0])
    hi = min(coarse[alive[-1]] + step, _LOG_BETA[1])
    fine = np.linspace(lo, hi, _FINE)
    lw = _log_weight(v, m, bins, n, fine)
    weight = np.exp(lw - lw.max())
    h = wolpert_wolf_entropy(v, m, bins, np.exp(fine))
    # Trapezoid in ln beta on an even grid: the end weights are negligible by construction.
    return float((weight * h).sum() / weight.sum()) if math.isfinite(weight.sum()) else float(h[np.argmax(lw)])
