"""The README's command-line and library blocks run exactly as printed.

The set-up block (``make demo``, ``make test``) is the one exception: it is what CI itself runs.
Each command line runs through ``bash`` in an empty folder holding small stand-ins for the
user's own files the block names (``genome.fa.gz``, ``notes.txt``, ``enwik9``, ``train.bin``),
outside the repository (the example grid is the one that ships, ``example:tiny``), with the
project's ``midecay`` first on the PATH.
"""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.needs_torch, pytest.mark.needs_lm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(heading: str, language: str) -> str:
    """The first ``language`` code block after the ``## heading`` line."""
    section = README.split(f"\n## {heading}\n", 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block under {heading}"
    return match.group(1)


def command_lines() -> list[str]:
    return [line for line in block("Command line", "bash").splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """An empty folder with the stand-ins the README's commands name as the user's files."""
    folder = tmp_path_factory.mktemp("readme")
    rng = np.random.default_rng(0)
    genome = ">chr1 stand-in\n" + "\n".join("".join(rng.choice(list("ACGT"), 60)) for _ in range(200)) + "\n"
    (folder / "genome.fa.gz").write_bytes(gzip.compress(genome.encode()))
    words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog"]
    (folder / "notes.txt").write_bytes(" ".join(rng.choice(words, 3000)).encode() + b" caf\xe9 \xff\n")
    (folder / "enwik9").write_text(" ".join(rng.choice(words, 4000)))
    np.minimum(rng.zipf(1.5, 20_000), 5000).astype(np.uint16).tofile(folder / "train.bin")
    return folder


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    return env


def test_the_readme_block_has_the_commands_it_promises():
    lines = command_lines()
    assert len(lines) >= 25 and all(line.startswith("midecay ") for line in lines), lines
    for placeholder in ("...", "|", "HEAD:"):
        assert not [line for line in lines if placeholder in line.split("#")[0]], placeholder


@pytest.mark.parametrize("line", command_lines())
def test_every_readme_command_runs_as_printed(line, workdir):
    """Hypothesis: the line, typed into a shell in order after the ones above it, exits 0."""
    proc = subprocess.run(["bash", "-c", line], cwd=workdir, env=_env(workdir), capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{line}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


def test_the_readme_demo_wrote_what_it_promises(workdir):
    """Hypothesis: the README's ``midecay demo --out out`` (run above) measured both levels of Penn
    Treebank, all 5,101,619 characters of its training split, wrote every file it names, and a
    report that loads nothing from the network. Read from the README's own run, so the demo runs
    once in the suite."""
    import json

    line = next(line for line in command_lines() if line.startswith("midecay demo"))
    out = workdir / line.split("--out ")[1].split()[0]
    summary = json.loads((out / "results.json").read_text())
    assert set(summary["levels"]) == {"char", "word"}
    assert summary["levels"]["char"]["splits"]["char train"]["n_symbols"] == 5_101_619
    for name in ("report.html", "results.json", "ptb_char_splits.png", "ptb_word_train_fit.png", "ptb_char_train.json"):
        assert (out / name).exists(), name
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", (out / "report.html").read_text())
    assert "http" not in page.lower()


def test_the_readme_grid_learned_and_resumes(workdir, monkeypatch):
    """Hypothesis: the README's first grid (``example:tiny``, 4 trials in a pool of 2 workers, just run
    above) put every model above chance (10 %) on held-out digits, and running it again runs
    nothing. Read from the README's own run, so the 4 trials train once in the suite."""
    from midecay.experiments.grid import GridSpec, load_grid, run_grid
    from midecay.experiments.grid.row import RUN_KEYS
    from midecay.experiments.grid.spec import spec_path

    line = next(line for line in command_lines() if line.startswith("midecay grid run example:tiny"))
    folder = workdir / line.split("--out ")[1].split()[0]
    result = load_grid(folder)
    assert len(result.rows) == 4
    accuracies = [r["test_accuracy"] for r in result.rows]
    assert min(accuracies) > 0.15 and sum(accuracies) / 4 > 0.25, accuracies
    assert {r["parameters"] for r in result.rows} == {9150, 14190}

    def boom(trial):
        raise AssertionError("a finished trial ran again")

    monkeypatch.setattr("midecay.experiments.grid.tasks.run_trial", boom)
    again = run_grid(GridSpec.from_toml(spec_path("example:tiny")), folder)

    def what(rows):
        return sorted(({k: v for k, v in r.items() if k not in RUN_KEYS} for r in rows), key=lambda r: r["key"])

    assert what(again.rows) == what(result.rows)
    assert result.ranked()[0]["test_accuracy"] == max(accuracies)
    summary = result.summary()  # two configurations of two seeds: means, intervals, one paired test
    assert "4 trials in 2 configurations, test_accuracy (higher is better" in summary
    assert "over 2 seeds" in summary and len(result.pairs()) == 1


def test_the_readme_library_block_runs_as_printed(tmp_path):
    code = block("Library", "python")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(tmp_path), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "curve.json").exists() and (tmp_path / "s.npz").exists()
