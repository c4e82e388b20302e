"""The null of many streams: loopers paired with themselves where they do not repeat, the rest with each other.

Model samples, documents and records are many short streams, and the stream is the independent
unit. A stream that loops a phrase of ``L`` tokens contributes, at a lag ``L`` does not divide,
``L`` distinct pairs each repeated ``n / L`` times: one clump, which no count of independent
pairs describes, although the pooled law of the pairs can have no dependence at that lag. The
construction here (``docs/methods.md``, "Many streams") keeps every looper's clumps and removes
the dependence at ``d``:

1. A stream whose tail repeats exactly with a period ``2 <= p <= n/2`` (over its last
   ``max(n/4, p)`` symbols) is a *looper*. One null draw pairs each of its first positions ``t``
   with the symbol ``o`` further on, ``o`` drawn in ``[n/4, 3n/4)`` among the offsets ``p``
   does not divide, and wrapped back by whole periods past the stream's end: every null pair of
   it keeps one phase difference, as its lag-``d`` pairs do, and two distinct phrase positions
   are two independent draws, chance collisions of repeated phrase tokens included.
2. A stream that repeats one token (period 1) gives the same pairs at every lag, whatever the
   dependence: given its content it holds nothing about lag ``d`` in particular, and it stays
   as it is in the null (a looper's phrase of two equal tokens is such a stream, with no
   dependence at odd lags). Its repetition is therefore not counted as MI at any lag;
   :func:`~midecay.mi_curve` says so when such streams are present.
3. A stream that repeats itself at particular offsets without looping exactly (a phrase that
   comes back with changes; :func:`repeat_offsets`) is paired with itself at an offset ``o`` in
   ``[n/4, n/2]`` where it matches itself no more than at its median offset, and ``o`` back
   where ``o`` on would pass its end, so that the copies go. Its pairs are clumps that each
   contiguous run of pairs starts afresh, so this pairing (a run on and, below ``o``, one back)
   reads lower than its lag-``d`` pairs (one run). Each draw is therefore counted again with the
   run on split at a random point (:func:`_with_more_runs`), and the first draws a third time
   with a second split; a run's cost falls from one run to the next by a ratio measured from
   those (:func:`run_cost_ratio`), and the draws are extrapolated along it to one run a stream
   at every lag. This holds at every share of such streams measured, half and more included,
   where a cost taken as linear in the runs left the floor low.
4. Every other stream (i.i.d., natural text) is paired with the other streams: their symbols,
   in runs of :data:`CROSS_BLOCK` consecutive ones, are permuted at random and each first
   position takes the symbol its place lands on. Different streams are independent units, so
   the pooled law of these pairs has no dependence; each symbol is a partner once, so the
   second side's counts are the curve's; inside a run the order is kept, so each side keeps its
   short-range autocorrelation. A document's topic (the same words far apart) is thereby
   dependence, as it is in the pooled law. (One partner stream per stream would not do: with
   files of different make-up the pooled table of such pairs mixes ``P_s(a) P_q(b)`` over the
   pairs of files, which is dependence of its own; 0.012 nats on the Python library's 864 files.)
5. The draw keeps, for every lag, exactly the curve's first positions (``t + d`` inside the
   stream), so the null and the estimate have the same pair counts per stream.

Which streams loop is read from exact repetition; a stream that repeats without looping must
stand out by :data:`REPEAT_Z` binomial SDs at a particular offset, far from where a seed's noise
could move it. Under "no dependence at lag d" the observed
pairing is one more draw of the same kind, so the estimate is exchangeable with the draws:
their mean is the floor and their spread the null's. The estimate's own error comes from the
units: a delete-a-group-of-streams jackknife of the difference ``estimate - floor``, each
group's leave-out floor taken from the same draws (:func:`stream_null` returns the leave-out
floors; the curve's jackknife blocks are the same groups, :func:`stream_blocks`).

Counting is incremental over lags: the pairs of lag ``d`` are those of every larger lag plus
the first positions ``t`` with ``t + d`` just inside the stream, so one sort per draw gives the
cells and one pass per lag updates the cell-term sums (:func:`_paired_mi`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import InputError
from ..estimators import cell_term, cell_term_table, is_cell_term

__all__ = ["StreamNull", "stream_null", "stream_blocks", "stream_groups", "loop_periods", "repeat_offsets",
           "paired_mi",
           "default_stream_draws", "MIN_STREAMS", "STREAM_DRAWS", "MIN_STREAM_DRAWS", "STREAM_PAIR_BUDGET",
           "JACKKNIFE_DRAWS", "RATIO_DRAWS", "MIN_RUN_COST_RATIO", "run_cost_ratio", "CROSS_BLOCK", "DENSE_CELLS",
           "REPEAT_SCAN", "REPEAT_POSITIONS", "REPEAT_Z",
           "CANDIDATE_OFFSETS"]

#: Data with at least this many segments (and a large alphabet) are treated as streams by default.
MIN_STREAMS = 32
#: Offsets scanned for a stream's own repeats (non-exact loops), on at most this many of its first positions.
REPEAT_SCAN = 256
REPEAT_POSITIONS = 2048
#: A repeat offset matches more than twice the stream's median offset and by this many binomial SDs.
REPEAT_Z = 6.0
#: Circular offsets tried for a stream that repeats without looping exactly.
CANDIDATE_OFFSETS = 32
#: Alphabets up to the square root of this count their pairs in tables of every cell (no sort; groups left out per cell).
DENSE_CELLS = 1 << 16
#: Pairs (symbols times draws) the default draws may count: long data get fewer draws, never under MIN_STREAM_DRAWS.
STREAM_PAIR_BUDGET = 1 << 24
#: The fewest default draws (their spread is the null's).
MIN_STREAM_DRAWS = 8
#: Null draws (each a fresh offset per stream).
STREAM_DRAWS = 32
#: Draws whose leave-a-group-out floors enter the jackknife of ``estimate - floor`` (large alphabets; small ones use all).
JACKKNIFE_DRAWS = 4
#: Draws counted again with two runs more in each stream that repeats without looping: how a run's cost falls.
RATIO_DRAWS = 4
#: The least ratio of one run's cost to the previous one's (:func:`run_cost_ratio`; 1: a cost linear in the runs).
MIN_RUN_COST_RATIO = 0.5
#: Streams that are not loopers are paired in runs of this many consecutive symbols, the runs permuted.
CROSS_BLOCK = 64


@dataclass(frozen=True)
class StreamNull:
    """The stream null at each lag (nats): draws, and the floor with each group of streams left out.

    ``draws`` is ``(n_draws, n_lags)``; ``leave_out`` is ``(n_groups, n_lags)``, the mean over the
    jackknife draws (every draw for small alphabets, else the first :data:`JACKKNIFE_DRAWS`) of the
    estimate without group ``g``; ``looping_share`` the share of exact loopers.
    """

    draws: np.ndarray
    leave_out: np.ndarray
    looping_share: float
    info: dict

    @property
    def floor(self) -> np.ndarray:
        """The null's mean at each lag."""
        return self.draws.mean(axis=0)

    @property
    def std(self) -> np.ndarray:
        """The null's spread: one estimate's standard deviation under "no dependence at d"."""
        return self.draws.std(axis=0, ddof=1)

    @property
    def floor_se(self) -> np.ndarray:
        """The floor's own standard error (a mean of ``n_draws`` draws)."""
        return self.std / math.sqrt(len(self.draws))

    def difference_stderr(self, leave_out_estimate: np.ndarray) -> np.ndarray:
        """Delete-a-group jackknife error of ``estimate - floor``, given the estimate's leave-out rows.

        >>> null = StreamNull(np.zeros((2, 1)), np.array([[0.0], [0.0], [0.0]]), 1.0, {})
        >>> null.difference_stderr(np.array([[1.0], [2.0], [3.0]])).round(4).tolist()  # sqrt(2/3 * 2)
        [1.1547]
        """
        diff = np.asarray(leave_out_estimate, dtype=np.float64) - self.leave_out
        g = len(diff)
        spread = diff - diff.mean(axis=0)
        return np.sqrt((g - 1) / g * (spread**2).sum(axis=0))


def stream_groups(lengths: np.ndarray, n_groups: int) -> np.ndarray:
    """Group of each stream: ``n_groups`` contiguous runs of whole streams, balanced by symbols.

    >>> stream_groups(np.array([5, 5, 5, 5, 10]), 2).tolist()
    [0, 0, 0, 1, 1]
    >>> stream_groups(np.array([100, 1, 1]), 3).tolist()  # the long stream spans two groups' share
    [0, 1, 1]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if not 2 <= n_groups <= len(lengths):
        raise InputError(f"{n_groups} groups of streams need at least that many streams (got {len(lengths)}); "
                         "use fewer jackknife blocks")
    middle = np.cumsum(lengths) - lengths / 2.0
    groups = np.minimum(np.floor(middle / lengths.sum() * n_groups), n_groups - 1).astype(np.int64)
    # A stream longer than a group's share leaves a group empty: number the groups that hold streams.
    return np.unique(groups, return_inverse=True)[1].astype(np.int64)


def stream_blocks(bounds: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """The curve's jackknife blocks as groups of whole streams (windows ``[start, end, end]``)."""
    bounds = np.asarray(bounds, dtype=np.int64)
    groups = stream_groups(np.diff(bounds), n_groups)
    starts, ends = bounds[:-1], bounds[1:]
    return [np.ascontiguousarray(np.stack([starts[groups == g], ends[groups == g], ends[groups == g]], axis=1))
            for g in range(int(groups.max()) + 1)]


@njit(cache=True)
def _tail_periods(codes, bounds):
    """Each stream's smallest exact period ``p <= n/2`` over its last ``max(n/4, p)`` symbols (0 where none)."""
    n_streams = len(bounds) - 1
    out = np.zeros(n_streams, dtype=np.int64)
    for s in range(n_streams):
        lo, hi = bounds[s], bounds[s + 1]
        for p in range(1, (hi - lo) // 2 + 1):
            tail = max((hi - lo) // 4, p)
            exact = True
            for j in range(hi - tail, hi):
                if codes[j] != codes[j - p]:
                    exact = False
                    break
            if exact:
                out[s] = p
                break
    return out


@njit(cache=True, inline="always")
def _wrap(u, n, period):
    """Index ``u`` of a stream of length ``n`` brought inside it: by whole periods of a looping tail, else circularly."""
    if u < n:
        return u
    if period > 0:
        return u - ((u - n) // period + 1) * period
    return u % n


@njit(cache=True)
def _partner_positions(bounds, periods, partner, shift, back):
    """Every position's partner: ``shift`` further on in stream ``partner``, wrapped by :func:`_wrap`;
    in a stream with ``back`` set, ``shift`` back where further on is past its end (no wrap)."""
    out = np.empty(bounds[-1], dtype=np.int64)
    for s in range(len(bounds) - 1):
        q = partner[s]
        start, n = bounds[q], bounds[q + 1] - bounds[q]
        for i in range(bounds[s + 1] - bounds[s]):
            if back[s]:
                j = i + shift[s] if i + shift[s] < n else i - shift[s]
                out[bounds[s] + i] = start + max(j, 0)
            else:
                out[bounds[s] + i] = start + _wrap(i + shift[s], n, periods[q])
    return out


@njit(cache=True)
def _repeat_scan(codes, bounds, max_offset, max_positions):
    """Self-matches of each stream at offsets ``1 … max_offset`` (at most ``max_positions`` first positions) and the pairs compared."""
    n_streams = len(bounds) - 1
    matches = np.zeros((n_streams, max_offset + 1), dtype=np.int64)
    pairs = np.zeros((n_streams, max_offset + 1), dtype=np.int64)
    for s in range(n_streams):
        lo, hi = bounds[s], bounds[s + 1]
        for tau in range(1, min(max_offset, (hi - lo) // 2) + 1):
            stop = min(hi - tau, lo + max_positions)
            m = 0
            for t in range(lo, stop):
                if codes[t] == codes[t + tau]:
                    m += 1
            matches[s, tau] = m
            pairs[s, tau] = stop - lo
    return matches, pairs


@njit(cache=True)
def _forward_matches(codes, bounds, offsets):
    """Self-matches of each stream at each of its candidate offsets (the pairs inside it)."""
    n_streams, n_cand = offsets.shape
    out = np.zeros((n_streams, n_cand), dtype=np.int64)
    for s in range(n_streams):
        lo, hi = bounds[s], bounds[s + 1]
        for c in range(n_cand):
            o = offsets[s, c]
            m = 0
            for t in range(lo, hi - o):
                if codes[t] == codes[t + o]:
                    m += 1
            out[s, c] = m
    return out


def _repeats(codes: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each stream matches itself at some offset ``2 … REPEAT_SCAN`` more than twice as often
    as at its median offset and by :data:`REPEAT_Z` binomial SDs, and that median rate."""
    matches, pairs = _repeat_scan(codes, bounds, REPEAT_SCAN, REPEAT_POSITIONS)
    rate = np.where(pairs > 0, matches / np.maximum(pairs, 1), np.nan)[:, 2:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # streams too short to scan: all-NaN rows
        median = np.nanmedian(rate, axis=1) if rate.shape[1] else np.full(len(bounds) - 1, np.nan)
    median = np.nan_to_num(median, nan=1.0)
    expected = pairs[:, 2:] * median[:, None]
    excess = (matches[:, 2:] > 2 * expected + 2) & (matches[:, 2:] - expected > REPEAT_Z * np.sqrt(expected + 1))
    return excess.any(axis=1), median


def repeat_offsets(codes: np.ndarray, bounds: np.ndarray, rng: np.random.Generator,
                   n_candidates: int = CANDIDATE_OFFSETS) -> tuple[np.ndarray, np.ndarray]:
    """Streams that repeat themselves at particular offsets without looping exactly, and their free offsets.

    A stream *repeats* when at some offset ``2 … REPEAT_SCAN`` it matches itself more than twice
    as often as at its median offset and by :data:`REPEAT_Z` binomial SDs: a specific recurrence
    (a phrase that comes back with changes), not the stream's make-up, which raises every
    offset alike. For such a stream, ``n_candidates`` offsets are drawn in ``[n/4, n/2]``, and
    those where it matches itself (over the pairs inside it) at its median rate, within 4 SDs,
    are free.
    Returns ``(offsets, free)``, ``(n_streams, n_candidates)``; rows of streams that do not
    repeat are all False.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 50, 512)
    >>> fuzzy = x.copy(); copied = rng.random(512) < 0.8
    >>> for t in range(24, 512):
    ...     fuzzy[t] = fuzzy[t - 24] if copied[t] else fuzzy[t]
    >>> offsets, free = repeat_offsets(np.concatenate([x, fuzzy]), np.array([0, 512, 1024]), rng)
    >>> bool(free[0].any()), bool(free[1].any()), bool((offsets[1][free[1]] % 24 != 0).all())
    (False, True, True)
    """
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    bounds = np.asarray(bounds, dtype=np.int64)
    lengths = np.diff(bounds)
    repeats, median = _repeats(codes, bounds)
    low = lengths // 4
    high = np.maximum(lengths // 2 + 1, low + 1)
    offsets = rng.integers(low[:, None], high[:, None], size=(len(lengths), int(n_candidates)))
    found = _forward_matches(codes, bounds, offsets)
    chance = (lengths[:, None] - offsets) * median[:, None]
    free = repeats[:, None] & (found <= chance + 4.0 * np.sqrt(chance + 1) + 1) & (offsets > 0)
    return offsets, free


def loop_periods(codes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each stream's looping period (see the module notes, step 1): 0 where its tail does not repeat, 1 for one token.

    >>> x = np.array([0, 1] * 16 + list(range(2, 34)) + [7] * 32)  # loops 01, then 32 distinct tokens, then one token
    >>> loop_periods(x, np.array([0, 32, 64, 96])).tolist()
    [2, 0, 1]
    """
    return _tail_periods(np.ascontiguousarray(codes, dtype=np.int64), np.asarray(bounds, dtype=np.int64))


def _pair_order(bounds: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First positions ordered by group, then by room ``end - t`` descending; each one's room, and group starts."""
    bounds = np.asarray(bounds, dtype=np.int64)
    lengths = np.diff(bounds)
    stream = np.repeat(np.arange(len(lengths)), lengths)
    t = np.arange(int(bounds[-1]), dtype=np.int64)
    room = bounds[1:][stream] - t
    order = np.lexsort((-room, groups[stream]))
    group_start = np.searchsorted(groups[stream][order], np.arange(int(groups.max()) + 2))
    return order, room[order], group_start


def _prefixes(room: np.ndarray, group_start: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """``(n_groups, n_lags)``: pairs of each group at each lag (a prefix of its room-descending run)."""
    out = np.empty((len(group_start) - 1, len(lags)), dtype=np.int64)
    for g in range(len(group_start) - 1):
        part = -room[group_start[g]:group_start[g + 1]]  # ascending
        out[g] = np.searchsorted(part, -np.asarray(lags), side="left")  # rooms > d
    return out


@njit(cache=True, inline="always")
def _entropy(s, n, occupied, miller_madow):
    if n <= 0:
        return 0.0
    h = math.log(n) - s / n
    if miller_madow:
        h += (occupied - 1.0) / (2.0 * n)
    return h


@njit(cache=True)
def _paired_mi(cell, a, b, group_start, prefix, n_cells, k, tabled, grassberger, miller_madow, leave_out):
    """MI at every lag (largest first, pairs added incrementally) and, if asked, with each group left out."""
    n_groups, n_lags = prefix.shape
    nc = np.zeros(n_cells, dtype=np.int64)
    na = np.zeros(k, dtype=np.int64)
    nb = np.zeros(k, dtype=np.int64)
    mc = np.zeros(n_cells, dtype=np.int64)
    ma = np.zeros(k, dtype=np.int64)
    mb = np.zeros(k, dtype=np.int64)
    sc, sa, sb = 0.0, 0.0, 0.0
    oc, oa, ob = 0, 0, 0
    n = 0
    done = np.zeros(n_groups, dtype=np.int64)
    mi = np.zeros(n_lags)
    left = np.zeros((n_groups, n_lags))
    for i in range(n_lags - 1, -1, -1):
        for g in range(n_groups):
            lo = group_start[g]
            for j in range(lo + done[g], lo + prefix[g, i]):
                c, x, y = cell[j], a[j], b[j]
                sc += cell_term(nc[c] + 1, tabled, grassberger) - cell_term(nc[c], tabled, grassberger)
                sa += cell_term(na[x] + 1, tabled, grassberger) - cell_term(na[x], tabled, grassberger)
                sb += cell_term(nb[y] + 1, tabled, grassberger) - cell_term(nb[y], tabled, grassberger)
                oc += nc[c] == 0
                oa += na[x] == 0
                ob += nb[y] == 0
                nc[c] += 1
                na[x] += 1
                nb[y] += 1
                n += 1
            done[g] = prefix[g, i]
        mi[i] = (_entropy(sa, n, oa, miller_madow) + _entropy(sb, n, ob, miller_madow)
                 - _entropy(sc, n, oc, miller_madow))
        if not leave_out:
            continue
        for g in range(n_groups):
            lo, hi = group_start[g], group_start[g] + prefix[g, i]
            for j in range(lo, hi):
                mc[cell[j]] += 1
                ma[a[j]] += 1
                mb[b[j]] += 1
            dc, da, db = 0.0, 0.0, 0.0
            lc, la, lb = 0, 0, 0
            for j in range(lo, hi):
                c, x, y = cell[j], a[j], b[j]
                if mc[c] > 0:
                    dc += cell_term(nc[c], tabled, grassberger) - cell_term(nc[c] - mc[c], tabled, grassberger)
                    lc += nc[c] == mc[c]
                    mc[c] = 0
                if ma[x] > 0:
                    da += cell_term(na[x], tabled, grassberger) - cell_term(na[x] - ma[x], tabled, grassberger)
                    la += na[x] == ma[x]
                    ma[x] = 0
                if mb[y] > 0:
                    db += cell_term(nb[y], tabled, grassberger) - cell_term(nb[y] - mb[y], tabled, grassberger)
                    lb += nb[y] == mb[y]
                    mb[y] = 0
            m = n - (hi - lo)
            left[g, i] = (_entropy(sa - da, m, oa - la, miller_madow) + _entropy(sb - db, m, ob - lb, miller_madow)
                          - _entropy(sc - dc, m, oc - lc, miller_madow))
    return mi, left


@njit(cache=True)
def _sums(counts, tabled, grassberger):
    """``sum f(n)`` over a table's cells, and its occupied cells."""
    s, occupied = 0.0, 0
    for c in range(counts.shape[0]):
        if counts[c] > 0:
            s += cell_term(counts[c], tabled, grassberger)
            occupied += 1
    return s, occupied


@njit(cache=True)
def _left_sums(counts, part, tabled, grassberger):
    """``sum f(n - m)`` over the cells with ``m`` of a group left out, and the cells still occupied."""
    s, occupied = 0.0, 0
    for c in range(counts.shape[0]):
        rest = counts[c] - part[c]
        if rest > 0:
            s += cell_term(rest, tabled, grassberger)
            occupied += 1
    return s, occupied


@njit(cache=True)
def _paired_mi_dense(first, second, group_start, prefix, k, tabled, grassberger, miller_madow, leave_out):
    """:func:`_paired_mi` for small alphabets: pairs only counted, every table summed cell by cell per lag.

    Each group's table is kept beside the total, so leaving a group out costs ``K^2`` a lag, not its pairs.
    """
    n_groups, n_lags = prefix.shape
    nc = np.zeros(k * k, dtype=np.int64)
    na = np.zeros(k, dtype=np.int64)
    nb = np.zeros(k, dtype=np.int64)
    width = n_groups if leave_out else 1
    gc = np.zeros((width, k * k if leave_out else 1), dtype=np.int64)
    ga = np.zeros((width, k if leave_out else 1), dtype=np.int64)
    gb = np.zeros((width, k if leave_out else 1), dtype=np.int64)
    done = np.zeros(n_groups, dtype=np.int64)
    mi = np.zeros(n_lags)
    left = np.zeros((n_groups, n_lags))
    n = 0
    for i in range(n_lags - 1, -1, -1):
        for g in range(n_groups):
            lo = group_start[g]
            for j in range(lo + done[g], lo + prefix[g, i]):
                x, y = first[j], second[j]
                nc[x * k + y] += 1
                na[x] += 1
                nb[y] += 1
                if leave_out:
                    gc[g, x * k + y] += 1
                    ga[g, x] += 1
                    gb[g, y] += 1
            n += prefix[g, i] - done[g]
            done[g] = prefix[g, i]
        sc, oc = _sums(nc, tabled, grassberger)
        sa, oa = _sums(na, tabled, grassberger)
        sb, ob = _sums(nb, tabled, grassberger)
        mi[i] = (_entropy(sa, n, oa, miller_madow) + _entropy(sb, n, ob, miller_madow)
                 - _entropy(sc, n, oc, miller_madow))
        if not leave_out:
            continue
        for g in range(n_groups):
            m = n - prefix[g, i]
            sc, oc = _left_sums(nc, gc[g], tabled, grassberger)
            sa, oa = _left_sums(na, ga[g], tabled, grassberger)
            sb, ob = _left_sums(nb, gb[g], tabled, grassberger)
            left[g, i] = (_entropy(sa, m, oa, miller_madow) + _entropy(sb, m, ob, miller_madow)
                          - _entropy(sc, m, oc, miller_madow))
    return mi, left


def paired_mi(first: np.ndarray, second: np.ndarray, room: np.ndarray, group_start: np.ndarray, lags: np.ndarray,
              alphabet_size: int, estimator: str, *, leave_out: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """MI (nats) of the pairs ``(first[j], second[j])`` with ``room[j] > d``, at every lag ``d``.

    ``first``, ``second`` and ``room`` are ordered by group and, within a group, by ``room``
    descending (``group_start[g]`` is where group ``g`` starts); returns the MI per lag and,
    with ``leave_out``, the ``(n_groups, n_lags)`` MI with each group left out.

    >>> x = np.array([0, 1, 0, 1, 1, 0])
    >>> mi, _ = paired_mi(x[:-1], x[1:], np.arange(6, 1, -1), np.array([0, 5]), np.array([1]), 2, "plugin")
    >>> float(mi.round(4)[0])  # the pairs 01, 10, 01, 11, 10
    0.2911
    """
    if not is_cell_term(estimator):
        raise InputError(f"the stream null sums cell terms; estimator {estimator!r} has none: use grassberger, "
                         "plugin or miller_madow")
    k = int(alphabet_size)
    first = np.ascontiguousarray(first, dtype=np.int64)
    second = np.ascontiguousarray(second, dtype=np.int64)
    group_start = np.asarray(group_start, dtype=np.int64)
    prefix = _prefixes(np.asarray(room), group_start, np.asarray(lags, dtype=np.int64))
    tabled, grassberger = cell_term_table(estimator)
    mm = estimator == "miller_madow"
    if k * k <= DENSE_CELLS:
        return _paired_mi_dense(first, second, group_start, prefix, k, tabled, grassberger, mm, leave_out)
    cells, cell = np.unique(first * k + second, return_inverse=True)
    return _paired_mi(cell.astype(np.int64), first, second, group_start, prefix, len(cells), k, tabled, grassberger,
                      mm, leave_out)


def _loop_offsets(lengths: np.ndarray, periods: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An offset in ``[n/4, 3n/4)`` that the period does not divide, for each looper (rejection sampling)."""
    low = lengths // 4
    high = np.maximum(3 * lengths // 4, low + 1)
    out = rng.integers(low, high)
    for _ in range(64):  # a period >= 2 leaves at least half of any 2+ consecutive offsets
        bad = (out % periods == 0) | (out <= 0)
        if not bad.any():
            break
        out[bad] = rng.integers(low[bad], high[bad])
    bad = (out % periods == 0) | (out <= 0)
    out[bad] = 1  # a range without a free offset (streams shorter than 8); 1 is never a multiple of p >= 2
    return out


@njit(cache=True)
def _permute_runs(positions, order, block):
    """``positions`` cut into runs of ``block``, the runs put in ``order`` (the last run may be short)."""
    n = positions.shape[0]
    out = np.empty(n, dtype=np.int64)
    j = 0
    for r in order:
        for i in range(r * block, min(r * block + block, n)):
            out[j] = positions[i]
            j += 1
    return out


def _block_permuted(positions: np.ndarray, rng: np.random.Generator, block: int = CROSS_BLOCK) -> np.ndarray:
    """A partner for each of ``positions``: the runs of ``block`` consecutive ones, permuted at random.

    Each position is a partner once; inside a run the symbols stay in order, so each side keeps
    its short-range autocorrelation.

    >>> p = _block_permuted(np.arange(10), np.random.default_rng(0), 4)
    >>> sorted(p.tolist()) == list(range(10)), p.tolist()  # runs 0-3, 4-7 and 8-9, permuted
    (True, [8, 9, 0, 1, 2, 3, 4, 5, 6, 7])
    """
    order = rng.permutation(-(-len(positions) // block))
    return _permute_runs(np.ascontiguousarray(positions, dtype=np.int64), order, block)


def _partners(bounds: np.ndarray, periods: np.ndarray, rng: np.random.Generator, offsets: np.ndarray | None = None,
              free: np.ndarray | None = None, rest_positions: np.ndarray | None = None) -> np.ndarray:
    """One draw's partner position for every position (see the module notes, steps 1-4).

    ``offsets`` and ``free`` are :func:`repeat_offsets`' answer (None: no stream repeats without
    looping); ``rest_positions`` the positions of the streams paired with the others (computed
    here when not given).
    """
    shift, repeats = _shifts(bounds, periods, rng, offsets, free)
    return _positions(bounds, periods, shift, repeats, rng, rest_positions)


def _shifts(bounds: np.ndarray, periods: np.ndarray, rng: np.random.Generator, offsets: np.ndarray | None,
            free: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Each stream's offset in one draw, and which streams repeat without looping (steps 1-3)."""
    lengths = np.diff(bounds)
    shift = np.zeros(len(lengths), dtype=np.int64)
    loops = periods >= 2
    shift[loops] = _loop_offsets(lengths[loops], periods[loops], rng)
    # A stream of one token reads the same at every lag, whatever the dependence: it stays as it is.
    repeats = (periods == 0) & (free.any(axis=1) if free is not None else False)
    for s in np.flatnonzero(repeats):
        shift[s] = offsets[s, rng.choice(np.flatnonzero(free[s]))]
    rest = (periods == 0) & ~repeats
    shift[rest] = lengths[rest] // 2  # kept only where a single stream does not loop: its own far half
    return shift, repeats


def _positions(bounds: np.ndarray, periods: np.ndarray, shift: np.ndarray, repeats: np.ndarray,
               rng: np.random.Generator, rest_positions: np.ndarray | None = None) -> np.ndarray:
    """Partner positions from :func:`_shifts`' offsets; the streams that neither loop nor repeat
    paired with each other in permuted runs (step 4)."""
    lengths = np.diff(bounds)
    rest = (periods == 0) & ~repeats
    # Streams that repeat without looping take their partner as far back where it would pass the end:
    # a wrap would join the end's runs of copies to the start's fresh ones and break the clumps.
    positions = _partner_positions(bounds, periods, np.arange(len(lengths)), shift, repeats)
    if rest.sum() >= 2:
        own = np.flatnonzero(np.repeat(rest, lengths)) if rest_positions is None else rest_positions
        positions[own] = _block_permuted(own, rng)
    return positions


@njit(cache=True)
def _split_runs(bounds, streams, start, stop, near, positions):
    """Each of ``streams``' positions ``start ... stop - 1`` (within the stream) given the partner
    ``near`` on (:func:`_with_more_runs`)."""
    for i in range(len(streams)):
        lo = bounds[streams[i]]
        for t in range(start[i], stop[i]):
            positions[lo + t] = lo + t + near[i]


def _with_more_runs(positions: np.ndarray, bounds: np.ndarray, shift: np.ndarray, repeats: np.ndarray,
                    offsets: np.ndarray, free: np.ndarray, rng: np.random.Generator, lags: np.ndarray,
                    n_splits: int = 1) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """``positions`` with one, then two ... ``n_splits`` runs more in each stream that repeats without
    looping, and the runs' counts per lag.

    Such a stream's pairs are clumps that each contiguous run of pairs starts afresh, so its
    self-pairing at a far offset ``o`` (a run forward and, at lags below ``o``, one back) reads
    lower than its lag-``d`` pairs (one run). Here its run forward is split at a random point
    ``a_1``, after which the partner is a second free offset below ``o``; the ``j``-th split cuts the
    last piece again at ``a_j`` (a new free offset from there). Returns the positions after each
    split, the runs beyond one in the draw per lag (streams with ``d < o``), and ``added[j, R - 1]``:
    the streams whose ``j``-th split adds a run at lag ``d`` (``a_j < n - d``) and that had ``R`` runs
    there in the draw. :func:`stream_null` extrapolates the counts to one run a stream
    (``docs/methods.md``, "Streams that repeat without looping exactly"). A stream without a free
    offset below its own for a split, or too short a piece to cut, keeps its runs from there on.
    """
    lengths = np.diff(bounds)
    lags = np.asarray(lags, dtype=np.int64)
    beyond_one = np.zeros(len(lags), dtype=np.int64)
    added = np.zeros((n_splits, 2, len(lags)), dtype=np.int64)
    cuts = [([], [], [], []) for _ in range(n_splits)]  # per split: streams, start, stop, near offset
    for s in np.flatnonzero(repeats):
        o, n = int(shift[s]), int(lengths[s])
        two = lags < o
        beyond_one += two
        below = offsets[s, free[s]]
        below = list(np.unique(below[below < o]))
        start = 0
        for j in range(n_splits):
            if not below or n - o - start < 2:
                break
            start = int(rng.integers(start + 1, n - o))
            near = int(below.pop(int(rng.integers(len(below)))))
            for column, value in enumerate((s, start, n - o, near)):
                cuts[j][column].append(value)
            at = start < n - lags
            added[j, 0] += at & ~two
            added[j, 1] += at & two
    outs = []
    out = positions
    for streams, start, stop, near in cuts:
        out = out.copy()
        if streams:
            _split_runs(bounds, *(np.array(v, dtype=np.int64) for v in (streams, start, stop, near)), out)
        outs.append(out)
    return outs, beyond_one, added


def run_cost_ratio(first_step: np.ndarray, second_step: np.ndarray, first_added: np.ndarray,
                   second_added: np.ndarray) -> float:
    """How much less each further run of pairs costs than the one before, from draws split once and twice.

    A stream that repeats without looping pays for each contiguous run of pairs; the ``R``-th run
    beyond one lowers the estimate by ``c r^(R-1)`` (each step 0.65-0.8 of the one before on
    copiers of one fixed period, cut into up to 5 runs: ``docs/methods.md``, "The cost of a run"). At lag ``d`` the first split adds a run to streams that had
    one (``first_added[:, 0]``) or two (``[:, 1]``), so its step is ``c (A_1 + r A_2)``; the second
    split, one run further on, ``c (r B_1 + r^2 B_2)``. Pooled over draws and lags,
    ``sum S_1 (r B_1 + r^2 B_2) = sum S_2 (A_1 + r A_2)`` (``S`` the summed steps) is a quadratic in
    ``r`` with one positive root. Clipped to ``[MIN_RUN_COST_RATIO, 1]``: 1, a cost linear in the runs,
    where the steps are too small to say (few such streams, or noise).

    ``first_step`` and ``second_step`` are ``(draws, lags)``; the counts ``(draws, 2, lags)``.

    >>> a = np.zeros((1, 2, 3)); a[0, 0] = 10; a[0, 1] = 5  # 10 streams with one run, 5 with two, at each lag
    >>> c, r = -0.01, 0.75
    >>> round(run_cost_ratio(c * (10 + r * 5) * np.ones((1, 3)), c * (r * 10 + r**2 * 5) * np.ones((1, 3)), a, a), 6)
    0.75
    >>> run_cost_ratio(np.zeros((1, 3)), np.zeros((1, 3)), a, a)  # no cost measured: linear
    1.0
    """
    s1, s2 = np.sum(first_step, axis=0), np.sum(second_step, axis=0)
    a1, a2 = np.sum(first_added, axis=0)
    b1, b2 = np.sum(second_added, axis=0)
    roots = np.roots([s1 @ b2, s1 @ b1 - s2 @ a2, -(s2 @ a1)])  # leading zeros dropped: a linear or no root
    roots = roots[np.isreal(roots)].real
    roots = roots[roots > 0]
    if not len(roots) or not (s1 < 0).any():
        return 1.0
    return float(np.clip(roots.max(), MIN_RUN_COST_RATIO, 1.0))


def default_stream_draws(n_symbols: int) -> int:
    """Draws when none are asked for: :data:`STREAM_DRAWS`, fewer for long data (:data:`STREAM_PAIR_BUDGET`).

    >>> default_stream_draws(200_000), default_stream_draws(1_000_000), default_stream_draws(13_000_000)
    (32, 16, 8)
    """
    return int(np.clip(STREAM_PAIR_BUDGET // max(int(n_symbols), 1), MIN_STREAM_DRAWS, STREAM_DRAWS))


def stream_null(codes: np.ndarray, bounds: np.ndarray, lags: np.ndarray, alphabet_size: int, estimator: str,
                groups: np.ndarray, rng: np.random.Generator, *, n_draws: int | None = None,
                jackknife_draws: int = JACKKNIFE_DRAWS) -> StreamNull:
    """The stream null at every lag: ``n_draws`` pairings of the streams (see the module notes).

    ``groups`` gives each stream's jackknife group (:func:`stream_groups`); the curve's own
    jackknife must use the same groups.

    Examples
    --------
    >>> from midecay.synth import looping_streams
    >>> s = looping_streams(64, 128, 300, 0.25, seed=0).symbols
    >>> lags = np.array([1, 2, 61])
    >>> null = stream_null(s.codes, s.bounds, lags, 300, "plugin", stream_groups(s.lengths, 8), np.random.default_rng(0))
    >>> null.draws.shape, null.leave_out.shape, null.looping_share
    ((32, 3), (8, 3), 0.234375)
    """
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    bounds = np.asarray(bounds, dtype=np.int64)
    lags = np.asarray(lags, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    n_draws = default_stream_draws(len(codes)) if n_draws is None else int(n_draws)
    periods = loop_periods(codes, bounds)
    order, room, group_start = _pair_order(bounds, groups)
    first = codes[order]
    offsets, free = repeat_offsets(codes, bounds, rng)
    free &= (periods == 0)[:, None]
    rest = np.flatnonzero(np.repeat((periods == 0) & ~free.any(axis=1), np.diff(bounds)))
    draws = np.empty((int(n_draws), len(lags)))
    # Small alphabets leave groups out per cell, at no cost worth saving: every draw enters.
    n_jack = int(n_draws) if int(alphabet_size) ** 2 <= DENSE_CELLS else min(int(jackknife_draws), int(n_draws))
    repeating = free.any(axis=1).any()
    n_ratio = min(RATIO_DRAWS, int(n_draws)) if repeating else 0
    split = np.empty_like(draws)  # each draw with one run more in every stream that repeats without looping
    twice = np.empty((n_ratio, len(lags)))  # ... and two more, in the first draws: how the cost of a run falls
    lefts, lefts_split = [], []  # the jackknife draws' leave-a-group-out rows, before and after the split
    runs = []
    for i in range(int(n_draws)):
        shift, repeats = _shifts(bounds, periods, rng, offsets, free)
        positions = _positions(bounds, periods, shift, repeats, rng, rest)
        draws[i], left = paired_mi(first, codes[positions[order]], room, group_start, lags, alphabet_size, estimator,
                                   leave_out=i < n_jack)
        if i < n_jack:
            lefts.append(left)
        if not repeating:
            continue
        more, beyond_one, added = _with_more_runs(positions, bounds, shift, repeats, offsets, free, rng, lags,
                                                  n_splits=2 if i < n_ratio else 1)
        runs.append((beyond_one, added))
        split[i], left = paired_mi(first, codes[more[0][order]], room, group_start, lags, alphabet_size, estimator,
                                   leave_out=i < n_jack)
        if i < n_jack:
            lefts_split.append(left)
        if i < n_ratio:
            twice[i] = paired_mi(first, codes[more[1][order]], room, group_start, lags, alphabet_size, estimator)[0]
    extra = {}
    if repeating:  # the cost of the runs beyond one, taken out: the draws extrapolated to one run a stream
        ratio = run_cost_ratio(split[:n_ratio] - draws[:n_ratio], twice - split[:n_ratio],
                               np.array([a[0] for _, a in runs[:n_ratio]]), np.array([a[1] for _, a in runs[:n_ratio]]))
        # Per lag, the cost of a first run beyond one, in units of the first split's step.
        per_run = np.array([e / np.maximum(a[0, 0] + ratio * a[0, 1], 1e-12) * (a[0].sum(axis=0) > 0) for e, a in runs])
        draws = draws - per_run * (split - draws)
        lefts = [left - per_run[i] * (lefts_split[i] - left) for i, left in enumerate(lefts)]
        extra["run_cost_ratio"] = round(float(ratio), 3)
    leave = np.mean(lefts, axis=0)
    loops = float((periods >= 2).mean())
    info = {"method": "streams: loopers paired with themselves where they do not repeat, other streams with each other",
            "streams": int(len(bounds) - 1), "looping_share": round(loops, 4), "looping_streams": int((periods >= 2).sum()),
            "one_token_share": round(float((periods == 1).mean()), 4), "one_token_streams": int((periods == 1).sum()),
            "repeating_share": round(float(free.any(axis=1).mean()), 4), "groups": int(groups.max()) + 1,
            "draws": int(n_draws), **extra}
    return StreamNull(draws, leave, loops, info)
