"""Regenerate every figure and table of ``docs/report.md`` with one command (``make report``).

Each step runs one experiment script (or a grid) at the chosen scale into ``out/report/SCALE/STEP``,
then copies its figures to ``docs/figures`` under the names the report uses and writes its
tables into the report's generated blocks (``<!-- generated:NAME -->``), so the numbers the
report shows are those of the run that drew its figures. A finished step leaves a stamp and
is skipped when the command is run again (the scripts and grids themselves resume); ``--redo
STEP`` runs one again.

Scales:
  quick  at most 45 minutes on 2 cores (the default): every figure and table, smaller runs
         (grids at 2 seeds, 150 s per PTB model, 24 SmolLM2 streams, 96 documents for the bipartite MI).
  cpu    the runs the report's prose was measured on (~4 h on 2 cores): grids at 5 seeds,
         20 minutes per PTB model, 160 SmolLM2 streams, Shen's sweep at 3 training seeds on 3,000
         sequences (42 cells; resumable, so it can be run in chunks).
  full   the papers' scale, for a GPU or a Ray cluster (grids of examples/grids/tableN.toml).

A step whose blocks in the report come from a larger scale (the cpu sweep the prose quotes) is
run but not published at a smaller one, so that ``make report`` never swaps the numbers under a
paragraph for smaller ones; ``--replace-larger`` publishes it all the same.

Usage: ``.venv/bin/python scripts/make_report.py [--scale quick|cpu|full] [--only STEP,...] [--redo STEP,...]
[--replace-larger]`` (``make report``, ``make report SCALE=cpu``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("quick", "cpu", "full")


@dataclass(frozen=True)
class Step:
    """One experiment: the command at each scale, the figures it draws and the tables it writes.

    ``command`` maps a scale to the argument list after the Python interpreter (``{out}`` is the
    step's folder); ``figures`` maps a file in that folder to its name under ``docs/figures``;
    ``tables`` maps a generated block of the report to the text file in the folder that fills it.
    """

    name: str
    command: dict[str, list[str]]
    figures: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)


# The papers' own comparisons (configuration names as `grid show` prints them): Table 1's
# ordering 16 < 32 < 64, Table 2's gain from adding 780 and the design's 782 against it, Table 3's
# curve-informed models against the standard ones of the same size.
PAPER_PAIRS = {1: ["given-6x32:given-5x16", "given-6x32:given-7x64"],
               2: ["given-11x780:given-10x512", "designed-11x782:given-11x780"],
               3: ["given-7x8:given-7x64", "given-8x240:given-8x128", "given-12x240:given-12x2048"]}


def _grid_step(table: int) -> Step:
    cpu_spec = f"examples/grids/table{table}_cpu.toml"
    run = ["-m", "midecay", "grid", "run"]
    # `grid run` prints the ranked table; `grid show` below is what the report quotes.
    return Step(
        f"grid{table}",
        {"quick": run + [cpu_spec, "--out", "{out}", "--workers", "2", "--seeds", "0,1", "--quiet", "--plot", "{out}/grid.png", "--force"],
         "cpu": run + [cpu_spec, "--out", "{out}", "--workers", "2", "--quiet", "--plot", "{out}/grid.png", "--force"],
         "full": run + [f"examples/grids/table{table}.toml", "--out", "{out}", "--engine", "ray", "--cpus-per-trial", "4",
                        "--quiet", "--plot", "{out}/grid.png", "--force"]},
        figures={"grid.png": f"grid_table{table}_cpu.png"},
        tables={f"grid-table{table}": "show.txt"},
    )


TEN_SEEDS = ",".join(map(str, range(10)))
TWENTY_SEEDS = ",".join(map(str, range(20)))
SHEN_SWEEP = ["--rnn-widths", "2,4,8,16,32,64", "--lstm-widths", "2,4,8,16", "--rnn-depths", "1,2,3,4", "--depth-width", "8",
              "--streams", "2000"]
STEPS = (
    Step("design", {s: ["scripts/design_real.py", "--out", "{out}"] for s in SCALES},
         figures={"mnist.png": "design_mnist.png", "mnist-gray.png": "design_mnist_gray.png",
                  "permuted.png": "design_permuted_mnist.png", "ptb.png": "design_ptb.png",
                  "fashion.png": "design_fashion_mnist.png"},
         tables={"design": "designs.txt"}),
    # Early stopping (best of restarts at the full scale), so that xi is a converged model's (the table says where not).
    Step("shen", {"quick": ["scripts/shen_binary.py", "--sequences", "1000", "--epochs", "12", "--restarts", "1", "--patience", "2",
                            "--rnn-widths", "2,4,8,16", "--lstm-widths", "2,4,8", "--rnn-depths", "1,2,3", "--streams", "500",
                            "--out", "{out}"],
                  # Three training seeds (the claims' paired tests need them) at the size 2 cores can finish
                  # in a few chunks: run `scripts/shen_binary.py` with these arguments and --budget-minutes.
                  "cpu": ["scripts/shen_binary.py", "--sequences", "3000", "--epochs", "20", "--restarts", "1", "--patience", "3",
                          "--seeds", "0,1,2", "--rnn-widths", "2,4,8,16,32", "--lstm-widths", "2,4,8,16", "--rnn-depths", "1,2,3",
                          "--lstm-depths", "1,2,3", "--depth-width", "8", "--streams", "1000", "--out", "{out}"],
                  "full": ["scripts/shen_binary.py", "--sequences", "10000", "--epochs", "50", "--restarts", "3", "--patience", "5",
                           *SHEN_SWEEP, "--out", "{out}"]},
         figures={"xi_vs_width.png": "shen_xi_vs_width.png", "xi_vs_depth.png": "shen_xi_vs_depth.png"},
         tables={"shen": "summary.txt"}),
    # Shen's Fig. 5: known exponents recovered, 10 data sets an alpha (the pooled coverage needs them).
    Step("recovery", {"quick": ["scripts/estimator_recovery.py", "--sequences", "1000", "--seeds", TEN_SEEDS, "--out", "{out}"],
                      "cpu": ["scripts/estimator_recovery.py", "--sequences", "10000", "--seeds", TEN_SEEDS, "--out", "{out}"],
                      "full": ["scripts/estimator_recovery.py", "--sequences", "10000", "--seeds", TWENTY_SEEDS,
                               "--out", "{out}"]},
         figures={"recovery.png": "shen_estimator_recovery.png"}, tables={"recovery": "summary.txt"}),
    Step("gallery", {s: ["scripts/decay_gallery.py", "--seeds", "0,1,2", "--out", "{out}"] for s in SCALES},
         figures={"gallery.png": "decay_gallery.png"}, tables={"gallery": "summary.txt"}),
    # Shen's train / valid / test non-uniformity: the demo's size-matched comparison of PTB's splits.
    Step("splits", {s: ["-m", "midecay", "demo", "--out", "{out}", "--force", "--quiet"] for s in SCALES},
         figures={"ptb_char_splits.png": "ptb_splits_char.png"}, tables={"splits": "summary.txt"}),
    Step("ptb", {"quick": ["scripts/ptb_models.py", "--budget", "150", "--symbols", "500000", "--out", "{out}"],
                 "cpu": ["scripts/ptb_models.py", "--budget", "1200", "--symbols", "5000000", "--out", "{out}"],
                 "full": ["scripts/ptb_models.py", "--budget", "36000", "--symbols", "10000000", "--out", "{out}"]},
         figures={"lstm_vs_data.png": "ptb_lstm_vs_data.png", "transformer_vs_data.png": "ptb_transformer_vs_data.png"},
         tables={"ptb": "summary.txt", "ptb-samples": "samples.txt"}),
    Step("lm", {"quick": ["scripts/lm_demo.py", "--streams", "24", "--tokens", "512", "--out", "{out}"],
                "cpu": ["scripts/lm_demo.py", "--streams", "160", "--tokens", "512", "--out", "{out}"],
                "full": ["scripts/lm_demo.py", "--streams", "500", "--tokens", "1024", "--out", "{out}"]},
         figures={"char_vs_reference.png": "smollm2_char_vs_wiki.png", "token_vs_reference.png": "smollm2_token_vs_wiki.png"},
         tables={"lm": "summary.txt"}),
    # L²M's bipartite MI of Wikipedia and of SmolLM2's own samples, read by SmolLM2 (resumable).
    Step("bipartite", {"quick": ["scripts/bipartite_lm.py", "--documents", "96", "--splits", "1,2,4,8,16,32,64", "--out", "{out}"],
                       "cpu": ["scripts/bipartite_lm.py", "--documents", "400", "--splits", "1,2,4,8,16,32,64,128", "--out", "{out}"],
                       "full": ["scripts/bipartite_lm.py", "--documents", "2000", "--splits", "1,2,4,8,16,32,64,128,256,512",
                                "--out", "{out}"]},
         figures={"bipartite.png": "bipartite_wiki_smollm2.png"},
         tables={"bipartite": "summary.txt"}),
    _grid_step(1), _grid_step(2), _grid_step(3),
)


def _run(cmd: list[str], log: Path) -> None:
    """Run one command from the repository root; its output goes to ``log`` (and the terminal's last line)."""
    with open(log, "ab") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n".encode())
        fh.flush()
        done = subprocess.run(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        raise SystemExit(f"make_report: {' '.join(cmd[:3])} failed ({done.returncode}): {tail[0]} (full log: {log})")


def run_step(step: Step, scale: str, out: Path, *, redo: bool = False) -> dict:
    """Run ``step`` at ``scale`` unless its stamp says it finished; returns the stamp (scale, seconds, when)."""
    folder = out / step.name
    stamp = folder / "done.json"
    if stamp.exists() and not redo:
        return json.loads(stamp.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable] + [a.replace("{out}", str(folder)) for a in step.command[scale]]
    t0 = time.perf_counter()
    _run(cmd, folder / "log.txt")
    if step.name.startswith("grid"):
        show = [subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout for cmd in (
            [sys.executable, "-m", "midecay", "grid", "show", str(folder)],
            [sys.executable, "scripts/grid_pairs.py", str(folder), *PAPER_PAIRS[int(step.name[-1])]])]
        (folder / "show.txt").write_text("\n".join(show))
    info = {"step": step.name, "scale": scale, "seconds": round(time.perf_counter() - t0),
            "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": " ".join(cmd[1:])}
    if step.name.startswith("grid"):
        # A resumed grid runs in seconds; what its trials cost is what a reader needs to plan a rerun.
        rows = json.loads((folder / "results.json").read_text())["rows"]
        info["trial_seconds"] = round(sum(r.get("seconds") or 0 for r in rows))
    stamp.write_text(json.dumps(info, indent=1))
    return info


def publish(steps: list[Step], stamps: dict[str, dict], out: Path, report: Path, figures: Path) -> None:
    """Copy each finished step's figures under the report's names and fill its blocks from its tables."""
    from midecay._io import write_atomic
    from midecay.report.blocks import fill_blocks

    blocks = {}
    for step in steps:
        folder, info = out / step.name, stamps[step.name]
        for src, name in step.figures.items():
            if (folder / src).exists():  # a step may draw fewer figures at a scale (no depth sweep)
                write_atomic(figures / name, (folder / src).read_bytes(), overwrite=True)
        for block, src in step.tables.items():
            text = (folder / src).read_text().rstrip()
            spent = f"{info['seconds']} s" + (f" (its trials: {info['trial_seconds']} s of one worker's time)"
                                              if "trial_seconds" in info else "")
            blocks[block] = (f"*`make report SCALE={info['scale']}`, step `{step.name}`, {spent}, "
                             f"{info['finished']}:* `{info['command'].replace(str(ROOT) + '/', '')}`\n\n```text\n{text}\n```")
    write_atomic(report, fill_blocks(report.read_text(), blocks), overwrite=True)


#: The report's block that holds the claim checks (`midecay.experiments.claims`), filled after the steps.
CLAIMS_BLOCK = "claims"
#: The block of the fidelity table (every item of the papers, its status computed from the checks).
FIDELITY_BLOCK = "fidelity"


def publish_claims(out: Path, report: Path, steps: list[Step]) -> None:
    """Compute the claim checks of ``steps`` from their outputs in ``out``, merge them into ``docs/claims.json``
    (a check whose step did not run now keeps its last reading, which names its scale: a quick run of one
    step never replaces another step's cpu reading) and render them into the report's ``claims`` block;
    the prose's verdict words are tested against it."""
    from midecay._io import write_atomic
    from midecay.report.blocks import fill_blocks
    from midecay.experiments.claims import checks_from_runs, load_checks, render_checks, save_checks
    from midecay.experiments.fidelity import render_fidelity

    path = report.parent / "claims.json"
    checks = load_checks(path) if path.exists() else {}
    checks.update({c.id: c for c in checks_from_runs(out, [s.name for s in steps])})
    save_checks(checks.values(), path)
    blocks = {CLAIMS_BLOCK: render_checks(checks.values()), FIDELITY_BLOCK: render_fidelity(checks.values())}
    write_atomic(report, fill_blocks(report.read_text(), blocks), overwrite=True)


_BLOCK_SCALE = re.compile(r"<!-- generated:([A-Za-z0-9_.-]+) -->\s*\*`make report SCALE=(\w+)`")


def keeps_larger(step: Step, scale: str, report_text: str) -> str | None:
    """The scale of ``step``'s blocks in the report where it is larger than ``scale``, else None: a quick
    run does not replace the cpu run the prose was written against (nor its claims) unless asked."""
    published = dict(_BLOCK_SCALE.findall(report_text))
    larger = [published[b] for b in step.tables if b in published and SCALES.index(published[b]) > SCALES.index(scale)]
    return larger[0] if larger else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("SCALE", "quick"))
    parser.add_argument("--only", default="", help="comma-separated steps (default: all): " + ",".join(s.name for s in STEPS))
    parser.add_argument("--redo", default="", help="comma-separated steps to run again although finished")
    parser.add_argument("--replace-larger", action="store_true",
                        help="publish this scale's blocks and claims where the report holds a larger scale's")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "report")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "report.md")
    args = parser.parse_args(argv)
    known = {s.name: s for s in STEPS}
    chosen = [n for n in args.only.split(",") if n] or list(known)
    redo = {n for n in args.redo.split(",") if n}
    bad = sorted((set(chosen) | redo) - set(known))
    if bad:
        parser.error(f"unknown step {bad[0]!r}; steps: {', '.join(known)}")
    out = args.out / args.scale
    steps = [known[n] for n in chosen]
    stamps = {}
    t0 = time.perf_counter()
    for step in steps:
        print(f"[{time.perf_counter() - t0:6.0f} s] {step.name} ({args.scale}) ...", flush=True)
        stamps[step.name] = run_step(step, args.scale, out, redo=step.name in redo)
        print(f"[{time.perf_counter() - t0:6.0f} s] {step.name}: {stamps[step.name]['seconds']} s", flush=True)
    text = args.report.read_text()
    kept = {s.name: keeps_larger(s, args.scale, text) for s in steps} if not args.replace_larger else {}
    for name, larger in kept.items():
        if larger:
            print(f"{name}: the report holds its {larger} run; kept (its {args.scale} outputs are in {out / name}; "
                  "--replace-larger publishes them)", flush=True)
    steps = [s for s in steps if not kept.get(s.name)]
    publish(steps, stamps, out, args.report, args.report.parent / "figures")
    publish_claims(out, args.report, steps)
    print(f"report: {args.report} and its figures regenerated at scale {args.scale} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
