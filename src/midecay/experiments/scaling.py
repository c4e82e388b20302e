"""How far a model's samples reach as it grows: correlation length against width and depth.

Shen 2019 (Fig. 1): an RNN's correlation length grows like log(width) then saturates, and
with depth while shallow; LSTMs reach further with fewer parameters. :func:`scaling_sweep`
trains each cell of an (architecture x width x depth) grid, samples it, fits the samples'
curve on the range given, and records the correlation length xi (exponential fit, jackknife
errors), the power-law exponent, the decay kind and the validation loss. Each finished cell
is written to a results file atomically; running again skips finished cells, so an
interrupted sweep resumes.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_atomic
from .._locks import output_held
from .._parsing import parse_json
from .._progress import progress as progress_bar
from ..errors import InputError
from ..validation import check_int
from ..fitting.points import check_fit_range
from ..results import Result, jsonable, new_axes, require
from ..sequences import Symbols

__all__ = ["ScalingSpec", "ScalingResult", "scaling_sweep"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScalingSpec:
    """The grid and the budget of each cell.

    ``train`` holds :class:`~midecay.models.TrainConfig` fields, ``model`` further
    :class:`~midecay.models.ModelConfig` fields (embedding, heads, context …).
    """

    archs: tuple[str, ...] = ("rnn", "lstm")
    widths: tuple[int, ...] = (2, 4, 8, 16, 32)
    depths: tuple[int, ...] = (1,)
    lags: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 20, 32, 50, 80, 128, 200, 320)
    dmin: float | None = None
    dmax: float | None = None
    streams: int = 256
    length: int = 1024
    seed: int = 0
    train: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    #: Training seeds: each cell is trained once a seed, and xi is reported over them (its spread
    #: across training runs, beside each run's jackknife error). None: the one ``seed``.
    seeds: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("archs", "widths", "depths", "lags"):
            value = tuple(getattr(self, name))
            if not value:
                raise InputError(f"scaling spec: {name} is empty")
            object.__setattr__(self, name, value)
        check_fit_range(self.dmin, self.dmax)  # before any model is trained, not after
        if self.seeds is not None:
            seeds = tuple(check_int("seeds", s, 0) for s in self.seeds)
            if not seeds or len(set(seeds)) != len(seeds):
                raise InputError(f"scaling spec: seeds must be distinct integers, got {list(self.seeds)}")
            object.__setattr__(self, "seeds", seeds)
        if self.length <= max(self.lags):
            raise InputError(f"scaling spec: sample length {self.length} must exceed the largest lag {max(self.lags)}")

    def cells(self) -> list[dict[str, Any]]:
        """One cell a (arch, width, depth), and a seed when :attr:`seeds` are given."""
        grid = [{"arch": a, "width": w, "depth": d} for a in self.archs for w in self.widths for d in self.depths]
        if self.seeds is None:
            return grid
        return [{**cell, "seed": s} for cell in grid for s in self.seeds]

    def key(self, cell: dict[str, Any]) -> str:
        """A finished cell is reused only if everything that made it is the same (a single-seed spec keeps
        the keys it always had, so its folders resume)."""
        drop = ("archs", "widths", "depths", "seeds") + (("seed",) if self.seeds is not None else ())
        spec = {k: v for k, v in asdict(self).items() if k not in drop}
        return json.dumps({"cell": cell, "spec": spec}, sort_keys=True, default=list)


@dataclass(frozen=True, eq=False)
class ScalingResult(Result):
    """One row per (architecture, width, depth): parameters, validation bits/symbol, xi, alpha, kind."""

    FORMAT = "midecay.ScalingResult/1"

    rows: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"format": self.FORMAT, "rows": list(self.rows)})

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> ScalingResult:
        rows = require(data, "rows", list, "scaling result")
        for row in rows:
            for key in ("arch", "width", "depth", "xi", "xi_stderr"):
                require(row, key, (str, int, float, type(None)), "scaling row")
        return cls(tuple(rows))

    def table_rows(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def over_seeds(self) -> list[dict[str, Any]]:
        """One entry a (arch, width, depth): how many training seeds, xi's mean and its spread over them
        (SD, and a 95 % t-interval of the mean), and the mean of the runs' own jackknife errors."""
        from ..comparison import t_interval

        groups: dict[tuple, list[dict[str, Any]]] = {}
        for r in self.rows:
            groups.setdefault((r["arch"], r["width"], r["depth"]), []).append(r)
        out = []
        for (arch, width, depth), rows in groups.items():
            xi = np.array([r["xi"] for r in rows if r.get("xi") is not None], dtype=float)
            n = len(xi)
            mean, low, high = t_interval(xi, 0.95)
            out.append({"arch": arch, "width": width, "depth": depth, "n_seeds": len(rows), "n_xi": n,
                        "n_converged": sum(bool(r.get("converged")) for r in rows), "xi_mean": mean,
                        "xi_sd": float(xi.std(ddof=1)) if n >= 2 else math.nan, "xi_ci_low": low, "xi_ci_high": high,
                        "xi_jackknife_se": float(np.nanmean([r["xi_stderr"] for r in rows if r.get("xi_stderr") is not None]))
                        if any(r.get("xi_stderr") is not None for r in rows) else math.nan})
        return out

    def _summary_text(self) -> str:
        if any("seed" in r for r in self.rows):
            lines = [f"  {'arch':<12} {'width':>6} {'depth':>6} {'seeds':>5} {'converged':>9} {'xi mean':>9} {'SD over seeds':>14} "
                     f"{'95 % interval':>20} {'jackknife SE':>13}"]
            for c in self.over_seeds():
                interval = "unresolved" if c["n_xi"] < 2 else f"[{c['xi_ci_low']:.3g}, {c['xi_ci_high']:.3g}]"
                lines.append(f"  {c['arch']:<12} {c['width']:>6} {c['depth']:>6} {c['n_xi']:>2}/{c['n_seeds']:<2} "
                             f"{c['n_converged']:>7}/{c['n_seeds']:<1} "
                             f"{c['xi_mean']:>9.3g} {c['xi_sd']:>14.2g} {interval:>20} {c['xi_jackknife_se']:>13.2g}")
            lines.append("  (xi of each seed's samples; the SD over training seeds is the spread a comparison of cells "
                         "must beat, the jackknife SE only one run's sampling error)")
            return "\n".join(lines)
        lines = [f"  {'arch':<12} {'width':>6} {'depth':>6} {'params':>9} {'val bps':>8} {'converged':>10} {'xi':>16} "
                 f"{'alpha':>14}  kind"]
        for r in self.rows:
            xi = f"{r['xi']:.3g} ± {r['xi_stderr']:.2g}" if r.get("xi") is not None else "n/a"
            alpha = f"{r['alpha']:.3g} ± {r['alpha_stderr']:.2g}" if r.get("alpha") is not None else "n/a"
            lines.append(f"  {r['arch']:<12} {r['width']:>6} {r['depth']:>6} {r['parameters']:>9,} {r['valid_bps']:>8.4f} "
                         f"{_converged_cell(r):>10} {xi:>16} {alpha:>14}  {r['kind']}")
        if any(r.get("converged") is False for r in self.rows):
            lines.append("  (converged: the kept run's validation loss stopped improving for `patience` epochs; 'no (E ep)': "
                         "it ran out of epochs or time after E still improving, so its xi is an unfinished model's)")
        return "\n".join(lines)

    def plot(self, ax=None, *, against: str = "width"):
        """Correlation length against ``width`` or ``depth``, one line per series (over training seeds when
        there are several: mean and SD; else each run with its jackknife error)."""
        ax = new_axes(ax, (6.4, 4.4))
        other = "depth" if against == "width" else "width"
        seeded = any("seed" in r for r in self.rows)
        # With training seeds: each cell's mean over them, bars their SD; else each run with its jackknife error.
        points = ([{**c, "xi": c["xi_mean"], "xi_stderr": c["xi_sd"]} for c in self.over_seeds() if c["n_xi"]]
                  if seeded else [r for r in self.rows if r.get("xi") is not None])
        series: dict[tuple, list] = {}
        for r in points:
            series.setdefault((r["arch"], r[other]), []).append(r)
        for (arch, fixed), rows in sorted(series.items()):
            rows = sorted(rows, key=lambda r: r[against])
            ax.errorbar([r[against] for r in rows], [r["xi"] for r in rows],
                        yerr=[np.nan_to_num(r["xi_stderr"], nan=0.0) for r in rows],
                        fmt="o-", capsize=2, label=f"{arch}, {other} {fixed}")
        if seeded:
            ax.set_title("mean over training seeds; bars: their SD", fontsize="small")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(against)
        ax.set_ylabel("correlation length ξ of the samples (symbols)")
        ax.legend(frameon=False, fontsize="small")
        return ax


def _converged_cell(row: dict[str, Any]) -> str:
    if "converged" not in row:
        return "-"  # rows written before convergence was recorded
    return "yes" if row["converged"] else f"no ({row['epochs']} ep)"


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def convergence(history: list[dict[str, Any]], patience: int) -> dict[str, Any]:
    """Whether the training run that gave the kept model stopped because its validation loss did.

    Training keeps the best model over its restarts (``TrainConfig.restarts``). That run
    converged when its validation loss went ``patience`` epochs without improving; a run that
    ended on its epoch or time budget instead may still have been improving, and its samples'
    xi is that of an unfinished model.

    Examples
    --------
    >>> h = [{"restart": 0, "valid_loss": v} for v in (3.0, 2.0, 2.1, 2.2)]
    >>> convergence(h, patience=2)
    {'converged': True, 'restarts': 1, 'best_restart': 0, 'epochs': 4}
    >>> convergence(h[:3] + [{"restart": 1, "valid_loss": 1.9}], patience=2)["converged"]
    False
    """
    if not history:
        return {"converged": False, "restarts": 0, "best_restart": None, "epochs": 0}
    best = min(history, key=lambda h: h["valid_loss"])["restart"]
    losses = [h["valid_loss"] for h in history if h["restart"] == best]
    waited = len(losses) - 1 - int(np.argmin(losses))
    return {"converged": waited >= patience, "restarts": len({h["restart"] for h in history}), "best_restart": best,
            "epochs": len(losses)}


def run_cell(data: Symbols, spec: ScalingSpec, cell: dict[str, Any], valid: Symbols | None = None) -> dict[str, Any]:
    """Train, sample, measure one cell of the grid."""
    from ..curve import mi_curve
    from ..fitting import classify, fit_decay
    from ..models import ModelConfig, TrainConfig, sample, train

    seed = int(cell.get("seed", spec.seed))
    shape = {k: v for k, v in cell.items() if k != "seed"}
    model_cfg = ModelConfig.from_dict({**spec.model, **shape, "vocab_size": data.alphabet_size, "seed": seed})
    train_cfg = TrainConfig.from_dict({**spec.train, "seed": seed})
    ck = train(model_cfg, data, valid=valid, config=train_cfg)
    samples = sample(ck.model, spec.streams, spec.length, seed=seed, alphabet=data.alphabet)
    curve = mi_curve(samples, np.asarray(spec.lags), seed=seed)
    fit = fit_decay(curve, laws=["exponential", "power_law"], dmin=spec.dmin, dmax=spec.dmax)
    xi, alpha = fit.correlation_length, fit.exponent
    return {
        **cell, "parameters": ck.model.n_parameters(), "valid_bps": ck.extra["best_valid_bps"],
        "xi": _finite(xi.value) if xi else None, "xi_stderr": _finite(xi.stderr) if xi else None,
        "alpha": _finite(alpha.value) if alpha else None, "alpha_stderr": _finite(alpha.stderr) if alpha else None,
        "kind": classify(curve, dmin=spec.dmin, dmax=spec.dmax).kind, "I1": float(curve.mi[0]),
        **convergence(ck.history, train_cfg.patience),
    }


def scaling_sweep(
    data: Symbols, spec: ScalingSpec, *, store: str | Path | None = None, valid: Symbols | None = None, progress: bool = False,
    deadline: float | None = None,
) -> ScalingResult:
    """Run every cell of ``spec`` not already in ``store`` (a JSON file), saving after each one.

    ``store`` is held for the run (:func:`midecay._locks.output_held`): a second sweep into it refuses.
    ``deadline`` (a :func:`time.monotonic` time): start no cell after it; the result then holds the
    cells finished so far, and a second sweep into the same store continues (a sweep in chunks).
    """
    if store is None:
        return _sweep(data, spec, None, valid, progress, deadline)
    with output_held(store):
        return _sweep(data, spec, Path(store), valid, progress, deadline)


def _sweep(data: Symbols, spec: ScalingSpec, path: Path | None, valid: Symbols | None, progress: bool,
           deadline: float | None = None) -> ScalingResult:
    done: dict[str, dict] = {}
    if path is not None and path.exists():
        try:
            done = parse_json(path.read_bytes(), str(path), "choose another --out or delete it")["cells"]
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path} is not a scaling results file; choose another --out or delete it") from None
    rows = []
    cells = spec.cells()
    reused = [cell for cell in cells if spec.key(cell) in done]
    if reused:
        log.info("reusing %d finished cell(s) from %s: %s", len(reused), path,
                 ", ".join(f"{c['arch']} width {c['width']} depth {c['depth']}" for c in reused))
    for cell in progress_bar(cells, len(cells), "cells", progress):
        key = spec.key(cell)
        if key not in done and deadline is not None and time.monotonic() > deadline:
            log.info("the time budget is spent: %d of %d cells finished; the same sweep continues", len(rows), len(cells))
            continue
        if key not in done:
            done[key] = run_cell(data, spec, cell, valid)
            if path is not None:
                write_atomic(path, json.dumps(jsonable({"cells": done}), indent=1), overwrite=True)
        rows.append(done[key])
    return ScalingResult(tuple(rows))


