"""The result every counting kernel returns: joint pair counts for each lag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..errors import InputError
from ..profiles import count_profile

__all__ = ["PairCounts", "DenseCounts", "SparseCounts", "ProfileCounts"]


@dataclass(frozen=True, eq=False)
class PairCounts:
    """Counts ``n_ab(d)`` of pairs ``(x_t = a, x_{t+d} = b)`` for each lag ``d``: the common interface.

    Kernels return one of three explicit forms, each for one need:

    * :class:`DenseCounts` — ``dense[i, a, b]``, for small alphabets;
    * :class:`SparseCounts` — cells ``keys[i]`` (``a * K + b``, grouped by ascending ``a``; order
      within a group unspecified) with ``values[i]`` (their positive counts), for large alphabets;
    * :class:`ProfileCounts` — only ``profiles[i] = (c, m)``: ``m[j]`` cells hold exactly ``c[j]``
      pairs. With the marginals that is all entropy estimators need; kernels return it when
      asked not to keep cells. It cannot be subtracted or densified.

    Every form gives ``n_pairs``, ``left(i)``, ``right(i)`` and ``joint_profile(i)``; the two
    forms with cells also ``joint(i)``, ``to_dense()``, ``to_sparse()`` and subtraction.

    Examples
    --------
    >>> pc = PairCounts.from_dense(np.array([1]), np.array([[[2, 1], [0, 3]]]))
    >>> type(pc).__name__, pc.n_pairs.tolist(), pc.left(0).tolist(), pc.right(0).tolist()
    ('DenseCounts', [6], [3, 3], [2, 4])
    """

    lags: np.ndarray
    alphabet_size: int

    @classmethod
    def from_dense(cls, lags: np.ndarray, dense: np.ndarray) -> DenseCounts:
        dense = np.asarray(dense, dtype=np.int64)
        return DenseCounts(np.asarray(lags, dtype=np.int64), int(dense.shape[-1]), dense)

    @classmethod
    def from_sparse(
        cls, lags: np.ndarray, alphabet_size: int, keys: list, values: list,
        left: np.ndarray | None = None, right: np.ndarray | None = None,
    ) -> SparseCounts:
        lags = np.asarray(lags, dtype=np.int64)
        k = int(alphabet_size)
        keys, values = tuple(keys), tuple(values)
        if left is None:
            left = np.stack([np.bincount(kk // k, weights=v, minlength=k) for kk, v in zip(keys, values)]).astype(np.int64) \
                if len(keys) else np.zeros((0, k), dtype=np.int64)
        if right is None:
            right = np.stack([np.bincount(kk % k, weights=v, minlength=k) for kk, v in zip(keys, values)]).astype(np.int64) \
                if len(keys) else np.zeros((0, k), dtype=np.int64)
        return SparseCounts(lags, k, keys, values, np.asarray(left), np.asarray(right))

    @classmethod
    def from_profile(
        cls, lags: np.ndarray, alphabet_size: int, profiles: list, left: np.ndarray, right: np.ndarray
    ) -> ProfileCounts:
        return ProfileCounts(np.asarray(lags, dtype=np.int64), int(alphabet_size), tuple(profiles), left, right)

    has_cells: ClassVar[bool] = True

    @property
    def n_pairs(self) -> np.ndarray:
        """Number of pairs counted at each lag."""
        return np.array([int(self.left(i).sum()) for i in range(len(self.lags))], dtype=np.int64)

    def left(self, i: int) -> np.ndarray:  # pragma: no cover - every form has its own
        """Counts of the first symbol of the pairs at lag index ``i``."""
        raise NotImplementedError

    def right(self, i: int) -> np.ndarray:  # pragma: no cover
        """Counts of the second symbol of the pairs at lag index ``i``."""
        raise NotImplementedError

    def joint(self, i: int) -> np.ndarray:
        """Joint counts at lag index ``i`` as a flat array (zeros allowed)."""
        raise InputError("joint() needs the individual cells; count with cells=True")

    def joint_profile(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct positive joint counts at lag index ``i`` and how many cells hold each."""
        return count_profile(self.joint(i))

    def mutual_information(self, estimator: str) -> np.ndarray:
        """The ``estimator``'s MI (nats) at every lag, from these counts.

        >>> PairCounts.from_dense(np.array([1]), np.array([[[5, 0], [0, 5]]])).mutual_information("plugin").round(4).tolist()
        [0.6931]
        """
        from ..estimators import entropy_from_profile, entropy_rows, mutual_information_tables

        if isinstance(self, DenseCounts):  # all lags at once (equal to the profile path to rounding)
            return mutual_information_tables(self.dense, estimator)
        n_lags = len(self.lags)
        margins = entropy_rows(np.stack([self.left(i) for i in range(n_lags)]), estimator) + entropy_rows(
            np.stack([self.right(i) for i in range(n_lags)]), estimator)
        cells = self.alphabet_size**2  # the possible joint cells (NSB's prior needs them)
        if self.has_cells:  # the occupied cells' values, one row per lag
            joint = np.array([entropy_rows(self.joint(i)[None, :], estimator, bins=cells)[0] for i in range(n_lags)])
        else:
            joint = np.array([entropy_from_profile(self.joint_profile(i), estimator, cells) for i in range(n_lags)])
        return margins - joint

    def occupied_cells(self) -> np.ndarray:
        """Occupied joint cells at each lag."""
        return np.array([float(np.sum(self.joint_profile(i)[1])) for i in range(len(self.lags))])

    def table_dof(self) -> np.ndarray:
        """Each lag's chi-square degrees of freedom, ``(K_a - 1)(K_b - 1)`` over the symbols in use (at least 1)."""
        occupied = np.array([(np.count_nonzero(self.left(i)) - 1) * (np.count_nonzero(self.right(i)) - 1)
                             for i in range(len(self.lags))])
        return np.maximum(occupied, 1).astype(np.float64)

    def to_dense(self) -> np.ndarray:
        """All counts as an ``(n_lags, K, K)`` array (only sensible for small alphabets)."""
        raise InputError("to_dense() needs the individual cells; count with cells=True")

    def to_sparse(self) -> SparseCounts:
        """The same counts in sparse form."""
        raise InputError("to_sparse() needs the individual cells; count with cells=True")

    def __sub__(self, other: PairCounts) -> PairCounts:
        """Counts of ``self`` less those of ``other`` (``other`` must be a subset of the pairs)."""
        if not (self.has_cells and other.has_cells):
            raise InputError("subtraction needs the individual cells; count with cells=True")
        if not np.array_equal(self.lags, other.lags) or self.alphabet_size != other.alphabet_size:
            raise InputError("can only subtract pair counts over the same lags and alphabet")
        return self._subtract(other)

    def _subtract(self, other: PairCounts) -> PairCounts:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def total(parts: list[PairCounts]) -> PairCounts:
        """The counts of disjoint sets of pairs added up (the jackknife's blocks make the whole).

        >>> a = PairCounts.from_dense(np.array([1]), np.array([[[1, 0], [0, 1]]]))
        >>> PairCounts.total([a, a]).to_dense().tolist()
        [[[2, 0], [0, 2]]]
        """
        first = parts[0]
        if any(not np.array_equal(p.lags, first.lags) or p.alphabet_size != first.alphabet_size for p in parts):
            raise InputError("can only add pair counts over the same lags and alphabet")
        if all(isinstance(p, DenseCounts) for p in parts):
            return PairCounts.from_dense(first.lags, np.sum([p.dense for p in parts], axis=0))
        if not all(p.has_cells for p in parts):
            raise InputError("adding counts needs the individual cells; count with cells=True")
        sparse = [p.to_sparse() for p in parts]
        keys, values = [], []
        for i in range(len(first.lags)):
            key, inverse = np.unique(np.concatenate([s.keys[i] for s in sparse]), return_inverse=True)
            keys.append(key)
            values.append(np.bincount(inverse, weights=np.concatenate([s.values[i] for s in sparse])).astype(np.int64))
        left = np.sum([s.left_counts for s in sparse], axis=0)
        right = np.sum([s.right_counts for s in sparse], axis=0)
        return PairCounts.from_sparse(first.lags, first.alphabet_size, keys, values, left, right)


@dataclass(frozen=True, eq=False)
class DenseCounts(PairCounts):
    """Pair counts as a dense ``(n_lags, K, K)`` array."""

    dense: np.ndarray = None  # type: ignore[assignment]

    @property
    def n_pairs(self) -> np.ndarray:
        return self.dense.reshape(len(self.lags), -1).sum(axis=1)

    def left(self, i: int) -> np.ndarray:
        return self.dense[i].sum(axis=1)

    def right(self, i: int) -> np.ndarray:
        return self.dense[i].sum(axis=0)

    def joint(self, i: int) -> np.ndarray:
        return self.dense[i].ravel()

    def to_dense(self) -> np.ndarray:
        return self.dense

    def to_sparse(self) -> SparseCounts:
        flat = self.dense.reshape(len(self.lags), -1)
        keys = [np.flatnonzero(row).astype(np.int64) for row in flat]
        return PairCounts.from_sparse(self.lags, self.alphabet_size, keys, [row[k] for row, k in zip(flat, keys)])

    def _subtract(self, other: PairCounts) -> DenseCounts:
        return PairCounts.from_dense(self.lags, self.dense - other.to_dense())


@dataclass(frozen=True, eq=False)
class SparseCounts(PairCounts):
    """Pair counts as the occupied cells of each lag, with both marginals."""

    keys: tuple[np.ndarray, ...] = ()
    values: tuple[np.ndarray, ...] = ()
    left_counts: np.ndarray = None  # type: ignore[assignment]
    right_counts: np.ndarray = None  # type: ignore[assignment]

    def left(self, i: int) -> np.ndarray:
        return self.left_counts[i]

    def right(self, i: int) -> np.ndarray:
        return self.right_counts[i]

    def joint(self, i: int) -> np.ndarray:
        return self.values[i]

    def to_dense(self) -> np.ndarray:
        k = self.alphabet_size
        out = np.zeros((len(self.lags), k * k), dtype=np.int64)
        for i, (key, val) in enumerate(zip(self.keys, self.values)):
            out[i, key] = val
        return out.reshape(len(self.lags), k, k)

    def to_sparse(self) -> SparseCounts:
        return self

    def _subtract(self, other: PairCounts) -> SparseCounts:
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


@dataclass(frozen=True, eq=False)
class ProfileCounts(PairCounts):
    """Only what estimators need: each lag's count profile and marginals (no cells)."""

    profiles: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
    left_counts: np.ndarray = None  # type: ignore[assignment]
    right_counts: np.ndarray = None  # type: ignore[assignment]

    has_cells: ClassVar[bool] = False

    def left(self, i: int) -> np.ndarray:
        return self.left_counts[i]

    def right(self, i: int) -> np.ndarray:
        return self.right_counts[i]

    def joint_profile(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.profiles[i]


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
