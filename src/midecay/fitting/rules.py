"""The thresholds a verdict is made with, declared once and recorded in every :class:`~midecay.fitting.Diagnosis`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from ..errors import InputError
from ..validation import Integer, Real, validate

__all__ = ["VerdictRules", "RULE_CONSTRAINTS"]

_LEVEL = Real(0, 1, low_open=True, high_open=True)
_POSITIVE = Real(0, low_open=True)
#: What each rule may be: levels are probabilities, counts whole numbers, the rest positive.
RULE_CONSTRAINTS = {
    "z": _POSITIVE, "min_points": Integer(2), "chance_level": _LEVEL, "flat_alpha": _POSITIVE, "flat_ceiling": _POSITIVE, "tail_level": _LEVEL,
    "tail_min_points": Integer(5), "margin": Real(0), "break_sigma": _POSITIVE, "min_slope_change": Real(0),
    "break_side_points": Integer(1), "composite_tail_points": Integer(2), "composite_tail_margin": Real(0),
    "structure_level": _LEVEL, "structure_sigma": _POSITIVE, "period_alpha": _LEVEL, "between_peaks": _LEVEL,
}


@dataclass(frozen=True)
class VerdictRules:
    """Every threshold :func:`~midecay.fitting.classify` decides with.

    The defaults are the ones the suite's calibration tests hold the verdict to; change one and
    the :class:`~midecay.fitting.Diagnosis` records the set it was made with.

    Attributes
    ----------
    z
        A lag is dependence when its MI stands this many combined standard errors above its floor.
    min_points
        Fewest significant lags a decay is told from (two fit any two-parameter law exactly).
    chance_level
        Below this probability of as many significant lags by chance, a few hits are dependence.
    flat_alpha, flat_ceiling
        A power law with ``alpha`` below ``flat_alpha`` (over all points or their far half), its
        95 % interval below ``flat_ceiling``, is ``flat``: an alpha of 0.01 +- 2.6 is no verdict.
    tail_level
        The tail test rejects a law at this two-sided level (:func:`~midecay.fitting.tail_test`).
    tail_min_points
        Fewest points the tail test decides from (at least 5: the bridge law and its scatter are 4 parameters).
    margin
        AICc (BIC with few points) a more complex law must gain over the simpler kinds: 6 is an
        evidence ratio of 20.
    break_sigma, min_slope_change, break_side_points
        A broken power law's exponents must differ by this many standard errors (their
        covariance included) and by this much, with this many points on each side of the break.
    composite_tail_points, composite_tail_margin
        A composite's power law must carry at least this many of the last points, which must be a
        power law rather than an exponential by this much AICc.
    structure_level, structure_sigma
        A law misses a pattern when its residuals' runs test is below this p-value and its
        largest residual is at least this many errors.
    period_alpha
        Level of the period test (Bonferroni over the candidate periods).
    between_peaks
        A periodic curve with too few significant multiples of its period for the tail test
        reads its decay from every lag only where at least this share of the lags between those
        multiples (up to the last significant one) stands above the floor too: the period then
        modulates a smooth decay. Otherwise its dependence is its peaks, too few to tell how they
        decay, and a stray lag between them must not decide the law.

    Examples
    --------
    >>> VerdictRules(tail_level=0.05).tail_level
    0.05
    """

    z: float = 3.0
    min_points: int = 3
    chance_level: float = 0.01
    flat_alpha: float = 0.05
    flat_ceiling: float = 0.25
    tail_level: float = 0.01
    tail_min_points: int = 5
    margin: float = 6.0
    break_sigma: float = 3.0
    min_slope_change: float = 0.1
    break_side_points: int = 2
    composite_tail_points: int = 4
    composite_tail_margin: float = 2.0
    structure_level: float = 0.01
    structure_sigma: float = 2.5
    period_alpha: float = 0.01
    between_peaks: float = 0.5

    def __post_init__(self) -> None:
        validate(self, RULE_CONSTRAINTS, prefix="verdict rule ")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictRules:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown verdict rule(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**data)
