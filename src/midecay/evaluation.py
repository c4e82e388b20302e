"""How well a model's samples reproduce its data's dependence: one result for curves, fits and comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .comparison import Comparison
from .errors import InputError
from .fitting import Diagnosis
from .results import Result, jsonable, require

__all__ = ["ModelEvaluation"]


@dataclass(frozen=True, eq=False)
class ModelEvaluation(Result):
    """The data's curve and the samples' curve, each diagnosed, and their fair comparison.

    ``comparison`` holds both curves (data first) with per-lag differences, the fidelity and
    the distance up to which the samples track the data. ``model`` describes the model
    (architecture, sizes, parameters, checkpoint) and the sampling (streams, length, seed,
    temperature).
    """

    FORMAT = "midecay.ModelEvaluation/1"

    comparison: Comparison
    data: Diagnosis
    samples: Diagnosis
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def data_curve(self):
        return self.comparison.curves[0]

    @property
    def sample_curve(self):
        return self.comparison.curves[1]

    def summary(self) -> str:
        pair = self.comparison.pairs[0]
        lines = [
            f"Model evaluation: {self.model.get('arch', 'model')} "
            f"({self.model.get('parameters', '?')} parameters), {self.sample_curve.n_symbols:,} sampled symbols",
            f"  data:    {self.data.headline()}; span {self.data.span.reach}",
            f"  samples: {self.samples.headline()}; span {self.samples.span.reach}",
            f"  samples vs data: {pair.verdict}, {int(pair.significant.sum())}/{len(pair.lags)} lags differ; "
            f"{pair.describe_fidelity()}",
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "format": self.FORMAT, "model": self.model, "comparison": self.comparison.to_dict(),
            "data": self.data.to_dict(), "samples": self.samples.to_dict(),
        })

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> ModelEvaluation:
        what = "model evaluation"
        comparison = Comparison.from_dict(require(data, "comparison", dict, what))
        if len(comparison.curves) != 2:
            raise InputError(f"{what}: the comparison must hold the data and the samples")
        return cls(comparison, Diagnosis.from_dict(require(data, "data", dict, what)),
                   Diagnosis.from_dict(require(data, "samples", dict, what)), dict(data.get("model") or {}))

    def table_rows(self) -> list[dict[str, Any]]:
        return self.comparison.table_rows()

    def plot(self, ax=None):
        """The two curves with their nulls; lags where the samples differ from the data are ringed."""
        return self.comparison.plot(ax=ax)
