"""The interface every sequence model shares."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .config import ModelConfig

__all__ = ["SequenceModel"]


class SequenceModel(nn.Module):
    """A next-symbol model over codes ``0 … V-1``, with a start token ``V`` of its own.

    ``forward(codes)`` maps a ``(batch, T)`` long tensor to ``(batch, T, V)`` logits, where
    position ``t`` predicts ``codes[:, t + 1]``; training prepends the start token.
    ``start(batch)`` gives the state before any symbol and ``step(tokens, state)`` feeds one
    symbol per stream and returns the logits of the next one and the new state: all sampling
    needs.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config

    @property
    def bos(self) -> int:
        """The start-of-sequence token (one past the alphabet)."""
        return self.config.vocab_size

    def start(self, batch: int) -> Any:  # pragma: no cover - every model has its own
        raise NotImplementedError

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:  # pragma: no cover
        raise NotImplementedError

    def n_parameters(self) -> int:
        return int(sum(p.numel() for p in self.parameters()))
