"""JSON and TOML that a user hands in, parsed with the parsers' limits turned into one line each.

A file nested 10^5 levels deep stops Python's parsers with ``RecursionError``; an integer of
5,000 digits stops them with a ``ValueError`` about ``sys.set_int_max_str_digits``; one of
400 digits parses and then overflows when read as a float. No file midecay writes nests more
than a few levels or holds an integer past 2**64, so the limits here are far above what a real
file needs and far below what breaks the code that reads it (which may recurse too).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from typing import Any

from .errors import InputError

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "parse_json", "parse_toml", "check_nesting"]

#: Deepest nesting accepted (lists and tables inside one another).
MAX_DEPTH = 64
#: Most digits an integer may have (2**64 has 20).
MAX_DIGITS = 40


def check_nesting(value: Any, where: str, fix: str) -> Any:
    """``value`` if it nests at most :data:`MAX_DEPTH` levels and holds no integer past :data:`MAX_DIGITS`
    digits, else one line naming ``where`` and ``fix``. Iterative, so it never recurses itself.

    >>> check_nesting({"a": [1, [2]]}, "x.json", "pass a file written by midecay")
    {'a': [1, [2]]}
    >>> check_nesting([[[1]]] , "x.json", "fix it") == [[[1]]]
    True
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise InputError(f"{where} nests deeper than {MAX_DEPTH} levels; {fix}")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) >= 10 ** MAX_DIGITS:
            raise InputError(f"{where} holds an integer of more than {MAX_DIGITS} digits; {fix}")
    return value


def _parsed(load: Callable[[], Any], language: str, where: str, fix: str) -> Any:
    """``load()``, with the parsers' own limits (recursion, Python's digit limit) as one line each."""
    try:
        value = load()
    except RecursionError:
        raise InputError(f"{where} nests too deeply for a {language} parser; {fix}") from None
    except ValueError as exc:  # an integer past Python's digit limit for str -> int
        if "digits" not in str(exc):
            raise
        raise InputError(f"{where} holds an integer of more than {MAX_DIGITS} digits; {fix}") from None
    return check_nesting(value, where, fix)


def parse_json(text: str | bytes, where: str, fix: str, **kwargs: Any) -> Any:
    """``json.loads(text, **kwargs)``, with every way the text can fail as one line naming ``where`` and ``fix``.

    >>> parse_json("[1, 2]", "x.json", "pass a curve")
    [1, 2]
    >>> parse_json("[" * 100000, "x.json", "pass a curve")
    Traceback (most recent call last):
    ...
    midecay.errors.InputError: x.json nests too deeply for a JSON parser; pass a curve
    """
    def load() -> Any:
        try:
            return json.loads(text, **kwargs)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is not valid JSON ({exc.msg} at line {exc.lineno}); {fix}") from None
        except UnicodeDecodeError:
            raise InputError(f"{where} is not UTF-8 JSON; {fix}") from None

    return _parsed(load, "JSON", where, fix)


def parse_toml(text: str, where: str, fix: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, with every way the text can fail as one line naming ``where`` and ``fix``.

    >>> parse_toml("a = 1", "x.toml", "pass a spec")
    {'a': 1}
    """
    def load() -> Any:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{where} is not valid TOML ({exc}); {fix}") from None

    return _parsed(load, "TOML", where, fix)
