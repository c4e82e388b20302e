"""Delete-one-block jackknife estimates from counts: the MI of the total less each block.

The layer above counting (which counts each block's pairs) and estimators (which turn count
profiles into entropies): a block's leave-out MI needs both, so it lives here, and neither of
those layers imports the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._threads import thread_count
from ..estimators import cell_terms_at, entropy_from_sums, entropy_rows
from ..profiles import count_profile
from .walk import leave_out_joint

__all__ = ["leave_out_from_sums", "leave_out_mutual_information", "leave_out_stderr"]


def leave_out_stderr(rows: np.ndarray) -> np.ndarray:
    """Delete-a-group jackknife standard error per column from ``(n_groups, n_lags)`` leave-out rows (NaN under 2 rows).

    >>> leave_out_stderr(np.array([[1.0], [2.0], [3.0]])).round(4).tolist()  # sqrt(2/3 * 2)
    [1.1547]
    """
    rows = np.asarray(rows, dtype=np.float64)
    g = len(rows)
    if g < 2:
        return np.full(rows.shape[1] if rows.ndim == 2 else 0, np.nan)
    return np.sqrt((g - 1) / g * ((rows - rows.mean(axis=0)) ** 2).sum(axis=0))


def leave_out_from_sums(joint_profiles: list, left: np.ndarray, right: np.ndarray, delta: np.ndarray,
                        emptied: np.ndarray, left_parts: np.ndarray, right_parts: np.ndarray,
                        estimator: str = "grassberger") -> np.ndarray:
    """``(n_blocks, n_lags)``: the MI of a sparse total less each block, without forming any difference.

    Per lag: the total's joint count profile ``(values, multiplicities)`` and marginals ``left``,
    ``right`` ``(n_lags, K)``; per block and lag: ``delta``, what leaving the block out takes from
    the joint sum of the cell term, ``emptied``, the cells it leaves at zero, and the block's
    marginals ``(n_blocks, n_lags, K)``. The marginals are K-vectors, subtracted directly; the
    joint entropy is ``ln n - S / n`` (:func:`entropy_from_sums`), so the total's sum ``S`` less
    what a block takes from it, with the pairs and occupied cells left, is all it needs.
    """
    s_total = np.array([float((cell_terms_at(c, estimator) * m).sum()) for c, m in joint_profiles])
    occupied = np.array([float(m.sum()) for _, m in joint_profiles])
    n_left = left.sum(axis=1).astype(np.float64)[None, :] - left_parts.sum(axis=2)
    h_joint = entropy_from_sums(s_total[None, :] - delta, n_left, occupied[None, :] - emptied, estimator)
    k = left.shape[-1]
    margins = (entropy_rows((left[None] - left_parts).reshape(-1, k), estimator)
               + entropy_rows((right[None] - right_parts).reshape(-1, k), estimator))
    return margins.reshape(h_joint.shape) - h_joint


def leave_out_mutual_information(counts, parts: list, estimator: str = "grassberger") -> np.ndarray:
    """``(n_blocks, n_lags)``: the MI of ``counts`` less each part, for sparse counts, without forming the differences.

    Only the cells a part touches change the joint sum (:func:`~midecay.jackknife.walk.leave_out_joint`);
    the rest is :func:`leave_out_from_sums`. Equal to estimating each difference to rounding.
    """
    sparse = counts.to_sparse()
    part_sparse = [p.to_sparse() for p in parts]
    n_lags = len(counts.lags)

    def walk(i: int) -> tuple[np.ndarray, np.ndarray]:
        return leave_out_joint(sparse.keys[i], sparse.values[i], [p.keys[i] for p in part_sparse],
                               [p.values[i] for p in part_sparse], counts.alphabet_size, estimator)

    with ThreadPoolExecutor(max_workers=max(1, min(thread_count(), n_lags))) as pool:  # the walk releases the GIL
        walks = list(pool.map(walk, range(n_lags)))
    return leave_out_from_sums(
        [count_profile(v) for v in sparse.values], sparse.left_counts, sparse.right_counts,
        delta=np.stack([w[0] for w in walks], axis=1),
        emptied=np.stack([w[1] for w in walks], axis=1),
        left_parts=np.stack([p.left_counts for p in part_sparse]),
        right_parts=np.stack([p.right_counts for p in part_sparse]),
        estimator=estimator,
    )
