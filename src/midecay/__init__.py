"""midecay: mutual-information scaling analysis of sequences and sequence models.

The public names below load on first use, so ``import midecay`` (and ``midecay --help``)
stays quick and loads neither numba nor scipy until a computation needs them.

Examples
--------
>>> import midecay
>>> curve = midecay.mi_curve("abcab" * 200, midecay.log_lags(1, 100, 5), seed=0)
>>> curve.lags.tolist()
[1, 3, 10, 32, 100]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _openmp  # noqa: F401  (passive OpenMP waiting, set before any runtime starts)
from ._version import __version__

#: Public name -> the module that defines it (a trailing "." marks a submodule).
_EXPORTS: dict[str, str] = {
    "UnreliableEstimateWarning": "._warnings",
    "Comparison": ".comparison",
    "compare": ".comparison",
    "PairCounts": ".counting",
    "count_pairs": ".counting",
    "MICurve": ".micurve",
    "mi_curve": ".curve",
    "mi_curves": ".curve",
    "CurveOptions": ".options",
    "entropy": ".estimators",
    "mutual_information": ".estimators",
    "DecayFit": ".fitting",
    "Diagnosis": ".fitting",
    "classify": ".fitting",
    "fit_decay": ".fitting",
    "span": ".fitting",
    "Span": ".fitting",
    "tail_test": ".fitting",
    "VerdictRules": ".fitting",
    "log_lags": ".lags",
    "Symbols": ".sequences",
    "encode": ".sequences",
    "open_source": ".opening",
    "InputError": ".errors",
    "ModelEvaluation": ".model_evaluation",
    "SeedsEvaluation": ".model_evaluation",
    "threads": "._threads",
    "DilationDesign": ".design",
    "design_dilations": ".design",
    "BipartiteCurve": ".bipartite",
    "bipartite_mi": ".bipartite",
}
_SUBMODULES = ("bipartite", "counting", "datasets", "design", "errors", "estimators", "experiments", "fitting", "models", "report", "sources", "synth")

__all__ = ["__version__", *sorted(_EXPORTS), *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'midecay' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    # The public surface only: not the machinery of lazy loading (importlib, TYPE_CHECKING, Any).
    return sorted(__all__)


if TYPE_CHECKING:  # static analysers and IDEs see the eager imports
    from . import (
        bipartite,
        counting,
        datasets,
        design,
        errors,
        estimators,
        experiments,
        fitting,
        report,
        sources,
        synth,
    )
    from ._threads import threads
    from ._warnings import UnreliableEstimateWarning
    from .bipartite import BipartiteCurve, bipartite_mi
    from .comparison import Comparison, compare
    from .counting import PairCounts, count_pairs
    from .curve import mi_curve, mi_curves
    from .design import DilationDesign, design_dilations
    from .errors import InputError
    from .estimators import entropy, mutual_information
    from .model_evaluation import ModelEvaluation, SeedsEvaluation
    from .fitting import DecayFit, Diagnosis, Span, VerdictRules, classify, fit_decay, span, tail_test
    from .lags import log_lags
    from .micurve import MICurve
    from .opening import open_source
    from .options import CurveOptions
    from .sequences import Symbols, encode
