"""The L²M condition made concrete: a model's history state against the data's bipartite scaling.

Chen et al. (L²M) show that a model can carry the bipartite MI of blocks of length ``L/2`` only if the
size of its history state (what it keeps of the past to predict the next token) grows at least as
fast as ``I_BP(L/2; L) ~ L^beta``. Here the history state is counted in numbers kept at position ``L``:

- Elman RNN and GRU: ``depth * width``; LSTM: ``2 * depth * width`` (hidden and cell);
- DilatedRNN: each layer keeps its last ``dilation`` states: ``sum(dilations) * width`` (×2 for LSTM cells);
- Transformer: the key-value cache, ``2 * depth * kv_width * min(L, context)`` (``kv_width`` the width of
  the keys, ``width`` unless grouped-query attention shares them).

A fixed state grows as ``L^0``; a Transformer's cache as ``L^1`` up to its context, then ``L^0``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..results import Result, jsonable, require
from .result import BipartiteFit

__all__ = ["history_state", "l2m_condition", "L2MCondition", "RECURRENT"]

#: Architectures whose history state does not grow with the sequence.
RECURRENT = ("rnn", "gru", "lstm", "dilated")


def history_state(arch: str, length: int, *, width: int, depth: int = 1, context: int | None = None,
                  dilations: Iterable[int] = (), cell: str = "gru", kv_width: int | None = None) -> int:
    """Numbers a model keeps of the past to predict the token at position ``length`` (module docstring).

    >>> history_state("lstm", 1000, width=64, depth=2), history_state("transformer", 1000, width=64, depth=2, context=512)
    (256, 131072)
    """
    if length < 1 or width < 1 or depth < 1:
        raise InputError(f"length, width and depth must be positive; got {length}, {width}, {depth}")
    if arch in ("rnn", "gru"):
        return depth * width
    if arch == "lstm":
        return 2 * depth * width
    if arch == "dilated":
        dil = list(dilations) or [1] * depth
        return sum(dil) * width * (2 if cell == "lstm" else 1)
    if arch in ("transformer", "pretrained"):
        return 2 * depth * (kv_width or width) * min(length, context or length)
    raise InputError(f"unknown architecture {arch!r}; give one of rnn, gru, lstm, dilated, transformer, pretrained")


@dataclass(frozen=True, eq=False)
class L2MCondition(Result):
    """Each model's history state at each sequence length beside the data's ``I_BP ~ L^beta``.

    ``rows``: one per (model, length) with ``state`` and the data's ``I_BP`` there (nats, from the fit);
    ``exponents``: each model's growth exponent of its state over the lengths, and whether it keeps up
    with ``beta`` (``>= beta - 2 SE``).
    """

    FORMAT = "midecay.L2MCondition/1"

    beta: float
    beta_stderr: float
    amplitude: float
    rows: tuple[dict[str, Any], ...]
    exponents: dict[str, float] = field(default_factory=dict)

    def keeps_up(self, model: str) -> bool:
        """Whether the model's state grows at least as fast as the data's bipartite MI (within 2 SE of beta)."""
        return self.exponents[model] >= self.beta - 2 * self.beta_stderr

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"format": self.FORMAT, "beta": self.beta, "beta_stderr": self.beta_stderr,
                         "amplitude": self.amplitude, "rows": list(self.rows), "exponents": self.exponents})

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> L2MCondition:
        what = "L2M condition"
        return cls(float(require(data, "beta", (int, float), what)), float(require(data, "beta_stderr", (int, float), what)),
                   float(require(data, "amplitude", (int, float), what)), tuple(require(data, "rows", list, what)),
                   dict(require(data, "exponents", dict, what)))

    def table_rows(self) -> list[dict[str, Any]]:
        return list(self.rows)

    def _summary_text(self) -> str:
        lengths = sorted({r["length"] for r in self.rows})
        lines = [f"L2M condition: the data's I_BP(L/2; L) ~ L^beta, beta = {self.beta:.3f} ± {self.beta_stderr:.2g}",
                 f"  {'model':<34}" + "".join(f"{'L=' + str(n):>12}" for n in lengths) + f"{'growth':>9}  keeps up",
                 f"  {'data I_BP (nats)':<34}" + "".join(
                     f"{self.amplitude * (n / 2) ** self.beta:>12.3g}" for n in lengths)]
        for model, exponent in self.exponents.items():
            states = {r["length"]: r["state"] for r in self.rows if r["model"] == model}
            lines.append(f"  {model:<34}" + "".join(f"{states[n]:>12,}" for n in lengths)
                         + f"{'L^' + format(exponent, '.2g'):>9}  {'yes' if self.keeps_up(model) else 'no'}")
        lines.append("  state: numbers kept of the past (recurrent: fixed; Transformer: its key-value cache, up to its context)")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Each model's state size against ``L``, with the data's ``L^beta`` scaled to the first model's first point."""
        from ..results import new_axes

        ax = new_axes(ax)
        lengths = np.array(sorted({r["length"] for r in self.rows}), dtype=float)
        for model in self.exponents:
            ax.plot(lengths, [r["state"] for r in self.rows if r["model"] == model], "o-", ms=3, label=model)
        first = next(r["state"] for r in self.rows)
        ax.plot(lengths, first * (lengths / lengths[0]) ** self.beta, "k--", label=f"data: L^{self.beta:.2f}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("sequence length L")
        ax.set_ylabel("history state (numbers kept)")
        ax.legend(fontsize="small")
        return ax


def l2m_condition(fit: BipartiteFit, models: Mapping[str, Mapping[str, Any]], lengths: Iterable[int]) -> L2MCondition:
    """The models' history states (``models``: name -> :func:`history_state` keywords, ``arch`` among
    them) at each length, beside the data's bipartite scaling ``fit``.

    >>> from midecay.fitting.optimise import Estimate
    >>> fit = BipartiteFit(Estimate(0.5, 0.05), Estimate(0.1, 0.01), (1, 2, 4, 8))
    >>> c = l2m_condition(fit, {"LSTM 64": {"arch": "lstm", "width": 64},
    ...                         "Transformer 64": {"arch": "transformer", "width": 64, "depth": 2, "context": 4096}}, [64, 1024])
    >>> c.keeps_up("LSTM 64"), c.keeps_up("Transformer 64")
    (False, True)
    """
    lengths = sorted({int(n) for n in lengths})
    if len(lengths) < 2:
        raise InputError("give at least two sequence lengths to compare growth")
    rows, exponents = [], {}
    for name, spec in models.items():
        spec = dict(spec)
        arch = spec.pop("arch", None)
        if arch is None:
            raise InputError(f"model {name!r} lacks its 'arch'")
        states = [history_state(arch, n, **spec) for n in lengths]
        rows += [{"model": name, "length": n, "state": s} for n, s in zip(lengths, states)]
        exponents[name] = math.log(states[-1] / states[0]) / math.log(lengths[-1] / lengths[0])
    return L2MCondition(fit.beta.value, fit.beta.stderr, fit.amplitude.value, tuple(rows), exponents)
