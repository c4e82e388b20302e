"""Fair comparison of MI curves: splits of different sizes, or model samples against data.

Curves of different sample sizes have different bias floors: a naive overlay shows a
"difference" that is only estimator bias. Here every curve is compared *after* removing its
own shuffle floor (``mi - floor``), with the combined uncertainty of both curves
(jackknife errors and shuffle spread). Per lag, ``z = (Δ_A - Δ_B) / sqrt(noise_A² + noise_B²)``;
lags whose difference survives Holm's step-down correction at family level ``alpha`` are
significant. Beside the lags, each decade of lags is tested as a whole: the mean difference over
its lags, each lag weighted by the inverse of its null variance (the two curves' null spreads,
which the difference itself does not move), with an error from the curves' jackknife replicates
(the lags of one curve share their data, so their errors are correlated; the replicates keep
that). A difference spread thinly over many lags, each within its own error, is seen there. The
lags and the bands form one Holm family.

Curves of many streams carry their excess of repeats (:mod:`midecay.repeat_excess`): the share of
pairs ``x_t = x_{t+d}`` above chance, which counts each stream that repeats itself once, where the
MI of the pooled pairs sees a looper through a saturating estimator. Where both curves carry it,
one more test compares its pair-weighted mean over the common lags (:func:`repeat_test`); it takes
half of the level (:data:`REPEAT_SHARE`), Holm over the lags and bands the other half, so the
family-wise level stays ``alpha``. The verdict is "different" if any lag, band or the repeat test is.

Fidelity (second curve = model samples, first = data): over the lags where the data are
significantly above their floor, the score is the mean of ``min(Δ_m, Δ_d) / max(Δ_m, Δ_d)``
(a model value not above its own floor counts as 0): 1 for identical curves, 0 when the
model has none of the data's dependence. The tracking distance is the largest lag up to which
every data-significant lag is either not significantly different or within a factor
``tolerance`` of the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError
from .micurve import MICurve
from .report.terms import FIDELITY, TRACKS_UP_TO
from .results import Result, float_array, jsonable, new_axes, require

__all__ = ["holm_adjusted", "t_interval", "compare", "Comparison", "PairComparison", "holm", "lag_bands", "band_means",
           "null_weights", "repeat_test"]


def holm_adjusted(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (valid under any dependence); NaN stays NaN and counts
    as a test that was not run.

    Examples
    --------
    >>> holm_adjusted(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(len(p), np.nan)
    ran = np.flatnonzero(np.isfinite(p))
    order = ran[np.argsort(p[ran], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def t_interval(values: np.ndarray, level: float) -> tuple[float, float, float]:
    """Mean and Student-t ``level`` interval of independent values (NaN bounds for fewer than two).

    Examples
    --------
    >>> [round(v, 3) for v in t_interval(np.array([1.0, 2.0, 3.0]), 0.95)]
    [2.0, -0.484, 4.484]
    """
    from scipy.stats import t

    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def holm(p_values: np.ndarray, alpha: float) -> np.ndarray:
    """Holm's step-down rejections at family-wise level ``alpha`` (valid under any dependence).

    Examples
    --------
    >>> holm(np.array([0.001, 0.04, 0.03]), 0.05).tolist()
    [True, False, False]
    """
    adjusted = holm_adjusted(p_values)
    return np.isfinite(adjusted) & (adjusted <= alpha)


@dataclass(frozen=True, eq=False)
class PairComparison:
    """One curve against the reference curve, lag by lag."""

    name: str
    reference: str
    lags: np.ndarray
    difference: np.ndarray
    z: np.ndarray
    significant: np.ndarray
    log_ratio: np.ndarray
    verdict: str
    fidelity: float
    tracking_distance: int | None
    bands: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    band_difference: np.ndarray = field(default_factory=lambda: np.zeros(0))
    band_z: np.ndarray = field(default_factory=lambda: np.zeros(0))
    band_significant: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    repeat_difference: float = math.nan
    repeat_z: float = math.nan
    repeat_significant: bool = False

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "name": self.name, "reference": self.reference, "lags": self.lags, "difference": self.difference,
            "z": self.z, "significant": self.significant, "log_ratio": self.log_ratio, "verdict": self.verdict,
            "fidelity": self.fidelity, "tracking_distance": self.tracking_distance,
            "bands": self.bands.tolist(), "band_difference": self.band_difference, "band_z": self.band_z,
            "band_significant": self.band_significant, "repeat_difference": self.repeat_difference,
            "repeat_z": self.repeat_z, "repeat_significant": self.repeat_significant,
        })

    def describe_differences(self) -> str:
        """What differs, in words: the lags (the first of them), the bands and, where it ran, the repeat test."""
        n_sig = int(self.significant.sum())
        text = f"{n_sig}/{len(self.lags)} lags" + (f" (first at d={int(self.lags[self.significant][0])})" if n_sig else "")
        if len(self.band_significant):
            text += f" and {int(self.band_significant.sum())}/{len(self.band_significant)} bands"
        text += " differ"
        if math.isfinite(self.repeat_z):
            more = self.name if self.repeat_difference > 0 else self.reference
            text += (f"; repeats differ (z = {self.repeat_z:+.1f}, more in {more})" if self.repeat_significant
                     else f"; repeats within errors (z = {self.repeat_z:+.1f})")
        return text

    def describe_fidelity(self) -> str:
        """Fidelity and tracking distance in words (never ``d=None``)."""
        if not math.isfinite(self.fidelity):
            return f"fidelity n/a ({self.reference} is nowhere above its null)"
        tracks = f"tracks up to d={self.tracking_distance}" if self.tracking_distance is not None else "tracks from no lag on"
        return f"fidelity {self.fidelity:.3f}; {tracks}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairComparison:
        what = "pair comparison"
        lags = float_array(require(data, "lags", list, what), "lags", what, allow_nan=False).astype(np.int64)
        return cls(
            require(data, "name", str, what), require(data, "reference", str, what), lags,
            float_array(data["difference"], "difference", what), float_array(data["z"], "z", what),
            np.array([bool(v) for v in require(data, "significant", list, what)], dtype=bool),
            float_array(data["log_ratio"], "log_ratio", what), require(data, "verdict", str, what),
            math.nan if data.get("fidelity") is None else float(data["fidelity"]), data.get("tracking_distance"),
            *_bands_from_dict(data, what),
            *(math.nan if data.get(key) is None else float(require(data, key, (int, float), what))
              for key in ("repeat_difference", "repeat_z")),
            bool(data.get("repeat_significant", False)),
        )


def _bands_from_dict(data: dict[str, Any], what: str) -> tuple:
    """The band tests of a stored pair comparison (none in files written before them)."""
    bands = data.get("bands", [])
    if not isinstance(bands, list) or any(not isinstance(b, list) or len(b) != 2 for b in bands):
        raise InputError(f"{what}: bands must be a list of [first lag, last lag] pairs")
    edges = float_array(np.array(bands, dtype=np.float64).ravel().tolist(), "bands", what, allow_nan=False)
    n = len(bands)
    diff = float_array(data.get("band_difference", []), "band_difference", what)
    z = float_array(data.get("band_z", []), "band_z", what)
    sig = np.array([bool(v) for v in data.get("band_significant", [])], dtype=bool)
    if not len(diff) == len(z) == len(sig) == n:
        raise InputError(f"{what}: the band fields must each have one entry per band ({n})")
    return edges.reshape(n, 2).astype(np.int64), diff, z, sig


#: Lags of one band of the whole-curve test: a decade (1-9, 10-99, ...), with at least this many lags.
MIN_BAND_LAGS = 2


def lag_bands(lags: np.ndarray) -> list[np.ndarray]:
    """Indices of the lags in each decade that holds at least :data:`MIN_BAND_LAGS` of them.

    >>> [b.tolist() for b in lag_bands(np.array([1, 2, 5, 10, 50, 100]))]
    [[0, 1, 2], [3, 4]]
    """
    decade = np.floor(np.log10(np.asarray(lags, dtype=np.float64))).astype(np.int64)
    return [np.flatnonzero(decade == k) for k in np.unique(decade) if (decade == k).sum() >= MIN_BAND_LAGS]


def null_weights(ref: MICurve, i_ref: np.ndarray, other: MICurve, i_oth: np.ndarray) -> np.ndarray:
    """Each common lag's weight in its band: the inverse of the two curves' null variances there.

    A lag near a stream's length holds few pairs, so its null spread is large; with equal weights
    such lags decide a band's mean and its error (on streams of 512 tokens, lags to 511, the band
    from 100 of an equal-weighted mean had 2.5-6x the error of a null-weighted one;
    ``docs/methods.md``, "Comparisons over a whole curve"). The weights come from the null alone,
    which a difference between the curves does not move, so they keep the test's level; a curve's
    own error would not (it grows where the signal is and would weight it down). Where any lag
    lacks a finite null spread (a curve without a null), every lag gets weight 1.

    >>> from types import SimpleNamespace  # only the curves' null spreads are read
    >>> a, b = SimpleNamespace(null_std=np.array([1.0, 2.0])), SimpleNamespace(null_std=np.array([1.0, 2.0, np.nan]))
    >>> null_weights(a, np.arange(2), a, np.arange(2)).round(6).tolist()  # 1 / (1 + 1), 1 / (4 + 4)
    [0.5, 0.125]
    >>> null_weights(a, np.arange(2), b, np.array([1, 2])).tolist()  # a lag without a null spread: equal weights
    [1.0, 1.0]
    """
    spread = np.hypot(np.asarray(ref.null_std, dtype=np.float64)[i_ref],
                      np.asarray(other.null_std, dtype=np.float64)[i_oth])
    if not (np.isfinite(spread).all() and (spread > 0).all()):
        return np.ones(len(spread))
    return 1.0 / spread**2


def band_means(curve: MICurve, index: np.ndarray, bands: list[np.ndarray],
               weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean floor-removed MI over each band of ``curve``'s lags ``index``, and its variance.

    ``weights`` (one per lag of ``index``; equal when None) are normalised within each band; two
    curves compared take the same ones (:func:`null_weights`). The variance comes from the
    curve's jackknife replicates, which keep the correlation between lags (a curve's lags share
    their data); without replicates each band's error is the weighted mean of its lags' errors,
    as if they were fully correlated (the largest it can be). The floor's own error is added the
    same way.
    """
    values = curve.floor_removed[index]
    noise = curve.floor_removed_se[index]
    floor_se = np.nan_to_num(curve.floor_se[index], nan=0.0)
    reps = curve.replicates[:, index] if len(curve.replicates) >= 2 else None
    weights = np.ones(len(index)) if weights is None else np.asarray(weights, dtype=np.float64)
    means, variances = np.empty(len(bands)), np.empty(len(bands))
    for j, band in enumerate(bands):
        w = weights[band] / weights[band].sum()
        means[j] = values[band] @ w
        if reps is not None:
            g = len(reps)
            m = reps[:, band] @ w
            variances[j] = (g - 1) / g * ((m - m.mean()) ** 2).sum() + (floor_se[band] @ w) ** 2
        else:
            variances[j] = (noise[band] @ w) ** 2
    return means, variances


#: The share of compare's family-wise level given to the whole-curve test of repeats, where both
#: curves carry them; Holm over the lags and bands takes the rest (a Bonferroni split).
REPEAT_SHARE = 0.5


def repeat_test(ref: MICurve, i_ref: np.ndarray, other: MICurve, i_oth: np.ndarray) -> tuple[float, float, float]:
    """The whole-curve test of repeats: ``(difference, z, p)`` of ``other`` against ``ref``, NaN where
    either curve lacks its excess of repeats or two replicates of it.

    The difference of the two curves' mean excess of repeats over the common lags ``i_ref`` /
    ``i_oth``, each lag weighted by ``1 / (1 / n_ref + 1 / n_other)`` (its pairs): the share of
    equal pairs among ``n`` independent ones varies as ``1 / n``, so these are the inverse
    variances under no dependence, and a difference between the curves does not move them. Its
    variance is the sum of the two curves' delete-one-group jackknife variances of that mean
    (their groups hold whole streams); the two-sided p is Student's t with one less degree of
    freedom than the fewer groups. Over 600 pairs of sets of one process (400 streams of 512) its
    z's SD was 0.96-1.04 and 1 reached the test's level (0.5 %); 2 % against 10 % loopers reached
    it in 52 of 60 pairs (``docs/methods.md``, "Repeats between two sets of streams").

    >>> from types import SimpleNamespace  # only the repeats and the pairs are read
    >>> reps = np.array([[0.0], [0.02], [0.01], [0.01]])  # four blocks' replicates
    >>> a = SimpleNamespace(repeat_excess=np.array([0.01]), repeat_replicates=reps, n_pairs=np.array([1000]))
    >>> b = SimpleNamespace(repeat_excess=np.array([0.05]), repeat_replicates=reps + 0.04, n_pairs=np.array([1000]))
    >>> [round(v, 3) for v in repeat_test(a, np.arange(1), b, np.arange(1))]  # SE sqrt(2 * 3/4 * 2e-4) = 0.017
    [0.04, 2.309, 0.104]
    """
    from scipy.stats import t

    r_ref, r_oth = np.asarray(ref.repeat_excess)[i_ref], np.asarray(other.repeat_excess)[i_oth]
    reps = (np.asarray(ref.repeat_replicates), np.asarray(other.repeat_replicates))
    n_ref, n_oth = (np.asarray(c.n_pairs, dtype=np.float64)[i] for c, i in ((ref, i_ref), (other, i_oth)))
    if not (np.isfinite(r_ref).all() and np.isfinite(r_oth).all() and min(len(r) for r in reps) >= 2
            and (n_ref > 0).all() and (n_oth > 0).all() and len(r_ref)):
        return math.nan, math.nan, math.nan
    w = 1.0 / (1.0 / n_ref + 1.0 / n_oth)
    w /= w.sum()
    variance = 0.0
    for rows, index in zip(reps, (i_ref, i_oth)):
        m = rows[:, index] @ w
        variance += (len(m) - 1) / len(m) * ((m - m.mean()) ** 2).sum()
    diff = float((r_oth - r_ref) @ w)
    if variance <= 0:
        return diff, (0.0 if diff == 0 else math.copysign(math.inf, diff)), (1.0 if diff == 0 else 0.0)
    z = diff / math.sqrt(variance)
    return diff, z, float(2 * t.sf(abs(z), min(len(r) for r in reps) - 1))


@dataclass(frozen=True, eq=False)
class Comparison(Result):
    """Several curves compared with the first (the reference), after removing each one's floor.

    Examples
    --------
    >>> import numpy as np, midecay
    >>> P = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> a, b = (midecay.mi_curve(midecay.synth.markov(P, 100_000, seed=s).symbols, np.arange(1, 20), seed=s)
    ...         for s in (0, 1))
    >>> midecay.compare([a, b], ["seed 0", "seed 1"]).pairs[0].verdict   # one process, two samples
    'consistent'
    """

    FORMAT = "midecay.Comparison/1"

    curves: tuple[MICurve, ...]
    names: tuple[str, ...]
    pairs: tuple[PairComparison, ...]
    alpha: float
    notes: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> str:
        """``"different"`` if any curve differs significantly from the reference, else ``"consistent"``."""
        return "different" if any(p.verdict == "different" for p in self.pairs) else "consistent"

    def _summary_text(self) -> str:
        lines = [f"Comparison against {self.names[0]!r} (floors removed, Holm alpha={self.alpha:g}): {self.verdict}"]
        for pair, curve in zip(self.pairs, self.curves[1:]):
            lines.append(f"  {pair.name:<16} {pair.verdict:<10} {pair.describe_differences()}; {pair.describe_fidelity()}; "
                         f"N={curve.n_symbols:,}")
            if pair.verdict == "consistent" and 0 < pair.fidelity < 0.8:
                lines.append(
                    f"    note: consistent within the errors, yet {pair.name} shows {pair.fidelity:.0%} of the reference's "
                    "floor-removed dependence on average: a smaller or noisier sample resolves fewer lags, so this does not "
                    "show that the two are the same"
                )
            if pair.verdict == "consistent" and pair.fidelity == 0:
                lines.append(
                    f"    note: consistent only in that no lag differs significantly: {pair.name} is nowhere above its "
                    "own null, so this sample is too small to show (or rule out) the reference's dependence"
                )
        lines.extend(f"  note: {n}" for n in self.notes)
        lines.append(f"  (lags differ: Holm-corrected tests of the floor-removed I(d) against the reference's; {FIDELITY}; "
                     f"{TRACKS_UP_TO})")
        if any(math.isfinite(p.repeat_z) for p in self.pairs):
            lines.append(f"  (repeats: one test over the whole curve of the share of pairs x_t = x_(t+d) above chance, "
                         f"streams as units, at {REPEAT_SHARE:g} of the level; the lags and bands take the rest)")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "format": self.FORMAT, "names": list(self.names), "alpha": self.alpha,
            "verdict": self.verdict, "pairs": [p.to_dict() for p in self.pairs], "notes": list(self.notes),
            "sizes": [c.n_symbols for c in self.curves], "curves": [c.to_dict() for c in self.curves],
        })

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Comparison:
        what = "comparison"
        curves = tuple(MICurve.from_dict(c) for c in require(data, "curves", list, what))
        names = tuple(str(n) for n in require(data, "names", list, what))
        pairs = tuple(PairComparison.from_dict(p) for p in require(data, "pairs", list, what))
        if len(names) != len(curves) or len(pairs) != len(curves) - 1:
            raise InputError(f"{what}: {len(curves)} curves, {len(names)} names and {len(pairs)} pairs do not match")
        return cls(curves, names, pairs, float(require(data, "alpha", (int, float), what)), tuple(data.get("notes", ())))

    def table_rows(self) -> list[dict[str, Any]]:
        rows = []
        for pair in self.pairs:
            for i, d in enumerate(pair.lags):
                rows.append({"curve": pair.name, "reference": pair.reference, "lag": int(d),
                             "difference": pair.difference[i], "z": pair.z[i], "significant": bool(pair.significant[i]),
                             "log_ratio": pair.log_ratio[i]})
        return rows

    def plot(self, ax=None):
        """Overlay of the curves with their floors; lags where a curve differs from the reference are ringed."""
        ax = new_axes(ax, (6.8, 4.6))
        for curve, name in zip(self.curves, self.names):
            curve.plot(ax=ax, label=f"{name} (N={curve.n_symbols:,})", floor="line")
        for pair, curve in zip(self.pairs, self.curves[1:]):
            idx = np.isin(curve.lags, pair.lags[pair.significant])
            shown = idx & (curve.mi > 0)
            if shown.any():
                ax.scatter(curve.lags[shown], curve.mi[shown], s=60, facecolors="none", edgecolors="k", lw=0.8)
        # A verdict from a band or the repeat test rings no lag: the title says which test it came from.
        why = [f"{p.name}: bands" for p in self.pairs if p.band_significant.any()]
        why += [f"{p.name}: repeats (z = {p.repeat_z:+.1f})" for p in self.pairs if p.repeat_significant]
        ax.set_title(f"{self.verdict}: circles mark lags differing from {self.names[0]}"
                     + (f"; also {', '.join(why)}" if why else ""), fontsize="medium")
        return ax


def _pair(ref: MICurve, other: MICurve, ref_name: str, name: str, alpha: float, tolerance: float, z: float) -> PairComparison:
    common, i_ref, i_oth = np.intersect1d(ref.lags, other.lags, return_indices=True)
    d_ref, d_oth = ref.floor_removed[i_ref], other.floor_removed[i_oth]
    noise = np.hypot(ref.floor_removed_se[i_ref], other.floor_removed_se[i_oth])
    diff = d_oth - d_ref
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = np.where(noise > 0, diff / noise, np.where(diff == 0, 0.0, np.inf))
    from scipy.special import ndtr  # the normal tail without importing scipy.stats

    p = 2 * ndtr(-np.abs(zval))
    # The whole-curve test: each decade's null-weighted mean difference, its error from the
    # replicates (lags of one curve are correlated). One Holm family holds the lags and the bands.
    bands = lag_bands(common)
    weights = null_weights(ref, i_ref, other, i_oth)
    m_ref, v_ref = band_means(ref, i_ref, bands, weights)
    m_oth, v_oth = band_means(other, i_oth, bands, weights)
    band_diff = m_oth - m_ref
    band_sd = np.sqrt(v_ref + v_oth)
    with np.errstate(divide="ignore", invalid="ignore"):
        band_z = np.where(band_sd > 0, band_diff / band_sd, np.where(band_diff == 0, 0.0, np.inf))
    rep_diff, rep_z, rep_p = repeat_test(ref, i_ref, other, i_oth)
    tested = math.isfinite(rep_p)
    rejected = holm(np.concatenate([p, 2 * ndtr(-np.abs(band_z))]), (1 - REPEAT_SHARE) * alpha if tested else alpha)
    sig, band_sig = rejected[:len(p)], rejected[len(p):]
    rep_sig = tested and rep_p <= REPEAT_SHARE * alpha
    ref_sig = ref.significant(z)[i_ref]
    oth_sig = other.significant(z)[i_oth]
    both = ref_sig & oth_sig & (d_ref > 0) & (d_oth > 0)
    log_ratio = np.full(len(common), np.nan)
    log_ratio[both] = np.log(d_oth[both] / d_ref[both])
    # Fidelity over the lags where the data (reference) show dependence.
    m = np.where(oth_sig & (d_oth > 0), d_oth, 0.0)
    r = np.where(ref_sig & (d_ref > 0), d_ref, 0.0)
    use = r > 0
    fidelity = float(np.mean(np.minimum(m[use], r[use]) / np.maximum(m[use], r[use]))) if use.any() else math.nan
    tracks = use & (~sig | (np.abs(np.log(np.maximum(m, 1e-300) / np.maximum(r, 1e-300))) <= math.log(tolerance)))
    tracking = None
    for i in np.flatnonzero(use):
        if not tracks[i]:
            break
        tracking = int(common[i])
    verdict = "different" if sig.any() or band_sig.any() or rep_sig else "consistent"
    edges = np.array([[common[b[0]], common[b[-1]]] for b in bands], dtype=np.int64).reshape(-1, 2)
    return PairComparison(name, ref_name, common, diff, zval, sig, log_ratio, verdict, fidelity, tracking,
                          edges, band_diff, band_z, band_sig, rep_diff, rep_z, bool(rep_sig))


def compare(
    curves: Sequence[MICurve],
    names: Sequence[str] | None = None,
    *,
    alpha: float = 0.01,
    tolerance: float = 1.5,
    z: float = 3.0,
) -> Comparison:
    """Compare curves fairly with the first one (the reference: training split, or the data).

    Parameters
    ----------
    curves
        Two or more :class:`~midecay.MICurve` objects in the same units, ideally with shuffle
        floors and jackknife errors (without them the comparison cannot remove bias).
    names
        A name per curve (default ``curve0``, ``curve1``, …).
    alpha
        Family-wise error level of the per-lag tests (Holm).
    tolerance
        Ratio within which a model is said to track the data even where the difference is
        significant.
    z
        Significance level (in combined standard errors) for "above the floor".

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import markov, block_markov_matrix
    >>> P = block_markov_matrix(9, 3, 0.9)
    >>> a = midecay.mi_curve(markov(P, 400_000, seed=1).symbols, [1, 5, 20], seed=0)
    >>> b = midecay.mi_curve(markov(P, 50_000, seed=2).symbols, [1, 5, 20], seed=0)
    >>> compare([a, b], ["big", "small"]).verdict
    'consistent'
    """
    curves = tuple(curves)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (a family-wise error level, e.g. 0.01), got {alpha}")
    if not tolerance > 1:
        raise InputError(f"tolerance must be a ratio above 1 (e.g. 1.5), got {tolerance}")
    if not z > 0:
        raise InputError(f"z must be positive, got {z}")
    if len(curves) < 2:
        raise InputError(f"compare needs at least two curves, got {len(curves)}")
    for c in curves:
        if not isinstance(c, MICurve):
            raise InputError(f"compare takes MICurve objects, got {type(c).__name__}; build them with midecay.mi_curve")
    bases = {c.base for c in curves}
    if len(bases) > 1:
        raise InputError(f"curves are in different units {sorted(bases)}; compute them all with the same base")
    names = tuple(names) if names is not None else tuple(f"curve{i}" for i in range(len(curves)))
    if len(names) != len(curves):
        raise InputError(f"got {len(names)} names for {len(curves)} curves; pass one name per curve")
    notes = []
    if not all(np.isfinite(c.floor).any() for c in curves):
        notes.append("some curves have no shuffle floor: their bias is not removed and size effects can look like differences")
    if not all(np.isfinite(c.stderr).all() for c in curves):
        notes.append("some curves have no standard errors: significance rests on the shuffle spread alone")
    carried = [np.isfinite(c.repeat_excess).any() for c in curves]
    if any(carried) and not all(carried):
        notes.append("the repeat test needs curves of many streams on both sides (the stream null); "
                     "it did not run where one curve is a single sequence")
    ref = curves[0]
    pairs = tuple(_pair(ref, c, names[0], n, alpha, tolerance, z) for c, n in zip(curves[1:], names[1:]))
    for pair in pairs:
        if len(pair.lags) == 0:
            raise InputError(f"curves {names[0]!r} and {pair.name!r} share no lags; compute them on the same lags")
    return Comparison(curves, names, pairs, alpha, tuple(notes))
