"""Sequence models (PyTorch, the optional extra ``midecay[models]``): architectures, sampling, checkpoints.

Every architecture is a next-symbol language model over integer codes with one interface
(:class:`~midecay.models.base.SequenceModel`): ``forward(codes) -> logits`` for training and
``start(batch)`` / ``step(tokens, state)`` for sampling, so :func:`sample` treats an Elman RNN,
an LSTM, a Transformer with a KV cache, a DilatedRNN (and later a pretrained LM) alike.

The configs (:class:`ModelConfig`, :class:`TrainConfig`, in :mod:`midecay.models.config`) need no
torch, so the command line and grid specs read and check them without it; every other name
loads torch on first use (a missing torch is one line naming the extra).

torch spin-waits for work by default, which stalls a shared machine; ``import midecay`` sets
``OMP_WAIT_POLICY=PASSIVE`` before torch starts unless the user set it (:mod:`midecay._openmp`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import ModelConfig, TrainConfig

#: Public name -> the submodule that defines it (each needs torch).
_TORCH_EXPORTS = {
    "SequenceModel": "base", "Checkpoint": "checkpoint", "load_checkpoint": "checkpoint",
    "save_checkpoint": "checkpoint", "DilatedRNN": "dilated", "evaluate": "checkpoint_evaluation",
    "evaluate_seeds": "checkpoint_evaluation",
    "RecurrentLM": "recurrent",
    "sample": "sampling", "train": "training", "TransformerLM": "transformer", "build_model": "build",
    "ModelScorer": "scoring",
}

__all__ = ["ModelConfig", "TrainConfig", *_TORCH_EXPORTS]


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - the extra is installed by `make test`
        from ..errors import MissingExtraError

        raise MissingExtraError("midecay.models needs PyTorch; `pip install midecay[models]` (CPU: torch==2.13.0)") from exc
    return torch


def __getattr__(name: str) -> Any:
    module = _TORCH_EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'midecay.models' has no attribute {name!r}")
    _torch()
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TORCH_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover
    from .base import SequenceModel
    from .build import build_model
    from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
    from .dilated import DilatedRNN
    from .checkpoint_evaluation import evaluate, evaluate_seeds
    from .recurrent import RecurrentLM
    from .sampling import sample
    from .training import train
    from .scoring import ModelScorer
    from .transformer import TransformerLM
