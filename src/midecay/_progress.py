"""Feedback on long work: one policy for every loop midecay reports on.

When a caller asks for progress (``enabled``):

* on a terminal (or in a notebook), a live tqdm bar (tqdm is optional; without it, lines);
* elsewhere (a batch job, a pipe, a log file), a line at most every :data:`LINE_SECONDS`
  seconds saying what runs, how far it is, and how long is left, sent to the
  ``midecay.progress`` logger (the command line prints it on stderr; a library user sees it
  where their logging goes). Nothing is written when no line is due, so short work stays silent.

When progress is not asked for, nothing is shown. The command line asks unless ``--quiet``,
``--json`` or ``--csv``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterable, Iterator

__all__ = ["progress", "counter", "heartbeat", "live", "LINE_SECONDS"]

#: Seconds between two progress lines when no live bar can be drawn.
LINE_SECONDS = 15.0

logger = logging.getLogger("midecay.progress")


def live() -> bool:
    """Whether a live bar can be drawn: stderr is a terminal, or a notebook kernel runs us."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress bars are optional; lines are not
        return None
    return tqdm


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class LineReporter:
    """A counter that logs ``desc: done/total (pct), elapsed, ~left`` at most every ``interval`` seconds."""

    def __init__(self, total: int | None, desc: str, unit: str = "it", interval: float | None = None,
                 clock=time.monotonic) -> None:
        self.total, self.desc, self.unit, self.clock = total, desc, unit, clock
        self.interval = LINE_SECONDS if interval is None else interval
        self.done = 0
        self.postfix = ""
        self.start = clock()
        self.last = self.start
        self.lines = 0
        self.reported = 0  # ``done`` at the last line

    def _amount(self, n: float) -> str:
        if self.unit == "B":
            return f"{n / 2**20:,.0f} MiB"
        return f"{n:,.0f}"

    def line(self) -> str:
        elapsed = self.clock() - self.start
        units = "" if self.unit in ("it", "B") else f" {self.unit}{'' if (self.total or self.done) == 1 else 's'}"
        text = f"{self.desc}: {self._amount(self.done)}"
        if self.total:
            text += f" of {self._amount(self.total)}{units} ({100 * self.done / self.total:.0f} %)"
        else:
            text += units
        text += f", {_duration(elapsed)} elapsed"
        if self.total and 0 < self.done < self.total:
            text += f", about {_duration(elapsed * (self.total - self.done) / self.done)} left"
        return text + (f"; {self.postfix}" if self.postfix else "")

    def update(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self.lines += 1
            self.reported = self.done
            logger.info(self.line())

    def set_postfix(self, **values: object) -> None:
        self.postfix = ", ".join(f"{k} {v}" for k, v in values.items())

    def close(self) -> None:
        if self.lines and self.reported != self.done:  # it was long enough to report on: say how it ended
            logger.info(self.line())


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, **values: object) -> None:
        pass

    def close(self) -> None:
        pass


def counter(total: int | None, desc: str, enabled: bool, unit: str = "it"):
    """A reporter advanced by hand (``.update(n)``, ``.close()``) for work that finishes out of order."""
    if not enabled:
        return _Silent()
    tqdm = _tqdm() if live() else None
    if tqdm is not None:
        return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", leave=False)
    return LineReporter(total, desc, unit)


def progress(iterable: Iterable, total: int, desc: str, enabled: bool) -> Iterable:
    """``iterable``, reported on by :func:`counter`'s policy when ``enabled``."""
    if not enabled:
        return iterable
    tqdm = _tqdm() if live() else None
    if tqdm is not None:
        return tqdm(iterable, total=total, desc=desc, leave=False)
    return _lines(iterable, LineReporter(total, desc))


def _lines(iterable: Iterable, reporter: LineReporter) -> Iterator:
    try:
        for item in iterable:
            yield item
            reporter.update(1)
    finally:
        reporter.close()


@contextlib.contextmanager
def heartbeat(desc: str, enabled: bool, interval: float | None = None, clock=time.monotonic) -> Iterator[None]:
    """While the block runs, a line every :data:`LINE_SECONDS` (terminal or not) saying it still does ``desc``.

    For work with no loop to count (one compiled kernel call, numba compiling the kernels on a first
    run): short work stays silent, long work is never silent.

    >>> with heartbeat("counting pairs", enabled=True, interval=60):
    ...     pass
    """
    if not enabled:
        yield
        return
    interval = LINE_SECONDS if interval is None else interval
    start = clock()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(interval):
            logger.info("%s: still working, %s elapsed", desc, _duration(clock() - start))

    thread = threading.Thread(target=beat, name="midecay-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
