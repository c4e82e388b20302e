"""The null of a large alphabet from circularly shifted copies: repetition kept, dependence at ``d`` removed.

At word or token level a sequence repeats itself (a word recurs within a sentence, an LM sample
loops, a log line comes back). Two lag-``d`` pairs ``(t, t+d)`` and ``(t+tau, t+tau+d)`` then
coincide far more often than in a shuffle, and every coincidence lowers the estimated joint
entropy: the estimate at a lag where ``X_t`` and ``X_{t+d}`` are independent sits above the
shuffle floor by an amount that does not shrink with ``N`` while tables are sparse (each
coincidence moves the plug-in joint entropy by ``2 ln 2 / n``, and repetition makes a fixed share
of the pairs coincide). The analytic term of :mod:`midecay.null` needs about one pair per joint
cell and cannot see this.

A circular shift keeps it. Pair ``x_t`` with ``y_{t+d}``, where ``y`` is the whole sequence rolled
by an offset ``s`` far from 0 and from ``N`` (drawn in ``[N/4, 3N/4)``): each side keeps its own
autocorrelation and repetition, and the two sides are as far apart as the sequence allows, so
what the estimator reads on this table is the null "no dependence at lag ``d``" with the
sequence's own repetition. The pairs are counted by the curve's own kernel on ``[x, y]`` at lag
``N + d``, with the curve's windows (first positions in ``x``, partners in ``y``).

Cost is kept small by measuring at a few of the curve's lags only (:data:`SHIFT_LAGS`, spread
over its range) for :data:`SHIFT_DRAWS` offsets: about half a recount. The excess over the
shuffle floor, ``E = mean(MI_shift - floor_iid)``, is pooled in chi-square units (times the pair
count) and spread back over every lag as ``E n_ref / n_d``; between lags of one curve ``n_d``
changes little. The null's spread is the shuffles' times the surrogates' variance ratio, never
below one (an underestimated spread would multiply false positives; a larger one only costs power).

A sequence with an exact period ``p`` would read its own dependence at offsets ``s`` that ``p``
divides; the offsets are drawn at random, so this affects a fraction ``1/p`` of draws. Checked on
copy processes with Zipf marginals (``tests/test_shifted.py``).

One thing a shifted copy cannot hold: the two sides of a pair of pairs repeating together even
when ``X_t`` and ``X_{t+d}`` are independent. At a short lag ``d`` the partner ``x_{t+d}`` sits
next to ``x_{t+tau}``, so a sequence whose symbols stick (a windowed maximum) repeats on both sides
at once just past its window; in streams of which some loop and others do not, both sides repeat
at the loop's length in the looping ones. Left out, either reads as dependence at lags that carry
none (``docs/methods.md``, "Repeats", has the measurements). That term is
measured from the sequence's own repeats at offsets through each segment, weighted by what each
coincidence does to the estimator, less what lag-``d`` dependence itself explains
(:func:`cross_repeats`, :func:`collision_weights`), and added to the floor.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._warnings import UnreliableEstimateWarning
from ..estimators import cell_terms

__all__ = ["ShiftedNull", "shifted_null", "CrossRepeats", "cross_repeats", "collision_weights", "SHIFT_DRAWS", "SHIFT_LAGS",
           "MAX_SHIFT_SYMBOLS"]

#: Offsets drawn per curve.
SHIFT_DRAWS = 2
#: Lags of the curve measured on each shifted copy.
SHIFT_LAGS = 4
#: Longest sequence shifted in memory (the copy holds two of it); longer ones keep the analytic term.
MAX_SHIFT_SYMBOLS = 1 << 27


@dataclass(frozen=True)
class ShiftedNull:
    """What repetition adds to the null at each lag (nats), with the uncertainty of that excess.

    ``excess[i]`` is added to the shuffle floor at ``lags[i]``; ``excess_se[i]`` is its standard
    error; ``variance_ratio`` multiplies the shuffles' variance (>= 1). ``occupancy`` is the
    shifted copies' occupied joint cells per pair (NaN when ``mi_of`` does not give them) and
    ``occupancy_se`` its standard error, relative: what :func:`floor_scale` compares the
    sequence's own occupancy with.
    """

    excess: np.ndarray
    excess_se: np.ndarray
    variance_ratio: float
    info: dict
    occupancy: float = float("nan")
    occupancy_se: float = float("nan")


def shifted_windows(windows: np.ndarray, n: int) -> np.ndarray:
    """The curve's windows on ``[x, y]``: first positions in ``x``, partners ``n`` further on (in ``y``).

    >>> shifted_windows(np.array([[0, 5, 5], [5, 9, 9]]), 9).tolist()
    [[0, 5, 14], [5, 9, 18]]
    """
    out = np.array(windows, dtype=np.int64, copy=True)
    out[:, 2] += n
    return out


def shifted_null(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, n_pairs: np.ndarray, iid_floor: np.ndarray,
                 iid_sd: np.ndarray, mi_of: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
                 rng: np.random.Generator, *, n_draws: int = SHIFT_DRAWS, n_lags: int = SHIFT_LAGS,
                 estimator: str | None = None, bounds: np.ndarray | None = None) -> ShiftedNull:
    """The repetition excess of the null from circularly shifted copies (see the module notes).

    ``mi_of(codes, windows, lags)`` is the curve's estimate per lag on any codes (its kernel and
    estimator), or a pair ``(estimates, occupied joint cells)``; ``iid_floor`` and ``iid_sd`` the
    shuffle floor and spread at every lag. Given the
    ``estimator``'s name, the short lags also get :func:`cross_repeats` (what shifted copies cannot
    hold: repeats on both sides that go together), within the segments ``bounds`` (the whole
    sequence if None).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 3, 1000)
    >>> def plug_in(codes, windows, lags):
    ...     out = []
    ...     for d in lags:
    ...         a = np.concatenate([codes[s:f] for s, f, e in windows])
    ...         b = np.concatenate([codes[s + d:f + d] for s, f, e in windows])
    ...         p = np.histogram2d(a, b, bins=3)[0] / len(a)
    ...         q = np.outer(p.sum(1), p.sum(0))
    ...         out.append(float((p * np.log(p / q)).sum()))
    ...     return np.array(out)
    >>> null = shifted_null(x, np.array([[0, 990, 1000]]), np.array([1, 10]), np.array([999, 990]),
    ...                     np.array([0.002, 0.002]), np.array([0.002, 0.002]), plug_in, rng)
    >>> bool(abs(null.excess[0]) < 0.005), null.variance_ratio >= 1.0
    (True, True)
    """
    codes = np.asarray(codes)
    n = len(codes)
    picks = np.unique(np.linspace(0, len(lags) - 1, min(n_lags, len(lags))).round().astype(np.int64))
    wins = shifted_windows(windows, n)
    scaled = []  # (MI_shift - floor_iid) * n_pairs, per draw and picked lag
    ratios = []
    occupied = []  # occupied joint cells per pair, per draw and picked lag
    for _ in range(n_draws):
        offset = int(rng.integers(n // 4, max(3 * n // 4, n // 4 + 1)))
        doubled = np.concatenate([codes, np.roll(codes, -offset)])
        mi = mi_of(doubled, wins, n + lags[picks])
        if isinstance(mi, tuple):
            mi, cells = mi
            occupied.append(np.asarray(cells, dtype=np.float64) / np.maximum(n_pairs[picks], 1))
        diff = mi - iid_floor[picks]
        scaled.append(diff * n_pairs[picks])
        ratios.append(diff / iid_sd[picks])
    scaled = np.array(scaled).ravel()
    ratios = np.array(ratios).ravel()
    n_values = len(scaled)
    pooled = float(scaled.mean())
    excess = pooled / np.maximum(n_pairs.astype(np.float64), 1.0)
    # The surrogates' spread around their own mean, in units of the shuffles' spread.
    ratio = float(ratios.var(ddof=1)) if n_values > 1 else 1.0
    scaled_sd = float(scaled.std(ddof=1)) if n_values > 1 else float(np.abs(scaled).max(initial=0.0))
    excess_se = scaled_sd / np.sqrt(n_values) / np.maximum(n_pairs.astype(np.float64), 1.0)
    info = {"method": "circularly shifted copies (repetition kept)", "draws": int(n_draws),
            "lags_measured": [int(d) for d in lags[picks]], "variance_ratio": round(max(ratio, 1.0), 3)}
    if estimator is not None:
        cross = cross_repeats(codes, lags, estimator, rng, bounds=bounds, max_offset=MAX_REPEAT_OFFSET)
        if cross.offsets:
            excess = excess + cross.excess
            excess_se = np.sqrt(excess_se**2 + cross.excess_se**2)
            info["repeat_offsets"] = list(cross.offsets)
            _warn_if_repeats_reach_past(cross, lags, iid_sd)
    occupancy = occupancy_se = float("nan")
    if occupied:
        per_pair = np.concatenate(occupied)
        occupancy = float(per_pair.mean())
        occupancy_se = float(per_pair.std(ddof=1) / np.sqrt(len(per_pair)) / occupancy) if len(per_pair) > 1 else 0.0
    return ShiftedNull(excess, excess_se, max(ratio, 1.0), info, occupancy, occupancy_se)


def floor_scale(occupied: np.ndarray, n_pairs: np.ndarray, null: ShiftedNull, *, z: float = 2.0) -> np.ndarray:
    """How much of the floor is the estimator's bias under the dependence the sequence has (<= 1).

    The floor is the estimate where ``X_t`` and ``X_{t+d}`` are independent; at a dependent lag
    of a sparse table the estimator is biased less, because dependence puts pairs into fewer
    joint cells and fewer of them are seen once. To first order the bias scales with the share
    of pairs that open a cell of their own, so the part of the floor that applies is the ratio
    of occupied joint cells, the sequence's over its shifted copies' (repetition kept, lag
    dependence removed), with the copies' uncertainty taken in its favour (``z`` standard
    errors toward 1). At lags without dependence the two occupancies agree and the floor stays
    whole. Measured on Zipf copy and hidden-state processes with exact MI
    (``benchmarks/bench_estimators.py``): at K = 5,000-50,257 the floor-removed MI at a
    dependent lag read 19-56 % low and now reads -39 to +4 %; zero-MI lags keep reading zero.

    >>> null = ShiftedNull(np.zeros(2), np.zeros(2), 1.0, {}, occupancy=0.9, occupancy_se=0.001)
    >>> floor_scale(np.array([900, 720]), np.array([1000, 1000]), null).round(3).tolist()
    [1.0, 0.802]
    """
    if not np.isfinite(null.occupancy) or null.occupancy <= 0:
        return np.ones(len(n_pairs))
    expected = null.occupancy * np.maximum(np.asarray(n_pairs, dtype=np.float64), 1.0)
    ratio = np.asarray(occupied, dtype=np.float64) / expected
    return np.clip(ratio * (1.0 + z * null.occupancy_se), 0.0, 1.0)


#: Offsets ``tau`` searched for the sequence's own repeats (``x_t = x_{t+tau}`` above chance), within a segment.
MAX_REPEAT_OFFSET = 512
#: Positions sampled for the cross-repeat term (all of them in shorter sequences).
CROSS_POSITIONS = 1 << 18
#: How far above chance (in standard errors) a repeat rate must be for its offset to count.
REPEAT_Z = 4.0
#: Groups of consecutive sampled positions whose means give the term's standard errors.
_GROUPS = 32


@dataclass(frozen=True)
class CrossRepeats:
    """The cross-repeat term of the null at each lag (nats) and its standard error (0 where not measured)."""

    excess: np.ndarray
    excess_se: np.ndarray
    offsets: tuple[int, ...]
    #: The largest offset searched (:data:`MAX_REPEAT_OFFSET`, or less in shorter segments).
    searched: int = 0

    @property
    def reach(self) -> int:
        """The last lag the term is measured at: twice the largest repeat offset plus one (0 without repeats)."""
        return _reach(self.offsets)


def _reach(offsets) -> int:
    # Past twice the largest repeat offset plus one, two pairs share no neighbourhood; what repeats
    # further is looked for up to MAX_REPEAT_OFFSET, and a curve warns where it may reach past that.
    return 2 * max(offsets) + 1 if len(offsets) else 0


def collision_weights(estimator: str, lam: np.ndarray) -> np.ndarray:
    """``E[f(M + 2) - 2 f(M + 1) + f(M)]`` for ``M ~ Poisson(lam)``: what one more coinciding pair of pairs
    adds to the expected sum of the estimator's cell term ``f`` over a joint cell expecting ``lam`` pairs.

    Two pairs that fall in the same cell, with ``M`` others there, move the cell from ``M`` to ``M + 2``
    where independent pairs would have split between it and the rest; to second order in the
    pairs' covariance this is the whole effect. In an empty region (``lam -> 0``) it is
    ``f(2) - 2 f(1)`` (``2 ln 2`` for the plug-in); in a crowded cell ``f''(lam) ~ 1 / lam``.

    >>> collision_weights("plugin", np.array([1e-9, 1e5])).round(6).tolist() == [round(2 * np.log(2), 6), 1e-5]
    True
    """
    return _weights_at(_weight_curve(estimator), lam)


def _weight_curve(estimator: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`collision_weights` on a log grid of ``lam`` up to 1000 (beyond it, ``1 / lam``)."""
    from scipy.special import gammaln

    top = 2048
    m = np.arange(top + 3, dtype=np.float64)
    f = cell_terms(top + 2, estimator)
    if estimator == "miller_madow":  # its occupancy count is a cell term of -1/2 in every occupied cell
        f = f - 0.5 * (m > 0)
    second = f[2:] - 2.0 * f[1:-1] + f[:-2]
    grid = np.geomspace(1e-8, 1000.0, 512)
    pmf = np.exp(m[: top + 1][None, :] * np.log(grid)[:, None] - grid[:, None] - gammaln(m[: top + 1] + 1.0)[None, :])
    return grid, pmf @ second


def _weights_at(curve: tuple[np.ndarray, np.ndarray], lam: np.ndarray) -> np.ndarray:
    grid, on_grid = curve
    lam = np.asarray(lam, dtype=np.float64)
    inside = np.interp(np.log(np.clip(lam, grid[0], grid[-1])), np.log(grid), on_grid)
    return np.where(lam > grid[-1], 1.0 / np.maximum(lam, 1.0), inside)


def cross_repeats(codes: np.ndarray, lags: np.ndarray, estimator: str, rng: np.random.Generator, *,
                  bounds: np.ndarray | None = None, max_offset: int = MAX_REPEAT_OFFSET,
                  n_positions: int = CROSS_POSITIONS, dependence_share: bool = True,
                  every_offset: bool = False) -> CrossRepeats:
    """What the shifted copies miss: repeats on both sides of a lag-``d`` pair that go together.

    Pairs ``(x_t, x_{t+d})`` and ``(x_{t+tau}, x_{t+tau+d})`` coincide when ``x_t = x_{t+tau}`` and
    ``x_{t+d} = x_{t+d+tau}``. On a shifted copy the two events are independent. In the sequence
    they need not be, even where ``X_t`` and ``X_{t+d}`` are independent: when ``t + tau`` and
    ``t + d`` are close (a windowed maximum of 3 symbols at ``d = 3`` and ``tau = 1, 2`` shares a
    symbol between ``x_{t+tau}`` and ``x_{t+d}``), or when the rate of repeats itself varies along
    the sequence (an LM's streams that loop beside streams that do not: both sides of a pair repeat
    in the looping ones). Each coinciding pair of pairs adds :func:`collision_weights` to the
    estimator's sum over joint cells, so the expected estimate at lag ``d`` exceeds the shifted
    copies' by

        ``sum_tau mean_t 1[x_t = x_{t+tau}] (1[x_{t+d} = x_{t+d+tau}] w(t, t+d) - 1[x_v = x_{v+tau}] w(t, v) - D_t)``

    with ``v`` at ``t + d``'s place in a random segment (a shifted copy's partner), ``w`` the
    weight at the cell's expected count ``n p_a p_b``, and
    ``D_t`` the share of the agreement that lag-``d`` dependence itself explains
    (the curve's signal, not the null's; ``dependence_share=False`` leaves it in, to compare). The sum runs over the offsets
    ``tau`` up to ``max_offset`` (and below the longest segment) where the sequence repeats itself
    above chance (by :data:`REPEAT_Z` standard errors, from means over groups of consecutive
    positions; none in a sequence without repeats, and then nothing is measured;
    ``every_offset=True`` sums every offset instead, to compare: unbiased at any sample size, and
    noisier, ``docs/methods.md``, "Repeats"), skipping
    ``tau = d`` (the triplet ``x_t = x_{t+d} = x_{t+2d}``, which shuffles and shifted copies both
    hold); it is measured at lags up to twice the largest such offset plus one. Only pairs of
    pairs inside one segment (``bounds``; the whole sequence if None) count, and the mean is over
    the sampled positions (:data:`CROSS_POSITIONS`) that have a lag-``d`` pair.

    Examples
    --------
    >>> u = np.random.default_rng(1).integers(0, 50, 20_003)
    >>> x = np.maximum(np.maximum(u[2:], u[1:-1]), u[:-2])  # 3-dependent: I(d) = 0 from d = 3
    >>> term = cross_repeats(x, np.array([3, 40]), "grassberger", np.random.default_rng(0))
    >>> term.offsets, bool(term.excess[0] > 3 * term.excess_se[0]), float(term.excess[1])
    ((1, 2), True, 0.0)
    """
    x = np.asarray(codes)
    # A narrow copy stays in cache where the kernels read x at random places; two widths only, so the
    # kernels compile twice at most (every code width would be a compilation of its own).
    narrow = x.dtype.kind in "iu" and (x.dtype.itemsize < 4 or x.dtype == np.int32)
    x = np.ascontiguousarray(x, dtype=np.int32 if narrow else np.int64)
    n = len(x)
    lags = np.asarray(lags, dtype=np.int64)
    zeros = np.zeros(len(lags))
    bounds = np.array([0, n], dtype=np.int64) if bounds is None else np.asarray(bounds, dtype=np.int64)
    top = int(min(max_offset, int(np.diff(bounds).max(initial=0)) - 2))
    if top < 1 or n < 128:
        return CrossRepeats(zeros, zeros.copy(), ())
    p = np.bincount(x) / n
    chance = float(p @ p)
    t = np.sort(rng.integers(0, n, n_positions)) if n_positions < n else np.arange(n, dtype=np.int64)
    m = len(t)
    segment = np.searchsorted(bounds, t, side="right") - 1
    end = bounds[segment + 1]
    # Means of consecutive groups of positions carry the clustering of repeats into the errors.
    group = np.minimum(np.arange(m) * _GROUPS // m, _GROUPS - 1)
    order, first, count = _occurrences(x)
    offsets_at, taus = _repeat_hits(x, t, end, _next_same(x, order), top)
    hits = _hits_by_group(offsets_at, taus, group, _GROUPS, top)
    # Positions with room for an offset tau in their segment: end - t - 1 >= tau.
    room = np.minimum(end - t - 1, top)
    with_room = np.bincount(group * (top + 1) + room, minlength=_GROUPS * (top + 1)).reshape(_GROUPS, top + 1)
    fits = np.cumsum(with_room[:, ::-1], axis=1)[:, ::-1]  # positions with room >= tau, per group
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = hits.sum(axis=0) / fits.sum(axis=0)
        by_group = hits / fits
        rate_se = np.nanstd(by_group, axis=0, ddof=1) / np.sqrt(np.maximum((fits > 0).sum(axis=0), 1))
        chance_se = np.sqrt(chance * (1.0 - chance) / fits.sum(axis=0))
    measurable = fits.sum(axis=0) >= 64  # offsets with enough positions to average over
    measurable[0] = False
    above = measurable & (rate - chance > REPEAT_Z * np.maximum(np.nan_to_num(np.maximum(rate_se, chance_se)), 1e-300))
    if not above.any():
        return CrossRepeats(zeros, zeros.copy(), (), top)
    if every_offset:
        above = measurable
    offsets = tuple(int(v) for v in np.flatnonzero(above))
    reach = _reach(offsets)
    table = _WeightTable(_weight_curve(estimator), n * p)
    excess, excess_se = zeros.copy(), zeros.copy()
    measured = np.flatnonzero((lags >= 1) & (lags <= reach))
    if not len(measured):
        return CrossRepeats(excess, excess_se, offsets, top)
    key = np.uint64(rng.integers(0, 2**63))  # the positions' uniforms, hashed from (key, position) in the kernel
    starts = np.searchsorted(group, np.arange(_GROUPS + 1))  # group g holds positions starts[g] ... starts[g+1] - 1
    sums, pairs = _cross_groups(x, t, segment, end, offsets_at, taus, above, lags[measured], bounds, key, order, first,
                                count, reach if dependence_share else -1, table.log_np, table.low, table.step,
                                table.values, starts)
    for column, i in enumerate(measured):
        have = pairs[:, column] > 0
        if not have.any():
            continue
        excess[i] = sums[:, column].sum() / pairs[:, column].sum()
        means = sums[have, column] / pairs[have, column]
        excess_se[i] = float(means.std(ddof=1) / np.sqrt(len(means))) if len(means) > 1 else 0.0
    return CrossRepeats(excess, excess_se, offsets, top)


def _occurrences(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every position grouped by symbol (``order``), where each symbol's run starts, and its length.

    ``order`` is ``np.argsort(x, kind="stable")``, by a counting sort (one pass, not a comparison sort).

    >>> _occurrences(np.array([2, 0, 2, 1]))[0].tolist()
    [1, 3, 0, 2]
    """
    count = np.bincount(x)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    return _counting_order(x, first.copy()), first, count


@njit(cache=True, nogil=True)
def _counting_order(x: np.ndarray, slot: np.ndarray) -> np.ndarray:
    order = np.empty(len(x), dtype=np.int64)
    for i in range(len(x)):
        order[slot[x[i]]] = i
        slot[x[i]] += 1
    return order


@njit(cache=True, nogil=True)
def _next_same(x: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The next position holding the same symbol (``len(x)`` after the last), from :func:`_occurrences`' ``order``."""
    following = np.full(len(x), len(x), dtype=np.int64)
    for i in range(len(order) - 1):
        if x[order[i]] == x[order[i + 1]]:
            following[order[i]] = order[i + 1]
    return following


@njit(cache=True, nogil=True)
def _hits_by_group(offsets_at: np.ndarray, taus: np.ndarray, group: np.ndarray, n_groups: int, top: int) -> np.ndarray:
    """Repeats found at each offset ``tau <= top``, per group of sampled positions (:func:`_repeat_hits`' CSR)."""
    hits = np.zeros((n_groups, top + 1), dtype=np.int64)
    for i in range(len(offsets_at) - 1):
        for k in range(offsets_at[i], offsets_at[i + 1]):
            hits[group[i], taus[k]] += 1
    return hits


class _WeightTable:
    """:func:`collision_weights` on a fine uniform grid of ``log lam`` (one look-up a coincidence in the kernel)."""

    def __init__(self, curve: tuple[np.ndarray, np.ndarray], expected: np.ndarray, size: int = 8192) -> None:
        grid, _ = curve
        self.low = float(np.log(grid[0]))
        self.step = float((np.log(grid[-1]) - self.low) / (size - 1))
        # the top cell holds the crowded limit's 1/lam at the grid's end; past it the kernel uses 1/lam itself
        self.values = _weights_at(curve, np.exp(self.low + self.step * np.arange(size)))
        with np.errstate(divide="ignore"):
            self.log_np = np.log(np.maximum(expected, 1e-300))  # log(n p_a) per symbol; log lam = sum - log n


@njit(cache=True, nogil=True)
def _repeat_hits(x: np.ndarray, t: np.ndarray, end: np.ndarray, following: np.ndarray, top: int):
    """For each sampled position, the offsets ``tau <= top`` inside its segment with ``x[t + tau] = x[t]`` (CSR)."""
    m = len(t)
    counts = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        j = following[t[i]]
        while j < end[i] and j - t[i] <= top:
            counts[i + 1] += 1
            j = following[j]
    offsets_at = np.cumsum(counts)
    taus = np.empty(offsets_at[-1], dtype=np.int64)
    for i in range(m):
        k = offsets_at[i]
        j = following[t[i]]
        while j < end[i] and j - t[i] <= top:
            taus[k] = j - t[i]
            k += 1
            j = following[j]
    return offsets_at, taus


@njit(cache=True, nogil=True, inline="always")
def _weight(log_lam: float, low: float, step: float, values: np.ndarray) -> float:
    k = int((log_lam - low) / step + 0.5)
    if k < 0:
        return values[0]
    if k >= len(values):
        return np.exp(-log_lam)  # a crowded cell: 1 / lam
    return values[k]


@njit(cache=True, nogil=True, inline="always")
def _uniform(key, i, k) -> float:
    """The ``k``-th uniform of position ``i`` under ``key``: splitmix64 of the counter (no shared state between threads)."""
    z = key + np.uint64(4 * i + k) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, parallel=True)
def _cross_groups(x, t, segment, end, offsets_at, taus, above, lags, bounds, key, order, first, count, reach,
                  log_np, low, step, values, starts):
    """The term's summands at every lag, summed over each group of sampled positions, and the positions with a pair.

    Per sampled position ``t`` and lag ``d``: over the repeat offsets ``tau`` (``x_t = x_{t+tau}``)
    whose pair of pairs lies in the segment, the near agreement ``1[x_{t+d} = x_{t+d+tau}]`` (a
    later pair in this pair's cell) less the same on a shifted copy, ``1[x_v = x_{v+tau}]`` with
    ``v`` at ``t + d``'s place (counted from the segment's end) in a random segment, each weighted
    by :func:`collision_weights` at its cell's expected count; less, per offset, the share that
    lag-``d`` dependence explains, ``1[x_{t'+d} = x_{t+d}] - 1[x_r = x_{t+d}]`` (weighted) for
    ``t'`` another occurrence of ``x_t`` more than ``reach + d`` away (two tries; 0 if none is
    found, and never with ``reach < 0``) and ``r`` a random position. Random positions are drawn
    among the sampled ones ``t`` (uniform over the sequence, their segments known) from four
    uniforms a position (:func:`_uniform` under ``key``), the same at every lag: the lags of one
    position then read the same neighbourhoods, which stay in cache (one lag after another, each
    position's random reads missed it every time). Groups (``starts``) run in parallel.
    """
    n = len(x)
    log_n = np.log(n)
    m = len(t)
    n_lags = len(lags)
    n_groups = len(starts) - 1
    sums = np.zeros((n_groups, n_lags))
    pairs = np.zeros((n_groups, n_lags))
    for g in prange(n_groups):
        for i in range(starts[g], starts[g + 1]):
            a = x[t[i]]
            cands = (order[first[a] + min(int(_uniform(key, i, 0) * count[a]), count[a] - 1)],
                     order[first[a] + min(int(_uniform(key, i, 1) * count[a]), count[a] - 1)])
            j = min(int(_uniform(key, i, 2) * m), m - 1)
            r, lo = t[j], segment[j]  # the far partner's segment
            chance_symbol = x[t[min(int(_uniform(key, i, 3) * m), m - 1)]]
            for c in range(n_lags):
                d = lags[c]
                near = t[i] + d
                if near >= end[i]:
                    continue
                pairs[g, c] += 1.0
                b = x[near]
                w_near = _weight(log_np[a] + log_np[b] - log_n, low, step, values)
                # the dependence share: another occurrence of a, far away, against a random position
                share = 0.0
                if reach >= 0:
                    for cand in cands:
                        gap = abs(cand - t[i])
                        if min(gap, n - gap) > reach + d:
                            agree = 1.0 if x[(cand + d) % n] == b else 0.0
                            share = (agree - (1.0 if chance_symbol == b else 0.0)) * w_near
                            break
                # The far partner v plays x_{t+d}'s part on a shifted copy: the same place in a random segment.
                v = bounds[lo + 1] - (end[i] - near)  # as far from its segment's end as t + d is from its own
                if v < bounds[lo] or bounds[lo + 1] == end[i]:
                    v = r  # a shorter segment, or t's own: a random place (far from t + d, on average)
                v_end = bounds[lo + 1]
                w_far = _weight(log_np[a] + log_np[x[v]] - log_n, low, step, values)
                acc = 0.0
                for k in range(offsets_at[i], offsets_at[i + 1]):
                    tau = taus[k]
                    if not above[tau] or tau == d or near + tau >= end[i] or v + tau >= v_end:
                        continue
                    if x[near] == x[near + tau]:
                        acc += w_near
                    if x[v] == x[v + tau]:
                        acc -= w_far
                    acc -= share
                sums[g, c] += acc
    return sums, pairs


def _warn_if_repeats_reach_past(cross: CrossRepeats, lags: np.ndarray, iid_sd: np.ndarray) -> None:
    """Warn when the sequence still repeats itself far into the offsets searched and the term there matters.

    The cross-repeat term is measured up to lag ``2 * max(offsets) + 1``. Repeats still above
    chance in the upper half of the offsets searched (one long text that loops) say the repetition
    may reach further, so the term need not vanish past that lag. Where it is still larger than
    the null's own spread at the last lag measured, the floor steps down past it and
    floor-removed values there may read high by up to that much.
    """
    if not cross.offsets or 2 * max(cross.offsets) <= cross.searched:
        return
    reach = cross.reach
    lags = np.asarray(lags)
    inside = np.flatnonzero(lags <= reach)
    if not inside.size or not (lags > reach).any():
        return
    last = inside[-1]
    if cross.excess[last] <= iid_sd[last]:
        return
    warnings.warn(f"the sequence still repeats itself above chance at offsets up to {max(cross.offsets)} of the "
                  f"{cross.searched} searched: the floor's cross-repeat term ({cross.excess[last]:.3g} nats at lag "
                  f"{int(lags[last])}, {cross.excess[last] / iid_sd[last]:.0f}x the null's spread) is measured to lag "
                  f"{reach} only, so floor-removed values past it may read high by up to that much; do not read a "
                  f"difference past lag {reach} smaller than it as dependence", UnreliableEstimateWarning, stacklevel=3)
