"""Entropy and mutual-information estimators from counts.

All estimators work in nats internally; ``base="bits"`` divides the *whole* estimate by
``ln 2``. (Three published codes compute ``log2 N - (1/N) sum n_i psi(n_i)``, mixing a base-2
logarithm with natural-log digammas: an offset of ``log2 N - ln N`` that only their shuffle
subtraction hides. The unit tests check exact values in both units.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import digamma

__all__ = ["ESTIMATORS", "entropy", "plugin", "miller_madow", "grassberger", "grassberger_g", "mutual_information", "to_base"]

_BASES = {"nats": 1.0, "bits": 1.0 / math.log(2.0)}


def to_base(value_nats, base: str):
    """Convert nats to ``base`` (``"nats"`` or ``"bits"``)."""
    if base not in _BASES:
        raise ValueError(f"unknown base {base!r}; use 'nats' or 'bits'")
    return value_nats * _BASES[base]


def _positive(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts)
    return counts[counts > 0].astype(np.float64)


def plugin(counts: np.ndarray) -> float:
    """Plug-in (maximum-likelihood) entropy ``-sum p ln p`` in nats.

    Examples
    --------
    >>> round(plugin(np.array([1, 1])), 6)  # ln 2
    0.693147
    """
    n = _positive(counts)
    total = n.sum()
    if total == 0:
        return 0.0
    return float(math.log(total) - (n * np.log(n)).sum() / total)


def miller_madow(counts: np.ndarray) -> float:
    """Plug-in entropy plus the Miller-Madow correction ``(K - 1) / (2N)``, K = occupied bins."""
    n = _positive(counts)
    total = n.sum()
    if total == 0:
        return 0.0
    return plugin(n) + (len(n) - 1) / (2.0 * total)


def grassberger_g(n: np.ndarray) -> np.ndarray:
    """Grassberger's (2003) ``G(n) = psi(n) + (-1)^n / 2 * (psi((n+1)/2) - psi(n/2))``."""
    n = np.asarray(n, dtype=np.float64)
    sign = np.where(np.mod(n, 2) == 0, 1.0, -1.0)
    return digamma(n) + 0.5 * sign * (digamma((n + 1.0) / 2.0) - digamma(n / 2.0))


def grassberger(counts: np.ndarray) -> float:
    """Grassberger (2003) entropy ``ln N - (1/N) sum n_i G(n_i)`` in nats.

    Counts repeat a lot (many cells hold 1, 2, 3 …), so G is evaluated once per distinct count.

    Examples
    --------
    >>> round(grassberger(np.array([1000, 1000])), 3)  # close to ln 2 for large counts
    0.693
    """
    n = _positive(counts)
    total = n.sum()
    if total == 0:
        return 0.0
    values, multiplicity = _distinct_counts(n)
    return float(math.log(total) - (multiplicity * values * grassberger_g(values)).sum() / total)


def _distinct_counts(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a count vector and how often each occurs."""
    top = n.max()
    if top <= 4 * len(n) + 1024:  # integer counts of moderate size: bincount beats sorting
        mult = np.bincount(n.astype(np.int64))
        values = np.flatnonzero(mult)
        return values.astype(np.float64), mult[values]
    return np.unique(n, return_counts=True)


ESTIMATORS: dict[str, Callable[[np.ndarray], float]] = {
    "plugin": plugin,
    "miller_madow": miller_madow,
    "grassberger": grassberger,
}


def entropy(counts: np.ndarray, estimator: str = "grassberger", base: str = "nats") -> float:
    """Entropy of a histogram of counts with the named estimator.

    Examples
    --------
    >>> entropy([5, 5], estimator="plugin", base="bits")
    1.0
    """
    return float(to_base(_estimator(estimator)(np.asarray(counts)), base))


def _estimator(name: str) -> Callable[[np.ndarray], float]:
    try:
        return ESTIMATORS[name]
    except KeyError:
        raise ValueError(f"unknown estimator {name!r}; choose one of: {', '.join(ESTIMATORS)}") from None


def mutual_information(joint: np.ndarray, left: np.ndarray, right: np.ndarray, estimator: str = "grassberger") -> float:
    """``I = H(X) + H(Y) - H(X, Y)`` in nats from joint and marginal counts.

    Examples
    --------
    >>> joint = np.array([[50, 0], [0, 50]])
    >>> round(mutual_information(joint.ravel(), joint.sum(1), joint.sum(0), "plugin"), 6)  # ln 2
    0.693147
    """
    h = _estimator(estimator)
    return h(left) + h(right) - h(joint)
