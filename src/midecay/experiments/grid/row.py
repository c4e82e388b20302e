"""One row of a grid's results: what a trial was, what it gave, and how it ran.

The row is built by :func:`~.tasks.run_trial` (:func:`trial_row`), stamped with its engine by
:mod:`.engines` (:func:`stamped`) and read by :class:`~.result.GridResult`, which checks each row
of a results file against :class:`GridRow` when it loads (:func:`checked_row`). Rows stay plain
dicts on disk and in memory (JSON, Ray's reports); the ``TypedDict`` is their one declaration.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired from evaluated annotations only.
from typing import Any, Literal, NotRequired, TypedDict, get_type_hints

from ...errors import InputError
from ...results import require
from .spec import Trial

__all__ = ["GridRow", "METRICS", "RUN_KEYS", "TIMING_KEYS", "checked_row", "stamped", "trial_row"]

Metric = Literal["test_accuracy", "test_bpc"]

#: The metrics a trial reports: accuracy for classification (higher is better), bits per character
#: for language modelling (lower is better).
METRICS: tuple[str, ...] = ("test_accuracy", "test_bpc")


class GridRow(TypedDict):
    """A finished trial. ``key`` and the fields from ``task`` to ``residual`` are the :class:`~.spec.Trial`;
    ``metric`` names which of ``test_accuracy`` / ``test_bpc`` the row holds (``None``: training diverged)."""

    key: str
    task: str
    data: str
    cell: str
    width: int
    dilations: list[int]
    seed: int
    set_name: str
    role: str
    train: dict[str, Any]
    permute_seed: int | None
    threads: int
    residual: bool
    max_dilation: int
    layers: int
    metric: Metric
    test_accuracy: NotRequired[float | None]
    test_bpc: NotRequired[float | None]
    valid_bpc: NotRequired[float]
    train_loss: NotRequired[float]
    parameters: int
    epochs_run: int
    started_at: float
    seconds: float
    first_step_at: float | None
    first_step_s: float | None
    engine: NotRequired[str]
    engine_started_at: NotRequired[float]


#: Row fields that measure time: the only fields allowed to differ between runs of one trial.
TIMING_KEYS = ("seconds", "first_step_at", "first_step_s", "started_at", "engine_started_at")

#: Row fields that say how a trial ran (timings and the engine), not what it gave.
RUN_KEYS = (*TIMING_KEYS, "engine")

#: The fields a results file's rows must hold to be ranked and compared, with their types on disk;
#: the types are :class:`GridRow`'s (rows written by older versions may lack the others).
_READ_FIELDS = ("key", "metric", "seed", "set_name", "role", "dilations", "layers", "max_dilation", "width",
                "parameters", "seconds")
_ON_DISK = {int: int, str: str, float: (int, float), bool: bool}


def _disk_type(hint: Any) -> type | tuple[type, ...]:
    origin = getattr(hint, "__origin__", None)
    if origin is Literal:
        return str
    return _ON_DISK.get(hint, origin or hint)


ROW_FIELDS: dict[str, type | tuple[type, ...]] = {
    name: _disk_type(hint) for name, hint in get_type_hints(GridRow).items() if name in _READ_FIELDS}


def trial_row(trial: Trial, outcome: dict[str, Any], started: float, done: float) -> GridRow:
    """The row of ``trial``: its fields, the ``outcome`` of training (metric, size, ``first_step_at``) and
    the wall-clock times it started and finished."""
    outcome = dict(outcome)
    first = outcome.pop("first_step_at", None)
    row = {"key": trial.key, **trial.to_dict(), "max_dilation": trial.dilations[-1], "layers": len(trial.dilations),
           **outcome, "started_at": started, "seconds": done - started, "first_step_at": first,
           "first_step_s": (first - started) if first else None}
    return row  # type: ignore[return-value]


def stamped(row: GridRow, engine: str, engine_started_at: float) -> GridRow:
    """``row`` with the engine that ran it and when that engine's run began (its per-trial overhead)."""
    row["engine"] = engine
    row["engine_started_at"] = engine_started_at
    return row


def checked_row(row: Any, i: int) -> GridRow:
    """Row ``i`` of a results file, checked field by field: one line naming the first that is wrong."""
    what = f"grid result row {i + 1}"
    if not isinstance(row, dict):
        raise InputError(f"{what} is not a table; pass a file written by midecay grid")
    for name, kind in ROW_FIELDS.items():
        require(row, name, kind, what)
    if row["metric"] not in METRICS:
        raise InputError(f"{what}: unknown metric {row['metric']!r}; choose one of: {', '.join(METRICS)}")
    value = row.get(row["metric"], "missing")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise InputError(f"{what}: {row['metric']!r} must be a number or null (a diverged trial), got {value!r}")
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in row["dilations"]):
        raise InputError(f"{what}: 'dilations' must be a list of integers")
    return row
