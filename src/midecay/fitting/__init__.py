"""Decay laws, fits, and curve diagnosis."""

from .diagnosis import KINDS, PAPER_THRESHOLD_NATS, Diagnosis, Periodicity, Span, classify, periodicity, span
from .fit import DecayFit, Estimate, LawFit, akaike_weights, fit_decay
from .laws import LAWS, BrokenPowerLaw, Composite, DecayLaw, Exponential, PowerLaw, PowerLawPlusConstant, get_law

__all__ = [
    "KINDS", "LAWS", "PAPER_THRESHOLD_NATS", "BrokenPowerLaw", "Composite", "DecayFit", "DecayLaw", "Diagnosis",
    "Estimate", "Exponential", "LawFit", "Periodicity", "PowerLaw", "PowerLawPlusConstant", "Span", "akaike_weights",
    "classify", "fit_decay", "get_law", "periodicity", "span",
]
