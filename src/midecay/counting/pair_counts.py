"""The result every counting kernel returns: joint pair counts for each lag."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PairCounts", "windows_from_bounds"]


def windows_from_bounds(bounds: np.ndarray) -> np.ndarray:
    """Counting windows ``(start, first_stop, end)`` for whole segments.

    A window says: count pairs ``(t, t + d)`` with ``start <= t < first_stop`` and
    ``t + d < end``. For a whole segment ``first_stop == end``; the block jackknife uses
    windows whose first positions cover one block while pairs may still reach past it.
    """
    bounds = np.asarray(bounds, dtype=np.int64)
    return np.ascontiguousarray(np.stack([bounds[:-1], bounds[1:], bounds[1:]], axis=1))


@dataclass(frozen=True, eq=False)
class PairCounts:
    """Counts ``n_ab(d)`` of pairs ``(x_t = a, x_{t+d} = b)`` for each lag ``d``.

    Stored densely, ``dense[i, a, b]``, for small alphabets, or sparsely for large ones:
    ``keys[i]`` (sorted ``a * K + b``) with ``values[i]`` (their positive counts).

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

    @classmethod
    def from_dense(cls, lags: np.ndarray, dense: np.ndarray) -> PairCounts:
        dense = np.asarray(dense, dtype=np.int64)
        return cls(np.asarray(lags, dtype=np.int64), int(dense.shape[-1]), dense=dense)

    @classmethod
    def from_sparse(cls, lags: np.ndarray, alphabet_size: int, keys: list, values: list) -> PairCounts:
        return cls(np.asarray(lags, dtype=np.int64), int(alphabet_size), keys=tuple(keys), values=tuple(values))

    @property
    def is_dense(self) -> bool:
        return self.dense is not None

    @property
    def n_pairs(self) -> np.ndarray:
        """Number of pairs counted at each lag."""
        if self.is_dense:
            return self.dense.reshape(len(self.lags), -1).sum(axis=1)
        return np.array([int(v.sum()) for v in self.values], dtype=np.int64)

    def joint(self, i: int) -> np.ndarray:
        """Joint counts at lag index ``i`` as a flat array (zeros allowed)."""
        return self.dense[i].ravel() if self.is_dense else self.values[i]

    def left(self, i: int) -> np.ndarray:
        """Counts of the first symbol of the pairs at lag index ``i``."""
        if self.is_dense:
            return self.dense[i].sum(axis=1)
        k = self.alphabet_size
        return np.bincount(self.keys[i] // k, weights=self.values[i], minlength=k).astype(np.int64)

    def right(self, i: int) -> np.ndarray:
        """Counts of the second symbol of the pairs at lag index ``i``."""
        if self.is_dense:
            return self.dense[i].sum(axis=0)
        k = self.alphabet_size
        return np.bincount(self.keys[i] % k, weights=self.values[i], minlength=k).astype(np.int64)

    def to_dense(self) -> np.ndarray:
        """All counts as an ``(n_lags, K, K)`` array (only sensible for small alphabets)."""
        if self.is_dense:
            return self.dense
        k = self.alphabet_size
        out = np.zeros((len(self.lags), k * k), dtype=np.int64)
        for i, (key, val) in enumerate(zip(self.keys, self.values)):
            out[i, key] = val
        return out.reshape(len(self.lags), k, k)

    def to_sparse(self) -> PairCounts:
        """The same counts in sparse form."""
        if not self.is_dense:
            return self
        flat = self.dense.reshape(len(self.lags), -1)
        keys = [np.flatnonzero(row).astype(np.int64) for row in flat]
        return PairCounts.from_sparse(self.lags, self.alphabet_size, keys, [row[k] for row, k in zip(flat, keys)])

    def __sub__(self, other: PairCounts) -> PairCounts:
        """Counts of ``self`` less those of ``other`` (``other`` must be a subset of the pairs)."""
        if not np.array_equal(self.lags, other.lags) or self.alphabet_size != other.alphabet_size:
            raise ValueError("can only subtract pair counts over the same lags and alphabet")
        if self.is_dense:
            return PairCounts.from_dense(self.lags, self.dense - other.to_dense())
        other = other.to_sparse()
        keys, values = [], []
        for key, val, okey, oval in zip(self.keys, self.values, other.keys, other.values):
            diff = val.copy()
            diff[np.searchsorted(key, okey)] -= oval
            keep = diff > 0
            keys.append(key[keep])
            values.append(diff[keep])
        return PairCounts.from_sparse(self.lags, self.alphabet_size, keys, values)
