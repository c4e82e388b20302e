"""Count profiles: which count values occur in a table and how often, all an entropy estimator needs.

A leaf: counting (which builds them) and estimators (which read them) both import it, and
neither imports the other.
"""

from __future__ import annotations

import numpy as np

__all__ = ["count_profile"]


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
