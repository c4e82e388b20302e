"""Exact p-values for two-symbol tables, where no gamma law describes the null.

With two symbols on each side, a lag's table is fixed by its margins and one count ``n11``.
Under "no dependence at lag d" and given the margins, ``n11`` is hypergeometric, so the law of
any estimate (a function of ``n11``) is known exactly: enumerate the support. This matters for
Grassberger's estimator, whose ``(-1)^n`` term makes the estimate jump with the parity of each
cell: its null is skewed one way when ``N - d`` is odd and the other when it is even, and a gamma
law (the chi-square's shape) gave p-values that pile up at 0.5-0.7 (Kolmogorov-Smirnov over 200
seeds: p = 10^-3 ... 10^-8).

A sequence's own autocorrelation widens the law of ``n11`` by the factor the null's chi-square
mean grows by (``1 + 2 S_d`` for one degree of freedom, :mod:`midecay.null`): the deviation
``n11 - E`` is stretched by its square root. The p-value is the mid-p (ties count half), which
is uniform for a discrete statistic to within its atoms.
"""

from __future__ import annotations

import math

import numpy as np

from .estimators import cell_terms_at, entropy_from_sums, entropy_rows

__all__ = ["two_by_two_p_values", "MAX_POINTS"]

#: Values of the free count enumerated at most; past it both parities are sampled on a stride.
MAX_POINTS = 4096


def two_by_two_p_value(left: np.ndarray, right: np.ndarray, estimate: float, widen: float, estimator: str) -> float:
    """Mid-p of ``estimate`` under the exact null of a 2 x 2 table with margins ``left``, ``right``.

    ``widen`` (>= 1) stretches the hypergeometric law of ``n11`` about its mean (autocorrelation).

    >>> p = two_by_two_p_value(np.array([50, 50]), np.array([50, 50]), 0.0, 1.0, "plugin")
    >>> bool(0.9 < p <= 1.0)
    True
    """
    from scipy.special import gammaln

    r1, c1 = int(left[0]), int(right[0])
    n = int(left.sum())
    mean = r1 * c1 / n
    # Only where the law has mass (12 of its standard deviations each side, beyond which it holds
    # less than 1e-30): a long sequence's support has millions of points, the law's mass thousands.
    sd = np.sqrt(r1 * c1 * (n - r1) * (n - c1) / (n * n * max(n - 1, 1)) * max(widen, 1.0))
    lo = max(0, r1 + c1 - n, int(np.floor(mean - 12 * sd - 5)))
    hi = min(r1, c1, int(np.ceil(mean + 12 * sd + 5)))
    n11 = np.arange(lo, hi + 1)
    if len(n11) > MAX_POINTS:
        # Within one parity of n11 (which fixes every cell's parity) the estimate is smooth: a
        # stride that keeps both parities samples the law closely once its spread is this wide.
        stride = 2 * math.ceil(len(n11) / MAX_POINTS)
        n11 = np.sort(np.concatenate([n11[::stride], n11[1::stride]]))
    # The margins are fixed: I = H(X) + H(Y) - H(X, Y), the joint entropy from the sum of the
    # estimator's cell term over the four cells (and, for Miller-Madow, the cells in use).
    margins = float(entropy_rows(np.array([[r1, n - r1], [c1, n - c1]]), estimator).sum())
    cells = np.stack([n11, r1 - n11, c1 - n11, n - r1 - c1 + n11])
    sums = cell_terms_at(cells.ravel(), estimator).reshape(4, -1).sum(axis=0)
    values = margins - entropy_from_sums(sums, np.float64(n), np.count_nonzero(cells, axis=0), estimator)
    # A stretched law: the hypergeometric's mass at the point the deviation shrinks back to.
    shrunk = mean + (n11 - mean) / np.sqrt(max(widen, 1.0))
    k = np.clip(np.rint(shrunk), max(0, r1 + c1 - n), min(r1, c1))
    # The hypergeometric's log mass, up to a constant: C(r1, k) C(n - r1, c1 - k).
    logpmf = -(gammaln(k + 1) + gammaln(r1 - k + 1) + gammaln(c1 - k + 1) + gammaln(n - r1 - c1 + k + 1))
    weight = np.exp(logpmf - logpmf.max())
    weight /= weight.sum()
    tol = 1e-12 * max(1.0, abs(estimate))
    above = weight[values > estimate + tol].sum()
    tied = weight[np.abs(values - estimate) <= tol].sum()
    return float(min(1.0, above + 0.5 * tied))


def two_by_two_p_values(lefts: list[np.ndarray], rights: list[np.ndarray], estimates: np.ndarray, widen: np.ndarray,
                        estimator: str) -> np.ndarray:
    """Per lag: the exact mid-p where both sides of the table hold exactly two symbols, else NaN.

    ``lefts[i]``, ``rights[i]`` are lag ``i``'s marginal counts over the alphabet.
    """
    out = np.full(len(estimates), np.nan)
    for i, (left, right) in enumerate(zip(lefts, rights)):
        a, b = np.asarray(left)[np.asarray(left) > 0], np.asarray(right)[np.asarray(right) > 0]
        if len(a) == 2 and len(b) == 2 and a.sum() == b.sum() and np.isfinite(estimates[i]):
            out[i] = two_by_two_p_value(a, b, float(estimates[i]), float(widen[i]), estimator)
    return out
