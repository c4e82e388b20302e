"""Mutual information at aligned positions: for data whose segments share a frame of positions.

Images read pixel by pixel, fixed-length records and model samples from a fixed start have
marginals that depend on the position ``t``. Pooling every pair at lag ``d`` (the default,
right for running text) mixes positions: it dilutes dependence that is there (permuted MNIST
reads 20x lower pooled than per position) and invents dependence that is not (independent
symbols whose probabilities change with ``t`` show pooled MI). Here each term ``I(X_t;
X_{t+d})`` is estimated across segments, from the table of ``(x_t, x_{t+d})`` over the segments
that reach ``t + d``, and the curve is their mean over ``t``:

* the floor is the same mean over random tables with each position's margins (independence of
  ``x_t`` and ``x_{t+d}`` at fixed margins: a multivariate hypergeometric table per ``t``),
  drawn ``n_draws`` times; its spread over the draws is the null's spread of the mean;
* the standard error is a delete-one-block jackknife over blocks of segments.

Each term's bias is about ``(K-1)^2 / (2S)`` from ``S`` segments (plug-in), which the floor
carries; small alphabets only (images quantised to a few levels), as K x K tables are held per
position.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numba import njit, prange

from ._progress import progress as progress_bar
from ._version import __version__
from .errors import InputError
from .estimators import mutual_information_tables, to_base
from .micurve import MICurve
from .options import CurveOptions
from .random_tables import random_tables_each
from .rng import as_generator

__all__ = ["aligned_curve", "MAX_ALIGNED_ALPHABET", "ALIGNED_DRAWS"]

#: Tables of K x K cells are held for every position of a lag: K is kept small.
MAX_ALIGNED_ALPHABET = 64
#: Null draws (each one random table per position) when ``n_shuffles`` is not given.
ALIGNED_DRAWS = 8


@njit(cache=True, parallel=True)
def _aligned_tables(codes, starts, lengths, d, k, block_of, n_blocks, n_positions):
    """``(positions, blocks, K, K)``: counts of ``(x_t, x_{t+d})`` at each position over each block's segments."""
    out = np.zeros((n_positions, n_blocks, k, k), dtype=np.int64)
    for t in prange(n_positions):
        for s in range(starts.shape[0]):
            if lengths[s] > t + d:
                out[t, block_of[s], codes[starts[s] + t], codes[starts[s] + t + d]] += 1
    return out


def aligned_curve(symbols, lags: np.ndarray, options: CurveOptions, seed: Any = None, progress: bool = False) -> MICurve:
    """The aligned-position curve of ``symbols`` (see the module notes), as an :class:`~midecay.MICurve`."""
    k, n_seg = symbols.alphabet_size, symbols.n_segments
    if k > MAX_ALIGNED_ALPHABET:
        raise InputError(f"aligned positions hold a {k} x {k} table per position; use at most {MAX_ALIGNED_ALPHABET} "
                         "symbols (quantise, e.g. the binary level of an image set) or positions='pooled'")
    if n_seg < 2:
        raise InputError("aligned positions need many segments sharing a frame of positions (images, records, samples); "
                         "this data has one: use positions='pooled'")
    estimator, n_blocks = options.estimator, options.n_blocks
    if n_blocks > n_seg:
        raise InputError(f"n_blocks ({n_blocks}) exceeds the {n_seg} segments the aligned jackknife splits; use fewer")
    n_draws = options.n_shuffles if options.n_shuffles is not None else ALIGNED_DRAWS
    codes = np.ascontiguousarray(np.asarray(symbols.codes), dtype=np.int64)
    starts = np.ascontiguousarray(symbols.bounds[:-1], dtype=np.int64)
    lengths = np.ascontiguousarray(symbols.lengths, dtype=np.int64)
    blocks = max(n_blocks, 1)
    block_of = (np.arange(n_seg, dtype=np.int64) * blocks) // n_seg
    rng = as_generator(seed)
    n = len(lags)
    mi, n_pairs = np.zeros(n), np.zeros(n, dtype=np.int64)
    floor, floor_std = np.full(n, np.nan), np.full(n, np.nan)
    replicates = np.zeros((n_blocks if n_blocks >= 2 else 0, n))
    positions = np.zeros(n, dtype=np.int64)
    for i, d in enumerate(progress_bar(lags, n, "aligned lags", progress)):
        tables = _aligned_tables(codes, starts, lengths, int(d), k, block_of, blocks, int(lengths.max() - d))
        total = tables.sum(axis=1)
        keep = total.sum(axis=(1, 2)) >= 2  # positions some two segments reach
        total, tables = total[keep], tables[keep]
        positions[i] = len(total)
        n_pairs[i] = int(total.sum())
        mi[i] = float(mutual_information_tables(total, estimator).mean())
        if n_blocks >= 2:
            rest = (total[None] - tables.transpose(1, 0, 2, 3)).reshape(-1, k, k)
            replicates[:, i] = mutual_information_tables(rest, estimator).reshape(n_blocks, -1).mean(axis=1)
        if options.null != "none" and n_draws:
            rows, cols = total.sum(axis=2), total.sum(axis=1)
            means = [float(mutual_information_tables(random_tables_each(rows, cols, rng), estimator).mean())
                     for _ in range(n_draws)]
            floor[i] = float(np.mean(means))
            floor_std[i] = float(np.std(means, ddof=1)) if n_draws >= 2 else np.nan
    stderr = np.full(n, np.nan)
    if n_blocks >= 2:
        spread = replicates - replicates.mean(axis=0)
        stderr = np.sqrt((n_blocks - 1) / n_blocks * (spread**2).sum(axis=0))
    base = options.base
    draws = "none" if options.null == "none" or not n_draws else "tables"
    provenance = {
        "source": symbols.description, "data": symbols.provenance, "midecay_version": __version__,
        "positions": "aligned", "positions_per_lag": positions.tolist(), "null_draws": draws,
        "n_shuffles": int(n_draws) if draws != "none" else 0, "n_blocks": int(n_blocks),
        "stderr_method": "delete-one-block jackknife over blocks of segments" if n_blocks >= 2 else "none",
        "null": "independent at each position (random tables with its margins)" if draws != "none" else "none",
        "threads": int(numba.get_num_threads()),
        "seed": seed if isinstance(seed, (int, type(None))) else "Generator",
    }
    return MICurve(
        lags=lags, mi=to_base(mi, base), stderr=to_base(stderr, base), floor=to_base(floor, base),
        null_std=to_base(floor_std, base), n_pairs=n_pairs,
        floor_se=to_base(floor_std / np.sqrt(max(n_draws, 1)), base), floor_excess=np.zeros(n),
        null_shape=np.full(n, np.inf), replicates=to_base(replicates, base), period_scan=None,
        alphabet_size=k, n_symbols=symbols.n_symbols, n_segments=n_seg, estimator=estimator, base=base,
        provenance=provenance,
    )
