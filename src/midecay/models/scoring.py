"""A trained sequence model as a scorer of token blocks (:mod:`midecay.bipartite`): each token's
log-probability given the tokens before it in its row, the row read after the model's start token."""

from __future__ import annotations

import numpy as np
import torch

from ..bipartite.scorers import check_rows
from ..errors import InputError
from .base import SequenceModel

__all__ = ["ModelScorer"]


class ModelScorer:
    """``log q(x_t | x_<t)`` from one forward pass a batch of rows (``batch`` rows at a time), on the
    model's device, the log-softmax in float32. A transformer's rows must fit its context.

    Examples
    --------
    >>> from midecay.models import ModelConfig, build_model
    >>> scorer = ModelScorer(build_model(ModelConfig("lstm", vocab_size=3, width=8)))
    >>> scorer.log_probs(np.array([[0, 1, 2, 1]])).shape
    (1, 4)
    """

    def __init__(self, model: SequenceModel, *, batch: int = 8) -> None:
        if batch < 1:
            raise InputError(f"batch must be positive, got {batch}")
        self.model, self.batch = model.eval(), int(batch)
        self.vocab_size = self._vocab()
        self.name = self._name()

    def _vocab(self) -> int:
        return int(self.model.config.vocab_size)

    def _name(self) -> str:
        c = self.model.config
        return f"{c.arch} {c.width} x {c.depth}"

    def _context(self) -> int | None:
        return self.model.config.context if self.model.config.arch == "transformer" else None

    def _logits(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model(inputs)[0]  # every model's forward gives (logits, state)

    @torch.no_grad()
    def log_probs(self, rows: np.ndarray) -> np.ndarray:
        rows = check_rows(rows, self.vocab_size)
        context = self._context()
        if context is not None and rows.shape[1] > context:
            raise InputError(f"rows of {rows.shape[1]} tokens exceed {self.name}'s context of {context}; give shorter blocks")
        device = next(self.model.parameters()).device
        out = np.empty(rows.shape)
        for lo in range(0, len(rows), self.batch):
            chunk = torch.as_tensor(rows[lo:lo + self.batch], device=device)
            start = torch.full((len(chunk), 1), self.model.bos, dtype=chunk.dtype, device=device)
            logits = self._logits(torch.cat([start, chunk[:, :-1]], dim=1)).float()
            picked = torch.log_softmax(logits, dim=-1).gather(2, chunk[:, :, None])[:, :, 0]
            out[lo:lo + len(chunk)] = picked.double().cpu().numpy()
        return out
