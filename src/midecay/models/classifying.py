"""Training a sequence classifier (sequential / permuted MNIST), with the language models' step.

The optimiser, the clipped step that refuses a diverged loss, and the time budget are
:mod:`.training`'s, so a classifier trains exactly as a language model does; what differs is
the data (whole sequences with one label each) and the loss (on the last step's logits).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .training import make_optimizer, optimizer_step, past_budget

__all__ = ["ClassifierRun", "train_classifier", "accuracy", "as_inputs"]


@dataclass(frozen=True)
class ClassifierRun:
    """A trained classifier with its last epoch's mean training loss (nats) and when its first step ran."""

    model: torch.nn.Module
    train_loss: float
    epochs_run: int
    first_step_at: float | None


def train_classifier(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int, batch: int,
                     optimizer: str, lr: float, clip: float, time_budget: float = 0.0, seed: int = 0) -> ClassifierRun:
    """Train ``model`` on sequences ``x`` (n, length) with labels ``y``: shuffled mini-batches each epoch
    (seeded), cross-entropy, clipped steps; stops after the epoch that passes ``time_budget`` seconds."""
    opt = make_optimizer(model.parameters(), optimizer, lr)
    gen = torch.Generator().manual_seed(seed)
    started = time.monotonic()
    first_step_at, epochs_run, train_loss, step = None, 0, math.nan, 0
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        total, count = 0.0, 0
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            step += 1
            value = optimizer_step(model, opt, F.cross_entropy(model(x[idx]), y[idx]), clip, step, lr)
            first_step_at = first_step_at or time.time()
            total += value * len(idx)
            count += len(idx)
        epochs_run, train_loss = epoch + 1, total / count
        if past_budget(started, time_budget):
            break
    return ClassifierRun(model, train_loss, epochs_run, first_step_at)


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 500) -> float:
    """The share of ``x``'s sequences whose most likely class is their label."""
    model.eval()
    correct = sum(int((model(x[i : i + batch]).argmax(-1) == y[i : i + batch]).sum()) for i in range(0, len(y), batch))
    return correct / len(y)


def as_inputs(*images: np.ndarray) -> tuple[torch.Tensor, ...]:
    """Pixel sequences as float intensities in [0, 1], one scale for all (0-255 gray levels scaled, binary kept)."""
    scale = 255.0 if max(int(x.max(initial=0)) for x in images) > 1 else 1.0
    return tuple(torch.from_numpy(x.astype(np.float32) / scale) for x in images)
