"""Engines that run a grid's trials and gather their rows into one results file.

Both engines take the same :class:`~.spec.GridSpec`, run :func:`~.tasks.run_trial` on every
trial the results file does not hold yet, and append each finished row to
``DIR/results.json`` atomically (rewritten whole through a temporary file and a rename), so an
interrupted run loses at most the trials that were running, and running again skips what is done.

* ``local``: trials one after another, or in a pool of ``workers`` processes;
* ``ray``: each trial a Ray Tune trial with ``cpus_per_trial`` CPUs, on a running cluster
  (``address``) or a local Ray; Tune's experiment folders are under ``DIR/ray``, one new folder
  a run. A run resumes from ``results.json`` alone: Tune's own restore unpickles the folder's
  ``tuner.pkl``, and a results folder is something people hand each other, so nothing in it is
  ever unpickled (a folder left by an earlier run is not read).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..._io import write_atomic
from ..._locks import output_held
from ..._parsing import parse_json
from ...errors import InputError, MissingExtraError
from ...results import describe_differences, differences
from .row import GridRow, stamped
from .spec import GridSpec, Trial

__all__ = ["ResultsStore", "run_grid"]

log = logging.getLogger(__name__)


#: The results file's format; /2 split a classification grid's images by the named stream
#: ``grid-image-split`` (/1 by a fixed seed), so /1 classification rows are not resumed.
RESULTS_FORMAT = "midecay.GridResults/2"


class ResultsStore:
    """``DIR/results.json``: the spec and one row per finished trial, keyed by the trial's hash."""

    def __init__(self, folder: str | os.PathLike, spec: GridSpec) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "results.json"
        self.spec = spec
        self.rows: dict[str, GridRow] = {}
        if self.path.exists():
            data = parse_json(self.path.read_bytes(), str(self.path), "choose another --out folder")
            try:
                rows = data["rows"]
            except (OSError, ValueError, KeyError, TypeError):
                raise InputError(f"{self.path} is not a grid results file; choose another --out folder") from None
            if data.get("format") == "midecay.GridResults/1" and spec.task == "classify":
                raise InputError(f"{self.path} was written by an older midecay, whose classification trials split "
                                 "the images differently; its rows cannot be ranked with new ones: choose another "
                                 "--out folder")
            differ = differences(data.get("spec"), json.loads(json.dumps(spec.to_dict())))
            if differ:
                raise InputError(f"{self.path} holds the results of another grid spec ({describe_differences(differ)}); "
                                 "one folder holds one spec: choose another output folder, or restore those settings")
            self.rows = {r["key"]: r for r in rows}

    def done(self, trial: Trial) -> bool:
        return trial.key in self.rows

    def add(self, row: GridRow) -> None:
        self.rows[row["key"]] = row
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {"format": RESULTS_FORMAT, "spec": self.spec.to_dict(), "rows": list(self.rows.values())}
        write_atomic(self.path, json.dumps(payload, indent=1), overwrite=True)


def _local(pending: list[Trial], workers: int, on_row: Callable) -> None:
    from .tasks import run_trial

    if workers <= 1:
        for trial in pending:
            on_row(run_trial(trial))
        return
    import concurrent.futures as cf
    import multiprocessing

    # spawn: a forked torch with live threads can deadlock; each worker starts clean.
    with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_trial, t.to_dict()) for t in pending]
        try:
            for fut in cf.as_completed(futures):
                on_row(fut.result())
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _ray(pending: list[Trial], store: ResultsStore, cpus_per_trial: int, address: str | None, on_row: Callable) -> None:
    # Ray Tune's new console output prints tables on stdout, which --json keeps for the result.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    try:
        from ray import tune
    except ImportError:
        raise MissingExtraError("the ray engine needs Ray Tune; `pip install midecay[grid]`") from None
    from ...counting.ray_engine import ray_session
    from .tasks import run_trial

    def trainable(config: dict[str, Any]) -> None:
        tune.report({"row_json": json.dumps(run_trial(config["trial"]))})

    class Gather(tune.Callback):
        """Each finished trial's row reaches the results file as it arrives (on the driver)."""

        def on_trial_result(self, iteration, trials, trial, result, **info):  # noqa: ANN001
            if "row_json" in result:
                on_row(json.loads(result["row_json"]))

    with ray_session(address):
        storage = (store.folder / "ray").resolve()
        remaining = [t for t in pending if not store.done(t)]
        if not remaining:
            return
        # A fresh experiment name each run: an earlier run's folder (and any pickle in it) is never restored.
        name = f"grid-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        runnable = tune.with_resources(trainable, {"cpu": cpus_per_trial})
        run_config = tune.RunConfig(storage_path=str(storage), name=name, callbacks=[Gather()], verbose=0)
        tuner = tune.Tuner(runnable, param_space={"trial": tune.grid_search([t.to_dict() for t in remaining])},
                           run_config=run_config)
        for result in tuner.fit():  # rows the callback did not see
            metrics = result.metrics or {}
            if "row_json" in metrics:
                row = json.loads(metrics["row_json"])
                if row["key"] not in store.rows:
                    on_row(row)


def run_grid(spec: GridSpec, out: str | os.PathLike, *, engine: str = "local", workers: int = 1, cpus_per_trial: int = 1,
             address: str | None = None, design=None, progress: bool = False):
    """Run every unfinished trial of ``spec`` with ``engine``; returns the :class:`~.result.GridResult` of ``out``.

    Examples
    --------
    >>> from midecay.experiments.grid import GridSpec, run_grid
    >>> spec = GridSpec.from_dict({"grid": {"name": "doc", "task": "classify", "data": "mnist-5k",
    ...     "widths": [4], "dilations": [[1, 2]]}, "train": {"n_train": 50, "n_test": 50, "batch": 25}})
    >>> import tempfile
    >>> result = run_grid(spec, tempfile.mkdtemp())
    >>> len(result.rows), 0 <= result.rows[0]["test_accuracy"] <= 1
    (1, True)
    """
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; choose local or ray")
    with output_held(out):  # two runs into one folder: the second refuses rather than both rewriting results.json
        return _run_held(spec, out, engine, workers, cpus_per_trial, address, design, progress)


def _run_held(spec: GridSpec, out: str | os.PathLike, engine: str, workers: int, cpus_per_trial: int,
              address: str | None, design, progress: bool):
    from ..._progress import counter
    from .result import GridResult

    store = ResultsStore(out, spec)
    trials = spec.trials(design)
    pending = [t for t in trials if not store.done(t)]
    log.info("grid %s: %d trials, %d finished, %d to run on %s", spec.name, len(trials), len(trials) - len(pending),
             len(pending), engine)
    t0 = time.time()
    bar = counter(len(pending), f"grid {spec.name}", progress, unit="trial")

    def on_row(row: GridRow) -> None:
        store.add(stamped(row, engine, t0))
        bar.update(1)
        metric = row.get("metric")  # GridRow names which metric it holds
        log.info("grid %s: trial %d of %d done in %.0f s (%s, width %s, seed %s)%s", spec.name,
                 len([t for t in pending if store.done(t)]), len(pending), row.get("seconds", float("nan")),
                 row.get("set_name"), row.get("width"), row.get("seed"),
                 f": {metric} {row[metric]:.4g}" if isinstance(row.get(metric), (int, float)) else "")

    try:
        if pending and engine == "local":
            _local(pending, workers, on_row)
        elif pending:
            _ray(pending, store, cpus_per_trial, address, on_row)
    finally:
        bar.close()
    keys = {t.key for t in trials}
    return GridResult(spec.name, tuple(r for r in store.rows.values() if r["key"] in keys))
