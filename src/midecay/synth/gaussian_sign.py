"""Binary sequences ``x = sign(z)`` of a stationary Gaussian ``z``: any MI curve, exactly.

For one pair with correlation ``rho``, ``P(equal signs) = 1/2 + arcsin(rho)/pi``, and with
``p_s = P(equal)/2``, ``p_d = (1 - P(equal))/2``,
``I(rho) = 2 p_s ln(4 p_s) + 2 p_d ln(4 p_d)`` (Shen et al. 2019, App. B). Inverting ``I(rho)``
numerically gives the correlation function that reaches a target ``I(d)`` at every ``d``.
Sequences are drawn by circulant embedding (FFT), which needs the embedded circulant to be
positive semi-definite; when it is not, short sequences fall back to Cholesky of the Toeplitz
covariance, and a covariance that is not PSD at all is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.linalg import cholesky, toeplitz
from scipy.optimize import brentq

from ..errors import InputError
from ..rng import as_generator
from ..sequences import Symbols
from ..validation import check_int, check_real
from .base import MAX_SYNTH_SYMBOLS, Synthetic

__all__ = ["gaussian_sign", "sign_mi", "rho_for_mi"]

_LN2 = math.log(2.0)
_CHOLESKY_MAX = 4096  # longest sequence for the Cholesky fallback (O(n^3) once, O(n^2) per draw)


def sign_mi(rho) -> np.ndarray:
    """Exact MI in nats between ``sign(z1)`` and ``sign(z2)`` for unit Gaussians with correlation ``rho``.

    Examples
    --------
    >>> float(sign_mi(0.0)), round(float(sign_mi(1.0)), 6)
    (0.0, 0.693147)
    """
    rho = np.clip(np.asarray(rho, dtype=np.float64), -1.0, 1.0)
    p_equal = 0.5 + np.arcsin(rho) / math.pi
    p_s, p_d = p_equal / 2.0, (1.0 - p_equal) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        term_s = np.where(p_s > 0, 2 * p_s * np.log(4 * p_s), 0.0)
        term_d = np.where(p_d > 0, 2 * p_d * np.log(4 * p_d), 0.0)
    return np.maximum(term_s + term_d, 0.0)


def rho_for_mi(mi) -> np.ndarray:
    """The non-negative correlation whose sign pair has MI ``mi`` (nats): the inverse of :func:`sign_mi`.

    Examples
    --------
    >>> rho = rho_for_mi([0.01, 0.3])
    >>> np.allclose(sign_mi(rho), [0.01, 0.3])
    True
    """
    mi = np.atleast_1d(np.asarray(mi, dtype=np.float64))
    if np.any(mi < 0) or np.any(mi >= _LN2):
        raise InputError(
            f"target MI must lie in [0, ln 2) nats for a binary pair, got range [{mi.min():.3g}, {mi.max():.3g}]; lower scale"
        )
    # sign_mi is increasing on [0, 1]; brentq per value is exact to machine precision.
    return np.array([0.0 if m == 0 else brentq(lambda r, m=m: float(sign_mi(r)) - m, 0.0, 1.0, xtol=1e-15) for m in mi])


def _circulant_eigenvalues(rho: np.ndarray) -> np.ndarray:
    """Eigenvalues of the circulant that embeds the Toeplitz covariance with first row ``rho``."""
    row = np.concatenate([rho, rho[-2:0:-1]])
    return np.fft.rfft(row).real if len(row) > 1 else row


def _sample_circulant(eig_full: np.ndarray, n: int, count: int, rng: np.random.Generator) -> np.ndarray:
    m = len(eig_full)
    scale = np.sqrt(np.maximum(eig_full, 0.0) / m)
    out = np.empty((count, n))
    done = 0
    while done < count:
        batch = min(count - done, 2048) + 1
        w = rng.standard_normal((batch // 2 + 1, m)) + 1j * rng.standard_normal((batch // 2 + 1, m))
        # Real and imaginary parts of one complex draw are two independent sequences.
        z = np.fft.fft(scale * w, axis=1)[:, :n]
        both = np.concatenate([z.real, z.imag])
        take = min(count - done, len(both))
        out[done : done + take] = both[:take]
        done += take
    return out


def gaussian_sign(
    n_sequences: int,
    length: int,
    *,
    alpha: float | None = None,
    scale: float | None = None,
    rho: Callable[[np.ndarray], np.ndarray] | np.ndarray | None = None,
    seed: int | np.random.Generator | None = None,
) -> Synthetic:
    """Binary sequences with an exactly known MI curve.

    Parameters
    ----------
    n_sequences, length
        How many sequences (one segment each) of how many symbols.
    alpha
        Exponent of the target power law ``I(d) = scale * d^(-alpha)``, reached exactly at
        every ``d >= 1`` by inverting ``I(rho)``.
    scale
        ``I(1)`` in nats for the power law (default 0.1); must be below ln 2.
    rho
        Instead of ``alpha``: the correlation of ``z`` at lags ``1 … length-1``, as a callable
        of an int array or an array of those ``length - 1`` values.
    seed
        Seed or Generator; the same seed gives the same bytes.

    Examples
    --------
    >>> s = gaussian_sign(100, 512, alpha=0.5, seed=0)
    >>> s.symbols.n_segments, s.symbols.alphabet
    (100, (-1, 1))
    >>> np.allclose(s.expected_mi([1, 4]), [0.1, 0.05])
    True
    """
    length = check_int("length", length, 2, 10**8)
    n_sequences = check_int("n_sequences", n_sequences, 1, MAX_SYNTH_SYMBOLS // length)
    if n_sequences < 1 or length < 2:
        raise InputError(f"need n_sequences >= 1 and length >= 2, got {n_sequences} and {length}")
    if (alpha is None) == (rho is None):
        raise InputError("give exactly one of alpha (power-law target) or rho (correlation function)")
    d = np.arange(1, length)
    if alpha is not None:
        alpha = check_real("alpha", alpha, 0, low_open=True)
        scale = 0.1 if scale is None else check_real("scale (I(1) in nats, below ln 2)", scale, 0, math.log(2), low_open=True,
                                                       high_open=True)
        target = scale * d.astype(np.float64) ** (-float(alpha))
        rho_d = rho_for_mi(target)
        description = f"Gaussian-sign binary, I(d) = {scale:g} d^-{alpha:g}"
    else:
        rho_d = np.asarray(rho(d) if callable(rho) else rho, dtype=np.float64)
        if rho_d.shape != (length - 1,):
            raise InputError(f"rho must give {length - 1} values (lags 1 … length-1), got shape {rho_d.shape}")
        if np.any(np.abs(rho_d) > 1) or not np.all(np.isfinite(rho_d)):
            raise InputError("rho values must be finite correlations in [-1, 1]")
        description = "Gaussian-sign binary, user correlation"
    full = np.concatenate([[1.0], rho_d])
    rng = as_generator(seed)
    eig = _circulant_eigenvalues(full)
    if eig.min() >= -1e-10 * max(1.0, eig.max()):
        eig_full = np.concatenate([eig, eig[-2:0:-1]]) if len(full) > 1 else eig
        z = _sample_circulant(eig_full, length, n_sequences, rng)
    else:
        cov = toeplitz(full)
        if np.linalg.eigvalsh(cov).min() < -1e-10:
            raise InputError(
                "the requested correlation is not realisable: its covariance matrix is not positive "
                "semi-definite; use a smaller scale or a slower-varying rho"
            )
        if length > _CHOLESKY_MAX:
            raise InputError(
                f"circulant embedding is not PSD for this correlation and length {length} is too long for "
                f"Cholesky (max {_CHOLESKY_MAX}); use shorter sequences or a smoother rho"
            )
        factor = cholesky(cov + 1e-12 * np.eye(length), lower=True)
        z = rng.standard_normal((n_sequences, length)) @ factor.T
    codes = (z > 0).astype(np.uint8).reshape(-1)
    bounds = np.arange(n_sequences + 1, dtype=np.int64) * length
    symbols = Symbols(codes, (-1, 1), bounds, f"{description} ({n_sequences} x {length})")

    def exact(lags: np.ndarray) -> np.ndarray:
        if lags.max() >= length:
            raise InputError(f"lags must be below the sequence length {length}")
        return sign_mi(rho_d[lags - 1])

    return Synthetic(symbols, exact)
