"""The table pairing each fast counting kernel with its reference.

Tests and benchmarks both read :data:`KERNELS`, so a new backend is checked and measured by
adding one row here. Every kernel has the signature
``count(codes, windows, lags, alphabet_size, *, cells=True) -> PairCounts``; with
``cells=False`` a kernel may return only the count profiles and marginals (what estimators
need), which the sparse kernel uses to skip writing its cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .bitset import MAX_BITSET_ALPHABET, count_bitset
from .dense import count_dense
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

    def accepts(self, alphabet_size: int) -> bool:
        return self.max_alphabet is None or alphabet_size <= self.max_alphabet


KERNELS: dict[str, Kernel] = {
    k.name: k
    for k in (
        Kernel("numpy", count_reference, count_reference, None, "readable numpy reference (np.unique per lag)"),
        Kernel("dense", count_dense, count_reference, None, "numba, K x K sub-histograms, parallel over lags/chunks"),
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
