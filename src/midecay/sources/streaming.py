"""Text and FASTA files past memory: encoded once, chunk by chunk, into a memory-mapped code file.

A 1 GB text (enwik9) or a 3 GB genome does not fit in memory as Python strings (4 bytes a
character as UTF-32, more as ``str``). Here the file is read twice in chunks of
:data:`CHUNK_BYTES`: the first pass collects the alphabet (the characters that occur), the
second maps each chunk to codes and appends them to a code file, with the segment bounds
(lines, FASTA records) beside it. Neither pass holds more than a chunk. The result is a
:class:`~midecay.Symbols` whose codes are a memory map, which :func:`midecay.mi_curve`
counts in slices with bounded resident memory.

The code file lies in ``$MIDECAY_CACHE/codes`` under a name drawn from the source's path and
the reading options; its index holds the SHA-256 of the bytes it was encoded from. A second
analysis of the same file reads the file once to hash it (several times faster than
encoding it) and maps the codes only if the content is the same: size and modification time
say nothing about content (``cp -p``, ``touch -d``, a checkout). Both encoding passes hash
what they read too, so a file that changes between them is refused rather than miscoded.
Pieces are written under temporary names and renamed, the index last, and the code and bound
files carry the content's digest in their names: an encoding killed at any moment leaves nothing
that a later call would take for complete, or read against another content's index. Temporary
files of a killed encoding are removed by the next one; two processes encoding one file take
turns (:func:`midecay._locks.cache_held`), the second reading what the first wrote. A pipe or a device cannot
be read twice and is refused.

The codes equal the in-memory readers' (:func:`~midecay.sources.text.read_text`,
:func:`~midecay.sources.fasta.read_fasta`) for the options supported here (the tests compare
whole curves), with one exception: ``lowercase`` is applied chunk by chunk, so a Greek
capital sigma at a chunk border may lower to the other sigma.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .._locks import cache_held
from ..errors import InputError, OutputNotWritableError
from ..sequences import Symbols, smallest_code_dtype
from .cleaning import NON_LETTERS, decode_error, prepare_text
from .files import READ_ERRORS, corrupt_error, existing_file, is_compressed, open_binary

__all__ = ["STREAM_BYTES", "CHUNK_BYTES", "stream_text", "stream_fasta", "wants_stream"]

logger = logging.getLogger(__name__)

#: Files of at least this many bytes are streamed by default (``read_text`` / ``read_fasta``).
STREAM_BYTES = 1 << 30
#: Bytes read per chunk.
CHUNK_BYTES = 1 << 24

#: A piece of the file: its units (code points or bytes) and where in them a segment starts.
Piece = tuple[np.ndarray, np.ndarray]


def _read_chunks(path: Path, chunk_bytes: int, bar=None, digest=None) -> Iterator[bytes]:
    """The file's (decompressed) bytes in chunks, then one empty chunk; ``bar`` advances by each chunk's
    size, and ``digest`` (a hashlib object) takes every byte."""
    with open_binary(path) as fh:
        while True:
            try:
                raw = fh.read(chunk_bytes)
            except READ_ERRORS as exc:
                raise corrupt_error(path, exc) from None
            if bar is not None:
                bar.update(len(raw))
            if digest is not None:
                digest.update(raw)
            yield raw
            if not raw:
                return


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def _text_pieces(path: Path, chunk_bytes: int, encoding: str, errors: str, prepare: Callable[[str], str],
                 text8: bool, lines: bool, bar=None, digest=None) -> Iterator[Piece]:
    """Code points of the prepared text, chunk by chunk, with the starts of its segments."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; pass e.g. encoding='utf-8'") from None
    offset = 0
    carry = ""  # a line not yet ended (segments="lines")
    space_pending = False  # text8: a run of non-letters at a chunk's end, kept until letters follow
    started = False  # one segment (no "lines"): whether its first piece has gone out
    for raw in _read_chunks(path, chunk_bytes, bar, digest):
        final = not raw
        try:
            text = decoder.decode(raw, final=final)
        except UnicodeDecodeError as exc:
            raise decode_error(path, f"near byte {offset + exc.start}", encoding) from None
        offset += len(raw)
        if lines and not text8:
            parts = (carry + prepare(text)).splitlines(keepends=True)
            # The last line may go on in the next chunk (or be a "\r" whose "\n" follows there).
            carry = "" if final or not parts else parts.pop()
            kept = [p.splitlines()[0] for p in parts if p.strip()]
            if kept:
                lengths = np.fromiter((len(p) for p in kept), dtype=np.int64, count=len(kept))
                yield _code_points("".join(kept)), np.concatenate([[0], np.cumsum(lengths)[:-1]])
            continue
        if text8:  # text8_clean chunk by chunk: one space between letter runs, none at either end
            text = NON_LETTERS.sub(" ", text.lower())
            if not started:
                text = text.lstrip(" ")
            elif space_pending and text and not text.startswith(" "):
                text = " " + text
            if text:
                space_pending = text.endswith(" ")
                text = text.rstrip(" ")
        else:
            text = prepare(text)
        if text:
            yield _code_points(text), np.zeros(0 if started else 1, dtype=np.int64)
            started = True


def _fasta_pieces(path: Path, chunk_bytes: int, keep_ambiguous: bool, uppercase: bool, bar=None,
                  digest=None) -> Iterator[Piece]:
    """The bases of each record, chunk by chunk; a record starts after each header line."""
    whitespace = b" \t\r\n\x0b\x0c"
    upper = bytes.maketrans(b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    drop = whitespace if keep_ambiguous else bytes(b for b in range(256) if b not in b"ACGT")
    header = re.compile(rb"^>[^\r\n]*", re.M)
    carry = b""
    offset = 0
    seen_header = False
    mid_line = False  # the last chunk ended inside a (long) sequence line
    pending_start = True  # the next bases begin a record (the file's start, or after a header)
    for raw in _read_chunks(path, chunk_bytes, bar, digest):
        final = not raw
        data = carry + raw
        carry = b""
        try:
            data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: byte {offset + exc.start} is not ASCII; FASTA files are ASCII text") from None
        offset += len(raw)
        bodies: list[bytes] = []
        if mid_line:  # the rest of a sequence line: never a header, whatever it starts with
            breaks = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
            end = min(breaks) if breaks else len(data)
            bodies.append(data[:end])
            data, mid_line = data[end:], not breaks
        if not final:  # keep the last, perhaps unfinished, line for the next chunk
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut == 0 and len(data) > chunk_bytes and not data.startswith(b">"):
                cut, mid_line = len(data), True  # one long sequence line: take it now
            data, carry = data[:cut], data[cut:]
        at = 0
        for m in [*header.finditer(data), None]:
            bodies.append(data[at:m.start()] if m is not None else data[at:])
            if m is not None:
                bodies.append(None)  # a header: the next bases start a record
                seen_header = True
                at = m.end()
        pieces, starts, n = [], [], 0
        for body in bodies:
            if body is None:
                pending_start = True
                continue
            if uppercase:
                body = body.translate(upper)
            body = body.translate(None, drop)
            if body:
                if pending_start:
                    starts.append(n)
                    pending_start = False
                pieces.append(body)
                n += len(body)
        if n:
            yield np.frombuffer(b"".join(pieces), dtype=np.uint8), np.asarray(starts, dtype=np.int64)
        if final:
            if not seen_header:
                raise InputError(f"{path} is not FASTA (no '>' header line); pass a FASTA file")
            return


def _cache_key(path: Path, kind: str, options: dict) -> str:
    # Where the codes of this file read this way lie; whether they are still its codes is the
    # content digest's question (_file_digest), never the file's size or time.
    ident = {"path": str(path.resolve()), "kind": kind, "options": options, "format": 2}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:32]


def _file_digest(path: Path, chunk_bytes: int, bar=None) -> str:
    """SHA-256 of the file's (decompressed) bytes, read in chunks."""
    digest = hashlib.sha256()
    for _ in _read_chunks(path, chunk_bytes, bar, digest):
        pass
    return digest.hexdigest()


def _changed(path: Path) -> InputError:
    return InputError(f"{path} changed while it was being read; run again once nothing writes to it "
                      "(or copy it and read the copy)")


def _encode_pieces(path: Path, kind: str, options: dict, pieces: Callable[..., Iterator[Piece]],
                   cache: str | os.PathLike | None, description: str, empty_message: str, progress: bool,
                   chunk_bytes: int = CHUNK_BYTES) -> Symbols:
    """Two passes over ``pieces(bar, digest)``: the alphabet, then the codes into ``cache/<key>.codes``.

    The key is :func:`_cache_key` of the source, its ``kind`` and ``options``; ``cache`` defaults
    to ``$MIDECAY_CACHE/codes``. Cached codes are used only when the file's SHA-256 is the one
    they were encoded from. The bars count the file's bytes (unknown for a compressed one).
    """
    from .._progress import counter
    from .fetch import cache_folder

    if not path.is_file():
        raise InputError(f"{path} is not a regular file (a pipe or device cannot be read twice); "
                         "save it to a file first, or read it without stream=true")
    folder = cache_folder(cache, "codes")
    key = _cache_key(path, kind, options)
    size = None if is_compressed(path) else path.stat().st_size
    with cache_held(folder / key):  # a second process encoding the same file waits, then reads these codes
        _sweep_leftovers(folder)
        bar = counter(size, "checking cached codes", progress, unit="B")
        digest = _file_digest(path, chunk_bytes, bar) if (folder / f"{key}.json").exists() else None
        bar.close()
        if digest is not None:
            try:
                cached = _load(folder, key, description, digest)
            except (OSError, ValueError, KeyError, TypeError):
                logger.warning("cached codes of %s in %s are unreadable; encoding again", path, folder)
            else:
                if cached is not None:
                    return cached
                logger.info("%s changed since its codes were cached; encoding again", path)
        try:
            sha256 = _encode(path, folder, key, pieces, description, empty_message, progress, size)
        except OSError as exc:  # a full disk, a quota or a file-size limit under the cache
            reason = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
            raise OutputNotWritableError(f"cannot write the codes of {path} in {folder} ({reason}); free space, "
                                         "or set MIDECAY_CACHE to a folder with room") from None
        return _load(folder, key, description, sha256)


def _entry_paths(folder: Path, key: str, sha256: str) -> tuple[Path, Path]:
    # The content's digest is in the names: an index can only ever point at codes encoded from the
    # content it records, whatever moment an earlier encoding was killed at.
    return folder / f"{key}.{sha256[:16]}.codes", folder / f"{key}.{sha256[:16]}.bounds.npy"


def _sweep_leftovers(folder: Path) -> None:
    """Remove temporary files of encodings whose process is gone (``kill -9`` leaves them)."""
    for leftover in folder.glob(".*.tmp*"):
        pid = leftover.name.split(".tmp")[0].rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _encode(path: Path, folder: Path, key: str, pieces: Callable[..., Iterator[Piece]], description: str,
            empty_message: str, progress: bool, size: int | None) -> str:
    """Both passes; writes the entry of ``key`` (codes, bounds, then the index) and returns the content's SHA-256."""
    from .._progress import counter

    # Code points are below 0x110000: which occur is a bincount, and codes a table look-up.
    seen = np.zeros(0, dtype=bool)
    first = hashlib.sha256()
    bar = counter(size, "encoding: alphabet", progress, unit="B")
    for chunk, _ in pieces(bar, first):
        present = np.bincount(chunk) > 0
        if len(present) > len(seen):
            present[: len(seen)] |= seen
            seen = present
        else:
            seen[: len(present)] |= present
    bar.close()
    units = np.flatnonzero(seen)
    if len(units) == 0:
        raise InputError(empty_message)
    dtype = smallest_code_dtype(len(units))
    table = np.zeros(len(seen), dtype=dtype)
    table[units] = np.arange(len(units))
    tmp_codes = folder / f".{key}.codes.{os.getpid()}.tmp"
    starts: list[np.ndarray] = []
    n = 0
    second = hashlib.sha256()
    try:
        bar = counter(size, "encoding: codes", progress, unit="B")
        with open(tmp_codes, "wb") as out:
            for chunk, seg_starts in pieces(bar, second):
                if len(chunk) and int(chunk.max()) >= len(table):  # a unit the first pass never saw
                    raise _changed(path)
                starts.append(seg_starts + n)
                table[chunk].tofile(out)
                n += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        bar.close()
        if second.digest() != first.digest():  # units inside the alphabet would be silently miscoded
            raise _changed(path)
        sha256 = second.hexdigest()
        codes_path, bounds_path = _entry_paths(folder, key, sha256)
        bounds = np.concatenate([*starts, [n]]).astype(np.int64)
        tmp_bounds = folder / f".{key}.bounds.{os.getpid()}.tmp.npy"
        np.save(tmp_bounds, bounds)
        os.replace(tmp_codes, codes_path)
        os.replace(tmp_bounds, bounds_path)
        index = {"alphabet": [int(u) for u in units], "dtype": dtype.name, "n_symbols": n, "description": description,
                 "sha256": sha256}
        tmp_index = folder / f".{key}.json.{os.getpid()}.tmp"
        tmp_index.write_text(json.dumps(index))
        os.replace(tmp_index, folder / f"{key}.json")  # last: its presence means the rest is complete
    finally:
        for leftover in folder.glob(f".{key}.*.{os.getpid()}.tmp*"):
            leftover.unlink(missing_ok=True)
    for stale in folder.glob(f"{key}.*"):  # earlier contents' codes: no index points at them any more
        if stale.name != f"{key}.json" and stale not in (codes_path, bounds_path):
            stale.unlink(missing_ok=True)
    logger.info("encoded %s: %d symbols, %d segments, into %s", description, n, len(bounds) - 1, codes_path)
    return sha256


def _load(folder: Path, key: str, description: str, sha256: str) -> Symbols | None:
    """The cached codes of ``key``, or None when they were encoded from other content than ``sha256``'s."""
    index = json.loads((folder / f"{key}.json").read_text())
    if index.get("sha256") != sha256:
        return None
    codes_path, bounds_path = _entry_paths(folder, key, sha256)
    codes = np.memmap(codes_path, dtype=np.dtype(index["dtype"]), mode="r")
    bounds = np.load(bounds_path, allow_pickle=False)
    if len(codes) != index["n_symbols"] or len(bounds) < 2 or bounds[-1] != len(codes):
        raise ValueError("code file, bounds and index disagree")
    return Symbols(codes, tuple(chr(u) for u in index["alphabet"]), bounds, description)


def wants_stream(stream: bool | None, path: str | os.PathLike) -> bool:
    """Whether to stream ``path``: ``stream`` if given, else by its size (:data:`STREAM_BYTES`)."""
    if stream is not None and not isinstance(stream, bool):
        raise InputError(f"stream must be true, false or none (by the file's size), got {stream!r}")
    if stream is not None:
        return stream
    return os.path.isfile(path) and os.path.getsize(path) >= STREAM_BYTES


def stream_text(
    path: str | os.PathLike,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    lowercase: bool = False,
    ascii_only: bool = False,
    clean: str | None = None,
    segments: str | None = None,
    description: str | None = None,
    cache: str | os.PathLike | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    progress: bool = False,
) -> Symbols:
    """Characters of a text file of any size, as memory-mapped codes (see the module notes).

    Options as :func:`~midecay.sources.text.read_text` at ``level="char"``; ``segments`` may be
    ``None`` or ``"lines"``. ``cache`` is the folder for the code files (default
    ``$MIDECAY_CACHE/codes``); ``progress`` shows a bar for each of the two passes.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "big.txt")
    >>> _ = open(path, "w").write("abab\\n\\nba\\n")
    >>> s = stream_text(path, segments="lines", cache=folder, chunk_bytes=3)
    >>> s.alphabet, s.bounds.tolist(), s.codes.tolist()
    (('a', 'b'), [0, 4, 6], [0, 1, 0, 1, 1, 0])
    """
    path = existing_file(path)
    if segments not in (None, "lines"):
        raise InputError(f"streamed text takes segments None or 'lines', not {segments!r}; read it in memory (stream=False)")
    if clean not in (None, "text8"):
        raise InputError(f"unknown clean {clean!r}; use 'text8' or None")
    text8 = clean == "text8"
    options = {"encoding": encoding, "errors": errors, "lowercase": lowercase, "ascii_only": ascii_only,
               "clean": clean, "segments": segments}
    description = description or f"text file {path}"

    def pieces(bar, digest) -> Iterator[Piece]:
        return _text_pieces(path, chunk_bytes, encoding, errors, lambda t: prepare_text(t, lowercase, ascii_only, None),
                            text8, segments == "lines" and not text8, bar, digest)

    return _encode_pieces(path, "text", options, pieces, cache, description,
                          f"{description} has no content left after cleaning", progress, chunk_bytes)


def stream_fasta(
    path: str | os.PathLike,
    *,
    keep_ambiguous: bool = False,
    uppercase: bool = True,
    cache: str | os.PathLike | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    progress: bool = False,
) -> Symbols:
    """The records of a FASTA file of any size, as memory-mapped codes; one segment per record.

    Options as :func:`~midecay.sources.fasta.read_fasta`; ``cache``, ``progress`` as :func:`stream_text`.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "genome.fa")
    >>> _ = open(path, "w").write(">chr1\\nACGTN\\nacgt\\n>chr2\\nGGCC\\n")
    >>> s = stream_fasta(path, cache=folder, chunk_bytes=4)
    >>> s.alphabet, s.bounds.tolist()
    (('A', 'C', 'G', 'T'), [0, 8, 12])
    """
    path = existing_file(path)
    options = {"keep_ambiguous": keep_ambiguous, "uppercase": uppercase}

    def pieces(bar, digest) -> Iterator[Piece]:
        return _fasta_pieces(path, chunk_bytes, keep_ambiguous, uppercase, bar, digest)

    symbols = _encode_pieces(path, "fasta", options, pieces, cache, f"FASTA {os.fspath(path)}",
                             f"{path} holds no sequence after dropping ambiguous codes; try keep_ambiguous=True", progress,
                             chunk_bytes)
    return Symbols(symbols.codes, symbols.alphabet, symbols.bounds,
                   f"FASTA {os.fspath(path)} ({symbols.n_segments} record(s))")
