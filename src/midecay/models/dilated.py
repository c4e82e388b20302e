"""DilatedRNN (Chang et al. 2017): layer ``l`` updates ``h_t`` from ``h_{t - r_l}``.

The fast path folds the dilation into the batch: a ``(batch, T)`` sequence padded to a
multiple of ``r`` is cut into ``r`` interleaved sub-sequences (positions ``t = j mod r``), which
are independent chains of an ordinary recurrence, so one call of torch's fused cell on
``(batch * r, T / r)`` runs the whole layer. :func:`dilated_reference` is the readable per-step
loop with the same weights; the tests hold the two equal.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .base import SequenceModel
from .config import ModelConfig
from .recurrent import recurrent_layer

__all__ = ["DilatedRNN", "dilated_layer", "dilated_reference"]


def dilated_layer(layer: nn.Module, x: torch.Tensor, r: int) -> torch.Tensor:
    """Run one recurrent ``layer`` with dilation ``r`` over ``x`` of shape ``(batch, T, features)``."""
    b, t, f = x.shape
    pad = (-t) % r
    if pad:
        x = F.pad(x, (0, 0, 0, pad))
    steps = (t + pad) // r
    # (b, steps, r, f) -> (b, r, steps, f) -> (b*r, steps, f): sub-sequence j holds t = j, j+r, j+2r ...
    folded = x.reshape(b, steps, r, f).transpose(1, 2).reshape(b * r, steps, f)
    out, _ = layer(folded)
    h = out.shape[-1]
    return out.reshape(b, r, steps, h).transpose(1, 2).reshape(b, steps * r, h)[:, :t]


class DilatedRNN(SequenceModel):
    """One recurrent layer per dilation, any cell (``rnn``, ``lstm``, ``gru``), any dilations.

    Examples
    --------
    >>> import torch
    >>> m = DilatedRNN(ModelConfig("dilated", vocab_size=3, width=8, dilations=(1, 2, 4)))
    >>> m(torch.zeros(2, 9, dtype=torch.long))[0].shape
    torch.Size([2, 9, 3])
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size + 1, config.embedding)
        sizes = [config.embedding] + [config.width] * len(config.dilations)
        self.layers = nn.ModuleList(recurrent_layer(config.cell, sizes[i], config.width) for i in range(len(config.dilations)))
        self.head = nn.Linear(config.width, config.vocab_size)

    def forward(self, codes: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Logits for every position of independent sequences (each starts from the zero state)."""
        x = self.embed(codes)
        for i, (layer, r) in enumerate(zip(self.layers, self.config.dilations)):
            out = dilated_layer(layer, x, r)
            x = x + out if self.config.residual and i > 0 else out
        return self.head(x), None

    def start(self, batch: int) -> list[list]:
        """Per layer, the states of the last ``r`` steps (a ring, oldest first), all zero."""
        return [[None] * r for r in self.config.dilations]

    def step(self, tokens: torch.Tensor, state: list[list]) -> tuple[torch.Tensor, list[list]]:
        x = self.embed(tokens)[:, None]
        new_state = []
        for i, (layer, ring) in enumerate(zip(self.layers, state)):
            out, h = layer(x, ring[0])  # the state from r steps back
            new_state.append(ring[1:] + [h])
            x = x + out if self.config.residual and i > 0 else out
        return self.head(x[:, 0]), new_state


def dilated_reference(model: DilatedRNN, codes: torch.Tensor) -> torch.Tensor:
    """The DilatedRNN's logits by the plain per-step loop (the definition), for tests and benchmarks."""
    state = model.start(codes.shape[0])
    out = []
    for t in range(codes.shape[1]):
        logits, state = model.step(codes[:, t], state)
        out.append(logits)
    return torch.stack(out, dim=1)
