"""Calling a reader or loader with the user's options, naming the accepted ones when one is unknown."""

from __future__ import annotations

import inspect
from typing import Any

from ..errors import InputError
from ..sequences import Symbols

__all__ = ["call_with_options"]


def call_with_options(loader, what: str, *args: Any, forwards_to=None, **options: Any) -> Symbols:
    """Call ``loader`` with ``options``, naming the accepted ones when an option is unknown.

    ``forwards_to`` is the function that receives the loader's ``**kwargs`` (its options count too).
    """
    accepted: list[str] = []
    for fn in (loader, forwards_to):
        if fn is None:
            continue
        for name, p in inspect.signature(fn).parameters.items():
            if (p.kind is p.KEYWORD_ONLY or p.default is not p.empty) and name not in accepted:
                accepted.append(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InputError(f"{what} takes no option {', '.join(unknown)}; it takes: {', '.join(accepted) or 'none'}")
    return loader(*args, **options)
