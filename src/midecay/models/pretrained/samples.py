"""Sampling many streams from a pretrained LM, seeded per batch, resumable, written atomically after each batch."""

from __future__ import annotations

import json
import logging
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._io import write_atomic
from ..._locks import output_held
from ..._parsing import parse_json
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
                fix = "pass a file written by `midecay lm sample`"
                texts = parse_json(str(z["texts_json"]), str(path), fix)
                meta = parse_json(str(z["meta_json"]), str(path), fix)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            raise InputError(f"{path} is not an LM samples file written by `midecay lm sample`") from None
        if tokens.ndim != 2 or len(texts) != len(tokens) or not isinstance(meta, dict) or "vocab_size" not in meta:
            raise InputError(f"{path} is not an LM samples file written by `midecay lm sample`")
        return cls(tokens, tuple(texts), meta)


#: Seconds between rewrites of an ``out`` file while sampling: what an interrupted run loses at most.
SAVE_SECONDS = 30.0


def _free_memory(device: str) -> int | None:
    """Bytes free on ``device`` now (RAM for the CPU), or None where it cannot be told."""
    try:
        if device == "cuda":
            import torch

            return int(torch.cuda.mem_get_info()[0])
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, RuntimeError, AttributeError):
        return None


def _check_memory(lm: PretrainedLM, n_streams: int, n_tokens: int, batch: int, device: str) -> None:
    """Refuse, before any work, a batch whose logits and KV cache, or a sample whose tokens and texts,
    cannot fit in the memory free now: past it the run swaps for hours instead of failing."""
    free = _free_memory(device)
    if free is None:
        return
    config = getattr(lm.lm, "config", None)
    layers = int(getattr(config, "num_hidden_layers", 0) or getattr(config, "n_layer", 0) or 0)
    hidden = int(getattr(config, "hidden_size", 0) or getattr(config, "n_embd", 0) or 0)
    # float32: a step's logits and the few copies sampling makes of them, and keys and values of every layer.
    per_stream = 4 * (4 * lm.config.vocab_size + 2 * layers * hidden * n_tokens)
    if batch * per_stream > free // 2:
        fits = max(1, free // 2 // per_stream)
        raise InputError(f"--batch {batch} needs about {batch * per_stream / 1e9:.1f} GB on {device} for the model's "
                         f"logits and cache, and {free / 1e9:.1f} GB are free; pass --batch {fits} or less")
    # int64 tokens and their decoded text (a few bytes a token), all held until the end.
    kept = n_streams * n_tokens * 12
    ram = _free_memory("cpu")
    if ram is not None and kept > ram // 2:
        raise InputError(f"{n_streams:,} streams of {n_tokens:,} tokens need about {kept / 1e9:.1f} GB of memory, and "
                         f"{ram / 1e9:.1f} GB are free; sample fewer streams, into several files")


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
    was started). With ``out`` the file is held for the run (a second run into it refuses) and
    rewritten atomically every :data:`SAVE_SECONDS`, at the end and on an interrupt; an existing
    file made with the same model and arguments is continued (``resume``), one made otherwise is
    an error. A batch or a sample too big for the memory free now is refused before any work.
    """
    from ..._progress import counter
    from ..sampling import sample

    check_int("n_streams", n_streams, 1, 10**7)
    check_int("n_tokens", n_tokens, 1, 10**7)
    check_int("batch", batch, 1, 10**5)
    if n_tokens >= lm.config.context:
        raise InputError(f"{n_tokens} tokens exceed the model's context of {lm.config.context}; sample fewer")
    device = next(lm.parameters()).device.type
    _check_memory(lm, n_streams, n_tokens, batch, device)
    meta = {"model": lm.config.name, "vocab_size": lm.config.vocab_size, "n_tokens": int(n_tokens), "seed": int(seed),
            "batch": int(batch), "temperature": float(temperature), "top_k": int(top_k), "top_p": float(top_p),
            "start_token": lm.bos, "eos_masked": lm.eos is not None, "parameters": lm.n_parameters(), "device": device}
    path = Path(out) if out is not None else None
    with contextlib.ExitStack() as held:
        if path is not None:
            held.enter_context(output_held(path))
        blocks, texts = _resumed(path, resume, meta, device, n_streams, n_tokens)
        done = sum(len(x) for x in blocks)
        bar = counter(n_streams, f"sampling {lm.config.name}", progress, unit="stream")
        bar.update(done)

        def result() -> LMSamples:
            tokens = np.concatenate(blocks) if blocks else np.empty((0, n_tokens), dtype=np.int64)
            return LMSamples(tokens, tuple(texts), {**meta, "n_streams": len(tokens)})

        saved = time.monotonic()
        try:
            b = done // batch
            while done < n_streams:
                # Always a whole batch, cut afterwards: a stream's tokens must not depend on how many were asked for.
                size = min(batch, n_streams - b * batch)
                drawn = sample(lm, batch, n_tokens, seed=int(np.random.SeedSequence([seed, b]).generate_state(1)[0]),
                               temperature=temperature, top_k=top_k, top_p=top_p)
                block = np.asarray(drawn.codes, dtype=np.int64).reshape(batch, n_tokens)[:size]
                blocks.append(block)
                texts.extend(lm.decode(row) for row in block)
                done += size
                b += 1
                bar.update(size)
                # The file is rewritten whole, so not after every batch (10^6 small batches would spend the
                # run rewriting it): every SAVE_SECONDS, at the end, and when the run is interrupted.
                if path is not None and (done >= n_streams or time.monotonic() - saved > SAVE_SECONDS):
                    result().save(path, overwrite=True)
                    saved = time.monotonic()
        except (KeyboardInterrupt, SystemExit):
            if path is not None and done:
                result().save(path, overwrite=True)
            raise
        finally:
            bar.close()
        return result()


def _resumed(path: Path | None, resume: bool, meta: dict[str, Any], device: str, n_streams: int,
             n_tokens: int) -> tuple[list[np.ndarray], list[str]]:
    """The streams an earlier run saved in ``path`` (whole batches), checked to be of these settings."""
    if path is None or not path.exists():
        return [], []
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
    kept = done.tokens[:n_streams]
    if len(kept) < n_streams:  # continue from whole batches: a cut last batch is drawn again, whole
        kept = kept[: len(kept) // meta["batch"] * meta["batch"]]
    log.info("resuming %s: %d of %d streams done", path, len(kept), n_streams)
    return [kept], list(done.texts[: len(kept)])
