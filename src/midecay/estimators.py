"""Entropy and mutual-information estimators from counts.

Every estimator here depends on the counts only through their *profile*: which count values
occur and in how many cells (plus the total). So each is written once, on the profile
``(c, m)`` (``m[j]`` cells hold ``c[j]`` observations), and the count-vector functions just
form the profile first. Counting kernels can hand over profiles directly.

Two families. The *cell-term* estimators (plug-in, Miller-Madow, Grassberger) are
``ln N - sum_c f(n_c) / N``: a sum over cells, which the jackknife walks, random tables and
the null's collision weights update cell by cell. The *whole-profile* estimators built for
undersampled large alphabets, NSB (:mod:`midecay.nsb`, which also needs the number of possible
bins) and Chao-Shen (:mod:`midecay.chao_shen`), are not sums over cells; where machinery needs a
cell term they lend Grassberger's (:func:`cell_term_estimator`), and their curve's null is
drawn from permuted copies measured with the estimator itself.

All estimators work in nats internally; ``base="bits"`` divides the *whole* estimate by
``ln 2``. (Three published codes compute ``log2 N - (1/N) sum n_i psi(n_i)``, mixing a base-2
logarithm with natural-log digammas: an offset of ``log2 N - ln N`` that only their shuffle
subtraction hides. The unit tests check exact values in both units.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numba import njit, prange
from scipy.special import digamma

from .chao_shen import chao_shen_entropy
from .errors import InputError
from .nsb import nsb_entropy
from .profiles import count_profile

__all__ = [
    "ESTIMATORS", "WHOLE_PROFILE_ESTIMATORS", "entropy", "entropy_from_profile", "plugin", "miller_madow", "grassberger",
    "grassberger_g", "nsb", "chao_shen", "mutual_information", "to_base", "is_cell_term", "cell_term_estimator",
]

_BASES = {"nats": 1.0, "bits": 1.0 / math.log(2.0)}

Profile = tuple[np.ndarray, np.ndarray]


def to_base(value_nats, base: str):
    """Convert nats to ``base`` (``"nats"`` or ``"bits"``)."""
    if base not in _BASES:
        raise InputError(f"unknown base {base!r}; use 'nats' or 'bits'")
    return value_nats * _BASES[base]


def _total(values: np.ndarray, mult: np.ndarray) -> float:
    return float((values.astype(np.float64) * mult).sum())


def _plugin_profile(values: np.ndarray, mult: np.ndarray) -> float:
    n = _total(values, mult)
    if n == 0:
        return 0.0
    v = values.astype(np.float64)
    return math.log(n) - float((mult * v * np.log(v)).sum()) / n


def _miller_madow_profile(values: np.ndarray, mult: np.ndarray) -> float:
    n = _total(values, mult)
    if n == 0:
        return 0.0
    return _plugin_profile(values, mult) + (float(mult.sum()) - 1.0) / (2.0 * n)


def grassberger_g(n: np.ndarray) -> np.ndarray:
    """Grassberger's (2003) ``G(n) = psi(n) + (-1)^n / 2 * (psi((n+1)/2) - psi(n/2))``."""
    n = np.asarray(n, dtype=np.float64)
    sign = np.where(np.mod(n, 2) == 0, 1.0, -1.0)
    return digamma(n) + 0.5 * sign * (digamma((n + 1.0) / 2.0) - digamma(n / 2.0))


def _grassberger_profile(values: np.ndarray, mult: np.ndarray) -> float:
    n = _total(values, mult)
    if n == 0:
        return 0.0
    v = values.astype(np.float64)
    return math.log(n) - float((mult * v * grassberger_g(v)).sum()) / n


#: Estimator name -> entropy in nats from a count profile.
ESTIMATORS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "plugin": _plugin_profile,
    "miller_madow": _miller_madow_profile,
    "grassberger": _grassberger_profile,
}


#: Estimator name -> entropy in nats from a count profile and the number of possible bins.
WHOLE_PROFILE_ESTIMATORS: dict[str, Callable[[np.ndarray, np.ndarray, int], float]] = {
    "nsb": nsb_entropy,
    "chao_shen": lambda values, mult, bins: chao_shen_entropy(values, mult),
}


def is_cell_term(name: str) -> bool:
    """Whether the named estimator is a sum of a cell term over the cells (see the module notes)."""
    _entropy_function(name)
    return name in ESTIMATORS


def cell_term_estimator(name: str) -> str:
    """The cell-term estimator that stands in for ``name`` where machinery needs a cell term.

    >>> cell_term_estimator("plugin"), cell_term_estimator("nsb")
    ('plugin', 'grassberger')
    """
    return name if is_cell_term(name) else "grassberger"


def _entropy_function(name: str) -> Callable[[np.ndarray, np.ndarray, int | None], float]:
    """``h(values, mult, bins)`` for any estimator (``bins``: possible bins, default the occupied ones)."""
    if name in ESTIMATORS:
        cell = ESTIMATORS[name]
        return lambda values, mult, bins=None: cell(values, mult)
    if name in WHOLE_PROFILE_ESTIMATORS:
        whole = WHOLE_PROFILE_ESTIMATORS[name]
        return lambda values, mult, bins=None: whole(values, mult, int(np.sum(mult)) if bins is None else int(bins))
    names = ", ".join([*ESTIMATORS, *WHOLE_PROFILE_ESTIMATORS])
    raise InputError(f"unknown estimator {name!r}; choose one of: {names}")


def _estimator(name: str) -> Callable[[np.ndarray, np.ndarray], float]:
    """The cell-term estimator ``name`` on a profile (a one-line error for any other name)."""
    _entropy_function(name)
    if name not in ESTIMATORS:
        raise InputError(f"{name!r} is not a sum over cells; this computation needs plugin, miller_madow or grassberger")
    return ESTIMATORS[name]


def plugin(counts: np.ndarray) -> float:
    """Plug-in (maximum-likelihood) entropy ``-sum p ln p`` in nats.

    Examples
    --------
    >>> round(plugin(np.array([1, 1])), 6)  # ln 2
    0.693147
    """
    return _plugin_profile(*count_profile(counts))


def miller_madow(counts: np.ndarray) -> float:
    """Plug-in entropy plus the Miller-Madow correction ``(K - 1) / (2N)``, K = occupied bins.

    Examples
    --------
    >>> round(miller_madow(np.array([5, 5])) - plugin(np.array([5, 5])), 6)  # (2 - 1) / 20
    0.05
    """
    return _miller_madow_profile(*count_profile(counts))


def grassberger(counts: np.ndarray) -> float:
    """Grassberger (2003) entropy ``ln N - (1/N) sum n_i G(n_i)`` in nats.

    Examples
    --------
    >>> round(grassberger(np.array([1000, 1000])), 3)  # close to ln 2 for large counts
    0.693
    """
    return _grassberger_profile(*count_profile(counts))


def nsb(counts: np.ndarray, bins: int | None = None) -> float:
    """NSB entropy (nats) of a histogram over ``bins`` possible bins (default: its length).

    >>> round(nsb(np.array([1000, 1000])), 3)
    0.693
    """
    counts = np.asarray(counts)
    return nsb_entropy(*count_profile(counts), len(counts) if bins is None else int(bins))


def chao_shen(counts: np.ndarray) -> float:
    """Chao-Shen coverage-adjusted entropy (nats) of a histogram.

    >>> round(chao_shen(np.array([1000, 1000])), 3)
    0.693
    """
    return chao_shen_entropy(*count_profile(np.asarray(counts)))


def entropy_from_profile(profile: Profile, estimator: str = "grassberger", bins: int | None = None) -> float:
    """Entropy in nats from a count profile ``(values, multiplicities)``; ``bins``: the number of
    possible bins, for the estimators that use it (NSB; default the occupied ones).

    Examples
    --------
    >>> round(entropy_from_profile((np.array([5]), np.array([4])), "plugin"), 6)  # ln 4
    1.386294
    """
    return _entropy_function(estimator)(*profile, bins)


def entropy(counts, estimator: str = "grassberger", base: str = "nats") -> float:
    """Entropy of a histogram of counts with the named estimator (its length is the number of bins).

    Examples
    --------
    >>> round(entropy([5, 5], estimator="plugin", base="bits"), 12)
    1.0
    """
    counts = np.asarray(counts)
    return float(to_base(entropy_from_profile(count_profile(counts), estimator, counts.size), base))


def mutual_information(joint: np.ndarray, left: np.ndarray, right: np.ndarray, estimator: str = "grassberger") -> float:
    """``I = H(X) + H(Y) - H(X, Y)`` in nats from joint and marginal counts (``joint``: every cell, any shape).

    Examples
    --------
    >>> joint = np.array([[50, 0], [0, 50]])
    >>> round(mutual_information(joint.ravel(), joint.sum(1), joint.sum(0), "plugin"), 6)  # ln 2
    0.693147
    """
    return mutual_information_from_profile(count_profile(joint), left, right, estimator, np.asarray(joint).size)


def mutual_information_from_profile(joint: Profile, left: np.ndarray, right: np.ndarray, estimator: str = "grassberger",
                                    joint_bins: int | None = None) -> float:
    """``I = H(X) + H(Y) - H(X, Y)`` in nats, the joint given as a count profile over ``joint_bins``
    possible cells (default ``len(left) * len(right)``)."""
    h = _entropy_function(estimator)
    left, right = np.asarray(left), np.asarray(right)
    bins = left.size * right.size if joint_bins is None else joint_bins
    return h(*count_profile(left), left.size) + h(*count_profile(right), right.size) - h(*joint, bins)


#: Counts below this take the estimator's cell term from a table; above, an asymptotic series.
_TABLED_COUNTS = 1024


@njit(cache=True, inline="always")
def _digamma_large(x):
    """psi(x) for x >= 512 by its asymptotic series (truncation error below 1e-30)."""
    r = 1.0 / (x * x)
    return (math.log(x) - 0.5 / x
            - r * (1.0 / 12.0 - r * (1.0 / 120.0 - r * (1.0 / 252.0 - r * (1.0 / 240.0 - r / 132.0)))))


@njit(cache=True, inline="always")
def cell_term(n, tabled, grassberger):
    """The estimator's cell term ``f(n)``: from ``tabled`` below its length, else ``n ln n`` or ``n G(n)``."""
    if n < tabled.shape[0]:
        return tabled[n]
    x = float(n)
    if grassberger:
        sign = 1.0 if n % 2 == 0 else -1.0
        return x * (_digamma_large(x) + 0.5 * sign * (_digamma_large(0.5 * x + 0.5) - _digamma_large(0.5 * x)))
    return x * math.log(x)


@njit(cache=True, inline="always")
def _cell_sum(counts, i, tabled, grassberger):
    # Compensated (Neumaier) summation: a row of 10^5-10^6 cells summed naively drifts by
    # ~1e-11 relative, more than the estimators' own rounding; this keeps it at ~1e-16.
    acc = 0.0
    carry = 0.0
    for j in range(counts.shape[1]):
        term = cell_term(counts[i, j], tabled, grassberger)
        total = acc + term
        if abs(acc) >= abs(term):
            carry += (acc - total) + term
        else:
            carry += (term - total) + acc
        acc = total
    return acc + carry


@njit(cache=True, parallel=True, nogil=True)
def _cell_sums_parallel(counts, tabled, grassberger):
    """Per row, the sum of the estimator's cell term ``f(n)`` (``n ln n`` or ``n G(n)``) over its cells."""
    out = np.zeros(counts.shape[0])
    for i in prange(counts.shape[0]):
        out[i] = _cell_sum(counts, i, tabled, grassberger)
    return out


@njit(cache=True, nogil=True)
def _cell_sums_serial(counts, tabled, grassberger):
    out = np.zeros(counts.shape[0])
    for i in range(counts.shape[0]):
        out[i] = _cell_sum(counts, i, tabled, grassberger)
    return out


#: Below this many cells a parallel launch costs more than it saves.
_PARALLEL_CELLS = 1 << 16


def entropy_rows(counts: np.ndarray, estimator: str = "grassberger", *, parallel: bool | None = None,
                 bins: int | None = None) -> np.ndarray:
    """The entropy (nats) of each row of a 2-D array of cell counts, all rows at once.

    The fast path for stacks of tables (a curve's lags, its jackknife's leave-one-out tables,
    its null's random tables): one compiled pass, the cell term taken from a table for small
    counts and from the digamma's asymptotic series for large ones. Equal to the profile-based
    estimators to rounding (the tests hold them together). ``parallel``: whether to use numba's
    threads (default: for large stacks); ``False`` from inside a thread pool of one's own.

    Examples
    --------
    Whole-profile estimators (NSB, Chao-Shen) are computed row by row from each row's profile,
    over ``bins`` possible bins (default: the row's length).

    >>> entropy_rows(np.array([[1, 1], [2, 0]]), "plugin").round(6).tolist()
    [0.693147, 0.0]
    """
    h = _entropy_function(estimator)  # a known name, or a one-line error
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise InputError(f"counts must be a 2-D array of rows of cell counts, got {counts.ndim}-D")
    if not is_cell_term(estimator):
        width = counts.shape[1] if bins is None else int(bins)
        return np.array([h(*count_profile(row), width) for row in counts], dtype=np.float64)
    n = counts.sum(axis=1).astype(np.float64)
    if parallel is None:
        parallel = counts.size >= _PARALLEL_CELLS
    sums = _cell_sums_parallel if parallel else _cell_sums_serial
    weighted = sums(counts, *cell_term_table(estimator))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(n > 0, np.log(np.where(n > 0, n, 1.0)) - weighted / np.where(n > 0, n, 1.0), 0.0)
    if estimator == "miller_madow":
        occupied = (counts > 0).sum(axis=1)
        h = h + np.where(n > 0, (occupied - 1.0) / (2.0 * np.where(n > 0, n, 1.0)), 0.0)
    return h


def mutual_information_tables(tables: np.ndarray, estimator: str = "grassberger", *, parallel: bool | None = None) -> np.ndarray:
    """``I = H(X) + H(Y) - H(X, Y)`` in nats for each of a stack of ``(m, K, K)`` pair tables.

    >>> t = np.array([[[5, 0], [0, 5]], [[3, 2], [2, 3]]])
    >>> mutual_information_tables(t, "plugin").round(4).tolist()
    [0.6931, 0.0201]
    """
    tables = np.asarray(tables)
    m = len(tables)
    return (entropy_rows(tables.sum(axis=2), estimator, parallel=parallel)
            + entropy_rows(tables.sum(axis=1), estimator, parallel=parallel)
            - entropy_rows(tables.reshape(m, -1), estimator, parallel=parallel))


def cell_terms(max_count: int, estimator: str) -> np.ndarray:
    """The estimator's per-cell term ``f(n)`` at ``n = 0 … max_count`` (``ln N - sum f(n) / N`` is the entropy)."""
    _estimator(estimator)
    n = np.arange(int(max_count) + 1, dtype=np.float64)
    safe = np.where(n > 0, n, 1.0)
    f = n * (grassberger_g(safe) if estimator == "grassberger" else np.log(safe))
    f[0] = 0.0
    return f


def cell_term_table(estimator: str) -> tuple[np.ndarray, bool]:
    """``(tabled, grassberger)`` for the compiled :func:`cell_term`: ``f`` below :data:`_TABLED_COUNTS`, and which series above."""
    return cell_terms(_TABLED_COUNTS - 1, estimator), estimator == "grassberger"


@njit(cache=True)
def _cell_terms_at(values, tabled, grassberger):
    out = np.empty(values.shape[0])
    for i in range(values.shape[0]):
        out[i] = cell_term(values[i], tabled, grassberger)
    return out


def cell_terms_at(values: np.ndarray, estimator: str) -> np.ndarray:
    """``f(n)`` at each of ``values`` (any size of count: no table up to the largest).

    >>> cell_terms_at(np.array([0, 2, 10**7]), "plugin").round(3).tolist() == [0.0, round(2 * np.log(2), 3), round(1e7 * np.log(1e7), 3)]
    True
    """
    return _cell_terms_at(np.ascontiguousarray(values, dtype=np.int64), *cell_term_table(estimator))


def entropy_from_sums(sums: np.ndarray, n: np.ndarray, occupied: np.ndarray, estimator: str) -> np.ndarray:
    """Entropies (nats) from the sum of the cell term ``f`` over a table's cells, its count ``n``
    and its occupied cells: ``ln n - sums / n``, plus Miller-Madow's ``(occupied - 1) / 2n``
    (0 where ``n`` is 0). Arrays broadcast.

    >>> float(entropy_from_sums(np.array(0.0), np.array(4.0), np.array(4), "plugin").round(6))  # four singletons: ln 4
    1.386294
    """
    n = np.asarray(n, dtype=np.float64)
    safe = np.where(n > 0, n, 1.0)
    h = np.where(n > 0, np.log(safe) - sums / safe, 0.0)
    if estimator == "miller_madow":
        h = h + np.where(n > 0, (occupied - 1.0) / (2.0 * safe), 0.0)
    return h
