"""A causal Transformer language model with a KV cache for sampling.

Pre-norm blocks (attention, then a 4x MLP), sinusoidal positions as in Shen 2019 or learned
ones. Sampling feeds one token at a time against cached keys and values; when the cache holds
``context`` tokens it is rebuilt from the last half of them with positions starting at 0 again
(the model never saw positions past ``context``), so each step costs O(context) on average.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .base import SequenceModel
from .config import ModelConfig

__all__ = ["TransformerLM", "sinusoidal_positions"]


def sinusoidal_positions(n: int, width: int) -> torch.Tensor:
    """The sine/cosine position table of Vaswani et al. (2017), ``(n, width)``."""
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10_000.0) / width))
    table = torch.zeros(n, width)
    table[:, 0::2] = torch.sin(pos * rate)
    table[:, 1::2] = torch.cos(pos * rate[: width // 2])
    return table


class _Block(nn.Module):
    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None = None):
        """``x``: (batch, T, width) new positions; ``cache``: keys and values of earlier ones."""
        b, t, w = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(w, dim=2)
        q, k, v = (z.view(b, t, self.heads, w // self.heads).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        past = k.shape[2] - t
        # Causal over all positions: new position i sees cached ones and new ones up to itself.
        mask = torch.ones(t, k.shape[2], dtype=torch.bool, device=x.device).tril(diagonal=past)
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.proj(att.transpose(1, 2).reshape(b, t, w))
        x = x + self.mlp(self.norm2(x))
        return x, (k, v)


class TransformerLM(SequenceModel):
    """Causal Transformer: ``depth`` blocks of ``width`` with ``heads`` heads, context ``context``.

    Examples
    --------
    >>> import torch
    >>> m = TransformerLM(ModelConfig("transformer", vocab_size=5, width=16, heads=2, context=8))
    >>> m(torch.zeros(2, 8, dtype=torch.long))[0].shape
    torch.Size([2, 8, 5])
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size + 1, config.width)
        if config.positions == "learned":
            self.pos = nn.Parameter(torch.zeros(config.context, config.width))
            nn.init.normal_(self.pos, std=0.02)
        else:
            self.register_buffer("pos", sinusoidal_positions(config.context, config.width), persistent=False)
        self.blocks = nn.ModuleList(_Block(config.width, config.heads) for _ in range(config.depth))
        self.norm = nn.LayerNorm(config.width)
        self.head = nn.Linear(config.width, config.vocab_size)

    def _run(self, codes: torch.Tensor, start: int, caches: list | None):
        x = self.embed(codes) + self.pos[start : start + codes.shape[1]]
        new = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if caches is None else caches[i])
            new.append(kv)
        return self.head(self.norm(x)), new

    def forward(self, codes: torch.Tensor, state=None):
        """Logits for every position of sequences of at most ``context`` tokens."""
        if codes.shape[1] > self.config.context:
            from ..errors import InputError

            raise InputError(f"sequence of {codes.shape[1]} tokens is longer than the context ({self.config.context})")
        logits, _ = self._run(codes, 0, None)
        return logits, None

    def start(self, batch: int) -> dict:
        return {"caches": None, "tokens": None}

    def step(self, tokens: torch.Tensor, state: dict):
        history = tokens[:, None] if state["tokens"] is None else torch.cat([state["tokens"], tokens[:, None]], dim=1)
        if history.shape[1] > self.config.context:
            # Window full: keep the last half and rebuild the cache with positions from 0.
            history = history[:, -(self.config.context // 2):]
            logits, caches = self._run(history, 0, None)
        else:
            logits, caches = self._run(tokens[:, None], history.shape[1] - 1, state["caches"])
        return logits[:, -1], {"caches": caches, "tokens": history}
