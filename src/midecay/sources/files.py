"""Opening a source file: existence, on-the-fly decompression, and one-line errors for corrupt files."""

from __future__ import annotations

import lzma
import os
import zlib
from pathlib import Path

from ..errors import InputError, InputNotFoundError

__all__ = ["READ_ERRORS", "corrupt_error", "existing_file", "is_compressed", "open_binary", "read_bytes"]


#: Compressed suffixes and what reads them.
_OPENERS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


def is_compressed(path: Path) -> bool:
    """Whether ``path`` is read through a decompressor (by its suffix)."""
    return path.suffix.lower() in _OPENERS


def existing_file(path: str | os.PathLike) -> Path:
    """``path`` as a Path, or a one-line error when it is missing or a folder."""
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(f"{path} not found; check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder; pass a file inside it")
    return path


def open_binary(path: Path):
    """The file opened for binary reading, ``.gz`` / ``.bz2`` / ``.xz`` decompressed on the fly."""
    import importlib

    name = _OPENERS.get(path.suffix.lower())
    return importlib.import_module(name).open(path, "rb") if name else open(path, "rb")


#: What a corrupt or truncated (compressed) file raises while it is read.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError)


def corrupt_error(path, exc: BaseException) -> InputError:
    """The one-line error for a file that cannot be read to its end."""
    return InputError(f"{path} is corrupt or truncated ({type(exc).__name__}: {exc}); fetch the file again")


def read_bytes(path: str | os.PathLike) -> bytes:
    """A file's bytes, ``.gz`` / ``.bz2`` / ``.xz`` decompressed; a missing, folder or corrupt file is a one-line error."""
    path = existing_file(path)
    with open_binary(path) as fh:
        try:
            return fh.read()
        except READ_ERRORS as exc:
            raise corrupt_error(path, exc) from None
