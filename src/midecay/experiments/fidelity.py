"""The fidelity table: every item of the two papers, and how far this project's runs reproduce it.

An item is a figure, table or statement of Shen et al. 2019 or Mahalunkar & Kelleher 2019. Its
status is computed, never typed: an item decided by claim checks (:mod:`midecay.experiments.claims`)
is ``disagrees`` where one of them is reversed, ``reproduced`` where all hold, ``unresolved``
otherwise; an item without a check is ``capability only`` (the tool does it, with a test or a
command to show it, but the report does not run it as the paper did) or ``missing`` (neither).
``scripts/make_report.py`` renders :func:`render_fidelity` into the report's ``fidelity`` block,
so the table changes when the runs do.

Examples
--------
>>> from midecay.experiments.claims import ClaimCheck
>>> item = PaperItem("Shen 2019", "Fig. 5", "the estimator recovers alpha", checks=("x",))
>>> item_status(item, {"x": ClaimCheck("x", "Fig. 5", "c", "holds", "t", "e")})
'reproduced'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import InputError
from .claims import ClaimCheck

__all__ = ["PaperItem", "PAPER_ITEMS", "FIDELITY_STATUSES", "item_status", "render_fidelity"]

#: What an item's row can say, in the order the counts are given.
FIDELITY_STATUSES = ("reproduced", "disagrees", "unresolved", "capability only", "missing")


@dataclass(frozen=True)
class PaperItem:
    """One item of a paper. ``checks``: the claim checks that decide it; without any, ``capability``
    names the test or command that shows the tool can do it, else ``missing`` says what is not built."""

    paper: str
    item: str
    statement: str
    checks: tuple[str, ...] = ()
    capability: str = ""
    missing: str = ""

    def __post_init__(self) -> None:
        if not self.checks and not (self.capability or self.missing):
            raise InputError(f"{self.paper}, {self.item}: name its checks, its capability or what is missing")


SHEN = "Shen et al. 2019"
MK = "Mahalunkar & Kelleher 2019"

#: The papers' items, in the papers' order.
PAPER_ITEMS: tuple[PaperItem, ...] = (
    PaperItem(SHEN, "Sec. 3, App. A", "a linear RNN's MI decays exponentially, with the slowest mode's length",
              capability="exact MI of linear Gaussian RNNs (`midecay.synth.linear_rnn_mi`, `linear_rnn_decay`) against "
                         "sampled curves in tests/test_synth.py; the report runs no linear RNN"),
    PaperItem(SHEN, "Sec. 4, binary sweep", "RNN and LSTM samples decay exponentially",
              checks=("shen-rnn-lstm-exponential",)),
    PaperItem(SHEN, "Sec. 4, binary sweep", "a Transformer's samples keep the power law",
              checks=("shen-transformer-power-law",)),
    PaperItem(SHEN, "Fig. 1", "the correlation length grows with the RNN's width", checks=("shen-xi-grows-with-width",)),
    PaperItem(SHEN, "Fig. 1d", "the correlation length grows with depth (linearly for shallow networks)",
              checks=("shen-xi-grows-with-depth",)),
    PaperItem(SHEN, "Sec. 4", "an LSTM reaches further than an RNN of as many parameters",
              checks=("shen-lstm-per-parameter",)),
    PaperItem(SHEN, "Sec. 4, binary Transformer", "the Transformer's MI magnitude coincides with the data's",
              missing="no check compares the Transformer's sampled curve with the data's on binary data "
                      "(`compare()` would; the sweep keeps only each cell's fit)"),
    PaperItem(SHEN, "App. C", "repetitive 01/10 sequences keep a constant MI",
              capability="`midecay.synth.repetitive` with its exact MI; the report's decay gallery shows it called flat"),
    PaperItem(SHEN, "App. D, Fig. 5", "the estimator recovers a known power-law exponent (alpha 0.1-1)",
              checks=("shen-estimator-recovers-alpha",)),
    PaperItem(SHEN, "App. D", "PTB's valid and test splits lack the training split's power-law tail",
              checks=("shen-ptb-splits-nonuniform",)),
    PaperItem(SHEN, "App. D", "WikiText-2, WikiText-103 and text8 splits: the same non-uniformity (text8 uniform)",
              capability="`midecay demo`'s size-matched comparison runs on any source with splits "
                         "(`dataset:text8/valid` downloads); only PTB is installed here"),
    PaperItem(SHEN, "Fig. 2, PTB characters", "an LSTM's samples of text decay exponentially",
              checks=("ptb-lstm-exponential",)),
    PaperItem(SHEN, "Fig. 2, PTB characters", "a Transformer's samples of text keep the power law",
              checks=("ptb-transformer-power-law",)),
    PaperItem(SHEN, "Fig. 2, PTB characters", "an LSTM's samples lack the text's long-range MI",
              checks=("ptb-lstm-samples-fall-short",)),
    PaperItem(SHEN, "Fig. 3, WikiText-2 words", "word-level LSTMs and Transformers track the data to intermediate lags",
              missing="no word-level model is trained for the report (`midecay train` takes `--level word`)"),
    PaperItem(SHEN, "Fig. 3, GPT-2", "a released LM's samples keep at least the text's long-range MI",
              checks=("lm-smollm2-chars",)),
    PaperItem(SHEN, "App. F", "text quality follows the MI: spelling, braces, topics",
              capability="`scripts/ptb_models.py` writes the models' samples as text; §1 sets them beside the "
                         "validation text and the curves, without a measure of quality"),
    PaperItem(SHEN, "App. G", "Boltzmann distributions map to conditional sampling",
              capability="`midecay.synth.ising_chain` (a 1-d Ising chain with exact MI); no experiment of the paper's"),
    PaperItem(MK, "Sec. 3, curves", "MI decay curves of sequential MNIST, permuted MNIST and PTB",
              capability="`scripts/design_real.py` draws all three (the report's §2 figures)"),
    PaperItem(MK, "Table 1", "sequential MNIST's curve peaks every 28 pixels", checks=("design-mnist-period-28",)),
    PaperItem(MK, "Table 1", "the standard dilations up to 32 beat those up to 16 and 64", checks=("grid-table1-32-best",)),
    PaperItem(MK, "Table 2", "permuted MNIST's dependence ends near d = 780",
              checks=("design-permuted-780", "design-permuted-aligned-780")),
    PaperItem(MK, "Table 2", "adding a layer of dilation 780 raises accuracy", checks=("grid-table2-780-helps",)),
    PaperItem(MK, "Table 3", "PTB's curve meets 1e-5 nats near d = 240", checks=("design-ptb-1e-5",)),
    PaperItem(MK, "Table 3", "curve-informed dilations beat the standard ones of the same size",
              checks=("grid-table3-informed-beats-standard",)),
    PaperItem(MK, "method", "dilations read from the data's curve beat standard ones",
              checks=("grid-table1-design", "grid-table2-design", "grid-table3-design")),
)


def item_status(item: PaperItem, checks: Mapping[str, ClaimCheck]) -> str:
    """The item's status from its checks' (see the module's text); a check that was never computed is an error."""
    if not item.checks:
        return "capability only" if item.capability else "missing"
    absent = [c for c in item.checks if c not in checks]
    if absent:
        raise InputError(f"{item.paper}, {item.item} names check {absent[0]!r}, which make report did not compute")
    statuses = [checks[c].status for c in item.checks]
    return ("disagrees" if "reversed" in statuses else
            "reproduced" if all(s == "holds" for s in statuses) else "unresolved")


def render_fidelity(checks: Iterable[ClaimCheck], items: Iterable[PaperItem] = PAPER_ITEMS) -> str:
    """The fidelity table in Markdown, with its counts first: item, statement, status, evidence, scale."""
    by_id = {c.id: c for c in checks}
    items = list(items)
    statuses = [item_status(i, by_id) for i in items]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in FIDELITY_STATUSES)
    lines = [f"{len(items)} items: {counts}.", "",
             "| paper | item | statement | status | evidence | scale |", "|---|---|---|---|---|---|"]
    for item, status in zip(items, statuses):
        if item.checks:
            evidence = "; ".join(f"`{c}` {by_id[c].status}" for c in item.checks)
            scale = by_id[item.checks[0]].scale
        else:
            evidence, scale = item.capability or item.missing, ""
        cells = [item.paper, item.item, item.statement, f"**{status}**", evidence, scale]
        lines.append("| " + " | ".join(x.replace("|", "/").replace("\n", " ") for x in cells) + " |")
    return "\n".join(lines)
