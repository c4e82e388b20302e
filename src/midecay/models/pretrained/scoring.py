"""A pretrained causal LM as a scorer of token blocks (:mod:`midecay.bipartite`), and its documents."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

import numpy as np
import torch

from ...bipartite import BipartiteCurve
from ...errors import InputError
from ..scoring import ModelScorer
from .lm import PretrainedLM

__all__ = ["CausalLMScorer", "lm_documents", "kv_width", "lm_bipartite"]


def kv_width(lm: PretrainedLM) -> tuple[int, int]:
    """``(layers, width of one layer's keys)`` of a pretrained LM: its key-value cache per token is
    ``2 * layers * width`` numbers (grouped-query attention shares keys among heads)."""
    cfg = lm.lm.config
    layers = int(getattr(cfg, "num_hidden_layers", 0) or getattr(cfg, "n_layer", 0))
    hidden = int(getattr(cfg, "hidden_size", 0) or getattr(cfg, "n_embd", 0))
    heads = int(getattr(cfg, "num_attention_heads", 0) or getattr(cfg, "n_head", 1))
    kv_heads = int(getattr(cfg, "num_key_value_heads", 0) or heads)
    return layers, hidden // heads * kv_heads


class CausalLMScorer(ModelScorer):
    """``log q(x_t | x_<t)`` from a pretrained causal LM, each row read after the start token (its BOS,
    else its EOS), in batches of ``batch`` rows on the model's device (:class:`~midecay.models.ModelScorer`)."""

    def _name(self) -> str:
        return self.model.config.name

    def _context(self) -> int | None:
        return self.model.config.context - 1  # the start token takes a position

    def _logits(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model.lm(input_ids=inputs).logits


def lm_documents(texts: list[str], lm: PretrainedLM, length: int, count: int, *, seed: int = 0) -> np.ndarray:
    """``count`` disjoint windows of ``length`` tokens at random offsets in the texts joined by blank lines,
    tokenized by the LM (seeded: :func:`~midecay.models.pretrained.lm_evaluation.reference_offsets`).

    Windows, not the texts' beginnings: a block read from a text's first token is not a block of
    running text (titles, capitals), and a curve of windows starting there would mix the position
    in the text into the MI (L²M cut their books into chunks the same way).
    """
    from .lm_evaluation import reference_offsets

    tokens = lm.encode("\n\n".join(t for t in texts if t))
    if len(tokens) < count * length:
        raise InputError(f"the texts hold {len(tokens):,} tokens, fewer than {count} documents x {length}; "
                         "ask for fewer documents or shorter splits")
    starts = reference_offsets(len(tokens), np.full(count, length), seed)
    return np.stack([tokens[a:a + length] for a in starts]).astype(np.int64)


def lm_bipartite(lm: PretrainedLM, data: str | os.PathLike, splits: Iterable[int], *, documents: int = 200,
                 head_tokens: int = 1, seed: int = 0, batch: int = 8, two_point: bool = True,
                 store: str | os.PathLike | None = None, progress: bool = False) -> BipartiteCurve:
    """The bipartite MI of ``data`` read by ``lm`` (:func:`~midecay.bipartite.bipartite_mi`), with the
    two-point curve of the same tokens.

    ``data``: ``dataset:NAME[/SPLIT]`` or a text file (windows of running text tokenized by the LM, drawn
    by :func:`lm_documents`), or a ``.npz`` of samples from :func:`sample_lm` (the model's own tokens: the
    first ``documents`` streams). The two-point curve is measured on 20 log-spaced lags below the
    documents' length, each document a stream (:func:`~midecay.mi_curve`).
    """
    from pathlib import Path

    from ...bipartite import bipartite_mi
    from ...curve import mi_curve
    from ...opening import open_source
    from ...sequences import Symbols
    from .lm_evaluation import segment_texts
    from .samples import LMSamples

    ells = sorted({int(s) for s in splits})
    length = 2 * ells[-1]
    if str(data).endswith(".npz"):
        drawn = LMSamples.load(Path(data))
        if drawn.tokens.shape[1] < length or len(drawn.tokens) < documents:
            raise InputError(f"{data} holds {len(drawn.tokens)} streams of {drawn.tokens.shape[1]} tokens; the splits need "
                             f"{documents} of at least {length}: ask for fewer documents or shorter splits")
        rows = drawn.tokens[:documents, :length].astype(np.int64)
    else:
        rows = lm_documents(segment_texts(open_source(data)), lm, length, documents, seed=seed)
    curve = bipartite_mi(rows, CausalLMScorer(lm, batch=batch), ells, head_tokens=head_tokens, source=str(data),
                         store=store, progress=progress)
    if not two_point:
        return curve
    tokens = Symbols(rows.reshape(-1), tuple(range(lm.config.vocab_size)), np.arange(0, rows.size + 1, length), str(data))
    lags = np.unique(np.geomspace(1, length - 1, 20).astype(np.int64))
    return dataclasses.replace(curve, two_point=mi_curve(tokens, lags, seed=seed))
