"""Elman RNN (tanh), LSTM and GRU language models."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .base import SequenceModel
from .config import ModelConfig

__all__ = ["RecurrentLM", "recurrent_layer"]


def recurrent_layer(cell: str, input_size: int, hidden: int, layers: int = 1) -> nn.Module:
    """torch's fused recurrent layer for ``cell`` (``rnn`` is Elman with tanh), batch first."""
    if cell == "rnn":
        return nn.RNN(input_size, hidden, layers, nonlinearity="tanh", batch_first=True)
    if cell == "lstm":
        return nn.LSTM(input_size, hidden, layers, batch_first=True)
    return nn.GRU(input_size, hidden, layers, batch_first=True)


class RecurrentLM(SequenceModel):
    """Embedding, ``depth`` recurrent layers of ``width`` units, linear read-out.

    Examples
    --------
    >>> import torch
    >>> m = RecurrentLM(ModelConfig("lstm", vocab_size=5, width=8))
    >>> m(torch.zeros(2, 7, dtype=torch.long))[0].shape
    torch.Size([2, 7, 5])
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size + 1, config.embedding)
        self.rnn = recurrent_layer(config.arch, config.embedding, config.width, config.depth)
        self.head = nn.Linear(config.width, config.vocab_size)

    def forward(self, codes: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Logits for every position, and the state after the last one (to carry on a stream)."""
        out, state = self.rnn(self.embed(codes), state)
        return self.head(out), state

    def start(self, batch: int) -> Any:
        return None  # torch's zero state

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        logits, state = self(tokens[:, None], state)
        return logits[:, 0], state
