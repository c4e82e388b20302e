"""Decay laws, fits, and curve diagnosis."""

from .diagnosis import (
    KINDS,
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
    BrokenPowerLaw,
    Composite,
    DecayLaw,
    Exponential,
    PowerLaw,
    PowerLawPlusConstant,
    get_law,
)
from .optimise import Estimate, LawFit, akaike_weights
from .points import FitPoints, fit_points
from .result import DecayFit

__all__ = [
    "DEFAULT_LAWS", "KINDS", "LAWS", "FitPoints", "fit_points", "PAPER_THRESHOLD_NATS", "BrokenPowerLaw", "Composite", "DecayFit", "DecayLaw", "Diagnosis",
    "Estimate", "Exponential", "LawFit", "Periodicity", "PowerLaw", "PowerLawPlusConstant", "Span", "akaike_weights",
    "classify", "fit_decay", "get_law", "periodicity", "span",
]
