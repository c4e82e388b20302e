"""``fit_decay``: decay laws fitted to a curve, compared by information criteria."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from .._warnings import UnreliableEstimateWarning
from ..errors import InputError
from ..micurve import MICurve
from .laws import DecayLaw, get_law, mode_count
from .optimise import LawFit, akaike_weights, fit_law, scaled_covariance, with_weight
from .points import far_range, fit_points
from .result import DecayFit

logger = logging.getLogger(__name__)

__all__ = ["DecayFit", "fit_decay", "DEFAULT_LAWS", "SMALL_MI_NATS"]

DEFAULT_LAWS = ("exponential", "power_law", "power_law_plus_constant", "broken_power_law", "composite")


def fit_decay(
    curve: MICurve,
    laws: Iterable[str | DecayLaw] = DEFAULT_LAWS,
    *,
    dmin: float | None = None,
    dmax: float | None = None,
    z: float = 3.0,
    intrinsic_scatter: bool = True,
    slowest_mode: bool = True,
) -> DecayFit:
    """Fit decay laws to a curve in log space, weighted by each point's uncertainty.

    Parameters
    ----------
    curve
        An :class:`~midecay.MICurve` (with standard errors for a weighted fit).
    laws
        Law names (see :data:`midecay.fitting.LAWS`) or :class:`DecayLaw` instances.
    dmin, dmax
        Fit only lags in this range.
    z
        Points not ``z`` combined standard errors above the shuffle floor are excluded.
    intrinsic_scatter
        Fit, by maximum likelihood, an extra scatter of ``ln I`` added in quadrature to each
        point's error (one more parameter per law). Real curves follow no simple law to within
        the tiny errors of their first points, which would otherwise decide the fit alone; on
        a curve a law does follow, the scatter comes out near zero.
    slowest_mode
        Refit the sum of exponentials where the curve's MI is small for ``correlation_length``
        (``tail_exponential``); off, ``correlation_length`` is the exponential's over all points.

    Returns
    -------
    DecayFit
        Parameter errors come from refitting the law on each of the curve's delete-one-block
        jackknife curves (the larger of that and the Jacobian's, which carries the misfit), so
        the correlation between lags of one sequence is kept; checked over seeds in the tests.
        ``correlation_length`` is the slowest mode of the sum of 1-3 exponentials refitted where
        ``I <= 0.05`` nats (:data:`SMALL_MI_NATS`, ``tail_exponential``): on binary chains with exact ``xi`` its
        95 % interval covers 87-100 % of the time (lambda 0.8-0.97, N = 10^5-10^6, 30 seeds;
        ``tests/test_fitting.py::test_xi_intervals_cover_the_exact_correlation_length``). With one
        mode its error also carries how far the slope rose across the window, less that rise's
        noise (a faster mode too weak to resolve; ``docs/methods.md``, "Several timescales").
        Known limit: where the fitted range reaches down to the floor, which points pass the
        significance cut varies between samples, a spread no single-sample error sees; a few
        seeds in 40 then read xi 2 errors off (binary chain, lambda = 0.8, N = 3 * 10^5).

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import markov, block_markov_matrix
    >>> s = markov(block_markov_matrix(9, 3, 0.9), 200_000, seed=0)
    >>> fit = midecay.fit_decay(midecay.mi_curve(s.symbols, midecay.log_lags(1, 200, 20), seed=0), laws=["exponential", "power_law"])
    >>> fit.best
    'exponential'
    """
    if not isinstance(curve, MICurve):
        raise InputError(f"fit_decay needs an MICurve, got {type(curve).__name__}; build one with midecay.mi_curve")
    law_objs = [get_law(law) for law in laws]
    if not law_objs:
        raise InputError("laws is empty; pass at least one decay law name, e.g. laws=['power_law']")
    pts = fit_points(curve, dmin=dmin, dmax=dmax, z=z)
    notes = []
    if not pts.weighted:
        notes.append("the curve has no standard errors: the fit is unweighted and significance is not judged")
        warnings.warn(
            "curve has no standard errors (n_blocks=0): fitting unweighted; compute it with n_blocks >= 2",
            UnreliableEstimateWarning, stacklevel=2,
        )
    if pts.excluded:
        notes.append(f"{len(pts.excluded)} lag(s) excluded as not significantly above the floor (z={z:g})")
    fits, skipped = {}, []
    for law in law_objs:
        result = fit_law(law, pts, intrinsic_scatter)
        if result is None:
            skipped.append(law.name)
        else:
            fits[law.name] = result
    if skipped:
        notes.append(f"too few points for: {', '.join(skipped)}")
    weights = akaike_weights([f.aicc for f in fits.values()])
    fits = {name: with_weight(fit, w) for (name, fit), w in zip(fits.items(), weights)}
    best = min(fits, key=lambda n: fits[n].aicc) if fits and np.isfinite(min(f.aicc for f in fits.values())) else (
        next(iter(fits), None)
    )
    tail, tail_from = (None, None)
    if "exponential" in fits and slowest_mode:
        tail, tail_from = _small_mi_exponential(curve, pts, intrinsic_scatter)
    return DecayFit(curve, pts, fits, best, tuple(skipped), dmin, dmax, z, tuple(notes), intrinsic_scatter, tail,
                    tail_from)


#: Where a curve is in its small-MI regime: MI is half the sum of squared correlations there, so a
#: Markov chain's curve is a sum of exponentials to within ~I/3 (a binary chain: 1 + rho^2/6 + ...).
SMALL_MI_NATS = 0.05
#: A further mode is kept when it lowers AICc (BIC with few points) by more than this (evidence ratio 20) ...
MODE_MARGIN = 6.0
#: ... and is resolved: its amplitude and its distance from the next slower scale each stand this
#: many standard errors clear of zero.
MODE_Z = 2.0


def _small_mi_exponential(curve: MICurve, pts, intrinsic_scatter: bool):
    """The sum of exponentials refitted on the points where ``I <= SMALL_MI_NATS`` (at least the last 4),
    with as many modes (1-3) as the data resolve: ``xi``'s fit, the slowest mode.

    Above the small-MI regime the exact MI of a chain bends away from ``exp(-d / xi)`` (a binary
    chain's I(1) is 22 % above it at lambda = 0.9), and the head's small errors dragged ``xi`` 4-7 %
    low. Inside it a chain with several eigenvalues is a sum of exponentials: one exponential took
    the slope of the window (a 3-state chain's xi 17 % low, its interval covering 2-4 times in 10).
    With one mode, only the far half of those points (in log d, at least 4) is fitted; with
    fewer than 4 small points, the last 4 points. None with fewer than 4 points in all.
    """
    from ..estimators import to_base
    from .laws import MODE_LAWS

    small = pts.y <= float(to_base(np.array([SMALL_MI_NATS]), curve.base)[0])
    if len(pts.y) < 4:  # an exponential with its scatter is 3 parameters
        return None, None
    if small.sum() < 4:
        small = np.zeros(len(pts.y), dtype=bool)
        small[-4:] = True
    sub = pts.subset(small)
    chosen = None
    for law in MODE_LAWS:  # choosing compares criteria only: no jackknife refits until the choice is made
        trial = fit_law(law(), pts.subset(small, replicates=False), intrinsic_scatter)
        if trial is None or (chosen is not None and not _resolves_another_mode(trial, chosen)):
            break
        chosen = trial
    if chosen is None:
        return None, None
    window = None
    if chosen.law == "exponential" and len(sub.lags) >= 4:
        # One mode is all the data resolve, but a faster one may still tilt the head of the
        # window: the far half, where the slowest mode carries the curve, gives xi (over 20
        # finite-state processes at N = 4 * 10^5 the whole window's interval covered 50 %, its far
        # half's 95 %; benchmarks/bench_verdicts.py).
        far = far_range(sub.lags, 4)
        window = fit_law(get_law("exponential"), sub, intrinsic_scatter)  # the whole window's, with its error
        sub = sub.subset(far)
        small = small & (pts.lags >= sub.lags[0])
    result = fit_law(get_law(chosen.law), sub, intrinsic_scatter)
    if result is None:
        return None, None
    return _with_unresolved_mode(result, window), float(pts.lags[small][0])


def _with_unresolved_mode(far: LawFit, window: LawFit | None) -> LawFit:
    """``far``'s ``xi`` error widened by how far its slope rose above the whole window's (``window``).

    Where a faster mode too weak to resolve still carries the head of the small-MI window, the
    local ``xi`` rises across it (``ln I`` of a sum of positive exponentials is convex), and the
    far half's slope lies between the window's and the slowest mode's. How much it rose from the
    window to its far half is the scale of how far it may still lie below: that rise, less its
    own noise, is added in quadrature to ``xi``'s error (``docs/methods.md``, "Several
    timescales"). On one mode the rise is noise, and the term zero or small.

    >>> from midecay.fitting.optimise import LawFit
    >>> def fit(xi, se):
    ...     return LawFit("exponential", {"c": 1.0, "xi": xi}, {"c": 0.1, "xi": se}, 0.0, 6, 2, 0.0, 0.0, 0.0)
    >>> round(_with_unresolved_mode(fit(2.0, 0.1), fit(1.6, 0.05)).stderr["xi"], 4)  # sqrt(0.01 + 0.16 - 0.0075)
    0.4031
    >>> _with_unresolved_mode(fit(2.0, 0.1), fit(1.95, 0.05)).stderr["xi"]  # a rise within its noise
    0.1
    """
    if window is None:
        return far
    rise = far.params["xi"] - window.params["xi"]
    # The rise's own noise (Hausman: the whole window's estimate is the more efficient one, so
    # var(far - window) = var(far) - var(window)) is taken out of its square.
    noise = max(far.stderr["xi"] ** 2 - window.stderr["xi"] ** 2, 0.0)
    extra = rise**2 - noise if rise > 0 else 0.0
    if not (extra > 0 and np.isfinite(extra) and np.isfinite(far.stderr["xi"])):
        return far
    stderr = {**far.stderr, "xi": float(np.sqrt(far.stderr["xi"] ** 2 + extra))}
    # The same correlations, scaled to the widened error (as fit_law scales them to its own).
    covariance = scaled_covariance(np.array(far.covariance), np.array(list(stderr.values()))) if far.covariance else ()
    return replace(far, stderr=stderr, covariance=covariance,
                   stderr_method=f"{far.stderr_method} and slope-rise")


def _resolves_another_mode(more: LawFit, fewer: LawFit) -> bool:
    """Whether ``more`` (one mode more than ``fewer``) is worth its mode: better by :data:`MODE_MARGIN`
    and the added mode resolved (:data:`MODE_Z`), nothing on a bound."""
    use = "aicc" if np.isfinite(more.aicc) and np.isfinite(fewer.aicc) else "bic"
    if more.degenerate or getattr(fewer, use) - getattr(more, use) <= MODE_MARGIN:
        return False
    i = mode_count(more.law)  # the added mode: c_i, ratio_i
    amp, ratio = more.estimate(f"c_{i}"), more.estimate(f"ratio_{i}")
    return amp.value > MODE_Z * amp.stderr and ratio.value + MODE_Z * ratio.stderr < 1.0
