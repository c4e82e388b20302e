"""Readers on small files the tests write; named data sets; downloads from a local server."""

import bz2
import gzip
import hashlib

import numpy as np
import pytest

from midecay import datasets
from midecay.sources import (
    download,
    hf_symbols,
    image_symbols,
    read_csv_column,
    read_fasta,
    read_idx,
    read_text,
    read_tokens,
    series_symbols,
    text8_clean,
    text_symbols,
)


# ------------------------------------------------------------------ text
def test_read_text_char_word_lines_and_compression(tmp_path):
    body = "The cat sat.\nThe dog ran!\n\nA new document."
    data = body.encode()
    for name, packed in (("a.txt", data), ("a.txt.gz", gzip.compress(data)), ("a.txt.bz2", bz2.compress(data))):
        path = tmp_path / name
        path.write_bytes(packed)
        chars = read_text(path)
        assert chars.n_symbols == len(body)
    words = read_text(tmp_path / "a.txt", level="word", segments="lines")
    assert words.n_segments == 3 and words.n_symbols == 9
    docs = read_text(tmp_path / "a.txt", level="word", segments="documents", lowercase=True)
    assert docs.n_segments == 2 and "the" in docs.alphabet and "The" not in docs.alphabet
    regex = read_text(tmp_path / "a.txt", level="word", pattern=r"[A-Za-z]+")
    assert "sat" in regex.alphabet and "sat." not in regex.alphabet


def test_text8_cleaning_and_ascii_option():
    assert text8_clean("Él vino, 3 veces!\nOK") == "l vino veces ok"
    s = text_symbols("café", ascii_only=True)
    assert s.alphabet == ("a", "c", "f")


def test_tokenizer_callable_and_encode_object():
    class Tok:
        def encode(self, text):
            return [ord(c) % 7 for c in text]

    assert text_symbols("hello", level="token", tokenizer=Tok()).n_symbols == 5
    assert text_symbols("a b c", level="token", tokenizer=str.split).alphabet == ("a", "b", "c")
    with pytest.raises(ValueError, match="needs a tokenizer"):
        text_symbols("abc", level="token")


def test_text_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        read_text(tmp_path / "missing.txt")
    (tmp_path / "bad.txt").write_bytes(b"ok \xff\xfe bad")
    with pytest.raises(ValueError, match="cannot decode byte 3"):
        read_text(tmp_path / "bad.txt")
    assert read_text(tmp_path / "bad.txt", errors="replace").n_symbols == 9  # one U+FFFD per bad byte
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="empty"):
        read_text(tmp_path / "empty.txt")


# ------------------------------------------------------------------ FASTA
def test_fasta_records_are_segments_and_ambiguity_option(tmp_path):
    path = tmp_path / "g.fa.gz"
    path.write_bytes(gzip.compress(b">r1 first\nACGTN\nacgt\n>r2\nGGNNCC\n"))
    s = read_fasta(path)
    assert s.n_segments == 2 and s.lengths.tolist() == [8, 4] and s.alphabet == tuple("ACGT")
    k = read_fasta(path, keep_ambiguous=True)
    assert k.lengths.tolist() == [9, 6] and "N" in k.alphabet
    (tmp_path / "x.fa").write_text("ACGT\n")
    with pytest.raises(ValueError, match="not FASTA"):
        read_fasta(tmp_path / "x.fa")


# ------------------------------------------------------------------ numeric
def test_series_returns_quantiles_and_nan_policies(tmp_path):
    prices = np.exp(np.cumsum(np.random.default_rng(0).standard_normal(1001) * 0.01)) * 100
    s = series_symbols(prices, bins=4)
    assert s.n_symbols == 1000 and np.bincount(s.codes).tolist() == [250, 250, 250, 250]
    assert series_symbols(prices, bins="sign").alphabet == ("down", "up")
    gappy = prices.copy()
    gappy[500] = np.nan
    with pytest.raises(ValueError, match="missing value"):
        series_symbols(gappy)
    assert series_symbols(gappy, nan="drop").n_segments == 1
    assert series_symbols(gappy, nan="split").n_segments == 2
    csv = tmp_path / "p.csv"
    csv.write_text("Date,Close\n1,10\n2,11\n3,\n4,12\n")
    col = read_csv_column(csv, "Close")
    assert np.isnan(col[2]) and col[3] == 12
    with pytest.raises(ValueError, match="no column 'Open'"):
        read_csv_column(csv, "Open")


# ------------------------------------------------------------------ images
def test_images_row_major_permuted_and_idx(tmp_path):
    imgs = np.arange(2 * 3 * 4).reshape(2, 3, 4) % 5
    seq = image_symbols(imgs, levels=None)
    assert seq.n_segments == 2 and seq.codes[:4].tolist() == [0, 1, 2, 3]
    p1 = image_symbols(imgs, levels=None, permute_seed=3)
    p2 = image_symbols(imgs, levels=None, permute_seed=3)
    assert np.array_equal(p1.codes, p2.codes) and not np.array_equal(p1.codes, seq.codes)
    assert sorted(p1.codes[:12]) == sorted(seq.codes[:12])  # same pixels, one fixed order
    header = bytes([0, 0, 0x08, 3]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + (4).to_bytes(4, "big")
    (tmp_path / "x.idx.gz").write_bytes(gzip.compress(header + imgs.astype(np.uint8).tobytes()))
    assert np.array_equal(read_idx(tmp_path / "x.idx.gz"), imgs)
    (tmp_path / "short.idx").write_bytes(header + b"\x00" * 5)
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short.idx")


# ------------------------------------------------------------------ token files
def test_token_files_npy_bin_text(tmp_path):
    ids = np.array([5, 1, 5, 2, 9], dtype=np.uint16)
    np.save(tmp_path / "t.npy", ids)
    ids.tofile(tmp_path / "t.bin")
    (tmp_path / "t.txt").write_text("5 1 5\n2 9\n")
    for name in ("t.npy", "t.bin", "t.txt"):
        s = read_tokens(tmp_path / name)
        assert s.codes.tolist() == ids.tolist() and s.alphabet_size == 10
    assert isinstance(read_tokens(tmp_path / "t.bin").codes, np.memmap)
    assert isinstance(read_tokens(tmp_path / "t.npy").codes, np.memmap)
    assert read_tokens(tmp_path / "t.bin", vocab_size=50257).alphabet_size == 50257
    (tmp_path / "odd.bin").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="multiple of uint16"):
        read_tokens(tmp_path / "odd.bin")


# ------------------------------------------------------------------ Hugging Face
@pytest.mark.needs_hf
def test_hf_dataset_built_locally():
    import datasets as hfd  # the 'hf' extra, installed by `make test`

    ds = hfd.DatasetDict({"train": hfd.Dataset.from_dict({"text": [" = Title = ", " some text here ", ""]})})
    s = hf_symbols(ds, split="train", level="word")
    assert s.n_symbols == 6
    with pytest.raises(ValueError, match="no column"):
        hf_symbols(ds, split="train", column="body")


# ------------------------------------------------------------------ named data sets
DEBIAN = {"ecoli": 4_938_920, "lambda-phage": 48_502}


def test_registry_lists_every_named_set_with_info():
    names = datasets.list()
    for required in ("ptb", "wiki-xml", "shakespeare", "kjv", "mnist-5k", "fashion-mnist", "ecoli", "lambda-phage",
                     "sp500", "bach", "python-stdlib", "wikitext-2", "wikitext-103", "text8", "enwik8", "mnist"):
        assert required in names
        assert datasets.info(required).to_dict()["name"] == required
    with pytest.raises(ValueError, match="unknown data set"):
        datasets.info("imagenet")
    with pytest.raises(ValueError, match="has levels"):
        datasets.load("ptb", level="byte")


@pytest.mark.needs_data
def test_ptb_has_documented_sizes():
    for split, size in datasets.info("ptb").documented_size.items():
        assert datasets.load("ptb", split=split).n_symbols == size
    words = datasets.load("ptb", level="word")
    assert words.alphabet_size == 10000 and words.n_symbols == 929_590


@pytest.mark.parametrize("name", sorted(DEBIAN))
def test_debian_sets_load_or_name_the_install_command(name):
    """Hypothesis: installed, the genome has its documented length; missing, the error names apt-get."""
    try:
        s = datasets.load(name)
    except datasets.DatasetUnavailable as exc:
        assert "apt-get install" in str(exc)
    else:
        assert s.n_symbols == DEBIAN[name] and s.alphabet == tuple("ACGT")


@pytest.mark.needs_music
def test_bach_chorales_are_pitch_segments():
    s = datasets.load("bach", limit=5)
    assert s.n_segments == 5
    assert all(20 <= p <= 100 for p in s.alphabet)  # MIDI pitches of a soprano line


def test_python_stdlib_loads_as_segments():
    s = datasets.load("python-stdlib")
    assert s.n_segments > 100 and s.n_symbols > 1_000_000


# ------------------------------------------------------------------ downloads
def test_download_verifies_caches_and_rejects_corruption(server, tmp_path):
    root, url = server
    payload = b"0123456789" * 1000
    (root / "data.bin").write_bytes(payload)
    good = "sha256:" + hashlib.sha256(payload).hexdigest()
    cache = tmp_path / "cache"
    path = download(url + "data.bin", good, cache=cache)
    assert path.read_bytes() == payload
    (root / "data.bin").write_bytes(b"changed on the server")
    assert download(url + "data.bin", good, cache=cache).read_bytes() == payload  # served from cache
    with pytest.raises(ValueError, match="corrupted"):
        download(url + "data.bin", good, cache=cache, filename="again.bin")
    assert not (cache / "again.bin").exists()
    assert not [p for p in cache.iterdir() if p.name.endswith(".part")]  # no partial file left
    md5 = "md5:" + hashlib.md5(b"changed on the server").hexdigest()
    assert download(url + "data.bin", md5, cache=cache, filename="md5.bin").exists()


def test_offline_download_fails_fast_naming_the_manual_route(tmp_path):
    with pytest.raises(ConnectionError, match="fetch it by hand and place it at"):
        download("http://127.0.0.1:9/none.zip", "md5:00", cache=tmp_path, timeout=2)


def test_online_set_without_network_says_how_to_provide_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MIDECAY_CACHE", str(tmp_path))
    from midecay.datasets import registry

    monkeypatch.setattr(registry, "_MNIST_URL", "http://127.0.0.1:9/")
    with pytest.raises(ConnectionError, match=str(tmp_path)):
        datasets.load("mnist", split="test")
