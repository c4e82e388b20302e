"""The result of fitting decay laws to a curve."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..micurve import MICurve
from ..results import Result, float_array, jsonable, require
from .optimise import Estimate, LawFit
from .points import FitPoints

__all__ = ["DecayFit"]


def _law_fit(raw: dict) -> LawFit:
    """A :class:`LawFit` from its dict (None written for NaN)."""
    raw = dict(raw)
    for key in ("chi2", "log_likelihood", "aicc", "bic", "scatter", "weight"):
        raw[key] = math.nan if raw.get(key) is None else float(raw[key])
    raw["params"] = {k: math.nan if v is None else float(v) for k, v in raw["params"].items()}
    raw["stderr"] = {k: math.nan if v is None else float(v) for k, v in raw["stderr"].items()}
    raw["at_bound"] = tuple(raw.get("at_bound", ()))
    raw["covariance"] = tuple(tuple(math.nan if v is None else float(v) for v in row) for row in raw.get("covariance") or ())
    return LawFit(**raw)


@dataclass(frozen=True, eq=False)
class DecayFit(Result):
    """Decay laws fitted to one curve, with their comparison.

    Attributes
    ----------
    fits
        Fitted laws by name (laws with too few points are absent, see ``skipped``).
    best
        Name of the law with the lowest AICc.
    excluded
        Lags inside the range that were left out because they are not significantly above the floor.

    Examples
    --------
    >>> import numpy as np, midecay
    >>> chain = midecay.synth.markov(np.array([[0.9, 0.1], [0.1, 0.9]]), 200_000, seed=0)
    >>> curve = midecay.mi_curve(chain.symbols, np.arange(1, 40), seed=0)
    >>> fit = midecay.fit_decay(curve)
    >>> low, high = fit.correlation_length.interval()   # exact xi = -1 / (2 ln 0.8) = 2.24
    >>> sorted(fit.fits)[:2], bool(low < 2.24 < high)
    (['broken_power_law', 'composite'], True)
    """

    FORMAT = "midecay.DecayFit/1"

    curve: MICurve
    points: FitPoints
    fits: dict[str, LawFit]
    best: str | None
    skipped: tuple[str, ...] = ()
    dmin: float | None = None
    dmax: float | None = None
    z: float = 3.0
    notes: tuple[str, ...] = field(default=())
    intrinsic_scatter: bool = True
    #: The sum of exponentials (as many modes as the data resolve) refitted where the curve's MI is
    #: small (from lag ``tail_from``): its slowest mode is ``xi``. None when every fitted point is
    #: already small and one mode is all the data resolve (the exponential above is that fit).
    tail_exponential: LawFit | None = None
    tail_from: float | None = None

    @property
    def excluded(self) -> tuple[int, ...]:
        return self.points.excluded

    def headline_fit(self, law: str) -> LawFit | None:
        """The fit a law's parameters are read from: the exponential's refit where MI is small
        (``tail_exponential``) when there is one, else the law's fit over all points."""
        if law == "exponential" and self.tail_exponential is not None:
            return self.tail_exponential
        return self.fits.get(law)

    def conf_int(self, alpha: float = 0.05, law: str | None = None) -> dict[str, tuple[float, float]]:
        """``law``'s parameters' ``1 - alpha`` intervals (:meth:`LawFit.conf_int`), read where
        :meth:`headline_fit` reads them; the lowest-AICc law's by default, empty when none was fitted."""
        if law is not None and law not in self.fits:
            raise InputError(f"no {law!r} law was fitted; choose one of: {', '.join(self.fits) or 'none'}")
        name = law or self.best
        fit = self.headline_fit(name) if name else None
        return {} if fit is None else fit.conf_int(alpha)

    @property
    def correlation_length(self) -> Estimate | None:
        """``xi`` of the slowest mode: the sum of exponentials (1-3 modes, as many as the data resolve)
        fitted where the curve's MI is small (``tail_exponential``), else the exponential over all points."""
        fit = self.headline_fit("exponential")
        return fit.estimate("xi") if fit else None

    @property
    def exponent(self) -> Estimate | None:
        """``alpha`` of the fitted power law, where one was fitted."""
        fit = self.fits.get("power_law")
        return fit.estimate("alpha") if fit else None

    def _summary_text(self) -> str:
        lines = [
            f"Decay fit of {self.curve.provenance.get('source', 'curve')} ({self.curve.base}), "
            f"{len(self.points.lags)} points in d = {self._range()}",
            f"  {'law':<26} {'AICc':>10} {'BIC':>10} {'weight':>7} {'chi2/dof':>9} {'scatter':>8}  parameters",
        ]
        for name, fit in sorted(self.fits.items(), key=lambda kv: kv[1].aicc):
            params = ", ".join(
                f"{p}={fit.params[p]:.4g} (at bound)" if p in fit.at_bound else f"{p}={fit.params[p]:.4g}±{fit.stderr[p]:.2g}"
                for p in fit.params
            )
            mark = "*" if name == self.best else " "
            dof = max(fit.n_points - fit.n_params, 1)
            lines.append(
                f" {mark}{name:<26} {fit.aicc:>10.2f} {fit.bic:>10.2f} {fit.weight:>7.3f} {fit.chi2 / dof:>9.2f} "
                f"{fit.scatter:>8.3f}  {params}"
            )
        lines.append("  * lowest AICc. The verdict (kind, law, parameters) is classify()'s: a tail test, then its rules.")
        if self.tail_exponential is not None:
            xi = self.tail_exponential.estimate("xi")
            lines.append(f"  xi = {xi:.4g}: the slowest mode of {self.tail_exponential.law.replace('_', ' ')} "
                         f"refitted where I is small (d >= {self.tail_from:g}, {self.tail_exponential.n_points} points)")
        if self.excluded:
            lines.append(f"  excluded (not above the floor): {len(self.excluded)} lag(s) from d={self.excluded[0]}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _range(self) -> str:
        if len(self.points.lags) == 0:
            return "(none)"
        return f"{int(self.points.lags.min())}…{int(self.points.lags.max())}"

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "format": self.FORMAT,
            "best": self.best,
            "fits": {name: asdict(fit) for name, fit in self.fits.items()},
            "skipped": list(self.skipped),
            "excluded_lags": list(self.excluded),
            "fitted_lags": self.points.lags.astype(int).tolist(),
            "weighted": self.points.weighted,
            "intrinsic_scatter": self.intrinsic_scatter,
            "dmin": self.dmin,
            "dmax": self.dmax,
            "z": self.z,
            "correlation_length": asdict(self.correlation_length) if self.correlation_length else None,
            "exponent": asdict(self.exponent) if self.exponent else None,
            "notes": list(self.notes),
            "tail_exponential": asdict(self.tail_exponential) if self.tail_exponential else None,
            "tail_from": self.tail_from,
            "curve_source": self.curve.provenance.get("source"),
            "points": {"lags": self.points.lags, "y": self.points.y, "log_sigma": self.points.log_sigma,
                       "excluded": list(self.points.excluded), "weighted": self.points.weighted},
            "curve": self.curve.to_dict(),
        })

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DecayFit:
        what = "decay fit"
        curve = MICurve.from_dict(require(data, "curve", dict, what))
        pts = require(data, "points", dict, what)
        points = FitPoints(
            float_array(require(pts, "lags", list, what), "points.lags", what, allow_nan=False),
            float_array(require(pts, "y", list, what), "points.y", what, allow_nan=False),
            float_array(require(pts, "log_sigma", list, what), "points.log_sigma", what),
            tuple(int(d) for d in require(pts, "excluded", list, what)),
            bool(require(pts, "weighted", bool, what)),
        )
        fits = {name: _law_fit(raw) for name, raw in require(data, "fits", dict, what).items()}
        best = data.get("best")
        if best is not None and best not in fits:
            raise InputError(f"{what}: best law {best!r} is not among the fits")
        tail = _law_fit(require(data, "tail_exponential", dict, what)) if data.get("tail_exponential") else None
        tail_from = float(data["tail_from"]) if tail is not None and data.get("tail_from") is not None else None
        return cls(curve, points, fits, best, tuple(data.get("skipped", ())), data.get("dmin"), data.get("dmax"),
                   float(data.get("z", 3.0)), tuple(data.get("notes", ())), bool(data.get("intrinsic_scatter", True)),
                   tail, tail_from)

    def table_rows(self) -> list[dict[str, Any]]:
        rows = []
        for name, fit in sorted(self.fits.items(), key=lambda kv: kv[1].aicc):
            row = {"law": name, "best": name == self.best, "aicc": fit.aicc, "bic": fit.bic, "weight": fit.weight,
                   "chi2": fit.chi2, "n_points": fit.n_points, "n_params": fit.n_params, "scatter": fit.scatter}
            for p in fit.params:
                row[p] = fit.params[p]
                row[f"{p}_stderr"] = fit.stderr[p]
            rows.append(row)
        return rows

    def plot(self, ax=None, *, residual_ax=None, laws: Iterable[str] | None = None):
        """What was fitted and how: the floor-removed curve, each law, residuals on a second panel.

        Points fitted are filled; points in the range left out (not above the null) are hollow;
        points at or below zero after removing the floor cannot be drawn on a log axis and are
        counted in the title. The laws are drawn against the floor-removed values they were
        fitted to (on the raw curve a large floor, as at word level, would put them off it).
        With ``ax=None`` a two-panel figure is made; the main axes is returned either way.
        """
        if ax is None:
            import matplotlib.pyplot as plt

            fig, (ax, residual_ax) = plt.subplots(
                2, 1, figsize=(6.4, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
            )
        curve = self.curve
        y_all = curve.floor_removed
        err_all = curve.floor_removed_se
        fitted = np.isin(curve.lags, self.points.lags)
        left_out = np.isin(curve.lags, self.excluded)
        shown = y_all > 0
        name = curve.provenance.get("source") or "I(d)"
        (pts,) = ax.plot(curve.lags[fitted & shown], y_all[fitted & shown], "o", ms=4, label=f"{name}, floor removed (fitted)")
        color = pts.get_color()
        ax.errorbar(curve.lags[fitted & shown], y_all[fitted & shown], yerr=np.minimum(err_all, 0.9 * np.abs(y_all))[fitted & shown],
                    fmt="none", ecolor=color, lw=0.8)
        if (left_out & shown).any():
            ax.plot(curve.lags[left_out & shown], y_all[left_out & shown], "o", ms=4, mfc="none", color=color,
                    label="not above the null (left out)")
        hidden = int((~shown).sum())
        if hidden:
            ax.set_title(f"{hidden} lag(s) at or below zero after removing the floor are not drawn", fontsize="small")
        names = list(laws) if laws is not None else sorted(self.fits, key=lambda n: self.fits[n].aicc)
        d = self.points.lags
        if len(d):
            grid = np.geomspace(d.min(), d.max(), 200)
            for law_name in names:
                fit = self.fits[law_name]
                style = "-" if law_name == self.best else "--"
                weight = f"w={fit.weight:.2f}" if math.isfinite(fit.weight) else "w n/a: too few points for AICc"
                (line,) = ax.plot(grid, fit.predict(grid), style, lw=1.4, label=f"{law_name} ({weight})")
                if residual_ax is not None:
                    r = (np.log(fit.predict(d)) - np.log(self.points.y)) / np.hypot(self.points.log_sigma, fit.scatter)
                    residual_ax.plot(d, r, "o" + style, ms=3, lw=0.8, color=line.get_color())
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylabel(f"I(d) - floor [{curve.base}]")
        ax.set_xlabel("distance d (symbols)")
        ax.legend(frameon=False, fontsize="small")
        if residual_ax is not None:
            residual_ax.axhline(0, color="0.5", lw=0.8)
            residual_ax.set_xscale("log")
            residual_ax.set_xlabel("distance d (symbols)")
            residual_ax.set_ylabel("residual (σ)")
            ax.set_xlabel("")
        return ax
