"""Curves, fits, diagnosis and comparison of several sources in one object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..comparison import Comparison, compare
from ..curve import MICurve, mi_curve
from ..fitting import Diagnosis, classify
from ..sequences import Symbols


@dataclass(frozen=True, eq=False)
class SourceResult:
    name: str
    curve: MICurve
    diagnosis: Diagnosis


@dataclass(frozen=True, eq=False)
class Analysis:
    results: tuple[SourceResult, ...]
    comparison: Comparison | None
    base: str
    extras: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "midecay.Analysis/1",
            "results": [
                {"name": r.name, "curve": r.curve.to_dict(), "diagnosis": r.diagnosis.to_dict()} for r in self.results
            ],
            "comparison": self.comparison.to_dict() if self.comparison else None,
        }


def analyse(
    items: list[Symbols | MICurve],
    names: list[str],
    lags: np.ndarray,
    *,
    seed: int | None = 0,
    progress: bool = False,
    **curve_kwargs: Any,
) -> Analysis:
    """Curve (unless given), diagnosis for each item, and the comparison when there are several."""
    results = []
    for item, name in zip(items, names):
        curve = item if isinstance(item, MICurve) else mi_curve(item, lags, seed=seed, progress=progress, **curve_kwargs)
        results.append(SourceResult(name, curve, classify(curve)))
    comparison = compare([r.curve for r in results], names) if len(results) > 1 else None
    return Analysis(tuple(results), comparison, results[0].curve.base)
