"""The table pairing each fast counting kernel with its reference.

Tests and benchmarks both read :data:`KERNELS`, so a new backend is checked and measured by
adding one row here. Every kernel has the signature
``count(codes, windows, lags, alphabet_size, *, cells=True) -> PairCounts``; with
``cells=False`` a kernel may return only the count profiles and marginals (what estimators
need), which the sparse kernel uses to skip writing its cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .bitset import MAX_BITSET_ALPHABET, count_bitset
from .checks import check_count_inputs
from .dense import count_dense, count_dense_blocks
from .pair_counts import PairCounts
from .reference import count_reference
from .sparse import count_sparse
from .torch_kernel import count_torch

__all__ = ["Kernel", "KERNELS", "choose_backend", "MAX_DENSE_ALPHABET"]

#: ``count(codes, windows, lags, K, *, cells=True, codes_checked=False)``; every kernel runs
#: :func:`~midecay.counting.checks.check_count_inputs` first.
CountFn = Callable[..., PairCounts]

#: Above this alphabet size the dense histogram (K^2 cells per lag, four copies per task)
#: leaves the cache and its memory grows as K^2, so ``auto`` switches to sparse.
MAX_DENSE_ALPHABET = 512


@dataclass(frozen=True)
class Kernel:
    """One counting backend: its function, the reference it must equal, and where it applies."""

    name: str
    count: CountFn
    reference: CountFn
    max_alphabet: int | None
    description: str
    #: ``(codes, blocks, lags, K) -> [PairCounts per block]`` in one pass, where the kernel has one.
    blocks_in_one_pass: Callable[..., list[PairCounts]] | None = None

    def accepts(self, alphabet_size: int) -> bool:
        return self.max_alphabet is None or alphabet_size <= self.max_alphabet

    def count_blocks(self, codes, blocks: Iterable[np.ndarray], lags, alphabet_size: int, *, codes_checked: bool = False) -> list[PairCounts]:
        """Each block's pair counts (cells kept): one pass where the kernel has one, else a call per block.

        Every block's windows pass :func:`~midecay.counting.checks.check_count_inputs` first.
        """
        if self.blocks_in_one_pass is None:
            return [self.count(codes, w, lags, alphabet_size, cells=True, codes_checked=codes_checked) for w in blocks]
        checked = [check_count_inputs(codes, w, lags, alphabet_size, codes_checked=codes_checked or i > 0)
                   for i, w in enumerate(blocks)]
        if not checked:
            return []
        return self.blocks_in_one_pass(checked[0][0], [c[1] for c in checked], checked[0][2], checked[0][3])


KERNELS: dict[str, Kernel] = {
    k.name: k
    for k in (
        Kernel("numpy", count_reference, count_reference, None, "readable numpy reference (np.unique per lag)"),
        Kernel("dense", count_dense, count_reference, None, "numba, K x K sub-histograms, parallel over lags/chunks",
               count_dense_blocks),
        Kernel("sparse", count_sparse, count_reference, None, "numba, symbol-grouped positions, O(distinct pairs)"),
        Kernel("bitset", count_bitset, count_reference, MAX_BITSET_ALPHABET, "numba, AND + POPCNT on bit planes"),
        Kernel("torch", count_torch, count_reference, None,
               "torch bincount per lag (K^2 cells), sort + run lengths above 4096 symbols; CUDA when available"),
    )
}


def choose_backend(alphabet_size: int) -> str:
    """The backend ``auto`` uses: bitset for K <= 8, dense for K <= 512, sparse above.

    Examples
    --------
    >>> choose_backend(2), choose_backend(27), choose_backend(10_000)
    ('bitset', 'dense', 'sparse')
    """
    if alphabet_size <= MAX_BITSET_ALPHABET:
        return "bitset"
    if alphabet_size <= MAX_DENSE_ALPHABET:
        return "dense"
    return "sparse"
