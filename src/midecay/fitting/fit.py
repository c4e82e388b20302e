"""Fitting decay laws to an MI curve, and comparing the fits."""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import least_squares, minimize_scalar

from .._io import write_atomic
from .._warnings import UnreliableEstimateWarning
from ..curve import MICurve
from .laws import DecayLaw, get_law

logger = logging.getLogger(__name__)

__all__ = ["Estimate", "LawFit", "DecayFit", "fit_decay", "akaike_weights", "fit_points"]

DEFAULT_LAWS = ("exponential", "power_law", "power_law_plus_constant", "broken_power_law", "composite")


@dataclass(frozen=True)
class Estimate:
    """A fitted quantity with its standard error."""

    value: float
    stderr: float

    def __format__(self, spec: str) -> str:
        spec = spec or ".4g"
        return f"{format(self.value, spec)} ± {format(self.stderr, spec)}"


@dataclass(frozen=True)
class LawFit:
    """One law fitted to one curve.

    ``chi2`` is the sum of squared log-space residuals over their errors (each point's error
    combined with the fitted intrinsic ``scatter`` of ``ln I``, when that term is on); the
    information criteria use the Gaussian log-likelihood of those residuals, counting the
    scatter as a parameter. ``weight`` is the Akaike weight (from AICc) among the laws fitted
    together.
    """

    law: str
    params: dict[str, float]
    stderr: dict[str, float]
    chi2: float
    n_points: int
    n_params: int
    log_likelihood: float
    aicc: float
    bic: float
    scatter: float = 0.0
    weight: float = math.nan
    converged: bool = True

    def estimate(self, name: str) -> Estimate:
        return Estimate(self.params[name], self.stderr[name])

    def predict(self, d) -> np.ndarray:
        """The fitted ``I(d)``."""
        law = get_law(self.law)
        return law.predict(np.asarray(d, dtype=np.float64), np.array([self.params[p] for p in law.param_names]))


def akaike_weights(aicc: Sequence[float]) -> np.ndarray:
    """Akaike weights ``exp(-Delta_i / 2) / sum_j exp(-Delta_j / 2)`` from information criteria.

    A pure function of the criteria: nothing is inferred from the laws' names.

    Examples
    --------
    >>> akaike_weights([10.0, 10.0, np.inf]).round(3).tolist()
    [0.5, 0.5, 0.0]
    """
    a = np.asarray(aicc, dtype=np.float64)
    finite = np.isfinite(a)
    if not finite.any():
        return np.full(len(a), np.nan)
    delta = np.where(finite, a - a[finite].min(), np.inf)
    w = np.exp(-0.5 * delta)
    return w / w.sum()


@dataclass(frozen=True)
class FitPoints:
    """The points a fit uses: lags, baseline-corrected MI, and the error of ``ln I``."""

    lags: np.ndarray
    y: np.ndarray
    log_sigma: np.ndarray
    excluded: tuple[int, ...]
    weighted: bool


def fit_points(curve: MICurve, *, dmin: float | None = None, dmax: float | None = None, z: float = 3.0) -> FitPoints:
    """Select the points of ``curve`` fit to: inside ``[dmin, dmax]`` and significantly above the floor.

    The MI fitted is ``mi - baseline`` when the curve has a shuffle floor (the estimator's bias
    at this sample size removed), else ``mi``. Its log-space error is ``noise / y``.
    """
    lags = curve.lags
    in_range = np.ones(len(lags), dtype=bool)
    if dmin is not None:
        in_range &= lags >= dmin
    if dmax is not None:
        in_range &= lags <= dmax
    y = curve.floor_removed
    weighted = bool(np.isfinite(curve.stderr).all())
    if weighted:
        keep = in_range & curve.significant(z) & (y > 0)
        sigma = curve.noise / np.where(y > 0, y, np.nan)
    else:
        keep = in_range & (y > 0)
        sigma = np.ones(len(lags))
    excluded = tuple(int(d) for d in lags[in_range & ~keep])
    return FitPoints(lags[keep].astype(np.float64), y[keep], sigma[keep], excluded, weighted)


def _least_squares(law: DecayLaw, d, y, ly, sigma, lo, hi, starts):
    def resid(theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            r = (law.log_predict(d, theta) - ly) / sigma
        return np.where(np.isfinite(r), r, 1e6)

    best = None
    for start in starts:
        start = np.clip(np.asarray(start, dtype=np.float64), lo + 1e-12 * np.abs(lo), hi)
        start = np.where(np.isfinite(start), start, np.where(np.isfinite(lo), lo, 1.0))
        try:
            res = least_squares(resid, start, bounds=(lo, hi), x_scale="jac", max_nfev=2000)
        except ValueError:
            continue
        if best is None or res.cost < best.cost:
            best = res
    return best


def _best_scatter(resid_log: np.ndarray, sigma: np.ndarray) -> float:
    """Maximum-likelihood intrinsic scatter ``s`` of ``ln I`` given residuals and point errors."""

    def neg_loglik(log_s: float) -> float:
        var = sigma**2 + math.exp(2 * log_s)
        return 0.5 * float((resid_log**2 / var + np.log(var)).sum())

    res = minimize_scalar(neg_loglik, bounds=(math.log(1e-6), math.log(10.0)), method="bounded")
    s = math.exp(res.x)
    return 0.0 if neg_loglik(math.log(1e-6)) <= res.fun + 1e-9 else s


def _fit_one(law: DecayLaw, pts: FitPoints, intrinsic_scatter: bool) -> LawFit | None:
    d, y, s = pts.lags, pts.y, pts.log_sigma
    k = law.n_params + (1 if intrinsic_scatter else 0)
    n = len(d)
    if n < k + 1:
        return None
    ly = np.log(y)
    lo, hi = law.bounds(d, y)
    best = _least_squares(law, d, y, ly, s, lo, hi, law.starts(d, y, s))
    if best is None:
        return None
    scatter = 0.0
    if intrinsic_scatter:
        # Alternate: scatter given the residuals, then the law given the inflated errors. Real
        # curves follow no law to within their smallest errors; without this term the few most
        # precise points (the head) would decide the fit alone.
        for _ in range(4):
            scatter = _best_scatter(law.log_predict(d, best.x) - ly, s)
            sigma_eff = np.sqrt(s**2 + scatter**2)
            refit = _least_squares(law, d, y, ly, sigma_eff, lo, hi, [best.x, *law.starts(d, y, sigma_eff)])
            if refit is None:
                break
            best = refit
    sigma_eff = np.sqrt(s**2 + scatter**2)
    chi2 = float(2.0 * best.cost)
    # Parameter covariance from the Jacobian, scaled by the reduced chi^2 when the scatter is
    # larger than the errors claim (never shrunk below the stated errors).
    dof = max(n - k, 1)
    scale = max(chi2 / dof, 1.0)
    try:
        cov = np.linalg.pinv(best.jac.T @ best.jac) * scale
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    except np.linalg.LinAlgError:
        se = np.full(law.n_params, np.nan)
    loglik = -0.5 * chi2 - float(np.log(sigma_eff).sum()) - 0.5 * n * math.log(2 * math.pi)
    aic = 2 * k - 2 * loglik
    aicc = aic + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf)
    bic = k * math.log(n) - 2 * loglik
    return LawFit(
        law=law.name,
        params={p: float(v) for p, v in zip(law.param_names, best.x)},
        stderr={p: float(v) for p, v in zip(law.param_names, se)},
        chi2=chi2, n_points=n, n_params=k, log_likelihood=loglik, aicc=aicc, bic=bic,
        scatter=scatter, converged=bool(best.success),
    )


@dataclass(frozen=True, eq=False)
class DecayFit:
    """Decay laws fitted to one curve, with their comparison.

    Attributes
    ----------
    fits
        Fitted laws by name (laws with too few points are absent, see ``skipped``).
    best
        Name of the law with the lowest AICc.
    excluded
        Lags inside the range that were left out because they are not significantly above the floor.
    """

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

    @property
    def excluded(self) -> tuple[int, ...]:
        return self.points.excluded

    @property
    def correlation_length(self) -> Estimate | None:
        """``xi`` of the fitted exponential, where one was fitted."""
        fit = self.fits.get("exponential")
        return fit.estimate("xi") if fit else None

    @property
    def exponent(self) -> Estimate | None:
        """``alpha`` of the fitted power law, where one was fitted."""
        fit = self.fits.get("power_law")
        return fit.estimate("alpha") if fit else None

    def summary(self) -> str:
        lines = [
            f"Decay fit of {self.curve.provenance.get('source', 'curve')} ({self.curve.base}), "
            f"{len(self.points.lags)} points in d = {self._range()}",
            f"  {'law':<26} {'AICc':>10} {'BIC':>10} {'weight':>7} {'chi2/dof':>9} {'scatter':>8}  parameters",
        ]
        for name, fit in sorted(self.fits.items(), key=lambda kv: kv[1].aicc):
            params = ", ".join(f"{p}={fit.params[p]:.4g}±{fit.stderr[p]:.2g}" for p in fit.params)
            mark = "*" if name == self.best else " "
            dof = max(fit.n_points - fit.n_params, 1)
            lines.append(
                f" {mark}{name:<26} {fit.aicc:>10.2f} {fit.bic:>10.2f} {fit.weight:>7.3f} {fit.chi2 / dof:>9.2f} "
                f"{fit.scatter:>8.3f}  {params}"
            )
        if self.correlation_length:
            lines.append(f"  correlation length xi = {self.correlation_length:.4g}")
        if self.exponent:
            lines.append(f"  power-law exponent alpha = {self.exponent:.4g}")
        if self.excluded:
            lines.append(f"  excluded (not above the floor): {len(self.excluded)} lag(s) from d={self.excluded[0]}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _range(self) -> str:
        if len(self.points.lags) == 0:
            return "(none)"
        return f"{int(self.points.lags.min())}…{int(self.points.lags.max())}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "midecay.DecayFit/1",
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
            "curve_source": self.curve.provenance.get("source"),
        }

    def to_json(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        write_atomic(path, json.dumps(_jsonable(self.to_dict()), indent=1), overwrite=overwrite)

    def plot(self, ax=None, *, residual_ax=None, laws: Iterable[str] | None = None):
        """The curve with each fitted law; residuals (in errors of ln I) on a second panel.

        With ``ax=None`` a two-panel figure is made; the main axes is returned either way.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            fig, (ax, residual_ax) = plt.subplots(
                2, 1, figsize=(6.4, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
            )
        self.curve.plot(ax=ax, label=f"{self.curve.provenance.get('source') or 'I(d)'}")
        names = list(laws) if laws is not None else sorted(self.fits, key=lambda n: self.fits[n].aicc)
        d = self.points.lags
        if len(d):
            grid = np.geomspace(d.min(), d.max(), 200)
            for name in names:
                fit = self.fits[name]
                style = "-" if name == self.best else "--"
                (line,) = ax.plot(grid, fit.predict(grid), style, lw=1.4, label=f"{name} (w={fit.weight:.2f})")
                if residual_ax is not None:
                    r = (np.log(fit.predict(d)) - np.log(self.points.y)) / np.hypot(self.points.log_sigma, fit.scatter)
                    residual_ax.plot(d, r, "o" + style, ms=3, lw=0.8, color=line.get_color())
            ax.legend(frameon=False, fontsize="small")
        if residual_ax is not None:
            residual_ax.axhline(0, color="0.5", lw=0.8)
            residual_ax.set_xscale("log")
            residual_ax.set_xlabel("distance d (symbols)")
            residual_ax.set_ylabel("residual (σ)")
            ax.set_xlabel("")
        return ax


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    return obj


def fit_decay(
    curve: MICurve,
    laws: Iterable[str | DecayLaw] = DEFAULT_LAWS,
    *,
    dmin: float | None = None,
    dmax: float | None = None,
    z: float = 3.0,
    intrinsic_scatter: bool = True,
) -> DecayFit:
    """Fit decay laws to a curve in log space, weighted by each point's uncertainty.

    Parameters
    ----------
    curve
        An :class:`~midecay.MICurve` (with standard errors for a weighted fit).
    laws
        Law names (see :data:`midecay.fitting.LAWS`) or :class:`DecayLaw` instances.
    dmin, dmax
        Fit only lags in this range.
    z
        Points not ``z`` combined standard errors above the shuffle floor are excluded.
    intrinsic_scatter
        Fit, by maximum likelihood, an extra scatter of ``ln I`` added in quadrature to each
        point's error (one more parameter per law). Real curves follow no simple law to within
        the tiny errors of their first points, which would otherwise decide the fit alone; on
        a curve a law does follow, the scatter comes out near zero.

    Returns
    -------
    DecayFit

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import markov, block_markov_matrix
    >>> s = markov(block_markov_matrix(9, 3, 0.9), 200_000, seed=0)
    >>> fit = midecay.fit_decay(midecay.mi_curve(s.symbols, midecay.log_lags(1, 200, 20), seed=0), laws=["exponential", "power_law"])
    >>> fit.best
    'exponential'
    """
    if not isinstance(curve, MICurve):
        raise ValueError(f"fit_decay needs an MICurve, got {type(curve).__name__}; build one with midecay.mi_curve")
    law_objs = [get_law(law) for law in laws]
    if not law_objs:
        raise ValueError("laws is empty; pass at least one decay law name, e.g. laws=['power_law']")
    pts = fit_points(curve, dmin=dmin, dmax=dmax, z=z)
    notes = []
    if not pts.weighted:
        notes.append("the curve has no standard errors: the fit is unweighted and significance is not judged")
        warnings.warn(
            "curve has no standard errors (n_blocks=0): fitting unweighted; compute it with n_blocks >= 2",
            UnreliableEstimateWarning, stacklevel=2,
        )
    if pts.excluded:
        notes.append(f"{len(pts.excluded)} lag(s) excluded as not significantly above the floor (z={z:g})")
    fits, skipped = {}, []
    for law in law_objs:
        result = _fit_one(law, pts, intrinsic_scatter)
        if result is None:
            skipped.append(law.name)
        else:
            fits[law.name] = result
    if skipped:
        notes.append(f"too few points for: {', '.join(skipped)}")
    weights = akaike_weights([f.aicc for f in fits.values()])
    fits = {name: _with_weight(fit, w) for (name, fit), w in zip(fits.items(), weights)}
    best = min(fits, key=lambda n: fits[n].aicc) if fits and np.isfinite(min(f.aicc for f in fits.values())) else (
        next(iter(fits), None)
    )
    return DecayFit(curve, pts, fits, best, tuple(skipped), dmin, dmax, z, tuple(notes), intrinsic_scatter)


def _with_weight(fit: LawFit, weight: float) -> LawFit:
    return LawFit(**{**asdict(fit), "weight": float(weight)})
