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

One thing a shifted copy cannot hold: at a short lag ``d`` the partner ``x_{t+d}`` sits next to
``x_{t+tau}``, so where the sequence repeats itself at short offsets ``tau`` the two sides of a
pair of pairs repeat together even when ``X_t`` and ``X_{t+d}`` are independent (a sticky
windowed maximum at K = 200 read z = 5-7 at the lag just past its window, every seed). That
term is measured from the sequence's own repeats, weighted by what each coincidence does to the
estimator (:func:`cross_repeats`, :func:`collision_weights`), and added at the short lags.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._warnings import UnreliableEstimateWarning
from .estimators import cell_terms

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
                 estimator: str | None = None) -> ShiftedNull:
    """The repetition excess of the null from circularly shifted copies (see the module notes).

    ``mi_of(codes, windows, lags)`` is the curve's estimate per lag on any codes (its kernel and
    estimator), or a pair ``(estimates, occupied joint cells)``; ``iid_floor`` and ``iid_sd`` the
    shuffle floor and spread at every lag. Given the
    ``estimator``'s name, the short lags also get :func:`cross_repeats` (what shifted copies cannot
    hold: repeats on both sides made dependent by closeness).

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
        cross = cross_repeats(codes, lags, estimator, rng)
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


#: Offsets ``tau`` searched for the sequence's own short-range repeats (``x_t = x_{t+tau}`` above chance).
MAX_REPEAT_OFFSET = 16
#: Positions sampled for the cross-repeat term (all of them in shorter sequences).
CROSS_POSITIONS = 1 << 20
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

    @property
    def reach(self) -> int:
        """The last lag the term is measured at: twice the largest repeat offset plus one (0 without repeats)."""
        return _reach(self.offsets)


def _reach(offsets) -> int:
    # Closeness bounds the term: two pairs share no neighbourhood past twice the largest offset plus one.
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
                  max_offset: int = MAX_REPEAT_OFFSET, n_positions: int = CROSS_POSITIONS) -> CrossRepeats:
    """What the shifted copies miss: repeats on both sides of a lag-``d`` pair made dependent by closeness.

    Pairs ``(x_t, x_{t+d})`` and ``(x_{t+tau}, x_{t+tau+d})`` coincide when ``x_t = x_{t+tau}`` and
    ``x_{t+d} = x_{t+d+tau}``. On a shifted copy the two events are independent. In the sequence
    they are not when ``t + tau`` and ``t + d`` are close, even where ``X_t`` and ``X_{t+d}`` are
    independent: a windowed maximum of 3 symbols at ``d = 3`` and ``tau = 1, 2`` shares a symbol
    between ``x_{t+tau}`` and ``x_{t+d}``. Each coinciding pair of pairs adds
    :func:`collision_weights` to the estimator's sum over joint cells, so the expected estimate at
    lag ``d`` exceeds the shifted copies' by

        ``sum_tau mean_t 1[x_t = x_{t+tau}] (1[x_{t+d} = x_{t+d+tau}] w(t, t+d) - 1[x_s = x_{s+tau}] w(t, s))``

    with ``s = t + d + offset`` far away and ``w`` the weight at the cell's expected count
    ``n p_a p_b``. The sum runs over the offsets ``tau`` where the sequence repeats itself above
    chance (by :data:`REPEAT_Z` standard errors, from means over groups of consecutive positions; none in a sequence without short-range repeats, and
    then nothing is measured), skipping ``tau = d`` (the triplet ``x_t = x_{t+d} = x_{t+2d}``,
    which shuffles and shifted copies both hold); it is measured at lags up to twice the largest
    such offset plus one, beyond which the closeness it needs is gone. Positions are sampled
    (:data:`CROSS_POSITIONS`) and indices wrap around the sequence, so segment boundaries are
    not honoured (pairs across them are a fraction ``(d + tau) / length`` of a segment's).

    Examples
    --------
    >>> u = np.random.default_rng(1).integers(0, 50, 20_003)
    >>> x = np.maximum(np.maximum(u[2:], u[1:-1]), u[:-2])  # 3-dependent: I(d) = 0 from d = 3
    >>> term = cross_repeats(x, np.array([3, 40]), "grassberger", np.random.default_rng(0))
    >>> term.offsets, bool(term.excess[0] > 3 * term.excess_se[0]), float(term.excess[1])
    ((1, 2), True, 0.0)
    """
    x = np.asarray(codes).astype(np.int64, copy=False)
    n = len(x)
    lags = np.asarray(lags, dtype=np.int64)
    zeros = np.zeros(len(lags))
    if n < 4 * (2 * max_offset + 2):
        return CrossRepeats(zeros, zeros.copy(), ())
    p = np.bincount(x) / n
    chance = float(p @ p)
    t = np.sort(rng.integers(0, n, min(n_positions, n)))
    m = len(t)
    # Means of consecutive groups of positions carry the clustering of repeats into the errors.
    xt = x[t]
    group = np.minimum(np.arange(m) * _GROUPS // m, _GROUPS - 1)
    per_group = np.bincount(group, minlength=_GROUPS)

    def mean_and_se(values: np.ndarray) -> tuple[float, float]:
        means = np.bincount(group, weights=values, minlength=_GROUPS) / per_group
        return float(values.mean()), float(means.std(ddof=1) / np.sqrt(_GROUPS))

    repeats = {}
    for tau in range(1, max_offset + 1):
        hit = xt == x[(t + tau) % n]
        rate, rate_se = mean_and_se(hit.astype(np.float64))
        if rate - chance > REPEAT_Z * max(rate_se, np.sqrt(chance * (1.0 - chance) / m), 1e-300):
            repeats[tau] = np.flatnonzero(hit)
    if not repeats:
        return CrossRepeats(zeros, zeros.copy(), ())
    reach = _reach(repeats)
    curve = _weight_curve(estimator)
    excess, excess_se = zeros.copy(), zeros.copy()
    for i, d in enumerate(lags):
        if d > reach or d < 1:
            continue
        far = int(rng.integers(n // 4, max(3 * n // 4, n // 4 + 1)))
        contribution = np.zeros(m)
        for tau, where in repeats.items():
            if tau == d:
                continue
            start = t[where]
            near, away = (start + d) % n, (start + d + far) % n
            both = x[near] == x[(near + tau) % n]
            apart = x[away] == x[(away + tau) % n]
            first = n * p[xt[where]]
            w_near = _weights_at(curve, first * p[x[near]])
            w_away = _weights_at(curve, first * p[x[away]])
            contribution[where] += both * w_near - apart * w_away
        excess[i], excess_se[i] = mean_and_se(contribution)
    return CrossRepeats(excess, excess_se, tuple(sorted(repeats)))


def _warn_if_repeats_reach_past(cross: CrossRepeats, lags: np.ndarray, iid_sd: np.ndarray) -> None:
    """Warn when the sequence still repeats itself at the largest offset searched and the term there matters.

    The cross-repeat term is measured up to lag ``2 * max(offsets) + 1`` because closeness bounds it
    where repeats are short-range. Repeats still above chance at the largest offset searched
    (text that loops, a model's samples that repeat themselves) say the repetition may reach
    further, so the term need not vanish past that lag. Where it is still larger than the null's
    own spread at the last lag measured, the floor steps down past it and floor-removed values
    there may read high by up to that much.
    """
    max_offset = MAX_REPEAT_OFFSET
    if not cross.offsets or max(cross.offsets) < max_offset:
        return
    reach = cross.reach
    lags = np.asarray(lags)
    inside = np.flatnonzero(lags <= reach)
    if not inside.size or not (lags > reach).any():
        return
    last = inside[-1]
    if cross.excess[last] <= iid_sd[last]:
        return
    warnings.warn(f"the sequence still repeats itself above chance at the largest offset searched ({max_offset}): the "
                  f"floor's cross-repeat term ({cross.excess[last]:.3g} nats at lag {int(lags[last])}, {cross.excess[last] / iid_sd[last]:.0f}x "
                  f"the null's spread) is measured to lag {reach} only, so floor-removed values past it may read high by up "
                  f"to that much; do not read a difference past lag {reach} smaller than it as dependence",
                  UnreliableEstimateWarning, stacklevel=3)
