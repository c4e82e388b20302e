"""The null "no dependence at lag d": what an estimate reads where there is none, with its spread.

:mod:`~midecay.null.floor` holds the policy (which construction a curve gets, the draws, the
:class:`~midecay.null.floor.Null` it returns to :func:`midecay.mi_curve`); three constructions,
each for the data it holds on:

- :mod:`~midecay.null.autocorrelation`: one long sequence of a small alphabet; the shuffle
  floor plus what the sequence's own autocorrelation adds, analytically.
- :mod:`~midecay.null.shifted`: one long sequence of a large alphabet; circularly shifted copies.
- :mod:`~midecay.null.streams`: many streams (model samples, documents, records), where the
  stream is the independent unit; each stream paired with itself at offsets where it does not
  repeat itself.

The reasoning behind each is in ``docs/methods.md``.
"""

from .autocorrelation import (
    MAX_FULL_ALPHABET,
    MIN_SAMPLE_SYMBOLS,
    SAMPLE_SYMBOLS,
    SCAN_LAGS,
    AutocorrelationSample,
    AutocorrelationTerms,
    PeriodScan,
    autocorrelation_terms,
    sample_budget,
)

__all__ = ["AutocorrelationSample", "AutocorrelationTerms", "PeriodScan", "autocorrelation_terms", "sample_budget",
           "SAMPLE_SYMBOLS", "MAX_FULL_ALPHABET", "SCAN_LAGS", "MIN_SAMPLE_SYMBOLS"]
