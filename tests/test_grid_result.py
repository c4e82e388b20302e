"""A grid's results as configurations: seeds, intervals, paired comparisons that say when a ranking is resolved.

No torch needed: the rows are made here, with known values.
"""

import numpy as np
import pytest


def _rows(values: dict[tuple[str, str, tuple, int], list[float]]) -> tuple:
    """Grid rows from {(set name, role, dilations, width): metric per seed}."""
    rows = []
    for (name, role, dil, width), metric in values.items():
        for seed, m in enumerate(metric):
            rows.append({"key": f"{name}{width}{seed}", "metric": "test_accuracy", "test_accuracy": m, "role": role,
                         "set_name": name, "dilations": list(dil), "width": width, "seed": seed, "max_dilation": dil[-1],
                         "layers": len(dil), "parameters": 100, "seconds": 1.0})
    return tuple(rows)


def test_grid_reports_configurations_with_intervals_and_paired_tests():
    """Hypothesis: configurations are summarised over their seeds (mean, Student-t 95 % interval),
    designed sets are paired with their standard twin and every configuration with the best on
    shared seeds (paired t-test, Holm across pairs), and numbers equal scipy's."""
    from scipy import stats

    from midecay.comparison import holm_adjusted
    from midecay.experiments.grid.result import GridResult

    designed = [0.90, 0.92, 0.91, 0.93, 0.95]
    twin = [0.85, 0.88, 0.86, 0.90, 0.89]
    other = [0.80, 0.95, 0.70, 0.99, 0.60]
    g = GridResult("g", _rows({("designed-3x8", "designed", (1, 3, 8), 8): designed,
                               ("standard-3x4", "standard twin", (1, 2, 4), 8): twin,
                               ("given-1", "given", (1, 2), 8): other}))
    configs = g.configurations()
    assert [c["name"] for c in configs] == ["designed-3x8", "standard-3x4", "given-1"]
    low, high = stats.t.interval(0.95, 4, loc=np.mean(designed), scale=stats.sem(designed))
    assert configs[0]["n_seeds"] == 5 and np.isclose(configs[0]["ci_low"], low) and np.isclose(configs[0]["ci_high"], high)
    pairs = g.pairs()
    assert [(p["a"], p["b"]) for p in pairs] == [("designed-3x8", "standard-3x4"), ("given-1", "designed-3x8")]
    first = stats.ttest_rel(designed, twin)
    assert np.isclose(pairs[0]["p_value"], first.pvalue) and np.isclose(pairs[0]["difference"], np.mean(designed) - np.mean(twin))
    second = stats.ttest_rel(other, designed)
    assert np.allclose([p["p_holm"] for p in pairs], holm_adjusted(np.array([first.pvalue, second.pvalue])))
    text = g.summary()
    assert "designed-3x8 - standard-3x4: +0.0460 over 5 seeds, resolved" in text
    assert "given-1 - designed-3x8" in text and "unresolved" in text  # noisy: its interval spans 0


def test_a_given_standard_pattern_stands_in_for_the_deduplicated_twin():
    """Hypothesis: a spec that lists the standard pattern itself (the paper's Table 3) keeps it once,
    as "given"; the designed set of the same layers is still paired with it, not only with the best."""
    from midecay.experiments.grid.result import GridResult

    g = GridResult("g", _rows({("best-3", "given", (1, 2, 3), 8): [0.95, 0.96, 0.97],
                               ("designed-3x9", "designed", (1, 3, 9), 8): [0.90, 0.91, 0.93],
                               ("given-3x4", "given", (1, 2, 4), 8): [0.85, 0.88, 0.86],
                               ("given-2x2", "given", (1, 2), 8): [0.80, 0.82, 0.81]}))
    pairs = [(p["a"], p["b"]) for p in g.pairs()]
    assert pairs[0] == ("designed-3x9", "given-3x4")
    assert ("given-2x2", "best-3") in pairs and ("designed-3x9", "best-3") in pairs


def test_named_pairs_are_the_same_test_holm_across_the_pairs_named():
    """Hypothesis: a paper's own pairs get pairs()' paired t-test, Holm across only those named;
    an unknown name is a one-line error naming the configurations."""
    import pytest
    from scipy import stats

    from midecay.comparison import holm_adjusted
    from midecay.errors import InputError
    from midecay.experiments.grid.result import GridResult

    a, b, c = [0.95, 0.96, 0.97, 0.93], [0.90, 0.91, 0.93, 0.92], [0.85, 0.88, 0.86, 0.80]
    g = GridResult("g", _rows({("a-3", "given", (1, 2, 3), 8): a, ("b-3", "given", (1, 2, 4), 8): b,
                               ("c-2", "given", (1, 2), 8): c}))
    named = g.named_pairs([("b-3", "c-2"), ("a-3", "b-3")])
    p = [stats.ttest_rel(b, c).pvalue, stats.ttest_rel(a, b).pvalue]
    assert [(x["a"], x["b"]) for x in named] == [("b-3", "c-2"), ("a-3", "b-3")]
    assert np.allclose([x["p_value"] for x in named], p) and np.allclose([x["p_holm"] for x in named], holm_adjusted(np.array(p)))
    assert np.isclose(named[0]["difference"], np.mean(b) - np.mean(c))
    with pytest.raises(InputError, match="no configuration 'z-1'.*a-3, b-3, c-2"):
        g.named_pairs([("z-1", "a-3")])


def test_one_seed_resolves_no_ranking():
    from midecay.experiments.grid.result import GridResult

    g = GridResult("g", _rows({("a", "given", (1, 2), 8): [0.9], ("b", "given", (1, 4), 8): [0.8]}))
    assert all(np.isnan(c["ci_low"]) for c in g.configurations())
    assert all(np.isnan(p["p_value"]) and np.isnan(p["p_holm"]) for p in g.pairs())
    assert "no ranking is resolved" in g.summary()


def test_paired_intervals_cover_a_zero_difference_at_their_level():
    """Hypothesis: with no real difference between two configurations (seeds share a trial-level
    effect, as training seeds do), the 95 % paired interval covers 0 in 92-98 % of 600 simulated
    grids, for 3, 5 and 10 seeds; an interval 3x too wide or too narrow would leave that band."""
    from midecay.experiments.grid.result import GridResult

    rng = np.random.default_rng(0)
    for n in (3, 5, 10):
        covered = 0
        for _ in range(600):
            seed_effect = rng.normal(0.9, 0.05, n)
            a = seed_effect + rng.normal(0, 0.01, n)
            b = seed_effect + rng.normal(0, 0.01, n)
            pair = GridResult("g", _rows({("a", "given", (1, 2), 8): list(a), ("b", "given", (1, 4), 8): list(b)})).pairs()[0]
            covered += pair["ci_low"] <= 0 <= pair["ci_high"]
        assert 0.92 <= covered / 600 <= 0.98, (n, covered)


@pytest.mark.needs_plot
def test_scaling_reports_xi_over_training_seeds():
    """Hypothesis: with several training seeds a cell's xi is summarised by its spread over them (SD,
    t-interval), not by one run's jackknife error; one seed per cell says 'unresolved'."""
    from scipy import stats

    from midecay.experiments.scaling import ScalingResult

    xi = [10.0, 12.0, 11.0, 15.0]
    rows = [{"arch": "lstm", "width": 8, "depth": 1, "seed": s, "parameters": 100, "valid_bps": 1.0, "xi": x,
             "xi_stderr": 0.5, "alpha": None, "alpha_stderr": None, "kind": "exponential", "I1": 0.1}
            for s, x in enumerate(xi)]
    rows.append({**rows[0], "width": 16, "seed": 0, "xi": 20.0})
    result = ScalingResult(tuple(rows))
    cells = {c["width"]: c for c in result.over_seeds()}
    low, high = stats.t.interval(0.95, 3, loc=np.mean(xi), scale=stats.sem(xi))
    assert cells[8]["n_xi"] == 4 and np.isclose(cells[8]["xi_sd"], np.std(xi, ddof=1))
    assert np.isclose(cells[8]["xi_ci_low"], low) and np.isclose(cells[8]["xi_ci_high"], high)
    assert np.isclose(cells[8]["xi_jackknife_se"], 0.5) and np.isnan(cells[16]["xi_sd"])
    text = result.summary()
    assert "SD over seeds" in text and "unresolved" in text
    assert result.plot().get_title().startswith("mean over training seeds")


def test_scaling_spec_keys_cells_by_seed_and_keeps_single_seed_keys():
    from midecay.experiments.scaling import ScalingSpec

    single = ScalingSpec(archs=("rnn",), widths=(2,), seed=3)
    assert single.cells() == [{"arch": "rnn", "width": 2, "depth": 1}]
    assert '"seed": 3' in single.key(single.cells()[0])  # as before: the seed lives in the spec
    many = ScalingSpec(archs=("rnn",), widths=(2,), seeds=(0, 1))
    keys = [many.key(c) for c in many.cells()]
    assert len(many.cells()) == 2 and len(set(keys)) == 2
