"""Classes of processes with a known decay form: what the exponential / power-law verdict is checked on.

Each case draws its own process (states, eigenvalues, alphabet, exponent) from a seed, so a check
runs over a class rather than one chain: finite-state processes (hidden Markov chains with 2-5
states and several spectral gaps; signs of linear Gaussian RNNs), power laws (Gaussian-sign
sequences with exact ``alpha``), and sums of an exponential and a power law (power-law tails).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..rng import as_generator
from .base import Synthetic
from .copying import zipf_marginal
from .gaussian_sign import gaussian_sign, rho_for_mi
from .hmm import hmm
from .markov import spectral_transition_matrix

__all__ = ["DecayCase", "finite_state_cases", "power_law_cases", "mixed_cases"]

#: Alphabet sizes the finite-state cases cycle through.
ALPHABETS = (2, 5, 50, 2000)
#: Length of each Gaussian-sign sequence (its lags reach ``length - 1``).
SIGN_LENGTH = 1000


@dataclass(frozen=True)
class DecayCase:
    """One process of a class: how to draw ``n`` symbols of it, and its tail's exact form.

    ``tail`` is ``"exponential"`` or ``"power_law"``; ``xi`` the slowest mode's correlation length
    (exponential tails), ``alpha`` the tail's exponent (power-law tails).
    """

    name: str
    tail: str
    draw: Callable[[int, int], Synthetic]
    xi: float | None = None
    alpha: float | None = None


def _emissions(n_states: int, k: int, rng: np.random.Generator) -> np.ndarray:
    if k <= 5:
        rows = rng.dirichlet(np.full(k, 0.7), size=n_states)
    else:  # Zipf-shaped laws over the alphabet, shifted per state: they overlap, as words' do
        base = zipf_marginal(k)
        rows = np.array([np.roll(base, int(shift)) for shift in rng.integers(0, k, size=n_states)])
    return rows / rows.sum(axis=1, keepdims=True)


def finite_state_cases(count: int, *, seed: int | np.random.Generator | None = 0) -> list[DecayCase]:
    """``count`` finite-state processes: hidden Markov chains (2-5 states, slowest eigenvalue 0.75-0.95,
    the others 0.2-0.9 of it, alphabets of :data:`ALPHABETS`) and, every fourth, the signs of a linear
    Gaussian RNN with 2-3 modes. Exact tail: exponential with ``xi = -1 / (2 ln lambda_max)``.

    Examples
    --------
    >>> cases = finite_state_cases(4, seed=0)
    >>> [c.tail for c in cases], all(c.xi > 1 for c in cases)
    (['exponential', 'exponential', 'exponential', 'exponential'], True)
    """
    rng = as_generator(seed)
    cases = []
    for i in range(count):
        n_modes = int(rng.integers(1, 5)) if i % 4 != 3 else int(rng.integers(2, 4))
        P = None
        while P is None:  # eigenvalues no non-negative symmetric chain has are drawn again
            top = float(rng.uniform(0.75, 0.95))
            eig = np.sort(np.r_[top, top * rng.uniform(0.2, 0.9, size=n_modes - 1)])[::-1]
            try:
                P = spectral_transition_matrix(eig, seed=rng, tries=200)
            except InputError:
                continue
        xi = -1.0 / (2.0 * math.log(top))
        if i % 4 == 3:
            weights = rng.dirichlet(np.ones(n_modes))
            cases.append(DecayCase(f"linear RNN signs, modes {np.round(eig, 3).tolist()}", "exponential",
                                   _rnn_signs(eig, weights), xi=xi))
            continue
        k = ALPHABETS[(i - i // 4) % len(ALPHABETS)]  # every alphabet in turn among the HMMs
        E = _emissions(len(P), k, rng)
        cases.append(DecayCase(f"HMM {len(P)} states, eigenvalues {np.round(eig, 3).tolist()}, K = {k}", "exponential",
                               lambda n, s, P=P, E=E: hmm(P, E, n, seed=s), xi=xi))
    return cases


def _rnn_signs(eig: np.ndarray, weights: np.ndarray) -> Callable[[int, int], Synthetic]:
    """Signs of a linear Gaussian RNN's output: correlation ``sum_k w_k lambda_k^d``, MI exact."""
    def draw(n: int, seed: int) -> Synthetic:
        return gaussian_sign(max(n // SIGN_LENGTH, 1), SIGN_LENGTH,
                             rho=lambda d: (weights[None, :] * eig[None, :] ** d[:, None]).sum(axis=1), seed=seed)
    return draw


def power_law_cases(alphas=(0.3, 0.6, 1.0), *, scale: float = 0.1) -> list[DecayCase]:
    """Gaussian-sign sequences with ``I(d) = scale d^(-alpha)`` exactly."""
    return [DecayCase(f"Gaussian sign, alpha = {a:g}", "power_law",
                      lambda n, s, a=a: gaussian_sign(max(n // SIGN_LENGTH, 1), SIGN_LENGTH, alpha=a, scale=scale, seed=s),
                      alpha=a) for a in alphas]


def mixed_cases(alphas=(0.4, 0.8), xi: float = 4.0) -> list[DecayCase]:
    """An exponential head over a power-law tail, ``I(d) = 0.15 e^(-d / xi) + 0.02 d^(-alpha)`` exactly."""
    def draw(alpha: float) -> Callable[[int, int], Synthetic]:
        def rho(d: np.ndarray) -> np.ndarray:
            return rho_for_mi(0.15 * np.exp(-d / xi) + 0.02 * d.astype(np.float64) ** -alpha)
        return lambda n, s: gaussian_sign(max(n // SIGN_LENGTH, 1), SIGN_LENGTH, rho=rho, seed=s)
    return [DecayCase(f"exponential (xi = {xi:g}) over power law (alpha = {a:g})", "power_law", draw(a), alpha=a)
            for a in alphas]
