"""Counting on a Ray cluster: slices of the sequence counted by Ray tasks, partial counts summed.

Codes in memory are put in Ray's object store once and read by every task in place; codes
memory-mapped from a file are opened by each task from the file itself (where the data is),
so a token file on shared storage is never shipped. Each task counts the pairs whose first
position falls in its slice, per jackknife block, exactly as :func:`midecay.curve.count_in_slices`
does locally; the driver adds them up, so the curve is the local one, bit for bit.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import MissingExtraError
from ..ray_address import check_ray_address
from .pair_counts import PairCounts
from .windows import slice_windows

__all__ = ["count_blocks_ray", "ray_session"]


def _ray():
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    try:
        import ray
    except ImportError:
        raise MissingExtraError("engine='ray' needs Ray; `pip install midecay[grid]` (or `pip install ray`)") from None
    return ray


class ray_session:
    """Use the running Ray, else start one (``address``: a cluster's, or None for a local Ray) and stop it after."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self.started = False

    def __enter__(self):
        ray = _ray()
        if not ray.is_initialized():
            check_ray_address(self.address)
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False, configure_logging=False)
            self.started = True
        return ray

    def __exit__(self, *exc) -> None:
        if self.started:
            _ray().shutdown()


def _open(source: Any) -> np.ndarray:
    if isinstance(source, tuple) and source and source[0] == "file":
        _, filename, dtype, offset, length = source
        return np.memmap(filename, dtype=np.dtype(dtype), mode="r", offset=offset, shape=(length,))
    return source


def _count_slice(source: Any, lo: int, end: int, jobs: list, lags: np.ndarray, k: int, kernel_name: str) -> list:
    from . import KERNELS

    codes = _open(source)
    view = np.asarray(codes[lo:end])
    kernel = KERNELS[kernel_name]
    return [(b, kernel.count(view, local, lags, k, cells=True, codes_checked=True)) for b, local in jobs]


def count_blocks_ray(codes: np.ndarray, blocks: list[np.ndarray], lags: np.ndarray, k: int, kernel_name: str,
                     chunk: int, *, address: str | None = None) -> list[PairCounts]:
    """Each block's counts, computed by Ray tasks over slices of ``codes``; the same as counting locally."""
    with ray_session(address) as ray:
        task = ray.remote(_count_slice)
        filename = getattr(codes, "filename", None)
        if filename and isinstance(codes, np.memmap) and codes.ndim == 1:
            source: Any = ("file", str(filename), codes.dtype.str, int(codes.offset), len(codes))
        else:
            source = ray.put(np.asarray(codes))
        reach = int(lags[-1])
        n = len(codes)
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        chunk = max(1, min(int(chunk), -(-n // (2 * cpus))))
        futures = []
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            end = min(n, hi + reach)
            jobs = [(b, local) for b, win in enumerate(blocks) if (local := slice_windows(win, lo, hi, end)) is not None]
            if jobs:
                futures.append(task.remote(source, lo, end, jobs, lags, k, kernel_name))
        sums: list[list[PairCounts]] = [[] for _ in blocks]
        for result in ray.get(futures):
            for b, part in result:
                sums[b].append(part)
    return [PairCounts.total(parts) for parts in sums]
