"""Training a :class:`SequenceModel` on :class:`~midecay.Symbols`, the way the papers do.

Three ways to cut the data into batches (``TrainConfig.mode``):

* ``sequences`` — many independent sequences of one length (Shen's binary data, 10000 x 512),
  each a training example with full backpropagation through time;
* ``stream`` — one long stream cut into ``batch`` parallel streams, truncated BPTT of ``bptt``
  steps with the hidden state carried between chunks and reset with probability
  ``reset_prob`` per stream and chunk (Shen's character-level recipe), recurrent models only;
* ``windows`` — random windows of ``context`` symbols (Transformers; DilatedRNNs on a stream).

``auto`` picks ``sequences`` for equal-length segments, else ``windows`` for Transformers and
DilatedRNNs, else ``stream``. Every example starts from the start token (a stream only at its
beginning), so sampling from the start token is what was trained. Adam or RMSProp, gradient
clipping, an optional linear warm-up, early stopping on the validation loss with patience, and
``restarts`` independent runs keeping the best: both papers select models that way;
``time_budget`` (seconds) ends training after the epoch that passes it. A
checkpoint is written atomically after every epoch; ``resume=True`` continues from it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .._progress import progress as progress_bar
from ..errors import InputError
from ..results import describe_differences, differences
from ..sequences import Symbols
from .base import SequenceModel
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .config import ModelConfig, TrainConfig

logger = logging.getLogger(__name__)

__all__ = ["train", "evaluate_loss"]

LN2 = math.log(2.0)


def _mode(symbols: Symbols, model: ModelConfig, mode: str) -> str:
    if mode != "auto":
        return mode
    if symbols.n_segments > 1 and len(set(symbols.lengths.tolist())) == 1:
        return "sequences"
    return "windows" if model.arch in ("transformer", "dilated") else "stream"


def _split(symbols: Symbols, fraction: float) -> tuple[Symbols, Symbols]:
    """Training and validation parts: the last segments, or the tail of a single stream."""
    if symbols.n_segments > 1:
        n_valid = max(1, int(round(symbols.n_segments * fraction)))
        if n_valid >= symbols.n_segments:
            raise InputError("too few segments to hold some out for validation; pass validation data")
        cut = int(symbols.bounds[-1 - n_valid])
        return (Symbols(symbols.codes[:cut], symbols.alphabet, symbols.bounds[: -n_valid]),
                Symbols(symbols.codes[cut:], symbols.alphabet, symbols.bounds[-1 - n_valid:] - cut))
    cut = int(symbols.n_symbols * (1 - fraction))
    if cut < 2 or symbols.n_symbols - cut < 2:
        raise InputError("the data are too short to hold some out for validation; pass validation data")
    return (Symbols(symbols.codes[:cut], symbols.alphabet, [0, cut]),
            Symbols(symbols.codes[cut:], symbols.alphabet, [0, symbols.n_symbols - cut]))


def _as_tensor(codes: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(codes, dtype=np.int64))


def _sequence_batches(symbols: Symbols, batch: int, bos: int, order: torch.Tensor | None):
    """(inputs, targets) with the start token prepended, ``batch`` whole sequences at a time."""
    length = int(symbols.lengths[0])
    data = _as_tensor(symbols.codes).view(-1, length)
    if order is not None:
        data = data[order]
    for i in range(0, len(data), batch):
        targets = data[i : i + batch]
        inputs = torch.cat([torch.full((len(targets), 1), bos), targets[:, :-1]], dim=1)
        yield inputs, targets


def _window_batches(symbols: Symbols, batch: int, context: int, bos: int, generator: torch.Generator | None, n_batches: int):
    """Windows of ``context`` symbols inside segments, start token first; random with a generator, else tiling."""
    lengths = symbols.lengths
    starts = symbols.bounds[:-1]
    usable = lengths >= context
    if not usable.any():
        raise InputError(f"context {context} is longer than every training segment (longest {int(lengths.max())}); "
                         "lower the context or use longer sequences")
    codes = _as_tensor(symbols.codes)
    if generator is None:  # validation: tile every segment
        offsets = np.concatenate([s + np.arange(0, L - context + 1, context) for s, L in zip(starts[usable], lengths[usable])])
    else:
        seg = np.flatnonzero(usable)
        weights = (lengths[seg] - context + 1).astype(np.float64)
        pick = torch.multinomial(torch.tensor(weights / weights.sum()), n_batches * batch, replacement=True, generator=generator)
        within = (torch.rand(n_batches * batch, generator=generator).numpy() * weights[pick.numpy()]).astype(np.int64)
        offsets = starts[seg][pick.numpy()] + within
    index = torch.as_tensor(offsets)[:, None] + torch.arange(context)[None]
    for i in range(0, len(offsets), batch):
        targets = codes[index[i : i + batch]]
        inputs = torch.cat([torch.full((len(targets), 1), bos), targets[:, :-1]], dim=1)
        yield inputs, targets


def _stream_matrix(symbols: Symbols, batch: int) -> torch.Tensor:
    n = symbols.n_symbols // batch
    if n < 2:
        raise InputError(f"{symbols.n_symbols} symbols cannot make {batch} streams; lower the batch")
    return _as_tensor(symbols.codes[: n * batch]).view(batch, n)


def _reset(state: Any, keep: torch.Tensor) -> Any:
    """Zero the state of the streams where ``keep`` is False (LSTM states are pairs)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(_reset(s, keep) for s in state)
    return state.detach() * keep.view(1, -1, 1).to(state.dtype)


@torch.no_grad()
def evaluate_loss(model: SequenceModel, symbols: Symbols, mode: str, cfg: TrainConfig) -> float:
    """Mean next-symbol loss in nats on ``symbols`` (deterministic: every sequence, window or chunk)."""
    was = model.training
    model.eval()
    total, count = 0.0, 0
    if mode == "stream":
        data = _stream_matrix(symbols, min(cfg.batch, max(1, symbols.n_symbols // (cfg.bptt + 1))))
        state = None
        for t in range(0, data.shape[1] - 1, cfg.bptt):
            inputs, targets = data[:, t : t + cfg.bptt], data[:, t + 1 : t + cfg.bptt + 1]
            inputs = inputs[:, : targets.shape[1]]
            logits, state = model(inputs, state)
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum"))
            count += targets.numel()
    else:
        batches = (_sequence_batches(symbols, cfg.batch, model.bos, None) if mode == "sequences"
                   else _window_batches(symbols, cfg.batch, model.config.context if model.config.arch == "transformer"
                                        else cfg.bptt, model.bos, None, 0))
        for inputs, targets in batches:
            logits, _ = model(inputs)
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum"))
            count += targets.numel()
    model.train(was)
    return total / max(count, 1)


def make_optimizer(parameters, name: str, lr: float) -> torch.optim.Optimizer:
    """Adam or RMSProp (the two the papers use) over ``parameters``."""
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    return torch.optim.Adam(parameters, lr=lr)


def optimizer_step(model: torch.nn.Module, opt: torch.optim.Optimizer, loss: torch.Tensor, clip: float, step: int,
                   lr: float) -> float:
    """One step on ``loss`` with gradients clipped to norm ``clip``; returns the loss. A loss that is not
    finite stops training with one line (every later step would train on NaN and report it as a result)."""
    if not torch.isfinite(loss):
        raise InputError(f"training diverged: the loss is {float(loss.detach())} at step {step}; lower the learning rate "
                         f"(lr = {lr:g}) or the gradient clip ({clip:g})")
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return float(loss.detach())


def _with_defaults(saved: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint's training settings with the fields added since it was written at their defaults."""
    return {**TrainConfig().to_dict(), **saved}


def learning_rate(cfg: TrainConfig, step: int, horizon: int) -> float:
    """The rate at optimiser step ``step`` (from 1) of ``horizon``: linear warm-up, then constant or cosine.

    Examples
    --------
    >>> cfg = TrainConfig(lr=1e-3, warmup=10, decay="cosine")
    >>> [round(learning_rate(cfg, s, 110) * 1e4, 3) for s in (5, 10, 60, 110, 200)]
    [5.0, 10.0, 5.5, 1.0, 1.0]
    """
    rate = cfg.lr * (min(1.0, step / cfg.warmup) if cfg.warmup else 1.0)
    if cfg.decay == "cosine" and horizon > cfg.warmup:
        done = min(max(step - cfg.warmup, 0) / (horizon - cfg.warmup), 1.0)
        rate *= 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * done))
    return rate


def past_budget(started: float, budget: float) -> bool:
    """Whether a time budget of ``budget`` seconds (0: none) has run out since ``started`` (monotonic)."""
    return budget > 0 and time.monotonic() - started > budget


def _optimizer(model: SequenceModel, cfg: TrainConfig) -> torch.optim.Optimizer:
    return make_optimizer(model.parameters(), cfg.optimizer, cfg.lr)


def _epoch(model, opt, data: Symbols, mode: str, cfg: TrainConfig, generator: torch.Generator, step: int, progress: bool,
           first_step: list[float], label: str = "epoch"):
    """One pass; returns (mean training loss in nats, optimiser steps so far). The wall-clock time of the
    run's first optimiser step is appended to ``first_step`` when it is empty (engines measure overhead by it)."""
    model.train()
    window = model.config.context if model.config.arch == "transformer" else cfg.bptt
    if mode == "sequences":
        order = torch.randperm(data.n_segments, generator=generator)
        batches = list(_sequence_batches(data, cfg.batch, model.bos, order))
    elif mode == "windows":
        n = cfg.steps_per_epoch or max(1, data.n_symbols // (cfg.batch * window))
        batches = list(_window_batches(data, cfg.batch, window, model.bos, generator, n))
    else:
        batches = None
    total, count = 0.0, 0

    def update(loss: torch.Tensor, targets: torch.Tensor, bar, per_epoch: int) -> None:
        """One optimiser step on ``loss``, and its share of the epoch's mean (and the bar's bpc)."""
        nonlocal step, total, count
        step += 1
        if cfg.warmup or cfg.decay != "none":
            for group in opt.param_groups:
                group["lr"] = learning_rate(cfg, step, cfg.epochs * per_epoch)
        value = optimizer_step(model, opt, loss, cfg.clip, step, cfg.lr)
        if not first_step:
            first_step.append(time.time())
        total += value * targets.numel()
        count += targets.numel()
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(bpc=f"{value / LN2:.3f}")

    if batches is not None:
        if cfg.steps_per_epoch:
            batches = batches[: cfg.steps_per_epoch]
        bar = progress_bar(batches, len(batches), label, progress)
        for inputs, targets in bar:
            logits, _ = model(inputs)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            update(loss, targets, bar, len(batches))
        return total / max(count, 1), step
    streams = _stream_matrix(data, cfg.batch)
    chunks = list(range(0, streams.shape[1] - 1, cfg.bptt))
    if cfg.steps_per_epoch:
        chunks = chunks[: cfg.steps_per_epoch]
    state = None
    bar = progress_bar(chunks, len(chunks), label, progress)
    for t in bar:
        inputs, targets = streams[:, t : t + cfg.bptt], streams[:, t + 1 : t + cfg.bptt + 1]
        inputs = inputs[:, : targets.shape[1]]
        if state is not None and cfg.reset_prob > 0:
            keep = torch.rand(cfg.batch, generator=generator) >= cfg.reset_prob
            state = _reset(state, keep)
        logits, state = model(inputs, state)
        state = _reset(state, torch.ones(cfg.batch, dtype=torch.bool))  # detach: truncated BPTT
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        update(loss, targets, bar, len(chunks))
    return total / max(count, 1), step


def train(
    model_config: ModelConfig,
    data: Symbols,
    *,
    valid: Symbols | None = None,
    config: TrainConfig | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = False,
) -> Checkpoint:
    """Train a model of ``model_config`` on ``data``; returns the best of ``restarts`` runs.

    ``valid`` defaults to a held-out part of ``data`` (the last segments, or the tail of one
    stream). The returned :class:`~midecay.models.Checkpoint` carries the history (per epoch:
    restart, train and validation loss in nats and bits per symbol) and, in ``extra``, the
    training config and the best validation loss. With ``checkpoint`` a file is written after
    every epoch (atomically); ``resume=True`` continues the run it describes.

    Examples
    --------
    >>> import midecay
    >>> from midecay.models import ModelConfig
    >>> data = midecay.encode("abcab" * 400)
    >>> ck = train(ModelConfig("gru", vocab_size=3, width=8), data, config=TrainConfig(epochs=2, batch=4, bptt=20))
    >>> len(ck.history), ck.history[-1]["valid_bps"] < 1.6
    (2, True)
    """
    from .build import build_model

    cfg = config or TrainConfig()
    if data.alphabet_size != model_config.vocab_size:
        raise InputError(f"the data have {data.alphabet_size} symbols but the model config says vocab_size="
                         f"{model_config.vocab_size}")
    if valid is not None and tuple(valid.alphabet) != tuple(data.alphabet):
        raise InputError("validation data have another alphabet than the training data; encode them together")
    mode = _mode(data, model_config, cfg.mode)
    if mode == "stream" and model_config.arch not in ("rnn", "lstm", "gru"):
        raise InputError(f"mode 'stream' carries a recurrent state; use 'windows' or 'sequences' for {model_config.arch}")
    if mode == "sequences" and len(set(data.lengths.tolist())) != 1:
        raise InputError("mode 'sequences' needs segments of one length; use 'windows' or 'stream'")
    if model_config.arch == "transformer" and mode != "sequences" and int(data.lengths.max()) < model_config.context:
        raise InputError(f"context {model_config.context} is longer than the training sequences ({int(data.lengths.max())})")
    if mode == "sequences" and model_config.arch == "transformer" and int(data.lengths[0]) > model_config.context:
        raise InputError(f"sequences of {int(data.lengths[0])} exceed the context {model_config.context}; raise the context")
    train_part, valid_part = (data, valid) if valid is not None else _split(data, cfg.valid_fraction)
    path = Path(checkpoint) if checkpoint is not None else None
    if path is not None and path.exists() and not (resume or overwrite):
        from ..errors import OutputExistsError

        raise OutputExistsError(f"{path} exists; pass resume=True to continue it, or overwrite=True to start again")

    history: list[dict[str, Any]] = []
    best_state, best_loss, first_restart, first_epoch, step = None, math.inf, 0, 0, 0
    model = opt = None
    if resume and path is not None and path.exists():
        previous = load_checkpoint(path)
        differ = differences({"model": {**previous.model.config.to_dict(), "seed": 0},
                              "train": _with_defaults(previous.extra.get("train_config") or {})},
                             json.loads(json.dumps({"model": {**model_config.to_dict(), "seed": 0}, "train": cfg.to_dict()})))
        if differ:
            raise InputError(f"{path} was trained with other settings ({describe_differences(differ)}); resume with "
                             "those settings, or start again with overwrite=True")
        if previous.extra.get("finished"):
            return previous  # nothing left to run: the file holds the finished result
        history = previous.history
        run = previous.extra["run"]
        first_restart, first_epoch = run["restart"], run["epoch"] + 1
        best_loss = previous.extra.get("best_valid", math.inf)
        best_state = previous.tensors.get("best")
        step = int(run.get("step", 0))
        model = previous.model
        opt = _optimizer(model, cfg)
        if previous.optimizer_state:
            opt.load_state_dict(previous.optimizer_state)
        if run.get("stopped"):
            first_restart, first_epoch, model, opt = first_restart + 1, 0, None, None

    started = time.monotonic()
    first_step: list[float] = []
    for restart in range(first_restart, cfg.restarts):
        seed = cfg.seed + restart
        if model is None:
            model = build_model(ModelConfig.from_dict({**model_config.to_dict(), "seed": seed}))
            opt = _optimizer(model, cfg)
        generator = torch.Generator().manual_seed(seed)
        prior = [h["valid_loss"] for h in history if h["restart"] == restart]
        run_best = min(prior, default=math.inf)
        waited = len(prior) - 1 - int(np.argmin(prior)) if prior else 0
        for epoch in range(first_epoch, cfg.epochs):
            generator.manual_seed(seed * 100_003 + epoch)  # an epoch's batches do not depend on earlier epochs
            label = f"epoch {epoch + 1}/{cfg.epochs}" + (f" (restart {restart + 1}/{cfg.restarts})" if cfg.restarts > 1 else "")
            epoch_started = time.monotonic()
            train_loss, step = _epoch(model, opt, train_part, mode, cfg, generator, step, progress, first_step, label)
            valid_loss = evaluate_loss(model, valid_part, mode, cfg)
            # One line an epoch, kept on a terminal and written to a pipe or log alike (the bar is cleared).
            logger.info("%s: train %.4f bpc, valid %.4f bpc%s, %.0f s", label, train_loss / LN2, valid_loss / LN2,
                        " (best)" if valid_loss < best_loss else "", time.monotonic() - epoch_started)
            history.append({"restart": restart, "epoch": epoch, "train_loss": train_loss, "valid_loss": valid_loss,
                            "train_bps": train_loss / LN2, "valid_bps": valid_loss / LN2})
            if valid_loss < best_loss:
                best_loss = valid_loss
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            waited = 0 if valid_loss < run_best else waited + 1
            run_best = min(run_best, valid_loss)
            over_time = past_budget(started, cfg.time_budget)
            stopped = waited >= cfg.patience or epoch == cfg.epochs - 1 or over_time
            if path is not None:
                extra = {"train_config": cfg.to_dict(), "mode": mode, "best_valid": best_loss,
                         "run": {"restart": restart, "epoch": epoch, "step": step, "stopped": stopped}}
                save_checkpoint(Checkpoint(model, data.alphabet, history, opt.state_dict(), extra, {"best": best_state}),
                                path, overwrite=True)
            if stopped:
                break
        model, opt, first_epoch, step = None, None, 0, 0
        if past_budget(started, cfg.time_budget):
            break  # the budget covers all restarts: the best so far is the result
    best = build_model(model_config)
    if best_state is not None:
        best.load_state_dict(best_state)
    result = Checkpoint(best, data.alphabet, history, None,
                        {"train_config": cfg.to_dict(), "mode": mode, "best_valid": best_loss,
                         "best_valid_bps": best_loss / LN2, "finished": True,
                         "first_step_at": first_step[0] if first_step else None})
    if path is not None:
        save_checkpoint(result, path, overwrite=True)
    return result
