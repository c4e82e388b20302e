"""Unconditional, batched, seeded sampling from any :class:`SequenceModel`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .._progress import progress as progress_bar
from ..errors import InputError
from ..sequences import Symbols, smallest_code_dtype
from ..validation import check_int
from .base import SequenceModel

__all__ = ["sample"]


@torch.no_grad()
def sample(
    model: SequenceModel,
    n_streams: int,
    length: int,
    *,
    seed: int = 0,
    temperature: float = 1.0,
    burn_in: int = 0,
    alphabet: Sequence | None = None,
    top_k: int = 0,
    top_p: float = 1.0,
    progress: bool = False,
) -> Symbols:
    """Sample ``n_streams`` independent streams of ``length`` symbols, all in one batch.

    Every stream starts from the model's start token (a recurrent model's zero state); the
    first ``burn_in`` symbols of each are generated and dropped. The result has one segment
    per stream, so pairs never cross streams. The same seed gives the same symbols on CPU.
    ``top_k`` (0: all) and ``top_p`` (1: all) restrict each draw to the most likely symbols,
    as for pretrained language models.

    Examples
    --------
    >>> from midecay.models import ModelConfig, RecurrentLM
    >>> s = sample(RecurrentLM(ModelConfig("rnn", vocab_size=3, width=4)), 5, 20, seed=0)
    >>> s.n_segments, s.n_symbols
    (5, 100)
    """
    check_int("n_streams", n_streams, 1, 10**7)
    check_int("length", length, 1, 10**10)
    check_int("burn_in", burn_in, 0, 10**9)
    if not temperature > 0:
        raise InputError(f"temperature must be > 0, got {temperature}")
    check_int("top_k", top_k, 0)
    if not 0 < top_p <= 1:
        raise InputError(f"top_p must lie in (0, 1], got {top_p}")
    v = model.config.vocab_size
    alphabet = tuple(range(v)) if alphabet is None else tuple(alphabet)
    if len(alphabet) != v:
        raise InputError(f"alphabet has {len(alphabet)} symbols but the model speaks {v}")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(int(seed))
    out = np.empty((n_streams, length), dtype=smallest_code_dtype(v))
    tokens = torch.full((n_streams,), model.bos, dtype=torch.long, device=device)
    state = model.start(n_streams)
    for t in progress_bar(range(burn_in + length), burn_in + length, "sampling", progress):
        logits, state = model.step(tokens, state)
        probs = _restrict(torch.softmax(logits.float() / temperature, dim=-1), top_k, top_p)
        if not torch.isfinite(probs).all():
            raise InputError("the model's next-symbol probabilities are NaN or infinite (its weights have diverged); "
                             "train it again with a lower learning rate")
        tokens = torch.multinomial(probs, 1, generator=generator)[:, 0]
        if t >= burn_in:
            out[:, t - burn_in] = tokens.cpu().numpy()
    model.train(was_training)
    bounds = np.arange(0, n_streams * length + 1, length)
    provenance = {"source": "model samples", "arch": model.config.arch, "seed": int(seed), "temperature": float(temperature),
                  **({"top_k": int(top_k)} if top_k else {}), **({"top_p": float(top_p)} if top_p < 1 else {}),
                  "burn_in": int(burn_in), "n_streams": int(n_streams), "length": int(length)}
    return Symbols(out.reshape(-1), alphabet, bounds, f"{model.config.arch} samples ({n_streams} x {length})", provenance)


def _restrict(probs: torch.Tensor, top_k: int, top_p: float) -> torch.Tensor:
    """Zero all but the ``top_k`` most likely symbols and the smallest set holding ``top_p`` of the mass."""
    if top_k and top_k < probs.shape[-1]:
        kth = torch.topk(probs, top_k, dim=-1).values[:, -1:]
        probs = torch.where(probs >= kth, probs, torch.zeros_like(probs))
    if top_p < 1.0:
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        cum = torch.cumsum(sorted_p, dim=-1)
        drop = cum - sorted_p >= top_p * cum[:, -1:]  # keep the symbols needed to reach top_p (the first always)
        sorted_p = sorted_p.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
    return probs
