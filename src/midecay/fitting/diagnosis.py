"""From a fitted curve to a finding: span, periodicity, and the decay-curve type.

The types are those of Mahalunkar & Kelleher's grid-search paper (its Fig. 1): power law,
broken power law, power law with periodicity, exponential; plus ``composite`` (a short-range
exponential over a power-law tail), ``flat`` (dependence that does not decay over the measured
range), ``undetermined`` and ``no_dependence`` (nothing above the floor). A period is a property
of any decay kind: ``periodic_exponential`` as much as the paper's ``periodic_power_law``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..micurve import MICurve
from ..results import Result, jsonable, require
from .fit import fit_decay
from .points import far_range, fit_points
from .laws import mode_count
from .optimise import Estimate, akaike_weights
from .result import DecayFit
from .rules import VerdictRules
from .tail import TailTest, tail_test

__all__ = ["Span", "Periodicity", "Diagnosis", "span", "periodicity", "classify", "residual_runs", "KINDS", "DECAY_KINDS",
           "PAPER_THRESHOLD_NATS", "LONG_RANGE_KINDS"]

#: The fixed noise threshold of the grid-search paper, in nats.
PAPER_THRESHOLD_NATS = 1e-5

#: Decay kinds, each with its law; a curve with a period is ``periodic_`` + its decay kind.
DECAY_KINDS = ("exponential", "power_law", "broken_power_law", "composite", "flat")
KINDS = (*DECAY_KINDS, *(f"periodic_{k}" for k in DECAY_KINDS), "undetermined", "no_dependence")
#: The kinds whose tail is a power law (the tail test rejected the exponential): chosen among by AICc.
LONG_RANGE_KINDS = ("power_law", "broken_power_law", "composite")


@dataclass(frozen=True)
class Span:
    """How far dependence reaches.

    Attributes
    ----------
    floor_distance
        The last lag at which dependence is still clearly present: the largest significant lag
        (``z`` combined standard errors above the shuffle floor) whose preceding lag is also
        significant, so one stray point far out does not stretch the span. Curves that dip and
        revive (periodic images) are spanned to their last revival.
    reached_floor
        False when the last lag measured is still significant (the span is then a lower bound).
    threshold, threshold_distance
        The fixed threshold (nats by default, the paper's 1e-5) and where the curve first falls
        below it, interpolated in log-log; None if it never does.
    """

    floor_distance: int | None
    reached_floor: bool
    threshold: float
    threshold_distance: float | None

    @property
    def reach(self) -> str:
        """The floor distance as text, ``>=`` marking a lower bound, ``none`` when no lag is above the floor."""
        if self.floor_distance is None:
            return "none"
        return f"{'>=' if not self.reached_floor else ''}{self.floor_distance}"

    def describe(self) -> str:
        """One line: where the curve meets its floor and where it crosses the threshold."""
        crossing = "never below" if self.threshold_distance is None else f"below from d = {self.threshold_distance:.1f}"
        floor = "no lag above the floor" if self.floor_distance is None else f"{self.reach} (the last lag above the floor)"
        return f"span: {floor}; {self.threshold:g} nats: {crossing}"


def span(curve: MICurve, *, z: float = 3.0, threshold: float = PAPER_THRESHOLD_NATS, threshold_base: str = "nats") -> Span:
    """Where the curve meets its floor (significance) and where it crosses a fixed threshold.

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import markov, block_markov_matrix
    >>> s = markov(block_markov_matrix(9, 3, 0.8), 100_000, seed=0)
    >>> sp = span(midecay.mi_curve(s.symbols, range(1, 80), seed=0))
    >>> sp.reached_floor, 10 < sp.floor_distance < 60
    (True, True)
    """
    sig = curve.significant(z)
    both = np.flatnonzero(sig[1:] & sig[:-1]) + 1
    if len(both):
        last = int(both[-1])
    else:
        hits = np.flatnonzero(sig)
        last = int(hits[-1]) if len(hits) else None
    floor_distance = int(curve.lags[last]) if last is not None else None
    reached = last is None or last < len(sig) - 1
    thr = threshold if threshold_base == curve.base else threshold * (math.log(2) if curve.base == "nats" else 1 / math.log(2))
    y = curve.floor_removed
    below = np.flatnonzero(y < thr)
    crossing = None
    if len(below):
        i = int(below[0])
        if i == 0:
            crossing = float(curve.lags[0])
        elif y[i] > 0:
            x0, x1 = math.log(curve.lags[i - 1]), math.log(curve.lags[i])
            y0, y1 = math.log(y[i - 1]), math.log(y[i])
            t = (math.log(thr) - y0) / (y1 - y0) if y1 != y0 else 1.0
            crossing = float(math.exp(x0 + t * (x1 - x0)))
        else:
            crossing = float(curve.lags[i])
    return Span(floor_distance, reached, threshold, crossing)


@dataclass(frozen=True)
class Periodicity:
    """A detected period of peaks in the curve, with its test.

    ``period`` is None when no period passes the test. ``p_value`` is Bonferroni-corrected
    over the candidate periods; ``excess`` is the mean log-MI excess of lags at multiples of
    the period over the other lags, relative to a smooth non-periodic trend.
    """

    period: int | None
    p_value: float
    excess: float
    candidates: int

    def describe(self) -> str:
        """The period found with its p-value, or that none was, and over how many candidates."""
        if self.period:
            return f"{self.period} (p = {self.p_value:.2g}, {self.candidates} candidates tested)"
        if not self.candidates:
            return "not tested: no run of 9 consecutive lags and no period scan (measure lags 1…64 to test one)"
        return f"none found ({self.candidates} candidates tested)"


def periodicity(curve: MICurve, *, max_period: int | None = None, alpha: float = 0.01) -> Periodicity:
    """Detect peaks recurring at multiples of a period (sequential MNIST: every 28 pixels).

    Works on any lag grid: it tests the longest run of consecutive lags in the curve, or the
    curve's :attr:`~midecay.MICurve.period_scan` (every lag 1…256 on a sample of the data,
    counted by :func:`~midecay.mi_curve`) when that run is shorter. The log curve is compared
    with a running-median trend (which ignores sparse peaks); for each candidate period ``p``
    the residuals are modelled as a profile over the phase ``d mod p`` (F-test against no
    profile, Bonferroni-corrected over candidates; the multiples of ``p`` must stand above the
    rest). Of the periods that pass, the lowest BIC wins (a divisor cannot fit the true
    period's phases, a multiple pays for its extra ones), then moves to a multiple whose extra
    phases explain significantly more (nested F-test): MNIST's half-row dips every 14 pixels
    sit inside a row period of 28.

    Examples
    --------
    >>> import midecay
    >>> d = np.arange(1, 200)
    >>> mi = 0.1 * d**-0.5 * np.where(d % 12 == 0, 3.0, 1.0)
    >>> c = midecay.MICurve(d, mi, mi * 0.02, np.zeros_like(mi), np.zeros_like(mi), d, 2, 10**6, 1, "grassberger", "nats")
    >>> periodicity(c).period
    12
    """
    lags = curve.lags
    runs = np.split(np.arange(len(lags)), np.flatnonzero(np.diff(lags) != 1) + 1)
    run = max(runs, key=len)
    scan = curve.period_scan
    if scan is not None and len(scan.lags) > len(run):
        d = scan.lags.astype(np.int64)
        floor = 2.0 * scan.noise
        y = scan.mi if scan.measure != "mi" else scan.mi - np.nan_to_num(np.interp(scan.lags, lags, curve.floor), nan=0.0)
    elif len(run) >= 9:
        d = lags[run]
        y = curve.floor_removed[run]
        # Each point is held at twice the null's spread: below that its log is noise.
        spread = np.where(np.isfinite(curve.null_std), curve.null_std, curve.floor_removed_se)[run]
        floor = 2.0 * np.nan_to_num(spread, nan=0.0)
        # A lag whose pairs never vary (MNIST's last 35 lags pair blank border with blank border) reads
        # exactly 0 with no spread: it says nothing of a period, and its log would be -27.
        informative = (floor > 0) | (y > 0)
        d, y, floor = d[informative], y[informative], floor[informative]
        if len(d) < 9:
            return Periodicity(None, 1.0, 0.0, 0)
    else:
        return Periodicity(None, 1.0, 0.0, 0)
    return _periodicity(d, y, floor, max_period, alpha)


#: The nearer ranges of lags a period is tested on again when the whole range finds none.
NEAR_RANGES = (128, 64, 32)


def _periodicity(d: np.ndarray, y: np.ndarray, floor: np.ndarray, max_period: int | None, alpha: float) -> Periodicity:
    """The phase-profile test on all the lags, then (when it finds no period) on each of
    :data:`NEAR_RANGES` shorter than them.

    A period whose peaks die out after a few multiples (a lag-7 copy with r = 0.3 stands above the
    null at 7, 14 and 21 only) is diluted among the phase's other lags over 1…256: three peaks
    in 36 phase-0 lags. The near ranges hold them at their weight. They are a second family of
    tests at level ``alpha / 2``, Bonferroni over the ranges, so the chance of a period where there
    is none stays below 1.5 ``alpha``.
    """
    whole = _phase_profile_test(d, y, floor, max_period, alpha)
    near = [top for top in NEAR_RANGES if top < d[-1] and (d <= top).sum() >= 9]
    if whole.period or max_period is not None or not near:
        return whole
    tries = 2 * len(near)
    candidates = whole.candidates
    for top in near:
        keep = d <= top
        found = _phase_profile_test(d[keep], y[keep], floor[keep], None, alpha / tries)
        candidates += found.candidates
        if found.period:
            return Periodicity(found.period, min(1.0, found.p_value * tries), found.excess, candidates)
    return Periodicity(None, whole.p_value, whole.excess, candidates)


def _phase_profile_test(d: np.ndarray, y: np.ndarray, floor: np.ndarray, max_period: int | None, alpha: float) -> Periodicity:
    positive = y[y > 0]
    tiny = 1e-12 * (positive.max() if len(positive) else 1.0)
    ly = np.log(np.maximum(y, np.maximum(floor, tiny)))
    max_p = int(max_period or len(d) // 3)
    if max_p < 2:
        return Periodicity(None, 1.0, 0.0, 0)
    window = max(5, 2 * (max_p // 2) + 1) if max_p < 15 else 15
    from scipy import stats
    from scipy.ndimage import (
        median_filter,  # scipy.stats / ndimage load slowly: only where used
    )

    trend = median_filter(ly, size=window, mode="nearest")
    resid = ly - trend
    n = len(resid)
    rss0 = float(((resid - resid.mean()) ** 2).sum())
    if rss0 <= 0:
        return Periodicity(None, 1.0, 0.0, 0)
    results = []
    for p in range(2, max_p + 1):
        # The residual as a profile over the phase d mod p: a true period's profile explains
        # the peaks, sub-peaks included (MNIST's rows of 28 have weaker peaks at 14); a divisor
        # cannot tell its phases apart, a multiple pays for its extra phases in BIC.
        phase = d % p
        sums = np.bincount(phase, weights=resid, minlength=p)
        counts = np.bincount(phase, minlength=p)
        if counts.min() < 2:
            continue
        rss = float(((resid - (sums / counts)[phase]) ** 2).sum())
        rss = max(rss, 1e-300)
        f_stat = ((rss0 - rss) / (p - 1)) / (rss / (n - p))
        p_value = float(stats.f.sf(f_stat, p - 1, n - p))
        bic = n * math.log(rss / n) + p * math.log(n)
        at = phase == 0
        results.append((p, float(resid[at].mean() - resid[~at].mean()), p_value, bic, rss))
    if not results:
        return Periodicity(None, 1.0, 0.0, 0)
    n_cand = len(results)
    bic0 = n * math.log(rss0 / n) + math.log(n)
    passing = [r for r in results if r[2] * n_cand < alpha and r[1] > 0 and r[3] < bic0]
    if not passing:
        best = min(results, key=lambda r: r[2])
        return Periodicity(None, min(1.0, best[2] * n_cand), best[1], n_cand)
    chosen = min(passing, key=lambda r: r[3])
    # BIC is strict with many phases; a multiple whose extra phases explain significantly more
    # (nested F-test, Bonferroni over the multiples tried) is the period: MNIST's dips every 14
    # pixels mark the half-row, its peaks alternate in height with the row of 28.
    by_period = {r[0]: r for r in results}
    while True:
        upgrades = []
        for q in range(2 * chosen[0], max_p + 1, chosen[0]):
            if q in by_period:
                extra = q - chosen[0]
                f_stat = ((chosen[4] - by_period[q][4]) / extra) / (by_period[q][4] / (n - q))
                upgrades.append((float(stats.f.sf(f_stat, extra, n - q)), q))
        significant = [u for u in upgrades if u[0] * len(upgrades) < alpha and by_period[u[1]][1] > 0]
        if not significant:
            break
        chosen = by_period[min(significant)[1]]
    return Periodicity(chosen[0], min(1.0, chosen[2] * n_cand), chosen[1], n_cand)


@dataclass(frozen=True, eq=False)
class Diagnosis(Result):
    """The decay-curve type of a curve, with the evidence behind it (made by :func:`classify`).

    Examples
    --------
    >>> import numpy as np, midecay
    >>> chain = midecay.synth.markov(np.array([[0.9, 0.1], [0.1, 0.9]]), 200_000, seed=0)
    >>> curve = midecay.mi_curve(chain.symbols, np.arange(1, 40), seed=0)
    >>> d = midecay.classify(curve)   # exact xi = -1 / (2 ln 0.8) = 2.24
    >>> low, high = d.parameters["xi"].interval()
    >>> d.kind, d.law, d.tail.verdict, bool(low < 2.24 < high)
    ('exponential', 'exponential', 'exponential', True)
    """

    FORMAT = "midecay.Diagnosis/1"

    kind: str
    span: Span
    periodicity: Periodicity
    fit: DecayFit | None
    evidence: dict[str, Any] = field(default_factory=dict)
    curve: MICurve | None = None
    #: The law fitted for this kind (its parameters are the headline); None without one.
    law: str | None = None
    #: Exponential or power law over the far range (:func:`~midecay.fitting.tail_test`); None
    #: when there were too few points to fit anything.
    tail: TailTest | None = None
    #: The thresholds the verdict was made with.
    rules: VerdictRules = field(default_factory=VerdictRules)

    @property
    def decay(self) -> str:
        """The kind without its period: ``exponential`` for ``periodic_exponential``."""
        return self.kind.removeprefix("periodic_")

    @property
    def period(self) -> int | None:
        """The period the kind carries (None for a kind without one)."""
        return self.periodicity.period if self.kind.startswith("periodic_") or self.kind == "undetermined" else None

    @property
    def parameters(self) -> dict[str, Estimate]:
        """The kind's law's parameters with their standard errors (empty without a law)."""
        fit = self._law_fit()
        return {} if fit is None else {p: fit.estimate(p) for p in fit.params}

    def conf_int(self, alpha: float = 0.05) -> dict[str, tuple[float, float]]:
        """The verdict's law's parameters' ``1 - alpha`` intervals, those :meth:`headline` prints at
        ``alpha = 0.05`` (empty where the kind has no law: flat, undetermined)."""
        fit = self._law_fit()
        return {} if fit is None else fit.conf_int(alpha)

    def _law_fit(self):
        """The fit the headline parameters come from: the kind's law; for an exponential, the sum of
        exponentials refitted where MI is small (``DecayFit.tail_exponential``), whose slowest mode is ``xi``."""
        if self.law is None or self.fit is None or self.law not in self.fit.fits:
            return None
        return self.fit.headline_fit(self.law)

    def headline(self) -> str:
        """One line: the kind, its law's parameters with 95 % intervals, the period, or why there are none."""
        # A period modifies any kind, "cannot tell" included (grey-level MNIST: period 14, its tail undecided).
        period = f", period {self.period}" if self.period else ""
        if not self.parameters:
            why = self.evidence.get("undetermined") if self.kind == "undetermined" else None
            return f"{self.kind}{period}" + (f": {why}" if why else "")
        fit = self._law_fit()

        def shown(p: str, e) -> str:
            if p in fit.at_bound:
                return f"{p} = {e.value:.4g} (at bound)"
            low, high = e.interval()
            return f"{p} = {e.value:.3g} [{low:.3g}, {high:.3g}]"

        params = ", ".join(shown(p, e) for p, e in self.parameters.items())
        modes = mode_count(fit.law)
        name = self.kind + (f" ({modes} modes, xi the slowest)" if modes > 1 else "")
        where = f", fitted from d = {self.fit.tail_from:g} where I is small and its slowest mode carries it" if fit is self.fit.tail_exponential else ""
        return f"{name}{period}: {params} (95 % intervals from the {fit.stderr_method} error{where})"

    def _summary_text(self) -> str:
        lines = [f"kind: {self.headline()}"]
        if self.tail is not None:
            lines.append(f"  tail: {self.tail.verdict.replace('_', ' ')}: {self.tail.reason}")
        for key, value in self.evidence.items():
            if key in ("undetermined", "tail"):
                continue
            if key == "weights" and isinstance(value, dict):  # not the fit table's weights: the long-range laws' only
                value = ", ".join(f"{law} {w:.3g}" for law, w in value.items())
                key = "AICc weights among the long-range laws"
            lines.append(f"  {key}: {value}")
        lines.append(f"  {self.span.describe()}")
        lines.append(f"  period: {self.periodicity.describe()}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "format": self.FORMAT,
            "kind": self.kind,
            "law": self.law,
            "parameters": {p: asdict(e) for p, e in self.parameters.items()},
            "tail": self.tail.to_dict() if self.tail is not None else None,
            "evidence": self.evidence,
            "rules": self.rules.to_dict(),
            "span": asdict(self.span),
            "periodicity": asdict(self.periodicity),
            "fit": self.fit.to_dict() if self.fit else None,
            # The curve is stored where the fit does not hold it (a periodic verdict fits the peaks' curve).
            "curve": self.curve.to_dict() if self.curve is not None and (self.fit is None or self.fit.curve is not self.curve) else None,
        })

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Diagnosis:
        what = "diagnosis"
        kind = require(data, "kind", str, what)
        if kind not in KINDS:
            raise InputError(f"{what}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        fit = DecayFit.from_dict(data["fit"]) if data.get("fit") is not None else None
        curve = MICurve.from_dict(data["curve"]) if data.get("curve") is not None else (fit.curve if fit else None)
        law = data.get("law")
        if law is not None and (fit is None or law not in fit.fits):
            raise InputError(f"{what}: law {law!r} is not among the fits")
        tail = TailTest.from_dict(require(data, "tail", dict, what)) if data.get("tail") is not None else None
        rules = VerdictRules.from_dict(require(data, "rules", dict, what)) if data.get("rules") is not None else VerdictRules()
        return cls(kind, Span(**require(data, "span", dict, what)), Periodicity(**require(data, "periodicity", dict, what)),
                   fit, dict(data.get("evidence") or {}), curve, law, tail, rules)

    def table_rows(self) -> list[dict[str, Any]]:
        return [{"kind": self.kind, "law": self.law, "tail": self.tail.verdict if self.tail else None,
                 **{p: e.value for p, e in self.parameters.items()},
                 **{f"{p}_stderr": e.stderr for p, e in self.parameters.items()}, "span": self.span.floor_distance, "reached_floor": self.span.reached_floor,
                 "threshold_distance": self.span.threshold_distance, "period": self.periodicity.period,
                 **{k: v for k, v in self.evidence.items() if not isinstance(v, dict)}}]

    def plot(self, ax=None):
        """The curve with the best law of the fit (or the bare curve when nothing was fitted)."""
        if self.fit is not None:
            return self.fit.plot(ax=ax)
        if self.curve is not None:
            return self.curve.plot(ax=ax)
        raise InputError("this diagnosis holds neither a fit nor its curve; nothing to plot")


def classify(
    curve: MICurve, *, z: float | None = None, dmin: float | None = None, dmax: float | None = None,
    min_slope_change: float | None = None, rules: VerdictRules | None = None,
) -> Diagnosis:
    """Classify a curve into one of :data:`KINDS`, with the law and parameters that go with it.

    One verdict: the kind, the law fitted for it (:attr:`Diagnosis.law`), that law's parameters
    (:attr:`Diagnosis.parameters`, with jackknife-refit errors) and the period tell one story.
    Every threshold is a field of ``rules`` (:class:`~midecay.fitting.VerdictRules`; ``z`` and
    ``min_slope_change`` override its fields), recorded in the diagnosis. Rules, in order:

    1. fewer than ``min_points`` lags significantly above the null: ``no_dependence`` when so few
       hits among the lags measured are likely by chance (probability above ``chance_level``)
       and no lag is hidden by the floor's own uncertainty (``z`` null spreads above the floor,
       not ``z`` spreads of the null and the floor's error together), else ``undetermined``
       (dependence is there, too few points to tell how it decays, or the floor is not known
       well enough to tell);
    2. no decay at long range: a power law fitted to the significant points, or to their far
       half, has ``alpha < flat_alpha`` and its 95 % interval below ``flat_ceiling``: ``flat``
       (law: power law, alpha ~ 0);
    3. the tail test (:func:`~midecay.fitting.tail_test`, at ``tail_level``) decides the form of
       the far range: **exponential** (a finite-state decay: the kind is ``exponential``, its law
       a sum of 1-3 exponentials whose slowest mode is ``xi``), **power law** (the kind is then
       one of :data:`LONG_RANGE_KINDS`), or **cannot tell at this size** (``undetermined``,
       saying why);
    4. among the long-range kinds: the power law, unless the broken power law beats it by more
       than ``margin`` with exponents ``break_sigma`` standard errors apart (their covariance
       included) and ``min_slope_change`` apart, and its break inside the range; or the composite
       (an exponential head over a power-law tail) beats the kind so far by ``margin`` and is what
       its name says (its power law carries the last ``composite_tail_points``, which are a power
       law by ``composite_tail_margin``). A law on a bound of its range is not chosen;
    5. a long-range law whose residuals have a pattern (runs test below ``structure_level`` and a
       residual of ``structure_sigma`` errors) gives way to one whose residuals have none; when
       every one's have, the evidence says no law describes the curve;
    6. a period (:func:`periodicity`, on any lag grid) is a property of whatever kind was found:
       ``periodic_exponential``, ``periodic_power_law``, ...; its tail is tested on the period's
       peaks. Where the lags skip multiples of the period, the multiples counted with the curve
       (:attr:`~midecay.MICurve.period_curve`) give the decay kind, its law and its tail, so the
       kind does not depend on the grid. A curve with a period never reads ``no_dependence``.

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import gaussian_sign
    >>> s = gaussian_sign(2000, 1000, alpha=0.5, seed=0)
    >>> d = classify(midecay.mi_curve(s.symbols, midecay.log_lags(1, 999, 25), seed=0))
    >>> d.kind, d.law, round(d.parameters["alpha"].value, 1)
    ('power_law', 'power_law', 0.5)
    """
    rules = rules or VerdictRules()
    overrides = {k: v for k, v in (("z", z), ("min_slope_change", min_slope_change)) if v is not None}
    if overrides:
        rules = VerdictRules.from_dict({**rules.to_dict(), **overrides})
    z = rules.z
    sp = span(curve, z=z)
    per = periodicity(curve, alpha=rules.period_alpha)
    n_sig = int(curve.significant(z).sum())
    dominant = curve.provenance.get("dominant_segment")
    notes = {"dominant segment": (
        f"segment {dominant['segment']} ({100 * dominant['share_of_symbols']:.1f} % of the symbols) carries the curve: "
        f"without it I(d) loses {100 * dominant['median_loss_without_it']:.0f} % (median over lags)"
    )} if dominant else {}
    rising = _rises_across_a_frame(curve)
    if rising:
        notes["positions"] = rising

    def verdict(kind: str, fit: DecayFit | None, evidence: dict[str, Any], law: str | None = None,
                tail: TailTest | None = None) -> Diagnosis:
        return Diagnosis(kind, sp, per, fit, evidence, curve=curve, law=law, tail=tail, rules=rules)

    peaks = curve.period_curve
    if per.period and peaks is not None and peaks.provenance.get("period") == per.period:
        return _classified_on_peaks(curve, peaks, sp, per, notes, rules, dmin, dmax)
    masked = _masked_by_the_floor(curve, z)
    if (n_sig < rules.min_points and _chance_of_hits(n_sig, len(curve.lags), z) >= rules.chance_level and not per.period
            and not masked):
        return verdict("no_dependence", None, {"significant_points": n_sig, **notes})
    if n_sig < rules.min_points:  # dependence shown, its decay not: two points fit any two-parameter law exactly
        why = (_too_few_peaks(n_sig, sp.reached_floor) if per.period else masked if masked else
               f"{n_sig} lag(s) above the floor are too few to tell how the dependence decays; measure more lags in that range")
        return verdict("undetermined", None, {"significant_points": n_sig, **notes, "undetermined": why})
    pts = fit_points(curve, dmin=dmin, dmax=dmax, z=z)
    on_peaks = pts.lags % per.period == 0 if per.period else None
    if on_peaks is not None and on_peaks.sum() < rules.tail_min_points and not _smooth_between_peaks(curve, per.period, z, rules):
        # The dependence is at the multiples, too few of them to tell how they decay: the whole
        # curve's points would be those few and stray lags between them (a lag-7 copy read
        # periodic_power_law from 21, 69, 77, 111 and 124).
        peaks_sig = int((curve.significant(z) & (curve.lags % per.period == 0)).sum())
        return verdict("undetermined", None, {"significant_points": n_sig, **notes,
                                              "undetermined": _too_few_peaks(peaks_sig, sp.reached_floor)})
    tail = tail_test(pts, rules=rules,
                     keep=on_peaks if on_peaks is not None and on_peaks.sum() >= rules.tail_min_points else None)
    # The slowest mode's refit only matters where the tail is exponential (a fifth of classify's time).
    fit = fit_decay(curve, laws=("exponential", "power_law", "broken_power_law", "composite"), dmin=dmin, dmax=dmax, z=z,
                    slowest_mode=tail.verdict == "exponential")
    evidence: dict[str, Any] = {"significant_points": n_sig, **notes}
    periodic = "periodic_" if per.period else ""
    pl = fit.fits.get("power_law")
    if pl is not None:
        far_from, tail_alpha = _tail_alpha(fit)

        def no_decay(alpha: Estimate | None) -> bool:  # and the interval rules out a decay as steep as flat_ceiling
            return alpha is not None and alpha.value < rules.flat_alpha and alpha.interval()[1] < rules.flat_ceiling

        if no_decay(pl.estimate("alpha")):
            evidence["flat"] = f"alpha = {pl.estimate('alpha'):.2g}, below {rules.flat_alpha:g}: no decay over the lags measured"
            return verdict(periodic + "flat", fit, evidence, law="power_law")
        if no_decay(tail_alpha):
            # The headline is the far half's power law, the one that does not decay (over all the
            # points the head's fall would show an alpha that contradicts the kind).
            far = fit_decay(curve, laws=("power_law",), dmin=max(far_from, dmin or 0.0), dmax=dmax, z=z)
            evidence["flat"] = (f"alpha = {tail_alpha:.2g} from d = {far_from:g} on, below {rules.flat_alpha:g}: no decay "
                                f"over the far half of the lags (over all of them alpha = {pl.estimate('alpha'):.2g})")
            return verdict(periodic + "flat", far, evidence, law="power_law")
    if not {"exponential", "power_law"} & set(fit.fits):  # significant points, but no law could be fitted to them
        evidence["undetermined"] = (_too_few_peaks(n_sig, sp.reached_floor) if per.period else
                                    f"no decay law could be fitted to the {n_sig} significant lags; measure more lags")
        return verdict("undetermined", fit, evidence)
    if tail.verdict == "cannot_tell":
        evidence["undetermined"] = f"cannot tell exponential from power law at this size: {tail.reason}"
        return verdict("undetermined", fit, evidence, tail=tail)
    if tail.verdict == "exponential":
        kind = "exponential"
    else:
        kind = _long_range_kind(fit, rules, evidence)
        # A period's peaks are a pattern in any smooth law's residuals: the period says it already.
        if not per.period:
            kind, misfit = _without_structure(fit, kind, rules)
            if misfit:
                evidence["residuals"] = misfit
    headline = fit.headline_fit(kind)
    if kind == "exponential" and fit.correlation_length:
        evidence["xi"] = f"{fit.correlation_length:.4g} (the slowest of {mode_count(headline.law)} mode(s))"
    if headline.degenerate:
        evidence["degenerate"] = f"{', '.join(headline.at_bound) or 'errors'} at the bound of the range: not an estimate"
        if headline is fit.tail_exponential and "xi" in headline.at_bound:
            evidence["degenerate"] += ("; where its MI is small the curve does not decay over the lags measured "
                                       "(xi beyond the range): measure further")
    return verdict(periodic + kind, fit, evidence, law=kind, tail=tail)


def _classified_on_peaks(curve: MICurve, peaks: MICurve, sp: Span, per: Periodicity, notes: dict[str, Any],
                         rules: VerdictRules, dmin: float | None, dmax: float | None) -> Diagnosis:
    """The verdict of a periodic curve whose lags skip most multiples of its period: the decay is
    the kind of the curve counted at the multiples (:attr:`MICurve.period_curve`), the period its modifier."""
    inner = classify(dataclasses.replace(peaks, period_curve=None), dmin=dmin, dmax=dmax, rules=rules)
    decay = inner.kind if inner.kind in DECAY_KINDS else None
    evidence = {**inner.evidence, **notes, "peaks": (
        f"the decay is read from the {len(peaks.lags)} multiples of {per.period} (d = {peaks.lags[0]}…{peaks.lags[-1]}), "
        f"counted with the curve: its lags hold {int(np.isin(peaks.lags, curve.lags).sum())} of them")}
    if decay is None and inner.tail is None:  # too few peaks for any law (a tail test's "cannot tell" keeps its reason)
        evidence["undetermined"] = _too_few_peaks(int(peaks.significant(rules.z).sum()), inner.span.reached_floor)
    further = inner.span.floor_distance is not None and (sp.floor_distance is None or inner.span.floor_distance > sp.floor_distance)
    return Diagnosis(f"periodic_{decay}" if decay else "undetermined", inner.span if further else sp, per, inner.fit,
                     evidence, curve=curve, law=inner.law, tail=inner.tail, rules=rules)


def _smooth_between_peaks(curve: MICurve, period: int, z: float, rules: VerdictRules) -> bool:
    """Whether the lags between the multiples of ``period`` (up to its last significant multiple)
    stand above the floor in at least the share ``rules.between_peaks``: the period modulates a
    smooth decay, which every lag then shows.

    >>> lags = np.arange(1, 31)
    >>> def curve(mi):
    ...     return MICurve(lags, mi, np.full(30, 0.01), np.zeros(30), np.full(30, 0.01), lags, 2, 10**6, 1, "plugin", "nats")
    >>> peaks = np.where(lags % 7 == 0, 1.0, 0.0)
    >>> _smooth_between_peaks(curve(peaks + 1.0 / lags), 7, 3.0, VerdictRules()), _smooth_between_peaks(curve(peaks), 7, 3.0, VerdictRules())
    (True, False)
    """
    sig = curve.significant(z)
    multiple = curve.lags % period == 0
    if not (sig & multiple).any():
        return False
    between = ~multiple & (curve.lags <= curve.lags[sig & multiple].max())
    return bool(between.any() and sig[between].mean() >= rules.between_peaks)


def _too_few_peaks(n_sig: int, reached_floor: bool) -> str:
    """Why a periodic curve has no decay kind. Its multiples below the last lag are all measured (on
    the curve or its :attr:`~midecay.MICurve.period_curve`): lags further out help only where the
    last one is still above the floor; otherwise more data does."""
    more = "a longer sequence resolves more of them" if reached_floor else "measure lags further out"
    return (f"only {n_sig} lag(s) at multiples of the period stand above the floor: too few to tell how "
            f"the peaks decay; {more}")


def _long_range_kind(fit: DecayFit, rules: VerdictRules, evidence: dict[str, Any]) -> str:
    """Power law, broken power law or composite, for a curve whose tail is a power law (rule 4)."""
    criterion = "aicc" if all(math.isfinite(f.aicc) for f in fit.fits.values()) else "bic"
    if criterion == "bic":
        evidence["criterion"] = "BIC (too few points for AICc)"
    long_range = {k: f for k, f in fit.fits.items() if k in LONG_RANGE_KINDS}
    evidence["weights"] = dict(zip(long_range, (round(float(w), 4) for w in akaike_weights([f.aicc for f in long_range.values()]))))
    kind = "power_law"
    bpl = fit.fits.get("broken_power_law")
    lags = fit.points.lags
    if bpl is not None:
        gap = bpl.difference("alpha1", "alpha2")
        sigmas = abs(gap.value) / gap.stderr if gap.stderr > 0 else 0.0
        db = bpl.params["d_break"]
        inside = ((lags < db).sum() >= rules.break_side_points and (lags > db).sum() >= rules.break_side_points)
        evidence["break"] = (f"d_b = {db:.3g}, alpha1 = {bpl.estimate('alpha1'):.3g}, alpha2 = {bpl.estimate('alpha2'):.3g} "
                             f"({sigmas:.1f} sigma apart)")
        margin = getattr(fit.fits["power_law"], criterion) - getattr(bpl, criterion) if "power_law" in fit.fits else math.inf
        if (sigmas > rules.break_sigma and abs(gap.value) >= rules.min_slope_change and margin > rules.margin and inside
                and not bpl.degenerate):
            kind = "broken_power_law"
    comp = fit.fits.get("composite")
    if comp is not None and not comp.degenerate and _composite_holds(comp, lags, rules) and _tail_is_a_power_law(
            fit, _crossover(comp, float(lags.min())), rules):
        margin = getattr(fit.fits[kind], criterion) - getattr(comp, criterion)
        evidence["composite"] = (f"xi = {comp.params['xi']:.3g}, tail alpha = {comp.params['alpha']:.3g}, "
                                 f"{criterion} {margin:+.1f} against {kind}")
        if margin > rules.margin:
            kind = "composite"
    return kind


def _crossover(comp, first: float) -> float:
    """The lag from ``first`` on beyond which the composite's power law carries more than its exponential."""
    a, alpha, b, xi = (comp.params[k] for k in ("a", "alpha", "b", "xi"))
    grid = np.geomspace(first, max(first, 1.0) * 1e9, 4000)
    head = np.log(a) - alpha * np.log(grid) <= np.log(b) - grid / xi
    if not head.any():
        return first
    last_head = np.flatnonzero(head)[-1]
    return float(grid[last_head + 1]) if last_head + 1 < len(grid) else math.inf


def _composite_holds(comp, lags: np.ndarray, rules: VerdictRules) -> bool:
    """A composite that is what its name says: the exponential carries the head, the power law
    the tail over at least 4 of the fitted lags, and the exponential's scale lies inside the range.

    On a Markov chain the composite also wins, its power law bending the head and handing over
    at the last lag or two; that is not a power-law tail.
    """
    alpha, xi = comp.params["alpha"], comp.params["xi"]
    first, last = float(lags.min()), float(lags.max())
    cross = _crossover(comp, first)
    return bool(first < cross and (lags >= cross).sum() >= rules.composite_tail_points and first < xi < last and alpha > 0)


def _tail_is_a_power_law(fit: DecayFit, start: float, rules: VerdictRules) -> bool:
    """Whether the fitted points from ``start`` on (at least ``composite_tail_points``) are a power
    law rather than an exponential (AICc, or BIC with few points, by ``composite_tail_margin``):
    a Markov chain's curve bends at its head too, but its tail is exponential."""
    from .laws import get_law
    from .optimise import fit_law

    far = fit.points.lags >= start
    if far.sum() < rules.composite_tail_points:
        return False
    sub = fit.points.subset(far, replicates=False)  # only the criteria are compared
    pl, ex = (fit_law(get_law(name), sub, fit.intrinsic_scatter) for name in ("power_law", "exponential"))
    if pl is None or ex is None:
        return False
    use = "aicc" if math.isfinite(pl.aicc) and math.isfinite(ex.aicc) else "bic"
    return getattr(pl, use) + rules.composite_tail_margin < getattr(ex, use)


def residual_runs(fit: DecayFit, law: str) -> tuple[float, float]:
    """``(p, worst)``: the runs test of the signs of a law's log residuals, ordered by lag, and the
    largest residual in units of its point's error.

    Few runs (long stretches above, then below) is a law that misses a pattern in the points;
    Wald-Wolfowitz's normal approximation, one-sided. ``p`` is 1 with fewer than 8 points.

    >>> import midecay
    >>> from midecay.micurve import MICurve
    >>> d = np.arange(1.0, 41.0)
    >>> y = 0.5 * np.exp(-d / 3) + 0.01 * d**-0.5  # an exponential over a power-law tail
    >>> c = MICurve(d.astype(int), y, 0.003 * y, 0 * y, 0 * y + 1e-12, 0 * d.astype(int) + 10**6, 2, 10**6, 1, "plugin", "nats")
    >>> f = midecay.fit_decay(c, laws=["exponential", "composite"])
    >>> p, worst = residual_runs(f, "exponential")
    >>> bool(p < 0.01 and worst > 2.5), bool(residual_runs(f, "composite")[1] < 1.0)
    (True, True)
    """
    from scipy.special import ndtr

    pts = fit.points
    r = np.log(pts.y) - np.log(fit.fits[law].predict(pts.lags))
    worst = float(np.max(np.abs(r) / pts.log_sigma)) if len(r) else 0.0
    signs = r > 0
    n1, n2 = int(signs.sum()), int((~signs).sum())
    if len(r) < 8 or n1 == 0 or n2 == 0:
        return (1.0 if len(r) < 8 else 0.0), worst
    runs = 1 + int((signs[1:] != signs[:-1]).sum())
    n = n1 + n2
    mean = 1 + 2.0 * n1 * n2 / n
    var = 2.0 * n1 * n2 * (2.0 * n1 * n2 - n) / (n * n * (n - 1))
    return float(ndtr((runs - mean) / math.sqrt(var))) if var > 0 else 1.0, worst


def _patterned(p: float, worst: float, rules: VerdictRules) -> bool:
    """Whether :func:`residual_runs`' answer is a law missing a pattern: estimates at nearby lags share
    the data and are correlated, so small residuals run in stretches on any curve; only a pattern as
    large as the errors is a law that fails (PTB's broken power law: +2.8 sigma at d = 1)."""
    return p < rules.structure_level and worst >= rules.structure_sigma


def _without_structure(fit: DecayFit, kind: str, rules: VerdictRules) -> tuple[str, str | None]:
    """The long-range kind's law, or the best long-range law whose residuals have no pattern when the
    kind's have one; with a note saying so (or that no law describes the points)."""
    p, worst = residual_runs(fit, kind)
    if not _patterned(p, worst, rules):
        return kind, None
    clean = {}
    lags = fit.points.lags
    criterion = "aicc" if all(math.isfinite(f.aicc) for f in fit.fits.values()) else "bic"
    for name, f in fit.fits.items():
        if name not in LONG_RANGE_KINDS or f.degenerate or (name == "composite" and not _composite_holds(f, lags, rules)):
            continue
        if name == "broken_power_law":
            brk = f.params["d_break"]
            if (lags < brk).sum() < rules.break_side_points or (lags > brk).sum() < rules.break_side_points:
                continue
        if not _patterned(*residual_runs(fit, name), rules):
            clean[name] = f
    what = f"residuals of the {kind} fit have a pattern (runs test p = {p:.2g}, largest {worst:.1f} sigma)"
    if clean:
        best = min(clean, key=lambda k: getattr(clean[k], criterion))
        return best, f"{what}; the {best} fit's do not, and it is the verdict"
    return kind, f"{what}, as do every other fit's: no law fitted describes this curve within its errors"


def _rises_across_a_frame(curve: MICurve) -> str | None:
    """A note when a pooled curve of equal-length segments rises with d: a sign that the marginals
    change with the position in the segment (images, records), which pooling mixes."""
    if curve.provenance.get("positions") == "aligned" or curve.n_segments < 2 or curve.n_symbols % curve.n_segments:
        return None
    y = curve.floor_removed
    third = len(y) // 3
    if third < 2 or not np.isfinite(y).all():
        return None
    near, far = float(np.median(y[:third])), float(np.median(y[-third:]))
    if far > 1.5 * max(near, 0.0) and curve.significant()[-third:].any():
        return (f"the pooled curve rises with d ({near:.3g} -> {far:.3g}, floor removed) across {curve.n_segments} "
                "equal-length segments: marginals that change with the position are mixed by pooling; "
                "compare positions='aligned'")
    return None


def _masked_by_the_floor(curve: MICurve, z: float) -> str | None:
    """Why lags cannot be read where the floor's own uncertainty, not the null's spread, hides them (else None).

    A lag whose estimate stands ``z`` null spreads above its floor, but not ``z`` spreads of the
    null and the floor's uncertainty together, is not "no dependence": the floor is not known
    well enough to tell (many streams, a few of which repeat themselves, give a cross-repeat term
    with a wide error). The verdict then says so instead of ``no_dependence``.
    """
    above_spread = curve.mi - curve.floor > z * curve.null_std
    hidden = above_spread & ~curve.significant(z) & (np.nan_to_num(curve.floor_se) > curve.null_std)
    if not hidden.any():
        return None
    worst = float(np.nanmax(curve.floor_se[hidden]))
    return (f"{int(hidden.sum())} lag(s) stand above the floor by more than the null's spread but not by the floor's "
            f"own uncertainty (up to ±{worst:.2g}, from the data's repeats): their dependence cannot be told at this size; "
            "more streams, or fewer that repeat themselves, narrow it")


def _chance_of_hits(n_hits: int, n_lags: int, z: float) -> float:
    """Probability of at least ``n_hits`` of ``n_lags`` independent null lags above ``z`` standard deviations."""
    from scipy.special import ndtr
    from scipy.stats import binom

    return float(binom.sf(n_hits - 1, n_lags, ndtr(-z))) if n_hits > 0 else 1.0


def _tail_alpha(fit: DecayFit) -> tuple[float, Estimate | None]:
    """Where the far half of the fitted points starts (``d`` from their geometric middle) and the
    power-law exponent fitted there (None with too few points)."""
    from .laws import get_law
    from .optimise import fit_law

    d = fit.points.lags
    far = far_range(d, 4, fallback=False)
    if len(d) < 6 or not far.any():
        return math.nan, None
    result = fit_law(get_law("power_law"), fit.points.subset(far), fit.intrinsic_scatter)
    return float(d[far][0]), (result.estimate("alpha") if result is not None else None)
