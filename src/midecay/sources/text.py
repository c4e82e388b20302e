"""Text to symbols: characters, words, or any tokenizer; lines or documents as segments."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..errors import InputError
from ..sequences import Symbols, encode, smallest_code_dtype
from .cleaning import decode_error, prepare_text, text8_clean
from .files import read_bytes
from .streaming import stream_text, wants_stream

__all__ = ["read_text", "read_bytes", "read_byte_symbols", "text_symbols", "text8_clean"]

def _split_segments(text: str, segments: str | None) -> list[str]:
    if segments is None:
        return [text]
    if segments == "lines":
        parts = text.splitlines()
    elif segments == "documents":
        parts = re.split(r"\n\s*\n", text)
    else:
        raise InputError(f"unknown segments {segments!r}; use 'lines', 'documents' or None")
    return [p for p in parts if p.strip()]


def text_symbols(
    text: str | Iterable[str],
    *,
    level: str = "char",
    tokenizer: Callable[[str], list] | Any | None = None,
    pattern: str | None = None,
    lowercase: bool = False,
    ascii_only: bool = False,
    clean: str | None = None,
    segments: str | None = None,
    description: str = "text",
) -> Symbols:
    """Symbols from text already in memory.

    Parameters
    ----------
    text
        One string, or several (each its own segment).
    level
        ``"char"``, ``"word"`` (whitespace split, or ``pattern``), or ``"token"`` with ``tokenizer``.
    tokenizer
        A callable ``str -> list of tokens`` or an object with ``encode`` (e.g. a Hugging Face
        tokenizer, whose ids become the symbols).
    pattern
        Regular expression whose matches are the words (``level="word"``).
    lowercase, ascii_only, clean
        Normalisation: lower-case; drop non-ASCII; ``clean="text8"`` keeps a-z and single spaces.
    segments
        ``"lines"`` or ``"documents"`` (blank-line separated) make each its own segment.

    Examples
    --------
    >>> text_symbols("the cat sat\\nthe end", level="word", segments="lines").bounds.tolist()
    [0, 3, 5]
    """
    texts = [text] if isinstance(text, str) else list(text)
    if not texts or not any(t for t in texts):
        raise InputError(f"{description} is empty; pass non-empty text")
    parts: list[str] = []
    for t in texts:
        parts.extend(_split_segments(prepare_text(t, lowercase, ascii_only, clean), segments))
    if not parts:
        raise InputError(f"{description} has no content left after cleaning")
    if level == "char":
        return encode(parts, segmented=True, description=description)
    if level == "word":
        rx = re.compile(pattern) if pattern else None
        tokens = [rx.findall(p) if rx else p.split() for p in parts]
    elif level == "token":
        if tokenizer is None:
            raise InputError("level='token' needs a tokenizer: a callable or an object with .encode (e.g. a HF tokenizer)")
        fn = tokenizer.encode if hasattr(tokenizer, "encode") else tokenizer
        tokens = [list(fn(p)) for p in parts]
    else:
        raise InputError(f"unknown level {level!r}; use 'char', 'word' or 'token'")
    tokens = [t for t in tokens if t]
    if not tokens:
        raise InputError(f"{description} has no tokens at level {level!r}")
    return encode([list(t) for t in tokens], segmented=True, description=description)


def read_byte_symbols(path: str | os.PathLike, *, description: str | None = None, **options: Any) -> Symbols:
    """The file's bytes (``.gz``/``.bz2``/``.xz`` decompressed) as symbols, one a byte value: any file,
    binary or text in any encoding (``level="byte"``, CLI ``--level byte``).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "blob.bin.gz")
    >>> import gzip; _ = gzip.open(path, "wb").write(bytes([0, 255, 0, 255, 7]))
    >>> s = read_byte_symbols(path)
    >>> s.alphabet, s.n_symbols
    ((0, 7, 255), 5)
    """
    if options:
        raise InputError(f"level 'byte' reads the bytes as they are and takes no options, got {', '.join(sorted(options))}")
    raw = read_bytes(path)
    if not raw:
        raise InputError(f"{path} is empty; pass a file with some bytes")
    # The byte values that occur are the alphabet (a text's 60, not all 256), in their order.
    values, codes = np.unique(np.frombuffer(raw, dtype=np.uint8), return_inverse=True)
    return Symbols(codes.astype(smallest_code_dtype(len(values))), tuple(int(v) for v in values), np.array([0, len(raw)]),
                   description or f"bytes of {path}")


def read_text(
    path: str | os.PathLike,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    stream: bool | None = None,
    progress: bool = False,
    **kwargs: Any,
) -> Symbols:
    """Read a text file (``.gz`` and ``.bz2`` too) into symbols; see :func:`text_symbols` for options.

    ``errors`` is the decoding policy (``"strict"`` raises a one-line error naming the byte
    offset; ``"replace"`` or ``"ignore"`` to go on). ``stream=True`` encodes the file chunk by
    chunk into memory-mapped codes (:func:`~midecay.sources.streaming.stream_text`: characters,
    segments ``None`` or ``"lines"``), for texts past memory; ``None`` (default) does so for
    files of :data:`~midecay.sources.streaming.STREAM_BYTES` or more when those options allow
    (``progress``: a bar while streaming).
    """

    if kwargs.get("level") == "byte":
        return read_byte_symbols(path, **{k: v for k, v in kwargs.items() if k != "level"})
    streamable = kwargs.get("level", "char") == "char" and kwargs.get("segments") in (None, "lines") \
        and set(kwargs) <= {"level", "lowercase", "ascii_only", "clean", "segments", "description"}
    wanted = wants_stream(stream, path)  # a bad ``stream`` value is named before anything else
    if stream and not streamable:
        raise InputError("stream=True reads characters with segments None or 'lines'; drop the other options "
                         "or read in memory (stream=False)")
    if wanted and streamable:
        kwargs.pop("level", None)
        return stream_text(path, encoding=encoding, errors=errors, progress=progress, **kwargs)
    raw = read_bytes(path)
    try:
        text = raw.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        raise decode_error(path, f"byte {exc.start}", encoding) from None
    kwargs.setdefault("description", f"text file {path}")
    return text_symbols(text, **kwargs)


