"""Sampling many streams from a pretrained LM, seeded per batch, resumable, written atomically after each batch."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._io import write_atomic
from ...errors import InputError, InputNotFoundError
from ...validation import check_int
from .lm import PretrainedLM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LMSamples:
    """Sampled token streams of a pretrained model, with the decoded text of each stream."""

    tokens: np.ndarray  # (n_streams, n_tokens)
    texts: tuple[str, ...]
    meta: dict[str, Any]

    def symbols(self, level: str = "token"):
        """The streams as :class:`~midecay.Symbols`, one segment per stream: model tokens, or characters of the text."""
        from ...sequences import Symbols, encode

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
    run went through at once, was interrupted and resumed, or asked for fewer streams (on one
    device: a GPU draws other streams from the same seed, so a file is continued only where it
    was started). With ``out`` the file
    is rewritten atomically after every batch; an existing file made with the same model and
    arguments is continued (``resume``), one made otherwise is an error.
    """
    from ..._progress import counter
    from ..sampling import sample

    check_int("n_streams", n_streams, 1, 10**7)
    check_int("n_tokens", n_tokens, 1, 10**7)
    check_int("batch", batch, 1, 10**5)
    if n_tokens >= lm.config.context:
        raise InputError(f"{n_tokens} tokens exceed the model's context of {lm.config.context}; sample fewer")
    device = next(lm.parameters()).device.type
    meta = {"model": lm.config.name, "vocab_size": lm.config.vocab_size, "n_tokens": int(n_tokens), "seed": int(seed),
            "batch": int(batch), "temperature": float(temperature), "top_k": int(top_k), "top_p": float(top_p),
            "start_token": lm.bos, "eos_masked": lm.eos is not None, "parameters": lm.n_parameters(), "device": device}
    tokens = np.empty((0, n_tokens), dtype=np.int64)
    texts: list[str] = []
    path = Path(out) if out is not None else None
    if path is not None and path.exists():
        if not resume:
            from ...errors import OutputExistsError

            raise OutputExistsError(f"{path} exists; pass resume to continue it, or remove it")
        done = LMSamples.load(path)
        before = {"device": "cpu", **{k: v for k, v in done.meta.items() if k != "n_streams"}}  # files from before GPUs
        if before["device"] != device and {**before, "device": device} == meta:
            # One seed gives other streams on another device: continuing would mix two samplings.
            raise InputError(f"{path} was sampled on {before['device']}, this model is on {device}; "
                             f"continue it with --device {before['device']}, or choose another --out")
        if before != meta:
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
