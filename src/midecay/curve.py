"""``mi_curve``: from data to an :class:`~midecay.MICurve` (estimate, noise floor, uncertainty)."""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from ._memmap import chunks, is_mapped, release
from ._progress import heartbeat
from ._progress import progress as progress_bar
from ._version import __version__
from ._warnings import UnreliableEstimateWarning
from .counting import (
    DenseCounts,
    PairCounts,
    block_windows,
    resolve_backend,
    windows_from_bounds,
)
from .counting.windows import slice_windows
from .errors import InputError
from .estimators import cell_term_estimator, is_cell_term, mutual_information_tables, to_base
from .fitting.diagnosis import periodicity
from .jackknife import count_sparse_jackknife, leave_out_mutual_information, leave_out_stderr
from .lags import resolve_lags
from .loop_copies import LoopCopies, loop_copies
from .micurve import MICurve, PeriodScan
from .rng import named_stream
from .null.floor import Null, null_floor, treats_as_streams
from .null.streams import stream_blocks
from .repeat_excess import REPEAT_GROUPS, repeat_excess
from .two_by_two import two_by_two_p_values
from .options import CurveOptions, Engine
from .sequences import Symbols, encode

logger = logging.getLogger(__name__)

__all__ = ["MICurve", "mi_curve", "mi_curves", "block_windows", "plan_counting", "count", "jackknife", "zero_aware_stderr",
           "null_floor", "provenance", "curve_settings", "CountPlan", "Counted", "Null", "baseline_in_new_names"]


#: Bytes a symbol the sparse one-pass jackknife's position index takes (positions, their room
#: and block, up to 2^32 symbols); with more than ``memory_limit`` of it, mapped codes are sliced.
SPARSE_INDEX_BYTES = 10

#: Kernels whose blocks add up as dense tables, so the jackknife needs no second pass.
SINGLE_PASS_KERNELS = ("dense", "bitset", "numpy", "torch")


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


@dataclass(frozen=True)
class CountPlan:
    """How a curve's pairs are counted: the kernel, the jackknife's blocks, and the strategy.

    Strategies: ``"ray"`` (slices counted by Ray tasks), ``"slices"`` (a memory-mapped file
    past ``chunk_symbols``, one pass in slices with bounded memory), ``"one_walk"`` (the sparse
    kernel's total and every block's leave-out sums in one walk), ``"blocks"`` (the blocks
    counted in one pass, their sum the total), ``"total"`` (the total counted, and the blocks
    again for the jackknife if there is one).
    """

    kernel: Any
    windows: list
    blocks: list
    strategy: str


def plan_counting(symbols, lags: np.ndarray, options: CurveOptions, where: Engine) -> CountPlan:
    """Choose the kernel and the counting strategy, and check the memory they need, before counting."""
    k = symbols.alphabet_size
    kernel = resolve_backend(options.backend, k)
    options.check_memory(kernel.name, k, len(lags), numba.get_num_threads())
    windows = windows_from_bounds(symbols.bounds)
    n_blocks = options.n_blocks
    # The jackknife's blocks (or the whole, without one); counted where the data is, they add up to the total.
    # Streams are the units of their own null: its blocks are groups of whole streams.
    if n_blocks >= 2 and options.null == "streams":
        blocks = stream_blocks(symbols.bounds, min(n_blocks, symbols.n_segments))
    else:
        blocks = block_windows(symbols.bounds, n_blocks) if n_blocks >= 2 else [windows]
    # The sparse kernel's jackknife in one walk keeps no cells (a word-level corpus has millions a
    # lag), but an index of the positions, in memory also for a memory-mapped file that fits it.
    one_walk = (n_blocks >= 2 and kernel.name == "sparse" and where.name == "local"
                and not 2 <= symbols.n_segments <= MAX_DOMINANCE_SEGMENTS
                and symbols.n_symbols * SPARSE_INDEX_BYTES <= options.memory_limit)
    if where.name == "ray":
        strategy = "ray"
    elif is_mapped(symbols.codes) and symbols.n_symbols > where.chunk_symbols and not one_walk:
        strategy = "slices"
    elif one_walk:
        strategy = "one_walk"
    elif n_blocks >= 2 and kernel.name in SINGLE_PASS_KERNELS:
        strategy = "blocks"
    else:
        strategy = "total"
    return CountPlan(kernel, windows, blocks, strategy)


@dataclass(frozen=True)
class Counted:
    """The total's pair counts, with each block's counts (``parts``) or the one walk's leave-out sums."""

    counts: PairCounts
    parts: list | None = None
    one_walk: Any = None


def count(symbols, lags: np.ndarray, plan: CountPlan, options: CurveOptions, where: Engine, progress: bool) -> Counted:
    """Count the pairs as ``plan`` says."""
    k, kernel, blocks = symbols.alphabet_size, plan.kernel, plan.blocks
    if plan.strategy == "ray":
        from .counting.ray_engine import count_blocks_ray

        parts = count_blocks_ray(symbols.codes, blocks, lags, k, kernel.name, where.chunk_symbols, address=where.address)
    elif plan.strategy == "slices":  # past memory: each slice's pages released after it (bounded RSS)
        if kernel.name == "sparse":
            logger.warning("%d symbols of a %d-symbol alphabet past memory: the sliced sparse count keeps every distinct "
                           "pair of every lag and block, so memory grows with them (raise memory_limit to use the "
                           "one-pass index of ~%d bytes a symbol instead)", symbols.n_symbols, k, SPARSE_INDEX_BYTES)
        parts = count_in_slices(kernel, symbols.codes, blocks, lags, k, where.chunk_symbols, progress=progress)
    elif plan.strategy == "one_walk":
        # One walk gives the total and every block's leave-out sums; no cells are kept (the
        # segment-dominance check, which needs them, has nothing to do here).
        walk = count_sparse_jackknife(symbols.codes, blocks, lags, k, cell_term_estimator(options.estimator))
        release(symbols.codes, 0, symbols.n_symbols)  # a mapped file's pages, read at random, go back
        return Counted(walk.total, one_walk=walk)
    elif plan.strategy == "blocks":  # the blocks in one pass; their sum is the total (dense tables add cheaply)
        parts = kernel.count_blocks(symbols.codes, progress_bar(blocks, len(blocks), "counting blocks", progress), lags,
                                    k, codes_checked=True)
    else:
        # Cells are kept only where the jackknife subtracts block counts; estimators need profiles.
        return Counted(kernel.count(symbols.codes, plan.windows, lags, k, cells=options.n_blocks >= 2))
    return Counted(PairCounts.total(parts) if len(parts) > 1 else parts[0], parts)


def jackknife(symbols, lags: np.ndarray, plan: CountPlan, counted: Counted, options: CurveOptions,
              progress: bool, mi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(stderr, replicates)`` in nats: the delete-one-block jackknife, or NaN and no rows without blocks.

    The replicates are the estimator's (for NSB and Chao-Shen, Grassberger's moved by the
    difference of the two estimates on the whole sample; ``mi`` is the estimator's). Its error comes
    from plug-in replicates: Grassberger's
    parity term ``(-1)^n`` flips at random between replicates and, times ``B - 1``, made the
    jackknife 1.5-2x too large near zero MI (the plug-in's replicates move smoothly with the
    counts; both estimators have the same variance to first order). See
    :func:`zero_aware_stderr` for what is done near zero MI.
    """
    n_blocks, k = options.n_blocks, symbols.alphabet_size
    if n_blocks < 2:
        return np.full(len(lags), np.nan), np.zeros((0, len(lags)))
    estimator = cell_term_estimator(options.estimator)
    smooth = None
    if counted.one_walk is not None:
        leave_out = counted.one_walk.leave_out_mutual_information(estimator)
        if estimator != "plugin":
            smooth = counted.one_walk.leave_out_mutual_information("plugin")
    else:
        parts = counted.parts
        if parts is None:
            parts = [plan.kernel.count(symbols.codes, win, lags, k, cells=True, codes_checked=True)
                     for win in progress_bar(plan.blocks, n_blocks, "jackknife", progress)]
        if isinstance(counted.counts, DenseCounts):
            rest = np.stack([(counted.counts - part).dense for part in parts])  # (blocks, lags, K, K), at once
            leave_out = mutual_information_tables(rest.reshape(-1, k, k), estimator).reshape(len(parts), len(lags))
            if estimator != "plugin":
                smooth = mutual_information_tables(rest.reshape(-1, k, k), "plugin").reshape(len(parts), len(lags))
        else:  # many sparse cells: only those a block touches change its leave-out sums
            leave_out = leave_out_mutual_information(counted.counts, parts, estimator)
            if estimator != "plugin":
                smooth = leave_out_mutual_information(counted.counts, parts, "plugin")
    smooth = leave_out if smooth is None else smooth
    if estimator != options.estimator:  # a stand-in's replicates, moved onto the estimator's own estimate
        leave_out = leave_out + (mi - counted.counts.mutual_information(estimator))
    spread = smooth - smooth.mean(axis=0)
    return np.sqrt((n_blocks - 1) / n_blocks * (spread**2).sum(axis=0)), leave_out


def zero_aware_stderr(jackknife_se: np.ndarray, null_std: np.ndarray, dof: np.ndarray | None = None) -> np.ndarray:
    """The standard error of each lag's estimate, right at zero MI as well as far from it.

    Near zero the estimate is a quadratic form of the counts, and the delete-one-block
    jackknife of a (degenerate) quadratic form counts its variance twice: with ``B`` equal
    blocks its square is ``var + null_var`` to leading order, where ``null_var`` is the null's
    variance (``null_std**2``); far from zero the first-order term dominates and the
    correction vanishes. At zero MI the jackknife's square is itself a chi-square with the
    table's ``dof`` (``(K_a - 1)(K_b - 1)``): ``2 null_var chi2_dof / dof``, as noisy as
    ``2 null_var sqrt(2 / dof)``; what it holds beyond its mean plus that noise is signal. So
    ``se**2 = null_var + max(jack**2 - (2 + 2 sqrt(2 / dof)) null_var, 0)``: the null's spread at
    zero MI (a binary table, dof 1, read 1.3-1.5x it with the mean alone), the jackknife's far
    from it. Without a null (or jackknife) the jackknife's error is kept as it is.

    >>> zero_aware_stderr(np.array([np.sqrt(2.0), 10.0, 0.5, 2.0]), np.array([1.0, 1.0, 1.0, np.nan])).round(3).tolist()
    [1.0, 9.95, 1.0, 2.0]
    """
    jack = np.asarray(jackknife_se, dtype=np.float64)
    null = np.asarray(null_std, dtype=np.float64)
    have = np.isfinite(jack) & np.isfinite(null)
    noise = 0.0 if dof is None else 2.0 * np.sqrt(2.0 / np.maximum(np.asarray(dof, dtype=np.float64), 1.0))
    fixed = np.sqrt(null**2 + np.maximum(jack**2 - (2.0 + noise) * null**2, 0.0))
    return np.where(have, fixed, jack)


def provenance(symbols, plan: CountPlan, options: CurveOptions, null: Null, dominance: dict | None, seed) -> dict:
    """What made the curve: source, version, backend, null, jackknife, seed."""
    return {
        "source": symbols.description,
        "data": symbols.provenance,
        "midecay_version": __version__,
        "backend": plan.kernel.name,
        "null_draws": null.method,
        "n_shuffles": null.n_draws,
        "n_blocks": int(options.n_blocks),
        "stderr_method": ("none" if options.n_blocks < 2 else
                          "delete-a-group-of-streams jackknife of estimate - floor" if null.streams is not None else
                          "delete-one-block jackknife (its error from plug-in replicates), its doubled null "
                          "variance taken out near zero MI"),
        "null": "none" if null.method == "none" else "streams" if null.streams is not None else options.null,
        **({"null_info": null.info} if null.info else {}),
        **({"dominant_segment": dominance} if dominance else {}),
        "seed": seed if isinstance(seed, (int, type(None))) else "Generator",
    }


def mi_curve(
    data: Any,
    lags: Iterable[int] | int | str = "auto",
    options: CurveOptions | None = None,
    *,
    seed: int | np.random.Generator | None = None,
    progress: bool = False,
    engine: Engine | str | None = None,
    **overrides: Any,
) -> MICurve:
    """Estimate the mutual information ``I(d)`` between symbols ``d`` apart.

    Parameters
    ----------
    data
        :class:`~midecay.Symbols` or anything :func:`~midecay.encode` accepts.
    options
        A :class:`~midecay.CurveOptions` (estimator, base, backend, null, null_draws, n_shuffles,
        n_blocks, memory_limit, positions); any of its fields may also be given as a
        keyword, which wins over ``options``. The keywords below are those fields;
        ``positions="aligned"`` measures the MI at each position across segments and averages
        over positions (:mod:`midecay.aligned`: images, fixed-length records, model samples),
        ``"pooled"`` (default) counts every pair at a lag together (running text).
    lags
        Positive integer distances, e.g. ``log_lags(1, 1000, 30)``; a spec such as
        ``"1:1000:40log"``; or ``"auto"``: every lag below the longest segment when segments are
        short (at most 1001 symbols: images, records), else 40 log-spaced lags up to 1000
        (:func:`~midecay.lags.default_lags`).
    estimator
        ``"grassberger"`` (default, Grassberger 2003), ``"miller_madow"``, ``"plugin"``, or for
        undersampled large alphabets ``"nsb"`` (Nemenman-Shafee-Bialek, :mod:`midecay.nsb`) and
        ``"chao_shen"`` (coverage-adjusted, :mod:`midecay.chao_shen`); the rule for choosing is in
        ``docs/guide.md`` (Estimators).
    base
        ``"nats"`` (default) or ``"bits"``.
    backend
        Counting backend: ``"auto"`` or one of :data:`midecay.counting.KERNELS`.
    null_draws
        How the null's independent draws are made (the floor is the estimate at lag d if ``x_t``
        and ``x_{t+d}`` were independent): ``"auto"`` (default) picks the cheapest valid way: ``"tables"`` for alphabets of at
        most :data:`~midecay.null.floor.MAX_TABLE_ALPHABET` symbols and of more than
        :data:`~midecay.counting.MAX_DENSE_ALPHABET` (where they fit ``memory_limit``), else
        ``"permutation"``. ``"tables"`` draws each lag's null table directly, a random
        contingency table with that lag's observed margins, without touching the sequence:
        cell by cell for small alphabets (:func:`~midecay.random_tables.random_tables`, a
        fraction of a millisecond), as a random matching of the lag's symbols for large ones
        (:func:`~midecay.random_tables.random_matching_sums`, a pass over the pairs, about
        half a recount); ``"permutation"`` permutes an in-memory copy of the codes and counts
        it again (``N`` times the code size, also when the codes are memory-mapped). Earlier
        versions named this ``baseline=``, with ``"shuffle"`` for ``"auto"`` and ``None`` for
        ``null="none"``; the old name still works, with a warning.
    n_shuffles
        Null draws: tables per lag (default 16; by matching, 3 to 16 as :data:`~midecay.null.floor.MATCHING_PAIR_BUDGET`
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
    engine
        Where it is counted: an :class:`~midecay.options.Engine`, or its name ``"local"``
        (default) or ``"ray"`` with ``address=`` and ``chunk_symbols=`` keywords. With Ray the
        counting is cut into slices (at most ``chunk_symbols`` each, at least two per CPU)
        counted by Ray tasks where the data is (a memory-mapped file is opened by each task),
        on the running Ray, a cluster at ``address``, or a local Ray started for the call; the
        curve equals the local one exactly. Locally, memory-mapped codes (token files) longer
        than ``chunk_symbols`` are counted in slices, each slice's pages released after it, so
        resident memory stays near one slice whatever the file's size.
    null
        What "no dependence at lag d" means for the floor and significance:
        ``"autocorrelated"`` (default) keeps the sequence's own autocorrelation (a serially
        dependent sequence has fewer effective samples, so its estimates at zero dependence
        sit above a shuffle's; see :mod:`midecay.null`); for data of many segments over a large
        alphabet (:func:`treats_as_streams`) that means ``"streams"``. ``"streams"`` takes each
        segment as an independent stream: a stream that loops is paired with itself at offsets
        its loop does not divide, the others with each other, and the error comes from leaving
        out groups of whole streams (:mod:`midecay.null.streams`; model samples, some of which loop). ``"iid"`` is the bare
        shuffle floor of an independent sequence. ``"none"`` (or ``None``): no floor (``floor``
        and ``null_std`` are then NaN; shapes do not change).

    Returns
    -------
    MICurve

    Notes
    -----
    The steps, each a function of this module: :func:`plan_counting` (kernel, blocks,
    strategy), :func:`count`, :func:`jackknife`, :func:`null_floor`, :func:`provenance`.

    Examples
    --------
    >>> c = mi_curve("abcabcabcabc" * 50, [1, 3], estimator="plugin", null=None, n_blocks=0)
    >>> c.mi.round(4).tolist()  # period 3: the next symbol is certain, ln 3 each
    [1.0986, 1.0986]
    """
    options, where = curve_settings(options, engine, overrides)
    symbols = encode(data)
    lags = fitted_lags(lags, symbols)
    if options.positions == "aligned":
        from .aligned import aligned_curve

        if where.name != "local":
            raise InputError("aligned positions are counted locally; drop engine='ray' or use positions='pooled'")
        return aligned_curve(symbols, lags, options, seed, progress)
    if options.null in ("autocorrelated", "streams") and treats_as_streams(symbols, options):
        options = dataclasses.replace(options, null="streams")  # decided once, from the data; the steps read it
    curve = _counted_curve(symbols, lags, options, where, seed, progress)
    period_lags = peak_lags(curve)
    if period_lags is None:
        return curve
    logger.info("period %d found by the scan; counting its %d multiples up to d = %d", period_lags[0], len(period_lags),
                period_lags[-1])
    peaks = _counted_curve(symbols, period_lags, options, where, named_stream(seed, "period-peaks"), progress)
    peaks = dataclasses.replace(peaks, period_scan=None, provenance={**peaks.provenance, "period": int(period_lags[0])})
    return dataclasses.replace(curve, period_curve=peaks)


#: At most this many multiples of a period in :attr:`~midecay.MICurve.period_curve` (log-spaced in the multiple past it).
PEAK_LAGS = 64


def peak_lags(curve: MICurve) -> np.ndarray | None:
    """The multiples of the curve's period up to its largest lag (at most :data:`PEAK_LAGS`, log-spaced),
    or None: no period, or the lags measured hold every multiple already.

    A period found by the scan on a grid that skips most of its multiples (a log grid holds 7, 14
    and 28 of period 7) leaves too few peaks to tell how they decay; the multiples are then counted
    as a curve of their own, with the same floor and errors, so the decay kind does not depend on
    the grid (``docs/methods.md``, "Periods").

    >>> d = np.arange(1, 257)
    >>> scan = PeriodScan(d.astype(float), 0.1 * np.exp(-d / 40) * (d % 7 == 0) + 1e-4, np.full(256, 1e-5))
    >>> def measured(lags):  # a curve at these lags that carries the scan (its values do not matter here)
    ...     z = np.zeros(len(lags))
    ...     return MICurve(lags, z, z + 1e-5, z, z + 1e-5, lags, 2, 10**6, 1, "plugin", "nats", period_scan=scan)
    >>> peak_lags(measured(np.array([1, 2, 4, 8, 16, 32, 64, 128, 250]))).tolist()[:4]   # period 7; the log grid holds none of its multiples
    [7, 14, 21, 28]
    >>> peak_lags(measured(np.arange(1, 200))) is None   # every multiple of 7 below 200 is measured
    True
    """
    period = periodicity(curve).period
    if not period or curve.lags[-1] < 2 * period:
        return None
    k = np.unique(np.geomspace(1, curve.lags[-1] // period, PEAK_LAGS).round().astype(np.int64))
    multiples = k * period
    return None if np.isin(multiples, curve.lags).all() else multiples


def _counted_curve(symbols, lags: np.ndarray, options: CurveOptions, where: Engine, seed, progress: bool) -> MICurve:
    """The curve at ``lags``: counts, jackknife, floor (:func:`mi_curve`'s steps)."""
    if options.null == "streams":
        copies = loop_copies(symbols.codes, symbols.bounds, lags, symbols.alphabet_size, options.n_blocks)
        if copies is not None:
            return _with_loop_copies(symbols, lags, options, where, seed, progress, copies)
    plan = plan_counting(symbols, lags, options, where)
    # Stages without a loop to count (and numba compiling the kernels on a first run) still say they run.
    with heartbeat(f"counting pairs at {len(lags)} lags", progress):
        counted = count(symbols, lags, plan, options, where, progress)
    mi = counted.counts.mutual_information(options.estimator)
    _warn_if_sparse(counted.counts, counted.counts.n_pairs)
    with heartbeat("jackknife errors", progress):
        stderr, replicates = jackknife(symbols, lags, plan, counted, options, progress, mi)
        # Streams are the units of their own errors, which a dominant stream widens: no leave-one-out pass for them.
        dominance = (None if options.null == "streams" else
                     _segment_dominance(symbols, plan.kernel, counted.counts, plan.windows, lags, options.estimator, mi))
    with heartbeat(f"the floor ({options.null} null)", progress):
        null = null_floor(symbols, lags, plan, counted.counts, options, seed, progress)
    # Streams are where the MI of pooled pairs sees a looper's repeats least (a saturating, biased
    # estimator); their excess of repeats counts each stream once, for compare's whole-curve test.
    repeats = _repeats(symbols, lags) if null.streams is not None else {}
    base = options.base
    scan = null.scan
    if null.streams is not None and len(replicates):
        # The units are the streams: the error of estimate - floor from leaving out whole groups of
        # them. The replicates carry each group's floor shift, so that fits and band tests that
        # re-use them see the difference's spread.
        # Near zero MI this is conservative (on i.i.d. streams 1.6-1.8x the spread over sets), but
        # the correction a single sequence's error takes does not hold here: at the last lag (one
        # pair a stream) the estimate spreads 1.6x the null's draws (docs/methods.md, "Errors").
        stderr = null.streams.difference_stderr(replicates)
        replicates = replicates - null.streams.leave_out + null.streams.leave_out.mean(axis=0)
    elif null.streams is None:
        stderr = zero_aware_stderr(stderr, null.std, null.dof)
    return MICurve(
        lags=lags,
        mi=to_base(mi, base),
        stderr=to_base(stderr, base),
        floor=to_base(null.floor, base),
        null_std=to_base(null.std, base),
        n_pairs=counted.counts.n_pairs,
        floor_se=to_base(null.se, base),
        floor_excess=to_base(null.excess, base),
        floor_scale=null.floor_scale,
        null_shape=null.shape,
        exact_p=two_by_two_p_values([counted.counts.left(i) for i in range(len(lags))],
                                    [counted.counts.right(i) for i in range(len(lags))], mi,
                                    1.0 + 2.0 * null.excess * counted.counts.n_pairs, options.estimator)
        if null.method not in ("none", "streams") and is_cell_term(options.estimator) else None,
        replicates=to_base(replicates, base),
        period_scan=None if scan is None else (scan if scan.measure != "mi" else
                                             PeriodScan(scan.lags, to_base(scan.mi, base), to_base(scan.noise, base))),
        alphabet_size=symbols.alphabet_size,
        n_symbols=symbols.n_symbols,
        n_segments=symbols.n_segments,
        estimator=options.estimator,
        base=base,
        provenance=provenance(symbols, plan, options, null, dominance, seed),
        **repeats,
    )


def _with_loop_copies(symbols, lags: np.ndarray, options: CurveOptions, where: Engine, seed, progress: bool,
                      copies: LoopCopies) -> MICurve:
    """Streams that loop exactly enter as copies; the others are counted with the stream null.

    See :mod:`midecay.loop_copies`.
    """
    starts, ends = copies.others
    codes = np.asarray(symbols.codes)
    others = Symbols(np.concatenate([codes[a:b] for a, b in zip(starts, ends)]), symbols.alphabet,
                     np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64),
                     f"{symbols.description} (the streams that do not loop)", symbols.provenance)
    warnings.warn(f"{copies.n_loopers} of {symbols.n_segments} streams loop a phrase exactly: they enter the MI as "
                  "copies at the lags their period divides, their symbols taken as draws of the others' law "
                  "(docs/methods.md, 'Loopers as copies'); where the other streams carry dependence too, the "
                  "combination is approximate", UnreliableEstimateWarning, stacklevel=4)
    # The others' warnings count their streams; say so, and point them at the caller.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        curve = _counted_curve(others, lags, options, where, seed, progress)
    for said in caught:
        text = str(said.message).replace(f" of {others.n_segments} streams ",
                                         f" of the {others.n_segments} streams that do not loop ")
        warnings.warn(text, said.category, stacklevel=4)
    unit = float(to_base(1.0, options.base))
    keep = 1.0 - copies.share
    taken_off = curve.mi - curve.floor_removed
    mi, rows = copies.combine(curve.mi, taken_off, curve.replicates, unit)
    if len(rows) >= 2:
        stderr = leave_out_stderr(rows)
    else:
        stderr = np.hypot(keep * curve.stderr, unit * copies.stderr())
    periods = copies.periods[copies.periods >= 2]
    loops = {"loopers": copies.n_loopers, "periods": sorted({int(p) for p in periods}),
             "method": "copies of draws of the other streams' law (docs/methods.md, 'Loopers as copies')"}
    return dataclasses.replace(
        curve, mi=mi, stderr=stderr, floor=keep * curve.floor, null_std=keep * curve.null_std,
        floor_se=keep * curve.floor_se, floor_excess=keep * curve.floor_excess,
        n_pairs=curve.n_pairs + copies.loop_pairs.astype(np.int64), replicates=rows,
        n_symbols=symbols.n_symbols, n_segments=symbols.n_segments,
        provenance={**curve.provenance, "source": symbols.description, "loop_copies": loops},
        **_repeats(symbols, lags))


def _repeats(symbols, lags: np.ndarray) -> dict[str, np.ndarray]:
    """The excess of repeats at each lag and its leave-a-group-out rows (compare's whole-curve test)."""
    groups = stream_blocks(symbols.bounds, min(REPEAT_GROUPS, symbols.n_segments))
    excess, rows = repeat_excess(symbols.codes, groups, lags, symbols.alphabet_size)
    return {"repeat_excess": excess, "repeat_replicates": rows}


#: Keywords of mi_curve that say where it runs (the rest are CurveOptions fields).
_ENGINE_KEYWORDS = ("address", "chunk_symbols")


def curve_settings(options: CurveOptions | None, engine: Engine | str | None,
                   overrides: dict[str, Any]) -> tuple[CurveOptions, Engine]:
    """The options and the engine of one call, each checked once: ``overrides`` win over ``options``."""
    overrides = _without_old_names(overrides)
    known = set(CurveOptions.__dataclass_fields__)
    unknown = sorted(set(overrides) - known - set(_ENGINE_KEYWORDS))
    if unknown:
        raise InputError(f"mi_curve takes no option {', '.join(unknown)}; it takes: "
                         f"{', '.join(sorted(known | set(_ENGINE_KEYWORDS)))}, seed, progress, engine")
    if options is not None and not isinstance(options, CurveOptions):
        raise InputError(f"options must be a CurveOptions, got {type(options).__name__}")
    chosen = {k: v for k, v in overrides.items() if k in known}
    options = dataclasses.replace(options, **chosen) if options is not None else CurveOptions(**chosen)
    where_keys = {k: overrides[k] for k in _ENGINE_KEYWORDS if k in overrides}
    if isinstance(engine, Engine):
        where = dataclasses.replace(engine, **where_keys) if where_keys else engine
    else:
        where = Engine(engine or "local", **where_keys)
    return options, where


def baseline_in_new_names(old: str | None) -> dict[str, str]:
    """The settings that say what the former ``baseline=`` value ``old`` said.

    >>> baseline_in_new_names("shuffle"), baseline_in_new_names(None), baseline_in_new_names("tables")
    ({'null_draws': 'auto'}, {'null': 'none'}, {'null_draws': 'tables'})
    """
    return {"null": "none"} if old in (None, "none") else {"null_draws": "auto" if old == "shuffle" else old}


def _without_old_names(overrides: dict[str, Any]) -> dict[str, Any]:
    """``baseline=``, the floor's setting before it became ``null`` and ``null_draws``, said in the new names.

    ``baseline=None`` or ``"none"`` is ``null="none"``; ``"shuffle"`` is ``null_draws="auto"``;
    ``"tables"`` and ``"permutation"`` keep their names under ``null_draws``.
    """
    if "baseline" not in overrides:
        return overrides
    out = dict(overrides)
    old = out.pop("baseline")
    new = baseline_in_new_names(old)
    said = ", ".join(f"{k}={v!r}" for k, v in new.items())
    warnings.warn(f"mi_curve's baseline= is now null= and null_draws=: baseline={old!r} is {said}; "
                  "the old name goes in a later version", FutureWarning, stacklevel=4)
    return {**new, **out}


def fitted_lags(lags: Iterable[int] | int | str, symbols) -> np.ndarray:
    """The lags (``"auto"`` and specs resolved for these data), each shorter than the longest segment."""
    longest = int(symbols.lengths.max())
    lags = resolve_lags(lags, longest)
    if lags[-1] >= longest:
        raise InputError(
            f"lag {lags[-1]} is not shorter than the longest segment ({longest} symbols); use lags below {longest}"
        )
    return lags


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
        without = (counts - part).mutual_information(estimator)
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
    used = 0
    for i, d in enumerate(counts.lags):
        left = int(np.count_nonzero(counts.left(i)))
        used = max(used, left)
        if n_pairs[i] < left * int(np.count_nonzero(counts.right(i))):
            short.append(int(d))
    if short:
        # A large alphabet is the usual cause; for text the readers' options shrink it.
        hint = (f"; {used:,} symbols are in use: for a text, -o ascii_only=true or -o lowercase=true (ascii_only=True, "
                "lowercase=True) gives fewer" if used > 256 else "")
        warnings.warn(
            f"fewer pairs than joint bins at {len(short)} lag(s) (from d={short[0]}): estimates there "
            f"are dominated by bias; compare with the shuffle floor or use more data{hint}",
            UnreliableEstimateWarning,
            stacklevel=4,
        )


def mi_curves(datas: Iterable[Any], lags: Iterable[int] | int | str = "auto", options: CurveOptions | None = None, *,
              engine: Engine | str | None = None, **overrides: Any) -> list[MICurve]:
    """The curves of many inputs (a grid's sample sets, many files) with one setting; on Ray, one session for all.

    One :class:`MICurve` per input, in order, each as :func:`mi_curve` makes it (lags in symbols,
    MI in nats, or bits with ``base="bits"``).

    Examples
    --------
    >>> [c.n_symbols for c in mi_curves(["abab" * 50, "aabb" * 50], [1, 2], seed=0, n_blocks=0)]
    [200, 200]
    """
    where = curve_settings(None, engine, {k: overrides.pop(k) for k in _ENGINE_KEYWORDS if k in overrides})[1]
    if where.name == "ray":
        from .counting.ray_engine import ray_session

        with ray_session(where.address):
            return [mi_curve(d, lags, options, engine=where, **overrides) for d in datas]
    return [mi_curve(d, lags, options, engine=where, **overrides) for d in datas]
