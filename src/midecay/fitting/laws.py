"""Decay laws: each a small class with parameter names, bounds, starting points and a prediction.

All laws are fitted in log space (``ln I``), so they are written to give ``ln I(d)`` directly
where that is simpler and more accurate (:meth:`DecayLaw.log_predict`).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from ..errors import InputError

__all__ = [
    "DecayLaw", "Exponential", "SumOfExponentials", "TwoExponentials", "ThreeExponentials", "PowerLaw",
    "PowerLawPlusConstant", "BrokenPowerLaw", "Composite", "BoxCox", "LAWS", "MODE_LAWS", "get_law", "mode_count",
]


class DecayLaw(ABC):
    """A parametric decay law ``I(d; theta)``.

    Subclasses set :attr:`name` and :attr:`param_names` and implement :meth:`log_predict`,
    :meth:`bounds` and :meth:`starts`.
    """

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    @abstractmethod
    def log_predict(self, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """``ln I(d)`` under parameters ``theta``."""

    def predict(self, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """``I(d)`` under parameters ``theta``."""
        return np.exp(self.log_predict(np.asarray(d, dtype=np.float64), np.asarray(theta, dtype=np.float64)))

    @abstractmethod
    def bounds(self, d: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the parameters for data ``(d, y)``."""

    @abstractmethod
    def starts(self, d: np.ndarray, y: np.ndarray, log_sigma: np.ndarray) -> list[np.ndarray]:
        """Starting points for the optimiser (several where the fit can have local minima).

        ``log_sigma`` is the error of each ``ln y``: starting lines are weighted by it.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _weighted_lstsq(X: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, float]:
    """Coefficients and chi^2 of the weighted linear least-squares fit ``X b ~ y``."""
    w = 1.0 / sigma
    coef, *_ = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)
    return coef, float((((X @ coef - y) * w) ** 2).sum())


def _line(x: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of the weighted least-squares line through (x, y)."""
    if len(x) < 2 or np.ptp(x) == 0:
        return float(np.mean(y)), 0.0
    (intercept, slope), _ = _weighted_lstsq(np.c_[np.ones_like(x), x], y, sigma)
    return float(intercept), float(slope)


class Exponential(DecayLaw):
    """``I(d) = c * exp(-d / xi)``: short-range dependence with correlation length ``xi``."""

    name = "exponential"
    param_names = ("c", "xi")
    modes: ClassVar[int] = 1

    def log_predict(self, d, theta):
        c, xi = theta
        return math.log(c) - d / xi

    def bounds(self, d, y):
        return np.array([1e-300, 1e-3]), np.array([np.inf, 1e3 * d.max()])

    def starts(self, d, y, log_sigma):
        intercept, slope = _line(d, np.log(y), log_sigma)
        xi = -1.0 / slope if slope < 0 else float(d.max())
        return [np.array([math.exp(min(intercept, 700.0)), min(max(xi, 1e-2), 1e3 * d.max())])]


class SumOfExponentials(DecayLaw):
    """``I(d) = sum_i c_i exp(-d / xi_i)``: a finite-state process's decay, one term per mode.

    A hidden Markov chain's (or a linear RNN's) small-MI curve is half the sum of its squared
    correlations, each a sum of powers of the transition matrix's eigenvalues: a sum of
    exponentials whose slowest rate sets the correlation length. The modes are ordered by
    construction: ``xi`` is the slowest, and each faster mode's scale is a ``ratio`` (below 1) of
    the one before, so the fit cannot swap them and ``xi`` is always the correlation length.
    """

    name = "sum_of_exponentials"
    modes: ClassVar[int]

    def log_predict(self, d, theta):
        c, xi = theta[0], theta[1]
        out = math.log(c) - d / xi
        scale = xi
        for i in range(1, self.modes):
            c_i, ratio = theta[2 * i], theta[2 * i + 1]
            scale = scale * ratio
            out = np.logaddexp(out, math.log(c_i) - d / scale)
        return out

    def bounds(self, d, y):
        lo = [1e-300, 1e-2] + [1e-300, 1e-3] * (self.modes - 1)
        hi = [np.inf, 1e3 * d.max()] + [np.inf, 0.95] * (self.modes - 1)
        return np.array(lo), np.array(hi)

    def starts(self, d, y, log_sigma):
        # Peel the modes off from the far end: the slowest from the far part of the points,
        # the next from what it leaves at the head, and so on.
        lo, hi = self.bounds(d, y)
        theta, rest, scale, keep = [], y.copy(), None, len(d)
        for _ in range(self.modes):
            part = slice(max(keep - max(len(d) // self.modes, 2), 0), keep)
            intercept, slope = _line(d[part], np.log(np.maximum(rest[part], 1e-300)), log_sigma[part])
            xi = -1.0 / slope if slope < 0 else (scale * 0.3 if scale else float(d.max()))
            c = math.exp(min(intercept, 700.0))
            theta += [c, xi] if scale is None else [c, min(xi / scale, 0.9)]
            scale = xi if scale is None else min(xi, 0.9 * scale)
            rest = np.maximum(rest - c * np.exp(-d / xi), rest * 1e-3)
            keep = part.start if part.start and part.start >= 2 else max(keep // 2, 2)
        spread = [float(y[0]), float(d.max())] + [float(y[0]), 0.3] * (self.modes - 1)
        return [np.clip(np.array(s, dtype=np.float64), lo + 1e-12, hi - 1e-12) for s in (theta, spread)]


class TwoExponentials(SumOfExponentials):
    """Two modes: ``c exp(-d / xi) + c_2 exp(-d / (ratio_2 xi))``."""

    name = "two_exponentials"
    modes = 2
    param_names = ("c", "xi", "c_2", "ratio_2")


class ThreeExponentials(SumOfExponentials):
    """Three modes, each faster one a ``ratio`` of the scale before it."""

    name = "three_exponentials"
    modes = 3
    param_names = ("c", "xi", "c_2", "ratio_2", "c_3", "ratio_3")


class BoxCox(DecayLaw):
    """``ln I(d) = ln c - b (d^gamma - 1) / gamma``: exponential at ``gamma = 1``, power law at ``gamma = 0``.

    The one-parameter bridge between the two laws Shen's question sets against each other, so
    which of them a tail follows is a test of ``gamma`` with its error
    (:func:`~midecay.fitting.tail_test`). At ``gamma = 0`` the law is ``c d^(-b)`` (``alpha = b``),
    at ``gamma = 1`` it is ``c e^b exp(-d b)`` (``xi = 1 / b``); in between it is a stretched
    exponential.
    """

    name = "box_cox"
    param_names = ("c", "b", "gamma")

    def log_predict(self, d, theta):
        c, b, gamma = theta
        x = np.log(np.asarray(d, dtype=np.float64))
        # (d^gamma - 1) / gamma, continuous through gamma = 0
        shape = x if abs(gamma) < 1e-9 else np.expm1(gamma * x) / gamma
        return math.log(c) - b * shape

    def bounds(self, d, y):
        return np.array([1e-300, -1e3, -3.0]), np.array([np.inf, 1e4, 4.0])

    def starts(self, d, y, log_sigma):
        x = np.log(d)
        out = []
        for gamma in (0.0, 0.5, 1.0):
            shape = x if gamma == 0 else np.expm1(gamma * x) / gamma
            intercept, slope = _line(shape, np.log(y), log_sigma)
            out.append(np.array([math.exp(min(intercept, 700.0)), float(np.clip(-slope, -9e2, 9e3)), gamma]))
        return out


class PowerLaw(DecayLaw):
    """``I(d) = c * d^(-alpha)``: scale-free, long-range dependence."""

    name = "power_law"
    param_names = ("c", "alpha")

    def log_predict(self, d, theta):
        c, alpha = theta
        return math.log(c) - alpha * np.log(d)

    def bounds(self, d, y):
        return np.array([1e-300, -5.0]), np.array([np.inf, 20.0])

    def starts(self, d, y, log_sigma):
        intercept, slope = _line(np.log(d), np.log(y), log_sigma)
        return [np.array([math.exp(min(intercept, 700.0)), float(np.clip(-slope, -4.9, 19.9))])]


class PowerLawPlusConstant(DecayLaw):
    """``I(d) = c * d^(-alpha) + b``: a power law that levels off at a plateau ``b``."""

    name = "power_law_plus_constant"
    param_names = ("c", "alpha", "b")

    def log_predict(self, d, theta):
        c, alpha, b = theta
        return np.log(c * d ** (-alpha) + b)

    def bounds(self, d, y):
        return np.array([1e-300, 0.0, 0.0]), np.array([np.inf, 20.0, float(y.max())])

    def starts(self, d, y, log_sigma):
        (c, alpha), = PowerLaw().starts(d, y, log_sigma)
        b = float(np.min(y)) * 0.5
        return [np.array([c, max(alpha, 0.1), b]), np.array([c, max(2 * alpha, 0.5), float(np.min(y)) * 0.9])]


class BrokenPowerLaw(DecayLaw):
    """Two power laws joined continuously (in log-log) at a fitted break ``d_b``.

    ``I(d) = c d^(-alpha1)`` for ``d <= d_b`` and ``c d_b^(-alpha1) (d / d_b)^(-alpha2)`` beyond.
    The break is a parameter of the fit, not set by hand.
    """

    name = "broken_power_law"
    param_names = ("c", "alpha1", "alpha2", "d_break")

    def log_predict(self, d, theta):
        c, a1, a2, db = theta
        x, xb = np.log(d), math.log(db)
        return math.log(c) - a1 * np.minimum(x, xb) - a2 * np.maximum(x - xb, 0.0)

    def bounds(self, d, y):
        return np.array([1e-300, -5.0, -5.0, float(d.min())]), np.array([np.inf, 20.0, 20.0, float(d.max())])

    def starts(self, d, y, log_sigma):
        # Given the break the law is linear in (ln c, alpha1, alpha2): profile the break over a
        # fine log grid with exact weighted linear solves; the best few start the optimiser.
        x, ly = np.log(d), np.log(y)
        candidates = np.geomspace(d.min(), d.max(), 60)[1:-1] if len(d) > 3 else np.array([np.sqrt(d.min() * d.max())])
        scored = []
        for db in candidates:
            xb = math.log(db)
            X = np.c_[np.ones_like(x), -np.minimum(x, xb), -np.maximum(x - xb, 0.0)]
            coef, chi2 = _weighted_lstsq(X, ly, log_sigma)
            scored.append((chi2, np.array([math.exp(min(coef[0], 700.0)), coef[1], coef[2], float(db)])))
        scored.sort(key=lambda s: s[0])
        lo, hi = self.bounds(d, y)
        return [np.clip(s[1], lo + 1e-12, hi - 1e-12) for s in scored[:4]]


class Composite(DecayLaw):
    """``I(d) = a * d^(-alpha) + b * exp(-d / xi)``: a short-range exponential over a power-law tail."""

    name = "composite"
    param_names = ("a", "alpha", "b", "xi")

    def log_predict(self, d, theta):
        a, alpha, b, xi = theta
        return np.log(a * d ** (-alpha) + b * np.exp(-d / xi))

    def bounds(self, d, y):
        return np.array([1e-300, -1.0, 1e-300, 1e-2]), np.array([np.inf, 20.0, np.inf, 1e3 * d.max()])

    def starts(self, d, y, log_sigma):
        half = len(d) // 2
        tail_part = slice(half, None) if len(d) - half >= 2 else slice(None)
        (a, alpha), = PowerLaw().starts(d[tail_part], y[tail_part], log_sigma[tail_part])
        tail = a * d ** (-alpha)
        excess = np.maximum(y - tail, y * 1e-3)
        head = slice(0, max(half, 2))
        (b, xi), = Exponential().starts(d[head], excess[head], log_sigma[head])
        lo, hi = self.bounds(d, y)
        starts = [np.array([a, alpha, b, xi]), np.array([a * 0.5, alpha, float(y[0]), max(float(d[0]), 1.0)])]
        return [np.clip(s, lo + 1e-12, hi - 1e-12) for s in starts]


#: The laws :func:`~midecay.fit_decay` knows, by name.
LAWS: dict[str, type[DecayLaw]] = {
    law.name: law for law in (Exponential, TwoExponentials, ThreeExponentials, PowerLaw, PowerLawPlusConstant,
                              BrokenPowerLaw, Composite, BoxCox)
}
#: A finite-state decay with 1, 2, 3 modes: the laws the number of modes is chosen among.
MODE_LAWS: tuple[type[DecayLaw], ...] = (Exponential, TwoExponentials, ThreeExponentials)


def mode_count(law: str) -> int:
    """How many exponential modes a law has: 1-3 for the finite-state laws, 0 for any other."""
    return getattr(LAWS.get(law), "modes", 0)


def get_law(law: str | DecayLaw) -> DecayLaw:
    """A law instance from its name (or the instance itself), with a one-line error when unknown."""
    if isinstance(law, DecayLaw):
        return law
    try:
        return LAWS[law]()
    except KeyError:
        raise InputError(f"unknown decay law {law!r}; choose from: {', '.join(LAWS)}") from None
