"""Reproductions on synthetic data with exact MI (run by ``make bench``).

1. Shen et al. (2019), Appendix D / Figure 5: 10,000 Gaussian-sign binary sequences of length
   1000 with I(d) = c d^-alpha, alpha = 0.1 … 1.0; estimate the curve (Grassberger), fit alpha,
   print true vs fitted. The fit is a weighted least-squares line in log-log space over the
   points significantly above the shuffle floor (weights from the jackknife errors).
2. Linear Gaussian RNNs: for a few random stable networks, exact I(d) (Lyapunov theory) vs the
   Gaussian MI of a simulation's covariances vs midecay's estimate on the simulated output
   discretised into quantile bins (a lower bound, by data processing), and the fitted
   exponential rate vs the predicted r^2.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import midecay
from midecay.synth import (
    gaussian_mi_from_samples,
    gaussian_sign,
    linear_rnn_decay,
    linear_rnn_mi,
    linear_rnn_sample,
    random_linear_rnn,
)


def fit_power_law(curve: midecay.MICurve) -> tuple[float, float, int]:
    """alpha and its standard error from a weighted log-log line over significant points."""
    keep = curve.significant(z=3.0) & (curve.mi > 0)
    d, y = np.log(curve.lags[keep]), np.log(curve.mi[keep])
    sigma = curve.floor_removed_se[keep] / curve.mi[keep]  # error of log I
    w = 1.0 / np.maximum(sigma, 1e-12) ** 2
    X = np.c_[np.ones_like(d), d]
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = cov @ X.T @ (w * y)
    return -beta[1], float(np.sqrt(cov[1, 1])), int(keep.sum())


def shen_appendix_d(n_sequences: int, length: int, seed: int) -> None:
    print(f"[1] Gaussian-sign power laws, {n_sequences} sequences x {length}, I(d) = 0.1 d^-alpha")
    print(f"    {'alpha':>6} {'fitted':>8} {'stderr':>8} {'points':>6} {'gen s':>6} {'curve s':>7}")
    lags = midecay.log_lags(1, length - 1, 30)
    for alpha in np.round(np.arange(0.1, 1.01, 0.1), 2):
        t0 = time.perf_counter()
        s = gaussian_sign(n_sequences, length, alpha=float(alpha), seed=seed)
        t1 = time.perf_counter()
        curve = midecay.mi_curve(s.symbols, lags, seed=seed)
        t2 = time.perf_counter()
        fitted, err, npts = fit_power_law(curve)
        print(f"    {alpha:6.2f} {fitted:8.3f} {err:8.3f} {npts:6d} {t1 - t0:6.2f} {t2 - t1:7.2f}")


def linear_rnns(n_steps: int, seed: int) -> None:
    print(f"\n[2] linear Gaussian RNNs, {n_steps:,} simulated steps each, 1-D output")
    rng = np.random.default_rng(seed)
    lags = np.array([1, 2, 4, 8, 16])
    for n_h, radius in [(2, 0.7), (4, 0.85), (8, 0.93)]:
        W_hh, W_xh, W_hx = random_linear_rnn(n_h, 1, radius, seed=rng)
        exact = linear_rnn_mi(W_hh, W_xh, W_hx, 1.0, lags)
        x = linear_rnn_sample(W_hh, W_xh, W_hx, 1.0, n_steps, seed=rng)
        simulated = gaussian_mi_from_samples(x, lags)
        edges = np.quantile(x[:, 0], np.linspace(0, 1, 17)[1:-1])
        binned = midecay.mi_curve(np.digitize(x[:, 0], edges), lags, seed=seed)
        decay = linear_rnn_decay(W_hh, W_xh, W_hx)
        far = linear_rnn_mi(W_hh, W_xh, W_hx, 1.0, np.arange(30, 61))
        rate = float(np.exp(np.polyfit(np.arange(30, 61), np.log(far), 1)[0]))
        print(f"    hidden={n_h}, spectral radius r={decay.spectral_radius:.3f}, xi=-1/(2 ln r)={decay.correlation_length:.2f}")
        print(f"      {'d':>4} {'exact':>10} {'simulated':>10} {'binned(16)':>10}")
        for i, d in enumerate(lags):
            print(f"      {d:4d} {exact[i]:10.3e} {simulated[i]:10.3e} {binned.mi[i]:10.3e}")
        print(f"      exact I(d+1)/I(d) over d=30..60: {rate:.5f}; predicted r^2 = {decay.spectral_radius ** 2:.5f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=10_000)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    shen_appendix_d(args.sequences, args.length, args.seed)
    linear_rnns(args.steps, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
