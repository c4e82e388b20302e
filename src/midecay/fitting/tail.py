"""Exponential or power law: a test of the form of a curve's far range (Shen's question).

A finite-state process (a hidden Markov chain, any RNN run as one) decays exponentially at long
range; language is said to keep a power law. Which of the two a curve's tail follows is read
from one law that holds both, :class:`~midecay.fitting.laws.BoxCox`
(``ln I = ln c - b (d^gamma - 1) / gamma``: ``gamma = 1`` exponential, ``gamma = 0`` power law),
fitted to the far range. ``gamma``'s error comes from refitting each delete-one-block jackknife
curve, so the correlation between lags of one sequence is in it, and each law is rejected when
``gamma`` stands far enough from its value. Neither rejected is "cannot tell at this size".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .laws import BoxCox
from .optimise import Estimate, fit_law
from .points import FitPoints, far_range
from .rules import VerdictRules

__all__ = ["TailTest", "tail_test", "TAIL_VERDICTS"]

#: What the tail test can say.
TAIL_VERDICTS = ("exponential", "power_law", "cannot_tell")


@dataclass(frozen=True)
class TailTest:
    """The form of a curve's far range: ``exponential``, ``power_law`` or ``cannot_tell``.

    Attributes
    ----------
    verdict
        One of :data:`TAIL_VERDICTS`.
    gamma
        The fitted bridge exponent with its jackknife error (NaN when too few points).
    p_exponential, p_power_law
        Two-sided p-values of ``gamma = 1`` and ``gamma = 0``.
    lags
        ``(first, last, n)``: the far range tested and its number of points.
    reason
        The verdict in words, with the numbers behind it.
    """

    verdict: str
    gamma: Estimate
    p_exponential: float
    p_power_law: float
    lags: tuple[float, float, int]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "gamma": asdict(self.gamma), "lags": list(self.lags)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TailTest:
        gamma = data["gamma"]
        return cls(str(data["verdict"]), Estimate(*(math.nan if gamma[k] is None else float(gamma[k]) for k in ("value", "stderr"))),
                   float(data["p_exponential"]), float(data["p_power_law"]),
                   (float(data["lags"][0]), float(data["lags"][1]), int(data["lags"][2])), str(data["reason"]))


def tail_test(points: FitPoints, *, rules: VerdictRules | None = None, intrinsic_scatter: bool = True,
              keep: np.ndarray | None = None) -> TailTest:
    """Test whether the far range of fitted points is an exponential or a power law.

    The law is fitted to ``ln I`` against the lag ``d`` (in symbols), so ``gamma`` is unitless and
    the verdict is the same in nats or bits; only the BoxCox law's ``c`` is in the curve's units.

    Parameters
    ----------
    points
        The points a fit uses (:func:`~midecay.fitting.fit_points`), with their jackknife
        replicates for ``gamma``'s error.
    rules
        The thresholds (:class:`~midecay.fitting.VerdictRules`): the level each law is rejected at
        (``tail_level``) and the fewest points tested (``tail_min_points``).
    keep
        Which points may enter (e.g. a periodic curve's peaks); all by default.

    Returns
    -------
    TailTest
        ``exponential`` when the power law is rejected and the exponential is not (or ``gamma``
        lies beyond 1: faster than exponential), ``power_law`` the other way round (or ``gamma``
        below 0: slower than any power law), ``cannot_tell`` when neither is rejected or
        ``gamma`` lies between them rejecting both (a stretched exponential, or a sum of
        exponentials seen over too short a range).

    Examples
    --------
    >>> import numpy as np
    >>> from midecay.fitting.points import FitPoints
    >>> d = np.geomspace(1, 1000, 30)
    >>> y = 0.1 * d**-0.7 * np.exp(np.random.default_rng(0).normal(0, 0.01, 30))
    >>> tail_test(FitPoints(d, y, np.full(30, 0.01), (), True)).verdict
    'power_law'
    """
    rules = rules or VerdictRules()
    lags = points.lags if keep is None else points.lags[keep]
    idx = np.arange(len(points.lags)) if keep is None else np.flatnonzero(keep)
    nan = Estimate(math.nan, math.nan)
    if len(lags) < rules.tail_min_points:
        return TailTest("cannot_tell", nan, 1.0, 1.0, (float(lags.min()) if len(lags) else math.nan,
                        float(lags.max()) if len(lags) else math.nan, len(lags)),
                        f"{len(lags)} points above the floor; telling exponential from power law needs "
                        f"{rules.tail_min_points}: measure more lags, or a longer sequence")
    far = idx[far_range(lags, rules.tail_min_points)]
    window = (float(points.lags[far[0]]), float(points.lags[far[-1]]), len(far))
    fit = fit_law(BoxCox(), points.subset(far), intrinsic_scatter)
    if fit is None or not math.isfinite(fit.stderr["gamma"]) or fit.stderr["gamma"] <= 0:
        return TailTest("cannot_tell", nan, 1.0, 1.0, window, "the bridge law could not be fitted to the far range")
    gamma = fit.estimate("gamma")
    from scipy.special import ndtr

    p_exp = float(2.0 * ndtr(-abs(gamma.value - 1.0) / gamma.stderr))
    p_pl = float(2.0 * ndtr(-abs(gamma.value) / gamma.stderr))
    where = f"gamma = {gamma:.2g} over d = {window[0]:g}…{window[1]:g} ({window[2]} points; 1 exponential, 0 power law)"
    level = rules.tail_level
    if p_pl < level and (p_exp >= level or gamma.value > 1.0):
        verdict, why = "exponential", f"power law rejected (p = {p_pl:.2g}), exponential not (p = {p_exp:.2g})"
        if p_exp < level:
            why = f"faster than exponential; power law rejected (p = {p_pl:.2g})"
    elif p_exp < level and (p_pl >= level or gamma.value < 0.0):
        verdict, why = "power_law", f"exponential rejected (p = {p_exp:.2g}), power law not (p = {p_pl:.2g})"
        if p_pl < level:
            why = f"slower than a power law; exponential rejected (p = {p_exp:.2g})"
    elif p_exp < level:
        verdict, why = "cannot_tell", (f"between the two, both rejected (p = {p_exp:.2g}, {p_pl:.2g}): a stretched "
                                       "exponential, or several exponentials over too short a range")
    else:
        verdict, why = "cannot_tell", (f"neither rejected (p = {p_exp:.2g}, {p_pl:.2g}): the far range is too short "
                                       "or too noisy at this size; measure a longer sequence or further lags")
    return TailTest(verdict, gamma, p_exp, p_pl, window, f"{why}: {where}")
