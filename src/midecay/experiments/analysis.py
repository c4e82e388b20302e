"""Orchestration: curves, diagnosis and comparison of several sources, in one result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..comparison import Comparison, compare
from ..curve import mi_curve
from ..errors import InputError
from ..fitting import Diagnosis, classify
from ..micurve import MICurve
from ..results import Result, jsonable, require
from ..sequences import Symbols


@dataclass(frozen=True, eq=False)
class SourceResult:
    name: str
    curve: MICurve
    diagnosis: Diagnosis


@dataclass(frozen=True, eq=False)
class Analysis(Result):
    """Each source's curve and diagnosis, and their comparison when there are several."""

    FORMAT = "midecay.Analysis/1"

    results: tuple[SourceResult, ...]
    comparison: Comparison | None
    base: str
    extras: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "format": self.FORMAT,
            "base": self.base,
            "results": [
                {"name": r.name, "curve": r.curve.to_dict(), "diagnosis": r.diagnosis.to_dict()} for r in self.results
            ],
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "extras": [list(e) for e in self.extras],
        })

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Analysis:
        what = "analysis"
        results = tuple(
            SourceResult(require(r, "name", str, what), MICurve.from_dict(r["curve"]), Diagnosis.from_dict(r["diagnosis"]))
            for r in require(data, "results", list, what)
        )
        if not results:
            raise InputError(f"{what} holds no results")
        comparison = Comparison.from_dict(data["comparison"]) if data.get("comparison") else None
        return cls(results, comparison, require(data, "base", str, what), tuple(tuple(e) for e in data.get("extras", ())))

    def _summary_text(self) -> str:
        lines = [f"{r.name}: {r.diagnosis.kind}, span {r.diagnosis.span.reach}, I(1) = {r.curve.mi[0]:.4g} {self.base}"
                 for r in self.results]
        if self.comparison is not None:
            lines.append(self.comparison.summary())
        return "\n".join(lines)

    def table_rows(self) -> list[dict[str, Any]]:
        return [{"name": r.name, "n_symbols": r.curve.n_symbols, "alphabet_size": r.curve.alphabet_size,
                 "kind": r.diagnosis.kind, "span": r.diagnosis.span.floor_distance, "I1": r.curve.mi[0]}
                for r in self.results]

    def plot(self, ax=None):
        """The curves overlaid (the comparison's figure when there are several)."""
        if self.comparison is not None:
            return self.comparison.plot(ax=ax)
        return self.results[0].curve.plot(ax=ax, label=self.results[0].name)


def middle_slice(symbols: Symbols, length: int) -> Symbols:
    """A contiguous slice of ``length`` symbols from the middle of ``symbols`` (one segment).

    For size-matched comparisons: estimator bias depends on the sample size, so a split is
    compared with a slice of the reference as long as itself.
    """
    if not 1 <= length <= symbols.n_symbols:
        raise InputError(f"slice length must be between 1 and {symbols.n_symbols}, got {length}")
    mid = (symbols.n_symbols - length) // 2
    return Symbols(symbols.codes[mid : mid + length], symbols.alphabet, [0, length],
                   f"{symbols.description}, slice of {length:,}", {**symbols.provenance, "slice": [mid, mid + length]})


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
