"""Scale: the default analysis's shortcuts give the same curves, corpora past memory are counted
in slices with bounded resident memory and the same result, torch counts, and Ray counts."""

import os

import numpy as np
import pytest

import midecay
from midecay.synth import block_markov_matrix, markov

FIELDS = ("mi", "stderr", "floor", "null_std", "n_pairs", "replicates")


def same_curve(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS)


@pytest.fixture(scope="module")
def chain():
    return markov(block_markov_matrix(9, 3, 0.9), 300_000, seed=0).symbols


@pytest.fixture(scope="module")
def token_file(tmp_path_factory, chain):
    path = tmp_path_factory.mktemp("tokens") / "t.bin"
    np.asarray(chain.codes, dtype=np.uint16).tofile(path)
    return path


LAGS = midecay.log_lags(1, 500, 12)


def test_single_pass_jackknife_equals_the_two_pass_one(chain):
    """The dense kernel sums its 16 block counts into the total (one pass); the sparse kernel
    counts the total and subtracts each block (two passes). The counts are the same integers,
    so the estimates and their jackknife errors agree to rounding (the dense path sums each
    stack of tables at once, the sparse one each count profile: ~1e-15 nats apart)."""
    one = midecay.mi_curve(chain, LAGS, seed=0, backend="dense", null="none")
    two = midecay.mi_curve(chain, LAGS, seed=0, backend="sparse", null="none")
    np.testing.assert_allclose(one.mi, two.mi, rtol=0, atol=1e-13)
    np.testing.assert_allclose(one.stderr, two.stderr, rtol=1e-6, atol=1e-13)


@pytest.mark.parametrize("n_blocks, many", [(2, False), (16, False), (50, False), (16, True)])
@pytest.mark.parametrize("estimator", ["grassberger", "miller_madow"])
def test_one_pass_sparse_jackknife_equals_the_two_pass_one(n_blocks, many, estimator):
    """Hypothesis: the sparse kernel's one walk (total and every block's leave-out sums, no cells
    kept, the blocks' marginals slid from lag to lag) gives the two-pass jackknife (total and
    each block counted with their cells, then aligned): the same marginals, integer for integer,
    and the same leave-out estimates to rounding, on Zipf words in segments of very unequal
    length (one of 10 words, shorter than most lags) cut into 2, 16 and 50 blocks, and in 400
    segments cut at random places (many short windows a block)."""
    from midecay.counting import KERNELS, block_windows, windows_from_bounds
    
    from midecay.jackknife import count_sparse_jackknife, leave_out_mutual_information

    words = np.minimum(np.random.default_rng(0).zipf(1.3, 150_000), 3000) - 1
    if many:
        cuts = np.sort(np.random.default_rng(1).choice(np.arange(1, len(words)), 399, replace=False))
        s = midecay.encode(np.split(words, cuts))
    else:
        s = midecay.encode([words[:40_000], words[40_000:40_010], words[40_010:]])
    lags, k = np.array([1, 2, 5, 17, 100, 999]), s.alphabet_size
    blocks = block_windows(s.bounds, n_blocks)
    one = count_sparse_jackknife(s.codes, blocks, lags, k, estimator)
    total = KERNELS["sparse"].count(s.codes, windows_from_bounds(s.bounds), lags, k, cells=True)
    parts = [KERNELS["sparse"].count(s.codes, b, lags, k, cells=True) for b in blocks]
    assert np.array_equal(one.left_block, np.stack([p.left_counts for p in parts]))
    assert np.array_equal(one.right_block, np.stack([p.right_counts for p in parts]))
    np.testing.assert_allclose(one.total.mutual_information(estimator), total.mutual_information(estimator), rtol=0, atol=1e-13)
    two = leave_out_mutual_information(total, parts, estimator)
    np.testing.assert_allclose(one.leave_out_mutual_information(estimator), two, rtol=0, atol=1e-13)
    spread = two.std(axis=0)
    assert np.all(spread > 1e-6)  # the blocks differ, so agreeing to 1e-13 is not agreeing on nothing


@pytest.mark.parametrize("backend, limit", [("auto", None), ("sparse", 1), ("sparse", None), ("torch", None)])
def test_memory_mapped_file_counted_in_slices_equals_in_memory(token_file, backend, limit, caplog):
    """A token file counted in slices of 7,777 symbols (pairs crossing slice borders included)
    gives the in-memory curve: bit for bit with the dense kernels, to rounding with the sparse
    one, sliced (its index over ``memory_limit``, which it warns of) or in one walk."""
    mapped = midecay.open_source(str(token_file))
    assert isinstance(mapped.codes, np.memmap)
    whole = midecay.mi_curve(np.asarray(mapped.codes).copy(), LAGS, seed=3, backend=backend)
    options = {} if limit is None else {"memory_limit": limit}
    with caplog.at_level("WARNING", logger="midecay.curve"):
        sliced = midecay.mi_curve(mapped, LAGS, seed=3, chunk_symbols=7_777, backend=backend, **options)
    assert ("sliced sparse count keeps every distinct pair" in caplog.text) == (limit is not None)
    if backend == "sparse":
        # The same integer counts; summed slices list a lag's cells in another order than one
        # count does, so the leave-one-out sums round differently (~1e-16 relative).
        assert np.array_equal(whole.n_pairs, sliced.n_pairs)
        for f in FIELDS[:-1]:
            np.testing.assert_allclose(getattr(whole, f), getattr(sliced, f), rtol=1e-9, atol=1e-14)
    else:
        assert same_curve(whole, sliced)


def _mapped_rss_kb(path) -> int:
    """Resident kB of this process's mappings of ``path`` (/proc/self/smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 5 and "-" in fields[0] and ":" in fields[3]:
                inside = line.rstrip().endswith(str(path))
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="needs Linux /proc")
def test_sliced_pass_leaves_no_file_pages_resident(tmp_path):
    """Hypothesis: without releasing, a pass maps every page of the file (here 24 MB); with
    slices released after use, the file's resident pages after a full analysis (counts, errors,
    floor, the autocorrelation sample) stay under 2 MB."""
    path = tmp_path / "big.bin"
    codes = markov(block_markov_matrix(9, 3, 0.9), 12_000_000, seed=1).symbols.codes
    np.asarray(codes, dtype=np.uint16).tofile(path)
    del codes
    mapped = midecay.open_source(str(path))
    midecay.mi_curve(mapped, [1, 10, 100], seed=0, chunk_symbols=1 << 20)
    assert _mapped_rss_kb(path) < 2048
    np.asarray(mapped.codes).sum()  # a plain pass: every page resident
    assert _mapped_rss_kb(path) > 20_000


@pytest.mark.needs_torch
def test_torch_backend_on_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from midecay.cli import app

    (tmp_path / "t.txt").write_text("abcab" * 400)
    res = CliRunner().invoke(app, ["curve", str(tmp_path / "t.txt"), "--lags", "1,2,3", "--backend", "torch", "--json"])
    assert res.exit_code == 0, res.output
    ref = midecay.mi_curve("abcab" * 400, [1, 2, 3], seed=0)
    import json

    assert np.allclose(json.loads(res.stdout)["mi"], ref.mi)


def test_samples_counted_where_they_are():
    """A (streams, length) tensor of samples is counted on its device with rows as segments:
    the numpy reference's counts of the same rows, cell for cell (small and large alphabets);
    a float tensor, an out-of-range code and a lag as long as a stream are one-line errors."""
    torch = pytest.importorskip("torch")
    from midecay.counting import KERNELS, windows_from_bounds
    from midecay.counting.torch_kernel import count_streams
    from midecay.errors import InputError

    rng = np.random.default_rng(0)
    for k in (3, 6000):
        samples = rng.integers(0, k, size=(7, 300))
        got = count_streams(torch.from_numpy(samples), [1, 2, 50, 299], k)
        windows = windows_from_bounds(np.arange(0, samples.size + 1, 300))
        want = KERNELS["numpy"].count(samples.ravel(), windows, np.array([1, 2, 50, 299]), k)
        assert np.array_equal(got.to_dense(), want.to_dense())
    with pytest.raises(InputError, match="integer torch tensor"):
        count_streams(torch.zeros((2, 5)), [1], 2)
    with pytest.raises(InputError, match="must lie in 0"):
        count_streams(torch.tensor([[0, 3]]), [1], 2)
    with pytest.raises(InputError, match="not shorter than the streams"):
        count_streams(torch.tensor([[0, 1]]), [2], 2)


def _closed_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.needs_ray
@pytest.mark.needs_torch
@pytest.mark.parametrize("address, message", [
    ("127.0.0.1:{port}", "cannot reach a Ray cluster at 127.0.0.1:{port} (connection refused)"),
    ("ray://127.0.0.1:{port}", "cannot reach a Ray cluster"),
    ("foo:bar", "is not HOST:PORT"),
    (":::", "is not HOST:PORT"),
    ("host:70000", "is not HOST:PORT"),
])
def test_unreachable_or_malformed_ray_address_fails_fast(address, message, tmp_path):
    """Hypothesis: a cluster address where nothing listens, or one that is no address, fails within
    seconds with one line naming it, for a curve and for a grid (Ray once retried for minutes,
    and malformed addresses raised from inside Ray)."""
    import time

    from typer.testing import CliRunner

    from midecay.cli import app

    address = address.format(port=_closed_port())
    message = message.format(port=address.rsplit(":", 1)[1])
    t0 = time.perf_counter()
    with pytest.raises(midecay.InputError) as caught:
        midecay.mi_curve(np.arange(1000) % 3, [1, 2], engine="ray", address=address, seed=0)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    spec = tmp_path / "g.toml"
    spec.write_text('[grid]\nname = "x"\ntask = "classify"\ndata = "mnist-5k"\nwidths = [4]\ndilations = [[1, 2]]\n'
                    '[train]\nn_train = 50\nn_test = 50\nbatch = 25\n')
    res = CliRunner().invoke(app, ["grid", "run", str(spec), "--out", str(tmp_path / "g"), "--engine", "ray",
                                   "--address", address, "--quiet"])
    assert res.exit_code == 1 and message in res.stderr and "Traceback" not in res.output
    assert time.perf_counter() - t0 < 30


@pytest.mark.needs_ray
@pytest.mark.slow
def test_ray_engine_equals_local(chain, token_file):
    """Slices counted by Ray tasks (a local Ray of 2 CPUs started here), from the object store or
    from the file itself, give the local curve exactly; many curves share one session."""
    ray = pytest.importorskip("ray")
    local = midecay.mi_curve(chain, LAGS, seed=3)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert same_curve(local, midecay.mi_curve(chain, LAGS, seed=3, engine="ray"))
        from_file, in_memory = midecay.mi_curves([midecay.open_source(str(token_file)), chain], LAGS, seed=3, engine="ray")
        assert same_curve(local, from_file) and same_curve(local, in_memory)
    finally:
        ray.shutdown()
    with pytest.raises(midecay.InputError, match="unknown engine"):
        midecay.mi_curve(chain, LAGS, engine="spark")


def _text_corpus(rng) -> str:
    """Lines of a two-state chain over words with multi-byte characters, CRLF and blank lines mixed."""
    words = ["the", "wörld", "naïve", "ÆØÅ", "日本", "x", "42!", "--"]
    lines, state = [], 0
    for i in range(3000):
        n = int(rng.integers(0, 12))
        picks = []
        for _ in range(n):
            state = state if rng.random() < 0.8 else 1 - state
            picks.append(words[int(rng.integers(0, 4)) + 4 * state])
        lines.append(" ".join(picks))
    return "\r\n".join(lines[:1000]) + "\n" + "\n\n".join(lines[1000:])


@pytest.mark.parametrize("options", [{}, {"segments": "lines"}, {"clean": "text8"}, {"lowercase": True, "ascii_only": True}])
def test_streamed_text_equals_in_memory(tmp_path, options):
    """Hypothesis: a text read in chunks of 997 bytes (borders inside multi-byte characters,
    CRLF pairs and runs of non-letters) into a memory-mapped code file gives the in-memory
    codes, alphabet and segments, and so the same curve, also when that is counted in slices;
    a second read maps the cached codes without encoding again."""
    path = tmp_path / "corpus.txt"
    path.write_bytes(_text_corpus(np.random.default_rng(0)).encode("utf-8"))
    ref = midecay.sources.read_text(path, stream=False, **options)
    cache = tmp_path / "codes"
    streamed = midecay.sources.streaming.stream_text(path, cache=cache, chunk_bytes=997, **options)
    assert isinstance(streamed.codes, np.memmap)
    assert streamed.alphabet == ref.alphabet and np.array_equal(streamed.bounds, ref.bounds)
    assert np.array_equal(np.asarray(streamed.codes), ref.codes)
    lags = [1, 2, 5, 20]
    assert same_curve(midecay.mi_curve(ref, lags, seed=1), midecay.mi_curve(streamed, lags, seed=1, chunk_symbols=5_001))
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    again = midecay.sources.streaming.stream_text(path, cache=cache, chunk_bytes=1 << 20, **options)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    assert np.array_equal(np.asarray(again.codes), ref.codes)


def test_streamed_fasta_equals_in_memory(tmp_path):
    """Hypothesis: FASTA read in chunks of 61 bytes (headers, soft-masked and ambiguous bases,
    blank lines and a record on one 5,000-base line split across chunks) gives the in-memory
    records, with and without the ambiguous codes."""
    rng = np.random.default_rng(2)
    parts = []
    for i in range(30):
        seq = "".join(rng.choice(list("ACGTACGTacgtNR"), int(rng.integers(0, 400))))
        parts.append(f">r{i} description\n" + "\n".join(seq[j:j + 60] for j in range(0, len(seq), 60)) + "\n" * (1 + i % 2))
    parts.append(">long\n" + "".join(rng.choice(list("ACGT"), 5000)) + "\n")
    path = tmp_path / "g.fa"
    path.write_text("".join(parts))
    for keep in (False, True):
        ref = midecay.sources.read_fasta(path, keep_ambiguous=keep, stream=False)
        streamed = midecay.sources.streaming.stream_fasta(path, keep_ambiguous=keep, cache=tmp_path / f"c{keep}", chunk_bytes=61)
        assert streamed.alphabet == ref.alphabet and np.array_equal(streamed.bounds, ref.bounds)
        assert np.array_equal(np.asarray(streamed.codes), ref.codes)
        assert streamed.description == ref.description


def test_streaming_bad_inputs_are_one_line_errors(tmp_path):
    """A text that is not the named encoding, a file with no FASTA header, options streaming
    cannot honour, and a text with nothing left after cleaning: one-line errors naming the fix."""
    from midecay.errors import InputError
    from midecay.sources.streaming import stream_fasta, stream_text

    latin = tmp_path / "latin.txt"
    latin.write_bytes("abc café".encode("latin-1") * 50)
    with pytest.raises(InputError, match="cannot decode near byte 7 as utf-8, so it may be binary: read its bytes with level='byte'"):
        stream_text(latin, cache=tmp_path / "c", chunk_bytes=5)
    assert stream_text(latin, encoding="latin-1", cache=tmp_path / "c").alphabet[-1] == "é"
    plain = tmp_path / "plain.fa"
    plain.write_text("ACGT\nACGT\n")
    with pytest.raises(InputError, match="is not FASTA"):
        stream_fasta(plain, cache=tmp_path / "c")
    with pytest.raises(InputError, match="segments None or 'lines'"):
        midecay.sources.read_text(latin, stream=True, segments="documents", encoding="latin-1")
    with pytest.raises(InputError, match="stream must be true, false or none"):
        midecay.sources.read_fasta(plain, stream="maybe")
    with pytest.raises(InputError, match="stream must be true, false or none"):  # named before the other options
        midecay.sources.read_text(latin, stream="maybe", segments="documents", encoding="latin-1")
    digits = tmp_path / "digits.txt"
    digits.write_text("123 456\n")
    with pytest.raises(InputError, match="no content left after cleaning"):
        stream_text(digits, clean="text8", cache=tmp_path / "c")
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "c").iterdir())


def test_stream_cache_answers_only_for_the_content_it_read(tmp_path):
    """Hypothesis: cached codes are reused only for the bytes they were encoded from. A file
    rewritten with the same size and modification time (``cp -p``, ``touch -d``, a checkout)
    is encoded again and gives its own curve, not the stale one; unchanged content is reused."""
    import shutil

    from midecay.sources.streaming import stream_text

    rng = np.random.default_rng(3)
    noise = tmp_path / "noise.txt"
    noise.write_text("".join(rng.choice(list("az"), 20_000)))
    periodic = tmp_path / "periodic.txt"
    periodic.write_text(("aaazzz" * 4000)[:20_000])
    target, cache = tmp_path / "data.txt", tmp_path / "codes"
    for source in (noise, periodic):
        os.utime(source, ns=(10**18, 10**18))
        shutil.copy2(source, target)  # same size, same time, other content the second time
        assert os.stat(target).st_mtime_ns == 10**18
        streamed = stream_text(target, cache=cache, chunk_bytes=1000)
        assert np.array_equal(np.asarray(streamed.codes), midecay.sources.read_text(source, stream=False).codes)
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    stream_text(target, cache=cache)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before  # same content: nothing rewritten


@pytest.mark.parametrize("added", ["bb", "zz"])
def test_a_file_changed_between_the_streaming_passes_is_refused(tmp_path, monkeypatch, added):
    """Hypothesis: text appended after the alphabet pass is detected, whether its characters lie
    outside the first pass's alphabet ("zz": once a traceback) or inside it ("bb": once silently
    coded as the alphabet's first symbol); nothing is cached."""
    from midecay.errors import InputError
    from midecay.sources import streaming

    path = tmp_path / "ab.txt"
    path.write_text("ab" * 5000)
    calls = []
    real = streaming._read_chunks

    def appending(p, *args):
        calls.append(p)
        if len(calls) == 2:  # the second pass starts: a writer appends meanwhile
            with open(p, "a") as fh:
                fh.write(added * 10)
        yield from real(p, *args)

    monkeypatch.setattr(streaming, "_read_chunks", appending)
    with pytest.raises(InputError, match="changed while it was being read"):
        streaming.stream_text(path, cache=tmp_path / "codes", chunk_bytes=512)
    assert not any((tmp_path / "codes").glob("*.json"))


def test_streaming_refuses_a_pipe(tmp_path):
    """A FIFO cannot be read twice: one line, before blocking on the second pass."""
    from midecay.errors import InputError
    from midecay.sources.streaming import stream_text

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        stream_text(fifo, cache=tmp_path / "codes")


def test_streaming_on_the_command_line(tmp_path):
    """``midecay curve FILE --option stream=true`` gives the in-memory curve of the file."""
    import json

    from typer.testing import CliRunner

    from midecay.cli import app

    path = tmp_path / "t.txt"
    path.write_text(_text_corpus(np.random.default_rng(1))[:20_000])
    env = {"MIDECAY_CACHE": str(tmp_path / "cache")}
    res = CliRunner(env=env).invoke(app, ["curve", str(path), "--lags", "1,2,3", "--option", "stream=true", "--json"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cache" / "codes").is_dir()
    ref = midecay.mi_curve(midecay.sources.read_text(path, stream=False), [1, 2, 3], seed=0)
    assert np.allclose(json.loads(res.stdout)["mi"], ref.mi, rtol=0, atol=1e-12)
