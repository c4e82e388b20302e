"""Bit-parallel pair counting for tiny alphabets (binary, DNA: at most 8 symbols).

Each symbol ``a`` becomes a bit plane ``M_a`` (bit ``t`` set where ``x_t = a``), packed 64
positions to a word. Then ``n_ab(d) = popcount(M_a & (M_b shifted by d))``: one AND and one
POPCNT handle 64 positions. Only the ``(K-1)^2`` cells with ``a, b < K-1`` are counted this
way; the last row and column follow exactly from the marginals, which come from per-word
prefix popcounts in O(1) per window. A binary sequence thus needs one AND per 64 pairs.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from ..errors import InputError
from .checks import checked_kernel
from .pair_counts import PairCounts

__all__ = ["count_bitset", "MAX_BITSET_ALPHABET"]

MAX_BITSET_ALPHABET = 8


@intrinsic
def _popcount(typingctx, x):
    """The CPU's POPCNT (LLVM ctpop) on a uint64."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        fn = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
        return builder.call(fn, [args[0]])

    return sig, codegen


@njit(cache=True, nogil=True)
def _pack_planes(codes, k):
    n = codes.shape[0]
    n_words = (n >> 6) + 2  # two zero words of padding so shifted reads never run off
    planes = np.zeros((k, n_words), dtype=np.uint64)
    for t in range(n):
        planes[np.int64(codes[t]), t >> 6] |= np.uint64(1) << np.uint64(t & 63)
    prefix = np.zeros((k, n_words + 1), dtype=np.int64)
    for a in range(k):
        for w in range(n_words):
            prefix[a, w + 1] = prefix[a, w] + np.int64(_popcount(planes[a, w]))
    return planes, prefix


@njit(inline="always")
def _low_mask(bits):
    # Bits 0 … bits-1 set; bits in [0, 64).
    return (np.uint64(1) << np.uint64(bits)) - np.uint64(1)


@njit(cache=True, nogil=True)
def _ones_in_range(plane, prefix, lo, hi):
    """Set bits of one plane at positions lo … hi-1."""
    if hi <= lo:
        return 0
    w_lo, w_hi = lo >> 6, hi >> 6
    total = prefix[w_hi] - prefix[w_lo]
    total -= np.int64(_popcount(plane[w_lo] & _low_mask(lo & 63)))
    total += np.int64(_popcount(plane[w_hi] & _low_mask(hi & 63)))
    return total


@njit(inline="always")
def _shifted_word(plane, w, q, r):
    # 64 bits of the plane starting at bit 64*w + d, where d = 64*q + r.
    j = w + q
    if r == 0:
        return plane[j]
    return (plane[j] >> np.uint64(r)) | (plane[j + 1] << np.uint64(64 - r))


@njit(cache=True, nogil=True)
def _and_count(pa, pb, d, lo, hi):
    """Positions t in [lo, hi) with bit t of pa and bit t+d of pb both set."""
    if hi <= lo:
        return 0
    q, r = d >> 6, d & 63
    w_lo, w_last = lo >> 6, (hi - 1) >> 6
    first_mask = ~_low_mask(lo & 63)
    tail = hi & 63
    last_mask = _low_mask(tail) if tail != 0 else ~np.uint64(0)
    if w_lo == w_last:
        z = pa[w_lo] & _shifted_word(pb, w_lo, q, r) & first_mask & last_mask
        return np.int64(_popcount(z))
    total = np.int64(_popcount(pa[w_lo] & _shifted_word(pb, w_lo, q, r) & first_mask))
    for w in range(w_lo + 1, w_last):
        total += np.int64(_popcount(pa[w] & _shifted_word(pb, w, q, r)))
    total += np.int64(_popcount(pa[w_last] & _shifted_word(pb, w_last, q, r) & last_mask))
    return total


@njit(parallel=True, cache=True)
def _bitset_kernel(planes, prefix, windows, lags, k):
    n_lags = lags.shape[0]
    out = np.zeros((n_lags, k, k), dtype=np.int64)
    for li in prange(n_lags):
        d = lags[li]
        left = np.zeros(k, dtype=np.int64)
        right = np.zeros(k, dtype=np.int64)
        for w in range(windows.shape[0]):
            lo = windows[w, 0]
            hi = min(windows[w, 1], windows[w, 2] - d)
            if hi <= lo:
                continue
            for a in range(k - 1):
                for b in range(k - 1):
                    out[li, a, b] += _and_count(planes[a], planes[b], d, lo, hi)
            for a in range(k):
                left[a] += _ones_in_range(planes[a], prefix[a], lo, hi)
                right[a] += _ones_in_range(planes[a], prefix[a], lo + d, hi + d)
        # The last row and column are what the marginals leave over.
        for a in range(k - 1):
            row, col = left[a], right[a]
            for b in range(k - 1):
                row -= out[li, a, b]
                col -= out[li, b, a]
            out[li, a, k - 1] = row
            out[li, k - 1, a] = col
        corner = left[k - 1]
        for b in range(k - 1):
            corner -= out[li, k - 1, b]
        out[li, k - 1, k - 1] = corner
    return out


@checked_kernel
def count_bitset(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True) -> PairCounts:
    """Count pairs of a tiny alphabet (``K <= 8``) with AND + POPCNT on packed bit planes.

    Memory: ``K`` bit planes (``K * N / 8`` bytes) and their per-word prefix counts.

    Examples
    --------
    >>> codes = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    >>> count_bitset(codes, np.array([[0, 5, 5]]), np.array([1]), 2).to_dense()[0].tolist()
    [[0, 2], [1, 1]]
    """
    k = int(alphabet_size)
    if k > MAX_BITSET_ALPHABET:
        raise InputError(f"the bitset backend takes alphabets of at most {MAX_BITSET_ALPHABET} symbols, got {k}; use backend='dense'")
    lags = np.ascontiguousarray(lags, dtype=np.int64)
    if k == 1:
        n = np.array([sum(max(0, min(u, e - d) - s) for s, u, e in windows) for d in lags], dtype=np.int64)
        return PairCounts.from_dense(lags, n.reshape(-1, 1, 1))
    windows = np.ascontiguousarray(windows, dtype=np.int64)
    if len(windows) == 0:
        return PairCounts.from_dense(lags, np.zeros((len(lags), k, k), dtype=np.int64))
    # Pack only the span the windows reach: a jackknife block (or a slice) costs its share.
    # A pair (t, t + d) needs t < first_stop and t + d < end: nothing past first_stop + max(d).
    lo = int(windows[:, 0].min())
    hi = min(int(windows[:, 2].max()), int(windows[:, 1].max()) + int(lags.max()))
    local = windows - lo
    local[:, 2] = np.minimum(local[:, 2], hi - lo)
    planes, prefix = _pack_planes(codes[lo:hi], k)
    out = _bitset_kernel(planes, prefix, local, lags, k)
    return PairCounts.from_dense(lags, out)
