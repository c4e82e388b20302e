"""Images read pixel by pixel: sequential (and permuted) MNIST-style sequences."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import InputError, InputNotFoundError
from ..rng import as_generator
from ..sequences import Symbols, smallest_code_dtype
from .files import read_bytes

__all__ = ["image_symbols", "read_idx"]


def image_symbols(
    images,
    *,
    levels: int | None = 2,
    permute_seed: int | np.random.Generator | None = None,
    description: str = "images",
) -> Symbols:
    """One segment per image, pixels in row-major order.

    Parameters
    ----------
    images
        ``(n, height, width)`` or ``(n, pixels)`` array of intensities.
    levels
        Quantise to this many equal-width levels over the data's range (``None`` keeps
        integer pixels as they are, e.g. 256 grey levels).
    permute_seed
        Apply one fixed random permutation of pixel positions to every image (permuted
        sequential MNIST); the same seed gives the same permutation.

    Examples
    --------
    >>> imgs = np.array([[[0, 255], [255, 0]], [[255, 255], [0, 0]]])
    >>> image_symbols(imgs).codes.tolist()
    [0, 1, 1, 0, 1, 1, 0, 0]
    """
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr.reshape(arr.shape[0], -1)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] < 2:
        raise InputError(f"images must be (n, height, width) or (n, pixels) with n >= 1, got shape {np.shape(images)}")
    if not np.all(np.isfinite(arr)):
        raise InputError("images contain NaN or infinite pixels; clean them first")
    if permute_seed is not None:
        perm = as_generator(permute_seed).permutation(arr.shape[1])
        arr = arr[:, perm]
    if levels is None:
        if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0:
            raise InputError("levels=None needs non-negative integer pixels; pass levels=k to quantise")
        k = int(arr.max()) + 1
        codes = arr.astype(smallest_code_dtype(k))
    else:
        k = int(levels)
        if k < 2:
            raise InputError(f"levels must be >= 2, got {levels}")
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) / (hi - lo) if hi > lo else np.zeros(arr.shape)
        codes = np.minimum((scaled * k).astype(np.int64), k - 1).astype(smallest_code_dtype(k))
    n, length = codes.shape
    bounds = np.arange(n + 1, dtype=np.int64) * length
    return Symbols(codes.reshape(-1), tuple(range(k)), bounds, description)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST / Fashion-MNIST format), gzipped or not."""
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(f"{path} not found; check the path")
    raw = read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise InputError(f"{path} is not an IDX file (bad magic number)")
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in dtypes:
        raise InputError(f"{path}: unknown IDX element type 0x{raw[2]:02x}")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=dtypes[raw[2]], offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise InputError(f"{path}: header says {shape} but the file holds {data.size} values; the file is truncated")
    return data.reshape(shape)
