"""The report's regenerated blocks and `make report`'s map of steps to figures and tables.

Hypotheses: filling a block changes only its contents; a malformed document is a one-line error
naming the marker to add; every figure and generated block of ``docs/report.md`` is written by a
step of ``scripts/make_report.py`` under the name the report uses (so one command regenerates
them all), and every step has a command at each scale.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from midecay.errors import InputError
from midecay.report.blocks import block_names, fill_blocks

ROOT = Path(__file__).resolve().parent.parent


def _make_report():
    spec = importlib.util.spec_from_file_location("make_report", ROOT / "scripts" / "make_report.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_report"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


DOC = "# Title\n\nprose 1.23\n<!-- generated:a -->\nold a\n<!-- /generated:a -->\nmiddle\n<!-- generated:b -->\nold b\n<!-- /generated:b -->\nend\n"


def test_fill_changes_only_the_named_block():
    out = fill_blocks(DOC, {"a": "new a\nline 2\n"})
    assert out == DOC.replace("old a", "new a\nline 2")
    assert fill_blocks(out, {"a": "old a"}) == DOC  # filling is reversible: nothing else moved
    assert fill_blocks(DOC, {}) == DOC


@pytest.mark.parametrize("doc, blocks, message", [
    (DOC, {"c": "x"}, "no generated block 'c'"),
    ("<!-- generated:a -->\nx\n", {}, "block 'a' is not closed"),
    ("<!-- generated:a -->\n<!-- generated:b -->\n<!-- /generated:b -->\n", {}, "'a' is not closed before 'b' opens"),
    ("x\n<!-- /generated:a -->\n", {}, "closes a block that is not open"),
    (DOC + DOC, {}, "appears twice"),
])
def test_malformed_documents_are_one_line_errors(doc, blocks, message):
    with pytest.raises(InputError, match=re.escape(message)):
        fill_blocks(doc, blocks)


def test_make_report_writes_every_figure_and_block_the_report_shows():
    mr = _make_report()
    report = (ROOT / "docs" / "report.md").read_text()
    figures = {f for step in mr.STEPS for f in step.figures.values()}
    shown = set(re.findall(r"\(figures/([\w.-]+\.png)\)", report))
    assert shown and shown <= figures, f"figures the report shows that no step writes: {sorted(shown - figures)}"
    tables = [b for step in mr.STEPS for b in step.tables] + [mr.CLAIMS_BLOCK, mr.FIDELITY_BLOCK]  # from every step's checks
    assert sorted(tables) == sorted(block_names(report)) and len(set(tables)) == len(tables)
    for step in mr.STEPS:
        assert set(step.command) == set(mr.SCALES), step.name
        for args in step.command.values():
            assert "{out}" in args and (args[0] == "-m" or (ROOT / args[0]).exists()), (step.name, args)


def test_publish_copies_figures_and_fills_blocks(tmp_path):
    mr = _make_report()
    step = mr.Step("demo", {s: ["x", "{out}"] for s in mr.SCALES}, figures={"f.png": "demo.png", "absent.png": "no.png"},
                   tables={"a": "table.txt"})
    (tmp_path / "run" / "demo").mkdir(parents=True)
    (tmp_path / "run" / "demo" / "f.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "run" / "demo" / "table.txt").write_text("I(1) = 0.668\n")
    report = tmp_path / "report.md"
    report.write_text(DOC)
    (tmp_path / "figures").mkdir()
    stamp = {"scale": "quick", "seconds": 12, "finished": "2026-11-30 19:00 UTC", "command": "x out"}
    mr.publish([step], {"demo": stamp}, tmp_path / "run", report, tmp_path / "figures")
    assert (tmp_path / "figures" / "demo.png").read_bytes() == b"\x89PNG fake"
    assert not (tmp_path / "figures" / "no.png").exists()
    text = report.read_text()
    assert "I(1) = 0.668" in text and "SCALE=quick" in text and "old a" not in text and "old b" in text


def test_a_smaller_scale_does_not_replace_a_larger_ones_block(tmp_path):
    """Hypothesis: a block published from the cpu run is kept when the step runs at quick (the prose
    beside it quotes the cpu numbers); a quick or absent block is replaced; full replaces cpu."""
    mr = _make_report()
    step = mr.Step("demo", {s: ["x", "{out}"] for s in mr.SCALES}, tables={"a": "table.txt"})
    cpu = DOC.replace("old a", "*`make report SCALE=cpu`, step `demo`, 5 s:* `x`\n\nold a")
    assert mr.keeps_larger(step, "quick", cpu) == "cpu"
    assert mr.keeps_larger(step, "cpu", cpu) is None and mr.keeps_larger(step, "full", cpu) is None
    assert mr.keeps_larger(step, "quick", DOC) is None
    assert mr.keeps_larger(step, "quick", cpu.replace("SCALE=cpu", "SCALE=quick")) is None
