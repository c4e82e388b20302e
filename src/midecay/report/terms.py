"""Words that the command line, the summaries and the report's glossary all use: one definition each.

>>> "factor 1.5" in TRACKS_UP_TO
True
"""

from __future__ import annotations

__all__ = ["TRACKS_UP_TO", "FIDELITY", "SPAN"]

#: The tracking distance (:func:`midecay.compare`, ``tolerance = 1.5``).
TRACKS_UP_TO = ("tracks up to d: the largest lag up to which every lag where the reference is above its null "
                "either does not differ significantly or lies within a factor 1.5 of the reference")
#: Fidelity (:func:`midecay.compare`).
FIDELITY = ("fidelity: the mean of min/max of the two floor-removed I(d) over the lags where the reference is above "
            "its null, 0 where the other is not: 1 = the same dependence, 0.5 = half of it or unresolved at half of "
            "those lags")
#: The span (:func:`midecay.fitting.span`).
SPAN = ("span: the last lag significantly above the null whose preceding lag is too ('>=' when the last lag measured "
        "still is, a lower bound; 'none' when no lag is)")
