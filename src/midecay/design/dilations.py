"""DilatedRNN dilations from a decay curve (Mahalunkar & Kelleher's grid-search paper, its Fig. 2).

Two rules turn the curve into dilations:

1. **The max dilation** is the span of the dependence: where the floor-corrected curve meets its
   noise floor (:func:`~midecay.fitting.span`), or where it crosses a fixed threshold (the paper's
   1e-5 nats, ``threshold=1e-5``); a periodic curve caps it at its period (sequential MNIST: 28).
2. **The density** follows the slope. ``n_layers`` levels equally spaced in log I between I(1)
   and the curve's value at the max dilation are drawn; the distance at which the curve falls to
   each level is a dilation. A steep stretch is crossed by several levels within a short range of
   d (dense dilations such as 1, 2, 3, 4), a shallow one by few (sparse). On a power law the
   crossings are geometric; on a broken power law they are denser before the break than after it,
   by the ratio of the two exponents. Curves without a power law (exponential, flat) get the
   standard pattern 1, 2, 4, … up to the max dilation, as the paper says.

The crossings are read from the law ``classify`` fitted when the curve is a power law or a
broken power law (smooth, so sampling noise does not move the dilations), else from the curve's
own non-increasing envelope interpolated in log-log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from ..micurve import MICurve
from ..results import Result, jsonable, new_axes, require
from ..validation import OneOf, check_int

__all__ = ["DilationDesign", "design_dilations", "standard_dilations", "standard_up_to", "geometric_dilations"]

#: Kinds whose crossings follow the levels; the others take the standard pattern.
LEVEL_KINDS = ("power_law", "broken_power_law", "composite")


def standard_dilations(n_layers: int) -> tuple[int, ...]:
    """The DilatedRNN paper's pattern of ``n_layers`` layers: 1, 2, 4, …, 2^(n_layers-1).

    >>> standard_dilations(4)
    (1, 2, 4, 8)
    """
    check_int("n_layers", n_layers, 1, 62)
    return tuple(1 << k for k in range(n_layers))


def standard_up_to(max_dilation: int) -> tuple[int, ...]:
    """Powers of two below ``max_dilation``, then ``max_dilation`` itself (the paper's Table 2: …, 512, 780).

    >>> standard_up_to(28), standard_up_to(32)
    ((1, 2, 4, 8, 16, 28), (1, 2, 4, 8, 16, 32))
    """
    check_int("max_dilation", max_dilation, 1, 1 << 40)
    out = []
    r = 1
    while r < max_dilation:
        out.append(r)
        r *= 2
    return (*out, max_dilation)


def geometric_dilations(max_dilation: int, n_layers: int) -> tuple[int, ...]:
    """``n_layers`` dilations from 1 to ``max_dilation``, evenly spaced in log d (strictly increasing).

    >>> geometric_dilations(1000, 4)
    (1, 10, 100, 1000)
    """
    check_int("n_layers", n_layers, 1, 4096)
    if n_layers == 1:
        return (1,)
    crossings = np.exp(np.linspace(0.0, math.log(max_dilation), n_layers))
    return _integer_dilations(crossings, max_dilation)


def _integer_dilations(crossings: np.ndarray, max_dilation: int) -> tuple[int, ...]:
    """Round real crossings to strictly increasing integers from 1 to ``max_dilation``.

    Where rounding collides (a steep stretch), each takes the next free integer: 1, 2, 3, 4 …,
    the paper's dense pattern; the first is 1 and the last the max dilation.
    """
    n = len(crossings)
    if max_dilation < n:
        raise InputError(f"{n} layers need a max dilation of at least {n}, the curve gives {max_dilation}; use fewer layers")
    out = [1]
    for k, c in enumerate(crossings[1:], start=1):
        room = max_dilation - (n - 1 - k)  # leave one integer for each layer still to come
        out.append(int(min(max(round(float(c)), out[-1] + 1), room)))
    out[-1] = max_dilation
    return tuple(out)


@dataclass(frozen=True, eq=False)
class DilationDesign(Result):
    """Dilations designed from a curve, with the reasons.

    Attributes
    ----------
    dilations
        Strictly increasing positive integers starting at 1, one per layer.
    max_dilation, max_reason
        The largest dilation and why it is that (floor, threshold, period, or a lower bound).
    kind
        The curve's decay kind (:func:`~midecay.classify`).
    pattern
        ``levels`` (crossings of equally spaced log-I levels) or ``standard`` (1, 2, 4, …).
    levels, crossings
        The levels' I values (the curve's units) and the real distances where the curve meets
        them; empty for the standard pattern.
    source
        Where the crossings were read: ``curve`` (the measured curve's non-increasing envelope, the
        default, as the grid-search paper reads them) or ``fit`` (the classified law).
    other_dilations
        What the other reading gives, when both exist; the summary says how far the two differ.
    break_distance
        The fitted break of a broken power law, else None.
    threshold_rule
        ``floor`` (noise floor, the default) or ``fixed`` (a threshold in nats).

    Examples
    --------
    >>> import numpy as np, midecay
    >>> chain = midecay.synth.markov(np.array([[0.9, 0.1], [0.1, 0.9]]), 200_000, seed=0)
    >>> design = midecay.design_dilations(midecay.mi_curve(chain.symbols, np.arange(1, 40), seed=0), 4)
    >>> design.dilations, design.kind   # an exponential: the standard geometric pattern up to the span
    ((1, 3, 7, 18), 'exponential')
    """

    FORMAT = "midecay.DilationDesign/1"

    dilations: tuple[int, ...]
    max_dilation: int
    max_reason: str
    kind: str
    pattern: str
    levels: tuple[float, ...]
    crossings: tuple[float, ...]
    source: str
    break_distance: float | None
    threshold_rule: str
    curve: MICurve | None = None
    #: The dilations the other reading gives (the fitted law when the curve was read, and back), if both exist.
    other_dilations: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        d = tuple(int(r) for r in self.dilations)
        if not d or d[0] != 1 or any(b <= a for a, b in zip(d, d[1:])):
            raise InputError(f"dilations must be strictly increasing integers starting at 1, got {list(d)}")
        object.__setattr__(self, "dilations", d)
        object.__setattr__(self, "levels", tuple(float(v) for v in self.levels))
        object.__setattr__(self, "crossings", tuple(float(v) for v in self.crossings))
        if self.other_dilations is not None:
            object.__setattr__(self, "other_dilations", tuple(int(r) for r in self.other_dilations))

    @property
    def n_layers(self) -> int:
        return len(self.dilations)

    def _summary_text(self) -> str:
        lines = [f"dilations ({self.n_layers} layers): {', '.join(map(str, self.dilations))}",
                 f"  max dilation {self.max_dilation}: {self.max_reason}",
                 f"  curve: {self.kind}; pattern: {self.pattern}" + (f" (crossings read from the {self.source})"
                                                                     if self.pattern == "levels" else "")]
        if self.other_dilations is not None and self.other_dilations != self.dilations:
            other = "fit" if self.source == "curve" else "curve"
            ratios = [max(a, b) / min(a, b) for a, b in zip(self.dilations, self.other_dilations)]
            lines.append(f"  the {other} reads {', '.join(map(str, self.other_dilations))}: "
                         f"{sum(r > 1 for r in ratios)} of {self.n_layers} layers differ, by up to {max(ratios):.2g}x")
        elif self.other_dilations is not None:
            lines.append(f"  the {'fit' if self.source == 'curve' else 'curve'} reads the same dilations")
        if self.break_distance is not None:
            before = sum(1 for r in self.dilations if r <= self.break_distance)
            lines.append(f"  break at d = {self.break_distance:.3g}: {before} dilations before it, "
                         f"{self.n_layers - before} after")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "format": self.FORMAT, "dilations": list(self.dilations), "max_dilation": self.max_dilation,
            "max_reason": self.max_reason, "kind": self.kind, "pattern": self.pattern, "levels": list(self.levels),
            "crossings": list(self.crossings), "source": self.source, "break_distance": self.break_distance,
            "threshold_rule": self.threshold_rule, "curve": self.curve.to_dict() if self.curve is not None else None,
            "other_dilations": list(self.other_dilations) if self.other_dilations is not None else None,
        })

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DilationDesign:
        what = "dilation design"
        dilations = require(data, "dilations", list, what)
        if not all(isinstance(r, int) and not isinstance(r, bool) for r in dilations):
            raise InputError(f"{what}: 'dilations' must be integers")
        curve = MICurve.from_dict(data["curve"]) if data.get("curve") is not None else None
        brk = data.get("break_distance")
        return cls(tuple(dilations), require(data, "max_dilation", int, what), require(data, "max_reason", str, what),
                   require(data, "kind", str, what), require(data, "pattern", str, what),
                   tuple(require(data, "levels", list, what)), tuple(require(data, "crossings", list, what)),
                   require(data, "source", str, what), float(brk) if brk is not None else None,
                   require(data, "threshold_rule", str, what), curve,
                   tuple(data["other_dilations"]) if data.get("other_dilations") is not None else None)

    def table_rows(self) -> list[dict[str, Any]]:
        return [{"layer": i + 1, "dilation": r, "level": self.levels[i] if self.levels else None,
                 "crossing": self.crossings[i] if self.crossings else None} for i, r in enumerate(self.dilations)]

    def plot(self, ax=None):
        """The floor-corrected curve, the levels and the chosen dilations (the paper's Fig. 2)."""
        ax = new_axes(ax)
        if self.curve is not None:
            y = self.curve.floor_removed
            keep = y > 0
            ax.loglog(self.curve.lags[keep], y[keep], "o-", ms=3, color="0.3", label="I(d), floor removed")
        for i, level in enumerate(self.levels):
            ax.axhline(level, color="tab:blue", lw=0.6, alpha=0.5,
                       label=f"levels, equal steps in log I ({len(self.levels)})" if i == 0 else None)
        for i, r in enumerate(self.dilations):
            ax.axvline(r, color="tab:red", lw=0.8, alpha=0.7, label=f"dilations ({len(self.dilations)})" if i == 0 else None)
        ax.axvline(self.max_dilation, color="tab:red", lw=2, label=f"max dilation {self.max_dilation}")
        if self.break_distance is not None:
            ax.axvline(self.break_distance, color="tab:green", ls="--", label=f"break {self.break_distance:.3g}")
        ax.set_xscale("log")
        ax.set_xlabel("distance d")
        ax.set_ylabel(f"I(d) ({self.curve.base if self.curve is not None else 'nats'})")
        ax.set_title(f"{self.kind}: {', '.join(map(str, self.dilations))}", fontsize="small")
        ax.legend(frameon=False, fontsize="small")
        return ax


def _max_dilation(curve: MICurve, diagnosis, threshold) -> tuple[int, str, str]:
    last = int(curve.lags[-1])
    if threshold == "floor":
        sp = diagnosis.span
        if sp.floor_distance is None:
            return 1, "no lag is significantly above the floor", "floor"
        d = int(sp.floor_distance)
        reason = (f"the floor-corrected curve meets its noise floor after d = {d}" if sp.reached_floor else
                  f"the curve is still above its floor at the last lag measured (d = {d}): a lower bound, measure further")
        rule = "floor"
    else:
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold < math.inf:
            raise InputError(f"threshold must be 'floor' or a positive finite number of nats, got {threshold!r}")
        # The last lag above the threshold whose preceding lag is too, as for the floor: on a
        # flat, noisy curve (permuted images) the first dip below is not where dependence ends.
        y = curve.floor_removed
        above = np.nan_to_num(y, nan=-np.inf) >= threshold
        both = np.flatnonzero(above[1:] & above[:-1]) + 1
        if not above.any():
            d, reason = 1, f"the curve is below {threshold:g} nats at every lag"
        elif len(both) and both[-1] == len(y) - 1:
            d, reason = last, f"the curve is still above {threshold:g} nats at the last lag measured (d = {last}): a lower bound"
        else:
            i = int(both[-1]) if len(both) else int(np.flatnonzero(above)[0])
            d = int(curve.lags[i])
            reason = f"the floor-corrected curve stays above {threshold:g} nats up to d = {d}"
        rule = "fixed"
    # Any detected period caps the span, whatever law the envelope follows (Fashion-MNIST's is
    # exponential at every lag, periodic at 28).
    period = diagnosis.periodicity.period
    if period and period < d:
        d, reason = int(period), f"capped at the period {period} of the curve's peaks (the span reaches {d})"
    return max(1, d), reason, rule


def _envelope(curve: MICurve, max_dilation: int) -> tuple[np.ndarray, np.ndarray]:
    """log d and the log of the curve's non-increasing envelope up to the max dilation."""
    d = curve.lags.astype(np.float64)
    y = curve.floor_removed
    keep = (d <= max_dilation) & np.isfinite(y)
    d, y = d[keep], y[keep]
    positive = y[y > 0]
    tiny = positive.min() * 1e-3 if len(positive) else 1e-300
    env = np.minimum.accumulate(np.maximum(y, tiny))
    return np.log(d), np.log(env)


def _crossings_curve(curve: MICurve, max_dilation: int, n_layers: int) -> tuple[np.ndarray, np.ndarray]:
    x, g = _envelope(curve, max_dilation)
    if len(x) < 2:
        raise InputError("the curve has fewer than 2 lags up to the max dilation; measure more lags")
    levels = np.linspace(g[0], g[-1], n_layers)
    out = np.empty(n_layers)
    for k, level in enumerate(levels):
        i = int(np.argmax(g <= level + 1e-12))
        if i == 0:
            out[k] = math.exp(x[0])
            continue
        t = (g[i - 1] - level) / (g[i - 1] - g[i]) if g[i - 1] != g[i] else 1.0
        out[k] = math.exp(x[i - 1] + t * (x[i] - x[i - 1]))
    return np.exp(levels), out


def _crossings_law(fit, max_dilation: int, n_layers: int) -> tuple[np.ndarray, np.ndarray]:
    """Crossings of the fitted law; log I(d) of a (broken) power law is monotone, so bisection in log d."""
    top, bottom = (float(v) for v in np.log(fit.predict(np.array([1.0, float(max_dilation)]))))
    levels = np.linspace(top, bottom, n_layers)
    lo = np.zeros(n_layers)
    hi = np.full(n_layers, math.log(max_dilation))
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = np.log(fit.predict(np.exp(mid))) > levels
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    crossings = np.exp(0.5 * (lo + hi))
    crossings[0], crossings[-1] = 1.0, float(max_dilation)
    return np.exp(levels), crossings


def design_dilations(curve: MICurve, n_layers: int | None = None, *, threshold: str | float = "floor",
                     cap: int | None = None, diagnosis=None, read_from: str = "curve") -> DilationDesign:
    """Dilations for a DilatedRNN from a data set's decay curve.

    Parameters
    ----------
    curve
        The data's :class:`~midecay.MICurve` (with its shuffle floor, the default).
    n_layers
        Number of layers (dilations). Default: as many as the standard pattern up to the max
        dilation has, so the design has a standard twin of the same size.
    threshold
        ``"floor"`` (where the curve meets its noise floor) or a fixed threshold in nats (the
        paper: ``1e-5``).
    cap
        The longest dilation the model can use (a language model trained on windows of 256
        symbols sees nothing 1000 steps back); the max dilation is capped there.
    diagnosis
        The curve's :func:`~midecay.classify` result, if already computed.
    read_from
        Where the levels' crossings are read: ``"curve"`` (default: the measured, floor-removed
        curve's non-increasing envelope, as Mahalunkar & Kelleher read them; a fitted law's head
        can miss I(1) by 2.5x) or ``"fit"`` (the classified law). The other reading is kept in
        :attr:`DilationDesign.other_dilations` and the summary says how far they differ.

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import gaussian_sign
    >>> s = gaussian_sign(2000, 600, alpha=0.5, seed=0).symbols
    >>> design = design_dilations(midecay.mi_curve(s, midecay.log_lags(1, 500, 25), seed=0), n_layers=5)
    >>> design.kind, design.dilations[0], len(design.dilations)
    ('power_law', 1, 5)
    """
    from ..fitting import classify

    if not isinstance(curve, MICurve):
        raise InputError(f"design_dilations needs an MICurve, got {type(curve).__name__}")
    if n_layers is not None:
        check_int("n_layers", n_layers, 1, 4096)
    OneOf("curve", "fit").check("read_from", read_from)
    diagnosis = diagnosis if diagnosis is not None else classify(curve)
    max_d, reason, rule = _max_dilation(curve, diagnosis, threshold)
    if cap is not None:
        check_int("cap", cap, 1)
        if cap < max_d:
            max_d, reason = cap, f"capped at {cap}, the longest dilation the model can use ({reason})"
    kind = diagnosis.kind
    brk = None
    if kind == "no_dependence" or max_d == 1:
        return DilationDesign((1,), 1, reason, kind, "standard", (), (), "curve", None, rule, curve)
    if kind not in LEVEL_KINDS:
        dil = standard_up_to(max_d) if n_layers is None else geometric_dilations(max_d, n_layers)
        return DilationDesign(dil, max_d, reason, kind, "standard", (), (), "curve", None, rule, curve)
    layers = n_layers if n_layers is not None else len(standard_up_to(max_d))
    if layers == 1:
        return DilationDesign((1,), max_d, reason, kind, "levels", (), (), "curve", None, rule, curve)
    law_fit = diagnosis.fit.fits.get(diagnosis.law) if diagnosis.fit is not None and diagnosis.law else None
    readings = {"curve": _crossings_curve(curve, max_d, layers)}
    if law_fit is not None and not law_fit.degenerate:
        readings["fit"] = _crossings_law(law_fit, max_d, layers)
        if diagnosis.law == "broken_power_law":
            brk = float(law_fit.params["d_break"])
    source = read_from if read_from in readings else "curve"  # no usable law: the curve is all there is
    levels, crossings = readings[source]
    dil = _integer_dilations(crossings, max_d)
    others = [_integer_dilations(c, max_d) for name, (_, c) in readings.items() if name != source]
    return DilationDesign(dil, max_d, reason, kind, "levels", tuple(levels), tuple(crossings), source, brk, rule, curve,
                          others[0] if others else None)
