"""Fitting one decay law in log space: weighted least squares, intrinsic scatter, information criteria."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import least_squares, minimize_scalar

from .laws import DecayLaw, get_law
from .points import FitPoints

__all__ = ["Estimate", "LawFit", "akaike_weights", "fit_law", "scaled_covariance", "with_weight"]


@dataclass(frozen=True)
class Estimate:
    """A fitted quantity with its standard error."""

    value: float
    stderr: float

    def __format__(self, spec: str) -> str:
        spec = spec or ".4g"
        return f"{format(self.value, spec)} ± {format(self.stderr, spec)}"

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The normal ``level`` interval ``value ± z stderr`` (NaN bounds without an error).

        >>> [round(x, 3) for x in Estimate(10.0, 1.0).interval()]
        [8.04, 11.96]
        """
        from scipy.special import ndtri

        half = float(-ndtri((1 - level) / 2)) * self.stderr
        return self.value - half, self.value + half


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
    #: ``"jackknife refit"`` (the curve's jackknife curves refitted) or ``"jacobian"``.
    stderr_method: str = "jacobian"
    #: Parameters that ended on a bound of their range: the fit is degenerate there.
    at_bound: tuple[str, ...] = ()
    #: Covariance of the parameters (rows in ``params`` order): the correlations of the same
    #: jackknife refits (else the Jacobian's) scaled to the standard errors. Empty when not known.
    covariance: tuple[tuple[float, ...], ...] = ()

    @property
    def degenerate(self) -> bool:
        """A parameter sits on its bound, or an error is missing: its values are not estimates."""
        return bool(self.at_bound) or not all(math.isfinite(v) for v in self.stderr.values())

    def estimate(self, name: str) -> Estimate:
        return Estimate(self.params[name], self.stderr[name])

    def difference(self, first: str, second: str) -> Estimate:
        """``first - second`` with its standard error, their covariance included (0 where unknown).

        >>> f = LawFit("x", {"a": 1.0, "b": 0.5}, {"a": 0.1, "b": 0.1}, 0.0, 5, 2, 0.0, 0.0, 0.0,
        ...            covariance=((0.01, 0.008), (0.008, 0.01)))
        >>> round(f.difference("a", "b").stderr, 3)   # sqrt(0.01 + 0.01 - 2 * 0.008)
        0.063
        """
        names = list(self.params)
        i, j = names.index(first), names.index(second)
        cov = self.covariance[i][j] if self.covariance else 0.0
        var = self.stderr[first] ** 2 + self.stderr[second] ** 2 - 2.0 * cov
        return Estimate(self.params[first] - self.params[second], math.sqrt(max(var, 0.0)))

    def conf_int(self, alpha: float = 0.05) -> dict[str, tuple[float, float]]:
        """Each parameter's normal ``1 - alpha`` interval, ``value ± z stderr`` (NaN bounds without an error).

        >>> f = LawFit("x", {"a": 10.0}, {"a": 1.0}, 0.0, 5, 1, 0.0, 0.0, 0.0)
        >>> {k: [round(b, 2) for b in v] for k, v in f.conf_int().items()}
        {'a': [8.04, 11.96]}
        """
        return {p: self.estimate(p).interval(1.0 - alpha) for p in self.params}

    def cov_params(self) -> np.ndarray:
        """The parameters' covariance matrix, rows and columns in ``params`` order. Where the
        correlations are not known (``covariance`` empty) the diagonal holds the squared standard
        errors and the rest is NaN, never a zero that would claim independence.

        >>> LawFit("x", {"a": 1.0, "b": 2.0}, {"a": 0.1, "b": 0.2}, 0.0, 5, 2, 0.0, 0.0, 0.0).cov_params().round(3)
        array([[0.01,  nan],
               [ nan, 0.04]])
        """
        if self.covariance:
            return np.array(self.covariance, dtype=np.float64)
        se = np.array([self.stderr[p] for p in self.params], dtype=np.float64)
        out = np.full((len(se), len(se)), np.nan)
        np.fill_diagonal(out, se**2)
        return out

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


def fit_law(law: DecayLaw, pts: FitPoints, intrinsic_scatter: bool) -> LawFit | None:
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
        # precise points (the head) would decide the fit alone. Each reweighting starts from the
        # last optimum only: the law's starts were explored in the first fit, and restarting from
        # all of them at each of the 4 steps tripled a broken power law's cost for the same answer.
        for _ in range(4):
            scatter = _best_scatter(law.log_predict(d, best.x) - ly, s)
            sigma_eff = np.sqrt(s**2 + scatter**2)
            refit = _least_squares(law, d, y, ly, sigma_eff, lo, hi, [best.x])
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
        cov, se = None, np.full(law.n_params, np.nan)
    method = "jacobian"
    jack = _jackknife_cov(law, pts, y, sigma_eff, lo, hi, best.x)
    if jack is not None:
        # Points at different lags come from one sequence and are correlated, which the
        # Jacobian ignores (it was 2-3x too small); refitting each jackknife curve keeps the
        # correlation. The larger of the two keeps the law's misfit (scatter) in the error too.
        se = np.fmax(np.sqrt(np.diag(jack)), se)
        cov = jack
        method = "jackknife refit"
    covariance = scaled_covariance(cov, se)
    at_bound = tuple(
        p for p, v, low, high in zip(law.param_names, best.x, lo, hi)
        if (np.isfinite(low) and abs(v - low) <= 1e-6 * max(1.0, abs(low))) or (np.isfinite(high) and abs(v - high) <= 1e-6 * max(1.0, abs(high)))
    )
    loglik = -0.5 * chi2 - float(np.log(sigma_eff).sum()) - 0.5 * n * math.log(2 * math.pi)
    aic = 2 * k - 2 * loglik
    aicc = aic + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf)
    bic = k * math.log(n) - 2 * loglik
    return LawFit(
        law=law.name,
        params={p: float(v) for p, v in zip(law.param_names, best.x)},
        stderr={p: float(v) for p, v in zip(law.param_names, se)},
        chi2=chi2, n_points=n, n_params=k, log_likelihood=loglik, aicc=aicc, bic=bic,
        scatter=scatter, converged=bool(best.success), stderr_method=method, at_bound=at_bound, covariance=covariance,
    )


def scaled_covariance(cov: np.ndarray | None, se: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """``cov``'s correlations scaled to the standard errors ``se`` (empty when either is missing).

    >>> scaled_covariance(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([2.0, 1.0]))
    ((4.0, 1.0), (1.0, 1.0))
    """
    if cov is None or not np.isfinite(cov).all() or not np.isfinite(se).all():
        return ()
    root = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(all="ignore"):
        corr = np.where(np.outer(root, root) > 0, cov / np.outer(root, root), 0.0)
    np.fill_diagonal(corr, 1.0)
    return tuple(tuple(float(v) for v in row) for row in np.clip(corr, -1.0, 1.0) * np.outer(se, se))


def _jackknife_cov(law: DecayLaw, pts: FitPoints, y: np.ndarray, sigma: np.ndarray, lo, hi, theta: np.ndarray) -> np.ndarray | None:
    """Delete-one-block jackknife covariance of the parameters: the law refitted on each replicate."""
    reps = pts.replicates
    if reps is None or len(reps) < 2:
        return None
    thetas = []
    for row in reps:
        # A replicate point at or below zero has no logarithm: hold it at a small fraction of
        # the full-data value (it only happens for points barely above the floor).
        yb = np.maximum(row, 0.01 * y)
        fit = _least_squares(law, pts.lags, yb, np.log(yb), sigma, lo, hi, [theta])
        if fit is None:
            return None
        thetas.append(fit.x)
    dev = np.array(thetas) - np.mean(thetas, axis=0)
    return (len(dev) - 1) / len(dev) * dev.T @ dev


def with_weight(fit: LawFit, weight: float) -> LawFit:
    return LawFit(**{**asdict(fit), "weight": float(weight)})
