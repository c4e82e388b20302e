"""A researcher's second day: their own files, a core-only install, feedback on long work, tables that say
what they mean.

Hypotheses, one a class:

* a command that needs an extra this install lacks says so in one line, naming the extra, before any work
  (no output written, no minute of computing first);
* any file can be read, a binary one as bytes; a decode error names that way on; a level that does not
  apply to a file is refused, not ignored;
* long work is never silent off a terminal: training says each epoch (number, train and valid loss),
  a stage with no loop to count says it still runs;
* a table explains itself: the curve's legend and its cut column decide ``signif``; intervals stay in a
  metric's range; exact values are not float rounding; one definition of each term everywhere.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import midecay
from midecay.cli import app
from midecay.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def cli_in(env, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "midecay", *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


@pytest.fixture
def text(tmp_path) -> Path:
    path = tmp_path / "t.txt"
    path.write_text("".join(np.random.default_rng(0).choice(list("abcdefgh \n"), 50_000)))
    return path


# --- a core-only install ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, extra", [
    (["lm", "models"], "models"),
    (["lm", "sample", "smollm2-135m", "--out", "{tmp}/s.npz"], "models"),
    (["train", "{text}", "--arch", "rnn", "--out", "{tmp}/m.pt"], "models"),
    (["grid", "run", "example:tiny", "--out", "{tmp}/g"], "models"),
    (["curve", "{text}", "--lags", "1:4", "--backend", "torch", "--out", "{tmp}/c.json"], "models"),
    (["curve", "{text}", "--lags", "1:4", "--plot", "{tmp}/c.png", "--out", "{tmp}/c.json"], "plot"),
    (["report", "{text}", "--out", "{tmp}/r.html"], "plot"),
])
def test_a_missing_extra_is_one_line_before_any_work(core_only_env, tmp_path, text, args, extra):
    """It was a traceback (`No module named 'torch'`), or for --plot a curve computed and written first."""
    out = tmp_path / "work"
    out.mkdir()
    proc = cli_in(core_only_env, *[a.format(tmp=out, text=text) for a in args])
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"pip install 'midecay[{extra}]'" in errors[0], proc.stderr
    assert not list(out.iterdir()), "nothing is written before the refusal"


# --- reading real files ----------------------------------------------------------------------------

def test_a_binary_file_reads_as_bytes_and_the_decode_error_says_so(tmp_path):
    blob = tmp_path / "blob.dat"
    data = np.random.default_rng(1).integers(0, 256, 20_000, dtype=np.uint8)
    data[::3] = 7  # some structure: byte 7 every third position
    blob.write_bytes(data.tobytes())
    res = CliRunner().invoke(app, ["curve", str(blob), "--lags", "1:3"])
    assert res.exit_code == 1 and "--level byte" in res.stderr and "--option encoding=" in res.stderr
    symbols = midecay.open_source(blob, level="byte")
    assert symbols.n_symbols == 20_000 and set(symbols.alphabet) == set(np.unique(data).tolist())
    curve = midecay.mi_curve(symbols, [1, 2, 3], seed=0)
    assert curve.significant()[2] and curve.mi[2] > curve.mi[0]  # the period-3 byte is found at lag 3
    res = CliRunner().invoke(app, ["curve", str(blob), "--level", "byte", "--lags", "1:3", "--json"])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("name, content", [("g.fa", ">x\nACGTACGT\n"), ("s.npz", None), ("ids.npy", None)])
def test_a_level_that_does_not_apply_is_refused_not_ignored(tmp_path, name, content):
    path = tmp_path / name
    if name.endswith(".fa"):
        path.write_text(content)
    elif name.endswith(".npz"):
        midecay.encode("abcabc").save(path)
    else:
        np.save(path, np.arange(10) % 3)
    with pytest.raises(InputError, match="does not apply"):
        midecay.open_source(path, level="word")


def test_a_large_alphabet_warning_names_the_options_that_shrink_it(tmp_path):
    path = tmp_path / "many.txt"
    path.write_text("".join(chr(0x4E00 + int(i)) for i in np.random.default_rng(0).integers(0, 3000, 20_000)))
    with pytest.warns(midecay.UnreliableEstimateWarning, match="ascii_only"):
        midecay.mi_curve(midecay.open_source(path), [1, 2], seed=0)


# --- feedback on long work -------------------------------------------------------------------------

def test_training_says_each_epoch_off_a_terminal(tmp_path, text):
    """Piped, a multi-epoch run used to be silent for its whole length; now a line an epoch with its
    number, train and valid loss."""
    pytest.importorskip("torch")
    proc = subprocess.run([sys.executable, "-m", "midecay", "train", str(text), "--arch", "rnn", "--width", "8",
                           "--epochs", "3", "--steps-per-epoch", "4", "--out", str(tmp_path / "m.pt")],
                          capture_output=True, text=True, env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    epochs = [line for line in proc.stderr.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in epochs] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert all("train " in line and "valid " in line and "bpc" in line for line in epochs)


def test_a_stage_with_no_loop_still_says_it_runs(text, monkeypatch):
    """A stage that takes longer than a line interval (a first run's compilation, one large kernel call)
    reports that it still works; with progress off, nothing."""
    from midecay import _progress

    monkeypatch.setattr(_progress, "LINE_SECONDS", 0.001)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    log = logging.getLogger("midecay.progress")
    handler, level = Keep(), log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        with _progress.heartbeat("a slow stage", enabled=True, interval=0.01):
            import time

            time.sleep(0.2)
        assert any(m.startswith("a slow stage: still working") for m in seen)
        seen.clear()
        midecay.mi_curve(midecay.open_source(text), [1, 2, 3], seed=0, progress=False)
        assert not seen
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


# --- output that explains itself -------------------------------------------------------------------

def test_the_curve_table_says_how_signif_is_decided(tmp_path):
    chain = midecay.synth.markov(np.array([[0.9, 0.1], [0.1, 0.9]]), 20_000, seed=0)
    curve = midecay.mi_curve(chain.symbols, np.arange(1, 120), seed=0)
    text = curve.summary()
    assert "signif: I(d) above cut" in text and "floor:" in text and "spread" in text and "1 segment," in text
    rows = [line.split() for line in text.splitlines() if line.split()[-1:] in (["yes"], ["no"])]
    for row in rows:  # the printed cut decides the printed yes/no (away from the cut itself)
        mi, cut = float(row[1]), float(row[5])
        if abs(mi - cut) > 1e-3 * abs(cut):
            assert (row[6] == "yes") == (mi > cut), row
    assert len(rows) == curve.SUMMARY_ROWS and "lags not shown" in text


def test_intervals_stay_in_the_metrics_range():
    from midecay.experiments.grid.result import GridResult

    rows = [{"key": f"k{s}", "metric": "test_accuracy", "test_accuracy": acc, "seed": s, "set_name": "a", "role": "given",
             "dilations": [1, 2], "layers": 2, "max_dilation": 2, "width": 4, "parameters": 9, "seconds": 1.0}
            for s, acc in enumerate([0.2, 0.95, 0.99])]
    config = GridResult("g", tuple(rows)).configurations()[0]
    assert 0.0 <= config["ci_low"] < config["mean"] < config["ci_high"] <= 1.0


def test_exact_markov_mi_is_not_float_rounding_at_long_lags():
    """Hypothesis: I(d) of a chain falls as |lambda_2|^(2d) to every lag; it used to stop near 1e-13 and
    rise with d (rounding of ln(P^d / pi) shown as signal)."""
    from midecay.synth.markov import block_markov_matrix, markov_mi

    P = block_markov_matrix(27, 3, 0.9)
    lam = sorted(np.abs(np.linalg.eigvals(P)))[-2]
    lags = np.arange(100, 1001, 100)
    mi = markov_mi(P, lags)
    assert np.all(np.diff(mi) < 0) and mi[-1] < 1e-80
    assert np.allclose(mi[1:] / mi[:-1], lam ** 200, rtol=1e-6)


def test_one_definition_of_each_term_everywhere(tmp_path):
    from midecay.report.terms import SPAN, TRACKS_UP_TO

    a = midecay.mi_curve(midecay.encode("ab" * 2000), [1, 2, 3], seed=0)
    b = midecay.mi_curve(midecay.encode("ab" * 1000 + "ba" * 1000), [1, 2, 3], seed=0)
    assert TRACKS_UP_TO in midecay.compare([a, b], ["a", "b"]).summary()
    from midecay.report import html

    assert "tracks up to" in TRACKS_UP_TO and "'none'" in SPAN
    assert midecay.span(midecay.mi_curve(midecay.encode(list(np.random.default_rng(0).integers(0, 4, 5000))), [1, 2])
                        ).describe().startswith("span: no lag above the floor")
    assert "TRACKS_UP_TO" in Path(html.__file__).read_text()
    assert "nsb" in midecay.mi_curve.__doc__ and "chao_shen" in midecay.mi_curve.__doc__


def test_a_path_that_is_not_there_is_not_taken_for_a_hub_name(tmp_path):
    pytest.importorskip("transformers")
    res = CliRunner().invoke(app, ["lm", "sample", "./nonexistent_folder", "--out", str(tmp_path / "s.npz")])
    assert res.exit_code == 1 and "not found" in res.stderr and "huggingface" not in res.stderr


def test_the_readme_grid_runs_outside_the_repository(tmp_path):
    """The README's grid line names a spec that ships with midecay: it is found from any folder."""
    from midecay.experiments.grid.spec import GridSpec, example_specs

    assert {"tiny", "table1_cpu"} <= set(example_specs())
    assert GridSpec.from_toml("example:tiny").name == "tiny"
    with pytest.raises(InputError, match="choose one of"):
        GridSpec.from_toml("example:nope")
