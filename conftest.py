"""Test selection by what a test needs, for the whole suite (tests/ and the doctests under src/).

Markers: ``slow`` (over ~8 s on two cores), ``needs_torch``, ``needs_ray``, ``needs_lm``
(transformers + the offline SmolLM2 file), ``needs_hf`` (Hugging Face ``datasets``). ``make test`` installs every extra, so nothing is
skipped there; on a core-only install the tests and doctests that need a missing extra are
skipped by name (never collected into an error), and ``pytest -m "not slow"`` is the quick loop.
"""

from __future__ import annotations

import importlib.util

import pytest

#: Marker -> the packages it needs.
EXTRAS = {"needs_torch": ("torch",), "needs_ray": ("ray",), "needs_lm": ("torch", "transformers", "gguf"),
          "needs_hf": ("datasets",)}

#: Whole test modules by what they need.
MODULE_NEEDS = {
    "test_models.py": ("needs_torch",),
    "test_grid.py": ("needs_torch",),
    "test_pretrained.py": ("needs_lm",),
    "test_readme.py": ("needs_torch", "needs_lm", "slow"),
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
