"""The rows of a grid, ranked: the results protocol for grid records."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import InputError, InputNotFoundError
from ...results import Result, jsonable, new_axes, require

__all__ = ["GridResult", "load_grid"]


@dataclass(frozen=True, eq=False)
class GridResult(Result):
    """One row per finished trial; :meth:`ranked` orders them best first (accuracy up, bpc down)."""

    FORMAT = "midecay.GridResult/1"

    name: str
    rows: tuple[dict[str, Any], ...]

    @property
    def metric(self) -> str | None:
        return self.rows[0]["metric"] if self.rows else None

    def ranked(self) -> list[dict[str, Any]]:
        metric = self.metric
        if metric is None:
            return []
        sign = -1.0 if metric == "test_accuracy" else 1.0
        return sorted(self.rows, key=lambda r: (sign * r[metric], r["parameters"], r["key"]))

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"format": self.FORMAT, "name": self.name, "rows": list(self.rows)})

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> GridResult:
        rows = require(data, "rows", list, "grid result")
        for r in rows:
            if not isinstance(r, dict) or "key" not in r or "metric" not in r:
                raise InputError("grid result: every row needs 'key' and 'metric'; pass a file written by midecay grid")
        return cls(require(data, "name", str, "grid result"), tuple(rows))

    def table_rows(self) -> list[dict[str, Any]]:
        metric = self.metric
        return [{"rank": i + 1, "set": r["set_name"], "role": r["role"], "dilations": ",".join(map(str, r["dilations"])),
                 "layers": r["layers"], "max_dilation": r["max_dilation"], "width": r["width"], "seed": r["seed"],
                 "parameters": r["parameters"], metric: r[metric], "seconds": round(r["seconds"], 1)}
                for i, r in enumerate(self.ranked())]

    def summary(self) -> str:
        if not self.rows:
            return f"grid {self.name}: no finished trials"
        metric = self.metric
        lines = [f"grid {self.name}: {len(self.rows)} trials, ranked by {metric} ({'higher' if metric == 'test_accuracy' else 'lower'} is better)",
                 f"  {'#':>3} {'dilations':<42} {'width':>5} {'seed':>4} {'params':>9} {metric:>13} {'s':>6}  role"]
        for i, r in enumerate(self.ranked()):
            lines.append(f"  {i + 1:>3} {','.join(map(str, r['dilations'])):<42} {r['width']:>5} {r['seed']:>4} "
                         f"{r['parameters']:>9,} {r[metric]:>13.4f} {r['seconds']:>6.0f}  {r['role']}")
        return "\n".join(lines)

    def plot(self, ax=None):
        """The metric against the max dilation: one point a configuration (mean over its seeds, bars: their
        SD), one colour a role (designed, standard, given …), roles set side by side."""
        ax = new_axes(ax)
        metric = self.metric
        configs: dict[tuple, list] = {}  # one point a configuration: its mean over seeds, with their spread
        for r in self.rows:
            configs.setdefault((r["role"], r["set_name"], tuple(r["dilations"]), r["width"]), []).append(r[metric])
        roles = sorted({key[0] for key in configs})
        for k, role in enumerate(roles):
            mine = [(key, values) for key, values in configs.items() if key[0] == role]
            # Roles side by side around the shared max dilation, so none hides another's points.
            shift = 2 ** (0.06 * (k - (len(roles) - 1) / 2))
            x = [max(key[2]) * shift for key, _ in mine]
            y = [float(np.mean(v)) for _, v in mine]
            err = [float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for _, v in mine]
            ax.errorbar(x, y, yerr=err, fmt="o", alpha=0.85, capsize=2,
                        label=f"{role} ({len(mine)} configuration{'s' if len(mine) != 1 else ''})")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("max dilation")
        ax.set_ylabel(metric.replace("_", " ") if metric else "")
        ax.set_title(f"grid {self.name}", fontsize="small")
        ax.legend(frameon=False, fontsize="small")
        return ax


def load_grid(folder: str | os.PathLike) -> GridResult:
    """The rows gathered in a grid's ``--out`` folder (``results.json``)."""
    path = Path(folder) / "results.json"
    if not path.is_file():
        raise InputNotFoundError(f"{path} not found; pass the --out folder of `midecay grid run`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        name, rows = data["spec"]["grid"]["name"], data["rows"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path} is not a grid results file") from None
    return GridResult.from_dict({"format": GridResult.FORMAT, "name": name, "rows": rows})
