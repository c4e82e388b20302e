"""The options of an MI curve, validated once.

``mi_curve``, the command line and (later) experiment and grid specs all build a
:class:`CurveOptions`, so a bad value fails with the same one-line message before any work is
done or dispatched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ._memmap import CHUNK_SYMBOLS
from .errors import InputError
from .extras import require
from .limits import (
    BACKENDS,
    BASES,
    DEFAULT_MEMORY_LIMIT,
    ESTIMATOR_NAMES,
    MAX_BLOCKS,
    MAX_LAGS,
    MAX_SHUFFLES,
    NULL_DRAWS,
    NULLS,
)
from .validation import Integer, Maybe, OneOf, check_int, check_real, validate

__all__ = ["CurveOptions", "Engine", "ENGINES", "check_int", "check_real", "MAX_BLOCKS", "MAX_SHUFFLES", "MAX_LAGS", "DEFAULT_MEMORY_LIMIT", "dense_bytes"]


def dense_bytes(alphabet_size: int, n_lags: int, threads: int) -> int:
    """Bytes of the dense kernel's histograms: the ``(n_lags, K, K)`` result and four per task.

    Examples
    --------
    >>> dense_bytes(10_000, 20, 2) // 1024**3  # a word-level alphabet on the dense kernel: 20 GiB
    20
    """
    return 8 * int(alphabet_size) ** 2 * (int(n_lags) + 4 * max(int(threads), 1))


@dataclass(frozen=True)
class CurveOptions:
    """How a curve is estimated. Every field is checked on construction.

    Examples
    --------
    >>> CurveOptions(estimator="kozachenko")
    Traceback (most recent call last):
    ...
    midecay.errors.InputError: unknown estimator 'kozachenko'; choose one of: grassberger, miller_madow, plugin, nsb, chao_shen
    """

    estimator: str = "grassberger"
    base: str = "nats"
    backend: str = "auto"
    null_draws: str = "auto"
    n_shuffles: int | None = None
    n_blocks: int = 16
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    null: str = "autocorrelated"
    #: ``"pooled"``: every pair at lag d counted together (running text); ``"aligned"``: the MI at each
    #: position across segments, averaged over positions (images, records; :mod:`midecay.aligned`).
    positions: str = "pooled"

    def __post_init__(self) -> None:
        if self.null is None:  # "no floor" said as Python says nothing
            object.__setattr__(self, "null", "none")
        validate(self, {
            "estimator": OneOf(*ESTIMATOR_NAMES), "base": OneOf(*BASES), "null_draws": OneOf(*NULL_DRAWS),
            "null": OneOf(*NULLS), "backend": OneOf("auto", *BACKENDS), "positions": OneOf("pooled", "aligned"),
            "n_shuffles": Maybe(Integer(1 if self.null != "none" else 0, MAX_SHUFFLES)),
            "n_blocks": Integer(0, MAX_BLOCKS), "memory_limit": Integer(1),
        })
        if self.n_blocks == 1:
            raise InputError("n_blocks must be 0 (no jackknife) or >= 2, got 1")
        if self.backend == "torch":  # said here, before any counting, on an install without the extra
            require("torch", "backend 'torch'")
        if self.null_draws == "tables" and self.estimator in ("nsb", "chao_shen"):
            raise InputError(f"estimator {self.estimator!r} is not a sum over cells, which random tables need; "
                             "use null_draws='auto' (permuted copies for it) or 'permutation'")

    def check_memory(self, backend: str, alphabet_size: int, n_lags: int, threads: int) -> None:
        """Refuse a dense histogram larger than :attr:`memory_limit` before allocating it."""
        if backend != "dense":
            return
        need = dense_bytes(alphabet_size, n_lags, threads)
        if need > self.memory_limit:
            raise InputError(
                f"backend 'dense' needs {need / 1024**3:.1f} GiB of histograms for {alphabet_size} symbols and "
                f"{n_lags} lags (limit {self.memory_limit / 1024**3:.1f} GiB); use backend='auto' or 'sparse'"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Where counting runs.
ENGINES = ("local", "ray")


@dataclass(frozen=True)
class Engine:
    """Where a curve is counted: ``"local"``, or ``"ray"`` (the running Ray, a cluster at ``address``,
    or a local Ray started for the call), and the slice size for memory-mapped codes.

    Checked once, on construction (the address's form here; whether a cluster answers there,
    within seconds, when Ray is joined).

    Examples
    --------
    >>> Engine("ray", address="foo:bar")
    Traceback (most recent call last):
    ...
    midecay.errors.InputError: Ray address 'foo:bar' is not HOST:PORT (e.g. 10.0.0.5:6379, ray://HOST:10001 or auto); pass the address that `ray start --head` printed
    """

    name: str = "local"
    address: str | None = None
    chunk_symbols: int = CHUNK_SYMBOLS

    def __post_init__(self) -> None:
        from .ray_address import split_address

        OneOf(*ENGINES).check("engine", self.name)
        validate(self, {"chunk_symbols": Integer(1)})
        if self.address is not None:
            if self.name != "ray":
                raise InputError(f"an address is for engine 'ray', not {self.name!r}; pass engine='ray' with it")
            if not isinstance(self.address, str):
                raise InputError(f"address must be text such as HOST:PORT, got {self.address!r}")
            if self.address.strip() not in ("auto", "local"):
                split_address(self.address)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
