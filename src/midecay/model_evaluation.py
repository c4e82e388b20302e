"""How well a model's samples reproduce its data's dependence: one result for curves, fits and comparison."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .comparison import Comparison, t_interval
from .errors import InputError
from .fitting import Diagnosis
from .results import Result, jsonable, new_axes, require

__all__ = ["ModelEvaluation", "SeedsEvaluation", "SEED_QUANTITIES"]


@dataclass(frozen=True, eq=False)
class ModelEvaluation(Result):
    """The data's curve and the samples' curve, each diagnosed, and their fair comparison.

    ``comparison`` holds both curves (data first) with per-lag differences, the fidelity and
    the distance up to which the samples track the data. ``model`` describes the model
    (architecture, sizes, parameters, checkpoint) and the sampling (streams, length, seed,
    temperature). Made by :func:`midecay.models.evaluate` from a checkpoint; any two curves
    make one, as here, where a chain that forgets faster stands in for a model's samples.

    Examples
    --------
    >>> import numpy as np, midecay
    >>> def chain(stay, seed):   # exact xi = -1 / (2 ln (2 stay - 1)): 2.24 for 0.9, 0.72 for 0.75
    ...     P = np.array([[stay, 1 - stay], [1 - stay, stay]])
    ...     return midecay.mi_curve(midecay.synth.markov(P, 100_000, seed=seed).symbols, np.arange(1, 30), seed=seed)
    >>> data, samples = chain(0.9, 0), chain(0.75, 1)
    >>> ev = ModelEvaluation(midecay.compare([data, samples], ["data", "samples"]), midecay.classify(data),
    ...                      midecay.classify(samples), {"arch": "markov stand-in"})
    >>> pair = ev.comparison.pairs[0]
    >>> ev.samples.kind, pair.verdict, bool(pair.difference[0] < 0)   # samples: less MI at d = 1
    ('exponential', 'different', True)
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

    def _summary_text(self) -> str:
        pair = self.comparison.pairs[0]
        lines = [
            f"Model evaluation: {self.model.get('arch', 'model')} "
            f"({self.model.get('parameters', '?')} parameters), {self.sample_curve.n_symbols:,} sampled symbols",
            f"  data:    {self.data.headline()}; span {self.data.span.reach}",
            f"  samples: {self.samples.headline()}; span {self.samples.span.reach}",
            f"  samples vs data: {pair.verdict}, {pair.describe_differences()}; {pair.describe_fidelity()}",
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


#: What :class:`SeedsEvaluation` summarises over training seeds: the samples' correlation length
#: and power-law exponent (both laws are fitted on every curve), their fidelity to the data and the
#: last lag up to which they track it.
SEED_QUANTITIES = ("xi", "alpha", "fidelity", "tracks_up_to")


def _quantity(ev: ModelEvaluation, name: str) -> float:
    fit = ev.samples.fit
    if name == "xi":
        est = fit.correlation_length if fit is not None else None
        return est.value if est is not None else math.nan
    if name == "alpha":
        est = fit.exponent if fit is not None else None
        return est.value if est is not None else math.nan
    pair = ev.comparison.pairs[0]
    if name == "fidelity":
        return float(pair.fidelity)
    return float(pair.tracking_distance) if pair.tracking_distance is not None else math.nan


@dataclass(frozen=True, eq=False)
class SeedsEvaluation(Result):
    """One model configuration trained with several seeds, each evaluated against the same data.

    What a reader of a single :class:`ModelEvaluation` cannot see: how much of the samples' decay
    (xi, alpha), fidelity and tracking distance is the configuration, and how much the training
    seed. Each quantity gets its mean and a Student-t interval over the seeds (``level``); one
    jackknife error of one run says nothing about that spread. With one seed nothing is resolved,
    and the summary says so. Made by :func:`midecay.models.evaluate_seeds` (CLI: ``midecay
    evaluate-seeds``) from checkpoints; any evaluations of one configuration make one, as here.

    Examples
    --------
    >>> import numpy as np, midecay
    >>> def curve(stay, seed):
    ...     P = np.array([[stay, 1 - stay], [1 - stay, stay]])
    ...     return midecay.mi_curve(midecay.synth.markov(P, 100_000, seed=seed).symbols, np.arange(1, 30), seed=seed)
    >>> data = curve(0.9, 0)
    >>> def evaluation(seed):   # one "training seed": its samples a fresh draw of the same chain
    ...     samples = curve(0.9, seed)
    ...     return ModelEvaluation(midecay.compare([data, samples]), midecay.classify(data), midecay.classify(samples))
    >>> seeds = SeedsEvaluation((evaluation(1), evaluation(2), evaluation(3)), ("s1", "s2", "s3"))
    >>> mean, low, high = seeds.interval("xi")   # exact 2.24
    >>> seeds.n_seeds, bool(low < 2.24 < high)
    (3, True)
    """

    FORMAT = "midecay.SeedsEvaluation/1"

    evaluations: tuple[ModelEvaluation, ...]
    names: tuple[str, ...]
    level: float = 0.95

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluations", tuple(self.evaluations))
        object.__setattr__(self, "names", tuple(str(n) for n in self.names))
        if not self.evaluations or len(self.evaluations) != len(self.names):
            raise InputError("SeedsEvaluation needs one name per evaluation, and at least one")
        if len(set(self.names)) != len(self.names):
            raise InputError("SeedsEvaluation names must be distinct (one per training seed)")
        if not 0.0 < float(self.level) < 1.0:
            raise InputError(f"level must lie strictly between 0 and 1, got {self.level}")

    @property
    def n_seeds(self) -> int:
        return len(self.evaluations)

    def values(self, name: str) -> np.ndarray:
        """One value of ``name`` (one of :data:`SEED_QUANTITIES`) per seed; NaN where a seed has none."""
        if name not in SEED_QUANTITIES:
            raise InputError(f"unknown quantity {name!r}; choose from {', '.join(SEED_QUANTITIES)}")
        return np.array([_quantity(ev, name) for ev in self.evaluations], dtype=np.float64)

    def interval(self, name: str) -> tuple[float, float, float]:
        """``(mean, low, high)`` of ``name`` over the seeds that have it (NaN bounds with fewer than two)."""
        v = self.values(name)
        return t_interval(v[np.isfinite(v)], self.level)

    def aggregate(self) -> dict[str, dict[str, float]]:
        out = {}
        for name in SEED_QUANTITIES:
            v = self.values(name)
            mean, lo, hi = t_interval(v[np.isfinite(v)], self.level)
            out[name] = {"n_seeds": int(np.isfinite(v).sum()), "mean": mean, "ci_low": lo, "ci_high": hi}
        return out

    def _summary_text(self) -> str:
        data = self.evaluations[0].data
        lines = [f"{self.n_seeds} training seed(s) of one configuration against the same data ({data.headline()})"]
        for name, ev in zip(self.names, self.evaluations):
            pair = ev.comparison.pairs[0]
            xi, alpha = _quantity(ev, "xi"), _quantity(ev, "alpha")
            lines.append(f"  {name}: {ev.samples.kind}; xi {xi:.4g}, alpha {alpha:.4g}; "
                         f"{pair.describe_differences()}; {pair.describe_fidelity()}")
        if self.n_seeds < 2:
            lines.append("  one seed: no spread over training seeds, so no difference between configurations is resolved")
            return "\n".join(lines)
        pct = f"{100 * self.level:g} %"
        for name, agg in self.aggregate().items():
            lines.append(f"  {name}: mean {agg['mean']:.4g}, {pct} interval over {agg['n_seeds']} seeds "
                         f"[{agg['ci_low']:.4g}, {agg['ci_high']:.4g}]")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"format": self.FORMAT, "names": list(self.names), "level": self.level,
                         "aggregate": self.aggregate(), "evaluations": [ev.to_dict() for ev in self.evaluations]})

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> SeedsEvaluation:
        what = "seeds evaluation"
        evs = tuple(ModelEvaluation.from_dict(e) for e in require(data, "evaluations", list, what))
        return cls(evs, tuple(require(data, "names", list, what)), float(data.get("level", 0.95)))

    def table_rows(self) -> list[dict[str, Any]]:
        return [{"seed": name, "kind": ev.samples.kind, **{q: _quantity(ev, q) for q in SEED_QUANTITIES},
                 "lags_differ": int(ev.comparison.pairs[0].significant.sum())}
                for name, ev in zip(self.names, self.evaluations)]

    def plot(self, ax=None):
        """The data's curve and every seed's samples' curve on one log-log axis, each with its null's
        z = 3 line (a small sample's floor sits high: a curve at its line shows no dependence)."""
        ax = new_axes(ax)
        first = self.evaluations[0]
        first.data_curve.plot(ax=ax, label="data", color="black", floor="line")
        for name, ev in zip(self.names, self.evaluations):
            ev.sample_curve.plot(ax=ax, label=name, floor="line")
        ax.legend(fontsize="small")
        return ax
