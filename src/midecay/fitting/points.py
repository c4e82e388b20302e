"""Which points of a curve a fit uses, and the error of each in log space."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..micurve import MICurve
from ..validation import check_real

__all__ = ["FitPoints", "fit_points", "check_fit_range", "far_range"]


@dataclass(frozen=True)
class FitPoints:
    """The points a fit uses: lags, floor-removed MI, and the error of ``ln I``."""

    lags: np.ndarray
    y: np.ndarray
    log_sigma: np.ndarray
    excluded: tuple[int, ...]
    weighted: bool
    #: The same points on each delete-one-block jackknife curve (rows; empty without one).
    replicates: np.ndarray | None = None

    def subset(self, keep: np.ndarray, *, replicates: bool = True) -> FitPoints:
        """The points ``keep`` selects (a mask or indices), with their replicates unless ``replicates`` is False
        (a fit that needs no parameter errors then skips the jackknife refits)."""
        reps = self.replicates[:, keep] if replicates and self.replicates is not None else None
        return FitPoints(self.lags[keep], self.y[keep], self.log_sigma[keep], (), self.weighted, reps)


def far_range(lags: np.ndarray, min_points: int, *, fallback: bool = True) -> np.ndarray:
    """The far half of the lags in log scale (``d`` at or above their geometric middle), at least
    the last ``min_points`` of them: where a finite-state curve's slowest mode has the most weight.
    Without ``fallback``, a far half of fewer than ``min_points`` lags is no range (all False).

    >>> far_range(np.array([1, 2, 4, 8, 16]), 2).tolist(), far_range(np.array([1, 2, 4, 8, 16]), 4, fallback=False).tolist()
    ([False, False, True, True, True], [False, False, False, False, False])
    """
    keep = lags >= math.sqrt(lags.min() * lags.max()) if len(lags) else np.zeros(0, dtype=bool)
    if keep.sum() < min_points:
        keep = np.zeros(len(lags), dtype=bool)
        if fallback:
            keep[-min_points:] = True
    return keep


def check_fit_range(dmin: float | None, dmax: float | None) -> None:
    """Refuse a fit range that is not numbers, or whose ``dmin`` lies above its ``dmax``."""
    for name, value in (("dmin", dmin), ("dmax", dmax)):
        if value is not None:
            check_real(name, value, 0, low_open=True)
    if dmin is not None and dmax is not None and dmin > dmax:
        raise InputError(f"dmin {dmin:g} is above dmax {dmax:g}; give dmin <= dmax")


def fit_points(curve: MICurve, *, dmin: float | None = None, dmax: float | None = None, z: float = 3.0) -> FitPoints:
    """Select the points of ``curve`` fit to: inside ``[dmin, dmax]`` and significantly above the floor.

    The MI fitted is ``mi - floor`` when the curve has a floor (the estimator's bias at this
    sample size removed), else ``mi``. Its log-space error is ``noise / y``. The jackknife
    replicates of the same points come along, floor-corrected, for the parameter errors.
    """
    check_fit_range(dmin, dmax)
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
        sigma = curve.floor_removed_se / np.where(y > 0, y, np.nan)
        # A last point alone after a gap is most often the one false positive of a curve's ~30
        # tests (4 % of curves at z = 3), and far out it drags a decay law along; it must stand
        # out by one more standard deviation to be fitted (a binary chain's xi went to 8.5 from
        # 2.2 on a stray d = 51).
        hits = np.flatnonzero(keep)
        if len(hits) >= 2 and hits[-1] - hits[-2] > 1 and not curve.significant(z + 1.0)[hits[-1]]:
            keep[hits[-1]] = False
    else:
        keep = in_range & (y > 0)
        sigma = np.ones(len(lags))
    excluded = tuple(int(d) for d in lags[in_range & ~keep])
    reps = curve.replicates
    if len(reps):
        # A replicate leaves one block out, so its estimator's bias is higher; how much higher is
        # measured by the replicates themselves (their mean against the whole curve's MI), not
        # assumed to scale as 1/N: a sparse table's bias grows more slowly as pairs are left out,
        # and the 1/N rule pushed the replicates of a word-level curve's far points below zero
        # (a lag-7 copy at K = 2,000: replicates at 0.2-0.5 of the point, some negative), which
        # the log fit clipped and gamma's error blew up 3-4x. Centred on the curve, the
        # replicates keep their spread, which is all the jackknife reads.
        reps = (reps - reps.mean(axis=0) + y)[:, keep]
    else:
        reps = np.zeros((0, int(keep.sum())))
    return FitPoints(lags[keep].astype(np.float64), y[keep], sigma[keep], excluded, weighted, reps)
