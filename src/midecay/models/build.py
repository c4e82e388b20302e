"""The model a config describes."""

from __future__ import annotations

import torch

from .base import SequenceModel
from .config import ModelConfig
from .dilated import DilatedRNN
from .recurrent import RecurrentLM
from .transformer import TransformerLM

__all__ = ["build_model"]


def build_model(config: ModelConfig) -> SequenceModel:
    """The model a config describes (weights freshly initialised from ``config.seed``)."""
    torch.manual_seed(config.seed)
    if config.arch in ("rnn", "lstm", "gru"):
        return RecurrentLM(config)
    if config.arch == "transformer":
        return TransformerLM(config)
    return DilatedRNN(config)
