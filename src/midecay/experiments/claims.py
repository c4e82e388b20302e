"""Claims as code: each finding the report states about a paper, computed from the runs' outputs.

A :class:`ClaimCheck` pairs one item of a paper (Shen et al. 2019; Mahalunkar & Kelleher 2019)
with what this project's runs say of it: ``holds`` (reproduced), ``reversed`` (measured the
other way) or ``unresolved`` (this size cannot decide), with the test, lags and seeds behind
the word. :func:`checks_from_runs` reads ``make report``'s step folders; ``scripts/make_report.py``
writes the checks to ``docs/claims.json`` and renders them into the report's ``claims`` block.

The report's prose may use a verdict word ("holds", "reversed", "unresolved", "consistent
with", ...) inside its checked sections only in a sentence that names its check with a marker
``<!-- claim:ID -->``, and only the word of that check's status (:func:`prose_problems`): a
sentence that says more than its numbers fails ``tests/test_report_claims.py``.

An ordering over training runs (xi against width, LSTM against RNN) needs at least
:data:`MIN_SEEDS` training seeds a configuration and a paired test over them; with fewer, the
check is ``unresolved`` whatever the point estimates say.

Examples
--------
>>> check = ClaimCheck("x", "Paper, Fig. 1", "a decays exponentially", "holds", "tail test", "1 seed")
>>> prose_problems("It holds. <!-- claim:x -->", {"x": check})
[]
>>> prose_problems("It is reversed. <!-- claim:x -->", {"x": check})[0][:40]
"says 'reversed' but check x is 'holds': "
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..comparison import REPEAT_SHARE
from ..errors import InputError

__all__ = ["ClaimCheck", "MIN_SEEDS", "STATUSES", "checks_from_runs", "load_checks", "prose_problems",
           "render_checks", "save_checks"]

#: What a check can say of a paper's item at this size.
STATUSES = ("holds", "reversed", "unresolved")

#: Training seeds a configuration needs before an ordering over configurations is tested.
MIN_SEEDS = 3

#: Significance of the paired tests behind an ordering (Holm across the steps of the ordering).
ORDER_ALPHA = 0.05

#: The words of each status; a checked sentence may use only its own check's words.
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "holds": ("holds", "hold", "reproduces", "reproduced", "reproduce", "agrees", "agree", "consistent with",
              "confirms", "matches", "is shen's finding", "what shen reports", "as shen reports", "the paper's finding"),
    "reversed": ("reversed", "contradicts", "contradict", "disagrees", "disagree", "contrary to", "the opposite of"),
    "unresolved": ("unresolved", "decides neither", "cannot tell"),
}

#: Power-law kinds (a long-range decay) against the exponential (finite-state) one.
LONG_RANGE = ("power_law", "broken_power_law", "composite", "periodic_power_law", "periodic_broken_power_law",
              "periodic_composite")
FINITE = ("exponential", "periodic_exponential")

#: Where "long range" starts for characters: a word or two apart.
LONG_LAG = 10


@dataclass(frozen=True)
class ClaimCheck:
    """One paper item and what the runs say of it.

    ``paper``: the item (figure, table or statement); ``claim``: the paper's statement the
    check tests; ``status``: one of :data:`STATUSES`; ``test``: the test, its lags and alpha;
    ``evidence``: the numbers and seeds it read; ``scale``: this run's size against the paper's.
    """

    id: str
    paper: str
    claim: str
    status: str
    test: str
    evidence: str
    scale: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InputError(f"claim {self.id}: status {self.status!r} is not one of {', '.join(STATUSES)}")


def _read(path: Path) -> Any:
    return json.loads(path.read_text())


def _shen_rows(folder: Path) -> list[dict[str, Any]]:
    """The sweep's rows (``shen_binary.json``, a ScalingResult); one training seed unless rows carry theirs."""
    return [{**row, "seed": int(row.get("seed", 0))} for row in _read(folder / "shen_binary.json")["rows"]]


def _paired_order(by_seed: list[dict[int, float]]) -> tuple[str, str]:
    """Status of "each configuration exceeds the one before" from values keyed by training seed:
    paired t-tests of consecutive steps on shared seeds, Holm across the steps."""
    from scipy.stats import ttest_rel

    from ..comparison import holm_adjusted

    steps = []
    for a, b in zip(by_seed, by_seed[1:]):
        shared = sorted(set(a) & set(b))
        if len(shared) < MIN_SEEDS:
            return "unresolved", f"{len(shared)} shared training seed(s) a step; an ordering needs {MIN_SEEDS}"
        diff = [b[s] - a[s] for s in shared]
        steps.append((float(sum(diff) / len(diff)), float(ttest_rel([b[s] for s in shared], [a[s] for s in shared]).pvalue)))
    adjusted = holm_adjusted(np.array([p for _, p in steps]))
    signs = [math.copysign(1.0, m) for (m, _), q in zip(steps, adjusted) if q <= ORDER_ALPHA]
    text = "; ".join(f"{m:+.3g} (Holm {q:.2g})" for (m, _), q in zip(steps, adjusted))
    if len(signs) == len(steps) and all(s > 0 for s in signs):
        return "holds", text
    if any(s < 0 for s in signs):
        return "reversed", text
    return "unresolved", text


def _xi_order_check(rows: list[dict[str, Any]], seeds: list[int], scale: str, cid: str, paper: str, claim: str,
                    axis: str, steps: list[int], where: str, picks) -> ClaimCheck:
    """"xi grows along ``axis``": paired t-tests over training seeds between consecutive ``steps``
    (``picks(row, step)`` selects a step's rows), Holm across the steps (:func:`_paired_order`)."""
    by_step = [{r["seed"]: r["xi"] for r in rows if picks(r, v)} for v in steps]
    status, text = _paired_order(by_step) if len(by_step) > 1 else ("unresolved", f"fewer than two {axis}s")
    return ClaimCheck(
        cid, paper, claim, status,
        f"paired t-tests of xi over training seeds between consecutive {axis}s {steps}{where}, Holm {ORDER_ALPHA}",
        f"mean xi over {len(seeds)} seed(s): " + ", ".join(f"{axis[0]}{v} {np.mean(list(x.values())):.3g}"
                                                          for v, x in zip(steps, by_step) if x)
        + f"; {text}", scale)


def _majority_kinds(rows: list[dict[str, Any]]) -> dict[tuple, str]:
    """Each configuration's kind: the kind a strict majority of its training seeds' samples share, else
    ``"mixed"``. One seed's call is not the configuration's: the verdict errs on a few per cent of curves
    (``benchmarks/bench_verdicts.py``), and a sweep of forty cells would then reverse a claim by chance."""
    by_config: dict[tuple, list[str]] = {}
    for r in rows:
        by_config.setdefault((r["arch"], r["width"], r["depth"]), []).append(r["kind"])
    out = {}
    for config, kinds in by_config.items():
        top = max(set(kinds), key=kinds.count)
        out[config] = top if kinds.count(top) * 2 > len(kinds) else "mixed"
    return out


def _kinds_status(kinds: Iterable[str], expected: tuple[str, ...], opposite: tuple[str, ...]) -> str:
    """Holds where every kind is expected, reversed where one is the opposite, else unresolved (one kind or many)."""
    kinds = list(kinds)
    return ("holds" if kinds and all(k in expected for k in kinds) else
            "reversed" if any(k in opposite for k in kinds) else "unresolved")


def _command_option(folder: Path, option: str, default: str) -> str:
    """An option of the command a step ran (its ``done.json``), as the scale of a check says it."""
    stamp = folder / "done.json"
    words = (_read(stamp).get("command") or "").split() if stamp.exists() else []
    return words[words.index(option) + 1] if option in words[:-1] else default


def _shen_checks(folder: Path) -> list[ClaimCheck]:
    rows = _shen_rows(folder)
    seeds = sorted({r["seed"] for r in rows})
    lags = "the samples' significant lags up to 500 (19 log lags 1-500)"
    scale = (f"{len(seeds)} training seed(s) a cell, {int(_command_option(folder, '--sequences', '1000')):,} training and "
             f"{int(_command_option(folder, '--streams', '500')):,} sampled sequences of 512; "
             "Shen: 10,000 sequences, converged models")
    out = []
    finite = [r for r in rows if r["arch"] in ("rnn", "lstm")]
    majority = _majority_kinds(finite)
    n_conv = sum(bool(r.get("converged")) for r in finite)
    calls = ", ".join(f"{k} {list(majority.values()).count(k)}" for k in sorted(set(majority.values())))
    cells = ", ".join(f"{k} {sum(r['kind'] == k for r in finite)}" for k in sorted({r["kind"] for r in finite}))
    out.append(ClaimCheck(
        "shen-rnn-lstm-exponential", "Shen et al. 2019, binary sweep (RNN and LSTM samples: exponential decay)",
        "finite-state models' samples decay exponentially", _kinds_status(majority.values(), FINITE, LONG_RANGE),
        f"tail test on each cell's samples (BoxCox gamma, each law rejected at p < 0.01), {lags}; "
        "a configuration's kind is its training seeds' majority",
        f"{len(majority)} RNN/LSTM configurations: {calls}; {len(finite)} cells: {cells} ({n_conv} converged)", scale))
    transformers = [r for r in rows if r["arch"] == "transformer"]
    if transformers:
        out.append(ClaimCheck(
            "shen-transformer-power-law", "Shen et al. 2019, binary sweep (Transformer samples keep the power law)",
            "the Transformer's samples keep a power-law decay",
            _kinds_status(_majority_kinds(transformers).values(), LONG_RANGE, FINITE),
            f"tail test on each training seed's samples, {lags}; the configuration's kind is its seeds' majority",
            "; ".join(f"seed {r['seed']}: kind {r['kind']}, xi = {r['xi']:.3g}, "
                      f"{'converged' if r.get('converged') else 'not converged'}" for r in transformers)
            + "; sequences of 512, so nothing reaches past the window", scale))
    widths = sorted({r["width"] for r in rows if r["arch"] == "rnn" and r["depth"] == 1})
    out.append(_xi_order_check(
        rows, seeds, scale, "shen-xi-grows-with-width", "Shen et al. 2019, xi against width (RNN)",
        "the correlation length grows with the RNN's width", "width", widths, "",
        lambda r, w: r["arch"] == "rnn" and r["depth"] == 1 and r["width"] == w))
    deep = sorted({r["width"] for r in rows if r["arch"] == "rnn" and r["depth"] > 1})
    if deep:
        width = deep[0]
        out.append(_xi_order_check(
            rows, seeds, scale, "shen-xi-grows-with-depth",
            "Shen et al. 2019, xi against depth (RNN, Fig. 1d: linear for shallow networks)",
            "the correlation length grows with the RNN's depth", "depth",
            sorted({r["depth"] for r in rows if r["arch"] == "rnn" and r["width"] == width}), f" at width {width}",
            lambda r, d: r["arch"] == "rnn" and r["width"] == width and r["depth"] == d))
    lstm = {r["width"]: {s["seed"]: s["xi"] for s in rows if s["arch"] == "lstm" and s["width"] == r["width"] and s["depth"] == 1}
            for r in rows if r["arch"] == "lstm" and r["depth"] == 1}
    rnn = {r["width"]: r for r in rows if r["arch"] == "rnn" and r["depth"] == 1}
    pairs = []
    for w, xs in sorted(lstm.items()):
        p = next(r["parameters"] for r in rows if r["arch"] == "lstm" and r["width"] == w and r["depth"] == 1)
        bigger = [v for v in rnn.values() if v["parameters"] >= p]
        if bigger:
            rival = min(bigger, key=lambda v: v["parameters"])
            pairs.append((w, p, rival, xs))
    if not pairs:
        status, text = "unresolved", "no RNN cell has as many parameters as an LSTM cell"
    else:
        statuses, texts = [], []
        for w, p, rival, xs in pairs:
            rival_xs = {s["seed"]: s["xi"] for s in rows
                        if s["arch"] == "rnn" and s["depth"] == 1 and s["width"] == rival["width"]}
            one, why = _paired_order([rival_xs, xs])
            statuses.append(one)
            texts.append(f"LSTM w{w} ({p} parameters) xi {np.mean(list(xs.values())):.3g} against RNN "
                         f"w{rival['width']} ({rival['parameters']}) {np.mean(list(rival_xs.values())):.3g}: {why}")
        status = ("holds" if all(x == "holds" for x in statuses) else
                  "reversed" if "reversed" in statuses else "unresolved")
        text = "; ".join(texts)
    out.append(ClaimCheck(
        "shen-lstm-per-parameter", "Shen et al. 2019, LSTM against RNN per parameter",
        "an LSTM reaches further than an RNN with as many or more parameters", status,
        f"paired t-test of xi over training seeds, Holm {ORDER_ALPHA}", text, scale))
    return out


def _evaluation_checks(folder: Path) -> list[ClaimCheck]:
    out = []
    scale = "PTB characters, a time budget a model, one training and one sampling seed; Shen: trained to convergence"
    for arch, cid, claim, expected, opposite in (
            ("lstm", "ptb-lstm-exponential", "an LSTM's samples of text decay exponentially", FINITE, LONG_RANGE),
            ("transformer", "ptb-transformer-power-law", "a Transformer's samples of text keep the power law",
             LONG_RANGE, FINITE)):
        path = folder / f"{arch}_evaluation.json"
        if not path.exists():
            continue
        ev = _read(path)
        samples = ev["samples"]
        tail = samples.get("tail") or {}
        out.append(ClaimCheck(
            cid, f"Shen et al. 2019, PTB characters ({arch} samples)", claim,
            _kinds_status([samples["kind"]], expected, opposite),
            "tail test on the samples' far significant lags (BoxCox gamma, each law rejected at p < 0.01), "
            f"lags {ev['comparison']['pairs'][0]['lags'][0]}-{ev['comparison']['pairs'][0]['lags'][-1]}",
            f"samples: {samples['kind']}" + (f"; {tail.get('reason', '')}" if tail else ""), scale))
    path = folder / "lstm_evaluation.json"
    if path.exists():
        pair = _read(path)["comparison"]["pairs"][0]
        lags, diff, sig = pair["lags"], pair["difference"], pair["significant"]
        # Shen's claim is about long range: lags from 10 characters (a word or two) on
        lower = [d for d, x, s in zip(lags, diff, sig) if s and x < 0 and d >= LONG_LAG]
        higher = [d for d, x, s in zip(lags, diff, sig) if s and x > 0 and d >= LONG_LAG]
        status = "holds" if lower and not higher else "reversed" if higher and not lower else "unresolved"
        out.append(ClaimCheck(
            "ptb-lstm-samples-fall-short", "Shen et al. 2019, PTB characters (RNN samples lack the data's long-range MI)",
            "the LSTM's samples carry less dependence than the text", status,
            f"compare(): per-lag z of the floor-removed MI, Holm 0.01 over {len(lags)} lags {lags[0]}-{lags[-1]}, "
            f"read at d >= {LONG_LAG}, one sampling seed",
            f"samples lower at {len(lower)} lag(s) (d = {lower[0] if lower else '-'}…{lower[-1] if lower else '-'}), "
            f"higher at {len(higher)}", scale))
    return out


def _design_checks(folder: Path) -> list[ClaimCheck]:
    from ..design import design_dilations
    from ..fitting import classify
    from ..micurve import MICurve

    out = []
    path = folder / "ptb.json"
    if path.exists():
        curve = MICurve.from_dict(_read(path)["curve"])
        diagnosis = classify(curve)
        ours = design_dilations(curve, 12, diagnosis=diagnosis)
        fixed = design_dilations(curve, 12, threshold=1e-5, diagnosis=diagnosis)
        last = int(curve.lags[-1])
        below = fixed.max_dilation < last
        status = "holds" if below and fixed.max_dilation <= 2 * 240 else "reversed" if not below else "unresolved"
        out.append(ClaimCheck(
            "design-ptb-1e-5", "Mahalunkar & Kelleher 2019, Table 3 (PTB's curve meets 1e-5 nats at d = 240)",
            "PTB's character curve falls below 1e-5 nats within the lags measured, near d = 240", status,
            f"the 1e-5 rule and the null rule of design_dilations on PTB's training curve, 40 log lags 1-{last}",
            f"1e-5 rule: max dilation {fixed.max_dilation}; null rule: {ours.max_dilation} ({ours.max_reason})",
            f"{curve.n_symbols:,} characters; the paper's curve: PTB characters"))
    pooled = [n for n in ("permuted", "permuted-seed1", "permuted-seed2") if (folder / f"{n}.json").exists()]
    for cid, names, item in (("design-permuted-780", pooled, "pooled positions"),
                             ("design-permuted-aligned-780", ["permuted-aligned"], "aligned positions")):
        names = [n for n in names if (folder / f"{n}.json").exists()]
        if not names:
            continue
        spans, bounded = [], []
        for name in names:
            design = _read(folder / f"{name}.json")
            last = int(design["curve"]["lags"][-1])
            spans.append(int(design["max_dilation"]))
            bounded.append(spans[-1] >= last - 5)
        out.append(ClaimCheck(
            cid, f"Mahalunkar & Kelleher 2019, Table 2 (permuted MNIST: best max dilation 780; {item})",
            "permuted MNIST's dependence ends near d = 780", "unresolved" if any(bounded) else "holds",
            f"where the floor-removed curve meets its null, every lag 1-{last}, {len(names)} permutation seed(s)",
            f"spans {', '.join(map(str, spans))} of {last} lags an image allows"
            + (": the images end there, so a match with 780 is the row's length, not the curve's" if any(bounded) else ""),
            "5,000 images, pixels binary (mnist-5k's default level)"))
    levels = [(name, level) for name, level in (("mnist", "binary pixels"), ("mnist-gray", "256 grey levels"))
              if (folder / f"{name}.json").exists()]
    if levels:
        read = []
        for name, level in levels:
            design = _read(folder / f"{name}.json")
            diagnosis = classify(MICurve.from_dict(design["curve"]))
            read.append((level, diagnosis.period, diagnosis.kind, design["dilations"]))
        periods = [p for _, p, _, _ in read]
        # a divisor or multiple of 28 finds the rows' peaks among others (grey levels peak at every 14
        # far out); no period, or an unrelated one, misses them
        harmonic = all(p and (28 % p == 0 or p % 28 == 0) for p in periods)
        status = "holds" if all(p == 28 for p in periods) else "unresolved" if harmonic else "reversed"
        out.append(ClaimCheck(
            "design-mnist-period-28", "Mahalunkar & Kelleher 2019, Table 1 (sequential MNIST: rows of 28 pixels)",
            "sequential MNIST's curve peaks every 28 pixels", status,
            "the period scan (phase-profile F-test, Bonferroni over candidates, alpha 0.01), every lag 1-783",
            "; ".join(f"{level}: period {p}, kind {kind}, dilations {dil}" for level, p, kind, dil in read),
            f"5,000 images, {' and '.join(level for _, level in levels)}"))
    return out


def _lm_checks(folder: Path) -> list[ClaimCheck]:
    path = folder / "char_evaluation.json"
    if not path.exists():
        return []
    ev = _read(path)
    pair = ev["comparison"]["pairs"][0]
    lags, diff, sig = pair["lags"], pair["difference"], pair["significant"]
    higher = sum(1 for x, s in zip(diff, sig) if s and x > 0)
    lower = sum(1 for x, s in zip(diff, sig) if s and x < 0)
    status = "holds" if higher and not lower else "reversed" if lower and not higher else "unresolved"
    sizes = ev["comparison"].get("sizes") or []
    alpha = ev["comparison"]["alpha"]
    # The repeat test (where both curves carry repeats) takes its share of the level from the lags'
    # Holm family; it speaks to repeats over the whole curve, not to the MI at intermediate lags.
    repeat_z = pair.get("repeat_z")
    holm_level = alpha * (1 - REPEAT_SHARE) if repeat_z is not None else alpha
    repeats = ("" if repeat_z is None else
               f"; repeats over the whole curve {'differ' if pair['repeat_significant'] else 'within errors'} "
               f"(samples {pair['repeat_difference']:+.4f}, z = {repeat_z:+.1f})")
    return [ClaimCheck(
        "lm-smollm2-chars", "Shen et al. 2019, GPT-2's samples against text (samples keep as much or more long-range MI)",
        "a released LM's character samples keep at least the text's dependence at intermediate lags", status,
        f"compare(): per-lag z, Holm {holm_level:g} over {len(lags)} lags {lags[0]}-{lags[-1]}, one sampling seed",
        f"samples higher at {higher} lag(s), lower at {lower}{repeats}",
        f"{sizes[-1] if sizes else '?'} sampled characters; Shen: GPT-2, larger samples")]


#: Coverage an interval of 95 % must show over the recovery's data sets (its Wilson interval must hold it).
NOMINAL_COVERAGE = 0.95
#: Below this coverage (the Wilson interval's upper end) the error bars are too small to call recovery.
LOW_COVERAGE = 0.85
#: Data sets the recovery needs before its coverage is read at all.
MIN_RECOVERY_SETS = 20


def _recovery_checks(folder: Path) -> list[ClaimCheck]:
    """Shen's estimator benchmark: every data set's 95 % interval for alpha against the true alpha,
    pooled (independent data streams an alpha and seed: ``scripts/estimator_recovery.py``), and each
    alpha's mean estimate against the truth within 3 standard errors of that mean."""
    from .verdicts import wilson_interval

    run = _read(folder / "results.json")
    rows = run["rows"]
    hits, total = sum(bool(r["covers"]) for r in rows), len(rows)
    low, high = wilson_interval(hits, total)
    biased, spreads = [], []
    for alpha in sorted({r["alpha"] for r in rows}):
        est = np.array([r["estimate"] for r in rows if r["alpha"] == alpha])
        if len(est) > 1:
            spreads.append(est.std(ddof=1))
            if abs(est.mean() - alpha) > 3 * spreads[-1] / math.sqrt(len(est)):
                biased.append(f"{alpha:g} (mean {est.mean():.3f})")
    ratio = f"{np.mean([r['stderr'] for r in rows]) / np.mean(spreads):.2f}" if spreads else "n/a (one seed an alpha)"
    status = ("unresolved" if total < MIN_RECOVERY_SETS else
              "reversed" if biased or high < LOW_COVERAGE else
              "holds" if low <= NOMINAL_COVERAGE <= high else "unresolved")
    seeds = len({r["seed"] for r in rows})
    return [ClaimCheck(
        "shen-estimator-recovers-alpha", "Shen et al. 2019, App. D, Fig. 5 (the estimator recovers a known power law, "
        "alpha 0.1-1)", "the MI estimator recovers a known power-law exponent", status,
        f"coverage of each data set's 95 % interval for alpha (fit_decay's power law), Wilson 95 % interval against "
        f"{NOMINAL_COVERAGE}; each alpha's mean within 3 SE of the truth; {len(run['lags'])} log lags 1-{run['lags'][-1]}",
        f"{hits}/{total} intervals cover ({low:.2f}-{high:.2f}); mean SE / SD over seeds {ratio}; "
        + (f"biased at alpha {', '.join(biased)}" if biased else "no alpha's mean off by 3 SE"),
        f"{run['sequences']:,} sequences of {run['length']} a data set, {seeds} seeds an alpha; "
        "Shen: 10,000 sequences of 1,000, one data set an alpha")]


def _splits_checks(folder: Path) -> list[ClaimCheck]:
    """Shen's non-uniformity of PTB (App. D: the training split's power-law tail is missing in valid and
    test), read where the comparison is fair: each split against a slice of train of its own size
    (``midecay demo``), per lag and per lag band, Holm 0.01, from d >= :data:`LONG_LAG`."""
    level = _read(folder / "results.json")["levels"]["char"]
    pairs = level.get("size_matched") or []
    lower, higher, texts = [], [], []
    for pair in pairs:
        lags, diff, sig = pair["lags"], pair["difference"], pair["significant"]
        bands = [(b, x, s, z) for b, x, s, z in zip(pair["bands"], pair["band_difference"], pair["band_significant"],
                                                    pair["band_z"]) if b[0] >= LONG_LAG]
        flagged = [(d, x) for d, x, s in zip(lags, diff, sig) if s and d >= LONG_LAG] + [(b[0], x) for b, x, s, _ in bands if s]
        down, up = [d for d, x in flagged if x < 0], [d for d, x in flagged if x > 0]
        lower += down
        higher += up
        far = bands[-1] if bands else None
        texts.append(f"{pair['name']}: lower at {len(down)}, higher at {len(up)} lag(s) or band(s)"
                     + (f"; band {far[0][0]}-{far[0][1]} difference {far[1]:+.2g} nats (z = {far[3]:+.2f})" if far else ""))
    status = ("unresolved" if not pairs else "holds" if lower and not higher else
              "reversed" if higher and not lower else "unresolved")
    sizes = {name: s["n_symbols"] for name, s in level["splits"].items()}
    return [ClaimCheck(
        "shen-ptb-splits-nonuniform", "Shen et al. 2019, App. D (PTB: the training split's power-law tail is missing "
        "in valid and test)", "PTB's valid and test splits lack the training split's long-range MI", status,
        f"compare() of each split against a train slice of its size: per-lag and per-band z, Holm 0.01, "
        f"{len(pairs[0]['lags']) if pairs else 0} log lags 1-{pairs[0]['lags'][-1] if pairs else '-'}, read at d >= {LONG_LAG}",
        "; ".join(texts) + f"; at full size: {level['verdict']} (the floors and errors differ with size)",
        "PTB characters: " + ", ".join(f"{n} {v:,}" for n, v in sizes.items()) + "; Shen: the same splits")]


#: The grid-search paper's own comparisons, as ``(check, table, item, claim, pairs)``: each pair
#: ``(a, b)`` claims ``a`` better than ``b`` (higher accuracy; lower bits per character).
GRID_CLAIMS = (
    ("grid-table1-32-best", 1, "Mahalunkar & Kelleher 2019, Table 1 (sequential MNIST: max dilation 32 beats 16 and 64)",
     "the standard pattern up to 32 beats those up to 16 and 64", (("given-6x32", "given-5x16"), ("given-6x32", "given-7x64"))),
    ("grid-table2-780-helps", 2, "Mahalunkar & Kelleher 2019, Table 2 (permuted MNIST: adding dilation 780 helps)",
     "adding a layer of dilation 780 to 1..512 raises accuracy", (("given-11x780", "given-10x512"),)),
    ("grid-table3-informed-beats-standard", 3,
     "Mahalunkar & Kelleher 2019, Table 3 (PTB: curve-informed dilations beat the standard ones of the same size)",
     "each curve-informed model beats the standard model of its size",
     (("given-7x8", "given-7x64"), ("given-8x240", "given-8x128"), ("given-12x240", "given-12x2048"))),
    # The method applied by midecay: dilations designed from the measured curve against the standard twin.
    ("grid-table1-design", 1, "Mahalunkar & Kelleher 2019, method (sequential MNIST: dilations read from the curve)",
     "the design from the curve (1..16, 28) beats its standard twin 1..32", (("designed-6x28", "given-6x32"),)),
    ("grid-table2-design", 2, "Mahalunkar & Kelleher 2019, method (permuted MNIST: dilations read from the curve)",
     "the design from the curve (1..512, 782) beats the paper's 1..512, 780", (("designed-11x782", "given-11x780"),)),
    ("grid-table3-design", 3, "Mahalunkar & Kelleher 2019, method (PTB: dilations read from the curve)",
     "midecay's designs from PTB's curve beat the standard models of their size",
     (("designed-12x256", "given-12x2048"), ("designed-7x256", "given-7x64"))),
)


def _grid_checks(folder: Path) -> list[ClaimCheck]:
    """The grid-search paper's comparisons from a ``grid{1,2,3}`` step's results (paired over seeds)."""
    from .grid import load_grid

    table = int(folder.name.removeprefix("grid"))
    grid = load_grid(folder)
    out = []
    for cid, number, item, claim, pairs in GRID_CLAIMS:
        if number != table:
            continue
        sign = 1.0 if grid.higher_is_better else -1.0
        try:
            tested = grid.named_pairs(list(pairs))
        except InputError as exc:  # a spec without these configurations: nothing to check
            out.append(ClaimCheck(cid, item, claim, "unresolved", "paired t-test over training seeds", str(exc)))
            continue
        seeds = min(p["n_seeds"] for p in tested)
        better = [sign * p["difference"] > 0 and p["p_holm"] <= ORDER_ALPHA for p in tested]
        worse = [sign * p["difference"] < 0 and p["p_holm"] <= ORDER_ALPHA for p in tested]
        status = ("unresolved" if seeds < MIN_SEEDS else "holds" if all(better) else
                  "reversed" if any(worse) else "unresolved")
        out.append(ClaimCheck(
            cid, item, claim, status,
            f"paired t-test of {grid.metric} over shared training seeds, Holm {ORDER_ALPHA} across the "
            f"{len(tested)} pair(s)",
            "; ".join(f"{p['a']} - {p['b']} {p['difference']:+.4f} [{p['ci_low']:+.4f}, {p['ci_high']:+.4f}], "
                      f"Holm {p['p_holm']:.2g}" for p in tested) + f"; {seeds} seeds",
            f"{len(grid.rows)} trials at CPU scale; the paper: full MNIST / PTB, one run a configuration"))
    return out


_STEPS = {"shen": _shen_checks, "recovery": _recovery_checks, "splits": _splits_checks, "ptb": _evaluation_checks,
          "design": _design_checks, "lm": _lm_checks, "grid1": _grid_checks, "grid2": _grid_checks, "grid3": _grid_checks}


def checks_from_runs(folder: str | Path, steps: Iterable[str] | None = None) -> list[ClaimCheck]:
    """The checks of every step (of ``steps``, default all) whose outputs are in ``folder``
    (``out/report/SCALE``), in step order."""
    folder = Path(folder)
    chosen = set(_STEPS if steps is None else steps)
    out: list[ClaimCheck] = []
    for step, make in _STEPS.items():
        if step in chosen and (folder / step / "done.json").exists():
            out.extend(make(folder / step))
    return out


def save_checks(checks: Iterable[ClaimCheck], path: str | Path) -> None:
    """Write the checks as JSON (``docs/claims.json``), atomically."""
    from .._io import write_atomic

    write_atomic(path, json.dumps({"format": "midecay.ClaimChecks/1", "checks": [asdict(c) for c in checks]}, indent=1),
                 overwrite=True)


def load_checks(path: str | Path) -> dict[str, ClaimCheck]:
    """The checks of a file written by :func:`save_checks`, by id."""
    from .._parsing import parse_json

    data = parse_json(Path(path).read_bytes(), str(path), "pass the claims file make report writes")
    if not isinstance(data, dict) or data.get("format") != "midecay.ClaimChecks/1":
        raise InputError(f"{path} is not a claims file; pass the one `make report` writes (docs/claims.json)")
    try:
        return {c["id"]: ClaimCheck(**c) for c in data["checks"]}
    except (KeyError, TypeError):
        raise InputError(f"{path} has a check with missing or unknown fields; rewrite it with `make report`") from None


def render_checks(checks: Iterable[ClaimCheck]) -> str:
    """The checks as a Markdown table: the paper's item, its claim, the status, the test and evidence, the scale."""
    lines = ["| check | paper item | claim | status | test | evidence | scale |", "|---|---|---|---|---|---|---|"]
    for c in checks:
        cells = [f"`{c.id}`", c.paper, c.claim, f"**{c.status}**", c.test, c.evidence, c.scale]
        lines.append("| " + " | ".join(x.replace("|", "/").replace("\n", " ") for x in cells) + " |")
    return "\n".join(lines)


_MARKER = re.compile(r"<!--\s*claim:([A-Za-z0-9_.-]+)\s*-->")
_REGION = re.compile(r"<!-- claims:checked -->(.*?)<!-- /claims:checked -->", re.DOTALL)
_GENERATED = re.compile(r"<!-- generated:([A-Za-z0-9_.-]+) -->.*?<!-- /generated:\1 -->", re.DOTALL)


def _words(sentence: str) -> dict[str, list[str]]:
    text = _MARKER.sub(" ", sentence).lower().replace("*", "")
    return {status: [w for w in words if re.search(rf"\b{re.escape(w)}\b", text)]
            for status, words in STATUS_WORDS.items()}


def _sentences(text: str) -> list[str]:
    text = _GENERATED.sub(" ", text)
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        if paragraph.lstrip().startswith("#"):  # a heading asks; it states nothing
            continue
        flat = " ".join(paragraph.split())
        # a marker belongs to the sentence it follows, and ends it
        out.extend(s for s in re.split(r"(?<=[.!?;:])\s+(?=[A-Z*(\[`-])(?!<!--)|(?<=-->)[.;:,]?\s+(?!<!--)", flat)
                   if s.strip())
    return out


def prose_problems(markdown: str, checks: Mapping[str, ClaimCheck], *, whole: bool = True) -> list[str]:
    """One line per sentence that says more than its check: a verdict word with no ``<!-- claim:ID -->``,
    a marker naming no check, or a word of another status than its check's. ``whole``: read all of
    ``markdown``; else only its ``<!-- claims:checked -->`` regions (a report's prose)."""
    regions = [markdown] if whole else _REGION.findall(markdown)
    problems = []
    for region in regions:
        for sentence in _sentences(region):
            words = _words(sentence)
            used = [w for ws in words.values() for w in ws]
            ids = _MARKER.findall(sentence)
            short = sentence[:110] + ("…" if len(sentence) > 110 else "")
            if used and not ids:
                problems.append(f"says {used[0]!r} with no check (add <!-- claim:ID -->): {short}")
            for cid in ids:
                check = checks.get(cid)
                if check is None:
                    problems.append(f"names check {cid!r}, which make report did not compute: {short}")
                    continue
                wrong = [w for status, ws in words.items() if status != check.status for w in ws]
                if wrong:
                    problems.append(f"says {wrong[0]!r} but check {cid} is {check.status!r}: {short}")
                elif not words[check.status]:
                    problems.append(f"names check {cid} without its word ({check.status}): {short}")
    return problems
