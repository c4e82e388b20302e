"""The grid-search paper's experiment design around a curve-informed set of dilations.

Its Table 3 pairs each curve-informed model with a standard-pattern twin of the same number
of layers, hence the same number of parameters (a DilatedRNN's size does not depend on its
dilations): models 1/4, 2/5, 3/6. Its Tables 1-2 sweep the max dilation of the standard pattern
past the span of the data. :func:`matched_grid` writes down both.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..micurve import MICurve
from .dilations import (
    DilationDesign,
    design_dilations,
    standard_dilations,
    standard_up_to,
)

__all__ = ["DilationSet", "matched_grid"]


@dataclass(frozen=True)
class DilationSet:
    """One entry of a grid: its name, dilations, role (``designed``, ``standard twin``, ``max sweep``) and twin."""

    name: str
    dilations: tuple[int, ...]
    role: str
    twin: str | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "dilations": list(self.dilations), "role": self.role, "twin": self.twin}


def _name(prefix: str, dilations: tuple[int, ...]) -> str:
    return f"{prefix}-{len(dilations)}x{dilations[-1]}"


def matched_grid(design: DilationDesign | MICurve, layers: tuple[int, ...] | None = None, *,
                 sweep: bool = True, threshold: str | float = "floor", cap: int | None = None) -> tuple[DilationSet, ...]:
    """Curve-informed dilation sets, each with a standard twin of equal size, plus a max-dilation sweep.

    Parameters
    ----------
    design
        A :class:`DilationDesign` (its curve is reused for other layer counts) or the curve itself.
    layers
        Layer counts of the curve-informed sets (Table 3: 7, 8, 12). Default: the design's own.
    threshold, cap
        As in :func:`~midecay.design.design_dilations`, for the layer counts designed here.
    sweep
        Add the standard patterns 1, 2, …, 2^k whose max dilation runs from the largest power
        of two up to a quarter of the designed max to the largest up to four times it, and the standard pattern ending exactly at it (Tables 1-2).

    Examples
    --------
    >>> import midecay
    >>> from midecay.synth import gaussian_sign
    >>> c = midecay.mi_curve(gaussian_sign(2000, 600, alpha=0.5, seed=0).symbols, midecay.log_lags(1, 500, 25), seed=0)
    >>> [s.role for s in matched_grid(design_dilations(c, 6), sweep=False)]
    ['designed', 'standard twin']
    """
    curve = design if isinstance(design, MICurve) else design.curve
    base = design if isinstance(design, DilationDesign) else design_dilations(curve, threshold=threshold, cap=cap)
    counts = tuple(layers) if layers is not None else (base.n_layers,)
    out: list[DilationSet] = []
    seen: set[tuple[int, ...]] = set()

    def add(entry: DilationSet) -> None:
        if entry.dilations not in seen:
            seen.add(entry.dilations)
            out.append(entry)

    for n in counts:
        if n == base.n_layers:
            designed = base
        elif curve is None:
            raise InputError("this design carries no curve; pass the curve to design other layer counts")
        else:
            designed = design_dilations(curve, n, threshold=threshold, cap=cap)
        twin = standard_dilations(n)
        d_name, t_name = _name("designed", designed.dilations), _name("standard", twin)
        if designed.dilations == twin:
            add(DilationSet(t_name, twin, "standard twin"))
            continue
        add(DilationSet(d_name, designed.dilations, "designed", t_name))
        add(DilationSet(t_name, twin, "standard twin", d_name))
    if sweep:
        top = base.max_dilation
        k = 0
        while (1 << k) <= 4 * top:
            if (1 << (k + 1)) * 4 > top and k >= 1:  # from the largest power of two <= top / 4
                add(DilationSet(_name("standard", standard_dilations(k + 1)), standard_dilations(k + 1), "max sweep"))
            k += 1
        exact = standard_up_to(top)
        add(DilationSet(_name("standard", exact), exact, "max sweep"))
    return tuple(out)
