"""Opening a source file: existence, on-the-fly decompression, and one-line errors for corrupt files."""

from __future__ import annotations

import errno
import lzma
import os
import stat
import zlib
from pathlib import Path

from ..errors import InputError, InputNotFoundError

__all__ = ["MEMORY_READ_BYTES", "READ_ERRORS", "corrupt_error", "existing_file", "is_compressed", "open_binary", "read_bytes"]


#: Compressed suffixes and what reads them.
_OPENERS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


def is_compressed(path: Path) -> bool:
    """Whether ``path`` is read through a decompressor (by its suffix)."""
    return path.suffix.lower() in _OPENERS


def existing_file(path: str | os.PathLike, *, other: str = "") -> Path:
    """``path`` as a Path, or a one-line error when it is missing, a folder, a link that loops, or a
    device (``/dev/zero`` never ends; reading it ends in ``MemoryError``). Pipes are read, within
    :data:`MEMORY_READ_BYTES`. ``other`` names what else the caller takes (``", or dataset:NAME"``)."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path} is a symbolic link that loops; point it at a file") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputNotFoundError(f"{path} not found; check the path{other}") from None
        raise InputError(f"cannot read {path}: {(exc.strerror or type(exc).__name__).lower()}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a folder; pass a file inside it{other}")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise InputError(f"{path} is a device, not a file; save the data to a file and pass that")
    return path


#: Most bytes (after decompression) read into memory from one file: past this, a text or FASTA
#: file is read with ``stream=true`` (the size past which a plain file streams by default).
MEMORY_READ_BYTES = 1 << 30


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


def read_bytes(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """A file's bytes, ``.gz`` / ``.bz2`` / ``.xz`` decompressed, at most ``limit`` (default
    :data:`MEMORY_READ_BYTES`); a missing, folder, device, corrupt or oversized file is a one-line error
    (a 1 MB archive can hold 1 GiB of text)."""
    path = existing_file(path)
    limit = MEMORY_READ_BYTES if limit is None else limit
    with open_binary(path) as fh:
        try:
            data = fh.read(limit + 1)
        except READ_ERRORS as exc:
            raise corrupt_error(path, exc) from None
    if len(data) > limit:
        raise InputError(f"{path} holds more than {limit:,} bytes{' once decompressed' if is_compressed(path) else ''}, "
                         "more than is read into memory; read a text or FASTA file with -o stream=true (stream=True)")
    return data
