"""Fair comparison of MI curves: splits of different sizes, or model samples against data.

Curves of different sample sizes have different bias floors: a naive overlay shows a
"difference" that is only estimator bias. Here every curve is compared *after* removing its
own shuffle floor (``mi - baseline``), with the combined uncertainty of both curves
(jackknife errors and shuffle spread). Per lag, ``z = (Δ_A - Δ_B) / sqrt(noise_A² + noise_B²)``;
lags whose difference survives Holm's step-down correction at family level ``alpha`` are
significant, and the verdict is "different" if any lag is.

Fidelity (second curve = model samples, first = data): over the lags where the data are
significantly above their floor, the score is the mean of ``min(Δ_m, Δ_d) / max(Δ_m, Δ_d)``
(a model value not above its own floor counts as 0): 1 for identical curves, 0 when the
model has none of the data's dependence. The tracking distance is the largest lag up to which
every data-significant lag is either not significantly different or within a factor
``tolerance`` of the data.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ._io import write_atomic
from .curve import MICurve

__all__ = ["compare", "Comparison", "PairComparison", "holm"]


def holm(p_values: np.ndarray, alpha: float) -> np.ndarray:
    """Holm's step-down rejections at family-wise level ``alpha`` (valid under any dependence).

    Examples
    --------
    >>> holm(np.array([0.001, 0.04, 0.03]), 0.05).tolist()
    [True, False, False]
    """
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p)
    m = len(p)
    reject = np.zeros(m, dtype=bool)
    for rank, i in enumerate(order):
        if p[i] <= alpha / (m - rank):
            reject[i] = True
        else:
            break
    return reject


@dataclass(frozen=True, eq=False)
class PairComparison:
    """One curve against the reference curve, lag by lag."""

    name: str
    reference: str
    lags: np.ndarray
    difference: np.ndarray
    z: np.ndarray
    significant: np.ndarray
    log_ratio: np.ndarray
    verdict: str
    fidelity: float
    tracking_distance: int | None

    def to_dict(self) -> dict[str, Any]:
        def clean(a):
            return [None if (isinstance(v, float) and not math.isfinite(v)) else v for v in np.asarray(a).tolist()]

        return {
            "name": self.name, "reference": self.reference, "lags": clean(self.lags),
            "difference": clean(self.difference), "z": clean(self.z), "significant": clean(self.significant),
            "log_ratio": clean(self.log_ratio), "verdict": self.verdict,
            "fidelity": self.fidelity if math.isfinite(self.fidelity) else None,
            "tracking_distance": self.tracking_distance,
        }


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several curves compared with the first (the reference), after removing each one's floor."""

    curves: tuple[MICurve, ...]
    names: tuple[str, ...]
    pairs: tuple[PairComparison, ...]
    alpha: float
    notes: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> str:
        """``"different"`` if any curve differs significantly from the reference, else ``"consistent"``."""
        return "different" if any(p.verdict == "different" for p in self.pairs) else "consistent"

    def summary(self) -> str:
        lines = [f"Comparison against {self.names[0]!r} (floors removed, Holm alpha={self.alpha:g}): {self.verdict}"]
        for pair, curve in zip(self.pairs, self.curves[1:]):
            n_sig = int(pair.significant.sum())
            first = int(pair.lags[pair.significant][0]) if n_sig else None
            lines.append(
                f"  {pair.name:<16} {pair.verdict:<10} {n_sig}/{len(pair.lags)} lags differ"
                + (f" (first at d={first})" if first else "")
                + f"; fidelity {pair.fidelity:.3f}; tracks up to d={pair.tracking_distance}"
                + f"; N={curve.n_symbols:,}"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "midecay.Comparison/1", "names": list(self.names), "alpha": self.alpha,
            "verdict": self.verdict, "pairs": [p.to_dict() for p in self.pairs], "notes": list(self.notes),
            "sizes": [c.n_symbols for c in self.curves],
        }

    def to_json(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        write_atomic(path, json.dumps(self.to_dict(), indent=1), overwrite=overwrite)

    def plot(self, ax=None):
        """Overlay of the curves with their floors; lags where a curve differs from the reference are ringed."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.8, 4.6))
        for curve, name in zip(self.curves, self.names):
            curve.plot(ax=ax, label=f"{name} (N={curve.n_symbols:,})")
        for pair, curve in zip(self.pairs, self.curves[1:]):
            idx = np.isin(curve.lags, pair.lags[pair.significant])
            shown = idx & (curve.mi > 0)
            if shown.any():
                ax.scatter(curve.lags[shown], curve.mi[shown], s=60, facecolors="none", edgecolors="k", lw=0.8)
        ax.set_title(f"{self.verdict}: circles mark lags differing from {self.names[0]}", fontsize="medium")
        return ax


def _pair(ref: MICurve, other: MICurve, ref_name: str, name: str, alpha: float, tolerance: float, z: float) -> PairComparison:
    common, i_ref, i_oth = np.intersect1d(ref.lags, other.lags, return_indices=True)
    d_ref, d_oth = ref.floor_removed[i_ref], other.floor_removed[i_oth]
    noise = np.hypot(ref.noise[i_ref], other.noise[i_oth])
    diff = d_oth - d_ref
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = np.where(noise > 0, diff / noise, np.where(diff == 0, 0.0, np.inf))
    p = 2 * stats.norm.sf(np.abs(zval))
    sig = holm(p, alpha)
    ref_sig = ref.significant(z)[i_ref]
    oth_sig = other.significant(z)[i_oth]
    both = ref_sig & oth_sig & (d_ref > 0) & (d_oth > 0)
    log_ratio = np.full(len(common), np.nan)
    log_ratio[both] = np.log(d_oth[both] / d_ref[both])
    # Fidelity over the lags where the data (reference) show dependence.
    m = np.where(oth_sig & (d_oth > 0), d_oth, 0.0)
    r = np.where(ref_sig & (d_ref > 0), d_ref, 0.0)
    use = r > 0
    fidelity = float(np.mean(np.minimum(m[use], r[use]) / np.maximum(m[use], r[use]))) if use.any() else math.nan
    tracks = use & (~sig | (np.abs(np.log(np.maximum(m, 1e-300) / np.maximum(r, 1e-300))) <= math.log(tolerance)))
    tracking = None
    for i in np.flatnonzero(use):
        if not tracks[i]:
            break
        tracking = int(common[i])
    verdict = "different" if sig.any() else "consistent"
    return PairComparison(name, ref_name, common, diff, zval, sig, log_ratio, verdict, fidelity, tracking)


def compare(
    curves: Sequence[MICurve],
    names: Sequence[str] | None = None,
    *,
    alpha: float = 0.01,
    tolerance: float = 1.5,
    z: float = 3.0,
) -> Comparison:
    """Compare curves fairly with the first one (the reference: training split, or the data).

    Parameters
    ----------
    curves
        Two or more :class:`~midecay.MICurve` objects in the same units, ideally with shuffle
        floors and jackknife errors (without them the comparison cannot remove bias).
    names
        A name per curve (default ``curve0``, ``curve1``, …).
    alpha
        Family-wise error level of the per-lag tests (Holm).
    tolerance
        Ratio within which a model is said to track the data even where the difference is
        significant.
    z
        Significance level (in combined standard errors) for "above the floor".

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import markov, block_markov_matrix
    >>> P = block_markov_matrix(9, 3, 0.9)
    >>> a = midecay.mi_curve(markov(P, 400_000, seed=1).symbols, [1, 5, 20], seed=0)
    >>> b = midecay.mi_curve(markov(P, 50_000, seed=2).symbols, [1, 5, 20], seed=0)
    >>> compare([a, b], ["big", "small"]).verdict
    'consistent'
    """
    curves = tuple(curves)
    if len(curves) < 2:
        raise ValueError(f"compare needs at least two curves, got {len(curves)}")
    for c in curves:
        if not isinstance(c, MICurve):
            raise ValueError(f"compare takes MICurve objects, got {type(c).__name__}; build them with midecay.mi_curve")
    bases = {c.base for c in curves}
    if len(bases) > 1:
        raise ValueError(f"curves are in different units {sorted(bases)}; compute them all with the same base")
    names = tuple(names) if names is not None else tuple(f"curve{i}" for i in range(len(curves)))
    if len(names) != len(curves):
        raise ValueError(f"got {len(names)} names for {len(curves)} curves; pass one name per curve")
    notes = []
    if not all(np.isfinite(c.baseline).any() for c in curves):
        notes.append("some curves have no shuffle floor: their bias is not removed and size effects can look like differences")
    if not all(np.isfinite(c.stderr).all() for c in curves):
        notes.append("some curves have no standard errors: significance rests on the shuffle spread alone")
    ref = curves[0]
    pairs = tuple(_pair(ref, c, names[0], n, alpha, tolerance, z) for c, n in zip(curves[1:], names[1:]))
    for pair in pairs:
        if len(pair.lags) == 0:
            raise ValueError(f"curves {names[0]!r} and {pair.name!r} share no lags; compute them on the same lags")
    return Comparison(curves, names, pairs, alpha, tuple(notes))
