"""The null distribution of an MI estimate for a sequence that keeps its own autocorrelation.

A shuffled copy shows the estimator's bias for an *independent* sequence of the same size.
A serially dependent sequence has fewer effective samples, so at a lag ``d`` where ``X_t``
and ``X_{t+d}`` are independent its estimate still sits higher. Write the estimate as
``chi2 / (2N)`` with ``chi2 = N sum_ij m_ij^2``, ``m_ij`` the empirical cross-moments of
orthonormal centred functions ``f_i(X_t)``, ``f_j(X_{t+d})``. Under independence at lag ``d``
(and lag ``d`` beyond the correlation time, so four-point moments factorise)

    E[chi2]   = sum_tau w_d(tau) tr R(tau)^2            = (K-1)^2 + 2 S_d,
    Var[chi2] = 2 sum_{tau,tau'} w_d w_d' <R(tau), R(tau')>^2,

summed over ``|tau| < d``, with ``R(tau)`` the ``(K-1) x (K-1)`` autocorrelation matrix of the ``f_i`` at lag ``tau``
(``R(0) = I``, ``R(-tau) = R(tau)^T``), ``<A, B> = tr(A B^T)``, ``S_d = sum_{tau>=1} w_d(tau) c(tau)^2``
and ``c(tau) = tr R(tau) = sum_a P(x_t = a, x_{t+tau} = a) / pi_a - 1``. The weight
``w_d(tau)`` is the fraction of the lag-``d`` pairs whose partner ``tau`` further on is in
the same segment. For an independent sequence only ``tau = 0`` survives: the familiar
``(K-1)^2`` degrees of freedom. For a Markov chain with eigenvalues ``lambda`` this gives the
excess ``sum_{i,j>=2} lambda_i lambda_j / (1 - lambda_i lambda_j) / N`` over the shuffle floor.

The factorisation fails where the two pairs' windows come within the dependence's reach ``m``
of each other, ``d - tau <= m`` (an m-dependent sequence, at the lags ``m < d <= 2m`` right after
its MI ends): there the term is ``c(tau)^2 + Cov(A_t, A_{t+d})`` with ``A_t = [x_t = x_{t+tau}] /
pi(x_t)``, and the covariance, measured on the sample, is added (``NEAR_REACH``; derivation and
measurements in ``docs/methods.md``, "The lag right after a dependence range").

Everything here comes from pair counts of the sequence itself at lags ``tau`` (its
autocorrelation), measured on up to :data:`SAMPLE_SYMBOLS` symbols: every ``tau`` up to
:data:`SCAN_LAGS` (64 for large alphabets), then a log grid (16 per decade) summed with the
spacing as weight, up to the longest segment, and no further than the lag where ``c(tau)``
sinks into its own noise. Alphabets above :data:`MAX_FULL_ALPHABET` use the diagonal
``c(tau)`` alone and an isotropic ``R(tau) = c(tau) / (K-1) I`` for the variance. Checked
against the exact terms of a Markov chain and by simulation (``tests/test_null.py``). The
chi-square approximation behind it needs about one pair per joint cell; :func:`midecay.mi_curve`
leaves the term out (and says so) in sparser tables, and takes the null's spread from the
shuffles themselves plus this module's increment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from ..counting import KERNELS
from ..counting.windows import windows_from_bounds
from ..micurve import PeriodScan
from ..sequences import Symbols

__all__ = ["AutocorrelationSample", "AutocorrelationTerms", "PeriodScan", "autocorrelation_terms", "SAMPLE_SYMBOLS", "MAX_FULL_ALPHABET",
           "SCAN_LAGS", "NEAR_REACH"]

#: Symbols the autocorrelation is measured on (evenly spread blocks of a longer sequence).
SAMPLE_SYMBOLS = 1 << 21
#: Largest alphabet for which the full autocorrelation matrices enter the variance.
MAX_FULL_ALPHABET = 128
#: Consecutive lags scanned for periodicity (small alphabets); the null uses them too.
SCAN_LAGS = 256
_EXACT_TAUS = 64
_PER_DECADE = 16
#: Longest reach of the autocorrelation for which the four-point covariance near it is measured: its
#: cost is (sample) x reach^2 / 2, and a reach this long means MI at every lag the term would change.
NEAR_REACH = 16


def _tau_grid(longest: int, exact: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelation lags (every lag up to ``exact``, then log-spaced) and the integers each stands for."""
    top = max(int(longest) - 1, 1)
    exact = max(int(exact), 1)
    first = np.arange(1, min(exact, top) + 1)
    if top <= exact:
        return first, np.ones(len(first))
    n_log = int(math.ceil(_PER_DECADE * math.log10(top / exact))) + 1
    far = np.unique(np.rint(np.geomspace(exact, top, n_log)).astype(np.int64))
    taus = np.unique(np.concatenate([first, far]))
    # Each lag stands for the integers halfway to its neighbours.
    edges = np.concatenate([[0.5], (taus[:-1] + taus[1:]) / 2.0, [taus[-1] + 0.5]])
    return taus, np.diff(edges)


def _sample_windows(bounds: np.ndarray, budget: int) -> np.ndarray:
    """Windows over at most ``budget`` symbols: whole segments, or evenly spread blocks of long ones."""
    n = int(bounds[-1])
    if n <= budget:
        return windows_from_bounds(bounds)
    n_blocks = 4
    size = budget // n_blocks
    starts = np.linspace(0, n - size, n_blocks).astype(np.int64)
    rows = []
    seg_start, seg_end = bounds[:-1], bounds[1:]
    for lo in starts:
        hi = lo + size
        s = np.maximum(seg_start, lo)
        e = np.minimum(seg_end, hi)
        keep = s < e
        rows.append(np.stack([s[keep], e[keep], e[keep]], axis=1))
    return np.ascontiguousarray(np.concatenate(rows))


@njit(cache=True, nogil=True, parallel=True)
def _diagonal_overlap(codes, windows, taus, inv_pi):
    """For each tau: sum over pairs (t, t + tau) inside a window of [x_t == x_{t+tau}] / pi(x_t), and the pair count."""
    out = np.zeros(len(taus))
    pairs = np.zeros(len(taus))
    for i in prange(len(taus)):
        tau = taus[i]
        acc = 0.0
        n = 0
        for w in range(windows.shape[0]):
            start, stop = windows[w, 0], windows[w, 2] - tau
            for t in range(start, stop):
                a = codes[t]
                if a == codes[t + tau]:
                    acc += inv_pi[a]
            if stop > start:
                n += stop - start
        out[i] = acc
        pairs[i] = n
    return out, pairs


@njit(cache=True, nogil=True, parallel=True)
def _near_covariance(codes, windows, taus, lags, inv_pi):
    """For each ``(taus[i], lags[i])``: Cov(A_t, A_{t+d}) with ``A_t = [x_t == x_{t+tau}] / pi(x_t)``, over
    the positions where both repeats fit inside a window."""
    out = np.zeros(len(taus))
    for i in prange(len(taus)):
        tau, d = taus[i], lags[i]
        s1 = s2 = s12 = 0.0
        n = 0
        for w in range(windows.shape[0]):
            for t in range(windows[w, 0], windows[w, 2] - d - tau):
                a1 = inv_pi[codes[t]] if codes[t] == codes[t + tau] else 0.0
                a2 = inv_pi[codes[t + d]] if codes[t + d] == codes[t + d + tau] else 0.0
                s1 += a1
                s2 += a2
                s12 += a1 * a2
                n += 1
        if n > 1:
            out[i] = s12 / n - (s1 / n) * (s2 / n)
    return out


def _pair_weights(lengths: np.ndarray, d: int, taus: np.ndarray) -> np.ndarray:
    """``w_d(tau)``: the share of lag-``d`` pairs whose partner ``tau`` further on stays in the segment."""
    room = np.sort(np.maximum(lengths - d, 0).astype(np.float64))
    total = room.sum()
    if total == 0:
        return np.zeros(len(taus))
    # sum over segments of max(room - tau, 0): the rooms above tau, less tau for each of them.
    above = np.searchsorted(room, taus, side="right")
    tail = np.concatenate([np.cumsum(room[::-1])[::-1], [0.0]])
    return (tail[above] - taus * (len(room) - above)) / total


@dataclass(frozen=True)
class AutocorrelationTerms:
    """What the sequence's own autocorrelation adds to the null at each lag (chi-square units).

    ``s[i]`` is ``S_d`` and ``cross[i]`` is ``sum_{tau,tau'>=1} w w' (<R, R'>^2 + <R, R'^T>^2)``
    at lag ``lags[i]`` (NaN for large alphabets, where the variance is taken as isotropic).
    """

    s: np.ndarray
    cross: np.ndarray
    info: dict

    def moments(self, dof_iid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of ``chi2`` under the null, given the independent-sequence dof ``(K_a-1)(K_b-1)``."""
        dof_iid = np.maximum(np.asarray(dof_iid, dtype=np.float64), 1.0)
        mean = dof_iid + 2.0 * self.s
        isotropic = 2.0 * mean**2 / dof_iid
        full = 2.0 * (dof_iid + 4.0 * self.s + 2.0 * np.nan_to_num(self.cross))
        return mean, np.where(np.isfinite(self.cross), full, isotropic)


class AutocorrelationSample:
    """Pair counts of (a sample of) the sequence at lags ``tau``: its autocorrelation.

    Counted once per curve; :meth:`terms` gives the null's autocorrelation terms at any lags,
    :meth:`scan` the MI at consecutive lags for periodicity.
    """

    def __init__(self, symbols: Symbols, *, scan_lags: int = SCAN_LAGS, sample_symbols: int = SAMPLE_SYMBOLS) -> None:
        codes = np.asarray(symbols.codes)
        self.lengths = symbols.lengths
        self.windows = _sample_windows(symbols.bounds, sample_symbols)
        sample_lengths = self.windows[:, 2] - self.windows[:, 0]
        self.sample_symbols = int(sample_lengths.sum())
        k = symbols.alphabet_size
        counts = np.zeros(k, dtype=np.int64)
        for start, _, end in self.windows:
            counts += np.bincount(codes[start:end], minlength=k)[:k]
        occupied = counts > 0
        self.k_eff = int(occupied.sum())
        pi = counts / counts.sum()
        self._codes, self._mapped = codes, symbols.codes  # the second keeps a memory map's handle, for release
        self._inv_pi = np.where(occupied, 1.0 / np.where(occupied, pi, 1.0), 0.0)
        self.full = self.k_eff <= MAX_FULL_ALPHABET and k <= 4 * MAX_FULL_ALPHABET
        self.taus, self.spacing = _tau_grid(int(sample_lengths.max()), exact=scan_lags if self.full else _EXACT_TAUS)
        self.scan_lags = min(scan_lags, len(self.taus)) if self.full else 0
        #: ``(lags, excess of repeats, pairs)`` at lags 1 ... scan_lags, for alphabets too large for joint tables.
        self.repeat_scan: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if self.full:
            pc = KERNELS["dense" if k > 8 else "bitset"].count(codes, self.windows, self.taus, k, codes_checked=True)
            joint = pc.to_dense().astype(np.float64)[:, occupied][:, :, occupied]
            self.joint = joint
            self.n_tau = joint.reshape(len(self.taus), -1).sum(axis=1)
            root = np.sqrt(pi[occupied])
            q = joint / np.maximum(self.n_tau, 1.0)[:, None, None] / np.outer(root, root)[None] - np.outer(root, root)[None]
            self.c = np.einsum("tii->t", q)
            flat = q.reshape(len(self.taus), -1)
            self.g_same = flat @ flat.T  # <R(tau), R(tau')>
            self.g_flip = flat @ q.transpose(0, 2, 1).reshape(len(self.taus), -1).T  # <R(tau), R(tau')^T>
            # Each <R, R> carries ~(K-1)^2 / n of sampling noise on its diagonal.
            diag = np.diag_indices_from(self.g_same)
            self.g_same[diag] = np.maximum(self.g_same[diag] - (self.k_eff - 1) ** 2 / np.maximum(self.n_tau, 1.0), 0.0)
        else:
            inv_pi = self._inv_pi
            overlap, self.n_tau = _diagonal_overlap(codes, self.windows, self.taus, inv_pi)
            self.c = overlap / np.maximum(self.n_tau, 1.0) - 1.0
            # No joint table fits a large alphabet, but the excess of repeats at every lag 1 ... scan_lags
            # does: a period's peaks show in it as in the MI (a copy x_t = x_{t-p} most of all).
            scan_taus = np.arange(1, min(scan_lags, int(sample_lengths.max()) - 1) + 1, dtype=np.int64)
            repeats, scan_pairs = _diagonal_overlap(codes, self.windows, scan_taus, inv_pi)
            self.repeat_scan = (scan_taus, repeats / np.maximum(scan_pairs, 1.0) - 1.0, scan_pairs)
        # ĉ(tau) has variance ~(K-1)/n under independence. Once ĉ has sunk into that noise for
        # good the remaining terms are noise, which the wide far-lag spacing would multiply, and
        # a stray 3-sigma lag further on would drag in: stop there. "For good" is a stretch of
        # quiet lags as long again as tau plus the exact scan: a periodic autocorrelation (a
        # copy of the symbol p back, sequential images) is quiet between its multiples of p, and
        # stopping at the first two quiet lags dropped all of it (every lag flagged).
        self._release(int(self.taus.max(initial=0)))
        noise_c2 = (self.k_eff - 1) / np.maximum(self.n_tau, 1.0)
        # ĉ of an autocorrelated sequence is noisier than that (Bartlett: its variance grows by
        # 1 + 2 sum_u c(u)^2 / (K-1)); a sticky binary chain otherwise reads a "loud" lag in every
        # few hundred. The sum is taken over the lags before ĉ first dips into the plain noise.
        plain_quiet = self.c**2 <= 9.0 * noise_c2
        dips = np.flatnonzero(plain_quiet[:-1] & plain_quiet[1:]) if len(self.taus) > 1 else np.flatnonzero(plain_quiet)
        head = int(dips[0]) if len(dips) else len(self.taus)
        short = np.maximum(self.c[:head] ** 2 - noise_c2[:head], 0.0) * self.spacing[:head]
        noise_c2 = noise_c2 * (1.0 + 2.0 * float(short.sum()) / max(self.k_eff - 1, 1))
        quiet = self.c**2 <= 9.0 * noise_c2
        self.cut = _quiet_for_good(self.taus, quiet, scan_lags if self.full else _EXACT_TAUS)
        # Before the cut, only lags where ĉ stands out of its noise: the quiet ones between a
        # period's multiples add nothing but noise (times their spacing, and squared in the variance).
        inside = (np.arange(len(self.taus)) < self.cut) & ~quiet
        self.c2 = np.where(inside, np.maximum(self.c**2 - noise_c2, 0.0), 0.0)
        self.gram = np.where(np.outer(inside, inside), self.g_same**2 + self.g_flip**2, 0.0) if self.full else None

    def _release(self, past: int) -> None:
        """Release the sampled windows' pages (and ``past`` symbols beyond each): a memory-mapped corpus keeps none resident."""
        from .._memmap import release

        for start, _, end in self.windows:
            release(self._mapped, int(start), int(end) + past)

    def terms(self, lags: np.ndarray) -> AutocorrelationTerms:
        """The autocorrelation terms of the null at each of ``lags``."""
        s_d = np.empty(len(lags))
        cross = np.full(len(lags), np.nan)
        # An autocorrelation that dies out within the sample enters whole, at every lag: pairs
        # (t, t+d) and (t+tau, t+tau+d) share it whether tau is shorter than d or not (a copy
        # process with period 12 has I(23) = 0 and c(12), c(24), c(36) ... all count). One that
        # never dies out (flat, strictly periodic) enters only below d: its excess would not
        # shrink with N, and a curve that never decays must not be swallowed by its own null.
        dies_out = self.cut < len(self.taus)
        near = self._near_terms(np.asarray(lags)) if dies_out else {}
        for i, d in enumerate(lags):
            w = _pair_weights(self.lengths, int(d), self.taus) * self.spacing * ((self.taus < d) | dies_out)
            s_d[i] = float((w * (self.c2 + near.get(int(d), 0.0))).sum())
            if self.full:
                cross[i] = float(w @ self.gram @ w)
        info = {
            "method": "analytic, from the sequence's autocorrelation",
            "variance": "full autocorrelation matrices" if self.full else "isotropic (large alphabet)",
            "reach": int(self.taus[self.cut - 1]) if self.cut else 0,
            "sample_symbols": self.sample_symbols,
        }
        return AutocorrelationTerms(s_d, cross, info)

    def _near_terms(self, lags: np.ndarray) -> dict[int, np.ndarray]:
        """``Cov(A_t, A_{t+d})`` at each tau (zero where ĉ(tau) is quiet) for the lags ``reach < d <= 2 reach``,
        where the two pairs' windows are within the reach of each other (see the module notes); nothing
        for a reach over :data:`NEAR_REACH`."""
        # The reach here is the end of the run of loud lags from tau = 1 (an m-dependent sequence's m), not
        # the cut, which waits for a long quiet stretch; a stray loud lag far out is not a reach.
        loud = self.c2 > 0
        head = int(np.argmin(loud)) if not loud.all() else len(loud)
        inside = np.arange(head) if head and self.taus[head - 1] == head else np.arange(0)
        reach = int(self.taus[inside[-1]]) if len(inside) else 0
        near = np.unique([int(d) for d in lags if reach < d <= 2 * reach])
        if not 0 < reach <= NEAR_REACH or not len(inside) or not len(near):
            return {}
        # Only taus with d - tau <= reach: further apart, the windows share nothing and Cov = 0.
        pairs = [(int(i), int(d)) for d in near for i in inside if d - self.taus[i] <= reach]
        if not pairs:
            return {}
        index, ds = np.array(pairs, dtype=np.int64).T
        cov = _near_covariance(self._codes, self.windows, self.taus[index].astype(np.int64), ds, self._inv_pi)
        self._release(0)
        out = {int(d): np.zeros(len(self.taus)) for d in near}
        for i, d, value in zip(index, ds, cov):
            out[int(d)][i] = value
        return out

    def scan(self, estimator: str = "grassberger") -> PeriodScan | None:
        """MI at lags ``1 … scan_lags`` on the sample (the excess of repeats for large alphabets), with its noise level."""
        from ..estimators import mutual_information_tables

        if not self.scan_lags:
            if self.repeat_scan is None or len(self.repeat_scan[0]) < 9:
                return None
            taus, excess, pairs = self.repeat_scan
            # ĉ has standard deviation sqrt((K - 1) / n) under independence.
            return PeriodScan(taus.astype(np.float64), excess, np.sqrt(max(self.k_eff - 1, 1) / np.maximum(pairs, 1.0)),
                              measure="repeats")
        m = self.scan_lags
        mi = mutual_information_tables(np.rint(self.joint[:m]).astype(np.int64), estimator)
        dof = max(self.k_eff - 1, 1) ** 2
        noise = np.sqrt(2.0 * dof) / (2.0 * np.maximum(self.n_tau[:m], 1.0))
        return PeriodScan(self.taus[:m].astype(np.float64), mi, noise)


def _quiet_for_good(taus: np.ndarray, quiet: np.ndarray, scan: int) -> int:
    """Index of the first quiet lag after which every lag up to ``2 tau + scan`` is quiet too (else all).

    >>> taus = np.arange(1, 101)
    >>> quiet = (taus % 12 != 0) | (taus > 40)  # loud at 12, 24, 36
    >>> int(taus[_quiet_for_good(taus, quiet, 16)])
    37
    """
    loud_before = np.concatenate([[0], np.cumsum(~quiet)])  # loud lags among the first i
    reach = np.searchsorted(taus, 2 * taus + scan, side="right")
    for i in np.flatnonzero(quiet):
        if loud_before[reach[i]] == loud_before[i]:
            return int(i)
    return len(taus)


def autocorrelation_terms(symbols: Symbols, lags: np.ndarray) -> AutocorrelationTerms:
    """The autocorrelation terms of the null at each lag (see the module notes).

    For an independent sequence ``s`` and ``cross`` are ~0; for the sticky 27-state de Bruijn
    chain of the tests they reproduce the exact ones within a few percent.
    """
    return AutocorrelationSample(symbols).terms(np.asarray(lags))


#: The smallest sample :func:`sample_budget` gives a long sequence. The null's terms would do
#: with less (their sampling noise, about (K-1)/n per lag, is subtracted, and what is left is
#: nothing beside the floor's own spread); the period scan would not: on sequential MNIST a
#: sample of 1.8*10^5 pixels (a third of the curve's counting, from 2^17) no longer tells the
#: row period of 28 from its half, 2.7*10^5 does (tests/test_design.py).
MIN_SAMPLE_SYMBOLS = 1 << 18


def sample_budget(n_symbols: int, n_lags: int, scan_lags: int = SCAN_LAGS) -> int:
    """Symbols the autocorrelation sample takes: its pair counts cost at most half the curve's own.

    A curve of ``n_lags`` lags counts ``n_symbols * n_lags`` pairs; the sample counts
    ``sample * n_taus``, with ``n_taus`` about ``scan_lags`` plus the log-spaced lags beyond.
    Between :data:`MIN_SAMPLE_SYMBOLS` and :data:`SAMPLE_SYMBOLS` (sequences shorter than that
    are taken whole).

    >>> sample_budget(10**8, 19), sample_budget(10**7, 19), sample_budget(10**5, 19)
    (2097152, 312500, 262144)
    """
    n_taus = scan_lags + _PER_DECADE * 3  # the far lags of a sample of ~10^5-10^6 symbols
    return int(min(SAMPLE_SYMBOLS, max(MIN_SAMPLE_SYMBOLS, n_symbols * n_lags // (2 * n_taus))))
