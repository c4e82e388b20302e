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

For large alphabets (word level: 10^8 cells a table, nearly all empty) no table is formed:
:func:`random_matching_sums` pairs the left symbols, in sorted order, with the right symbols in
uniformly random order (the same law, by definition) and keeps, per table, only the sums the
estimators need. A draw costs one pass over the pairs, half a recount of the sequence.

``tests/test_null.py`` holds them to the same law: exact cell means and variances, and the
same MI null as permuting the sequence.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from ._threads import thread_count
from .estimators import cell_term, cell_term_table
from .rng import permutation

__all__ = ["random_matching_sums", "random_tables", "random_tables_reference"]

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


@njit(cache=True, nogil=True)
def _fill_each(rng, rows, cols, out):
    for t in range(rows.shape[0]):
        _fill_tables(rng, rows[t], cols[t], out[t : t + 1])


def random_tables_each(rows: np.ndarray, cols: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(n, K, K)``: one random table for each pair of margins ``rows[i]``, ``cols[i]`` (``(n, K)`` each).

    Examples
    --------
    >>> t = random_tables_each(np.array([[3, 5], [1, 1]]), np.array([[4, 4], [2, 0]]), np.random.default_rng(0))
    >>> t.sum(axis=2).tolist(), t.sum(axis=1).tolist()
    ([[3, 5], [1, 1]], [[4, 4], [2, 0]])
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    if rows.shape != cols.shape or not np.array_equal(rows.sum(axis=1), cols.sum(axis=1)):
        raise ValueError("each table's row and column sums must have one shape and one total")
    out = np.zeros((rows.shape[0], rows.shape[1], cols.shape[1]), dtype=np.int64)
    if rows.size:
        _fill_each(rng, rows, cols, out)
    return out


def random_tables_reference(row: np.ndarray, col: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """The same law by Patefield's algorithm (``scipy.stats.random_table``): the reference."""
    from scipy.stats import random_table

    row, col = np.asarray(row, dtype=np.int64), np.asarray(col, dtype=np.int64)
    if len(row) < 2 or len(col) < 2:  # one row or column: the only table there is
        return np.broadcast_to(np.outer(row, col) // max(int(row.sum()), 1), (n_draws, len(row), len(col))).copy()
    return np.asarray(random_table(row, col).rvs(size=n_draws, method="patefield", random_state=rng), dtype=np.int64)


@njit(cache=True, nogil=True)
def _matching_master(order, have_starts, code_probe):
    """The right symbols in the random order ``order``: symbol ``c``'s copies (sorted index
    ``have_starts[c] … have_starts[c+1]``) go to the positions ``order`` gives them."""
    master = np.empty(order.shape[0], dtype=code_probe.dtype)
    for c in range(have_starts.shape[0] - 1):
        for i in range(have_starts[c], have_starts[c + 1]):
            master[order[i]] = c
    return master


@njit(cache=True, nogil=True)
def _matching_sum(master, order, have_starts, drop, rotation, row_stop, tabled, grassberger):
    """One table's joint sum of the cell term and its occupied cells (see :func:`random_matching_sums`)."""
    k = row_stop.shape[0]
    n = master.shape[0]
    # The master holds as many copies of each symbol as the lag that needs most; this table drops
    # the first ``drop[c]`` of symbol c's copies in ``order``: a uniformly random subset of them.
    dropped = np.zeros(n, dtype=np.bool_)
    for c in range(k):
        for i in range(have_starts[c], have_starts[c] + drop[c]):
            dropped[order[i]] = True
    scratch = np.zeros(k, dtype=np.int64)
    touched = np.empty(k + 1, dtype=np.int64)  # one spare slot: the write below is branch-free
    n_touched = 0
    row = 0
    while row < k and row_stop[row] == 0:
        row += 1
    stop = row_stop[row] if row < k else 0
    paired = 0
    total = 0.0
    cells = 0
    for part in range(2):  # the master read from ``rotation`` on, round to where it started
        lo = rotation if part == 0 else 0
        hi = n if part == 0 else rotation
        for t in range(lo, hi):
            if dropped[t]:
                continue
            b = master[t]
            v = scratch[b]
            touched[n_touched] = b
            n_touched += v == 0  # new cells come at random: a branch would be mispredicted half the time
            scratch[b] = v + 1
            paired += 1
            if paired == stop:  # the row (left symbol) is complete: its cells into the sums
                for i in range(n_touched):
                    c = touched[i]
                    total += cell_term(scratch[c], tabled, grassberger)
                    scratch[c] = 0
                cells += n_touched
                n_touched = 0
                row += 1
                while row < k and row_stop[row] == paired:
                    row += 1
                if row < k:
                    stop = row_stop[row]
    return total, cells


def matching_bytes(n_pairs: int, alphabet_size: int, threads: int) -> int:
    """Memory :func:`random_matching_sums` takes for tables of up to ``n_pairs`` pairs: a master
    (order and symbols) and a flag a pair for each thread.

    >>> matching_bytes(10**6, 10_000, 2) // 10**6
    14
    """
    code = 2 if alphabet_size <= 1 << 16 else 4
    index = 4 if n_pairs < 1 << 32 else 8
    return int(n_pairs) * (index + code + 1) * int(threads)


def random_matching_sums(left: np.ndarray, right: np.ndarray, n_draws: int, rng: np.random.Generator,
                         estimator: str = "grassberger") -> tuple[np.ndarray, np.ndarray]:
    """``(sums, cells)``, each ``(n_draws, n_tables)``: the joint sum of the estimator's cell term
    ``f`` and the occupied cells of random tables with row sums ``left[i]`` and column sums ``right[i]``.

    The law of :func:`random_tables`, drawn as a random matching: the left symbols in sorted
    order (row ``a`` is a run of ``left[i, a]`` places) against the right symbols in a uniformly
    random order, each run's symbols tallied as its row's cells. One random order (a *master*
    holding, of each symbol, as many copies as the table that needs most) serves every table of
    a draw: a table drops a uniformly random subset of each symbol's surplus copies, which
    leaves a uniformly random order of its own right symbols, and starts reading at a random
    place, so that the tables of one draw pair different symbols. A draw's tables still share
    the master (their sums correlate by up to ~0.2 on small tables), which a floor averaged
    over draws does not mind; draws are independent. Cost: one pass over each table's pairs, and one
    shuffle of the master a draw; memory: :func:`matching_bytes`. The joint entropy is then
    ``ln N - sums / N`` (plus Miller-Madow's ``(cells - 1) / 2N``). Every random number is
    drawn from ``rng`` (a generator spawned from it a draw), so the threads change no byte.

    Examples
    --------
    >>> left, right = np.array([[3, 5]]), np.array([[4, 4]])
    >>> sums, cells = random_matching_sums(left, right, 2, np.random.default_rng(0), "plugin")
    >>> sums.shape, bool(((cells >= 2) & (cells <= 4)).all())
    ((2, 1), True)
    """
    left = np.ascontiguousarray(np.atleast_2d(left), dtype=np.int64)
    right = np.ascontiguousarray(np.atleast_2d(right), dtype=np.int64)
    if left.shape != right.shape or (left.sum(axis=1) != right.sum(axis=1)).any():
        raise ValueError("each table's row sums and column sums must have the same length and total")
    n_tables, k = left.shape
    n_draws = int(n_draws)
    have = right.max(axis=0) if n_tables else np.zeros(k, dtype=np.int64)
    have_starts = np.concatenate([[0], np.cumsum(have)]).astype(np.int64)
    drop = np.ascontiguousarray(have[None, :] - right)
    row_stop = np.ascontiguousarray(np.cumsum(left, axis=1))
    n_master = int(have_starts[-1])
    code_probe = np.zeros(0, dtype=np.uint16 if k <= 1 << 16 else np.uint32)
    tabled, grassberger = cell_term_table(estimator)
    sums = np.zeros((n_draws, n_tables))
    cells = np.zeros((n_draws, n_tables), dtype=np.int64)
    if n_master == 0 or n_tables == 0 or n_draws == 0:
        return sums, cells
    rotations = rng.integers(0, n_master, size=(n_draws, n_tables))
    children = rng.spawn(n_draws)

    def master(d: int) -> tuple[np.ndarray, np.ndarray]:
        order = permutation(n_master, children[d])
        return order, _matching_master(order, have_starts, code_probe)

    def table(job: tuple[int, int, np.ndarray, np.ndarray]) -> None:
        d, i, order, symbols = job
        sums[d, i], cells[d, i] = _matching_sum(symbols, order, have_starts, drop[i], int(rotations[d, i]), row_stop[i],
                                                tabled, grassberger)

    workers = max(1, min(thread_count(), n_draws * n_tables))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # the kernels release the GIL
        # As many masters at a time as threads shuffle them, so memory does not grow with the draws.
        for lo in range(0, n_draws, workers):
            group = range(lo, min(lo + workers, n_draws))
            built = list(pool.map(master, group))
            list(pool.map(table, [(d, i, *built[d - lo]) for d in group for i in range(n_tables)]))
            del built
    return sums, cells
