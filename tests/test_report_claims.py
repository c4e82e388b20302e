"""The report's claims are computed, and its prose says no more than they do.

``docs/claims.json`` is what ``make report`` computed from its runs (``midecay.experiments.claims``);
the prose of the report's checked sections may use a verdict word only beside the marker of the
check it rests on, and only that check's word.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

import midecay
from midecay.experiments.claims import (
    MIN_SEEDS,
    STATUSES,
    ClaimCheck,
    checks_from_runs,
    load_checks,
    prose_problems,
    render_checks,
)

ROOT = Path(__file__).resolve().parents[1]
REPORT = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
CHECKS = load_checks(ROOT / "docs" / "claims.json")


def test_the_report_says_no_more_than_its_checks():
    """Hypothesis: every verdict word in the report's checked sections sits beside the marker of a
    computed check and is that check's word; the claims block is the rendering of the checks file;
    every check is cited by the prose at least once."""
    assert REPORT.count("<!-- claims:checked -->") >= 2
    assert prose_problems(REPORT, CHECKS, whole=False) == []
    block = re.search(r"<!-- generated:claims -->\n(.*?)\n<!-- /generated:claims -->", REPORT, re.S).group(1)
    assert block == render_checks(CHECKS.values())
    cited = set(re.findall(r"<!--\s*claim:([A-Za-z0-9_.-]+)\s*-->", REPORT))
    assert set(CHECKS) == cited, sorted(set(CHECKS) ^ cited)


def test_a_planted_overstatement_fails():
    """Hypothesis: the rule has teeth. A sentence that says "consistent with" where its check says
    "unresolved" fails; so does a verdict word with no check, a check that was never computed,
    and the real report once one of its checks reads otherwise."""
    unresolved = ClaimCheck("order", "Shen, Fig. 4", "xi grows with width", "unresolved", "paired t", "1 seed")

    def region(text):
        return f"<!-- claims:checked -->\n{text}\n<!-- /claims:checked -->"

    planted = region("This scale is consistent with Shen's ordering. <!-- claim:order -->")
    assert prose_problems(planted, {"order": unresolved}, whole=False)[0].startswith(
        "says 'consistent with' but check order is 'unresolved'")
    assert "with no check" in prose_problems(region("The ordering holds here."), {}, whole=False)[0]
    assert "did not compute" in prose_problems(region("It holds. <!-- claim:nope -->"), {}, whole=False)[0]
    assert prose_problems(region("It is unresolved. <!-- claim:order -->"), {"order": unresolved}, whole=False) == []
    # outside the checked sections the rule does not read (those paragraphs say so in the report)
    assert prose_problems("It holds.", {}, whole=False) == []

    flipped = dict(CHECKS)
    some = next(iter(flipped.values()))
    other = next(s for s in STATUSES if s != some.status)
    flipped[some.id] = ClaimCheck(some.id, some.paper, some.claim, other, some.test, some.evidence, some.scale)
    problems = prose_problems(REPORT, flipped, whole=False)
    assert problems and all(some.id in p for p in problems)


def _sweep(tmp_path, xi_by_width_and_seed, kind="exponential"):
    folder = tmp_path / "shen"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"arch": "rnn", "width": w, "depth": 1, "parameters": 10 * w, "seed": s, "xi": xi, "kind": kind,
             "converged": True} for (w, s), xi in xi_by_width_and_seed.items()]
    (folder / "shen_binary.json").write_text(json.dumps({"format": "midecay.ScalingResult/1", "rows": rows}))
    (folder / "done.json").write_text("{}")
    return {c.id: c for c in checks_from_runs(tmp_path)}


def test_an_ordering_needs_seeds_and_a_paired_test(tmp_path):
    """Hypothesis: xi against width is unresolved with fewer than MIN_SEEDS training seeds however large
    the gap (one seed: 1 against 40); with 3 seeds it holds where every step rises beyond the seeds'
    spread, is reversed where a step falls, and stays unresolved where the seeds disagree."""
    one = _sweep(tmp_path / "a", {(2, 0): 1.0, (4, 0): 40.0})
    assert one["shen-xi-grows-with-width"].status == "unresolved" and f"needs {MIN_SEEDS}" in one["shen-xi-grows-with-width"].evidence
    rng = np.random.default_rng(0)
    rising = {(w, s): base + rng.normal(0, 0.3) for s in range(3) for w, base in ((2, 2.0), (4, 8.0), (8, 20.0))}
    assert _sweep(tmp_path / "b", rising)["shen-xi-grows-with-width"].status == "holds"
    falling = {(w, s): base + rng.normal(0, 0.3) for s in range(3) for w, base in ((2, 20.0), (4, 8.0))}
    assert _sweep(tmp_path / "c", falling)["shen-xi-grows-with-width"].status == "reversed"
    noisy = {(2, 0): 5.0, (4, 0): 9.0, (2, 1): 9.0, (4, 1): 4.0, (2, 2): 6.0, (4, 2): 7.0}
    assert _sweep(tmp_path / "d", noisy)["shen-xi-grows-with-width"].status == "unresolved"
    # every cell exponential: the finite-state claim holds; one called a power law reverses it
    assert _sweep(tmp_path / "e", {(2, 0): 1.0})["shen-rnn-lstm-exponential"].status == "holds"
    assert _sweep(tmp_path / "f", {(2, 0): 1.0}, "broken_power_law")["shen-rnn-lstm-exponential"].status == "reversed"
    assert _sweep(tmp_path / "g", {(2, 0): 1.0}, "undetermined")["shen-rnn-lstm-exponential"].status == "unresolved"


def test_depth_and_the_transformer_are_read_over_training_seeds(tmp_path):
    """Hypothesis: xi against the RNN's depth is an ordering like width's (3 seeds rising: holds; 1 seed:
    unresolved), and the Transformer's claim reads its seeds' majority kind: two seeds exponential of three
    reverse it, one of three does not, and no majority leaves it unresolved."""
    def sweep(name, depth_xi, transformer_kinds):
        folder = tmp_path / name / "shen"
        folder.mkdir(parents=True)
        rows = [{"arch": "rnn", "width": 8, "depth": d, "parameters": 100 * d, "seed": s, "xi": xi, "kind": "exponential",
                 "converged": True} for (d, s), xi in depth_xi.items()]
        rows += [{"arch": "transformer", "width": 16, "depth": 2, "parameters": 5000, "seed": s, "xi": 50.0, "kind": k,
                  "converged": True} for s, k in enumerate(transformer_kinds)]
        (folder / "shen_binary.json").write_text(json.dumps({"format": "midecay.ScalingResult/1", "rows": rows}))
        (folder / "done.json").write_text("{}")
        return {c.id: c for c in checks_from_runs(tmp_path / name)}

    rng = np.random.default_rng(1)
    rising = {(d, s): 3.0 * d + rng.normal(0, 0.2) for d in (1, 2, 3) for s in range(3)}
    checks = sweep("a", rising, ["power_law", "power_law", "broken_power_law"])
    assert checks["shen-xi-grows-with-depth"].status == "holds" and checks["shen-transformer-power-law"].status == "holds"
    checks = sweep("b", {(1, 0): 3.0, (2, 0): 9.0}, ["power_law", "exponential", "exponential"])
    assert checks["shen-xi-grows-with-depth"].status == "unresolved"
    assert checks["shen-transformer-power-law"].status == "reversed" and "seed 1: kind exponential" in checks[
        "shen-transformer-power-law"].evidence
    # a configuration is its seeds' majority: one stray seed neither makes nor breaks the claim
    assert sweep("c", rising, ["power_law", "exponential", "power_law"])["shen-transformer-power-law"].status == "holds"
    assert sweep("d", rising, ["power_law", "exponential", "undetermined"])["shen-transformer-power-law"].status == "unresolved"


def test_a_models_evaluation_is_read_for_its_kind_and_its_deficit(tmp_path):
    """Hypothesis: the PTB checks read a ModelEvaluation file: samples that decay exponentially make
    the LSTM claim hold, and the samples' verdict and the comparison's lags are in the evidence."""
    from midecay.model_evaluation import ModelEvaluation

    def chain(stay, seed):
        P = np.array([[stay, 1 - stay], [1 - stay, stay]])
        return midecay.mi_curve(midecay.synth.markov(P, 100_000, seed=seed).symbols, np.arange(1, 30), seed=seed)

    data, samples = chain(0.95, 0), chain(0.75, 1)
    ev = ModelEvaluation(midecay.compare([data, samples]), midecay.classify(data), midecay.classify(samples))
    folder = tmp_path / "ptb"
    folder.mkdir()
    ev.to_json(folder / "lstm_evaluation.json")
    (folder / "done.json").write_text("{}")
    checks = {c.id: c for c in checks_from_runs(tmp_path)}
    assert checks["ptb-lstm-exponential"].status == "holds"
    assert "samples: exponential" in checks["ptb-lstm-exponential"].evidence
    fall = checks["ptb-lstm-samples-fall-short"]
    assert fall.status in STATUSES and "Holm 0.01 over 29 lags 1-29" in fall.test


def test_a_check_refuses_a_status_it_does_not_know():
    with pytest.raises(midecay.InputError, match="not one of holds, reversed, unresolved"):
        ClaimCheck("x", "p", "c", "consistent", "t", "e")


def _grid(tmp_path, table, bpc_by_set, seeds):
    folder = tmp_path / f"grid{table}"
    folder.mkdir(parents=True)
    rows = []
    for name, base in bpc_by_set.items():
        layers = int(name.split("-")[1].split("x")[0])
        for s in seeds:
            rows.append({"key": f"{name}-{s}", "metric": "test_bpc", "test_bpc": base + 0.001 * ((s * 7 + layers) % 3),
                         "seed": s, "set_name": name, "role": "given", "dilations": list(range(1, layers + 1)),
                         "layers": layers, "max_dilation": layers, "width": 64, "parameters": 100, "seconds": 1.0})
    (folder / "results.json").write_text(json.dumps({"spec": {"grid": {"name": f"t{table}"}}, "rows": rows}))
    (folder / "done.json").write_text("{}")
    return {c.id: c for c in checks_from_runs(tmp_path)}["grid-table3-informed-beats-standard"]


def test_a_papers_grid_claim_is_read_from_paired_seeds(tmp_path):
    """Hypothesis: Table 3's claim (curve-informed beats standard at equal size, lower bits per
    character) holds when every informed model is lower over 5 seeds beyond their spread, is
    reversed when one is higher, and is unresolved with 2 seeds whatever the gap."""
    informed = {"given-7x8": 2.30, "given-7x64": 2.35, "given-8x240": 2.33, "given-8x128": 2.36,
                "given-12x240": 2.32, "given-12x2048": 2.34}
    assert _grid(tmp_path / "a", 3, informed, range(5)).status == "holds"
    worse = {**informed, "given-8x240": 2.40}
    assert _grid(tmp_path / "b", 3, worse, range(5)).status == "reversed"
    check = _grid(tmp_path / "c", 3, informed, range(2))
    assert check.status == "unresolved" and "2 seeds" in check.evidence


def test_a_malformed_claims_file_is_one_line(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"format": "midecay.ClaimChecks/1", "checks": [{"id": "x", "colour": 1}]}))
    with pytest.raises(midecay.InputError, match="missing or unknown fields"):
        load_checks(path)
    path.write_text("[]")
    with pytest.raises(midecay.InputError, match="not a claims file"):
        load_checks(path)


def _recovery(tmp_path, se_factor, bias=0.0, seeds=10):
    """Recovery rows as scripts/estimator_recovery.py writes them: estimates N(alpha + bias, 0.01), each
    reporting a standard error of se_factor x 0.01 (1: right; 1/3 or 3: three times too small or big)."""
    rng = np.random.default_rng(7)
    rows = []
    for alpha in np.round(np.arange(0.1, 1.01, 0.1), 1):
        for seed in range(seeds):
            est, se = alpha + bias + rng.normal(0, 0.01), 0.01 * se_factor
            rows.append({"alpha": float(alpha), "seed": seed, "estimate": est, "stderr": se, "low": est - 1.96 * se,
                         "high": est + 1.96 * se, "covers": bool(abs(est - alpha) <= 1.96 * se), "kind": "power_law"})
    folder = tmp_path / "recovery"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"sequences": 1000, "length": 1000, "lags": [1, 10, 990],
                                                     "rows": rows}))
    (folder / "done.json").write_text("{}")
    return {c.id: c for c in checks_from_runs(tmp_path)}["shen-estimator-recovers-alpha"]


def test_the_recovery_check_fails_error_bars_too_small_too_big_or_biased(tmp_path):
    """Hypothesis: Shen's Fig. 5 check holds where the intervals are right (coverage near 95 % over 100
    data sets); error bars three times too small, or a bias of 3 SDs, reverse it; bars three times too
    big cover everything, which is not 95 %, so it does not hold; 10 data sets are too few to read."""
    assert _recovery(tmp_path / "a", 1.0).status == "holds"
    assert _recovery(tmp_path / "b", 1 / 3).status == "reversed"
    assert _recovery(tmp_path / "c", 3.0).status == "unresolved"
    biased = _recovery(tmp_path / "d", 1.0, bias=0.03)
    assert biased.status == "reversed" and "biased at alpha" in biased.evidence
    assert _recovery(tmp_path / "e", 1.0, seeds=1).status == "unresolved"


def _splits(tmp_path, far_difference, far_significant):
    pair = lambda name: {"name": name, "reference": "char train slice", "lags": [1, 10, 100], "difference": [0.0, 0.0, 0.0],
                         "significant": [False, False, False], "bands": [[1, 9], [10, 99], [100, 788]],
                         "band_difference": [0.0, 0.0, far_difference], "band_z": [0.0, 0.0, far_difference / 1e-4],
                         "band_significant": [False, False, far_significant]}
    level = {"splits": {"char train": {"n_symbols": 5_000_000}, "char valid": {"n_symbols": 400_000}},
             "verdict": "different", "size_matched": [pair("char valid"), pair("char test")]}
    folder = tmp_path / "splits"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"levels": {"char": level}}))
    (folder / "done.json").write_text("{}")
    return {c.id: c for c in checks_from_runs(tmp_path)}["shen-ptb-splits-nonuniform"]


def test_the_splits_check_reads_the_size_matched_comparison(tmp_path):
    """Hypothesis: Shen's non-uniformity holds where the splits are lower than a train slice of their size
    at a far lag band, is reversed where they are higher, and is unresolved where nothing differs (the
    full-size verdict, which mixes sample sizes, does not count)."""
    assert _splits(tmp_path / "a", -5e-4, True).status == "holds"
    assert _splits(tmp_path / "b", 5e-4, True).status == "reversed"
    check = _splits(tmp_path / "c", -2e-5, False)
    assert check.status == "unresolved" and "z = -0.20" in check.evidence


def test_the_fidelity_table_is_computed_from_the_checks():
    """Hypothesis: the report's fidelity block is render_fidelity of the checks file; every computed check
    decides some paper item; an item's status follows its checks (one reversed: disagrees; all hold:
    reproduced), and an item naming a check never computed is a one-line error."""
    from midecay.errors import InputError
    from midecay.experiments.fidelity import PAPER_ITEMS, PaperItem, item_status, render_fidelity

    block = re.search(r"<!-- generated:fidelity -->\n(.*?)\n<!-- /generated:fidelity -->", REPORT, re.S).group(1)
    assert block == render_fidelity(CHECKS.values())
    assert set(CHECKS) <= {c for item in PAPER_ITEMS for c in item.checks}
    item = next(i for i in PAPER_ITEMS if len(i.checks) > 1)
    held = {c: ClaimCheck(c, "p", "c", "holds", "t", "e") for c in item.checks}
    assert item_status(item, held) == "reproduced"
    one_reversed = {**held, item.checks[-1]: ClaimCheck(item.checks[-1], "p", "c", "reversed", "t", "e")}
    assert item_status(item, one_reversed) == "disagrees"
    assert item_status(item, {**held, item.checks[0]: ClaimCheck(item.checks[0], "p", "c", "unresolved", "t", "e")}) == "unresolved"
    with pytest.raises(InputError, match="did not compute"):
        item_status(PaperItem("P", "Fig. 9", "s", checks=("never",)), CHECKS)
