"""Processes whose MI is exactly zero at known lags: the lag-p copy process and sliding-window sums.

They are the tests of a null: a floor that flags a lag of either at more than its nominal rate
is wrong. The copy process also repeats itself, which is what a word-level null must see.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..rng import as_generator
from ..sequences import Symbols, smallest_code_dtype
from ..validation import check_int, check_real
from .base import MAX_SYNTH_SYMBOLS, Synthetic

__all__ = ["copy_process", "copy_mi", "copied_draws", "copied_pair_mi", "token_law", "sliding_sum", "zipf_marginal"]


def zipf_marginal(alphabet_size: int, exponent: float = 1.1) -> np.ndarray:
    """Probabilities ``proportional to rank^-exponent`` over ``alphabet_size`` symbols (word-like)."""
    check_int("alphabet_size", alphabet_size, 2)
    check_real("exponent", exponent, 0.0)
    w = 1.0 / np.arange(1, int(alphabet_size) + 1, dtype=np.float64) ** float(exponent)
    return w / w.sum()


def token_law(alphabet_size: int, probabilities: np.ndarray | None) -> np.ndarray:
    """The fresh draws' law: ``probabilities`` checked, or Zipf(1.1) when None.

    >>> token_law(3, None).round(3).tolist()
    [0.567, 0.264, 0.169]
    """
    if probabilities is None:
        return zipf_marginal(alphabet_size)
    pi = np.asarray(probabilities, dtype=np.float64)
    if pi.shape != (int(alphabet_size),) or (pi < 0).any() or not np.isclose(pi.sum(), 1.0):
        raise InputError(f"probabilities must be {alphabet_size} non-negative numbers summing to 1")
    return pi


def copied_pair_mi(pi: np.ndarray, rho) -> np.ndarray:
    """``I`` (nats) of a pair that is one draw twice with probability ``rho``, else two independent draws.

    ``P(a, b) = rho pi_a [a = b] + (1 - rho) pi_a pi_b``; one value per entry of ``rho``.

    >>> copied_pair_mi(np.full(2, 0.5), [0.0, 1.0]).round(4).tolist()
    [0.0, 0.6931]
    """
    pi = np.asarray(pi, dtype=np.float64)
    rho = np.atleast_1d(np.asarray(rho, dtype=np.float64))
    q = float((pi**2).sum())
    same = pi[None, :] * (rho[:, None] + (1 - rho[:, None]) * pi[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        diag = np.where(same > 0, same * np.log(same / pi[None, :] ** 2), 0.0).sum(axis=1)
        off = np.where(rho < 1, (1 - rho) * (1 - q) * np.log(np.where(rho < 1, 1 - rho, 1.0)), 0.0)
    return np.maximum(diag + off, 0.0)


def copy_mi(pi: np.ndarray, r: float, period: int, lags) -> np.ndarray:
    """Exact ``I(d)`` (nats) of :func:`copy_process`: zero unless ``period`` divides ``d``.

    At ``d = k p`` the symbol is the same draw with probability ``rho = r^k`` (every one of the
    ``k`` steps copied), else an independent one (:func:`copied_pair_mi`).

    >>> copy_mi(np.full(2, 0.5), 1.0, 3, [3, 4]).round(4).tolist()  # a perfect copy of a fair bit
    [0.6931, 0.0]
    """
    d = np.asarray(lags, dtype=np.int64)
    out = np.zeros(len(d))
    on = d % period == 0
    if on.any():
        out[on] = copied_pair_mi(pi, float(r) ** (d[on] // period))
    return out


def copied_draws(fresh: np.ndarray, copies: np.ndarray, period: int) -> np.ndarray:
    """``x_t = x_{t - period}`` where ``copies[t]``, else ``fresh[t]`` (the first ``period`` are always fresh).

    Each residue class mod ``period`` is a chain: every position holds its class's last fresh draw
    at or before it.

    >>> copied_draws(np.arange(6), np.array([1, 1, 0, 1, 1, 1], dtype=bool), 2).tolist()
    [0, 1, 2, 1, 2, 1]
    """
    copies = np.array(copies, dtype=bool)
    copies[:period] = False
    out = np.empty_like(fresh)
    for j in range(min(period, len(fresh))):
        idx = np.arange(j, len(fresh), period)
        out[idx] = fresh[np.maximum.accumulate(np.where(copies[idx], 0, idx))]
    return out


def copy_process(n: int, alphabet_size: int, period: int, r: float, *, probabilities: np.ndarray | None = None,
                 n_sequences: int = 1, seed: int | np.random.Generator | None = None) -> Synthetic:
    """``x_t = x_{t - period}`` with probability ``r``, else a fresh draw (Zipf(1.1) by default).

    The residue classes mod ``period`` are independent chains, so ``I(d) = 0`` exactly unless
    ``period`` divides ``d`` (:func:`copy_mi`); the sequence repeats itself at multiples of the
    period, as text does at word level.

    Examples
    --------
    >>> s = copy_process(10_000, 50, 5, 0.5, seed=0)
    >>> s.expected_mi([4, 5, 10]).round(3).tolist()
    [0.0, 0.968, 0.342]
    """
    check_int("n", n, 2, MAX_SYNTH_SYMBOLS)
    check_int("alphabet_size", alphabet_size, 2)
    check_int("period", period, 1, n - 1)
    check_real("r", r, 0.0, 1.0)
    check_int("n_sequences", n_sequences, 1, MAX_SYNTH_SYMBOLS // n)
    pi = token_law(alphabet_size, probabilities)
    rng = as_generator(seed)
    n, p = int(n), int(period)
    rows = []
    for _ in range(int(n_sequences)):
        fresh = rng.choice(int(alphabet_size), size=n, p=pi)
        rows.append(copied_draws(fresh, rng.random(n) < r, p).astype(smallest_code_dtype(alphabet_size)))
    bounds = np.arange(int(n_sequences) + 1, dtype=np.int64) * n
    symbols = Symbols(np.concatenate(rows), tuple(range(int(alphabet_size))), bounds,
                      f"copy process (K={alphabet_size}, period {p}, r={r}, n={n} x {n_sequences})")
    return Synthetic(symbols, lambda lags: copy_mi(pi, r, p, lags))


def sliding_sum(n: int, alphabet_size: int, *, window: int = 3, probabilities: np.ndarray | None = None,
                seed: int | np.random.Generator | None = None) -> Symbols:
    """``x_t = (u_t + ... + u_{t - window + 1}) mod K`` of i.i.d. ``u``: ``I(d) = 0`` for ``d >= window``.

    A function of a sliding window of independent symbols (m-dependent); its MI below ``window``
    has no closed form here, only its zeros are used.

    >>> s = sliding_sum(1000, 7, seed=0)
    >>> s.n_symbols, s.alphabet_size
    (1000, 7)
    """
    return _sliding(n, alphabet_size, window, probabilities, seed, "sum")


def sliding_max(n: int, alphabet_size: int, *, window: int = 3, probabilities: np.ndarray | None = None,
                seed: int | np.random.Generator | None = None) -> Symbols:
    """``x_t = max(u_t, ..., u_{t - window + 1})`` of i.i.d. ``u``: ``I(d) = 0`` for ``d >= window``.

    Sticky where :func:`sliding_sum` is not: neighbours often share their maximum, so the
    sequence repeats itself at offsets below ``window``.

    >>> x = sliding_max(1000, 7, seed=0).codes
    >>> bool((x[1:] == x[:-1]).mean() > 0.4)
    True
    """
    return _sliding(n, alphabet_size, window, probabilities, seed, "max")


def _sliding(n, alphabet_size, window, probabilities, seed, reduce: str) -> Symbols:
    check_int("n", n, 2, MAX_SYNTH_SYMBOLS)
    check_int("alphabet_size", alphabet_size, 2)
    check_int("window", window, 1, n)
    pi = token_law(alphabet_size, probabilities)
    u = as_generator(seed).choice(int(alphabet_size), size=int(n) + int(window) - 1, p=pi)
    out = u[:int(n)].astype(np.int64)
    for j in range(1, int(window)):
        out = out + u[j:j + int(n)] if reduce == "sum" else np.maximum(out, u[j:j + int(n)])
    codes = (out % int(alphabet_size)).astype(smallest_code_dtype(alphabet_size))
    return Symbols(codes, tuple(range(int(alphabet_size))), np.array([0, int(n)], dtype=np.int64),
                   f"sliding {reduce} of {window} (K={alphabet_size}, n={n})")
