"""FASTA / FASTA.gz genomes: one segment per record."""

from __future__ import annotations

import os

from ..errors import InputError
from ..sequences import Symbols, encode
from .files import read_bytes

__all__ = ["read_fasta"]

_BASES = set("ACGT")


def read_fasta(path: str | os.PathLike, *, keep_ambiguous: bool = False, uppercase: bool = True,
               stream: bool | None = None, progress: bool = False) -> Symbols:
    """Read nucleotide (or protein) records; each record is a segment.

    Parameters
    ----------
    keep_ambiguous
        Keep ``N`` and other IUPAC codes as symbols of their own; by default they are dropped
        (for nucleotides: anything but A, C, G, T), which joins the bases around them.
        Whitespace is never a symbol.
    uppercase
        Fold soft-masked (lower-case) bases to upper case.
    stream
        Encode the file chunk by chunk into memory-mapped codes
        (:func:`~midecay.sources.streaming.stream_fasta`; genomes past memory). ``None``
        (default): for files of :data:`~midecay.sources.streaming.STREAM_BYTES` or more.
    progress
        Show a progress bar while streaming.
    """
    from .streaming import stream_fasta, wants_stream

    if wants_stream(stream, path):
        return stream_fasta(path, keep_ambiguous=keep_ambiguous, uppercase=uppercase, progress=progress)
    try:
        text = read_bytes(path).decode("ascii")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start} is not ASCII; FASTA files are ASCII text") from None
    records: list[str] = []
    current: list[str] = []
    seen_header = False
    for line in text.splitlines():
        if line.startswith(">"):
            if current:
                records.append("".join(current))
            current = []
            seen_header = True
        elif line.strip():
            current.append("".join(line.split()))
    if current:
        records.append("".join(current))
    if not seen_header:
        raise InputError(f"{path} is not FASTA (no '>' header line); pass a FASTA file")
    if uppercase:
        records = [r.upper() for r in records]
    if not keep_ambiguous:
        records = ["".join(c for c in r if c in _BASES) if set(r) - _BASES else r for r in records]
    records = [r for r in records if r]
    if not records:
        raise InputError(f"{path} holds no sequence after dropping ambiguous codes; try keep_ambiguous=True")
    return encode(records, segmented=True, description=f"FASTA {os.fspath(path)} ({len(records)} record(s))")
