"""Progress bars for long work: tqdm on a terminal when asked, nothing otherwise (tqdm is optional)."""

from __future__ import annotations

from collections.abc import Iterable


def progress(iterable: Iterable, total: int, desc: str, enabled: bool) -> Iterable:
    """``iterable`` wrapped in a tqdm bar when ``enabled`` and tqdm is installed."""
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is optional
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False)


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def counter(total: int, desc: str, enabled: bool, unit: str = "it"):
    """A bar advanced by hand (``.update(n)``, ``.close()``) for work that finishes out of order."""
    if enabled:
        try:
            from tqdm.auto import tqdm

            return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", leave=False)
        except ImportError:
            pass
    return _Silent()
