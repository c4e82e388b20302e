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

__all__ = ["count_torch", "count_streams", "count_on_device", "torch_device", "MAX_BINCOUNT_ALPHABET"]

#: Up to this alphabet a lag's K x K histogram (8 B a cell) stays small; above, sort and count runs.
MAX_BINCOUNT_ALPHABET = 4096


def torch_device(device=None):
    """``device``, or CUDA when available, else CPU."""
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


#: Up to this many windows a lag's pairs are taken as slices (no index arrays); more (a text of
#: many lines) are gathered through one index array a lag.
MAX_SLICED_WINDOWS = 64


def _tally(lag_pairs, lags: np.ndarray, k: int) -> PairCounts:
    """Counts from an iterator of each lag's pair codes ``a * K + b`` (tensors on one device)."""
    import torch

    dense = k <= MAX_BINCOUNT_ALPHABET
    out_dense, keys, values = [], [], []
    for pairs in lag_pairs:
        if dense:
            out_dense.append(torch.bincount(pairs, minlength=k * k).reshape(k, k))
        else:
            key, count = torch.unique(pairs, sorted=True, return_counts=True)
            keys.append(key.cpu().numpy())
            values.append(count.cpu().numpy())
    if dense:
        return PairCounts.from_dense(lags, torch.stack(out_dense).cpu().numpy() if out_dense else np.zeros((0, k, k)))
    return PairCounts.from_sparse(lags, k, keys, values)


def count_on_device(codes_t, windows: np.ndarray, lags: np.ndarray, k: int) -> PairCounts:
    """Count the pairs of ``windows`` in a 1-D integer tensor, on the tensor's device."""
    import torch

    windows = np.asarray(windows, dtype=np.int64)
    if len(windows) <= MAX_SLICED_WINDOWS:
        def sliced(d: int):
            parts = [codes_t[s:h] * k + codes_t[s + d:h + d]
                     for s, f, e in windows.tolist() if (h := min(f, e - d)) > s]
            return torch.cat(parts) if parts else codes_t[:0]

        return _tally((sliced(d) for d in lags.tolist()), lags, k)
    positions, ends = _first_positions(windows)
    positions_t = torch.from_numpy(positions).to(codes_t.device)
    ends_t = torch.from_numpy(ends).to(codes_t.device)

    def gathered(d: int):
        t = positions_t[positions_t + d < ends_t]
        return codes_t[t] * k + codes_t[t + d]

    return _tally((gathered(d) for d in lags.tolist()), lags, k)


def count_streams(samples, lags, alphabet_size: int) -> PairCounts:
    """Count a ``(streams, length)`` tensor of samples where it is (a model's output on the GPU).

    Each row is a segment: pairs never cross rows. The counts equal the numpy reference's for
    the same rows.

    Examples
    --------
    >>> import torch
    >>> count_streams(torch.tensor([[0, 1, 1], [1, 0, 0]]), [1], 2).to_dense()[0].tolist()
    [[1, 1], [1, 1]]
    """
    import torch

    from ..errors import InputError
    from ..lags import as_lags

    if not isinstance(samples, torch.Tensor) or samples.ndim != 2 or samples.dtype.is_floating_point:
        raise InputError("samples must be a 2-D integer torch tensor of shape (streams, length)")
    lags = as_lags(lags)
    k = int(alphabet_size)
    if samples.numel() and (int(samples.min()) < 0 or int(samples.max()) >= k):
        raise InputError(f"sample codes must lie in 0 … {k - 1} (alphabet_size {k})")
    if len(lags) and lags[-1] >= samples.shape[1]:
        raise InputError(f"lag {lags[-1]} is not shorter than the streams ({samples.shape[1]} symbols)")
    x = samples.to(torch.int64)
    return _tally((x[:, : x.shape[1] - d].reshape(-1) * k + x[:, d:].reshape(-1) for d in lags.tolist()), lags, k)


@checked_kernel
def count_torch(codes: np.ndarray, windows: np.ndarray, lags: np.ndarray, alphabet_size: int, *, cells: bool = True) -> PairCounts:
    """The numpy reference's counts, computed with torch (CUDA when available).

    Examples
    --------
    >>> count_torch(np.array([0, 1, 0, 1, 1]), np.array([[0, 5, 5]]), np.array([1]), 2).to_dense()[0].tolist()
    [[0, 2], [1, 1]]
    """
    import torch

    codes_t = torch.from_numpy(np.asarray(codes, dtype=np.int64)).to(torch_device())
    return count_on_device(codes_t, windows, lags, int(alphabet_size))
