"""The bipartite MI curve of a corpus (:class:`BipartiteCurve`) and its power law (:class:`BipartiteFit`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..fitting.optimise import Estimate
from ..micurve import MICurve
from ..results import Result, float_array, int_array, jsonable, new_axes, require

__all__ = ["BipartiteCurve", "BipartiteFit", "CAVEAT", "both_scalings"]

#: What the estimate is, said wherever it is shown.
CAVEAT = ("a model's reading: both terms are cross-entropies (upper bounds on the entropies), and their "
          "difference is not a bound on the MI; a model that uses its context less than the data allows reads low")


@dataclass(frozen=True)
class BipartiteFit:
    """``I_BP(ℓ) = A ℓ^beta`` fitted to a bipartite curve, with jackknife errors over document groups."""

    beta: Estimate
    amplitude: Estimate
    splits: tuple[int, ...]

    def describe(self) -> str:
        low, high = self.beta.interval()
        return (f"I_BP ~ {self.amplitude.value:.3g} l^beta, beta = {self.beta.value:.3f} [{low:.3f}, {high:.3f}] "
                f"(95 %, jackknife over document groups; l = {self.splits[0]}…{self.splits[-1]}, {len(self.splits)} splits)")


@dataclass(frozen=True, eq=False)
class BipartiteCurve(Result):
    """Bipartite MI ``I(x_1 … x_ℓ; x_{ℓ+1} … x_{2ℓ})`` at each split, from per-document cross-entropies.

    Attributes
    ----------
    splits
        The first-block lengths ``ℓ``.
    given, alone
        ``(n_documents, n_splits)``: each document's cross-entropy (nats) of its second block read
        after the first, and read alone (the first ``head_tokens`` from the corpus's h-gram entropy;
        :mod:`midecay.bipartite.estimate`).
    alone_model
        The second block read alone as the model reads it, without the head correction.
    n_groups
        Groups of whole documents left out by the jackknife (document ``i`` is in group ``i mod n_groups``).
    head_entropy, head_entropy_se
        Grassberger's entropy of the corpus's ``head_tokens``-grams and its error (NaN, 0 without).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> given = rng.normal(10, 1, (40, 3)); alone = given + [0.1, 0.2, 0.4] + rng.normal(0, 0.01, (40, 3))
    >>> c = BipartiteCurve(np.array([1, 2, 4]), given, alone, alone, 10, 0, math.nan, 0.0, "toy")
    >>> c.mi.round(1).tolist(), round(c.fit().beta.value, 1)
    ([0.1, 0.2, 0.4], 1.0)
    """

    FORMAT = "midecay.BipartiteCurve/1"

    splits: np.ndarray
    given: np.ndarray
    alone: np.ndarray
    alone_model: np.ndarray
    n_groups: int
    head_tokens: int
    head_entropy: float
    head_entropy_se: float
    scorer: str
    source: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    #: The two-point MI curve of the same tokens, where measured (:func:`both_scalings` draws the two).
    two_point: MICurve | None = None

    def __post_init__(self) -> None:
        splits = np.asarray(self.splits, dtype=np.int64)
        object.__setattr__(self, "splits", splits)
        for name in ("given", "alone", "alone_model"):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] != len(splits):
                raise InputError(f"bipartite curve: {name} must be documents x {len(splits)} splits, got shape {arr.shape}")
            object.__setattr__(self, name, arr)
        if not (self.given.shape == self.alone.shape == self.alone_model.shape):
            raise InputError("bipartite curve: given, alone and alone_model must have one shape")
        if not 2 <= self.n_groups <= len(self.given):
            raise InputError(f"bipartite curve: {len(self.given)} documents cannot make {self.n_groups} jackknife groups")

    # -- the estimate -------------------------------------------------------------------------
    @property
    def n_documents(self) -> int:
        return int(len(self.given))

    @property
    def per_document(self) -> np.ndarray:
        """Each document's term ``-log q(Y) + log q(Y | X)`` (nats)."""
        return self.alone - self.given

    @property
    def mi(self) -> np.ndarray:
        """The bipartite MI at each split (nats): the documents' mean term."""
        return self.per_document.mean(axis=0)

    @property
    def replicates(self) -> np.ndarray:
        """``(n_groups, n_splits)``: the mean with each group of documents left out."""
        terms = self.per_document
        group = np.arange(len(terms)) % self.n_groups
        return np.stack([terms[group != g].mean(axis=0) for g in range(self.n_groups)])

    @property
    def stderr(self) -> np.ndarray:
        """Delete-a-group jackknife error over documents, with the head entropy's error in quadrature."""
        rep = self.replicates
        g = len(rep)
        jack = np.sqrt((g - 1) / g * ((rep - rep.mean(axis=0)) ** 2).sum(axis=0))
        return np.sqrt(jack**2 + self.head_entropy_se**2)

    def cross_entropies(self) -> dict[str, np.ndarray]:
        """Mean cross-entropy per token (nats) of the second block read after the first, alone, and alone
        as the model reads it (before the head correction)."""
        per = {"given": self.given, "alone": self.alone, "alone_model": self.alone_model}
        return {k: v.mean(axis=0) / self.splits for k, v in per.items()}

    def fit(self, *, min_split: int | None = None, max_split: int | None = None) -> BipartiteFit:
        """``I_BP(ℓ) = A ℓ^beta`` by weighted least squares in log-log over the splits whose MI stands two
        errors above zero; beta's error from refitting each jackknife replicate."""
        y, se = self.mi, self.stderr
        keep = (y > 2 * se) & (self.splits >= (min_split or 0)) & (self.splits <= (max_split or np.iinfo(np.int64).max))
        if keep.sum() < 3:
            raise InputError(f"only {int(keep.sum())} splits have an MI two errors above zero; a power law needs 3: "
                             "give more documents or longer splits")
        x = np.log(self.splits[keep].astype(np.float64))
        w = (y[keep] / np.maximum(se[keep], 1e-300)) ** 2  # 1 / var(log I)

        def line(values: np.ndarray) -> tuple[float, float]:
            slope, intercept = np.polyfit(x, np.log(np.maximum(values, 1e-300)), 1, w=np.sqrt(w))
            return float(slope), float(intercept)

        beta, intercept = line(y[keep])
        reps = np.array([line(r[keep]) for r in self.replicates])
        g = len(reps)
        spread = np.sqrt((g - 1) / g * ((reps - reps.mean(axis=0)) ** 2).sum(axis=0))
        amplitude = math.exp(intercept)
        return BipartiteFit(Estimate(beta, float(spread[0])), Estimate(amplitude, amplitude * float(spread[1])),
                            tuple(int(s) for s in self.splits[keep]))

    # -- results protocol -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return jsonable({"format": self.FORMAT, "splits": self.splits, "given": self.given, "alone": self.alone,
                         "alone_model": self.alone_model, "n_groups": self.n_groups, "head_tokens": self.head_tokens,
                         "head_entropy": self.head_entropy, "head_entropy_se": self.head_entropy_se,
                         "scorer": self.scorer, "source": self.source, "provenance": self.provenance,
                         "mi": self.mi, "stderr": self.stderr,
                         "two_point": self.two_point.to_dict() if self.two_point is not None else None})

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> BipartiteCurve:
        what = "bipartite curve"
        splits = int_array(require(data, "splits", list, what), "splits", what)

        def rows(key: str) -> np.ndarray:
            values = require(data, key, list, what)
            return np.array([float_array(r, key, what, allow_nan=False) for r in values]).reshape(-1, len(splits))

        head = data.get("head_entropy")
        return cls(splits, rows("given"), rows("alone"), rows("alone_model"), require(data, "n_groups", int, what),
                   require(data, "head_tokens", int, what), math.nan if head is None else float(head),
                   float(require(data, "head_entropy_se", (int, float), what)), require(data, "scorer", str, what),
                   str(data.get("source", "")), dict(data.get("provenance") or {}),
                   MICurve.from_dict(require(data, "two_point", dict, what)) if data.get("two_point") is not None else None)

    def table_rows(self) -> list[dict[str, Any]]:
        ce = self.cross_entropies()
        return [{"split": int(s), "mi": float(m), "stderr": float(e), "given_per_token": float(g),
                 "alone_per_token": float(a), "alone_model_per_token": float(r)}
                for s, m, e, g, a, r in zip(self.splits, self.mi, self.stderr, ce["given"], ce["alone"], ce["alone_model"])]

    def _summary_text(self) -> str:
        lines = [f"bipartite MI I(x_1..x_l; x_l+1..x_2l) of {self.source or 'the documents'}, read by {self.scorer}",
                 f"  {self.n_documents} documents; errors: delete-a-group jackknife over {self.n_groups} groups of documents",
                 f"  {'l':>6} {'I_BP (nats)':>12} {'stderr':>9} {'H(Y|X)/tok':>11} {'H(Y)/tok':>9} {'model H(Y)/tok':>15}"]
        for r in self.table_rows():
            lines.append(f"  {r['split']:>6d} {r['mi']:>12.4g} {r['stderr']:>9.2g} {r['given_per_token']:>11.4g} "
                         f"{r['alone_per_token']:>9.4g} {r['alone_model_per_token']:>15.4g}")
        if self.head_tokens:
            lines.append(f"  H(Y) takes its first {self.head_tokens} token(s) from the corpus's {self.head_tokens}-gram entropy "
                         f"{self.head_entropy:.4g} ± {self.head_entropy_se:.2g} nats (Grassberger), not the model's start")
        try:
            lines.append("  " + self.fit().describe())
        except InputError as err:
            lines.append(f"  no power law fitted: {err}")
        lines.append(f"  note: {CAVEAT}")
        return "\n".join(lines)

    def plot(self, ax=None, *, label: str | None = None, color=None, fit: bool = True):
        """``I_BP`` against ``ℓ`` on log-log axes, ±1 SE bars, with the fitted power law. Without ``ax``, a
        curve that holds its two-point curve draws both scalings side by side (:func:`both_scalings`)."""
        if ax is None and self.two_point is not None:
            return both_scalings({label or self.source or self.scorer: self}).axes[0]
        ax = new_axes(ax)
        y, se = self.mi, self.stderr
        pos = y > 0
        hidden = int((~pos).sum())
        name = (label or self.source or self.scorer) + (f" ({hidden} split(s) <= 0 not shown)" if hidden and pos.any() else "")
        # On log axes a reading <= 0 (a model that does not use its context) cannot be drawn: all of
        # them on linear axes, else the positive ones with the rest counted in the legend.
        shown = pos if pos.any() else np.ones_like(pos)
        bars = ax.errorbar(self.splits[shown], y[shown], yerr=se[shown], fmt="o", ms=4, capsize=2, color=color, label=name)
        if fit:
            try:
                f = self.fit()
            except InputError:
                f = None
            if f is not None:
                xs = np.array([f.splits[0], f.splits[-1]], dtype=float)
                ax.plot(xs, f.amplitude.value * xs**f.beta.value, "--", color=bars[0].get_color(),
                        label=f"beta = {f.beta:.2f}")
        ax.set_xscale("log")
        if pos.any():
            ax.set_yscale("log")
        ax.set_xlabel("block length l")
        ax.set_ylabel("bipartite MI (nats), ±1 SE")
        ax.legend(fontsize="small")
        return ax


def both_scalings(bipartite: dict[str, BipartiteCurve]):
    """One figure of the two scalings (L²M's Figure 2): the bipartite MI against the block length on the
    left, the two-point MI curves of the same tokens (each curve's ``two_point``) on the right.
    Returns the figure."""
    import matplotlib.pyplot as plt

    two_point = {label: c.two_point for label, c in bipartite.items() if c.two_point is not None}
    panels = 2 if two_point else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.0), squeeze=False)
    for label, curve in bipartite.items():
        curve.plot(ax=axes[0, 0], label=label)
    axes[0, 0].set_title("bipartite: I(x_1..x_l; x_l+1..x_2l)", fontsize="small")
    if two_point:
        for label, curve in two_point.items():
            curve.plot(ax=axes[0, 1], label=label)
        axes[0, 1].set_title("two-point: I(x_t; x_t+d), same tokens", fontsize="small")
    fig.tight_layout()
    return fig
