"""A Hugging Face causal LM behind :class:`~midecay.models.SequenceModel`'s start/step interface."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ...errors import InputError


@dataclass(frozen=True)
class LMConfig:
    """What :func:`~midecay.models.sample` and evaluations read of a model: its name and vocabulary."""

    name: str
    vocab_size: int
    context: int
    arch: str = "pretrained"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class PretrainedLM(nn.Module):
    """A causal LM and its tokenizer, stepping one token at a time with a KV cache.

    The end-of-text token is masked while sampling (``allow_eos=False``, the default), so every
    stream is exactly as long as asked: the curve measures the model's text, not where it chose
    to stop. The start token is the tokenizer's BOS, else its EOS (GPT-2's convention).
    """

    def __init__(self, lm: nn.Module, tokenizer: Any, name: str, *, allow_eos: bool = False) -> None:
        super().__init__()
        self.lm = lm.eval()
        self.tokenizer = tokenizer
        vocab = int(lm.get_output_embeddings().weight.shape[0])
        context = int(getattr(lm.config, "max_position_embeddings", 0) or getattr(lm.config, "n_positions", 0) or 1 << 30)
        self.config = LMConfig(name, vocab, context)
        start = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
        if start is None:
            raise InputError(f"{name}: the tokenizer has neither a BOS nor an EOS token to start from")
        self._bos = int(start)
        self.eos = tokenizer.eos_token_id if not allow_eos else None

    @property
    def bos(self) -> int:
        return self._bos

    def n_parameters(self) -> int:
        return int(sum(p.numel() for p in self.lm.parameters()))

    def start(self, batch: int) -> Any:
        return None

    @torch.no_grad()
    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        out = self.lm(input_ids=tokens[:, None], past_key_values=state, use_cache=True)
        logits = out.logits[:, -1].float()
        if self.eos is not None:
            logits[:, self.eos] = -torch.inf
        return logits, out.past_key_values

    def decode(self, tokens: np.ndarray) -> str:
        return self.tokenizer.decode([int(t) for t in tokens], skip_special_tokens=False)

    def encode(self, text: str) -> np.ndarray:
        return np.asarray(self.tokenizer(text, add_special_tokens=False)["input_ids"], dtype=np.int64)
