"""The MI curve result: I(d) with its noise floor and uncertainty."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .errors import InputError
from .limits import BASES, ESTIMATOR_NAMES
from .results import (
    Result,
    float_array,
    int_array,
    jsonable,
    new_axes,
    plain_log_ticks,
    require,
)

__all__ = ["MICurve", "PeriodScan"]

_ARRAY_FIELDS = ("lags", "mi", "stderr", "floor", "null_std", "n_pairs", "floor_se", "floor_excess", "null_shape",
                 "exact_p", "floor_scale", "repeat_excess")
#: Written by earlier versions (before the null kept autocorrelation, before exact p-values,
#: before curves of streams carried their repeats); read as NaN.
_OPTIONAL_ARRAYS = ("floor_se", "floor_excess", "null_shape", "exact_p", "floor_scale", "repeat_excess")
#: Rows of jackknife replicates, one per block: the MI's, and the excess of repeats'.
_REPLICATE_FIELDS = ("replicates", "repeat_replicates")
_INT_FIELDS = ("lags", "n_pairs")
#: The floor's fields as formats 1 and 2 named them (one name per quantity since format 3).
_OLD_NAMES = {"baseline": "floor", "baseline_std": "null_std", "baseline_se": "floor_se", "baseline_excess": "floor_excess"}
NULL_BAND_LABEL = "shaded: no dependence at d (null, up to its z = 3 threshold)"
NULL_LINE_LABEL = "dotted, each curve's colour: its null's z = 3 threshold"


@dataclass(frozen=True)
class PeriodScan:
    """MI at every lag ``1 … n`` on the sample: what periodicity tests need on any user grid.

    ``measure`` is ``"mi"``, or ``"repeats"`` for alphabets too large for a joint table: then ``mi``
    holds the excess of repeats ``sum_x P(x_t = x_{t+d} = x) / pi(x) - 1``, zero without dependence,
    on its own scale (the curve's floor does not apply to it).
    """

    lags: np.ndarray
    mi: np.ndarray
    noise: np.ndarray
    measure: str = "mi"

    def to_dict(self) -> dict:
        return {"lags": self.lags.tolist(), "mi": self.mi.tolist(), "noise": self.noise.tolist(), "measure": self.measure}

    @classmethod
    def from_dict(cls, data: dict) -> PeriodScan:
        return cls(*(np.asarray(data[k], dtype=np.float64) for k in ("lags", "mi", "noise")), str(data.get("measure", "mi")))


@dataclass(frozen=True, eq=False)
class MICurve(Result):
    """An estimated mutual-information curve with its noise floor and uncertainty.

    Attributes
    ----------
    lags
        Distances ``d`` (positive, strictly increasing).
    mi
        Estimated ``I(d)`` in ``base`` units.
    stderr
        Standard error of each ``mi`` point: delete-one-block jackknife over ``n_blocks``
        contiguous blocks of first positions (NaN when ``n_blocks == 0``).
    floor
        The null's mean: what the estimate would be at this lag if ``x_t`` and ``x_{t+d}`` were
        independent, at this sample size. The shuffle floor (the estimator's bias for an
        independent sequence) plus, by default, ``floor_excess``.
    null_std
        The null's standard deviation: the spread of one estimate under "no dependence at d".
    n_pairs
        Number of pairs counted at each lag.
    floor_se
        Standard error of ``floor`` itself (it is estimated from a few shuffles).
    floor_excess
        What the sequence's own autocorrelation adds to the floor (fewer effective samples);
        0 with ``null="iid"``.
    null_shape
        Shape of the gamma law (a scaled chi-square) the null follows; ``inf`` is normal.
    exact_p
        The p-value from the exact null where one is known (two symbols a side: the table's one
        free count is hypergeometric, see :mod:`midecay.two_by_two`); NaN elsewhere, where
        :meth:`p_values` uses the gamma law.
    floor_scale
        The share of ``floor`` that is the estimator's bias under the dependence the sequence
        has (``<= 1``; NaN, read as 1, where not measured): sparse tables at a dependent lag are
        biased less than independent ones (:func:`midecay.null.shifted.floor_scale`).
        :attr:`floor_removed` takes off ``floor_scale * floor``; the tests
        (:meth:`p_values`) keep the whole null.
    replicates
        The delete-one-block jackknife curves, one row per block (``(n_blocks, n_lags)``;
        empty without a jackknife). Fits refit them for honest parameter errors.
    repeat_excess
        Curves of many streams (the stream null) only, NaN elsewhere: the share of pairs whose
        two symbols are equal, less the chance share ``sum pi^2`` (a probability, in no base;
        :mod:`midecay.repeat_excess`). :func:`~midecay.compare` tests it over the whole curve.
    repeat_replicates
        Its delete-one-group replicates, ``(n_groups, n_lags)``, over groups of whole streams
        (:data:`~midecay.repeat_excess.REPEAT_GROUPS`, or one a stream); empty where
        ``repeat_excess`` is NaN.
    period_scan
        MI at every lag ``1 … 256`` on a sample of the data (the excess of repeats for alphabets
        over 128 symbols), so a period can be found whatever lag grid the curve was measured on.
    period_curve
        The curve at the multiples of the period the scan found, counted with this one where its
        lags skip them (:func:`~midecay.curve.peak_lags`): how the peaks decay, on any grid.
        Its ``provenance["period"]`` is the period; None where no period was found or the lags
        hold every multiple.

    Examples
    --------
    >>> import midecay
    >>> c = midecay.mi_curve("abcab" * 200, [1, 2], seed=0)
    >>> MICurve.from_json_text(c.to_json()).lags.tolist()
    [1, 2]
    """

    FORMAT = "midecay.MICurve/3"
    READS = ("midecay.MICurve/1", "midecay.MICurve/2")

    lags: np.ndarray
    mi: np.ndarray
    stderr: np.ndarray
    floor: np.ndarray
    null_std: np.ndarray
    n_pairs: np.ndarray
    alphabet_size: int
    n_symbols: int
    n_segments: int
    estimator: str
    base: str
    provenance: dict[str, Any] = field(default_factory=dict)
    floor_se: np.ndarray | None = None
    floor_excess: np.ndarray | None = None
    null_shape: np.ndarray | None = None
    exact_p: np.ndarray | None = None
    floor_scale: np.ndarray | None = None
    replicates: np.ndarray | None = None
    period_scan: PeriodScan | None = None
    period_curve: MICurve | None = None
    repeat_excess: np.ndarray | None = None
    repeat_replicates: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in _OPTIONAL_ARRAYS:
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(np.shape(self.lags), np.nan))
        for name in _ARRAY_FIELDS:
            dtype = np.int64 if name in _INT_FIELDS else np.float64
            try:
                arr = np.array(getattr(self, name), dtype=dtype)
            except (TypeError, ValueError):
                raise InputError(f"MICurve.{name} must be numbers") from None
            if arr.ndim != 1:
                raise InputError(f"MICurve.{name} must be 1-D, got shape {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        shapes = {getattr(self, name).shape for name in _ARRAY_FIELDS}
        if len(shapes) != 1:
            raise InputError(f"MICurve arrays must share one shape, got {sorted(shapes)}")
        if len(self.lags) == 0:
            raise InputError("MICurve has no lags")
        if self.lags[0] < 1 or np.any(np.diff(self.lags) <= 0):
            raise InputError("MICurve.lags must be positive and strictly increasing")
        if not np.isfinite(self.mi).all():
            raise InputError("MICurve.mi holds NaN or infinite values; re-estimate the curve")
        if (self.n_pairs < 0).any():
            raise InputError("MICurve.n_pairs must be >= 0")
        for name in ("stderr", "null_std", "floor_se", "null_shape"):
            values = getattr(self, name)
            if (values[np.isfinite(values)] < 0).any():
                raise InputError(f"MICurve.{name} must be >= 0 (or NaN where not computed)")
        p = self.exact_p[np.isfinite(self.exact_p)]
        if ((p < 0) | (p > 1)).any():
            raise InputError("MICurve.exact_p must lie in [0, 1] (or NaN where not computed)")
        scale = self.floor_scale[np.isfinite(self.floor_scale)]
        if ((scale < 0) | (scale > 1)).any():
            raise InputError("MICurve.floor_scale must lie in [0, 1] (or NaN where not measured)")
        for name in ("alphabet_size", "n_symbols", "n_segments"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"MICurve.{name} must be a positive integer, got {value!r}")
            object.__setattr__(self, name, int(value))
        if self.estimator not in ESTIMATOR_NAMES:
            raise InputError(f"MICurve.estimator {self.estimator!r} is not one of {', '.join(ESTIMATOR_NAMES)}")
        if self.base not in BASES:
            raise InputError(f"MICurve.base {self.base!r} is not one of {', '.join(BASES)}")
        if not isinstance(self.provenance, dict):
            raise InputError("MICurve.provenance must be a dict")
        repeats = self.repeat_excess[np.isfinite(self.repeat_excess)]
        if ((repeats < -1) | (repeats > 1)).any():
            raise InputError("MICurve.repeat_excess must lie in [-1, 1] (a difference of two shares; NaN where not measured)")
        for name in _REPLICATE_FIELDS:
            reps = np.zeros((0, len(self.lags))) if getattr(self, name) is None else getattr(self, name)
            try:
                reps = np.array(reps, dtype=np.float64).reshape(-1, len(self.lags))
            except (TypeError, ValueError):
                raise InputError(f"MICurve.{name} must be rows of {len(self.lags)} numbers (one row per jackknife block)") from None
            if not np.isfinite(reps).all():
                raise InputError(f"MICurve.{name} holds NaN or infinite values")
            reps.setflags(write=False)
            object.__setattr__(self, name, reps)

    # -- derived quantities -------------------------------------------------------------
    @property
    def floor_removed(self) -> np.ndarray:
        """``mi - floor_scale * floor`` where the curve has a floor, ``mi`` where it has none.

        What fits, spans and comparisons work on: the estimate without its bias at this size
        (the whole floor except at dependent lags of sparse tables; see ``floor_scale``).
        """
        scale = np.where(np.isfinite(self.floor_scale), self.floor_scale, 1.0)
        return np.where(np.isfinite(self.floor), self.mi - scale * self.floor, self.mi)

    @property
    def floor_removed_se(self) -> np.ndarray:
        """Standard error of :attr:`floor_removed`: the estimate's (jackknife) and the floor's own, combined."""
        se = np.nan_to_num(self.stderr, nan=0.0)
        sb = np.where(np.isfinite(self.floor_se), self.floor_se, np.nan_to_num(self.null_std, nan=0.0))
        return np.sqrt(se**2 + sb**2)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """``(n_lags, 2)``: a normal ``1 - alpha`` interval of each lag's :attr:`floor_removed` MI, with
        :attr:`floor_removed_se` (the estimate's and the floor's errors together) as its standard error.

        An interval is about the estimate's error at this size; whether a lag carries dependence
        at all is :meth:`p_values`' question (the null's law is not normal at small counts).
        """
        from scipy.special import ndtri

        half = float(-ndtri(alpha / 2)) * self.floor_removed_se
        return np.column_stack([self.floor_removed - half, self.floor_removed + half])

    def _null_law(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The null's spread (with the floor's own uncertainty), its gamma shape, and where it is a gamma.

        The floor's own (normal) uncertainty makes the law less skewed: the shape is matched to
        the skewness of the sum. Elsewhere (no shape, or one so large) the null is normal.
        """
        sd = np.hypot(self.null_std, np.nan_to_num(self.floor_se, nan=0.0))
        ratio = np.where(sd > 0, self.null_std / np.where(sd > 0, sd, 1.0), 1.0)
        shape = np.where(np.isfinite(self.null_shape), self.null_shape / np.maximum(ratio, 1e-12) ** 6, np.inf)
        gamma = np.isfinite(shape) & (shape < 1e8) & np.isfinite(sd) & (sd > 0)
        return sd, shape, gamma

    def p_values(self) -> np.ndarray:
        """One-sided p-value of each point under the null "no dependence at this lag".

        The null is a gamma law (a scaled chi-square) with mean ``floor``, standard deviation
        ``null_std`` and shape ``null_shape``, widened by the floor's own uncertainty
        ``floor_se``. It tests against the null's spread, not the jackknife's, so variation
        between segments does not hide dependence. Where the curve holds an exact p-value
        (``exact_p``: tables of two symbols a side, whose null no gamma law describes; see
        :mod:`midecay.two_by_two`) that one is returned. Without a floor the jackknife error is
        used (normal); without either, NaN.
        """
        from scipy.special import gammaincc, ndtr

        diff = self.mi - self.floor
        sd, shape, gamma = self._null_law()
        out = np.full(len(self.lags), np.nan)
        have_null = np.isfinite(self.floor) & np.isfinite(self.null_std) & (sd > 0)
        gamma &= have_null
        if gamma.any():
            k = shape[gamma]
            theta = sd[gamma] / np.sqrt(k)
            x = np.maximum(diff[gamma] / theta + k, 0.0)
            out[gamma] = gammaincc(k, x)
        normal = have_null & ~gamma
        out[normal] = ndtr(-diff[normal] / sd[normal])
        jack = ~have_null & np.isfinite(self.stderr) & (self.stderr > 0)
        out[jack] = ndtr(-np.where(np.isfinite(self.floor), diff, self.mi)[jack] / self.stderr[jack])
        return np.where(np.isfinite(self.exact_p), self.exact_p, out)

    def threshold(self, z: float = 3.0) -> np.ndarray:
        """The value of ``mi`` above which a point is significant at ``z``: the null's upper quantile.

        This is the top of the shaded band in :meth:`plot`. NaN where the curve has no null.
        """
        from scipy.special import gammainccinv, ndtr, ndtri

        q = float(ndtr(-z))
        sd, shape, gamma = self._null_law()
        out = self.floor + sd * float(-ndtri(q))
        if gamma.any():
            k = shape[gamma]
            theta = sd[gamma] / np.sqrt(k)
            out[gamma] = self.floor[gamma] + theta * (gammainccinv(k, q) - k)
        return out

    def significant(self, z: float = 3.0) -> np.ndarray:
        """Whether each point lies above the null at the one-sided level of ``z`` normal standard deviations.

        ``z = 3`` is a false-positive rate of 0.13 % per lag; see :meth:`p_values`.
        """
        from scipy.special import ndtr

        p = self.p_values()
        return np.where(np.isfinite(p), p < ndtr(-z), False)

    # -- results protocol ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (NaN written as None)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["period_scan"] = self.period_scan.to_dict() if self.period_scan is not None else None
        out["period_curve"] = self.period_curve.to_dict() if self.period_curve is not None else None
        out["format"] = self.FORMAT
        return jsonable(out)

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> MICurve:
        what = "curve"
        if data.get("format") != cls.FORMAT:
            data = {_OLD_NAMES.get(k, k): v for k, v in data.items()}
        kwargs: dict[str, Any] = {}
        for name in _ARRAY_FIELDS:
            if name in _OPTIONAL_ARRAYS and name not in data:
                continue
            values = require(data, name, list, what)
            kwargs[name] = int_array(values, name, what) if name in _INT_FIELDS else float_array(
                values, name, what, allow_nan=name != "mi"
            )
        for name in ("alphabet_size", "n_symbols", "n_segments"):
            kwargs[name] = require(data, name, int, what)
        for name in ("estimator", "base"):
            kwargs[name] = require(data, name, str, what)
        kwargs["provenance"] = require(data, "provenance", dict, what) if "provenance" in data else {}
        if "baseline" in kwargs["provenance"]:  # formats 1 and 2 named the null's draws so
            kwargs["provenance"] = {("null_draws" if k == "baseline" else k): v for k, v in kwargs["provenance"].items()}
        if data.get("period_scan") is not None:
            scan = require(data, "period_scan", dict, what)
            measure = scan.get("measure", "mi")
            if measure not in ("mi", "repeats"):
                raise InputError(f"{what}: period_scan measure {measure!r} is neither 'mi' nor 'repeats'")
            kwargs["period_scan"] = PeriodScan(*(float_array(require(scan, key, list, what), key, what, allow_nan=False)
                                                 for key in ("lags", "mi", "noise")), measure)
        if data.get("period_curve") is not None:
            kwargs["period_curve"] = MICurve.from_dict(require(data, "period_curve", dict, what))
        for name in _REPLICATE_FIELDS:
            if data.get(name):
                rows = require(data, name, list, what)
                kwargs[name] = np.array([float_array(r, name, what, allow_nan=False) for r in rows])
        return cls(**kwargs)

    @classmethod
    def from_json_text(cls, text: str) -> MICurve:
        """Rebuild a curve from :meth:`to_json` text."""
        from ._parsing import parse_json

        return cls.from_dict(parse_json(text, "the text", "pass text written by MICurve.to_json"))

    def table_rows(self) -> list[dict[str, Any]]:
        sig = self.significant()
        return [
            {"lag": int(d), "mi": self.mi[i], "stderr": self.stderr[i], "floor": self.floor[i],
             "null_std": self.null_std[i], "floor_removed": self.floor_removed[i],
             "n_pairs": int(self.n_pairs[i]), "significant": bool(sig[i])}
            for i, d in enumerate(self.lags)
        ]

    #: Rows :meth:`summary` shows at most: the first ``SUMMARY_ROWS - 10`` lags and the last 10.
    SUMMARY_ROWS = 60

    def _summary_text(self) -> str:
        """A text table of the curve, with a legend saying what each column is and how ``signif`` is decided.

        A curve of more than :data:`SUMMARY_ROWS` lags shows its first and last lags (``table_rows``,
        ``--csv`` and ``--json`` hold all of them).
        """
        src = self.provenance.get("source", "")
        segments = f"{self.n_segments} segment{'s' if self.n_segments != 1 else ''}"
        lines = [
            f"MI curve ({self.estimator}, {self.base}) of {src}",
            f"  {self.n_symbols} symbols in {segments}, alphabet {self.alphabet_size}",
            f"  {'lag':>8} {'I(d)':>12} {'stderr':>10} {'floor':>12} {'spread':>10} {'cut':>12} {'signif':>7}",
        ]
        if self.provenance.get("null") == "streams":
            lines.insert(2, "  null: each segment an independent stream (midecay.null.streams); stderr is that of I(d) - floor")
        sig = self.significant()
        spread = self._null_law()[0]
        cut = self.threshold(3.0)
        n = len(self.lags)
        shown = list(range(n)) if n <= self.SUMMARY_ROWS else [*range(self.SUMMARY_ROWS - 10), *range(n - 10, n)]
        for k, i in enumerate(shown):
            if k and i != shown[k - 1] + 1:
                lines.append(f"  {'…':>8} ({i - shown[k - 1] - 1} lags not shown: --csv or --json lists every lag)")
            lines.append(
                f"  {self.lags[i]:>8d} {self.mi[i]:>12.5g} {self.stderr[i]:>10.2g} {self.floor[i]:>12.5g} "
                f"{spread[i]:>10.2g} {cut[i]:>12.5g} {'yes' if sig[i] else 'no':>7}"
            )
        lines += [
            "  I(d): the estimate at lag d; stderr: its jackknife standard error.",
            "  floor: what I(d) reads at this size with no dependence at lag d (the estimator's bias, negative",
            "    where the bias-corrected estimator overshoots), with its spread (SD); cut: the null's upper",
            "    0.13 % point; signif: I(d) above cut (one-sided z >= 3 against the null, not against stderr).",
        ]
        if self.exact_p is not None and np.isfinite(self.exact_p).any():
            lines.append("  Two symbols a side: signif is an exact test's p < 0.13 % (midecay.two_by_two), cut approximates it.")
        if self.period_curve is not None:
            peaks = self.period_curve
            lines.append(f"  period {peaks.provenance.get('period')}: its {len(peaks.lags)} multiples up to d = {peaks.lags[-1]} "
                         "are counted too (period_curve), for the decay of the peaks")
        return "\n".join(lines)

    def plot(self, ax=None, *, label: str | None = None, color=None, floor: bool | str = True):
        """Log-log plot of I(d) with error bars, and the shuffle floor as a shaded noise region.

        The shaded region is the null the significance test uses (:meth:`threshold` at z = 3):
        points inside it cannot be told from "no dependence at this lag" at this sample size.
        ``floor="line"`` draws only its upper edge, dotted in the curve's colour (for several
        curves on one axes, whose shaded bands would blend into colours no legend shows).
        Points at or below zero cannot be shown on a log axis: they are left out and counted in
        the legend; lower error bars are clipped at the axis.
        """
        ax = new_axes(ax, (6.4, 4.4))
        positive = self.mi > 0
        d, y = self.lags[positive], self.mi[positive]
        err = np.nan_to_num(self.stderr[positive], nan=0.0)
        lower = np.minimum(err, 0.9 * y)  # a log axis cannot show an error bar reaching zero
        name = label or self.provenance.get("source") or "I(d)"
        hidden = int((~positive).sum())
        line = ax.errorbar(
            d, y, yerr=[lower, err], fmt="o-", ms=3.5, lw=1.2, capsize=2, color=color,
            label=name + (f" ({hidden} point(s) <= 0 not shown)" if hidden else ""),
        )
        shown = list(y)
        if floor and np.isfinite(self.floor).any():
            top = np.abs(np.where(np.isfinite(self.threshold(3.0)), self.threshold(3.0), self.floor))
            c = line[0].get_color()
            if floor != "line":
                ax.fill_between(self.lags, 0, top, color=c, alpha=0.12, lw=0)
            ax.plot(self.lags, top, ls=":", color=c, lw=1.2 if floor == "line" else 1)
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
        plain_log_ticks(ax.yaxis)
        handles, labels = ax.get_legend_handles_labels()
        if floor == "line" and NULL_LINE_LABEL not in labels:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], ls=":", color="0.3", label=NULL_LINE_LABEL))
        elif floor and floor != "line" and NULL_BAND_LABEL not in labels:
            from matplotlib.patches import Patch

            handles.append(Patch(color="0.5", alpha=0.25, label=NULL_BAND_LABEL))
        ax.legend(handles=handles, frameon=False, fontsize="small")
        return ax


