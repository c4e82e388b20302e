"""The options of an MI curve, validated once.

``mi_curve``, the command line and (later) experiment and grid specs all build a
:class:`CurveOptions`, so a bad value fails with the same one-line message before any work is
done or dispatched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .errors import InputError
from ._memmap import CHUNK_SYMBOLS
from .limits import BACKENDS, BASELINES, BASES, DEFAULT_MEMORY_LIMIT, ESTIMATOR_NAMES, MAX_BLOCKS, MAX_LAGS, MAX_SHUFFLES

__all__ = ["CurveOptions", "Engine", "ENGINES", "check_int", "check_real", "MAX_BLOCKS", "MAX_SHUFFLES", "MAX_LAGS", "DEFAULT_MEMORY_LIMIT", "dense_bytes"]

NULLS = ("autocorrelated", "iid")


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
    >>> CurveOptions(estimator="nsb")
    Traceback (most recent call last):
    ...
    midecay.errors.InputError: unknown estimator 'nsb'; choose one of: grassberger, miller_madow, plugin
    """

    estimator: str = "grassberger"
    base: str = "nats"
    backend: str = "auto"
    baseline: str = "shuffle"
    n_shuffles: int | None = None
    n_blocks: int = 16
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    null: str = "autocorrelated"

    def __post_init__(self) -> None:
        baseline = "none" if self.baseline is None else self.baseline
        object.__setattr__(self, "baseline", baseline)
        _choice("estimator", self.estimator, ESTIMATOR_NAMES)
        _choice("base", self.base, BASES)
        _choice("baseline", baseline, BASELINES)
        _choice("null", self.null, NULLS)

        _choice("backend", self.backend, ("auto", *BACKENDS))
        if self.n_shuffles is not None:
            check_int("n_shuffles", self.n_shuffles, 1 if baseline != "none" else 0, MAX_SHUFFLES)
        check_int("n_blocks", self.n_blocks, 0, MAX_BLOCKS)
        if self.n_blocks == 1:
            raise InputError("n_blocks must be 0 (no jackknife) or >= 2, got 1")
        check_int("memory_limit", self.memory_limit, 1, None)

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

        _choice("engine", self.name, ENGINES)
        check_int("chunk_symbols", self.chunk_symbols, 1)
        if self.address is not None:
            if self.name != "ray":
                raise InputError(f"an address is for engine 'ray', not {self.name!r}; pass engine='ray' with it")
            if not isinstance(self.address, str):
                raise InputError(f"address must be text such as HOST:PORT, got {self.address!r}")
            if self.address.strip() not in ("auto", "local"):
                split_address(self.address)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(f"unknown {name} {value!r}; choose one of: {', '.join(allowed)}")


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an int if it is an integer in ``[low, high]``, else a one-line :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise InputError(f"{name} must be {bound}, got {value}")
    return int(value)


def check_real(name: str, value: Any, low: float | None = None, high: float | None = None, *,
               low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float if it is a finite number within the bounds, else a one-line :class:`InputError`.

    Text (``"1e-3"``, as a quoted TOML value), booleans, NaN and infinities are refused by name.

    Examples
    --------
    >>> check_real("lr", 1e-3, 0, low_open=True)
    0.001
    >>> check_real("lr", "1e-3", 0, low_open=True)
    Traceback (most recent call last):
    midecay.errors.InputError: lr must be a number, got '1e-3' (text); write it without quotes
    """
    if isinstance(value, str):
        raise InputError(f"{name} must be a number, got {value!r} (text); write it without quotes")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high is None else f"{'<' if high_open else '<='} {high:g}"
        raise InputError(f"{name} must be {' and '.join(b for b in (lo, hi) if b)}, got {value:g}")
    return value
