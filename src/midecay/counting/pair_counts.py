"""The result every counting kernel returns: joint pair counts for each lag."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import InputError

__all__ = ["PairCounts", "count_profile"]


@dataclass(frozen=True, eq=False)
class PairCounts:
    """Counts ``n_ab(d)`` of pairs ``(x_t = a, x_{t+d} = b)`` for each lag ``d``.

    Three forms, one per need:

    * dense, ``dense[i, a, b]``, for small alphabets;
    * sparse cells, ``keys[i]`` (``a * K + b``, grouped by ascending ``a``; order within a group
      unspecified) with ``values[i]`` (their positive counts), for large alphabets;
    * profile only, ``profiles[i] = (c, m)``: ``m[j]`` cells hold exactly ``c[j]`` pairs. This
      and the marginals are all that entropy estimators need; kernels return it when asked
      not to keep cells (it cannot be subtracted or densified).

    Sparse and profile counts carry their marginals (``left_counts``, ``right_counts``, shape
    ``(n_lags, K)``).

    Examples
    --------
    >>> pc = PairCounts.from_dense(np.array([1]), np.array([[[2, 1], [0, 3]]]))
    >>> pc.n_pairs.tolist(), pc.left(0).tolist(), pc.right(0).tolist()
    ([6], [3, 3], [2, 4])
    """

    lags: np.ndarray
    alphabet_size: int
    dense: np.ndarray | None = None
    keys: tuple[np.ndarray, ...] | None = None
    values: tuple[np.ndarray, ...] | None = None
    left_counts: np.ndarray | None = None
    right_counts: np.ndarray | None = None
    profiles: tuple[tuple[np.ndarray, np.ndarray], ...] | None = None

    @classmethod
    def from_dense(cls, lags: np.ndarray, dense: np.ndarray) -> PairCounts:
        dense = np.asarray(dense, dtype=np.int64)
        return cls(np.asarray(lags, dtype=np.int64), int(dense.shape[-1]), dense=dense)

    @classmethod
    def from_sparse(
        cls, lags: np.ndarray, alphabet_size: int, keys: list, values: list,
        left: np.ndarray | None = None, right: np.ndarray | None = None,
    ) -> PairCounts:
        return cls(
            np.asarray(lags, dtype=np.int64), int(alphabet_size), keys=tuple(keys), values=tuple(values),
            left_counts=left, right_counts=right,
        )

    @classmethod
    def from_profile(
        cls, lags: np.ndarray, alphabet_size: int, profiles: list, left: np.ndarray, right: np.ndarray
    ) -> PairCounts:
        return cls(
            np.asarray(lags, dtype=np.int64), int(alphabet_size), left_counts=left, right_counts=right,
            profiles=tuple(profiles),
        )

    @property
    def is_dense(self) -> bool:
        return self.dense is not None

    @property
    def has_cells(self) -> bool:
        """Whether the individual cells are kept (dense or sparse), not just the count profile."""
        return self.dense is not None or self.keys is not None

    def _need_cells(self, what: str) -> None:
        if not self.has_cells:
            raise InputError(f"{what} needs the individual cells; count with cells=True")

    def joint_profile(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct positive joint counts at lag index ``i`` and how many cells hold each."""
        if self.profiles is not None:
            return self.profiles[i]
        return count_profile(self.joint(i))

    @property
    def n_pairs(self) -> np.ndarray:
        """Number of pairs counted at each lag."""
        if self.is_dense:
            return self.dense.reshape(len(self.lags), -1).sum(axis=1)
        if self.left_counts is not None:
            return self.left_counts.sum(axis=1)
        return np.array([int(v.sum()) for v in self.values], dtype=np.int64)

    def joint(self, i: int) -> np.ndarray:
        """Joint counts at lag index ``i`` as a flat array (zeros allowed)."""
        self._need_cells("joint()")
        return self.dense[i].ravel() if self.is_dense else self.values[i]

    def left(self, i: int) -> np.ndarray:
        """Counts of the first symbol of the pairs at lag index ``i``."""
        if self.is_dense:
            return self.dense[i].sum(axis=1)
        if self.left_counts is not None:
            return self.left_counts[i]
        k = self.alphabet_size
        return np.bincount(self.keys[i] // k, weights=self.values[i], minlength=k).astype(np.int64)

    def right(self, i: int) -> np.ndarray:
        """Counts of the second symbol of the pairs at lag index ``i``."""
        if self.is_dense:
            return self.dense[i].sum(axis=0)
        if self.right_counts is not None:
            return self.right_counts[i]
        k = self.alphabet_size
        return np.bincount(self.keys[i] % k, weights=self.values[i], minlength=k).astype(np.int64)

    def to_dense(self) -> np.ndarray:
        """All counts as an ``(n_lags, K, K)`` array (only sensible for small alphabets)."""
        self._need_cells("to_dense()")
        if self.is_dense:
            return self.dense
        k = self.alphabet_size
        out = np.zeros((len(self.lags), k * k), dtype=np.int64)
        for i, (key, val) in enumerate(zip(self.keys, self.values)):
            out[i, key] = val
        return out.reshape(len(self.lags), k, k)

    def to_sparse(self) -> PairCounts:
        """The same counts in sparse form."""
        self._need_cells("to_sparse()")
        if not self.is_dense:
            return self
        flat = self.dense.reshape(len(self.lags), -1)
        keys = [np.flatnonzero(row).astype(np.int64) for row in flat]
        return PairCounts.from_sparse(self.lags, self.alphabet_size, keys, [row[k] for row, k in zip(flat, keys)])

    def __sub__(self, other: PairCounts) -> PairCounts:
        """Counts of ``self`` less those of ``other`` (``other`` must be a subset of the pairs)."""
        self._need_cells("subtraction")
        other._need_cells("subtraction")
        if not np.array_equal(self.lags, other.lags) or self.alphabet_size != other.alphabet_size:
            raise InputError("can only subtract pair counts over the same lags and alphabet")
        if self.is_dense:
            return PairCounts.from_dense(self.lags, self.dense - other.to_dense())
        other = other.to_sparse()
        keys, values = [], []
        for key, val, okey, oval in zip(self.keys, self.values, other.keys, other.values):
            k2, v2 = _subtract_grouped(key, val, okey, oval, self.alphabet_size)
            keys.append(k2)
            values.append(v2)
        indices = range(len(self.lags))
        left = np.stack([self.left(i) - other.left(i) for i in indices])
        right = np.stack([self.right(i) - other.right(i) for i in indices])
        return PairCounts.from_sparse(self.lags, self.alphabet_size, keys, values, left, right)


def count_profile(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct positive values of a count vector and how many times each occurs.

    Examples
    --------
    >>> [a.tolist() for a in count_profile(np.array([0, 3, 1, 3, 3]))]
    [[1, 3], [1, 3]]
    """
    counts = np.asarray(counts)
    counts = counts[counts > 0].astype(np.int64)
    if counts.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if counts.max() <= 4 * len(counts) + 1024:  # moderate integers: bincount beats sorting
        mult = np.bincount(counts)
        values = np.flatnonzero(mult)
        return values.astype(np.int64), mult[values]
    values, mult = np.unique(counts, return_counts=True)
    return values, mult.astype(np.int64)


@njit(cache=True, nogil=True)
def _subtract_grouped(keys, vals, okeys, ovals, k):
    """Sparse ``vals - ovals`` for keys grouped by first symbol; ``okeys`` must be a subset.

    Both key lists are grouped by ascending ``a = key // k`` (order within a group is free),
    so one K-sized scratch row aligns each group without sorting.
    """
    scratch = np.zeros(k, dtype=np.int64)
    out_k = np.empty(len(keys), dtype=np.int64)
    out_v = np.empty(len(keys), dtype=np.int64)
    n_out = 0
    i = 0
    j = 0
    while i < len(keys):
        a = keys[i] // k
        i_end = i
        while i_end < len(keys) and keys[i_end] // k == a:
            i_end += 1
        j_end = j
        while j_end < len(okeys) and okeys[j_end] // k == a:
            scratch[okeys[j_end] % k] += ovals[j_end]
            j_end += 1
        for m in range(i, i_end):
            c = vals[m] - scratch[keys[m] % k]
            if c > 0:
                out_k[n_out] = keys[m]
                out_v[n_out] = c
                n_out += 1
        for m in range(j, j_end):
            scratch[okeys[m] % k] = 0
        i, j = i_end, j_end
    return out_k[:n_out].copy(), out_v[:n_out].copy()
