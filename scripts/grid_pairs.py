"""Paired comparisons of named configurations of a finished grid, on shared seeds, Holm across them.

``grid show`` pairs every designed set with its standard twin and every configuration with the
best; a paper's own claims pair other sets (Table 3: each curve-informed model against the
standard one of the same size). Name them here: ``a:b`` is ``a - b``
(:meth:`~midecay.experiments.grid.result.GridResult.named_pairs`).

Usage: ``.venv/bin/python scripts/grid_pairs.py OUT A:B [A:B ...]``, e.g.
``scripts/grid_pairs.py out/grids/table3_cpu given-7x8:given-7x64 given-8x240:given-8x128``.
"""

from __future__ import annotations

import sys

from midecay.errors import InputError
from midecay.experiments.grid.result import load_grid


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[-1].strip(), file=sys.stderr)
        return 2
    grid = load_grid(argv[0])
    names = []
    for pair in argv[1:]:
        a, sep, b = pair.partition(":")
        if not sep:
            raise InputError(f"{pair!r}: give each pair as A:B (configuration names from `midecay grid show`)")
        names.append((a, b))
    pairs = grid.named_pairs(names)
    print(f"{grid.name}: {grid.metric}, a - b on shared seeds, 95 % t-interval, paired t-test, Holm across these pairs")
    for p in pairs:
        print(f"  {p['a']} - {p['b']}: {p['difference']:+.4f} over {p['n_seeds']} seeds "
              f"[{p['ci_low']:+.4f}, {p['ci_high']:+.4f}], p = {p['p_value']:.3g}, Holm {p['p_holm']:.3g}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
