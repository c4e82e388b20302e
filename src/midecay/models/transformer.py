"""A causal Transformer language model with a KV cache for sampling.

Pre-norm blocks (attention, then a 4x MLP), sinusoidal positions as in Shen 2019 or learned
ones. Sampling feeds one token at a time against keys and values cached in buffers of the full
context, written in place; when the cache is full it is rebuilt from its last half and the new
token with positions starting at 0 again (the model never saw positions past ``context``), so
each step costs O(context) on average.
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

    def forward(self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None = None, filled: int = 0):
        """``x``: (batch, T, width) new positions at ``filled`` onwards.

        ``cache``: preallocated key and value buffers (batch, heads, context, head width) holding
        ``filled`` earlier positions; the new keys and values are written into them in place
        (concatenating would copy the whole cache at every sampled token).
        """
        b, t, w = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(w, dim=2)
        q, k, v = (z.view(b, t, self.heads, w // self.heads).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            cache[0][:, :, filled : filled + t] = k
            cache[1][:, :, filled : filled + t] = v
            k, v = cache[0][:, :, : filled + t], cache[1][:, :, : filled + t]
        # Causal over all positions: new position i sees cached ones and new ones up to itself.
        mask = torch.ones(t, k.shape[2], dtype=torch.bool, device=x.device).tril(diagonal=filled)
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.proj(att.transpose(1, 2).reshape(b, t, w))
        x = x + self.mlp(self.norm2(x))
        return x


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
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i], start)
        return self.head(self.norm(x))

    def forward(self, codes: torch.Tensor, state=None):
        """Logits for every position of sequences of at most ``context`` tokens."""
        if codes.shape[1] > self.config.context:
            from ..errors import InputError

            raise InputError(f"sequence of {codes.shape[1]} tokens is longer than the context ({self.config.context})")
        return self._run(codes, 0, None), None

    def start(self, batch: int) -> dict:
        """Empty key/value buffers of the full context, the tokens seen, and how many are cached."""
        c = self.config
        shape = (batch, c.heads, c.context, c.width // c.heads)
        device = self.embed.weight.device
        caches = [(torch.zeros(shape, device=device), torch.zeros(shape, device=device)) for _ in self.blocks]
        return {"caches": caches, "tokens": torch.zeros(batch, c.context, dtype=torch.long, device=device), "filled": 0}

    def step(self, tokens: torch.Tensor, state: dict):
        filled, history = state["filled"], state["tokens"]
        if filled == self.config.context:
            # Window full: keep the last half and rebuild the cache with positions from 0.
            keep = self.config.context // 2
            history[:, :keep] = history[:, filled - keep : filled].clone()
            history[:, keep] = tokens
            logits = self._run(history[:, : keep + 1], 0, state["caches"])
            return logits[:, -1], {**state, "filled": keep + 1}
        history[:, filled] = tokens
        logits = self._run(tokens[:, None], filled, state["caches"])
        return logits[:, -1], {**state, "filled": filled + 1}
