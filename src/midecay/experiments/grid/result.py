"""The rows of a grid, ranked: the results protocol for grid records."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._parsing import parse_json
from ...comparison import holm_adjusted, t_interval
from ...errors import InputError, InputNotFoundError
from ...results import Result, jsonable, new_axes, require
from .row import GridRow, checked_row

__all__ = ["GridResult", "load_grid"]


@dataclass(frozen=True, eq=False)
class GridResult(Result):
    """One row per finished trial; :meth:`ranked` orders them best first (accuracy up, bpc down)."""

    FORMAT = "midecay.GridResult/1"

    name: str
    rows: tuple[GridRow, ...]

    @property
    def metric(self) -> str | None:
        return self.rows[0]["metric"] if self.rows else None

    def ranked(self) -> list[GridRow]:
        """Rows best first; a trial whose metric is null (training diverged) last."""
        metric = self.metric
        if metric is None:
            return []
        sign = -1.0 if metric == "test_accuracy" else 1.0
        return sorted(self.rows, key=lambda r: (r[metric] is None, sign * (r[metric] or 0.0), r["parameters"], r["key"]))

    @property
    def higher_is_better(self) -> bool:
        return self.metric == "test_accuracy"

    def configurations(self, level: float = 0.95) -> list[dict[str, Any]]:
        """One entry a configuration (dilation set and width), best mean first: its seeds, the metric's
        mean over them and a ``level`` t-interval (NaN bounds with one seed: nothing is resolved)."""
        metric = self.metric
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for r in self.rows:
            groups.setdefault(_config_key(r), []).append(r)
        widths = {key[1] for key in groups}
        out = []
        for (name, width), rows in groups.items():
            values = {int(r["seed"]): math.nan if r[metric] is None else float(r[metric]) for r in rows}
            mean, low, high = t_interval(np.array(list(values.values())), level)
            # The metric's own range bounds the interval: an accuracy lies in [0, 1], bits per character above 0.
            low, high = max(low, 0.0), (min(high, 1.0) if metric == "test_accuracy" else high)
            out.append({"name": name if len(widths) == 1 else f"{name} w{width}", "set": name, "width": width,
                        "role": rows[0]["role"], "dilations": list(rows[0]["dilations"]), "n_seeds": len(values),
                        "mean": mean, "ci_low": low, "ci_high": high, "seeds": values})
        sign = -1.0 if self.higher_is_better else 1.0
        return sorted(out, key=lambda c: (math.isnan(c["mean"]), sign * np.nan_to_num(c["mean"]), c["name"]))

    def pairs(self, level: float = 0.95) -> list[dict[str, Any]]:
        """Paired comparisons on shared seeds: every designed set against its standard twin (same layers,
        same width; a given set with the standard pattern 1, 2, 4, ... stands in for it), then every
        other configuration against the best. Each: the mean of ``a - b`` over
        the shared seeds, its ``level`` t-interval, a two-sided paired t-test's p-value and its Holm-adjusted
        value across all pairs listed (NaN where fewer than two seeds are shared)."""
        configs = self.configurations(level)
        if len(configs) < 2:
            return []
        wanted: list[tuple[dict, dict]] = []
        for c in configs:
            if c["role"] == "designed":
                # The twin: the standard pattern 1, 2, 4, ... of the same layers and width. A spec
                # that also lists that pattern keeps it once, as "given" (sets are deduplicated).
                standard = [2**i for i in range(len(c["dilations"]))]
                same_size = [t for t in configs if t["width"] == c["width"] and len(t["dilations"]) == len(c["dilations"])]
                twin = next((t for t in same_size if t["role"] == "standard twin"),
                            next((t for t in same_size if list(t["dilations"]) == standard), None))
                if twin is not None:
                    wanted.append((c, twin))
        best = configs[0]
        done = {frozenset((a["name"], b["name"])) for a, b in wanted}
        wanted += [(c, best) for c in configs[1:] if frozenset((c["name"], best["name"])) not in done]
        return _paired(wanted, level)

    def named_pairs(self, names: list[tuple[str, str]], level: float = 0.95) -> list[dict[str, Any]]:
        """:meth:`pairs`' comparisons for the configurations named (``(a, b)``: ``a - b``), Holm across
        them: a paper's own claims pair sets that :meth:`pairs` does not (Table 3: each curve-informed
        model against the standard one of its size)."""
        configs = {c["name"]: c for c in self.configurations(level)}
        for a, b in names:
            if a not in configs or b not in configs:
                raise InputError(f"no configuration {a if a not in configs else b!r} in grid {self.name}; "
                                 f"choose among: {', '.join(sorted(configs))}")
        return _paired([(configs[a], configs[b]) for a, b in names], level)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"format": self.FORMAT, "name": self.name, "rows": list(self.rows)})

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> GridResult:
        rows = require(data, "rows", list, "grid result")
        return cls(require(data, "name", str, "grid result"), tuple(checked_row(r, i) for i, r in enumerate(rows)))

    def table_rows(self) -> list[dict[str, Any]]:
        metric = self.metric
        return [{"rank": i + 1, "set": r["set_name"], "role": r["role"], "dilations": ",".join(map(str, r["dilations"])),
                 "layers": r["layers"], "max_dilation": r["max_dilation"], "width": r["width"], "seed": r["seed"],
                 "parameters": r["parameters"], metric: r[metric], "seconds": round(r["seconds"], 1)}
                for i, r in enumerate(self.ranked())]

    def _summary_text(self) -> str:
        if not self.rows:
            return f"grid {self.name}: no finished trials"
        metric = self.metric
        configs = self.configurations()
        better = "higher" if self.higher_is_better else "lower"
        lines = [f"grid {self.name}: {len(self.rows)} trials in {len(configs)} configurations, {metric} ({better} is better; "
                 "mean over seeds, 95 % t-interval)",
                 f"  {'#':>3} {'configuration':<24} {'dilations':<38} {'seeds':>5} {'mean':>9} {'95 % interval':>21}  role"]
        for i, c in enumerate(configs):
            interval = "unresolved (1 seed)" if c["n_seeds"] < 2 else f"[{c['ci_low']:.4f}, {c['ci_high']:.4f}]"
            lines.append(f"  {i + 1:>3} {c['name']:<24} {','.join(map(str, c['dilations'])):<38} {c['n_seeds']:>5} "
                         f"{c['mean']:>9.4f} {interval:>21}  {c['role']}")
        pairs = self.pairs()
        if max(c["n_seeds"] for c in configs) < 2:
            lines.append("  one seed per configuration: no ranking is resolved; add seeds to the spec (grid.seeds) to "
                         "compare configurations")
        elif pairs:
            lines.append("  paired on shared seeds (a - b; Holm across the pairs below):")
            for p in pairs:
                if p["n_seeds"] < 2:
                    verdict = f"unresolved ({p['n_seeds']} shared seed)"
                else:
                    verdict = ("resolved" if p["p_holm"] <= 0.05 else "unresolved") + (
                        f": [{p['ci_low']:+.4f}, {p['ci_high']:+.4f}], p = {p['p_value']:.3g}, Holm {p['p_holm']:.3g}")
                lines.append(f"    {p['a']} - {p['b']}: {p['difference']:+.4f} over {p['n_seeds']} seeds, {verdict}")
        lines.append("  trials: `grid show --json` lists every row (key 'ranked')")
        return "\n".join(lines)

    def plot(self, ax=None):
        """The metric against the max dilation: one point a configuration (mean over its seeds, bars: the
        95 % t-interval of that mean, the table's, none with one seed), one colour a role (designed,
        standard, given …), roles set side by side."""
        ax = new_axes(ax)
        configs = self.configurations()
        roles = sorted({c["role"] for c in configs})
        for k, role in enumerate(roles):
            mine = [c for c in configs if c["role"] == role]
            # Roles side by side around the shared max dilation, so none hides another's points.
            shift = 2 ** (0.06 * (k - (len(roles) - 1) / 2))
            x = [max(c["dilations"]) * shift for c in mine]
            y = [c["mean"] for c in mine]
            below = [c["mean"] - c["ci_low"] if c["n_seeds"] > 1 else 0.0 for c in mine]
            above = [c["ci_high"] - c["mean"] if c["n_seeds"] > 1 else 0.0 for c in mine]
            ax.errorbar(x, y, yerr=[below, above], fmt="o", alpha=0.85, capsize=2,
                        label=f"{role} ({len(mine)} configuration{'s' if len(mine) != 1 else ''})")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("max dilation")
        ax.set_ylabel((self.metric or "").replace("_", " ") + " (mean over seeds, bars: 95 % t-interval)")
        ax.set_title(f"grid {self.name}", fontsize="small")
        ax.legend(frameon=False, fontsize="small")
        return ax


def _paired(wanted: list[tuple[dict, dict]], level: float) -> list[dict[str, Any]]:
    """Each ``(a, b)``: the mean of ``a - b`` on shared seeds, its t-interval, a paired t-test, Holm across all."""
    out = []
    for a, b in wanted:
        shared = sorted(set(a["seeds"]) & set(b["seeds"]))
        diff = np.array([a["seeds"][s] - b["seeds"][s] for s in shared])
        mean, low, high = t_interval(diff, level)
        out.append({"a": a["name"], "b": b["name"], "n_seeds": len(shared), "difference": mean,
                    "ci_low": low, "ci_high": high, "p_value": _paired_p(diff)})
    adjusted = holm_adjusted(np.array([p["p_value"] for p in out]))
    for p, q in zip(out, adjusted):
        p["p_holm"] = float(q)
    return out


def _config_key(row: GridRow) -> tuple[str, int]:
    return str(row["set_name"]), int(row["width"])


def _paired_p(diff: np.ndarray) -> float:
    """Two-sided p-value of a paired t-test on the differences (NaN for fewer than two; 1 when all are equal)."""
    from scipy.stats import t

    n = len(diff)
    if n < 2:
        return math.nan
    sd = float(diff.std(ddof=1))
    if sd == 0:
        return 1.0 if float(diff.mean()) == 0 else 0.0
    stat = float(diff.mean()) / (sd / math.sqrt(n))
    return float(2 * t.sf(abs(stat), n - 1))


def load_grid(folder: str | os.PathLike) -> GridResult:
    """The rows gathered in a grid's ``--out`` folder (``results.json``)."""
    path = Path(folder) / "results.json"
    if not path.is_file():
        raise InputNotFoundError(f"{path} not found; pass the --out folder of `midecay grid run`")
    data = parse_json(path.read_bytes(), str(path), "pass the --out folder of `midecay grid run`")
    try:
        name, rows = data["spec"]["grid"]["name"], data["rows"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path} is not a grid results file") from None
    return GridResult.from_dict({"format": GridResult.FORMAT, "name": name, "rows": rows})
