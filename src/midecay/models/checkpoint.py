"""Checkpoints that carry their own config, alphabet and training history.

One file, written atomically: tensors and plain Python values only, so it loads with
``torch.load(weights_only=True)`` and never unpickles code. A truncated, foreign or
mismatched file is a one-line error.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .._io import write_atomic
from .._parsing import parse_json
from ..errors import InputError, InputNotFoundError
from .base import SequenceModel
from .config import ModelConfig

__all__ = ["Checkpoint", "save_checkpoint", "load_checkpoint", "FORMAT"]

FORMAT = "midecay.checkpoint/1"


@dataclass
class Checkpoint:
    """A model with what it needs to be used again: config, alphabet, history, optimiser state."""

    model: SequenceModel
    alphabet: tuple
    history: list[dict[str, Any]] = field(default_factory=list)
    optimizer_state: dict | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Further named state dicts (e.g. the best weights so far while training runs on).
    tensors: dict[str, dict] = field(default_factory=dict)


def save_checkpoint(ckpt: Checkpoint, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``ckpt`` atomically (an existing file is kept unless ``overwrite``)."""
    alphabet = [a if isinstance(a, (str, int)) and not isinstance(a, bool) else str(a) for a in ckpt.alphabet]
    payload = {
        "format": FORMAT,
        "meta": json.dumps({"config": ckpt.model.config.to_dict(), "alphabet": alphabet, "history": ckpt.history,
                            "extra": ckpt.extra}, default=str),
        "state_dict": ckpt.model.state_dict(),
        "optimizer": ckpt.optimizer_state,
        "tensors": ckpt.tensors,
    }
    buf = io.BytesIO()
    torch.save(payload, buf)
    return write_atomic(path, buf.getvalue(), overwrite=overwrite)


def load_checkpoint(path: str | os.PathLike, *, map_location: str = "cpu") -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``: nothing is unpickled)."""
    from .build import build_model

    path = Path(path)
    if not path.is_file():
        raise InputNotFoundError(f"{path} not found or not a file; pass a checkpoint written by `midecay train`")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises many types for truncated or foreign files
        raise InputError(f"{path} is not a readable midecay checkpoint ({type(exc).__name__}); "
                         "it may be truncated or written by something else") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InputError(f"{path} is not a midecay checkpoint (format {FORMAT!r} missing)")
    try:
        meta = parse_json(payload["meta"], str(path), "pass a checkpoint written by midecay")
        config = ModelConfig.from_dict(meta["config"])
        model = build_model(config)
        model.load_state_dict(payload["state_dict"])
        broken = [k for k, v in payload["state_dict"].items() if v.is_floating_point() and not torch.isfinite(v).all()]
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise InputError(f"{path}: the checkpoint does not match its own config ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:200]})") from None
    if broken:
        raise InputError(f"{path} holds NaN or infinite weights ({broken[0]}{' and more' if len(broken) > 1 else ''}): "
                         "its training diverged; train again with a lower learning rate")
    alphabet = tuple(meta.get("alphabet") or range(config.vocab_size))
    if len(alphabet) != config.vocab_size:
        raise InputError(f"{path}: alphabet of {len(alphabet)} symbols for a model of {config.vocab_size}")
    return Checkpoint(model, alphabet, list(meta.get("history") or []), payload.get("optimizer"), dict(meta.get("extra") or {}),
                      dict(payload.get("tensors") or {}))
