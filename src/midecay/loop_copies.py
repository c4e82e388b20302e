"""Streams that loop a phrase exactly, taken as copies: their part of the pooled MI, with stream-level errors.

A stream that loops a phrase of period ``p`` copies its symbol at every lag ``p`` divides and, at
the other lags, pairs two distinct phrase positions. Pooled over many streams whose phrases are
draws of one law ``pi``, the first are "one draw twice" and the second two independent draws,
so the loopers' pairs follow ``c pi_a [a = b] + (1 - c) pi_a pi_b`` with ``c`` the share of their
pairs at lags their period divides. No estimator that reads only the table of pairs can see that
part (``docs/methods.md``, "Many streams": a copy of a token seen in one stream reads like a
chance clump), so it is not read from the table: the loopers leave the counted data, and their
share of the pairs enters as copies of draws of the others' law (:func:`copy_mutual_information`).
The curve is the MI of the pooled law

    P_d = (1 - w(d)) P_others + w_copy(d) pi_a [a = b] + (w(d) - w_copy(d)) pi_a pi_b,

taken as ``(1 - w) I_others + I_copy(w_copy)``: exact where the other streams carry no
dependence at ``d``, and with an error of the order of ``w`` times their MI elsewhere (the MI of
a mixture is not the mixture of the MIs). ``w(d)`` is the loopers' share of the pairs at ``d`` and
``w_copy(d)`` the share of those whose period divides ``d``. The error comes from the streams:
leaving out a group of streams moves both shares.

A stream loops when its tail repeats exactly with a period ``2 <= p <= n/2``
(:func:`~midecay.null.streams.loop_periods`); its loop starts where that repetition begins, and
the symbols before it (a sample that fell into a loop) stay with the others as a stream of their
own. One token repeated (``p = 1``) stays with the others: given the stream it holds nothing
about a lag in particular (:mod:`midecay.null.streams`, step 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .jackknife import leave_out_stderr
from .null.streams import loop_periods, stream_groups

__all__ = ["LoopCopies", "loop_copies", "copy_mutual_information", "loop_starts"]


def loop_starts(codes: np.ndarray, bounds: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """First position (absolute) from which each stream repeats with its period to its end.

    A stream that does not loop (period 0) starts where it starts.

    >>> x = np.array([5, 6, 7, 0, 1, 0, 1, 0, 1, 0, 1])  # three symbols, then 01 looped
    >>> loop_starts(x, np.array([0, 11]), np.array([2])).tolist()
    [3]
    """
    codes = np.asarray(codes)
    bounds = np.asarray(bounds, dtype=np.int64)
    starts = bounds[:-1].copy()
    for s in np.flatnonzero(np.asarray(periods) >= 1):
        lo, hi, p = int(bounds[s]), int(bounds[s + 1]), int(periods[s])
        same = codes[lo:hi - p] == codes[lo + p:hi]
        broken = np.flatnonzero(~same)
        starts[s] = lo if len(broken) == 0 else lo + int(broken[-1]) + 1
    return starts


def copy_mutual_information(counts: np.ndarray, copy_share) -> np.ndarray:
    """``I`` (nats) of a pair that is one draw twice with probability ``c``, else two draws, from counts of the law.

    ``P(a, b) = c pi_a [a = b] + (1 - c) pi_a pi_b``, so
    ``I = sum_a F(pi_a) + (1 - c)(1 - sum pi^2) ln(1 - c)`` with
    ``F(p) = p((1 - c) p + c) ln((1 - c) + c / p)``. ``F`` of a rare symbol is about ``c p ln(c / p)``,
    so the symbols a sample misses matter; the sum over them is estimated as Chao and Shen do for
    the entropy (:mod:`midecay.chao_shen`): coverage-adjusted probabilities, each seen symbol
    weighted by the inverse of its chance of being seen. ``sum pi^2`` is estimated without bias by
    ``sum n (n - 1) / (N (N - 1))``. One value per entry of ``copy_share``.

    >>> copy_mutual_information(np.array([5000, 5000]), [0.0, 1.0]).round(3).tolist()  # a fair bit copied
    [0.0, 0.693]
    """
    v = np.asarray(counts, dtype=np.float64)
    v = v[v > 0]
    c = np.atleast_1d(np.asarray(copy_share, dtype=np.float64))
    n = float(v.sum())
    if n < 2:
        return np.zeros(len(c))
    singletons = min(float((v == 1).sum()), n - 1.0)
    p = (1.0 - singletons / n) * v / n
    seen = -np.expm1(n * np.log1p(-p))
    cc = c[:, None]
    f = p * ((1.0 - cc) * p + cc) * np.log((1.0 - cc) + cc / p)
    collide = float((v * (v - 1.0)).sum() / (n * (n - 1.0)))
    rest = np.where(c < 1.0, (1.0 - c) * (1.0 - collide) * np.log(np.where(c < 1.0, 1.0 - c, 1.0)), 0.0)
    return np.maximum((f / seen).sum(axis=1) + rest, 0.0)


@dataclass(frozen=True)
class LoopCopies:
    """The loopers' part of a curve: what leaves the counted data and what enters as copies.

    ``others`` are ``(starts, ends)`` of the segments that stay counted; ``mi`` (nats) and ``share``
    (``w``) are per lag; ``leave_out_mi`` and ``leave_out_share`` are their values with each group
    of streams left out (``(n_groups, n_lags)``); ``loop_pairs`` the loopers' pairs at each lag.
    """

    periods: np.ndarray
    others: tuple[np.ndarray, np.ndarray]
    mi: np.ndarray
    share: np.ndarray
    loop_pairs: np.ndarray
    leave_out_mi: np.ndarray
    leave_out_share: np.ndarray

    @property
    def n_loopers(self) -> int:
        """Streams that loop a phrase of two symbols or more."""
        return int((self.periods >= 2).sum())

    def stderr(self) -> np.ndarray:
        """Delete-a-group jackknife error of :attr:`mi` alone."""
        return leave_out_stderr(self.leave_out_mi)

    def combine(self, others_mi: np.ndarray, others_floor: np.ndarray, others_rows: np.ndarray,
                unit: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """``(1 - w) I_others + I_copy`` and its leave-out rows, from the others' curve (same groups).

        ``others_floor`` is what the others' curve takes off its estimate (zero where nothing);
        their rows are estimates at that level, so the rows here are combined from the others'
        floor-removed rows and set back at the combined floor, ``(1 - w)`` times theirs: their
        spread is the floor-removed value's. ``unit`` converts the copies' nats to the others' unit.
        """
        point = (1.0 - self.share) * np.asarray(others_mi) + unit * self.mi
        others_rows = np.asarray(others_rows).reshape(-1, len(point))
        if len(others_rows) == 0:
            return point, others_rows
        removed = (1.0 - self.leave_out_share) * (others_rows - others_floor) + unit * self.leave_out_mi
        return point, removed + (1.0 - self.share) * np.asarray(others_floor)


def loop_copies(codes: np.ndarray, bounds: np.ndarray, lags: np.ndarray, alphabet_size: int,
                n_groups: int) -> LoopCopies | None:
    """The loopers of these streams as copies (module notes), or None where no stream loops or too few do not.

    The others' segments are grouped as the curve's jackknife blocks group them
    (:func:`~midecay.null.streams.stream_groups` with ``n_groups``), each looper with the segment
    before it, so that a row of the others' jackknife and a row here leave out one group.

    >>> from midecay.synth import looping_streams
    >>> s = looping_streams(64, 256, 50, 0.25, seed=0).symbols
    >>> lc = loop_copies(s.codes, s.bounds, np.array([1, 2]), 50, 16)
    >>> lc.n_loopers, bool(lc.mi[0] == 0.0), bool(lc.mi[1] > 0.0)  # no loop length divides 1
    (15, True, True)
    """
    codes = np.asarray(codes)
    bounds = np.asarray(bounds, dtype=np.int64)
    lags = np.asarray(lags, dtype=np.int64)
    periods = loop_periods(codes, bounds)
    looping = periods >= 2
    if not looping.any():
        return None
    starts = loop_starts(codes, bounds, np.where(looping, periods, 0))
    ends = bounds[1:]
    # The others: streams that do not loop, and the symbols before a loop began (at least a pair's worth).
    keep = ~looping | (starts - bounds[:-1] >= 2)
    o_starts = bounds[:-1][keep]
    o_ends = np.where(looping, starts, ends)[keep]
    groups_needed = min(max(int(n_groups), 2), len(o_starts))
    if groups_needed < 2:
        return None
    o_groups = stream_groups(o_ends - o_starts, groups_needed)
    loop_idx = np.flatnonzero(looping)
    # A looper joins the group of the streams around it, so a group holds as many loopers as fell
    # there: dealt out in turn, every group would hold the same number, and the jackknife would
    # miss the spread of their count (at d = 60 of 10 % loopers it read 0.65 of the SD over sets).
    before = np.searchsorted(o_starts, bounds[loop_idx], side="right") - 1
    l_groups = o_groups[np.maximum(before, 0)]
    o_pairs = np.maximum((o_ends - o_starts)[:, None] - lags[None, :], 0).astype(np.float64)
    l_pairs = np.maximum((ends - starts)[loop_idx, None] - lags[None, :], 0).astype(np.float64)
    divides = lags[None, :] % periods[loop_idx, None] == 0
    copied = l_pairs * divides
    # The law of the copied draws: the others' symbols, and each loop's phrase once.
    phrase = [codes[int(starts[s]):int(starts[s]) + int(periods[s])] for s in loop_idx]
    others = [codes[int(a):int(b)] for a, b in zip(o_starts, o_ends)]
    counts = np.bincount(np.concatenate(others + phrase).astype(np.int64), minlength=int(alphabet_size))

    def part(o_keep: np.ndarray, l_keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        loop = l_pairs[l_keep].sum(axis=0)
        total = o_pairs[o_keep].sum(axis=0) + loop
        safe = np.where(total > 0, total, 1.0)
        return copy_mutual_information(counts, copied[l_keep].sum(axis=0) / safe), loop / safe

    mi, share = part(np.ones(len(o_starts), bool), np.ones(len(loop_idx), bool))
    rows = [part(o_groups != g, l_groups != g) for g in range(groups_needed)]
    copy_rows = np.array([r[0] for r in rows])
    # The copies' error is a count's: with k loopers dividing d its jackknife variance is about
    # k units, so where k falls short of its mean the estimate and its error fall together, and
    # (estimate - exact) / error has a long low tail (SD 1.5-2.3 at lags of 2.5-8 loopers on
    # average). Its spread is taken at k + 1, a count's add-one rule (SD 0.6-1.75; docs/methods.md).
    k = ((l_pairs > 0) & divides).sum(axis=0)
    widen = np.sqrt((k + 1.0) / np.maximum(k, 1.0))
    centre = copy_rows.mean(axis=0)
    return LoopCopies(periods, (o_starts, o_ends), mi, share, l_pairs.sum(axis=0),
                      centre + (copy_rows - centre) * widen, np.array([r[1] for r in rows]))
