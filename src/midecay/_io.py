"""Atomic, non-clobbering file writes.

A reader never sees a half-written file: data go to a temporary file beside the target and
are renamed into place once complete. Without ``overwrite`` the target is claimed with a hard
link, which fails if the name exists, so of two concurrent writers exactly one wins. New files
get the permissions the umask allows (as ``open`` would give them), replaced files keep theirs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from .errors import InputError, OutputExistsError, OutputNotWritableError

__all__ = ["write_atomic", "check_output_path", "check_output_folder", "umask"]


def umask() -> int:
    """The process's umask, read without changing it where /proc allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no portable read-only query elsewhere
    os.umask(mask)
    return mask


#: Longest file name most filesystems take (bytes); the temporary name beside it is kept shorter.
NAME_MAX = 255


def _nearest_existing(path: Path) -> Path:
    parent = path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


#: Bytes the probe file takes: a disk too full (or a ``ulimit -f`` too small) for this refuses before the work.
PROBE_BYTES = 1 << 16


def _probe_folder(folder: Path, target: Path) -> None:
    """Create, fill and remove a file in ``folder``: the one test that also holds for root, /proc, read-only
    mounts, a full disk and a file-size limit."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".midecay-probe.", dir=folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputNotWritableError(f"cannot write {target}: {reason.lower()} in {folder}; choose a writable folder") from None
    try:
        view = memoryview(bytes(PROBE_BYTES))
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise OutputNotWritableError(f"cannot write {target}: {_reason(exc)} in {folder}; {_FIX}") from None
    finally:
        os.close(fd)
        os.unlink(probe)


_FIX = "free space, raise the file-size limit (ulimit -f) or choose another folder"


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


#: The errors of the machine's limits, not of the program: each is one line naming its fix.
LIMIT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EFBIG)


def _check_names(path: Path) -> None:
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise InputError(f"the name {part[:24]}... is {size} bytes long; names may have at most {NAME_MAX}: "
                             "choose a shorter one")


def _check_link(path: Path) -> None:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path} is a symbolic link that loops; remove it or choose another name") from None
        if os.path.islink(path) and exc.errno == errno.ENOENT:
            return  # a dangling link: writing replaces it, as for any existing name
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise InputError(f"cannot use {path}: {(exc.strerror or '').lower()}; choose another output path") from None


def check_output_path(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Refuse, before any work, an output that exists (without ``overwrite``), is a folder, loops, has a
    name too long, or lies where nothing can be written (tried by creating and removing a file there)."""
    path, parent = _checked_target(path, overwrite)
    _probe_folder(parent, path)
    return path


def _checked_target(path: str | os.PathLike, overwrite: bool) -> tuple[Path, Path]:
    """The checks of :func:`check_output_path` short of the probe file: ``(path, nearest existing folder)``."""
    path = Path(path)
    _check_names(path)
    _check_link(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name inside it")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass overwrite=True to replace it")
    parent = _nearest_existing(path.parent)
    if not parent.is_dir():
        raise InputError(f"{parent} is a file, so {path} cannot be created; choose another output path")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputNotWritableError(f"cannot write {path}: permission denied; choose a writable folder")
    return path, parent


def check_output_folder(folder: str | os.PathLike) -> Path:
    """Refuse, before any work, an output folder that is a file, loops, or lies where nothing can be written."""
    folder = Path(folder)
    _check_names(folder)
    _check_link(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; give a folder for the results")
    parent = _nearest_existing(folder)
    if not parent.is_dir():
        raise InputError(f"{parent} is a file, so {folder} cannot be created; choose another folder")
    _probe_folder(parent, folder)
    return folder


def write_atomic(path: str | os.PathLike, data: str | bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader never sees a half-written file, and an existing file is kept unless
    ``overwrite`` is true (then it keeps its permissions).
    """
    # No probe file here: the temporary file below is the same test, and this runs on every write.
    path = _checked_target(path, overwrite)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # what the probe file of check_output_path would have met
        reason = (exc.strerror or type(exc).__name__).lower()
        raise OutputNotWritableError(f"cannot write {path}: {reason} in {path.parent}; choose a writable folder") from None
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w", **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _claim(tmp, path)
    except OSError as exc:
        if exc.errno in LIMIT_ERRNOS:
            raise OutputNotWritableError(f"cannot write {path}: {_reason(exc)}; {_FIX}") from None
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def _claim(tmp: str, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist, atomically."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExistsError(f"{path} exists (written meanwhile by another process); pass overwrite=True to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # Filesystems without hard links: claim the name exclusively, then rename over the claim.
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise OutputExistsError(f"{path} exists; pass overwrite=True to replace it") from None
        os.replace(tmp, path)
