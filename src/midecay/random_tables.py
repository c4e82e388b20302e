"""Random contingency tables with given margins: the exact null of a pair table under independence.

If ``x_t`` and ``x_{t+d}`` are independent, then given how often each symbol occurs on either
side (the margins), every matching of left to right symbols is equally likely, and the table
of pair counts follows the multivariate hypergeometric law on tables with those margins: what
a global permutation of the sequence gives at that lag, without touching the sequence.

Two samplers of that law, side by side:

* :func:`random_tables` (the fast path): row by row, each row deals its ``r_i`` pairs from
  the urn of right symbols still unmatched, one column at a time; each cell is then one
  hypergeometric draw, taken in O(1) expected time by Stadlober's ratio-of-uniforms method
  (HRUA, as numpy's ``Generator.hypergeometric`` does for samples of 10 or more) and by
  drawing balls one at a time for smaller ones. Compiled; the caller's ``Generator`` is the
  only source of randomness, so one seed gives the same tables.
* :func:`random_tables_reference`: Patefield's algorithm, ``scipy.stats.random_table``, whose
  cost per cell grows like the square root of its count (it walks out from the mode).

``tests/test_null.py`` holds them to the same law: exact cell means and variances, and the
same MI null as permuting the sequence.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["random_tables", "random_tables_reference"]

# Stadlober's constants: 2 sqrt(2/e) and 3 - 2 sqrt(3/e).
_D1 = 1.7155277699214135
_D2 = 0.8989161620588988


_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
#: ln k! for k < 126; Stirling's series (error < 1e-15 there) above, a few times cheaper than lgamma.
_SMALL_LOG_FACTORIALS = np.array([math.lgamma(k + 1.0) for k in range(126)])


@njit(cache=True, inline="always")
def _log_factorial(k):
    if k < 126:
        return _SMALL_LOG_FACTORIALS[int(k)]
    x = float(k)
    return (x + 0.5) * math.log(x) - x + _HALF_LOG_2PI + (1.0 / 12.0 - 1.0 / (360.0 * x * x)) / x


@njit(cache=True)
def _hypergeometric_urn(rng, good, bad, sample):
    """Good balls among ``sample`` drawn one by one without replacement (small samples)."""
    total = good + bad
    flip = sample > total // 2
    draws = total - sample if flip else sample
    remaining_total, remaining_good = total, good
    while draws > 0 and remaining_good > 0 and remaining_total > remaining_good:
        if int(rng.random() * remaining_total) < remaining_good:
            remaining_good -= 1
        remaining_total -= 1
        draws -= 1
    if remaining_total == remaining_good:  # only good balls are left
        remaining_good -= draws
    return remaining_good if flip else good - remaining_good


@njit(cache=True)
def _hypergeometric_hrua(rng, good, bad, sample):
    """Stadlober's (1989) ratio-of-uniforms sampler: O(1) expected work for any sizes."""
    population = good + bad
    computed = min(sample, population - sample)
    small = min(good, bad)
    large = max(good, bad)
    p = small / population
    q = large / population
    a = computed * p + 0.5
    c = math.sqrt((population - computed) * computed * p * q / (population - 1) + 0.5)
    h = _D1 * c + _D2
    mode = int(math.floor((computed + 1.0) * (small + 1.0) / (population + 2.0)))
    g = (_log_factorial(mode) + _log_factorial(small - mode) + _log_factorial(computed - mode)
         + _log_factorial(large - computed + mode))
    bound = min(min(computed, small) + 1.0, math.floor(a + 16.0 * c))
    while True:
        u = rng.random()
        v = rng.random()
        x = a + h * (v - 0.5) / u
        if x < 0.0 or x >= bound:
            continue
        k = int(math.floor(x))
        t = g - (_log_factorial(k) + _log_factorial(small - k) + _log_factorial(computed - k)
                 + _log_factorial(large - computed + k))
        if u * (4.0 - u) - 3.0 <= t:  # quick acceptance
            break
        if u * (u - t) >= 1.0:  # quick rejection
            continue
        if 2.0 * math.log(u) <= t:
            break
    if good > bad:
        k = computed - k
    if computed < sample:
        k = good - k
    return k


@njit(cache=True)
def _hypergeometric(rng, good, bad, sample):
    if sample == 0 or good == 0:
        return 0
    if bad == 0:
        return sample
    if 10 <= sample <= good + bad - 10:
        return _hypergeometric_hrua(rng, good, bad, sample)
    return _hypergeometric_urn(rng, good, bad, sample)


@njit(cache=True, nogil=True)
def _fill_tables(rng, row, col, out):
    n_rows, n_cols = row.shape[0], col.shape[0]
    total = 0
    for j in range(n_cols):
        total += col[j]
    left = np.empty(n_cols, dtype=np.int64)
    for s in range(out.shape[0]):
        for j in range(n_cols):
            left[j] = col[j]
        urn = total
        for i in range(n_rows - 1):
            need = row[i]
            rest = urn
            for j in range(n_cols - 1):
                if need == 0:
                    break
                rest -= left[j]  # balls of the columns after j
                x = _hypergeometric(rng, left[j], rest, need)
                out[s, i, j] = x
                left[j] -= x
                need -= x
            out[s, i, n_cols - 1] += need
            left[n_cols - 1] -= need
            urn -= row[i]
        for j in range(n_cols):
            out[s, n_rows - 1, j] = left[j]


def random_tables(row: np.ndarray, col: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_draws, len(row), len(col))`` random tables with row sums ``row`` and column sums ``col``.

    Uniform over the matchings of left to right symbols (multivariate hypergeometric).

    Examples
    --------
    >>> t = random_tables(np.array([3, 5]), np.array([4, 4]), 2, np.random.default_rng(0))
    >>> t.shape, t.sum(axis=2).tolist(), t.sum(axis=1).tolist()
    ((2, 2, 2), [[3, 5], [3, 5]], [[4, 4], [4, 4]])
    """
    row = np.ascontiguousarray(row, dtype=np.int64)
    col = np.ascontiguousarray(col, dtype=np.int64)
    if row.sum() != col.sum():
        raise ValueError(f"row sums ({row.sum()}) and column sums ({col.sum()}) differ")
    out = np.zeros((int(n_draws), len(row), len(col)), dtype=np.int64)
    if len(row) and len(col):
        _fill_tables(rng, row, col, out)
    return out


def random_tables_reference(row: np.ndarray, col: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """The same law by Patefield's algorithm (``scipy.stats.random_table``): the reference."""
    from scipy.stats import random_table

    row, col = np.asarray(row, dtype=np.int64), np.asarray(col, dtype=np.int64)
    if len(row) < 2 or len(col) < 2:  # one row or column: the only table there is
        return np.broadcast_to(np.outer(row, col) // max(int(row.sum()), 1), (n_draws, len(row), len(col))).copy()
    return np.asarray(random_table(row, col).rvs(size=n_draws, method="patefield", random_state=rng), dtype=np.int64)
