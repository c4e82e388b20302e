"""``mi_curve``: from data to an :class:`~midecay.MICurve` (estimate, noise floor, uncertainty)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import numba
import numpy as np

from ._memmap import CHUNK_SYMBOLS, chunks, is_mapped, release
from ._progress import progress as progress_bar
from ._threads import thread_count
from ._version import __version__
from ._warnings import UnreliableEstimateWarning
from .counting import (
    MAX_DENSE_ALPHABET,
    DenseCounts,
    PairCounts,
    block_windows,
    resolve_backend,
    windows_from_bounds,
)
from .counting.windows import slice_windows
from .errors import InputError
from .estimators import (
    entropy_from_profile,
    entropy_from_sums,
    entropy_rows,
    mutual_information_tables,
    to_base,
)
from .jackknife import count_sparse_jackknife, leave_out_mutual_information
from .lags import resolve_lags
from .micurve import MICurve, PeriodScan
from .null import AutocorrelationSample, sample_budget
from .options import DEFAULT_MEMORY_LIMIT, CurveOptions
from .random_tables import matching_bytes, random_matching_sums
from .rng import as_generator
from .rng import shuffled as shuffled_copy
from .sequences import encode

logger = logging.getLogger(__name__)

__all__ = ["MICurve", "mi_curve", "block_windows"]


def _mi_per_lag(counts: PairCounts, estimator: str) -> np.ndarray:
    if isinstance(counts, DenseCounts):  # all lags at once (equal to the profile path to rounding)
        return mutual_information_tables(counts.dense, estimator)
    n_lags = len(counts.lags)
    margins = entropy_rows(np.stack([counts.left(i) for i in range(n_lags)]), estimator) + entropy_rows(
        np.stack([counts.right(i) for i in range(n_lags)]), estimator)
    if counts.has_cells:  # the occupied cells' values, one row per lag
        joint = np.array([entropy_rows(counts.joint(i)[None, :], estimator)[0] for i in range(n_lags)])
    else:
        joint = np.array([entropy_from_profile(counts.joint_profile(i), estimator) for i in range(n_lags)])
    return margins - joint


#: Random tables are drawn cell by cell (:func:`~midecay.random_tables.random_tables`) up to
#: this alphabet size; a table of K x K cells with 10^7 pairs takes ~0.1 ms at K = 27, ~0.6 ms at
#: K = 64 and ~10 ms at K = 256 (16 a lag), above which permuting the sequence and counting it
#: again (the dense kernel, fast) is cheaper. Past the dense kernel's alphabets, tables are drawn
#: as random matchings (:func:`~midecay.random_tables.random_matching_sums`), a pass over the
#: pairs each, about half a recount by the sparse kernel.
MAX_TABLE_ALPHABET = 64

#: The floor's tables are drawn into one stack up to this many cells (128 MiB), else in
#: chunks of TABLE_CHUNK draws a lag.
TABLE_STACK_CELLS = 1 << 24
TABLE_CHUNK = 64

#: Default null draws: tables per lag (cell by cell, nearly free; by matching, a pass over the
#: pairs each, as many as permuted copies), or permuted copies of the sequence.
DEFAULT_DRAWS = {"tables": 16, "matching": 3, "permutation": 3}

#: Pairs (summed over lags) that the default matching draws may scan: ~45 ms on two cores. Small
#: word-level samples (a model's 10^5 tokens) get up to as many draws as small alphabets, which
#: makes their floor and its spread as accurate; large corpora get DEFAULT_DRAWS["matching"].
MATCHING_PAIR_BUDGET = 1 << 25

#: Bytes a symbol the sparse one-pass jackknife's position index takes (positions, their room
#: and block, up to 2^32 symbols); with more than ``memory_limit`` of it, mapped codes are sliced.
SPARSE_INDEX_BYTES = 10

#: Kernels whose blocks add up as dense tables, so the jackknife needs no second pass.
SINGLE_PASS_KERNELS = ("dense", "bitset", "numpy", "torch")


def by_matching(alphabet_size: int) -> bool:
    """Whether random tables of this alphabet are drawn as matchings (else cell by cell)."""
    return alphabet_size > MAX_DENSE_ALPHABET


def null_method(baseline: str, alphabet_size: int, n_pairs: int = 0, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> str:
    """The floor's method: ``"tables"``, ``"permutation"`` or ``"none"`` (``"shuffle"`` resolved).

    By alphabet size only (the floor, like the counts, must not depend on the backend), and by
    memory: tables by matching hold a shuffled copy of the pairs a thread
    (:func:`~midecay.random_tables.matching_bytes`), so past ``memory_limit`` the sequence is
    permuted instead (one copy at a time).
    """
    if baseline != "shuffle":
        return baseline
    if alphabet_size <= MAX_TABLE_ALPHABET:
        return "tables"
    if by_matching(alphabet_size) and matching_bytes(n_pairs, alphabet_size, thread_count()) <= memory_limit:
        return "tables"
    return "permutation"


def default_draws(method: str, alphabet_size: int, total_pairs: int = 0) -> int:
    """Null draws when ``n_shuffles`` is not given: :data:`DEFAULT_DRAWS`; by matching, as many
    as :data:`MATCHING_PAIR_BUDGET` allows for ``total_pairs`` (pairs over all lags), within
    ``DEFAULT_DRAWS["matching"] … DEFAULT_DRAWS["tables"]``.

    >>> default_draws("tables", 10_000, 25 * 73_760), default_draws("tables", 10_000, 19 * 929_590)
    (16, 3)
    """
    if method == "tables" and by_matching(alphabet_size):
        affordable = MATCHING_PAIR_BUDGET // max(int(total_pairs), 1)
        return int(np.clip(affordable, DEFAULT_DRAWS["matching"], DEFAULT_DRAWS["tables"]))
    return DEFAULT_DRAWS.get(method, 0)


def table_null(counts: PairCounts, estimator: str, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_draws, n_lags)`` estimates on random tables with each lag's observed margins.

    Under independence of ``x_t`` and ``x_{t+d}``, given the margins, the table of pair counts
    is a multivariate hypergeometric draw: exactly what a permutation of the pairs gives, and
    what :func:`~midecay.random_tables.random_tables` samples directly. Each lag draws from a
    generator of its own (spawned from ``rng``), so the lags run in parallel and the result
    does not depend on the number of threads. Large alphabets (:func:`by_matching`) draw
    matchings instead, which give the estimates without forming the tables.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .random_tables import random_tables

    n_lags, k = len(counts.lags), counts.alphabet_size
    if by_matching(k):
        left = np.stack([counts.left(i) for i in range(n_lags)]).astype(np.int64)
        right = np.stack([counts.right(i) for i in range(n_lags)]).astype(np.int64)
        sums, cells = random_matching_sums(left, right, n_draws, rng, estimator)
        margins = entropy_rows(left, estimator) + entropy_rows(right, estimator)
        return margins[None, :] - entropy_from_sums(sums, left.sum(axis=1)[None, :], cells, estimator)
    children = rng.spawn(n_lags)
    pool = ThreadPoolExecutor(max_workers=max(1, min(thread_count(), n_lags)))
    if n_lags * n_draws * k * k <= TABLE_STACK_CELLS:
        # The usual case: every lag's tables in one stack, estimated in one (parallel) call.
        # Symbols absent on a side give empty rows / columns, which the sampler deals nothing.
        tables = np.zeros((n_lags, n_draws, k, k), dtype=np.int64)

        def fill(i: int, child: np.random.Generator) -> None:
            tables[i] = random_tables(counts.left(i), counts.right(i), n_draws, child)

        with pool:
            list(pool.map(fill, range(n_lags), children))
        return mutual_information_tables(tables.reshape(-1, k, k), estimator).reshape(n_lags, n_draws).T
    # Many draws of large tables: each lag in chunks, estimated serially in its thread (numba's
    # own threads must not be started from this pool's); the same tables as one stack.
    out = np.empty((n_draws, n_lags))

    def draw(i: int, child: np.random.Generator) -> None:
        for lo in range(0, n_draws, TABLE_CHUNK):
            part = random_tables(counts.left(i), counts.right(i), min(TABLE_CHUNK, n_draws - lo), child)
            out[lo:lo + len(part), i] = mutual_information_tables(part, estimator, parallel=False)

    with pool:
        list(pool.map(draw, range(n_lags), children))
    return out


def count_in_slices(kernel, codes: np.ndarray, blocks: list[np.ndarray], lags: np.ndarray, k: int, chunk: int,
                    *, progress: bool = False) -> list[PairCounts]:
    """Each block's pair counts, from one pass over ``codes`` in slices of ``chunk`` first positions.

    A slice holds its first positions and the ``max(lags)`` symbols after them, so every pair
    is counted in the slice of its first position: the sums equal one count of the whole.
    """
    reach = int(lags[-1])
    sums: list[PairCounts | None] = [None] * len(blocks)
    n_slices = -(-len(codes) // chunk)
    for lo, hi, view in progress_bar(chunks(codes, chunk, overlap=reach), n_slices, "counting slices", progress):
        for b, win in enumerate(blocks):
            local = slice_windows(win, lo, hi, lo + len(view))
            if local is not None:
                part = kernel.count(view, local, lags, k, cells=True, codes_checked=True)
                sums[b] = part if sums[b] is None else PairCounts.total([sums[b], part])
    if any(s is None for s in sums):
        raise InputError("a block of the jackknife holds no pairs; use fewer blocks")
    return sums


def mi_curve(
    data: Any,
    lags: Iterable[int] | int | str = "auto",
    *,
    estimator: str = "grassberger",
    base: str = "nats",
    backend: str = "auto",
    baseline: str | None = "shuffle",
    n_shuffles: int | None = None,
    n_blocks: int = 16,
    seed: int | np.random.Generator | None = None,
    progress: bool = False,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    null: str = "autocorrelated",
    chunk_symbols: int = CHUNK_SYMBOLS,
    engine: str = "local",
    address: str | None = None,
) -> MICurve:
    """Estimate the mutual information ``I(d)`` between symbols ``d`` apart.

    Parameters
    ----------
    data
        :class:`~midecay.Symbols` or anything :func:`~midecay.encode` accepts.
    lags
        Positive integer distances, e.g. ``log_lags(1, 1000, 30)``; a spec such as
        ``"1:1000:40log"``; or ``"auto"``: every lag below the longest segment when segments are
        short (at most 1001 symbols: images, records), else 40 log-spaced lags up to 1000
        (:func:`~midecay.lags.default_lags`).
    estimator
        ``"grassberger"`` (default, Grassberger 2003), ``"miller_madow"`` or ``"plugin"``.
    base
        ``"nats"`` (default) or ``"bits"``.
    backend
        Counting backend: ``"auto"`` or one of :data:`midecay.counting.KERNELS`.
    baseline
        The floor, the estimate at lag d if ``x_t`` and ``x_{t+d}`` were independent:
        ``"shuffle"`` (default) picks the cheapest valid way: ``"tables"`` for alphabets of at
        most :data:`MAX_TABLE_ALPHABET` symbols and of more than
        :data:`~midecay.counting.MAX_DENSE_ALPHABET` (where they fit ``memory_limit``), else
        ``"permutation"``. ``"tables"`` draws each lag's null table directly, a random
        contingency table with that lag's observed margins, without touching the sequence:
        cell by cell for small alphabets (:func:`~midecay.random_tables.random_tables`, a
        fraction of a millisecond), as a random matching of the lag's symbols for large ones
        (:func:`~midecay.random_tables.random_matching_sums`, a pass over the pairs, about
        half a recount); ``"permutation"`` permutes an in-memory copy of the codes and counts
        it again (``N`` times the code size, also when the codes are memory-mapped). ``None``:
        no floor (``baseline`` and ``baseline_std`` are then NaN; shapes do not change).
    n_shuffles
        Null draws: tables per lag (default 16; by matching, 3 to 16 as :data:`MATCHING_PAIR_BUDGET`
        allows) or permuted copies (default 3).
    n_blocks
        Blocks for the delete-one-block jackknife standard error (0 turns it off).
    seed
        Seed or ``numpy.random.Generator`` for the shuffles; the same seed gives the same curve.
    progress
        Show a progress bar (tqdm) for the shuffles and jackknife blocks.
    memory_limit
        Bytes the dense kernel's histograms may take; a larger request is refused up front. The
        sparse kernel's jackknife indexes the positions (:data:`SPARSE_INDEX_BYTES` a symbol) when
        that fits, also for a memory-mapped file; past it, mapped codes are counted in slices,
        whose sums keep every distinct pair. The default floor of a large alphabet draws its
        tables by matching where their shuffled copies fit
        (:func:`~midecay.random_tables.matching_bytes`), else permutes the sequence.
    chunk_symbols
        Memory-mapped codes (token files) longer than this are counted in slices of this
        many symbols, each slice's pages released after it, so resident memory stays near
        one slice whatever the file's size; the counts are the same as in one piece.
    engine, address
        ``"local"`` (default) or ``"ray"``: the counting cut into slices (at most
        ``chunk_symbols`` each, at least two per CPU) counted by Ray tasks where the data is
        (a memory-mapped file is opened by each task), on the running Ray, a cluster at
        ``address``, or a local Ray started for the call; the curve equals the local one exactly.
    null
        What "no dependence at lag d" means for the floor and significance:
        ``"autocorrelated"`` (default) keeps the sequence's own autocorrelation (a serially
        dependent sequence has fewer effective samples, so its estimates at zero dependence
        sit above a shuffle's; see :mod:`midecay.null`); ``"iid"`` is the bare shuffle floor
        of an independent sequence.

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
        n_blocks=n_blocks, memory_limit=memory_limit, null=null,
    )
    symbols = encode(data)
    longest = int(symbols.lengths.max())
    lags = resolve_lags(lags, longest)
    if lags[-1] >= longest:
        raise InputError(
            f"lag {lags[-1]} is not shorter than the longest segment ({longest} symbols); use lags below {longest}"
        )
    baseline = options.baseline
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; choose local or ray")
    kernel = resolve_backend(backend, symbols.alphabet_size)
    k = symbols.alphabet_size
    options.check_memory(kernel.name, k, len(lags), numba.get_num_threads())
    windows = windows_from_bounds(symbols.bounds)

    stderr = np.full(len(lags), np.nan)
    leave_out = np.zeros((0, len(lags)))
    # The jackknife's blocks (or the whole, without one); counted where the data is, they add up to the total.
    blocks = block_windows(symbols.bounds, n_blocks) if n_blocks >= 2 else [windows]
    # The sparse kernel's jackknife in one walk keeps no cells (a word-level corpus has millions a
    # lag), but an index of the positions, in memory also for a memory-mapped file that fits it.
    sparse_one_pass = (n_blocks >= 2 and kernel.name == "sparse" and engine == "local"
                       and not 2 <= symbols.n_segments <= MAX_DOMINANCE_SEGMENTS
                       and symbols.n_symbols * SPARSE_INDEX_BYTES <= memory_limit)
    if engine == "ray":
        from .counting.ray_engine import count_blocks_ray

        parts = count_blocks_ray(symbols.codes, blocks, lags, k, kernel.name, chunk_symbols, address=address)
    elif is_mapped(symbols.codes) and symbols.n_symbols > chunk_symbols and not sparse_one_pass:
        # Past memory: one pass in slices, each slice's pages released after it (bounded RSS).
        if kernel.name == "sparse":
            logger.warning("%d symbols of a %d-symbol alphabet past memory: the sliced sparse count keeps every distinct "
                           "pair of every lag and block, so memory grows with them (raise memory_limit to use the "
                           "one-pass index of ~%d bytes a symbol instead)", symbols.n_symbols, k, SPARSE_INDEX_BYTES)
        parts = count_in_slices(kernel, symbols.codes, blocks, lags, k, chunk_symbols, progress=progress)
    elif n_blocks >= 2 and kernel.name in SINGLE_PASS_KERNELS:
        # One pass: the blocks are counted and their sum is the total (dense tables add cheaply).
        parts = kernel.count_blocks(symbols.codes, progress_bar(blocks, n_blocks, "counting blocks", progress), lags, k,
                                    codes_checked=True)
    else:
        parts = None
    one_pass = None
    if parts is not None:
        counts = PairCounts.total(parts) if len(parts) > 1 else parts[0]
    elif sparse_one_pass:
        # One walk gives the total and every block's leave-out sums; no cells are kept (the
        # segment-dominance check, which needs them, has nothing to do here).
        one_pass = count_sparse_jackknife(symbols.codes, blocks, lags, k, estimator)
        release(symbols.codes, 0, symbols.n_symbols)  # a mapped file's pages, read at random, go back
        counts = one_pass.total
    else:
        # Cells are kept only where the jackknife subtracts block counts; estimators need profiles.
        counts = kernel.count(symbols.codes, windows, lags, k, cells=n_blocks >= 2)
    mi = _mi_per_lag(counts, estimator)
    n_pairs = counts.n_pairs
    _warn_if_sparse(counts, n_pairs)
    if one_pass is not None:
        leave_out = one_pass.leave_out_mutual_information(estimator)
    elif n_blocks >= 2:
        if parts is None:
            parts = [kernel.count(symbols.codes, win, lags, k, cells=True, codes_checked=True)
                     for win in progress_bar(blocks, n_blocks, "jackknife", progress)]
        if isinstance(counts, DenseCounts):
            rest = np.stack([(counts - part).dense for part in parts])  # (blocks, lags, K, K), estimated at once
            leave_out = mutual_information_tables(rest.reshape(-1, k, k), estimator).reshape(len(parts), len(lags))
        else:  # many sparse cells: only those a block touches change its leave-out sums
            leave_out = leave_out_mutual_information(counts, parts, estimator)
    if n_blocks >= 2:
        spread = leave_out - leave_out.mean(axis=0)
        stderr = np.sqrt((n_blocks - 1) / n_blocks * (spread**2).sum(axis=0))

    dominance = _segment_dominance(symbols, kernel, counts, windows, lags, estimator, mi)
    nan = np.full(len(lags), np.nan)
    floor, floor_std, floor_se, shape, excess = nan, nan, nan, nan, nan
    null_info: dict[str, Any] = {}
    scan = None
    method = null_method(baseline, k, int(n_pairs.max(initial=0)), memory_limit)
    n_draws = n_shuffles if n_shuffles is not None else default_draws(method, k, int(n_pairs.sum()))
    if method == "tables":
        shuffled_mi = table_null(counts, estimator, n_draws, as_generator(seed))
    elif method == "permutation":
        rng = as_generator(seed)
        shuffled_mi = np.empty((n_draws, len(lags)))
        for s in progress_bar(range(n_draws), n_draws, "shuffles", progress):
            # A global shuffle keeps every symbol count and destroys all dependence; the
            # segment boundaries stay where they were, so pair counts match exactly.
            shuffled = shuffled_copy(np.asarray(symbols.codes), rng)
            shuffled_mi[s] = _mi_per_lag(kernel.count(shuffled, windows, lags, k, cells=False, codes_checked=True), estimator)
    if method != "none":
        # One count of the sequence's autocorrelation serves the null and the period scan.
        sample = AutocorrelationSample(symbols, sample_symbols=sample_budget(symbols.n_symbols, len(lags)))
        floor, floor_std, floor_se, shape, excess, null_info = _null(
            counts, shuffled_mi, sample if null == "autocorrelated" else None
        )
        null_info["draws"] = ("random tables with each lag's margins" if method == "tables"
                              else "permuted copies of the sequence")
        scan = sample.scan(estimator)
    provenance = {
        "source": symbols.description,
        "data": symbols.provenance,
        "midecay_version": __version__,
        "backend": kernel.name,
        "baseline": method,
        "n_shuffles": int(n_draws) if method != "none" else 0,
        "n_blocks": int(n_blocks),
        "stderr_method": "delete-one-block jackknife" if n_blocks >= 2 else "none",
        "null": null if method != "none" else "none",
        **({"null_info": null_info} if null_info else {}),
        **({"dominant_segment": dominance} if dominance else {}),
        "seed": seed if isinstance(seed, (int, type(None))) else "Generator",
    }
    return MICurve(
        lags=lags,
        mi=to_base(mi, base),
        stderr=to_base(stderr, base),
        baseline=to_base(floor, base),
        baseline_std=to_base(floor_std, base),
        n_pairs=n_pairs,
        baseline_se=to_base(floor_se, base),
        baseline_excess=to_base(excess, base),
        null_shape=shape,
        replicates=to_base(leave_out, base),
        period_scan=None if scan is None else PeriodScan(scan.lags, to_base(scan.mi, base), to_base(scan.noise, base)),
        alphabet_size=k,
        n_symbols=symbols.n_symbols,
        n_segments=symbols.n_segments,
        estimator=estimator,
        base=base,
        provenance=provenance,
    )


def _null(counts: PairCounts, shuffled_mi: np.ndarray, sample: AutocorrelationSample | None):
    """Mean, spread, uncertainty of the mean, gamma shape and autocorrelation excess of the null (nats).

    The shuffles give the estimator's behaviour for an independent sequence, whatever the
    estimator: its bias (the mean) and its spread, which the chi-square model does not know in
    full (Grassberger's estimator adds a parity term, sparse tables compress it), so the
    shuffles' spread, pooled over lags relative to the chi-square's, is used as it is. What the
    sequence's own autocorrelation adds to the mean and the variance is analytic
    (:mod:`midecay.null`), valid where the chi-square approximation is: tables with at least
    one pair per joint cell. In sparser tables (word level) it is left out and the provenance
    says so: compare equal sample sizes there.
    """
    n_shuffles, n_lags = shuffled_mi.shape
    n = counts.n_pairs.astype(np.float64)
    occupied = np.array([(np.count_nonzero(counts.left(i)) - 1) * (np.count_nonzero(counts.right(i)) - 1) for i in range(n_lags)])
    dof_iid = np.maximum(occupied, 1).astype(np.float64)
    iid_sd = np.sqrt(2.0 * dof_iid) / (2.0 * n)
    kappa = 1.0
    if n_shuffles >= 2:
        ratio = shuffled_mi.var(axis=0, ddof=1) / iid_sd**2
        if np.isfinite(ratio).all() and ratio.mean() > 0:
            kappa = float(np.sqrt(ratio.mean()))
    mean_chi2, var_chi2 = dof_iid, 2.0 * dof_iid
    excess = np.zeros(n_lags)
    info: dict[str, Any] = {"method": "shuffles only (independent-sequence null)", "calibration": kappa}
    if sample is not None:
        dense_enough = n >= dof_iid
        terms = sample.terms(counts.lags)
        dep_mean, dep_var = terms.moments(dof_iid)
        mean_chi2 = np.where(dense_enough, dep_mean, mean_chi2)
        var_chi2 = np.where(dense_enough, dep_var, var_chi2)
        excess = np.where(dense_enough, terms.s / n, 0.0)
        info = {**terms.info, "calibration": kappa}
        if not dense_enough.all():
            info["not_applied"] = (f"{int((~dense_enough).sum())} lag(s) have fewer pairs than joint cells: the "
                                   "autocorrelation term is not valid there and is left out; compare equal sample sizes")
    iid_var = (kappa * iid_sd) ** 2
    chi_sd = np.sqrt(var_chi2) / (2.0 * n)
    spread = np.sqrt(iid_var + np.maximum(var_chi2 - 2.0 * dof_iid, 0.0) / (2.0 * n) ** 2)
    floor = shuffled_mi.mean(axis=0) + excess
    floor_se = kappa * iid_sd / np.sqrt(n_shuffles)
    # Noise beyond the chi-square's (parity, compression) is symmetric: it thins the skew.
    shape = mean_chi2**2 / var_chi2 * np.maximum(spread / chi_sd, 1e-3) ** 6
    return floor, spread, floor_se, np.minimum(shape, 1e12), excess, info


#: Segment-dominance check: done for at most this many segments (one leave-one-out curve each).
MAX_DOMINANCE_SEGMENTS = 256


def _segment_dominance(symbols, kernel, counts: PairCounts, windows, lags, estimator: str, mi: np.ndarray) -> dict | None:
    """The segment without which the curve loses most, when that is over half of it (median over lags).

    A corpus of a few records can owe most of its dependence to one of them (a periodic record
    in a FASTA file); a reader should know the curve describes that record, not the corpus.
    """
    n_seg = symbols.n_segments
    if not 2 <= n_seg <= MAX_DOMINANCE_SEGMENTS or not counts.has_cells:
        return None
    worst, worst_change = None, 0.0
    scale = np.maximum(np.abs(mi), 1e-12)
    for i in range(n_seg):
        part = kernel.count(symbols.codes, windows[i : i + 1], lags, symbols.alphabet_size, cells=True, codes_checked=True)
        without = _mi_per_lag(counts - part, estimator)
        change = float(np.median((mi - without) / scale))
        if change > worst_change:
            worst, worst_change = i, change
    if worst is None or worst_change <= 0.5:
        return None
    share = float(symbols.lengths[worst] / symbols.n_symbols)
    return {"segment": int(worst), "share_of_symbols": round(share, 4), "median_loss_without_it": round(worst_change, 3)}


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


def mi_curves(datas: Iterable[Any], lags: Iterable[int] | int, *, engine: str = "local", address: str | None = None,
              **options: Any) -> list[MICurve]:
    """The curves of many inputs (a grid's sample sets, many files) with one setting; on Ray, one session for all.

    Examples
    --------
    >>> [c.n_symbols for c in mi_curves(["abab" * 50, "aabb" * 50], [1, 2], seed=0, n_blocks=0)]
    [200, 200]
    """
    if engine == "ray":
        from .counting.ray_engine import ray_session

        with ray_session(address):
            return [mi_curve(d, lags, engine="ray", **options) for d in datas]
    return [mi_curve(d, lags, engine=engine, **options) for d in datas]
