"""midecay: mutual-information scaling analysis of sequences and sequence models.

Examples
--------
>>> import midecay
>>> curve = midecay.mi_curve("abcab" * 200, midecay.log_lags(1, 100, 5), seed=0)
>>> curve.lags.tolist()
[1, 3, 10, 32, 100]
"""

from ._version import __version__
from ._warnings import UnreliableEstimateWarning
from .comparison import Comparison, compare
from .counting import PairCounts, count_pairs
from .curve import MICurve, mi_curve
from .estimators import entropy, mutual_information
from .fitting import DecayFit, Diagnosis, classify, fit_decay
from .lags import log_lags
from .sequences import Symbols, encode

__all__ = [
    "__version__",
    "Comparison",
    "DecayFit",
    "Diagnosis",
    "MICurve",
    "PairCounts",
    "Symbols",
    "UnreliableEstimateWarning",
    "classify",
    "compare",
    "count_pairs",
    "encode",
    "entropy",
    "fit_decay",
    "log_lags",
    "mi_curve",
    "mutual_information",
]
