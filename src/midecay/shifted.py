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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["ShiftedNull", "shifted_null", "SHIFT_DRAWS", "SHIFT_LAGS", "MAX_SHIFT_SYMBOLS"]

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
    error; ``variance_ratio`` multiplies the shuffles' variance (>= 1).
    """

    excess: np.ndarray
    excess_se: np.ndarray
    variance_ratio: float
    info: dict


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
                 rng: np.random.Generator, *, n_draws: int = SHIFT_DRAWS, n_lags: int = SHIFT_LAGS) -> ShiftedNull:
    """The repetition excess of the null from circularly shifted copies (see the module notes).

    ``mi_of(codes, windows, lags)`` is the curve's estimate per lag on any codes (its kernel and
    estimator); ``iid_floor`` and ``iid_sd`` the shuffle floor and spread at every lag.

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
    for _ in range(n_draws):
        offset = int(rng.integers(n // 4, max(3 * n // 4, n // 4 + 1)))
        doubled = np.concatenate([codes, np.roll(codes, -offset)])
        mi = mi_of(doubled, wins, n + lags[picks])
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
    return ShiftedNull(excess, excess_se, max(ratio, 1.0), info)
