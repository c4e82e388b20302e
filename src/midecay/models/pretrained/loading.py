"""Loading a causal LM and its tokenizer: a named model, a folder, a ``.gguf`` file or a hub name (offline: one line)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..._io import umask
from ..._locks import cache_held
from ..._progress import live
from ...errors import DownloadError, InputError, InputNotFoundError, MissingExtraError, OutputNotWritableError
from .lm import PretrainedLM
from .named import NAMED_MODELS, named_model_file

logger = logging.getLogger(__name__)

#: Beside a named model's GGUF file: its weights de-quantised to float32 (safetensors) and its
#: tokenizer, written on the first load, read by the next ones.
DEQUANTISED = "float32"


def load_transformers():
    """The transformers package, or a one-line error naming the extra."""
    try:
        import transformers
    except ImportError:
        raise MissingExtraError("pretrained models need transformers; `pip install midecay[lm]`") from None
    return transformers


def load_lm(model: str | os.PathLike, *, allow_eos: bool = False, device: str = "auto",
            progress: bool = False) -> PretrainedLM:
    """Load a causal LM and its tokenizer: a named model, a folder, a ``.gguf`` file or a hub name.

    Offline, a hub name not in the local Hugging Face cache fails at once with one line naming
    what to download; a GGUF file is de-quantised to float32 on load (needs ``gguf``). A named
    model keeps those float32 weights in the cache beside its file (about 520 MB for SmolLM2-135M)
    on its first load, which takes 17-27 s on 2 cores; later loads read them in under a second,
    the same tensors and tokenizer, so the same seed gives the same streams.
    ``device``: ``"cpu"``, ``"cuda"`` (``"cuda:N"``) or ``"auto"`` (CUDA when torch sees a GPU).
    The weights stay in float32 on either, so a GPU changes the speed, not the model; the same
    seed gives the same streams on one device, not across devices.

    Examples
    --------
    ``load_lm("smollm2-135m")`` gives SmolLM2-135M (vocabulary 49,152); the named models:

    >>> sorted(NAMED_MODELS)
    ['smollm2-135m']
    """
    transformers = load_transformers()
    where = resolve_device(device)
    text = os.fspath(model)
    folder, kwargs = _resolve(text)
    kept = folder / DEQUANTISED if text in NAMED_MODELS else None
    if kept is not None and (kept / "model.safetensors").is_file() and (kept / "config.json").is_file():
        folder, kwargs = kept, {}
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
                    import accelerate  # noqa: F401
                    import gguf  # noqa: F401
                except ImportError:
                    raise MissingExtraError("GGUF models need the packages gguf and accelerate; `pip install midecay[lm]`") from None
            if folder is not None:
                tokenizer, lm = _from_files(transformers, folder, kwargs)
            else:
                tokenizer, lm = _from_hub(transformers, text)
        if kept is not None and kwargs.get("gguf_file"):
            _keep_dequantised(lm, tokenizer, kept)
    finally:
        if not show and bars:
            transformers.utils.logging.enable_progress_bar()
    return PretrainedLM(lm.to(where), tokenizer, text, allow_eos=allow_eos)


def _keep_dequantised(lm, tokenizer, target: Path) -> None:
    """Write a named model's de-quantised weights and tokenizer to ``target`` once (atomically: a
    folder beside it, renamed); a cache that cannot be written is a warning, never a failed load."""
    try:
        with cache_held(target):
            if (target / "model.safetensors").is_file():
                return
            temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
            # transformers refuses to save a model read from GGUF, though its weights are plain
            # float32 by then; the quantizer is set aside for the save only.
            quantizer, setting = lm.hf_quantizer, lm.config.__dict__.pop("quantization_config", None)
            try:
                lm.hf_quantizer = None
                with contextlib.redirect_stderr(io.StringIO()):  # transformers' shard bar
                    lm.save_pretrained(temporary, safe_serialization=True)
                    tokenizer.save_pretrained(temporary)
                mask = umask()  # what `mkdir` and `open` would have given, not mkdtemp's owner-only
                for written in temporary.iterdir():
                    written.chmod(0o666 & ~mask)
                temporary.chmod(0o777 & ~mask)
                os.rename(temporary, target)
            finally:
                lm.hf_quantizer = quantizer
                if setting is not None:
                    lm.config.quantization_config = setting
                shutil.rmtree(temporary, ignore_errors=True)
    except (OSError, OutputNotWritableError) as exc:
        logger.warning("could not keep the de-quantised weights in %s (%s): the next load reads the GGUF again",
                       target, exc)


def resolve_device(device: str) -> str:
    """``"cpu"``, ``"cuda"``/``"cuda:N"`` if torch sees that GPU, or ``"auto"`` (the GPU when there is one).

    Examples
    --------
    >>> resolve_device("cpu")
    'cpu'
    """
    import torch

    text = str(device).strip().lower()
    if text == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if text == "cpu":
        return "cpu"
    if text == "cuda" or (text.startswith("cuda:") and text[5:].isdigit()):
        if not torch.cuda.is_available():
            raise InputError(f"device {device!r} asked for, but torch sees no CUDA GPU here; use --device cpu or auto")
        index = int(text[5:]) if ":" in text else 0
        if index >= torch.cuda.device_count():
            raise InputError(f"device {device!r} asked for, but torch sees {torch.cuda.device_count()} GPU(s); "
                             "pick one of them or use --device auto")
        return text
    raise InputError(f"unknown device {device!r}; use cpu, cuda, cuda:N or auto")


def _from_files(transformers, folder: Path, kwargs: dict[str, Any]):
    """Tokenizer and model from a folder or a GGUF file in it; a file transformers cannot read is one line."""
    import struct

    import pickle

    what = folder / kwargs["gguf_file"] if kwargs.get("gguf_file") else folder
    try:
        return (transformers.AutoTokenizer.from_pretrained(folder, **kwargs),
                transformers.AutoModelForCausalLM.from_pretrained(folder, **kwargs))
    except pickle.UnpicklingError:  # torch's weights-only loader met code, not tensors, and ran none of it
        raise InputError(f"{what} holds pickled code, not only weights (refused, nothing of it was run); "
                         "use a model saved as safetensors, or one you trust re-saved with save_pretrained") from None
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
    if text.startswith((".", "/", "~")) or text.count("/") > 1 or os.sep != "/" and os.sep in text:
        # A hub name is NAME or ORG/NAME: this is a path, and nothing is there.
        raise InputNotFoundError(f"{text} not found; pass a model folder, a .gguf file, a hub name (ORG/NAME) or one of: "
                                 f"{', '.join(NAMED_MODELS)}")
    return None, {}


def load_tokenizer(model: str | os.PathLike):
    """Only the tokenizer of :func:`load_lm`'s ``model`` (to tokenize a reference corpus)."""
    transformers = load_transformers()
    text = os.fspath(model)
    folder, kwargs = _resolve(text)
    kept = folder / DEQUANTISED if text in NAMED_MODELS else None
    if kept is not None and (kept / "model.safetensors").is_file() and (kept / "config.json").is_file():
        folder, kwargs = kept, {}
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
