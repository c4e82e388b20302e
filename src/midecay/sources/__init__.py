"""Readers: text, FASTA, numeric series, images, token files, Hugging Face datasets."""

from .fasta import read_fasta
from .fetch import cache_dir, download, pypi_member
from .hf import hf_symbols
from .images import image_symbols, read_idx
from .numeric import read_csv_column, series_symbols
from .streaming import stream_fasta, stream_text
from .text import read_text, text8_clean, text_symbols
from .tokens import read_tokens

__all__ = [
    "cache_dir", "download", "hf_symbols", "image_symbols", "pypi_member", "read_csv_column", "read_fasta", "read_idx",
    "read_text", "read_tokens", "series_symbols", "stream_fasta", "stream_text", "text8_clean", "text_symbols",
]
