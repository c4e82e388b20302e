"""Grid searches over DilatedRNN dilations (the grid-search paper's experiments) on a real engine.

:class:`GridSpec` (TOML) lists the trials; :func:`run_grid` runs them with the ``local`` engine
(in order or in a process pool) or on Ray Tune, gathering rows into ``DIR/results.json``;
:class:`GridResult` ranks them. Spec, store and result need no torch; trials do.
"""

from .engines import ResultsStore, run_grid
from .result import GridResult, load_grid
from .spec import ENGINES, TASKS, GridSpec, TrainBudget, Trial

__all__ = ["ENGINES", "TASKS", "GridResult", "GridSpec", "ResultsStore", "TrainBudget", "Trial", "load_grid", "run_grid"]
