"""Pair counting with torch: on a CUDA device when there is one, on CPU torch otherwise.

Every pair ``(x_t, x_{t+d})`` is one integer ``a * K + b``; a lag's counts are one
``bincount`` of those (``K^2`` cells, for alphabets up to :data:`MAX_BINCOUNT_ALPHABET`), or,
for larger alphabets, a sort with run lengths (``torch.unique``), which keeps only the cells
that occur. Exact integer counts: equal to the numpy reference, cell for cell. torch is
imported on first use, never by the core.
"""

from __future__ import annotations

import numpy as np

from .checks import checked_kernel
from .pair_counts import PairCounts

__all__ = ["count_torch", "torch_device", "MAX_BINCOUNT_ALPHABET"]

#: Up to this alphabet a lag's K x K histogram (8 B a cell) stays small; above, sort and count runs.
MAX_BINCOUNT_ALPHABET = 4096


def torch_device(device=None):
    """``device``, or CUDA when available, else CPU."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _first_positions(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every first position ``t`` of every window and the end of its window."""
    lengths = windows[:, 1] - windows[:, 0]
    total = int(lengths.sum())
    offsets = np.repeat(windows[:, 0] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets, np.repeat(windows[:, 2], lengths)


def count_on_device(codes_t, positions_t, ends_t, lags: np.ndarray, k: int, cells: bool = True) -> PairCounts:
    """Count on tensors already on a device (a model's samples are counted where they are)."""
    import torch

    dense = k <= MAX_BINCOUNT_ALPHABET
    out_dense, keys, values = [], [], []
    for d in lags.tolist():
        t = positions_t[positions_t + d < ends_t]
        pairs = codes_t[t] * k + codes_t[t + d]
        if dense:
            out_dense.append(torch.bincount(pairs, minlength=k * k).reshape(k, k))
        else:
            key, count = torch.unique(pairs, sorted=True, return_counts=True)
            keys.append(key.cpu().numpy())
            values.append(count.cpu().numpy())
    if dense:
        return PairCounts.from_dense(lags, torch.stack(out_dense).cpu().numpy() if out_dense else np.zeros((0, k, k)))
    return PairCounts.from_sparse(lags, k, keys, values)


@checked_kernel
def count_torch(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True) -> PairCounts:
    """The numpy reference's counts, computed with torch (CUDA when available).

    Examples
    --------
    >>> count_torch(np.array([0, 1, 0, 1, 1]), np.array([[0, 5, 5]]), np.array([1]), 2).to_dense()[0].tolist()
    [[0, 2], [1, 1]]
    """
    import torch

    device = torch_device()
    positions, ends = _first_positions(windows)
    codes_t = torch.from_numpy(np.asarray(codes, dtype=np.int64)).to(device)
    return count_on_device(codes_t, torch.from_numpy(positions).to(device), torch.from_numpy(ends).to(device),
                           lags, int(alphabet_size), cells)
