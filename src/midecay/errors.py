"""Exceptions for input a user can fix, kept apart from bugs.

Every message a user can act on is raised as an :class:`InputError` (a ``ValueError``, so
``except ValueError`` keeps working for library callers). The command line turns these, and
only these, into one ``error:`` line and exit code 1; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

__all__ = [
    "InputError", "InputNotFoundError", "OutputExistsError", "OutputNotWritableError", "DatasetUnavailable",
    "MissingExtraError", "DownloadError", "OutputBusyError",
]


class InputError(ValueError):
    """Input that midecay refuses, with a one-line message naming the problem and the fix.

    >>> import midecay
    >>> try:
    ...     midecay.mi_curve("ab", [5])
    ... except midecay.InputError as exc:
    ...     print(exc)
    lag 5 is not shorter than the longest segment (2 symbols); use lags below 2
    """


class InputNotFoundError(InputError, FileNotFoundError):
    """A file or folder the user named does not exist."""


class OutputExistsError(InputError, FileExistsError):
    """An output file exists and replacing it was not asked for."""


class OutputNotWritableError(InputError, PermissionError):
    """An output cannot be written where the user asked."""


class DatasetUnavailable(InputError, RuntimeError):
    """A data set cannot be had on this machine; the message says how to provide it."""


class MissingExtraError(InputError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class DownloadError(InputError, ConnectionError):
    """A download failed or was refused; the message says where to put the file by hand."""


class OutputBusyError(InputError, BlockingIOError):
    """An output is being written by another run; the message says to wait or choose another."""
