"""The floor's policy: which null a curve gets, how its draws are made, and the floor it gives (nats).

:func:`null_floor` is the step of :func:`midecay.mi_curve` that turns a curve's pair counts into
its :class:`Null`. It chooses between the constructions of this package (``docs/methods.md``):
random tables or permuted copies for the estimator's bias on an independent sequence, plus what
the data's own structure adds: the analytic autocorrelation term (small alphabets), shifted
copies with the cross-repeat term (large alphabets, one sequence), or the stream null (many
streams, :func:`treats_as_streams`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._progress import progress as progress_bar
from .._threads import thread_count
from .._warnings import UnreliableEstimateWarning
from ..counting import MAX_DENSE_ALPHABET, PairCounts
from ..errors import InputError
from ..estimators import cell_term_estimator, entropy_from_sums, entropy_rows, is_cell_term, mutual_information_tables
from ..options import DEFAULT_MEMORY_LIMIT, CurveOptions
from ..random_tables import matching_bytes, random_matching_sums
from ..rng import as_generator, named_stream
from ..rng import shuffled as shuffled_copy
from .autocorrelation import MAX_FULL_ALPHABET, AutocorrelationSample, sample_budget
from .shifted import MAX_SHIFT_SYMBOLS, ShiftedNull, floor_scale, shifted_null
from .streams import MIN_STREAMS, StreamNull, stream_groups, stream_null

__all__ = ["Null", "null_floor", "null_method", "default_draws", "table_null", "by_matching", "treats_as_streams",
           "MAX_TABLE_ALPHABET", "TABLE_STACK_CELLS", "TABLE_CHUNK", "DEFAULT_DRAWS", "MATCHING_PAIR_BUDGET"]


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

def by_matching(alphabet_size: int) -> bool:
    """Whether random tables of this alphabet are drawn as matchings (else cell by cell)."""
    return alphabet_size > MAX_DENSE_ALPHABET


def null_method(null_draws: str, alphabet_size: int, n_pairs: int = 0, memory_limit: int = DEFAULT_MEMORY_LIMIT,
                estimator: str = "grassberger") -> str:
    """How the null's independent draws are made: ``"tables"`` or ``"permutation"`` (``"auto"`` resolved).

    By alphabet size only (the floor, like the counts, must not depend on the backend), and by
    memory: tables by matching hold a shuffled copy of the pairs a thread
    (:func:`~midecay.random_tables.matching_bytes`), so past ``memory_limit`` the sequence is
    permuted instead (one copy at a time). Estimators that are not sums over cells (NSB,
    Chao-Shen) are measured on permuted copies: random tables are summed cell by cell.
    """
    if null_draws != "auto":
        return null_draws
    if not is_cell_term(estimator):
        return "permutation"
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

    from ..random_tables import random_tables

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


def treats_as_streams(symbols, options: CurveOptions) -> bool:
    """Whether the curve's null and errors take each segment as an independent stream (:mod:`midecay.null.streams`).

    With ``null="streams"`` always; with the default ``"autocorrelated"``, for data of at least
    :data:`~midecay.null.streams.MIN_STREAMS` segments over an alphabet past
    :data:`~midecay.null.autocorrelation.MAX_FULL_ALPHABET` symbols (model samples and documents
    at token or word level), where the analytic term does not hold, whatever share of the
    streams loops or repeats itself (the stream null holds its level at every share of the
    class measured, 0-100 %: ``docs/methods.md``, "Many streams"). The route reads the data's
    shape only, never a count that moves between seeds of one process.
    """
    if options.null in ("none", "iid") or options.positions == "aligned":
        return False
    if options.null == "streams":
        if not is_cell_term(options.estimator):
            raise InputError(f"null='streams' sums cell terms; estimator {options.estimator!r} has none: use "
                             "grassberger, plugin or miller_madow")
        if symbols.n_segments < 2:
            raise InputError("null='streams' needs at least 2 segments (streams); use null='autocorrelated'")
        return True
    return (symbols.n_segments >= MIN_STREAMS and symbols.alphabet_size > MAX_FULL_ALPHABET
            and is_cell_term(options.estimator))


@dataclass(frozen=True)
class Null:
    """The floor of a curve (nats): mean, spread, its own error, gamma shape, autocorrelation excess;
    how it was drawn, the period scan made from the same autocorrelation count, and each lag's
    chi-square degrees of freedom."""

    floor: np.ndarray
    std: np.ndarray
    se: np.ndarray
    shape: np.ndarray
    excess: np.ndarray
    method: str
    n_draws: int
    info: dict
    scan: Any = None
    dof: np.ndarray | None = None
    floor_scale: np.ndarray | None = None
    streams: StreamNull | None = None


def null_floor(symbols, lags: np.ndarray, plan: Any, counts: PairCounts, options: CurveOptions, seed,
               progress: bool) -> Null:
    """The null "no dependence at d" for every lag, drawn as :func:`null_method` chooses.

    ``plan`` is the curve's :class:`~midecay.curve.CountPlan` (its kernel and windows count
    the permuted and shifted copies as the curve's own pairs are counted).
    """
    k, estimator = symbols.alphabet_size, options.estimator
    n_pairs = counts.n_pairs
    if options.null == "none":
        nan = np.full(len(lags), np.nan)
        return Null(nan, nan, nan, nan, nan, "none", 0, {})
    if options.null == "streams":
        return _streams_floor(symbols, lags, counts, options, seed)
    method = null_method(options.null_draws, k, int(n_pairs.max(initial=0)), options.memory_limit, estimator)
    n_draws = options.n_shuffles if options.n_shuffles is not None else default_draws(method, k, int(n_pairs.sum()))
    if method == "tables":
        shuffled_mi = table_null(counts, estimator, n_draws, as_generator(seed))
    else:
        rng = as_generator(seed)
        shuffled_mi = np.empty((n_draws, len(lags)))
        for s in progress_bar(range(n_draws), n_draws, "shuffles", progress):
            # A global shuffle keeps every symbol count and destroys all dependence; the
            # segment boundaries stay where they were, so pair counts match exactly.
            shuffled = shuffled_copy(np.asarray(symbols.codes), rng)
            shuffled_mi[s] = plan.kernel.count(shuffled, plan.windows, lags, k, cells=False,
                                               codes_checked=True).mutual_information(estimator)
    # One count of the sequence's autocorrelation serves the null and the period scan.
    sample = AutocorrelationSample(symbols, sample_symbols=sample_budget(symbols.n_symbols, len(lags)))
    iid = _iid_spread(counts, shuffled_mi)
    # The sequence's autocorrelation enters analytically, or for large alphabets from shifted copies.
    autocorrelated, shifted = options.null == "autocorrelated", None
    if autocorrelated and not sample.full and _shiftable(symbols, options.memory_limit):
        shifted = _shifted_null(symbols, lags, plan, counts, shuffled_mi, iid[0], estimator, seed)
    floor, std, se, shape, excess, info = _null(counts, shuffled_mi, iid, sample if autocorrelated and shifted is None
                                                else None, shifted)
    info["draws"] = "random tables with each lag's margins" if method == "tables" else "permuted copies of the sequence"
    scale = None if shifted is None else floor_scale(counts.occupied_cells(), counts.n_pairs, shifted)
    return Null(floor, std, se, shape, excess, method, int(n_draws), info, sample.scan(cell_term_estimator(estimator)),
                iid[2], scale)


def _streams_floor(symbols, lags: np.ndarray, counts: PairCounts, options: CurveOptions, seed) -> Null:
    """The stream null (:mod:`midecay.null.streams`): groups of streams as in the curve's jackknife blocks."""
    n_groups = min(max(options.n_blocks, 2), symbols.n_segments)
    groups = stream_groups(symbols.lengths, n_groups)
    rng = named_stream(seed, "stream-null")
    null = stream_null(np.asarray(symbols.codes), symbols.bounds, lags, symbols.alphabet_size, options.estimator,
                       groups, rng, n_draws=options.n_shuffles)
    one_token = null.info["one_token_streams"]
    if one_token:
        warnings.warn(f"{one_token} of {symbols.n_segments} streams repeat one token throughout: they read the same "
                      "at every lag, so their repetition is not counted as dependence at any lag; report them "
                      "apart (or drop them) if it matters", UnreliableEstimateWarning, stacklevel=5)
    looping = null.info["looping_streams"]
    if looping:  # docs/methods.md, "What it cannot fix": the relabelling argument
        warnings.warn(f"{looping} of {symbols.n_segments} streams loop a phrase: a copy of a token seen in one stream "
                      "reads like a chance clump, so at lags a loop length divides the floor-removed MI reads below "
                      "the pooled I(d) (0.2-0.5 of it on synthetic loopers); comparisons keep their sign and "
                      "understate its size", UnreliableEstimateWarning, stacklevel=5)
    dof = counts.table_dof()
    # Gamma shape of a chi-square with the table's dof (normal at word level); the draws' own spread is the scale.
    shape = np.minimum(dof / 2.0, 1e12)
    nan = np.full(len(lags), np.nan)
    return Null(null.floor, null.std, null.floor_se, shape, nan, "streams", len(null.draws), dict(null.info), None, dof,
                None, null)


def _shiftable(symbols, memory_limit: int) -> bool:
    """Whether the sequence is short enough to be held twice for the shifted null (else the analytic term)."""
    n = symbols.n_symbols
    return 2 <= n <= MAX_SHIFT_SYMBOLS and 2 * n * np.asarray(symbols.codes[:1]).itemsize <= memory_limit


def _shifted_null(symbols, lags: np.ndarray, plan: Any, counts: PairCounts, shuffled_mi: np.ndarray,
                  iid_sd: np.ndarray, estimator: str, seed) -> ShiftedNull:
    """The large-alphabet null's repetition term, counted by the curve's kernel on shifted copies."""
    k = symbols.alphabet_size

    def mi_of(codes: np.ndarray, windows: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shifted_counts = plan.kernel.count(codes, windows, at, k, cells=False, codes_checked=True)
        return shifted_counts.mutual_information(estimator), shifted_counts.occupied_cells()

    return shifted_null(np.asarray(symbols.codes), plan.windows, lags, counts.n_pairs, shuffled_mi.mean(axis=0), iid_sd,
                        mi_of, named_stream(seed, "shifted-null"), estimator=cell_term_estimator(estimator),
                        bounds=np.asarray(symbols.bounds))


def _iid_spread(counts: PairCounts, shuffled_mi: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """The independent-sequence null's spread per lag, its calibration and the chi-square's dof.

    The chi-square's spread ``sqrt(2 dof) / 2n`` gives its shape over lags; the shuffles' own
    variance, pooled over lags relative to it, its scale ``kappa`` (a few draws a lag would give
    a noisy spread lag by lag; sparse tables and Grassberger's parity term move it off 1).
    """
    n_shuffles, n_lags = shuffled_mi.shape
    n = counts.n_pairs.astype(np.float64)
    dof_iid = counts.table_dof()
    iid_sd = np.sqrt(2.0 * dof_iid) / (2.0 * np.maximum(n, 1.0))
    kappa = 1.0
    if n_shuffles >= 2:
        ratio = shuffled_mi.var(axis=0, ddof=1) / iid_sd**2
        if np.isfinite(ratio).all() and ratio.mean() > 0:
            kappa = float(np.sqrt(ratio.mean()))
    return kappa * iid_sd, kappa, dof_iid


def _null(counts: PairCounts, shuffled_mi: np.ndarray, iid: tuple[np.ndarray, float, np.ndarray],
          sample: AutocorrelationSample | None, shifted: ShiftedNull | None = None):
    """Mean, spread, uncertainty of the mean, gamma shape and autocorrelation excess of the null (nats).

    The shuffles give the estimator's behaviour for an independent sequence, whatever the
    estimator: its bias (the mean) and its spread, which the chi-square model does not know in
    full (Grassberger's estimator adds a parity term, sparse tables compress it), so the
    shuffles' spread, pooled over lags relative to the chi-square's, is used as it is. What the
    sequence's own autocorrelation adds to the mean and the variance is analytic
    (:mod:`midecay.null`), valid where the chi-square approximation is: tables with at least
    one pair per joint cell. Large alphabets (word and token level) take it instead from
    circularly shifted copies of the sequence (``shifted``, :mod:`midecay.null.shifted`), which keep
    its repetition at any sparsity. ``iid`` is :func:`_iid_spread`'s answer; at most one of
    ``sample`` (the analytic term) and ``shifted`` is given.
    """
    n_shuffles, n_lags = shuffled_mi.shape
    n = counts.n_pairs.astype(np.float64)
    calibrated, kappa, dof_iid = iid
    iid_sd = calibrated / kappa
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
    floor_se = kappa * iid_sd / np.sqrt(n_shuffles)
    if shifted is not None:
        excess = shifted.excess
        spread = np.sqrt(iid_var * shifted.variance_ratio)
        floor_se = np.sqrt(floor_se**2 + shifted.excess_se**2)
        chi_sd = spread
        info = {**info, **shifted.info}
    floor = shuffled_mi.mean(axis=0) + excess
    # Noise beyond the chi-square's (parity, compression) is symmetric: it thins the skew.
    shape = mean_chi2**2 / var_chi2 * np.maximum(spread / chi_sd, 1e-3) ** 6
    return floor, spread, floor_se, np.minimum(shape, 1e12), excess, info


