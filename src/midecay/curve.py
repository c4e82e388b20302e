"""The auto-mutual-information curve I(d): estimate, noise floor, uncertainty."""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ._io import write_atomic
from ._version import __version__
from ._warnings import UnreliableEstimateWarning
from .counting import PairCounts, resolve_backend, windows_from_bounds
from .estimators import ESTIMATORS, mutual_information_from_profile, to_base
from .lags import as_lags
from .rng import as_generator
from .sequences import encode

logger = logging.getLogger(__name__)

__all__ = ["MICurve", "mi_curve", "block_windows"]

_ARRAY_FIELDS = ("lags", "mi", "stderr", "baseline", "baseline_std", "n_pairs")


@dataclass(frozen=True, eq=False)
class MICurve:
    """An estimated mutual-information curve with its noise floor and uncertainty.

    Attributes
    ----------
    lags
        Distances ``d``.
    mi
        Estimated ``I(d)`` in ``base`` units.
    stderr
        Standard error of each ``mi`` point: delete-one-block jackknife over ``n_blocks``
        contiguous blocks of first positions (NaN when ``n_blocks == 0``).
    baseline
        Mean estimate on ``n_shuffles`` shuffled copies (same symbol counts, no dependence):
        the estimator's bias floor at this sample size (NaN when the baseline is off).
    baseline_std
        Standard deviation of the shuffled estimates (NaN with fewer than two shuffles).
    n_pairs
        Number of pairs counted at each lag.
    """

    lags: np.ndarray
    mi: np.ndarray
    stderr: np.ndarray
    baseline: np.ndarray
    baseline_std: np.ndarray
    n_pairs: np.ndarray
    alphabet_size: int
    n_symbols: int
    n_segments: int
    estimator: str
    base: str
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in _ARRAY_FIELDS:
            dtype = np.int64 if name in ("lags", "n_pairs") else np.float64
            arr = np.array(getattr(self, name), dtype=dtype)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        shapes = {getattr(self, name).shape for name in _ARRAY_FIELDS}
        if len(shapes) != 1:
            raise ValueError(f"MICurve arrays must share one shape, got {sorted(shapes)}")

    # -- derived quantities -------------------------------------------------------------
    @property
    def corrected(self) -> np.ndarray:
        """``mi - baseline``: the estimate with the shuffle floor removed (NaN without a baseline)."""
        return self.mi - self.baseline

    @property
    def floor_removed(self) -> np.ndarray:
        """``mi - baseline`` where the curve has a shuffle floor, ``mi`` where it has none.

        What fits, spans and comparisons work on: the estimate without its bias at this size.
        """
        return np.where(np.isfinite(self.baseline), self.mi - self.baseline, self.mi)

    @property
    def noise(self) -> np.ndarray:
        """Combined standard error of ``mi - baseline`` (jackknife and shuffle spread)."""
        se = np.nan_to_num(self.stderr, nan=0.0)
        sb = np.nan_to_num(self.baseline_std, nan=0.0)
        return np.sqrt(se**2 + sb**2)

    def significant(self, z: float = 3.0) -> np.ndarray:
        """Whether each point lies more than ``z`` combined standard errors above the floor."""
        floor = np.nan_to_num(self.baseline, nan=0.0)
        return self.mi - floor > z * self.noise

    # -- output --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (NaN written as None)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value = [None if (isinstance(v, float) and math.isnan(v)) else v for v in value.tolist()]
            out[f.name] = value
        out["format"] = "midecay.MICurve/1"
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MICurve:
        """Rebuild a curve from :meth:`to_dict` output."""
        if data.get("format") != "midecay.MICurve/1":
            raise ValueError("not a midecay curve (missing format 'midecay.MICurve/1'); pass a file written by MICurve.to_json")
        kwargs = {}
        for f in fields(cls):
            value = data[f.name]
            if f.name in _ARRAY_FIELDS:
                value = [math.nan if v is None else v for v in value]
            kwargs[f.name] = value
        return cls(**kwargs)

    def to_json(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        """Write the curve as JSON, atomically; an existing file is kept unless ``overwrite``."""
        write_atomic(path, json.dumps(self.to_dict(), indent=1), overwrite=overwrite)

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> MICurve:
        """Read a curve written by :meth:`to_json` (round-trips exactly)."""
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise FileNotFoundError(f"curve file {path} not found; write one with MICurve.to_json or `midecay curve --out`") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}); pass a file written by MICurve.to_json") from None
        return cls.from_dict(data)

    def summary(self) -> str:
        """A short text table of the curve."""
        src = self.provenance.get("source", "")
        lines = [
            f"MI curve ({self.estimator}, {self.base}) of {src}",
            f"  {self.n_symbols} symbols in {self.n_segments} segment(s), alphabet {self.alphabet_size}",
            f"  {'lag':>8} {'I(d)':>12} {'stderr':>10} {'floor':>12} {'signif':>7}",
        ]
        sig = self.significant()
        for i, d in enumerate(self.lags):
            lines.append(
                f"  {d:>8d} {self.mi[i]:>12.5g} {self.stderr[i]:>10.2g} {self.baseline[i]:>12.5g} {'yes' if sig[i] else 'no':>7}"
            )
        return "\n".join(lines)

    def plot(self, ax=None, *, label: str | None = None, color=None, floor: bool = True):
        """Log-log plot of I(d) with error bars, and the shuffle floor as a shaded noise region.

        The shaded region runs up to ``baseline + 2 * baseline_std``: points inside it cannot be
        told from an independent sequence of the same size. Points at or below zero cannot be
        shown on a log axis and are left out; lower error bars are clipped at the axis.
        """
        import matplotlib.pyplot as plt  # optional dependency, imported where used

        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.4))
        positive = self.mi > 0
        d, y = self.lags[positive], self.mi[positive]
        err = np.nan_to_num(self.stderr[positive], nan=0.0)
        lower = np.minimum(err, 0.9 * y)  # a log axis cannot show an error bar reaching zero
        line = ax.errorbar(
            d, y, yerr=[lower, err], fmt="o-", ms=3.5, lw=1.2, capsize=2, color=color,
            label=label or self.provenance.get("source") or "I(d)",
        )
        shown = list(y)
        if floor and np.isfinite(self.baseline).any():
            top = np.abs(self.baseline) + 2 * np.nan_to_num(self.baseline_std)
            c = line[0].get_color()
            ax.fill_between(self.lags, 0, top, color=c, alpha=0.12, lw=0)
            ax.plot(self.lags, top, ls=":", color=c, lw=1)
            shown += list(top[top > 0])
        if shown:
            lo, hi = 0.5 * min(shown), 2 * max(shown)
            if ax.get_yscale() == "log":  # another curve is already on these axes: keep it in view
                lo0, hi0 = ax.get_ylim()
                lo, hi = min(lo, lo0), max(hi, hi0)
            ax.set_yscale("log")
            ax.set_ylim(lo, hi)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("distance d (symbols)")
        ax.set_ylabel(f"mutual information I(d) [{self.base}]")
        handles, labels = ax.get_legend_handles_labels()
        if floor and "shaded: shuffle floor + 2σ" not in labels:
            from matplotlib.patches import Patch

            handles.append(Patch(color="0.5", alpha=0.25, label="shaded: shuffle floor + 2σ"))
        ax.legend(handles=handles, frameon=False, fontsize="small")
        return ax


def block_windows(bounds: np.ndarray, n_blocks: int) -> list[np.ndarray]:
    """Counting windows whose first positions fall in each of ``n_blocks`` contiguous blocks.

    A pair is assigned to the block of its first position, and may reach past the block's end
    (never past its segment's end), so the blocks' counts add up exactly to the total.
    """
    bounds = np.asarray(bounds, dtype=np.int64)
    n = int(bounds[-1])
    edges = np.linspace(0, n, n_blocks + 1).round().astype(np.int64)
    seg_start, seg_end = bounds[:-1], bounds[1:]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        start = np.maximum(seg_start, lo)
        first_stop = np.minimum(seg_end, hi)
        keep = start < first_stop
        out.append(np.ascontiguousarray(np.stack([start[keep], first_stop[keep], seg_end[keep]], axis=1)))
    return out


def _mi_per_lag(counts: PairCounts, estimator: str) -> np.ndarray:
    return np.array(
        [
            mutual_information_from_profile(counts.joint_profile(i), counts.left(i), counts.right(i), estimator)
            for i in range(len(counts.lags))
        ]
    )


def _progress(iterable, total: int, desc: str, enabled: bool):
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is optional
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False)


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

    Returns
    -------
    MICurve

    Examples
    --------
    >>> c = mi_curve("abcabcabcabc" * 50, [1, 3], estimator="plugin", baseline=None, n_blocks=0)
    >>> c.mi.round(4).tolist()  # period 3: the next symbol is certain, ln 3 each
    [1.0986, 1.0986]
    """
    symbols = encode(data)
    lags = as_lags(lags)
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown estimator {estimator!r}; choose one of: {', '.join(ESTIMATORS)}")
    to_base(0.0, base)  # validates base before any work
    if baseline not in ("shuffle", None, "none"):
        raise ValueError(f"unknown baseline {baseline!r}; use 'shuffle' or None")
    if baseline == "shuffle" and n_shuffles < 1:
        raise ValueError(f"n_shuffles must be >= 1 with baseline='shuffle', got {n_shuffles}")
    if n_blocks == 1 or n_blocks < 0:
        raise ValueError(f"n_blocks must be 0 (no jackknife) or >= 2, got {n_blocks}")
    longest = int(symbols.lengths.max())
    if lags[-1] >= longest:
        raise ValueError(
            f"lag {lags[-1]} is not shorter than the longest segment ({longest} symbols); use lags below {longest}"
        )
    kernel = resolve_backend(backend, symbols.alphabet_size)
    k = symbols.alphabet_size
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
        for b, win in enumerate(_progress(blocks, n_blocks, "jackknife", progress)):
            part = kernel.count(symbols.codes, win, lags, k, cells=True)
            leave_out[b] = _mi_per_lag(counts - part, estimator)
        spread = leave_out - leave_out.mean(axis=0)
        stderr = np.sqrt((n_blocks - 1) / n_blocks * (spread**2).sum(axis=0))

    floor = np.full(len(lags), np.nan)
    floor_std = np.full(len(lags), np.nan)
    if baseline == "shuffle":
        rng = as_generator(seed)
        shuffled_mi = np.empty((n_shuffles, len(lags)))
        for s in _progress(range(n_shuffles), n_shuffles, "shuffles", progress):
            # A global shuffle keeps every symbol count and destroys all dependence; the
            # segment boundaries stay where they were, so pair counts match exactly.
            shuffled = rng.permutation(np.asarray(symbols.codes))
            shuffled_mi[s] = _mi_per_lag(kernel.count(shuffled, windows, lags, k, cells=False), estimator)
        floor = shuffled_mi.mean(axis=0)
        if n_shuffles >= 2:
            floor_std = shuffled_mi.std(axis=0, ddof=1)

    provenance = {
        "source": symbols.description,
        "midecay_version": __version__,
        "backend": kernel.name,
        "baseline": baseline or "none",
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
