"""The protocol every result follows: frozen, JSON in and out (validated on load), summary, plot.

A result class subclasses :class:`Result`, sets :attr:`Result.FORMAT` and writes
``to_dict`` / ``_from_dict`` / ``summary`` / ``plot``; this module gives it the rest:
``to_json`` (atomic, never clobbering), ``from_json`` and ``from_dict`` (one-line errors for
anything that is not what :meth:`to_dict` writes) and ``to_frame`` (pandas, optional).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

from ._io import write_atomic
from ._parsing import parse_json
from .errors import InputError, InputNotFoundError, MissingExtraError

__all__ = ["Result", "Summary", "jsonable", "new_axes", "require", "float_array", "int_array"]

R = TypeVar("R", bound="Result")


def jsonable(obj: Any) -> Any:
    """A JSON-ready copy: arrays and numpy scalars as Python values, NaN and inf as None, paths as text.

    Examples
    --------
    >>> jsonable({"a": np.array([1.0, np.nan]), "b": (np.int64(2), float("inf"))})
    {'a': [1.0, None], 'b': [2, None]}
    """
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return obj


def require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """``data[key]`` if present and of ``kind``, else a one-line :class:`InputError` naming the key."""
    if key not in data:
        raise InputError(f"{what} lacks the key {key!r}; pass a file written by midecay")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise InputError(f"{what}: {key!r} must be {names}, got {type(value).__name__}")
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one dict with dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): value}


def differences(old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """``(dotted key, old value, new value)`` for every setting in which two (nested) dicts differ.

    Examples
    --------
    >>> differences({"train": {"epochs": 2, "lr": 0.1}}, {"train": {"epochs": 4, "lr": 0.1}})
    [('train.epochs', 2, 4)]
    """
    a = flatten(old if isinstance(old, Mapping) else {})
    b = flatten(new if isinstance(new, Mapping) else {})
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def describe_differences(diff: list[tuple[str, Any, Any]], shown: int = 4) -> str:
    """``key: old there, new here; ...`` for a one-line message (the first ``shown`` of them)."""
    text = "; ".join(f"{k}: {a!r} there, {b!r} here" for k, a, b in diff[:shown])
    return text + (f" and {len(diff) - shown} more" if len(diff) > shown else "")


def float_array(values: Any, name: str, what: str, *, allow_nan: bool = True) -> np.ndarray:
    """A list of numbers (None read as NaN) as a float array, or a one-line error."""
    if not isinstance(values, (list, tuple, np.ndarray)):
        raise InputError(f"{what}: {name!r} must be a list of numbers, got {type(values).__name__}")
    items = np.asarray(values, dtype=object).ravel()
    if any(isinstance(v, (str, bytes)) for v in items):
        # numpy would read "0.1" as a number: a file that quotes its numbers was not written by midecay
        raise InputError(f"{what}: {name!r} must hold numbers only, not quoted text")
    if any(isinstance(v, (bool, np.bool_)) for v in items):
        raise InputError(f"{what}: {name!r} must hold numbers only, not true/false")  # numpy reads them as 1 and 0
    try:
        arr = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{what}: {name!r} must hold numbers only") from None
    if arr.ndim != 1:
        raise InputError(f"{what}: {name!r} must be a flat list of numbers")
    if not allow_nan and not np.isfinite(arr).all():
        raise InputError(f"{what}: {name!r} holds NaN or infinite values; re-estimate the curve")
    return arr


def int_array(values: Any, name: str, what: str) -> np.ndarray:
    """A list of integers as an int64 array, or a one-line error."""
    arr = float_array(values, name, what, allow_nan=False)
    if not np.all(arr == np.round(arr)):
        raise InputError(f"{what}: {name!r} must hold integers")
    return arr.astype(np.int64)


def new_axes(ax=None, figsize: tuple[float, float] = (6.4, 4.4)):
    """``ax``, or new axes on a new figure (pyplot, so notebooks show it; the backend is left alone)."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtraError("plotting needs matplotlib; `pip install midecay[plot]`") from None
    _, ax = plt.subplots(figsize=figsize)
    return ax


def plain_log_ticks(axis, decades: float = 2.0) -> None:
    """On a log ``axis`` spanning fewer than ``decades`` decades, label ticks as plain numbers.

    Matplotlib then labels minor ticks in scientific form (``4×10⁰``, ``3×10⁰``), which reads
    badly on curves such as word-level MI that vary by a factor of a few.
    """
    from matplotlib.ticker import FuncFormatter

    lo, hi = axis.get_view_interval()
    if axis.get_scale() != "log" or not (0 < lo < hi) or np.log10(hi / lo) >= decades:
        return
    plain = FuncFormatter(lambda v, _: f"{v:.3g}")
    axis.set_major_formatter(plain)
    axis.set_minor_formatter(plain)


class Summary(str):
    """A result's summary: prints, compares and searches as its text, and carries the result's
    table (:attr:`table`, the rows of ``table_rows()``) for code that wants the numbers, not the
    words. In a notebook it shows as the text above an HTML table.

    Examples
    --------
    >>> import midecay
    >>> s = midecay.mi_curve("abab" * 100, [1, 2], seed=0, n_blocks=0).summary()
    >>> isinstance(s, str), [row["lag"] for row in s.table]
    (True, [1, 2])
    """

    __slots__ = ("_result",)

    def __new__(cls, text: str, result: Result) -> Summary:
        out = super().__new__(cls, text)
        out._result = result
        return out

    @property
    def table(self) -> tuple[dict[str, Any], ...]:
        """The result's table, one dict a row (computed when asked: the text never depends on it)."""
        return tuple(self._result.table_rows())

    def to_frame(self):
        """:attr:`table` as a pandas DataFrame (needs pandas)."""
        return self._result.to_frame()

    def _repr_html_(self) -> str:
        import html

        rows = self.table
        head = "".join(f"<th>{html.escape(str(k))}</th>" for k in (rows[0] if rows else {}))
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row.values()) + "</tr>"
                       for row in rows)
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if rows else ""
        return f"<pre>{html.escape(str(self))}</pre>{table}"


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class Result:
    """Mixin of the results protocol. Subclasses are frozen dataclasses.

    A subclass writes ``to_dict``, ``_from_dict``, ``table_rows`` and ``_summary_text``;
    :meth:`summary` wraps the text with the table in one :class:`Summary`.
    """

    #: Written as ``"format"`` in every dict; checked on load.
    FORMAT: ClassVar[str] = ""
    #: Older formats still read (missing fields take their defaults).
    READS: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every subclass writes its own
        raise NotImplementedError

    def _canonical(self) -> str:
        return json.dumps(jsonable(self.to_dict()), sort_keys=True)

    def __eq__(self, other: object) -> bool:
        """Equal when of one type with the same record: a result equals its own JSON round trip."""
        if type(other) is not type(self):
            return NotImplemented
        return self is other or self._canonical() == other._canonical()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._canonical()))

    @classmethod
    def _from_dict(cls: type[R], data: dict[str, Any]) -> R:  # pragma: no cover
        raise NotImplementedError

    def summary(self) -> Summary:
        """The result in words (``print`` it), with its table attached (:attr:`Summary.table`)."""
        return Summary(self._summary_text(), self)

    def _summary_text(self) -> str:  # pragma: no cover - every subclass writes its own
        raise NotImplementedError

    def table_rows(self) -> list[dict[str, Any]]:  # pragma: no cover
        """The result's table, one dict a row (what ``to_frame()`` and the command line's ``--csv`` show)."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls: type[R], data: Any) -> R:
        """Rebuild a result from :meth:`to_dict` output, validating every field."""
        what = f"a {cls.__name__} record"
        if not isinstance(data, Mapping):
            raise InputError(f"{what} must be a JSON object, got {type(data).__name__}; pass a file written by {cls.__name__}.to_json")
        if data.get("format") != cls.FORMAT and data.get("format") not in cls.READS:
            raise InputError(
                f"not a {cls.__name__} (format {data.get('format')!r}, expected {cls.FORMAT!r}); "
                f"pass a file written by {cls.__name__}.to_json"
            )
        try:
            return cls._from_dict(dict(data))
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise InputError(f"{what} is malformed ({type(exc).__name__}: {exc}); pass a file written by midecay") from None

    def to_json(self, path: str | os.PathLike | None = None, *, overwrite: bool = False) -> str:
        """The result as JSON text; written atomically to ``path`` when given (kept unless ``overwrite``)."""
        text = json.dumps(jsonable(self.to_dict()), indent=1, allow_nan=False)
        if path is not None:
            write_atomic(path, text, overwrite=overwrite)
        return text

    @classmethod
    def from_json(cls: type[R], path: str | os.PathLike) -> R:
        """Read a result written by :meth:`to_json`."""
        path = Path(path)
        if not path.is_file():
            raise InputNotFoundError(f"{path} not found or not a file; write one with {cls.__name__}.to_json")
        data = parse_json(path.read_bytes(), str(path), f"pass a file written by {cls.__name__}.to_json",
                          parse_constant=_refuse_constant)
        return cls.from_dict(data)

    def to_frame(self):
        """The result's table as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise MissingExtraError("to_frame needs pandas; `pip install pandas`") from None
        return pd.DataFrame(self.table_rows())


def _refuse_constant(name: str) -> Any:
    raise InputError(f"JSON holds {name}, which midecay never writes (it writes null); pass a file written by midecay")


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text, for tables pasted into papers: one column for every key any row has (in the order
    they first appear), empty where a row lacks it (laws with different parameters share one table).

    >>> print(rows_to_csv([{"law": "exponential", "xi": 7.3}, {"law": "power_law", "alpha": 0.5}]), end="")
    law,xi,alpha
    exponential,7.3,
    power_law,,0.5
    """
    import csv
    import io

    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(dict.fromkeys(k for row in rows for k in row)), restval="",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in jsonable(row).items()})
    return buf.getvalue()


