"""Exact MI of the linear Elman RNN with Gaussian output (Shen et al. 2019, Sec. 4.1, App. A).

The network ``x_t = W_hx h_t + sigma eps_t``, ``h_{t+1} = W_hh h_t + W_xh x_t`` is a linear
Gaussian state-space model with ``h_{t+1} = A h_t + sigma W_xh eps_t``, ``A = W_hh + W_xh W_hx``.
For spectral radius of ``A`` below one it has a stationary law:

* ``P = Cov(h)`` solves the discrete Lyapunov equation ``P = A P A^T + sigma^2 W_xh W_xh^T``;
* ``Sigma = Cov(x_t) = W_hx P W_hx^T + sigma^2 I``;
* ``C(d) = Cov(x_t, x_{t+d}) = W_hx P (A^d)^T W_hx^T + sigma^2 (W_hx A^(d-1) W_xh)^T``;
* ``I(d) = -1/2 ln det(I - Sigma^-1 C Sigma^-1 C^T)``.

MI is quadratic in the decaying cross-covariance, so ``I(d) ~ r^(2d)`` with ``r`` the spectral
radius of ``A``: a correlation length ``xi = -1 / (2 ln r)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_discrete_lyapunov

from ..errors import InputError
from ..validation import check_int

#: Exact curves solve a hidden x hidden Lyapunov equation: O(hidden^3) time, O(hidden^2) memory.
MAX_HIDDEN = 2048
from ..lags import as_lags
from ..rng import as_generator

__all__ = [
    "linear_rnn_mi", "linear_rnn_sample", "linear_rnn_decay", "gaussian_mi_from_samples", "random_linear_rnn", "LinearRNNDecay",
]


def _check(W_hh, W_xh, W_hx, sigma) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    try:
        W_hh, W_xh, W_hx = (np.atleast_2d(np.asarray(w, dtype=np.float64)) for w in (W_hh, W_xh, W_hx))
    except (TypeError, ValueError):
        raise InputError("W_hh, W_xh and W_hx must be matrices of numbers (lists of equal-length rows)") from None
    if any(w.ndim != 2 for w in (W_hh, W_xh, W_hx)) or not all(np.isfinite(w).all() for w in (W_hh, W_xh, W_hx)):
        raise InputError("W_hh, W_xh and W_hx must be 2-D matrices of finite numbers")
    n_h = W_hh.shape[0]
    check_int("hidden size", n_h, 1, MAX_HIDDEN)
    if W_hh.shape != (n_h, n_h):
        raise InputError(f"W_hh must be square (hidden x hidden), got {W_hh.shape}")
    n_x = W_hx.shape[0]
    if W_hx.shape != (n_x, n_h) or W_xh.shape != (n_h, n_x):
        raise InputError(
            f"shapes do not chain: W_hh {W_hh.shape}, W_xh {W_xh.shape} (want {(n_h, n_x)}), W_hx {W_hx.shape} (want {(n_x, n_h)})"
        )
    if not sigma > 0:
        raise InputError(f"sigma must be > 0, got {sigma}")
    A = W_hh + W_xh @ W_hx
    radius = float(np.max(np.abs(np.linalg.eigvals(A))))
    if radius >= 1.0:
        raise InputError(
            f"A = W_hh + W_xh W_hx has spectral radius {radius:.4g} >= 1: the network memorises its initial "
            "condition and has no stationary MI curve; scale the weights down"
        )
    return W_hh, W_xh, W_hx, float(sigma), A


def _gaussian_mi(sigma_xx: np.ndarray, cross: np.ndarray) -> float:
    """``-1/2 ln det(I - S^-1 C S^-1 C^T)`` as ``-1/2 sum log1p(-mu)``, ``mu`` the squared canonical
    correlations: accurate down to ~1e-300, where ``ln det`` of a matrix near I is lost at 1e-16."""
    inv = np.linalg.inv(sigma_xx)
    mu = np.linalg.eigvals(inv @ cross @ inv @ cross.T).real
    if np.any(mu >= 1.0):
        return math.inf
    return float(max(-0.5 * np.log1p(-np.clip(mu, 0.0, None)).sum(), 0.0))


def linear_rnn_mi(W_hh, W_xh, W_hx, sigma: float, lags: Iterable[int]) -> np.ndarray:
    """Exact MI (nats) between outputs ``d`` apart of a stationary linear Gaussian RNN.

    Examples
    --------
    >>> # One hidden unit, one output: A = 0.5 + 1 * 0.3 = 0.8
    >>> mi = linear_rnn_mi([[0.5]], [[1.0]], [[0.3]], 1.0, [1, 2, 3])
    >>> bool(np.all(np.diff(mi) < 0))
    True
    """
    W_hh, W_xh, W_hx, sigma, A = _check(W_hh, W_xh, W_hx, sigma)
    lags = as_lags(lags)
    P = solve_discrete_lyapunov(A, sigma**2 * W_xh @ W_xh.T)
    sigma_xx = W_hx @ P @ W_hx.T + sigma**2 * np.eye(W_hx.shape[0])
    out = np.empty(len(lags))
    for i, d in enumerate(lags):
        a_d1 = np.linalg.matrix_power(A, int(d) - 1)
        a_d = A @ a_d1
        cross = W_hx @ P @ a_d.T @ W_hx.T + sigma**2 * (W_hx @ a_d1 @ W_xh).T
        out[i] = _gaussian_mi(sigma_xx, cross)
    return out


def linear_rnn_sample(
    W_hh, W_xh, W_hx, sigma: float, n: int, *, burn_in: int = 1000, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Simulate the network for ``n`` steps after ``burn_in``; returns outputs of shape ``(n, n_x)``.

    Examples
    --------
    >>> linear_rnn_sample([[0.5]], [[1.0]], [[0.3]], 1.0, 10, seed=0).shape
    (10, 1)
    """
    W_hh, W_xh, W_hx, sigma, A = _check(W_hh, W_xh, W_hx, sigma)
    rng = as_generator(seed)
    n_x, n_h = W_hx.shape
    noise = sigma * rng.standard_normal((int(n) + int(burn_in), n_x))
    h = np.zeros(n_h)
    out = np.empty((int(n), n_x))
    for t in range(int(n) + int(burn_in)):
        x = W_hx @ h + noise[t]
        h = W_hh @ h + W_xh @ x
        if t >= burn_in:
            out[t - burn_in] = x
    return out


def gaussian_mi_from_samples(x: np.ndarray, lags: Iterable[int]) -> np.ndarray:
    """MI (nats) of ``x_t`` and ``x_{t+d}`` under a Gaussian fit to a simulated series ``x`` (n, n_x).

    Examples
    --------
    >>> x = linear_rnn_sample([[0.5]], [[1.0]], [[0.3]], 1.0, 20000, seed=1)
    >>> est = gaussian_mi_from_samples(x, [1])
    >>> bool(abs(est[0] - linear_rnn_mi([[0.5]], [[1.0]], [[0.3]], 1.0, [1])[0]) < 0.02)
    True
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    lags = as_lags(lags)
    if len(x) <= int(lags[-1]) + 1:
        raise InputError(f"{len(x)} simulated steps are too few for lags up to {int(lags[-1])}; "
                         f"simulate more than {int(lags[-1]) + 1} steps (thousands for a usable estimate)")
    xc = x - x.mean(axis=0)
    sigma_xx = xc.T @ xc / len(xc)
    out = np.empty(len(lags))
    for i, d in enumerate(lags):
        cross = xc[:-d].T @ xc[d:] / (len(xc) - d)
        out[i] = _gaussian_mi(sigma_xx, cross)
    return out


def random_linear_rnn(
    n_hidden: int, n_out: int, radius: float, *, seed: int | np.random.Generator | None = None, coupling: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random network ``(W_hh, W_xh, W_hx)`` whose ``A = W_hh + W_xh W_hx`` has spectral radius ``radius``.

    ``W_hh`` is rescaled until ``A`` has the wanted radius (the coupling term shifts it, so a
    few rescalings converge).

    Examples
    --------
    >>> W_hh, W_xh, W_hx = random_linear_rnn(4, 2, 0.9, seed=0)
    >>> round(linear_rnn_decay(W_hh, W_xh, W_hx).spectral_radius, 6)
    0.9
    """
    if not 0 < radius < 1:
        raise InputError(f"radius must lie in (0, 1) for a stable network, got {radius}")
    check_int("n_hidden", n_hidden, 1, MAX_HIDDEN)
    check_int("n_out", n_out, 1, MAX_HIDDEN)
    rng = as_generator(seed)
    W_hh = rng.standard_normal((n_hidden, n_hidden))
    W_xh = rng.standard_normal((n_hidden, n_out)) * coupling
    W_hx = rng.standard_normal((n_out, n_hidden)) * coupling
    for _ in range(100):
        current = float(np.max(np.abs(np.linalg.eigvals(W_hh + W_xh @ W_hx))))
        if abs(current - radius) < 1e-12:
            break
        W_hh = W_hh * radius / current
    return W_hh, W_xh, W_hx


@dataclass(frozen=True)
class LinearRNNDecay:
    """Predicted decay: spectral radius ``r`` of ``A`` and ``xi = -1 / (2 ln r)``."""

    spectral_radius: float
    correlation_length: float


def linear_rnn_decay(W_hh, W_xh, W_hx, sigma: float = 1.0) -> LinearRNNDecay:
    """The exponential decay rate the theory predicts: ``I(d) ~ r^(2d)``.

    Examples
    --------
    >>> dec = linear_rnn_decay([[0.5]], [[1.0]], [[0.3]])
    >>> round(dec.spectral_radius, 6), round(dec.correlation_length, 4)
    (0.8, 2.2407)
    """
    *_, A = _check(W_hh, W_xh, W_hx, sigma)
    r = float(np.max(np.abs(np.linalg.eigvals(A))))
    xi = math.inf if r == 0 else -1.0 / (2.0 * math.log(r))
    return LinearRNNDecay(r, xi)
