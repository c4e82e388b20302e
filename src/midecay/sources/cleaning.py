"""Text cleaning and decoding errors shared by the in-memory and the streaming text readers."""

from __future__ import annotations

import re

from ..errors import InputError

__all__ = ["NON_LETTERS", "text8_clean", "prepare_text", "decode_error"]

NON_LETTERS = re.compile(r"[^a-z]+")


def text8_clean(text: str) -> str:
    """text8-style cleaning: lower case, letters a-z only, everything else one space.

    Examples
    --------
    >>> text8_clean("Hello, World! 42 times")
    'hello world times'
    """
    return NON_LETTERS.sub(" ", text.lower()).strip()


def prepare_text(text: str, lowercase: bool, ascii_only: bool, clean: str | None) -> str:
    """``text`` cleaned as the readers' options say (text8, lower case, ASCII only), in that order of precedence."""
    if clean == "text8":
        return text8_clean(text)
    if clean is not None:
        raise InputError(f"unknown clean {clean!r}; use 'text8' or None")
    if lowercase:
        text = text.lower()
    if ascii_only:
        text = text.encode("ascii", errors="ignore").decode("ascii")
    return text


def decode_error(path, where: str, encoding: str) -> InputError:
    """The one-line error for text that is not in ``encoding``, naming where and the fix."""
    return InputError(f"{path}: cannot decode {where} as {encoding}, so it may be binary: read its bytes with "
                      "level='byte' (CLI: --level byte), or pass the encoding it was written in, e.g. encoding='latin-1' "
                      "(CLI: --option encoding=latin-1); errors='replace' (CLI: --option errors=replace) drops what does not decode")
