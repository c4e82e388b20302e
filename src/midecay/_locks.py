"""One policy for two runs that meet at one file: at an output the second refuses, at a cache it waits.

Every output a command names (a file or a results folder) is held, from before the work starts
until the command ends, by an advisory lock on a hidden file beside it (``.NAME.lock``). A
second run naming the same output refuses at once with one line: waiting would only make it
replace or extend what the first wrote, and two writers of one results folder must never both
report success. A cache entry (the codes of a streamed file, a download) is shared work: a
second process waits for the first and then reads what it wrote.

The locks are `filelock <https://py-filelock.readthedocs.io>`_'s ``flock`` locks, so a run
killed with ``kill -9`` holds nothing: the kernel releases its lock. The lock file is unlinked
while still held and then released; ``filelock`` re-opens a path whose inode was unlinked under
it (``st_nlink == 0``), so a waiter never holds a lock on a name that is gone. Locks are taken
with ``is_singleton``: a library runner inside a command that already holds its output holds
it once more, not against itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputBusyError, OutputNotWritableError

__all__ = ["lock_file", "output_held", "cache_held"]

logger = logging.getLogger(__name__)


def lock_file(target: str | os.PathLike) -> Path:
    """The hidden file beside ``target`` whose lock stands for it.

    >>> lock_file("out/curve.json").name
    '.curve.json.lock'
    """
    target = Path(os.path.abspath(target))
    return target.parent / f".{target.name[:240]}.lock"


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones created, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            made.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            _remove_empty(missing)
            raise OutputNotWritableError(f"cannot create {made}: {(exc.strerror or type(exc).__name__).lower()}; "
                                         "choose a writable folder") from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders (deepest first) that are still empty: a refused or failed run leaves none behind."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextlib.contextmanager
def _held(target: str | os.PathLike, wait: bool) -> Iterator[Path]:
    from filelock import FileLock, Timeout

    target = Path(os.path.abspath(target))
    created = _make_parents(target.parent)
    path = lock_file(target)
    lock = FileLock(path, timeout=0, is_singleton=True)
    try:
        try:
            lock.acquire()
        except Timeout:
            if not wait:
                raise OutputBusyError(f"{target} is being written by another midecay run; wait for it to finish "
                                      "or choose another output") from None
            logger.warning("waiting for another process to finish writing %s", target)
            lock.acquire(timeout=-1)
        except OSError as exc:
            raise OutputNotWritableError(f"cannot lock {target} (writing {path}: {(exc.strerror or '').lower()}); "
                                         "choose a writable folder") from None
    except BaseException:
        _remove_empty(created)
        raise
    try:
        yield target
    finally:
        if lock.lock_counter == 1:  # the outermost hold: the name goes before the lock does
            with contextlib.suppress(OSError):
                path.unlink()
        lock.release()
        _remove_empty(created)


def output_held(target: str | os.PathLike) -> contextlib.AbstractContextManager[Path]:
    """Hold ``target`` (a file or folder to be written) for this run, or refuse with one line if another run holds it.

    Missing parent folders are created, and removed again on exit if nothing was written in them.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d, output_held(f"{d}/new/curve.json") as target:
    ...     target.name
    'curve.json'
    """
    return _held(target, wait=False)


def cache_held(target: str | os.PathLike) -> contextlib.AbstractContextManager[Path]:
    """Hold a cache entry while it is written: another process waits (saying so in the log), then reads it."""
    return _held(target, wait=True)
