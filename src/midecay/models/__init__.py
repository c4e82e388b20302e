"""Sequence models (PyTorch, the optional extra ``midecay[models]``): architectures, sampling, checkpoints.

Every architecture is a next-symbol language model over integer codes with one interface
(:class:`~midecay.models.base.SequenceModel`): ``forward(codes) -> logits`` for training and
``start(batch)`` / ``step(tokens, state)`` for sampling, so :func:`sample` treats an Elman RNN,
an LSTM, a Transformer with a KV cache, a DilatedRNN (and later a pretrained LM) alike.

torch spin-waits for work by default, which stalls a shared machine; ``import midecay`` sets
``OMP_WAIT_POLICY=PASSIVE`` before torch starts unless the user set it (:mod:`midecay._openmp`).
"""

from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - the extra is installed by `make test`
    from ..errors import MissingExtraError

    raise MissingExtraError("midecay.models needs PyTorch; `pip install midecay[models]` (CPU: torch==2.13.0)") from exc

from .base import SequenceModel
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .config import ModelConfig
from .dilated import DilatedRNN
from .evaluate import evaluate
from .recurrent import RecurrentLM
from .sampling import sample
from .train import TrainConfig, train
from .transformer import TransformerLM

__all__ = [
    "Checkpoint", "DilatedRNN", "ModelConfig", "RecurrentLM", "SequenceModel", "TrainConfig", "TransformerLM",
    "build_model", "evaluate", "load_checkpoint", "sample", "save_checkpoint", "train",
]


def build_model(config: ModelConfig) -> SequenceModel:
    """The model a config describes (weights freshly initialised from ``config.seed``)."""
    torch.manual_seed(config.seed)
    if config.arch in ("rnn", "lstm", "gru"):
        return RecurrentLM(config)
    if config.arch == "transformer":
        return TransformerLM(config)
    return DilatedRNN(config)
