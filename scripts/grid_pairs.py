"""Paired comparisons of named configurations of a finished grid, on shared seeds, Holm across them.

``grid show`` pairs every designed set with its standard twin and every configuration with the
best; a paper's own claims pair other sets (Table 3: each curve-informed model against the
standard one of the same size). Name them here: ``a:b`` is ``a - b``.

Usage: ``.venv/bin/python scripts/grid_pairs.py OUT A:B [A:B ...]``, e.g.
``scripts/grid_pairs.py out/grids/table3_cpu given-7x8:given-7x64 given-8x240:given-8x128``.
"""

from __future__ import annotations

import sys

import numpy as np

from midecay.comparison import holm_adjusted
from midecay.errors import InputError
from midecay.experiments.grid.result import _paired_p, load_grid, t_interval


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[-1].strip(), file=sys.stderr)
        return 2
    grid = load_grid(argv[0])
    configs = {c["name"]: c for c in grid.configurations()}
    rows = []
    for pair in argv[1:]:
        a, sep, b = pair.partition(":")
        if not sep or a not in configs or b not in configs:
            raise InputError(f"{pair!r}: give A:B with two of: {', '.join(sorted(configs))}")
        shared = sorted(set(configs[a]["seeds"]) & set(configs[b]["seeds"]))
        diff = np.array([configs[a]["seeds"][s] - configs[b]["seeds"][s] for s in shared])
        mean, low, high = t_interval(diff, 0.95)
        rows.append((a, b, len(shared), mean, low, high, _paired_p(diff)))
    holm = holm_adjusted(np.array([r[-1] for r in rows]))
    print(f"{grid.name}: {grid.metric}, a - b on shared seeds, 95 % t-interval, paired t-test, Holm across these pairs")
    for (a, b, n, mean, low, high, p), q in zip(rows, holm):
        print(f"  {a} - {b}: {mean:+.4f} over {n} seeds [{low:+.4f}, {high:+.4f}], p = {p:.3g}, Holm {q:.3g}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
