"""``mi_curve``: from data to an :class:`~midecay.MICurve` (estimate, noise floor, uncertainty)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import numba
import numpy as np

from ._progress import progress as progress_bar
from ._version import __version__
from ._warnings import UnreliableEstimateWarning
from .counting import PairCounts, block_windows, resolve_backend, windows_from_bounds
from .errors import InputError
from .estimators import mutual_information_from_profile, to_base
from .lags import as_lags
from .micurve import MICurve
from .options import DEFAULT_MEMORY_LIMIT, CurveOptions
from .rng import as_generator
from .sequences import encode

logger = logging.getLogger(__name__)

__all__ = ["MICurve", "mi_curve", "block_windows"]


def _mi_per_lag(counts: PairCounts, estimator: str) -> np.ndarray:
    return np.array(
        [
            mutual_information_from_profile(counts.joint_profile(i), counts.left(i), counts.right(i), estimator)
            for i in range(len(counts.lags))
        ]
    )


def mi_curve(
    data: Any,
    lags: Iterable[int] | int,
    *,
    estimator: str = "grassberger",
    base: str = "nats",
    backend: str = "auto",
    baseline: str | None = "shuffle",
    n_shuffles: int = 3,
    n_blocks: int = 16,
    seed: int | np.random.Generator | None = None,
    progress: bool = False,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> MICurve:
    """Estimate the mutual information ``I(d)`` between symbols ``d`` apart.

    Parameters
    ----------
    data
        :class:`~midecay.Symbols` or anything :func:`~midecay.encode` accepts.
    lags
        Positive integer distances, e.g. ``log_lags(1, 1000, 30)``.
    estimator
        ``"grassberger"`` (default, Grassberger 2003), ``"miller_madow"`` or ``"plugin"``.
    base
        ``"nats"`` (default) or ``"bits"``.
    backend
        Counting backend: ``"auto"`` or one of :data:`midecay.counting.KERNELS`.
    baseline
        ``"shuffle"``: also estimate on shuffled copies (the bias floor); ``None``: skip it
        (``baseline`` and ``baseline_std`` are then NaN; shapes do not change). Each shuffle
        permutes an in-memory copy of the codes (``N`` times the code size, e.g. 1 byte per
        symbol for small alphabets), also when the codes are memory-mapped.
    n_shuffles
        Number of shuffled copies for the floor.
    n_blocks
        Blocks for the delete-one-block jackknife standard error (0 turns it off).
    seed
        Seed or ``numpy.random.Generator`` for the shuffles; the same seed gives the same curve.
    progress
        Show a progress bar (tqdm) for the shuffles and jackknife blocks.
    memory_limit
        Bytes the dense kernel's histograms may take; a larger request is refused up front.

    Returns
    -------
    MICurve

    Examples
    --------
    >>> c = mi_curve("abcabcabcabc" * 50, [1, 3], estimator="plugin", baseline=None, n_blocks=0)
    >>> c.mi.round(4).tolist()  # period 3: the next symbol is certain, ln 3 each
    [1.0986, 1.0986]
    """
    options = CurveOptions(
        estimator=estimator, base=base, backend=backend, baseline=baseline, n_shuffles=n_shuffles,
        n_blocks=n_blocks, memory_limit=memory_limit,
    )
    symbols = encode(data)
    lags = as_lags(lags)
    longest = int(symbols.lengths.max())
    if lags[-1] >= longest:
        raise InputError(
            f"lag {lags[-1]} is not shorter than the longest segment ({longest} symbols); use lags below {longest}"
        )
    baseline = options.baseline
    kernel = resolve_backend(backend, symbols.alphabet_size)
    k = symbols.alphabet_size
    options.check_memory(kernel.name, k, len(lags), numba.get_num_threads())
    windows = windows_from_bounds(symbols.bounds)

    # Cells are kept only where the jackknife subtracts block counts; estimators need profiles.
    counts = kernel.count(symbols.codes, windows, lags, k, cells=n_blocks >= 2)
    mi = _mi_per_lag(counts, estimator)
    n_pairs = counts.n_pairs
    _warn_if_sparse(counts, n_pairs)

    stderr = np.full(len(lags), np.nan)
    if n_blocks >= 2:
        blocks = block_windows(symbols.bounds, n_blocks)
        leave_out = np.empty((n_blocks, len(lags)))
        for b, win in enumerate(progress_bar(blocks, n_blocks, "jackknife", progress)):
            part = kernel.count(symbols.codes, win, lags, k, cells=True, codes_checked=True)
            leave_out[b] = _mi_per_lag(counts - part, estimator)
        spread = leave_out - leave_out.mean(axis=0)
        stderr = np.sqrt((n_blocks - 1) / n_blocks * (spread**2).sum(axis=0))

    floor = np.full(len(lags), np.nan)
    floor_std = np.full(len(lags), np.nan)
    if baseline == "shuffle":
        rng = as_generator(seed)
        shuffled_mi = np.empty((n_shuffles, len(lags)))
        for s in progress_bar(range(n_shuffles), n_shuffles, "shuffles", progress):
            # A global shuffle keeps every symbol count and destroys all dependence; the
            # segment boundaries stay where they were, so pair counts match exactly.
            shuffled = rng.permutation(np.asarray(symbols.codes))
            shuffled_mi[s] = _mi_per_lag(kernel.count(shuffled, windows, lags, k, cells=False, codes_checked=True), estimator)
        floor = shuffled_mi.mean(axis=0)
        if n_shuffles >= 2:
            floor_std = shuffled_mi.std(axis=0, ddof=1)

    provenance = {
        "source": symbols.description,
        "data": symbols.provenance,
        "midecay_version": __version__,
        "backend": kernel.name,
        "baseline": baseline,
        "n_shuffles": int(n_shuffles) if baseline == "shuffle" else 0,
        "n_blocks": int(n_blocks),
        "stderr_method": "delete-one-block jackknife" if n_blocks >= 2 else "none",
        "seed": seed if isinstance(seed, (int, type(None))) else "Generator",
    }
    return MICurve(
        lags=lags,
        mi=to_base(mi, base),
        stderr=to_base(stderr, base),
        baseline=to_base(floor, base),
        baseline_std=to_base(floor_std, base),
        n_pairs=n_pairs,
        alphabet_size=k,
        n_symbols=symbols.n_symbols,
        n_segments=symbols.n_segments,
        estimator=estimator,
        base=base,
        provenance=provenance,
    )


def _warn_if_sparse(counts: PairCounts, n_pairs: np.ndarray) -> None:
    """Warn when pairs are fewer than the joint bins the marginals allow: estimates are bias-dominated."""
    short = []
    for i, d in enumerate(counts.lags):
        bins = int(np.count_nonzero(counts.left(i))) * int(np.count_nonzero(counts.right(i)))
        if n_pairs[i] < bins:
            short.append(int(d))
    if short:
        warnings.warn(
            f"fewer pairs than joint bins at {len(short)} lag(s) (from d={short[0]}): estimates there "
            "are dominated by bias; compare with the shuffle floor or use more data",
            UnreliableEstimateWarning,
            stacklevel=3,
        )
