"""Decay laws, fits, and curve diagnosis."""

from .diagnosis import (
    KINDS,
    LONG_RANGE_KINDS,
    PAPER_THRESHOLD_NATS,
    Diagnosis,
    Periodicity,
    Span,
    classify,
    periodicity,
    span,
)
from .fit import DEFAULT_LAWS, fit_decay
from .laws import (
    LAWS,
    MODE_LAWS,
    BoxCox,
    BrokenPowerLaw,
    Composite,
    DecayLaw,
    Exponential,
    PowerLaw,
    PowerLawPlusConstant,
    SumOfExponentials,
    ThreeExponentials,
    TwoExponentials,
    get_law,
)
from .optimise import Estimate, LawFit, akaike_weights
from .points import FitPoints, fit_points
from .result import DecayFit
from .rules import VerdictRules
from .tail import TAIL_VERDICTS, TailTest, tail_test

__all__ = [
    "DEFAULT_LAWS", "KINDS", "LAWS", "FitPoints", "fit_points", "PAPER_THRESHOLD_NATS", "BrokenPowerLaw", "Composite", "DecayFit", "DecayLaw", "Diagnosis",
    "Estimate", "Exponential", "LawFit", "Periodicity", "PowerLaw", "PowerLawPlusConstant", "Span", "akaike_weights",
    "classify", "fit_decay", "get_law", "periodicity", "span", "LONG_RANGE_KINDS", "MODE_LAWS", "BoxCox",
    "SumOfExponentials", "TwoExponentials", "ThreeExponentials", "VerdictRules", "TAIL_VERDICTS", "TailTest", "tail_test",
]
