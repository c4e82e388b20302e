"""The exponential / power-law verdict checked over classes of processes with a known tail.

Tests (on a few cases) and ``benchmarks/bench_verdicts.py`` (the full sweep) read the same rows:
what :func:`~midecay.classify` said of each drawn process, beside the exact answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..curve import mi_curve
from ..fitting import classify
from ..lags import log_lags
from ..synth.families import DecayCase

__all__ = ["VerdictRow", "verdict_rows", "wilson_interval", "VISIBLE_TOLERANCE"]

#: The slowest mode is "visible" when the exact curve's log-slope between the last two lags above
#: the floor is within this fraction of its rate: where a faster mode still carries the curve
#: there, no fit of those lags can see the slowest one (its interval is not judged).
VISIBLE_TOLERANCE = 0.15


@dataclass(frozen=True)
class VerdictRow:
    """One drawn process: the exact tail and what the verdict said."""

    case: str
    tail: str
    n: int
    seed: int
    kind: str
    verdict: str
    xi: float = math.nan
    xi_stderr: float = math.nan
    xi_true: float = math.nan
    visible: bool = False
    alpha: float = math.nan
    alpha_stderr: float = math.nan
    alpha_true: float = math.nan

    @property
    def xi_covered(self) -> bool:
        """Whether the 95 % interval of ``xi`` holds the slowest mode's exact ``xi``."""
        return abs(self.xi - self.xi_true) <= 1.959964 * self.xi_stderr


def verdict_rows(cases: Iterable[DecayCase], n: int, seeds: Iterable[int], *, lags: np.ndarray | None = None) -> list[VerdictRow]:
    """Draw ``n`` symbols of each case for each seed, classify its curve, and compare with the exact tail."""
    lags = log_lags(1, 999, 30) if lags is None else np.asarray(lags)
    rows = []
    for case in cases:
        for seed in seeds:
            synthetic = case.draw(n, seed)
            curve = mi_curve(synthetic.symbols, lags, seed=seed)
            d = classify(curve)
            verdict = d.tail.verdict if d.tail is not None else "cannot_tell"
            row = dict(case=case.name, tail=case.tail, n=n, seed=seed, kind=d.kind, verdict=verdict)
            xi, alpha = d.parameters.get("xi"), d.parameters.get("alpha")
            if case.xi is not None and xi is not None and d.decay == "exponential":
                row.update(xi=xi.value, xi_stderr=xi.stderr, xi_true=case.xi,
                           visible=_slowest_mode_visible(synthetic, curve, case.xi))
            if case.alpha is not None and alpha is not None and d.decay == "power_law":
                row.update(alpha=alpha.value, alpha_stderr=alpha.stderr, alpha_true=case.alpha)
            rows.append(VerdictRow(**row))
    return rows


def _slowest_mode_visible(synthetic, curve, xi_true: float) -> bool:
    sig = np.flatnonzero(curve.significant())
    if len(sig) < 2:
        return False
    d = curve.lags[sig[-2:]].astype(np.float64)
    exact = np.asarray(synthetic.expected_mi(d.astype(int)), dtype=np.float64)
    if not np.all(exact > 0):
        return False
    rate = -(math.log(exact[1]) - math.log(exact[0])) / (d[1] - d[0])
    return abs(rate * xi_true - 1.0) <= VISIBLE_TOLERANCE


def wilson_interval(hits: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson's binomial interval for ``hits`` of ``total``.

    >>> [round(x, 3) for x in wilson_interval(0, 40)]
    [0.0, 0.088]
    """
    if total == 0:
        return 0.0, 1.0
    from scipy.special import ndtri

    z = float(-ndtri((1 - level) / 2))
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)
