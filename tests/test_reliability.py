"""Where runs meet and the machine runs out: each class of the third bad-input probe, in real processes.

Hypotheses, one a class:

* two runs naming one output: the second refuses with one line, whatever the command; the first
  finishes and its result is whole (a lock taken before the work, released when the run ends);
* the machine's limits (a file-size limit, a full device behind stdout or an output, memory)
  give one line and a failing exit code, never a cut file and exit 0;
* the streaming cache never pairs one content's index with another content's codes, and never
  keeps a killed run's temporary files;
* what a user hands in (curve JSON, grid results, TOML) is refused in one line when it nests too
  deeply, holds numbers too big, or true/false where numbers belong;
* devices, link loops and decompression bombs are refused before they fill memory;
* a hang-up interrupts like Ctrl-C; messages never carry a file name's terminal escapes.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import midecay
from midecay._locks import lock_file, output_held
from midecay.errors import InputError, OutputBusyError

ENV = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "MPLBACKEND": "Agg"}


def cli(*args, stdout=subprocess.PIPE, limit_bytes: int | None = None, env=None, **kwargs) -> subprocess.CompletedProcess:
    """``midecay ARGS`` in a process of its own (optionally under ``ulimit -f``)."""
    def limits():
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "midecay", *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, env={**ENV, **(env or {})}, preexec_fn=limits, timeout=300, **kwargs)


def one_line_error(proc) -> str:
    """The run failed with exactly one ``error:`` line on stderr and no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


@pytest.fixture
def text(tmp_path) -> Path:
    rng = np.random.default_rng(0)
    path = tmp_path / "text.txt"
    path.write_text("".join(rng.choice(list("abcdefgh \n"), 60_000)))
    return path


# --- two runs, one output -------------------------------------------------------------------------

def test_two_real_processes_racing_for_one_output(tmp_path, text):
    """A run blocked on its input holds its --out: a second run naming it (even with --force) refuses at
    once; the first then finishes, and its result is the one in the file. The lock leaves no file."""
    fifo = tmp_path / "slow.txt"
    os.mkfifo(fifo)
    out = tmp_path / "curve.json"
    first = subprocess.Popen([sys.executable, "-m", "midecay", "curve", str(fifo), "--lags", "1:4", "--out", str(out), "-q"],
                             stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        deadline = time.monotonic() + 60
        while not lock_file(out).exists():  # taken before the input is read
            assert time.monotonic() < deadline and first.poll() is None, "the first run never held its output"
            time.sleep(0.05)
        second = cli("curve", text, "--lags", "1:8", "--out", out, "--force")
        assert "being written by another midecay run" in one_line_error(second)
        with open(fifo, "w") as fh:
            fh.write(text.read_text())
        assert first.wait(120) == 0, first.stderr.read()
    finally:
        first.kill()
    assert json.loads(out.read_text())["lags"] == [1, 2, 3, 4]  # the first run's
    assert not lock_file(out).exists()
    assert cli("curve", text, "--lags", "1:8", "--out", out, "--force", "-q").returncode == 0


@pytest.mark.parametrize("command", [
    ["curve", "{text}", "--lags", "1:4", "--out", "{out}"],
    ["synth", "markov", "--n", "2000", "--out", "{out}.npz"],
    ["compare", "{curve}", "{curve}", "--names", "a,b", "--out", "{out}"],
    ["design", "dilations", "{curve}", "--out", "{out}"],
    pytest.param(["demo", "--out", "{out}"], marks=[pytest.mark.needs_plot, pytest.mark.needs_data]),
])
def test_every_output_is_held(tmp_path, text, command):
    """Whatever command writes the file, a held output refuses it before any work, in one line."""
    curve = tmp_path / "c.json"
    midecay.mi_curve(midecay.sources.read_text(text), [1, 2, 3]).to_json(curve)
    out = tmp_path / "sub" / "result.json"
    args = [a.format(text=text, out=out, curve=curve) for a in command]
    held = Path(args[args.index("--out") + 1])
    with output_held(held):
        assert "being written by another midecay run" in one_line_error(cli(*args))
    assert not (tmp_path / "sub").exists()  # the folder made for the lock went with it


def test_library_runs_into_one_folder_refuse_each_other(tmp_path):
    """run_grid and scaling_sweep hold their output too: a library caller gets OutputBusyError, no rows."""
    pytest.importorskip("torch")
    from midecay.experiments.grid import GridSpec, run_grid

    spec = GridSpec.from_dict({"grid": {"name": "held", "task": "classify", "data": "mnist-5k", "widths": [4],
                                        "dilations": [[1, 2]]}, "train": {"n_train": 50, "n_test": 50, "batch": 25}})
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom midecay._locks import output_held\n"
                               f"with output_held({str(tmp_path / 'grid')!r}):\n    print('held', flush=True)\n    time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputBusyError, match="another midecay run"):
            run_grid(spec, tmp_path / "grid")
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "grid" / "results.json").exists()


def test_a_lock_is_reentrant_in_one_process_and_released_by_a_killed_one(tmp_path):
    """One process holding an output twice (a command, then the library runner inside it) is one hold;
    a run killed with SIGKILL holds nothing: the kernel drops its lock."""
    target = tmp_path / "out.json"
    with output_held(target), output_held(target):
        assert lock_file(target).exists()
    assert not lock_file(target).exists()
    holder = subprocess.Popen([sys.executable, "-c", "import time\nfrom midecay._locks import output_held\n"
                               f"with output_held({str(target)!r}):\n    print('held', flush=True)\n    time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, env=ENV)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(OutputBusyError):
        with output_held(target):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with output_held(target):  # the stale lock file does not block
        pass


# --- the machine's limits -------------------------------------------------------------------------

def test_a_file_size_limit_on_stdout_is_one_line_not_a_cut_json(tmp_path, text):
    """Under ``ulimit -f 4`` a JSON result longer than 4 KiB used to be cut at 4,096 bytes with exit 0."""
    with open(tmp_path / "out.json", "w") as sink:
        proc = cli("curve", text, "--lags", "1:300", "--json", stdout=sink, limit_bytes=4096)
    assert "standard output" in one_line_error(proc) and "ulimit -f" in proc.stderr


def test_a_full_device_behind_stdout_is_one_line(text):
    with open("/dev/full", "w") as sink:
        proc = cli("curve", text, "--lags", "1:8", "--json", stdout=sink)
    assert "no space left" in one_line_error(proc)


def test_an_output_past_the_file_size_limit_is_refused_before_the_work(tmp_path, text):
    out = tmp_path / "c.json"
    proc = cli("curve", text, "--lags", "1:8", "--out", out, limit_bytes=4096)
    assert "file too large" in one_line_error(proc)
    assert not out.exists() and not list(tmp_path.glob(".*"))


def test_the_stream_cache_past_the_file_size_limit_is_one_line(tmp_path, text):
    big = tmp_path / "big.txt"
    big.write_text(text.read_text() * 4)  # 240,000 characters: codes of 240 kB
    proc = cli("curve", big, "--lags", "1:4", "-o", "stream=true", limit_bytes=100_000,
               env={"MIDECAY_CACHE": str(tmp_path / "cache")})
    line = one_line_error(proc)
    assert "cache" in line and "MIDECAY_CACHE" in line
    assert not [p for p in (tmp_path / "cache" / "codes").iterdir() if p.name.endswith((".tmp", ".tmp.npy"))]


def test_out_of_memory_is_one_line(capsys):
    """MemoryError (RAM, ``ulimit -v``) at the command line's boundary: one line naming the ways out."""
    import typer

    from midecay.cli._common import user_errors

    @user_errors
    def command():
        raise MemoryError

    with pytest.raises(typer.Exit) as stop:
        command()
    err = capsys.readouterr().err
    assert stop.value.exit_code == 1 and err.count("\n") == 1 and err.startswith("error: out of memory")
    assert "stream=true" in err and "ulimit -v" in err


# --- the streaming cache --------------------------------------------------------------------------

def test_a_kill_between_the_cache_renames_never_mixes_two_contents(tmp_path, monkeypatch):
    """The old failure: codes of content B renamed in, the index of content A kept (killed before its
    rename), the file restored to A: the next curve read B's codes under A's index (I(1) = 0.0005 for 1.74).
    Now the code files carry the content's digest in their names, so A's index can only find A's codes."""
    from midecay.sources import streaming

    cache = tmp_path / "cache"
    source = tmp_path / "t.txt"
    a = "abababab\n" * 3000
    source.write_text(a)
    first = streaming.stream_text(source, cache=cache)
    assert np.array_equal(np.asarray(first.codes), midecay.sources.read_text(source, stream=False).codes)
    source.write_text("".join(np.random.default_rng(0).choice(list("ab\n"), len(a))))
    real_replace = os.replace

    def killed_before_the_index(src, dst):
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # kill -9 between the renames
        real_replace(src, dst)

    monkeypatch.setattr(streaming.os, "replace", killed_before_the_index)
    with pytest.raises(KeyboardInterrupt):
        streaming.stream_text(source, cache=cache)
    monkeypatch.setattr(streaming.os, "replace", real_replace)
    source.write_text(a)  # the earlier content back
    again = streaming.stream_text(source, cache=cache)
    assert np.array_equal(np.asarray(again.codes), midecay.sources.read_text(source, stream=False).codes)
    curve = midecay.mi_curve(again, [1])
    assert curve.mi[0] > 0.5  # a period-2 text: I(1) = ln 2 bits-worth, not a random text's zero


def test_a_killed_encodings_temporary_files_are_removed(tmp_path):
    from midecay.sources import streaming

    cache = tmp_path / "cache"
    (cache / "codes").mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    leftovers = [cache / "codes" / f".0123abcd.codes.{pid}.tmp", cache / "codes" / f".0123abcd.bounds.{pid}.tmp.npy"]
    for leftover in leftovers:
        leftover.write_bytes(b"x" * 1000)
    source = tmp_path / "t.txt"
    source.write_text("abc\n" * 100)
    streaming.stream_text(source, cache=cache / "codes")
    assert not any(p.exists() for p in leftovers)


# --- what a user hands in -------------------------------------------------------------------------

@pytest.fixture
def curve_json(tmp_path, text) -> Path:
    path = tmp_path / "curve.json"
    midecay.mi_curve(midecay.sources.read_text(text), [1, 2, 3, 4]).to_json(path)
    return path


def _deep(tmp_path, name: str, depth: int = 100_000) -> Path:
    path = tmp_path / name
    path.write_text("[" * depth + "]" * depth)
    return path


@pytest.mark.parametrize("command", [
    ["fit", "{deep}"], ["compare", "{deep}", "{curve}"], ["design", "dilations", "{deep}"],
    pytest.param(["report", "{deep}", "--out", "{tmp}/r.html"], marks=pytest.mark.needs_plot),
    ["synth", "markov", "--matrix", "{deep}", "--n", "100", "--out", "{tmp}/m.npz"],
])
def test_deep_json_is_one_line_for_every_command(tmp_path, curve_json, command):
    deep = _deep(tmp_path, "deep.json")
    args = [a.format(deep=deep, curve=curve_json, tmp=tmp_path) for a in command]
    assert "nests too deeply" in one_line_error(cli(*args))


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deep_toml_is_one_line(tmp_path, depth):
    pytest.importorskip("torch")
    spec = tmp_path / "spec.toml"
    spec.write_text("x = " + "[" * depth + "]" * depth + "\n")
    proc = cli("grid", "run", spec, "--out", tmp_path / "g")
    assert "nests" in one_line_error(proc)
    config = tmp_path / "c.toml"
    config.write_text(spec.read_text())
    assert "nests" in one_line_error(cli("train", "--config", config, "--out", tmp_path / "m.pt"))


def test_numbers_a_curve_file_cannot_hold(tmp_path, curve_json):
    """A 5,000-digit integer (past Python's str->int limit), a 60-digit one (overflows nothing in JSON,
    everything after), and true/false in place of numbers (numpy reads them as 1 and 0)."""
    data = json.loads(curve_json.read_text())
    for name, mi in (("huge", "1" + "0" * 5000), ("big", "1" + "0" * 60)):
        text = json.dumps(data).replace('"mi": [', f'"mi": [{mi}, ', 1)
        (tmp_path / f"{name}.json").write_text(text)
        assert "more than 40 digits" in one_line_error(cli("fit", tmp_path / f"{name}.json"))
    flags = dict(data, mi=[True, False, True, False])
    (tmp_path / "bool.json").write_text(json.dumps(flags))
    assert "true/false" in one_line_error(cli("fit", tmp_path / "bool.json"))


def test_a_seed_past_two_to_the_63_is_one_line(tmp_path):
    pytest.importorskip("torch")
    spec = tmp_path / "spec.toml"
    spec.write_text('[grid]\nname = "s"\ntask = "classify"\ndata = "mnist-5k"\nwidths = [4]\ndilations = [[1, 2]]\n')
    assert "below 2**63" in one_line_error(cli("grid", "run", spec, "--out", tmp_path / "g", "--seeds", "99999999999999999999"))


def test_grid_results_with_a_null_metric_show_and_a_boolean_one_is_refused(tmp_path):
    """A diverged trial's metric is written null: `grid show` ranks it last; true in its place is refused."""
    from midecay.experiments.grid.result import GridResult

    def row(key, seed, value):
        return {"key": key, "metric": "test_bpc", "test_bpc": value, "seed": seed, "set_name": "s", "role": "given",
                "dilations": [1, 2], "layers": 2, "max_dilation": 2, "width": 4, "parameters": 10, "seconds": 1.0}

    result = GridResult.from_dict({"format": GridResult.FORMAT, "name": "g",
                                   "rows": [row("a", 0, None), row("b", 1, 1.5), row("c", 2, 1.2)]})
    assert [r["key"] for r in result.ranked()] == ["c", "b", "a"]
    assert "grid g" in result.summary()
    with pytest.raises(InputError, match="number or null"):
        GridResult.from_dict({"format": GridResult.FORMAT, "name": "g", "rows": [row("a", 0, True)]})
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({"spec": {"grid": {"name": "g"}}, "rows": [row("a", 0, None), row("b", 1, 1.5)]}))
    proc = cli("grid", "show", folder)
    assert proc.returncode == 0, proc.stderr


def test_fit_csv_holds_every_laws_parameters(tmp_path):
    """Laws have different parameters: the CSV has one column for each, empty where a law lacks it
    (it used to fail on every curve with more than two lags)."""
    import csv
    import io

    chain = midecay.synth.markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 50_000, seed=1)
    curve = tmp_path / "c.json"
    midecay.mi_curve(chain.symbols, np.arange(1, 40)).to_json(curve)
    proc = cli("fit", curve, "--csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    laws = {r["law"]: r for r in rows}
    assert laws["exponential"]["xi"] and not laws["exponential"]["alpha"]
    assert laws["power_law"]["alpha"] and not laws["power_law"]["xi"]


# --- devices, links, bombs ------------------------------------------------------------------------

@pytest.mark.parametrize("make", ["zero", "urandom", "link.fa", "loop"])
def test_sources_that_never_end_or_never_resolve(tmp_path, make):
    """Each used to read until memory ran out (or to say "not found" for a loop); now one line, at once."""
    if make in ("zero", "urandom"):
        source, expect = f"/dev/{make}", "device"
    elif make == "link.fa":
        source, expect = tmp_path / "genome.fa", "device"
        source.symlink_to("/dev/zero")
    elif make == "loop":
        source, expect = tmp_path / "a.txt", "loops"
        source.symlink_to(tmp_path / "b.txt")
        (tmp_path / "b.txt").symlink_to(source)
    proc = cli("curve", source, "--lags", "1:4")
    assert expect in one_line_error(proc)


def test_a_bomb_within_the_library_is_refused_past_the_bound(tmp_path, monkeypatch):
    from midecay.sources import files

    source = tmp_path / "bomb.txt.gz"
    with gzip.open(source, "wb") as fh:
        fh.write(b"ab" * (1 << 20))
    monkeypatch.setattr(files, "MEMORY_READ_BYTES", 1 << 20)
    with pytest.raises(InputError, match="stream=true"):
        midecay.sources.read_text(source, stream=False)
    monkeypatch.setattr(files, "MEMORY_READ_BYTES", 4 << 20)
    assert len(midecay.sources.read_text(source, stream=False)) == 2 << 20


# --- signals and what a message shows -------------------------------------------------------------

def test_a_hang_up_interrupts_like_ctrl_c(tmp_path):
    fifo = tmp_path / "never.txt"
    os.mkfifo(fifo)
    # The child starts with hang-ups at their default, as from a terminal: a suite run under nohup would
    # otherwise pass SIG_IGN down, which the CLI keeps (rightly), and the child would wait on the FIFO.
    proc = subprocess.Popen([sys.executable, "-m", "midecay", "curve", str(fifo), "--lags", "1:4"],
                            stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
    time.sleep(3)
    proc.send_signal(signal.SIGHUP)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 129 and "interrupted" in err and "Traceback" not in err


def test_a_file_names_terminal_escapes_are_shown_not_sent(tmp_path):
    name = tmp_path / "x\x1b]0;owned\x07\x1b[2J.json"
    proc = cli("fit", name)
    line = one_line_error(proc)
    assert "\x1b" not in proc.stderr and "\\x1b" in line
