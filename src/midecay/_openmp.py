"""Passive waiting for the OpenMP runtimes midecay starts (numba's ``omp`` layer, torch).

libgomp's threads spin between parallel regions unless ``OMP_WAIT_POLICY=PASSIVE``. On a
machine shared with other work, a spinning thread holds a core that the region's other thread
needs, and a curve ran 4-40x slower on two threads than on one (``benchmarks/bench_busy.py``).
Passive waiting costs nothing measurable on a quiet machine. The runtime reads the variable
once, when it loads (numba: the first parallel kernel; torch: its import), so it is set here,
on ``import midecay``, before either; a value the user set is kept.
"""

from __future__ import annotations

import os

#: The policy set when the user set none.
DEFAULT_WAIT_POLICY = "PASSIVE"

os.environ.setdefault("OMP_WAIT_POLICY", DEFAULT_WAIT_POLICY)
