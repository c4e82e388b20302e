"""One thread setting for everything midecay runs in parallel.

The numba kernels and the sparse kernel's thread pool both read numba's thread count, so
setting it once (``NUMBA_NUM_THREADS`` before start-up, or :func:`threads` for a block of
code) governs all counting; :func:`threads` sets torch's intra-op threads too when the
models are loaded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["threads", "thread_count"]


def thread_count() -> int:
    """The number of threads midecay's parallel code uses now."""
    import numba

    return int(numba.get_num_threads())


@contextlib.contextmanager
def threads(n: int) -> Iterator[int]:
    """Use ``n`` threads for the counting kernels inside a ``with`` block, then restore the previous count.

    Examples
    --------
    >>> import midecay
    >>> with midecay.threads(1):
    ...     midecay._threads.thread_count()
    1
    """
    import numba

    from .errors import InputError

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= numba.config.NUMBA_NUM_THREADS:
        raise InputError(f"threads must be an integer between 1 and {numba.config.NUMBA_NUM_THREADS}, got {n!r}")
    import sys

    torch = sys.modules.get("torch")  # models share the setting once torch is loaded
    before = numba.get_num_threads()
    torch_before = torch.get_num_threads() if torch is not None else None
    numba.set_num_threads(n)
    if torch is not None:
        torch.set_num_threads(n)
    try:
        yield n
    finally:
        numba.set_num_threads(before)
        if torch is not None:
            torch.set_num_threads(torch_before)
