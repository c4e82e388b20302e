"""One vocabulary of constraints for every setting, and one message shape for what breaks them.

Configs (curve options, the engine, model and training configs, grid budgets) declare their
fields' constraints as a table and call :func:`validate` once, on construction::

    CONSTRAINTS = {"lr": Real(0, low_open=True), "optimizer": OneOf("adam", "rmsprop")}

Every refusal is one :class:`~midecay.errors.InputError` line naming the field: ``NAME must be
WHAT, got VALUE`` for numbers and flags (text in place of a number is named as such: a quoted
TOML value is the usual cause), ``unknown NAME 'VALUE'; choose one of: …`` for choices.
Modelled on scikit-learn's parameter validation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["Constraint", "Integer", "Real", "OneOf", "Boolean", "Maybe", "validate", "check_int", "check_real"]


class Constraint:
    """What a value must be: :meth:`check` returns it (normalised) or raises one line naming the field."""

    def check(self, name: str, value: Any) -> Any:  # pragma: no cover - every constraint checks its own
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        try:
            self.check("value", value)
        except InputError:
            return False
        return True


def _shown(value: Any) -> str:
    return f"{value!r} (text; write numbers without quotes)" if isinstance(value, str) else repr(value)


def _bounds(low, high, low_open: bool, high_open: bool, fmt) -> str:
    if low is not None and high is not None and not (low_open or high_open):
        return f"between {fmt(low)} and {fmt(high)}"
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {fmt(low)}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {fmt(high)}")
    return " and ".join(parts)


class Integer(Constraint):
    """An integer (not a bool) in ``[low, high]``: ``NAME must be an integer`` / ``must be between …``."""

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high

    def check(self, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputError(f"{name} must be an integer, got {_shown(value)}")
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise InputError(f"{name} must be {_bounds(self.low, self.high, False, False, str)}, got {value}")
        return int(value)


class Real(Constraint):
    """A finite number (not a bool, not text) within the bounds, open or closed."""

    def __init__(self, low: float | None = None, high: float | None = None, *, low_open: bool = False,
                 high_open: bool = False) -> None:
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open

    def check(self, name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputError(f"{name} must be a number, got {_shown(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise InputError(f"{name} must be a finite number, got {value}")
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and (value >= self.high if self.high_open else value > self.high)
        if too_low or too_high:
            bounds = _bounds(self.low, self.high, self.low_open, self.high_open, lambda v: f"{v:g}")
            raise InputError(f"{name} must be {bounds}, got {value:g}")
        return value


class OneOf(Constraint):
    """One of the listed values: ``unknown NAME 'x'; choose one of: …``."""

    def __init__(self, *values: Any) -> None:
        self.values = values

    def check(self, name: str, value: Any) -> Any:
        if not any(value == v and type(value) is type(v) for v in self.values):
            raise InputError(f"unknown {name} {value!r}; choose one of: {', '.join(map(str, self.values))}")
        return value


class Boolean(Constraint):
    """``True`` or ``False`` (not 0 and 1, not text)."""

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise InputError(f"{name} must be true or false, got {_shown(value)}")
        return bool(value)


class Maybe(Constraint):
    """``None``, or what ``inner`` accepts."""

    def __init__(self, inner: Constraint) -> None:
        self.inner = inner

    def check(self, name: str, value: Any) -> Any:
        return None if value is None else self.inner.check(name, value)


def validate(obj: Any, constraints: Mapping[str, Constraint], prefix: str = "") -> None:
    """Check each of ``obj``'s fields named in ``constraints`` and store its normalised value (frozen
    dataclasses too); the first field that breaks its constraint is one :class:`InputError`."""
    for name, constraint in constraints.items():
        object.__setattr__(obj, name, constraint.check(f"{prefix}{name}", getattr(obj, name)))


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an int if it is an integer in ``[low, high]``, else a one-line :class:`InputError`.

    Examples
    --------
    >>> check_int("epochs", 3, 1)
    3
    """
    return Integer(low, high).check(name, value)


def check_real(name: str, value: Any, low: float | None = None, high: float | None = None, *,
               low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float if it is a finite number within the bounds, else a one-line :class:`InputError`.

    Text (``"1e-3"``, as a quoted TOML value), booleans, NaN and infinities are refused by name.

    Examples
    --------
    >>> check_real("lr", 1e-3, 0, low_open=True)
    0.001
    >>> check_real("lr", "1e-3", 0, low_open=True)
    Traceback (most recent call last):
    midecay.errors.InputError: lr must be a number, got '1e-3' (text; write numbers without quotes)
    """
    return Real(low, high, low_open=low_open, high_open=high_open).check(name, value)
