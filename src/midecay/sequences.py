"""Turning data into integer symbol codes, an alphabet and segment boundaries.

Everything downstream (counting, estimation, fitting) works on :class:`Symbols`: a 1-D array of
non-negative integer codes, the alphabet those codes index, and segment boundaries. A pair of
positions ``(t, t + d)`` is only ever counted when both lie inside one segment, so lines,
documents, images or model samples never leak dependence into each other.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._parsing import parse_json
from .errors import InputError, InputNotFoundError

logger = logging.getLogger(__name__)

__all__ = ["Symbols", "encode", "smallest_code_dtype", "check_code_range"]

#: Integer inputs whose largest value exceeds this are re-coded to the values that occur
#: (an alphabet of ``max + 1`` codes would need memory for every unused value).
MAX_IMPLICIT_ALPHABET = 1 << 24


def smallest_code_dtype(alphabet_size: int) -> np.dtype:
    """Smallest unsigned integer dtype that holds codes ``0 … alphabet_size - 1``.

    Examples
    --------
    >>> smallest_code_dtype(27), smallest_code_dtype(10_000)
    (dtype('uint8'), dtype('uint16'))
    """
    for dtype in (np.uint8, np.uint16, np.uint32):
        if alphabet_size - 1 <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.uint64)


def check_code_range(codes: np.ndarray, alphabet_size: int) -> None:
    """Refuse codes outside ``[0, alphabet_size)``: one vectorised min/max pass.

    Every counting kernel indexes a histogram by code, so an out-of-range code would write
    outside it. This check stands between any array and the kernels.

    Examples
    --------
    >>> check_code_range(np.array([0, 3]), 3)
    Traceback (most recent call last):
    ...
    midecay.errors.InputError: codes run up to 3 but the alphabet has 3 symbols (codes 0..2); re-encode with encode() or give the full alphabet
    """
    if codes.size == 0:
        return
    if alphabet_size < 1:
        raise InputError("the alphabet is empty; give at least one symbol")
    from ._memmap import minmax

    signed = np.issubdtype(codes.dtype, np.signedinteger)
    bounded = alphabet_size - 1 < np.iinfo(codes.dtype).max
    if not (signed or bounded):
        return
    low, high = minmax(codes)  # one pass; in slices (resident memory bounded) for a memory map
    if signed and low < 0:
        raise InputError(f"codes hold a negative value ({low}); codes must be >= 0, shift or re-encode them")
    if bounded:
        if high >= alphabet_size:
            raise InputError(
                f"codes run up to {high} but the alphabet has {alphabet_size} symbols (codes 0..{alphabet_size - 1}); "
                "re-encode with encode() or give the full alphabet"
            )


@dataclass(frozen=True, eq=False)
class Symbols:
    """Integer codes, their alphabet, and segment boundaries.

    Parameters
    ----------
    codes
        1-D array of non-negative integer codes, all segments concatenated. A numpy memmap is
        kept as it is (never copied into memory).
    alphabet
        What each code stands for: ``alphabet[c]`` is the symbol with code ``c``.
    bounds
        Segment boundaries, ``0 = bounds[0] < bounds[1] < … < bounds[-1] = len(codes)``;
        segment ``i`` is ``codes[bounds[i]:bounds[i+1]]``.
    description
        Where the symbols came from, for people (kept in the provenance of every result).
    provenance
        The same, for programs: a JSON-ready dict (source, split, level, loader options; for
        model samples the checkpoint, seed and temperature).

    Examples
    --------
    >>> s = encode(["abab", "ba"], segmented=True)
    >>> s.n_symbols, s.n_segments, s.alphabet
    (6, 2, ('a', 'b'))
    """

    codes: np.ndarray
    alphabet: tuple
    bounds: np.ndarray
    description: str = field(default="")
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        codes, bounds = self.codes, np.asarray(self.bounds, dtype=np.int64)
        if not isinstance(codes, np.ndarray):
            raise InputError(f"codes must be a numpy array, got {type(codes).__name__}; use encode() to build Symbols")
        if codes.ndim != 1:
            raise InputError(f"codes must be 1-D, got shape {codes.shape}; flatten or pass a list of segments")
        if not np.issubdtype(codes.dtype, np.integer):
            raise InputError(f"codes must be integers, got dtype {codes.dtype}; use encode() to map symbols to codes")
        if bounds.ndim != 1 or len(bounds) < 2 or bounds[0] != 0 or bounds[-1] != len(codes):
            raise InputError("bounds must run from 0 to len(codes); build Symbols with encode()")
        if np.any(np.diff(bounds) <= 0):
            raise InputError("every segment must hold at least one symbol; drop empty segments")
        alphabet = tuple(self.alphabet)
        check_code_range(codes, len(alphabet))
        # Read-only: the counting kernels index histograms by code, so codes checked here must
        # stay the codes counted later.
        if codes.flags.writeable:
            codes = codes.view()
            codes.flags.writeable = False
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "alphabet", alphabet)
        object.__setattr__(self, "provenance", dict(self.provenance or {}))

    @property
    def n_symbols(self) -> int:
        """Total number of symbols over all segments."""
        return int(len(self.codes))

    @property
    def n_segments(self) -> int:
        """Number of segments."""
        return int(len(self.bounds) - 1)

    @property
    def alphabet_size(self) -> int:
        """Number of distinct codes the alphabet allows (``max code + 1`` at least)."""
        return len(self.alphabet)

    @property
    def lengths(self) -> np.ndarray:
        """Length of each segment."""
        return np.diff(self.bounds)

    def segments(self) -> Iterator[np.ndarray]:
        """Yield the codes of each segment (views, no copies)."""
        for start, stop in zip(self.bounds[:-1], self.bounds[1:]):
            yield self.codes[start:stop]

    def in_alphabet(self, alphabet: Sequence) -> Symbols:
        """The same symbols coded in another ``alphabet`` (a test split in its training split's codes).

        A symbol that the target alphabet lacks is a one-line error naming it.

        >>> encode("ab").in_alphabet(("c", "b", "a")).codes.tolist()
        [2, 1]
        """
        target = {a: i for i, a in enumerate(alphabet)}
        used = np.unique(self.codes)
        missing = [self.alphabet[int(c)] for c in used if self.alphabet[int(c)] not in target]
        if missing:
            raise InputError(f"{len(missing)} symbol(s) are not in the target alphabet (e.g. {missing[0]!r}); "
                             "encode both parts together")
        table = np.array([target.get(a, 0) for a in self.alphabet], dtype=np.int64)
        codes = table[self.codes].astype(smallest_code_dtype(len(alphabet)))
        return Symbols(codes, tuple(alphabet), self.bounds, self.description, self.provenance)

    def decode(self, codes: np.ndarray | None = None) -> list:
        """Map codes back to symbols (all codes when ``codes`` is None)."""
        codes = self.codes if codes is None else codes
        return [self.alphabet[int(c)] for c in codes]

    def save(self, path: str | os.PathLike, *, overwrite: bool = False, extra: dict[str, np.ndarray] | None = None) -> Path:
        """Write the symbols as a pickle-free ``.npz`` (atomic; an existing file is kept unless ``overwrite``).

        Holds ``codes``, ``bounds``, the alphabet and provenance as JSON text, and any ``extra``
        arrays (e.g. an exact curve beside synthetic data). :meth:`load` reads it back.
        """
        import io

        from ._io import write_atomic

        buf = io.BytesIO()
        alphabet = [a if isinstance(a, (str, int)) and not isinstance(a, bool) else str(a) for a in self.alphabet]
        np.savez_compressed(
            buf, codes=np.asarray(self.codes), bounds=self.bounds, alphabet_json=np.array(json.dumps(alphabet)),
            description=np.array(self.description), provenance_json=np.array(json.dumps(self.provenance, default=str)),
            **(extra or {}),
        )
        return write_atomic(path, buf.getvalue(), overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Symbols:
        """Read symbols written by :meth:`save` (never unpickles; a foreign or corrupt file is a one-line error).

        Examples
        --------
        >>> import tempfile, os
        >>> s = encode(["ab", "ba"], segmented=True)
        >>> f = os.path.join(tempfile.mkdtemp(), "s.npz")
        >>> _ = s.save(f)
        >>> Symbols.load(f).alphabet, Symbols.load(f).bounds.tolist()
        (('a', 'b'), [0, 2, 4])
        """
        import zipfile

        path = Path(path)
        if not path.is_file():
            raise InputNotFoundError(f"{path} not found or not a file; pass a .npz written by Symbols.save or `midecay sample`")
        try:
            _check_npz_sizes(path)
            with np.load(path, allow_pickle=False) as data:
                if "codes" not in data or "bounds" not in data:
                    raise InputError(f"{path} is not a midecay .npz (needs 'codes' and 'bounds'); write one with Symbols.save")
                codes, bounds = data["codes"], data["bounds"]
                if "alphabet_json" in data:
                    alphabet = tuple(parse_json(str(data["alphabet_json"]), str(path), "write one with Symbols.save"))
                elif "alphabet" in data:
                    alphabet = tuple(data["alphabet"].tolist())
                else:
                    alphabet = tuple(range(int(codes.max()) + 1 if codes.size else 0))
                description = str(data["description"]) if "description" in data else str(path)
                provenance = (parse_json(str(data["provenance_json"]), str(path), "write one with Symbols.save")
                              if "provenance_json" in data else {})
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"{path} is not a readable .npz ({type(exc).__name__}: {exc}); write one with Symbols.save") from None
        if not isinstance(provenance, dict):
            raise InputError(f"{path}: provenance must be a JSON object")
        return cls(codes, alphabet, bounds, description, provenance)

    def __len__(self) -> int:
        """The number of symbols (``n_symbols``)."""
        return self.n_symbols

    def __repr__(self) -> str:
        return (
            f"Symbols(n_symbols={self.n_symbols}, alphabet_size={self.alphabet_size}, "
            f"n_segments={self.n_segments}, dtype={self.codes.dtype}, description={self.description!r})"
        )


def _is_segment_container(data: Any, segmented: bool | None) -> bool:
    if not isinstance(data, (list, tuple)) or len(data) == 0:
        return False
    if segmented is not None:
        return segmented
    # A list of lists / arrays is a list of segments; a list of strings is a list of tokens
    # (words), because that is by far the commoner meaning. segmented=True overrides.
    return all(isinstance(x, (list, tuple, np.ndarray, Symbols)) for x in data)


def _check_int_array(arr: np.ndarray, what: str) -> None:
    if arr.ndim != 1:
        raise InputError(f"{what} must be 1-D, got shape {arr.shape}; flatten it or pass one segment per row as a list")
    if np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.complexfloating):
        raise InputError(
            f"{what} holds floats ({arr.dtype}); discretise first (e.g. quantile bins of returns) "
            "or cast integer-valued data with .astype(int)"
        )
    if arr.dtype == bool:
        return
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"{what} has dtype {arr.dtype}; pass integer codes, a str, bytes or a list of tokens")
    if arr.size and np.issubdtype(arr.dtype, np.signedinteger):
        from ._memmap import minmax

        low = minmax(arr)[0]
        if low < 0:
            raise InputError(f"{what} holds negative codes (min {low}); codes must be >= 0, shift or re-encode them")


def _encode_tokens(tokens: Sequence[Hashable]) -> tuple[np.ndarray, tuple]:
    try:
        alphabet = sorted(set(tokens))
    except TypeError:  # unorderable mix of types: keep first-appearance order
        alphabet = list(dict.fromkeys(tokens))
    except Exception as exc:  # unhashable tokens
        raise InputError(f"tokens must be hashable (str, int, tuple …): {exc}") from None
    for tok in alphabet:
        if isinstance(tok, float) and tok != tok:
            raise InputError("tokens contain NaN; drop or replace missing values before encoding")
    index = {tok: i for i, tok in enumerate(alphabet)}
    codes = np.fromiter((index[t] for t in tokens), dtype=np.int64, count=len(tokens))
    return codes, tuple(alphabet)


def _raw_segment(item: Any) -> tuple[str, Any]:
    """Classify one segment's raw content: ('text'|'bytes'|'ints'|'tokens', payload)."""
    if isinstance(item, str):
        return "text", item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return "bytes", np.frombuffer(bytes(item), dtype=np.uint8)
    if isinstance(item, np.ndarray):
        _check_int_array(item, "array")
        return "ints", item
    if isinstance(item, (list, tuple)):
        if item and all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in item):
            arr = np.asarray(item)
            _check_int_array(arr, "list of ints")
            return "ints", arr
        if any(isinstance(x, float) for x in item):
            raise InputError("tokens include floats; discretise numeric data first or convert tokens to str")
        return "tokens", item
    raise InputError(
        f"cannot encode {type(item).__name__}; pass a str, bytes, a numpy integer array, "
        "a list of tokens, or a list of these (one per segment)"
    )


def encode(
    data: Any,
    *,
    segmented: bool | None = None,
    description: str | None = None,
) -> Symbols:
    """Turn data into :class:`Symbols`.

    Parameters
    ----------
    data
        One of

        * ``str``: one symbol per character;
        * ``bytes``: one symbol per byte (alphabet: the byte values that occur);
        * a numpy integer array (or a list of ints): used as codes directly, alphabet
          ``0 … max`` (values past 2**24 are re-coded to the values that occur); a
          ``numpy.memmap`` is used in place, never copied; a 2-D array is one segment per
          row (e.g. model samples of shape ``(streams, length)``);
        * a sequence of hashable tokens (e.g. a list of words);
        * a list of any of these: one segment each (pairs never cross a segment);
        * :class:`Symbols`: returned unchanged.
    segmented
        Whether a list is a list of segments. ``None`` (default) decides: a list of lists /
        tuples / arrays is segmented, a list of strings is a list of tokens (words). Pass
        ``True`` for a list of texts that should each be one segment.
    description
        Free text kept in the provenance of results.

    Returns
    -------
    Symbols

    Examples
    --------
    >>> s = encode("abracadabra")
    >>> s.alphabet, s.codes[:4].tolist()
    (('a', 'b', 'c', 'd', 'r'), [0, 1, 4, 0])
    >>> encode(["the", "cat", "the"]).codes.tolist()
    [1, 0, 1]
    """
    if isinstance(data, Symbols):
        return data
    if description is None:
        description = _describe(data)
    if isinstance(data, np.ndarray) and data.ndim in (1, 2):
        if data.size == 0:
            raise InputError("data is empty; pass at least one symbol")
        rows = [data] if data.ndim == 1 else list(data)
        for row in rows[:1]:
            _check_int_array(row, "array")
        if data.ndim == 2 and np.issubdtype(data.dtype, np.signedinteger) and data.min() < 0:
            raise InputError(f"array holds negative codes (min {data.min()}); codes must be >= 0, shift or re-encode them")
        return _symbols_from_ints(rows, description)
    if isinstance(data, (str, bytes, bytearray, memoryview)) and len(data) == 0:
        raise InputError("data is empty; pass at least one symbol")
    if isinstance(data, (list, tuple)) and len(data) == 0:
        raise InputError("data is empty; pass at least one symbol")
    items = list(data) if _is_segment_container(data, segmented) else [data]
    if isinstance(data, np.ndarray):
        raise InputError(f"array must be 1-D or 2-D (one segment per row), got shape {data.shape}")
    raws = [_raw_segment(x if not isinstance(x, Symbols) else x.decode()) for x in items]
    kinds = {k for k, _ in raws}
    raws = [(k, p) for k, p in raws if len(p) > 0]
    if not raws:
        raise InputError("data is empty; every segment has zero length")
    if len(raws) < len(items):
        logger.warning("dropped %d empty segment(s)", len(items) - len(raws))
    if kinds == {"ints"}:
        return _symbols_from_ints([p for _, p in raws], description)
    if kinds == {"text"} or kinds == {"bytes"}:
        return _symbols_from_units([p for _, p in raws], description)
    # Mixed or token segments: one joint token alphabet.
    flat: list = []
    bounds = [0]
    for _kind, payload in raws:
        flat.extend(payload.tolist() if isinstance(payload, np.ndarray) else list(payload))
        bounds.append(len(flat))
    codes, alphabet = _encode_tokens(flat)
    return Symbols(codes.astype(smallest_code_dtype(len(alphabet))), alphabet, np.asarray(bounds), description)


def _symbols_from_units(items: list, description: str) -> Symbols:
    """Characters of texts, or bytes of byte strings: alphabet = the units that occur."""
    is_text = isinstance(items[0], str)
    # UTF-32 gives one uint32 per code point, so the whole encode is vectorised.
    points = [np.frombuffer(t.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32) if is_text else t for t in items]
    allp = np.concatenate(points) if len(points) > 1 else points[0]
    uniq, inverse = np.unique(allp, return_inverse=True)
    alphabet = tuple(chr(int(u)) for u in uniq) if is_text else tuple(int(u) for u in uniq)
    bounds = np.concatenate([[0], np.cumsum([len(p) for p in points])])
    return Symbols(inverse.astype(smallest_code_dtype(len(uniq))), alphabet, bounds, description)


def _symbols_from_ints(arrays: list[np.ndarray], description: str) -> Symbols:
    bounds = np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int64)
    from ._memmap import minmax

    top = max(minmax(a)[1] for a in arrays)
    if top >= MAX_IMPLICIT_ALPHABET:
        # Sparse large values (hashes, ids): the alphabet is the values that occur, never
        # range(max + 1), which would take memory for every value that does not.
        values, inverse = np.unique(np.concatenate([np.asarray(a) for a in arrays]), return_inverse=True)
        logger.info("integer codes up to %d re-coded to the %d values that occur", top, len(values))
        codes = inverse.astype(smallest_code_dtype(len(values)))
        return Symbols(codes, tuple(int(v) for v in values), bounds, description)
    alphabet = tuple(range(top + 1))
    if len(arrays) == 1 and isinstance(arrays[0], np.memmap):
        # Corpora larger than memory: use the mapped codes in place.
        return Symbols(arrays[0], alphabet, bounds, description)
    dtype = smallest_code_dtype(top + 1)
    codes = np.concatenate([np.asarray(a, dtype=dtype) for a in arrays]) if len(arrays) > 1 else np.asarray(arrays[0], dtype=dtype)
    return Symbols(codes, alphabet, bounds, description)


def _describe(data: Any) -> str:
    if isinstance(data, np.memmap):
        return f"memmap {getattr(data, 'filename', '')} ({data.dtype}, {len(data)} codes)"
    if isinstance(data, np.ndarray):
        return f"array ({data.dtype}, {data.size} codes)"
    if isinstance(data, str):
        return f"str ({len(data)} chars)"
    if isinstance(data, (bytes, bytearray)):
        return f"bytes ({len(data)})"
    if isinstance(data, (list, tuple)):
        return f"{type(data).__name__} ({len(data)} items)"
    return type(data).__name__


def _check_npz_sizes(path: Path) -> None:
    """Refuse a .npz member whose header claims more data than the member holds, before anything is allocated.

    A crafted header can claim 2*10^10 elements in a file of a few bytes; numpy would try to
    allocate them all. Object arrays (pickles) are refused here too, as ``np.load`` would.
    """
    import zipfile

    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with zf.open(info) as fh:
                version = np.lib.format.read_magic(fh)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(fh)
                held = info.file_size - fh.tell()
            claimed = math.prod(shape) * dtype.itemsize
            if dtype.hasobject or claimed > held:
                raise InputError(f"{path}: member {info.filename[:-4]!r} claims {math.prod(shape):,} elements but holds "
                                 f"{max(held, 0):,} bytes; the file is corrupt or crafted, write it again with Symbols.save")
