"""Token-id files: ``.npy``, nanoGPT-style ``uint16`` ``.bin``, or plain integer text."""

from __future__ import annotations

import os

import numpy as np

from ..errors import InputError
from ..sequences import Symbols, encode
from .files import existing_file, read_bytes

__all__ = ["read_tokens"]


def read_tokens(path: str | os.PathLike, *, dtype: str = "uint16", vocab_size: int | None = None) -> Symbols:
    """Read token ids without loading more than needed.

    ``.npy`` files are opened memory-mapped (a 2-D array is one segment per row); ``.bin`` files (nanoGPT's ``train.bin``) are raw
    ``dtype`` (default ``uint16``) memory-mapped; other files are whitespace-separated ints.
    ``vocab_size`` fixes the alphabet size (otherwise max id + 1).
    """
    path = existing_file(path)
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"{path} is empty; pass a file that holds token ids")
    if path.suffix == ".npy":
        try:
            codes = np.load(path, mmap_mode="r", allow_pickle=False)
        except ValueError as exc:
            raise InputError(f"{path}: cannot read as a numeric .npy array ({exc})") from None
    elif path.suffix == ".bin":
        if path.stat().st_size % np.dtype(dtype).itemsize:
            raise InputError(f"{path} size is not a multiple of {dtype}; pass the dtype it was written with")
        codes = np.memmap(path, dtype=dtype, mode="r")
    else:
        try:
            codes = np.array(read_bytes(path).decode('utf-8', errors='replace').split(), dtype=np.int64)
        except ValueError:
            raise InputError(f"{path}: expected whitespace-separated integer token ids") from None
    if codes.ndim not in (1, 2):
        raise InputError(f"{path} holds a {codes.ndim}-D array; token files are 1-D, or 2-D with one segment per row")
    # A 2-D array is one segment per row (e.g. sampled streams): pairs never cross rows.
    symbols = encode(codes, description=f"tokens {path}")
    if vocab_size is not None:
        if vocab_size < symbols.alphabet_size:
            raise InputError(f"vocab_size {vocab_size} is below the largest id + 1 ({symbols.alphabet_size})")
        symbols = Symbols(symbols.codes, tuple(range(vocab_size)), symbols.bounds, symbols.description)
    return symbols
