"""Running one trial of a grid (PyTorch): sequence classification or character language modelling.

:func:`run_trial` is a pure function of its :class:`~.spec.Trial`: it seeds everything, sets its
own thread count, and returns one results row, so the local engine and Ray give the same rows.
Rows hold the trial, the metric (``test_accuracy`` or ``test_bpc``), the parameter count and
timings (``seconds``; ``first_step_at``, the wall-clock time of the first optimiser step, from
which the engines' per-trial overhead is measured).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...rng import named_stream
from .row import GridRow, trial_row
from .spec import Trial

__all__ = ["run_trial"]

def _image_split(trial: Trial) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training and test images and labels, the same for every trial of a grid."""
    from ...datasets import labelled_images
    from ...errors import InputError

    b = trial.train
    rng = named_stream(0, "grid-image-split")  # one split, whatever the trial's seed: every trial sees the same images
    if trial.data == "mnist-5k":  # one split of 5000 (sorted by label): shuffle, then cut train | test
        x, y = labelled_images(trial.data, "train", permute_seed=trial.permute_seed)
        if b.n_train + b.n_test > len(y):
            raise InputError(f"train.n_train + train.n_test = {b.n_train + b.n_test} exceeds the {len(y)} images of {trial.data}")
        order = rng.permutation(len(y))
        tr, te = order[: b.n_train], order[b.n_train : b.n_train + b.n_test]
        return x[tr], y[tr], x[te], y[te]
    x, y = labelled_images(trial.data, "train", permute_seed=trial.permute_seed)
    xt, yt = labelled_images(trial.data, "test", permute_seed=trial.permute_seed)
    tr = rng.permutation(len(y))[: b.n_train]
    te = rng.permutation(len(yt))[: b.n_test]
    return x[tr], y[tr], xt[te], yt[te]


def _classify(trial: Trial) -> dict[str, Any]:
    import torch

    from ...models.classifier import DilatedClassifier
    from ...models.classifying import accuracy, as_inputs, train_classifier

    b = trial.train
    xtr, ytr, xte, yte = _image_split(trial)
    xtr_t, xte_t = as_inputs(xtr, xte)
    torch.manual_seed(trial.seed)
    model = DilatedClassifier(trial.cell, trial.width, trial.dilations, n_classes=int(max(ytr.max(), yte.max())) + 1,
                              residual=trial.residual)
    run = train_classifier(model, xtr_t, torch.from_numpy(ytr), epochs=b.epochs, batch=b.batch, optimizer=b.optimizer,
                           lr=b.lr, clip=b.clip, time_budget=b.time_budget, seed=trial.seed)
    return {"metric": "test_accuracy", "test_accuracy": accuracy(run.model, xte_t, torch.from_numpy(yte)),
            "train_loss": run.train_loss, "parameters": model.n_parameters(), "epochs_run": run.epochs_run,
            "first_step_at": run.first_step_at}


def _slice(symbols, n: int):
    """The first ``n`` symbols as one segment."""
    from ...sequences import Symbols

    n = min(n, symbols.n_symbols)
    return Symbols(symbols.codes[:n], symbols.alphabet, [0, n], symbols.description)


def _charlm(trial: Trial) -> dict[str, Any]:
    from ...errors import InputError
    from ...models import ModelConfig, TrainConfig, train
    from ...models.training import LN2, evaluate_loss
    from ...opening import open_source
    from ...sequences import Symbols

    b = trial.train
    base = trial.data
    split = (lambda s: f"{base}/{s}") if base.startswith("dataset:") and "/" not in base else None
    full = open_source(split("train") if split else base)
    train_part = _slice(full, b.symbols)
    if split:
        valid = _slice(open_source(split("valid")).in_alphabet(full.alphabet), b.eval_symbols)
        test = _slice(open_source(split("test")).in_alphabet(full.alphabet), b.eval_symbols)
    else:  # one source: the next slices after the training slice
        n = train_part.n_symbols
        rest = full.codes[n : n + 2 * b.eval_symbols]
        half = len(rest) // 2
        if half < b.bptt + 1:
            raise InputError(f"{base} has too few symbols after the training slice for validation and test; lower train.symbols")
        valid = Symbols(rest[:half], full.alphabet, [0, half])
        test = Symbols(rest[half : 2 * half], full.alphabet, [0, half])
    model_cfg = ModelConfig("dilated", vocab_size=full.alphabet_size, width=trial.width, embedding=b.embedding,
                            dilations=trial.dilations, cell=trial.cell, seed=trial.seed, residual=trial.residual)
    cfg = TrainConfig(mode="windows", epochs=b.epochs, batch=b.batch, bptt=b.bptt, optimizer=b.optimizer, lr=b.lr,
                      clip=b.clip, steps_per_epoch=b.steps_per_epoch, time_budget=b.time_budget, seed=trial.seed,
                      patience=max(1, b.epochs))
    ck = train(model_cfg, train_part, valid=valid, config=cfg)
    test_bpc = evaluate_loss(ck.model, test, "windows", cfg) / LN2
    return {"metric": "test_bpc", "test_bpc": test_bpc, "valid_bpc": ck.extra["best_valid_bps"],
            "parameters": ck.model.n_parameters(), "epochs_run": len(ck.history),
            "first_step_at": ck.extra.get("first_step_at")}


def run_trial(trial: Trial | dict[str, Any]) -> GridRow:
    """Train and test one trial; returns its results row (the trial's fields, metric, size, timings).

    The same trial gives the same row, timings aside (:data:`~.row.TIMING_KEYS`), in any process:
    seeds are the trial's and torch runs on ``trial.threads`` threads.
    """
    import torch

    trial = trial if isinstance(trial, Trial) else Trial.from_dict(trial)
    started = time.time()
    threads = torch.get_num_threads()
    torch.set_num_threads(trial.threads)
    try:
        out = _classify(trial) if trial.task == "classify" else _charlm(trial)
    finally:
        torch.set_num_threads(threads)
    return trial_row(trial, out, started, time.time())
