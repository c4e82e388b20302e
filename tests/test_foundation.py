"""The foundation under every result: memory safety, resources, files, results protocol, imports.

Each test names the defect of issue 9 it guards; each would fail on the code before the fix.
"""

import hashlib
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import midecay
from midecay import MICurve, Symbols, encode, mi_curve
from midecay._io import write_atomic
from midecay.counting import KERNELS, windows_from_bounds
from midecay.errors import InputError, OutputExistsError
from midecay.sources import download, pypi_member, read_tokens, series_symbols


# ----------------------------------------------------------------- 1. memory safety
@pytest.mark.parametrize("name", sorted(KERNELS))
@pytest.mark.parametrize("bad", [np.array([0, 1, 7, 1], dtype=np.uint8), np.array([0, -3, 1, 1], dtype=np.int64)])
def test_no_kernel_accepts_codes_outside_the_alphabet(name, bad):
    """Hypothesis: a code >= K or < 0 is refused before any kernel indexes a histogram with it."""
    with pytest.raises(InputError, match="codes"):
        KERNELS[name].count(bad, windows_from_bounds(np.array([0, 4])), np.array([1]), 2)


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_no_kernel_accepts_windows_past_the_codes(name):
    with pytest.raises(InputError, match="windows"):
        KERNELS[name].count(np.zeros(4, dtype=np.uint8), np.array([[0, 4, 9]]), np.array([1]), 2)


def test_symbols_refuse_out_of_range_codes_and_stay_read_only(tmp_path):
    with pytest.raises(InputError, match="alphabet has 2"):
        Symbols(np.array([0, 5]), ("a", "b"), [0, 2])
    with pytest.raises(InputError, match="negative"):
        Symbols(np.array([0, -1]), ("a", "b"), [0, 2])
    crafted = tmp_path / "crafted.npz"
    np.savez(crafted, codes=np.array([0, 200, 1], dtype=np.uint8), bounds=np.array([0, 3]), alphabet=np.array(["a", "b"]))
    with pytest.raises(InputError, match="alphabet has 2"):
        Symbols.load(crafted)
    s = encode(np.array([0, 1, 1]))
    with pytest.raises(ValueError):
        s.codes[0] = 9  # checked codes cannot be changed behind the check


# ----------------------------------------------------------------- 2. memory exhaustion
def test_huge_integer_codes_are_recoded_not_materialised(tmp_path):
    """Hypothesis: the code 2**62 gives a 2-symbol alphabet, not range(2**62 + 1)."""
    path = tmp_path / "big.npy"
    np.save(path, np.array([2**62, 5, 2**62, 5, 7], dtype=np.int64))
    s = read_tokens(path)
    assert s.alphabet == (5, 7, 2**62)
    assert s.codes.tolist() == [2, 0, 2, 0, 1]


# ----------------------------------------------------------------- 6. silent wrong answers
def test_two_d_token_file_is_one_segment_per_row(tmp_path):
    """Pairs never cross rows: with rows [0 1] and [1 0], lag 1 has exactly 2 pairs, (0,1) and (1,0)."""
    path = tmp_path / "rows.npy"
    np.save(path, np.array([[0, 1], [1, 0]], dtype=np.int64))
    s = read_tokens(path)
    assert s.bounds.tolist() == [0, 2, 4]
    counts = midecay.count_pairs(s, [1]).to_dense()[0]
    assert counts.tolist() == [[0, 1], [1, 0]]


def test_many_series_bins_do_not_wrap():
    x = np.exp(np.cumsum(np.random.default_rng(0).normal(size=140_001)))
    s = series_symbols(x, bins=70_000)
    assert int(s.codes.max()) == 69_999 and s.alphabet_size == 70_000


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(mi=[None] * len(d["mi"])), "NaN"),
        (lambda d: d.update(lags=[0] + d["lags"][1:]), "positive"),
        (lambda d: d.update(lags=d["lags"][::-1]), "increasing"),
        (lambda d: d.update(mi="0.1"), "must be list"),
        (lambda d: d.pop("n_pairs"), "lacks the key 'n_pairs'"),
        (lambda d: d.update(alphabet_size="27"), "must be int"),
        (lambda d: d.update(estimator="kozachenko"), "estimator"),
    ],
)
def test_curve_json_is_validated_on_load(tmp_path, change, message):
    curve = mi_curve("abcab" * 300, [1, 2, 3], seed=0)
    data = curve.to_dict()
    change(data)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message):
        MICurve.from_json(path)


def test_curve_json_that_is_a_list_is_refused(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="JSON object"):
        MICurve.from_json(path)


def test_compare_refuses_levels_outside_zero_one():
    c = mi_curve("abcab" * 300, [1, 2], seed=0)
    for alpha in (0, 5, -0.1):
        with pytest.raises(InputError, match="alpha"):
            midecay.compare([c, c], alpha=alpha)


# ----------------------------------------------------------------- 7. resources
def test_resource_limits_refuse_before_work():
    with pytest.raises(InputError, match="n_blocks"):
        mi_curve("ab" * 100, [1], n_blocks=100_000)
    with pytest.raises(InputError, match="n must be an integer"):
        midecay.synth.markov(np.array([[0.5, 0.5], [0.5, 0.5]]), 1.5)
    with pytest.raises(InputError, match="GiB"):
        mi_curve(np.arange(10_000), [1], backend="dense", null="none", n_blocks=0)


# ----------------------------------------------------------------- 8. downloads
def test_download_refuses_names_that_leave_the_cache(tmp_path):
    for name in ("../x", "a/b", "..", ""):
        with pytest.raises(InputError, match="plain file name"):
            download("http://127.0.0.1:9/x", None, filename=name, cache=tmp_path / "cache")
    assert not (tmp_path / "x").exists()


def test_truncated_download_is_not_cached(tmp_path):
    """A body shorter than its Content-Length is refused, never cached as complete."""
    import http.server

    class Short(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Short)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    cache = tmp_path / "cache"
    with pytest.raises(ConnectionError, match="truncated"):
        download(f"http://127.0.0.1:{httpd.server_address[1]}/f.bin", None, cache=cache, timeout=5)
    httpd.server_close()
    assert not [p for p in cache.iterdir() if not p.name.startswith(".f.bin.meta")] if cache.exists() else True
    assert not (cache / "f.bin").exists()


def test_cached_file_is_checked_against_its_record(server, tmp_path):
    root, url = server
    (root / "d.bin").write_bytes(b"abc" * 100)
    cache = tmp_path / "cache"
    path = download(url + "d.bin", None, cache=cache)
    path.write_bytes(b"tampered")
    with pytest.raises(InputError, match="recorded size"):
        download(url + "d.bin", None, cache=cache)


def test_pypi_member_reads_an_sdist_from_the_index_without_running_it(server, tmp_path, monkeypatch):
    """An sdist whose setup.py would write a marker is read as an archive: the marker never appears."""
    import io
    import tarfile

    root, url = server
    marker = tmp_path / "setup_ran"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in (("pkgx-1.0/setup.py", f"open({str(marker)!r}, 'w')".encode()),
                           ("pkgx-1.0/pkgx/data/file.txt", b"payload")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    archive = buf.getvalue()
    (root / "files").mkdir()
    (root / "files" / "pkgx-1.0.tar.gz").write_bytes(archive)
    (root / "simple" / "pkgx").mkdir(parents=True)
    page = {"files": [{"filename": "pkgx-1.0.tar.gz", "url": url + "files/pkgx-1.0.tar.gz",
                       "hashes": {"sha256": hashlib.sha256(archive).hexdigest()}}]}
    (root / "simple" / "pkgx" / "index.html").write_text(json.dumps(page))
    data = pypi_member("pkgx", "1.0", "pkgx/data/file.txt", cache=tmp_path / "cache", index=url + "simple")
    assert data == b"payload" and not marker.exists()
    # A wrong hash on the index is refused (and nothing is cached).
    page["files"][0]["hashes"]["sha256"] = "0" * 64
    (root / "simple" / "pkgx" / "index.html").write_text(json.dumps(page))
    with pytest.raises(ConnectionError, match="corrupted"):
        pypi_member("pkgx", "1.0", "pkgx/data/file.txt", cache=tmp_path / "cache2", index=url + "simple")


# ----------------------------------------------------------------- 9. files
def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "a.txt", "x")
        assert path.stat().st_mode & 0o777 == 0o644
        os.chmod(path, 0o640)
        write_atomic(path, "y", overwrite=True)
        assert path.stat().st_mode & 0o777 == 0o640 and path.read_text() == "y"
    finally:
        os.umask(old)


def test_concurrent_writers_exactly_one_wins(tmp_path):
    target = tmp_path / "out.json"
    outcomes = []

    def writer(i):
        try:
            write_atomic(target, f"writer {i}")
            outcomes.append(("won", i))
        except OutputExistsError:
            outcomes.append(("lost", i))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for kind, i in outcomes if kind == "won"]
    assert len(winners) == 1 and target.read_text() == f"writer {winners[0]}"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    """SIGTERM in the CLI raises SystemExit; a write interrupted that way cleans up after itself."""
    def interrupted(fd):
        raise SystemExit(143)

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(SystemExit):
        write_atomic(tmp_path / "x.json", "data")
    assert list(tmp_path.iterdir()) == []


def test_cli_turns_sigterm_into_an_unwinding_exit(tmp_path):
    code = (
        "import os, signal, midecay.cli as c\n"
        "signal.signal(signal.SIGTERM, c._terminate)\n"
        "try:\n    os.kill(os.getpid(), signal.SIGTERM)\n"
        "finally:\n    open(%r, 'w').write('unwound')\n" % str(tmp_path / "flag")
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == 143 and (tmp_path / "flag").read_text() == "unwound"


# ----------------------------------------------------------------- structure
def _round_trip(result, tmp_path):
    path = tmp_path / f"{type(result).__name__}.json"
    result.to_json(path)
    again = type(result).from_json(path)
    assert again.to_dict() == result.to_dict()
    return again


@pytest.mark.needs_pandas
def test_every_result_round_trips_and_tabulates(tmp_path):
    """Hypothesis: to_json -> from_json gives back the same dict for every result type, and each
    one's summary is its text with its table attached."""
    from midecay.experiments import Analysis, analyse
    from midecay.results import Summary
    from midecay.synth import block_markov_matrix, markov

    s = markov(block_markov_matrix(9, 3, 0.9), 100_000, seed=0).symbols
    t = markov(block_markov_matrix(9, 3, 0.9), 50_000, seed=1).symbols
    lags = midecay.log_lags(1, 100, 12)
    analysis = analyse([s, t], ["a", "b"], lags, seed=0)
    curve = analysis.results[0].curve
    diagnosis = analysis.results[0].diagnosis
    for result in (curve, midecay.fit_decay(curve), diagnosis, analysis.comparison, analysis):
        again = _round_trip(result, tmp_path)
        frame = again.to_frame()
        assert len(frame) >= 1
        summary = again.summary()
        # The words and the numbers in one object: the text a user prints, the table code reads.
        assert isinstance(summary, Summary) and summary == again._summary_text() and summary.count("\n") >= 1
        assert repr(list(summary.table)) == repr(again.table_rows()) and len(summary.to_frame()) == len(frame)
        page = summary._repr_html_()
        assert page.count("<tr>") == len(frame) + 1 and page.startswith("<pre>")
    assert isinstance(Analysis.from_dict(analysis.to_dict()), Analysis)
    with pytest.raises(InputError, match="not a DecayFit"):
        midecay.DecayFit.from_dict(curve.to_dict())


@pytest.mark.needs_plot
def test_every_result_plots_on_given_axes():
    import matplotlib.pyplot as plt

    from midecay.synth import block_markov_matrix, markov

    s = markov(block_markov_matrix(9, 3, 0.9), 50_000, seed=0).symbols
    curve = mi_curve(s, midecay.log_lags(1, 100, 10), seed=0)
    for result in (curve, midecay.fit_decay(curve), midecay.classify(curve), midecay.compare([curve, curve])):
        fig, ax = plt.subplots()
        assert result.plot(ax=ax) is ax
        plt.close(fig)


def test_symbols_save_load_round_trip_with_provenance(tmp_path):
    s = encode(["the cat", "sat"], segmented=True)
    s = Symbols(s.codes, s.alphabet, s.bounds, "words", {"source": "test", "seed": 3})
    path = s.save(tmp_path / "s.npz")
    back = Symbols.load(path)
    assert back.alphabet == s.alphabet and back.codes.tolist() == s.codes.tolist()
    assert back.bounds.tolist() == s.bounds.tolist() and back.provenance == {"source": "test", "seed": 3}
    with pytest.raises(OutputExistsError):
        s.save(path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable"):
        Symbols.load(tmp_path / "junk.npz")


def test_open_source_records_structured_provenance(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello world " * 50)
    s = midecay.open_source(path, level="word")
    assert s.provenance == {"source": str(path), "level": "word", "options": {}}
    curve = mi_curve(s, [1], seed=0)
    assert curve.provenance["data"]["level"] == "word"
    with pytest.raises(InputError, match="takes no option bins"):
        midecay.open_source(path, bins=3)


def test_import_contract_and_attributes():
    """``import midecay`` loads no torch, matplotlib, scipy.stats, tqdm or numba; submodules are attributes."""
    code = (
        "import sys, midecay\n"
        "heavy = [m for m in ('torch', 'matplotlib', 'scipy.stats', 'tqdm', 'numba') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "midecay.datasets.list(); midecay.sources.read_text; midecay.synth.markov\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # `midecay --help` builds the whole command tree without numba or scipy.
    code = "import sys, midecay.cli\nassert not [m for m in ('scipy', 'numba', 'matplotlib') if m in sys.modules]\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.needs_plot
def test_rendering_leaves_the_matplotlib_backend_and_warning_filters_alone():
    import warnings

    import matplotlib

    from midecay.experiments import analyse
    from midecay.report import render_analysis

    backend, filters = matplotlib.get_backend(), list(warnings.filters)
    analysis = analyse([encode("abcab" * 400)], ["x"], [1, 2, 3], seed=0)
    render_analysis(analysis)
    assert matplotlib.get_backend() == backend and list(warnings.filters) == filters


def test_one_thread_setting_for_all_kernels():
    import numba

    before = numba.get_num_threads()
    with midecay.threads(1):
        assert numba.get_num_threads() == 1
        c1 = mi_curve(np.arange(400_000) % 600, [1, 2], backend="sparse", seed=0)
    assert numba.get_num_threads() == before
    c2 = mi_curve(np.arange(400_000) % 600, [1, 2], backend="sparse", seed=0)
    assert np.array_equal(c1.mi, c2.mi)
    with pytest.raises(InputError, match="threads"):
        with midecay.threads(0):
            pass


@pytest.mark.parametrize("given, expected", [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_import_sets_passive_openmp_waiting_unless_the_user_chose(given, expected):
    """Hypothesis: ``import midecay`` makes OpenMP threads wait passively (a spinning thread stalls a busy
    machine, benchmarks/bench_busy.py), before numba's runtime starts, and keeps a policy the user set."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given is not None:
        env["OMP_WAIT_POLICY"] = given
    code = "import os, midecay; print(os.environ['OMP_WAIT_POLICY'])"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == expected


def test_progress_lines_when_no_bar_can_be_drawn(caplog):
    """Hypothesis: off a terminal, long work reports a line at most every interval (what, how far,
    how long left) to the midecay.progress log, a last line when it reported at all, and nothing
    when it was short; not asked, it is silent."""
    import logging

    from midecay import _progress

    now = [0.0]
    reporter = _progress.LineReporter(10, "jackknife", unit="block", interval=15.0, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="midecay.progress"):
        for _ in range(10):
            now[0] += 4.0
            reporter.update(1)
        reporter.close()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "jackknife: 4 of 10 blocks (40 %), 16 s elapsed, about 24 s left"
    assert len(lines) == 3 and lines[-1] == "jackknife: 10 of 10 blocks (100 %), 40 s elapsed"
    caplog.clear()
    short = _progress.LineReporter(5, "quick", clock=lambda: 0.0)
    for _ in range(5):
        short.update()
    short.close()
    assert not caplog.records
    assert isinstance(_progress.counter(3, "x", enabled=False), _progress._Silent)
    assert isinstance(_progress.counter(3, "x", enabled=True), _progress.LineReporter)  # pytest's stderr is no terminal


def test_one_vocabulary_of_constraints_with_one_message_shape():
    """Hypothesis: every config refuses a bad value with one line naming the field, in one shape per
    kind of constraint, and the declared constraints both accept their bounds and refuse past them."""
    from midecay.models import ModelConfig, TrainConfig
    from midecay.options import CurveOptions, Engine
    from midecay.validation import Boolean, Integer, Maybe, OneOf, Real

    assert Integer(1, 3).check("k", 3) == 3 and Real(0, 1, low_open=True).check("p", 1) == 1.0
    assert Maybe(Integer(1)).check("k", None) is None and Boolean().check("b", True) is True
    cases = [
        (lambda: Integer(1, 3).check("k", 4), "k must be between 1 and 3, got 4"),
        (lambda: Integer(1).check("k", 1.5), "k must be an integer, got 1.5"),
        (lambda: Real(0, low_open=True).check("lr", 0), "lr must be > 0, got 0"),
        (lambda: Real(0, 1).check("p", float("nan")), "p must be a finite number, got nan"),
        (lambda: Real().check("x", "2"), "x must be a number, got '2' (text; write numbers without quotes)"),
        (lambda: OneOf("a", "b").check("mode", "c"), "unknown mode 'c'; choose one of: a, b"),
        (lambda: Boolean().check("flag", "yes"), "flag must be true or false, got 'yes' (text"),
        (lambda: TrainConfig(batch=0), "batch must be >= 1, got 0"),
        (lambda: TrainConfig(optimizer="sgd"), "unknown optimizer 'sgd'; choose one of: adam, rmsprop"),
        (lambda: ModelConfig("rnn", vocab_size=2, width="8"), "width must be an integer, got '8' (text"),
        (lambda: CurveOptions(n_blocks=True), "n_blocks must be an integer, got True"),
        (lambda: Engine("spark"), "unknown engine 'spark'; choose one of: local, ray"),
    ]
    for make, message in cases:
        with pytest.raises(InputError) as caught:
            make()
        assert str(caught.value).startswith(message), (str(caught.value), message)
