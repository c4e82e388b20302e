"""Model configuration: a frozen dataclass that round-trips to JSON and is validated on construction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import InputError
from ..validation import Boolean, Integer, OneOf, Real, validate

__all__ = ["ModelConfig", "TrainConfig", "ARCHITECTURES", "CELLS", "MODES", "MAX_WIDTH", "MAX_DEPTH", "MAX_DILATION"]

ARCHITECTURES = ("rnn", "lstm", "gru", "transformer", "dilated")
CELLS = ("rnn", "lstm", "gru")
POSITIONS = ("sinusoidal", "learned")
#: Bounds on sizes: past these a typo allocates terabytes (a dilation of 10^12 padded a batch to 3.2e15 bytes).
MAX_WIDTH = 1 << 16
MAX_DEPTH = 1024
#: A dilation reaches this far back at most (a million steps: longer than any sequence trained here).
MAX_DILATION = 1 << 20


@dataclass(frozen=True)
class ModelConfig:
    """What a model is: architecture, sizes, and the alphabet size it speaks.

    Parameters
    ----------
    arch
        ``rnn`` (Elman, tanh), ``lstm``, ``gru``, ``transformer`` (causal) or ``dilated``
        (DilatedRNN, Chang et al. 2017: one layer per dilation).
    vocab_size
        Number of symbols; the models add one start-of-sequence token of their own.
    width, depth
        Hidden units per layer and number of layers (``depth`` is ``len(dilations)`` for
        ``dilated``). For a transformer, ``width`` is ``d_model``.
    embedding
        Size of the input embedding (recurrent models; a transformer embeds into ``width``).
    heads, context, positions
        Transformer only: attention heads, context length, ``sinusoidal`` (as in Shen 2019) or
        ``learned`` position embeddings.
    dilations, cell
        DilatedRNN only: the dilation of each layer (positive integers) and the cell.
    residual
        DilatedRNN only: add each layer's input to its output from the second layer on. A deep
        stack of recurrent layers without it can sit on the unigram plateau for a long time (a
        7-layer GRU stack on PTB characters did for 120 steps; 1 layer learned at once); it
        changes no parameter count, so designed and standard twins stay matched.
    seed
        Seed of the initial weights.

    Examples
    --------
    >>> c = ModelConfig("lstm", vocab_size=50, width=64)
    >>> ModelConfig.from_dict(c.to_dict()) == c
    True
    >>> ModelConfig("dilated", vocab_size=2, dilations=(1, 0))
    Traceback (most recent call last):
    ...
    midecay.errors.InputError: dilations must be between 1 and 1048576, got 0
    """

    arch: str
    vocab_size: int
    width: int = 64
    depth: int = 1
    embedding: int = 16
    heads: int = 4
    context: int = 128
    positions: str = "sinusoidal"
    dilations: tuple[int, ...] = field(default=())
    cell: str = "gru"
    residual: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        validate(self, {"arch": OneOf(*ARCHITECTURES), "vocab_size": Integer(1, 10_000_000), "width": Integer(1, MAX_WIDTH),
                        "embedding": Integer(1, 1 << 16), "seed": Integer(0, 2**63 - 1), "residual": Boolean()})
        dilations = tuple(self.dilations)
        if self.arch == "dilated":
            if not dilations:
                raise InputError("dilations must be a non-empty list of positive integers, one a layer")
            dilations = tuple(Integer(1, MAX_DILATION).check("dilations", r) for r in dilations)
            OneOf(*CELLS).check("cell", self.cell)
            object.__setattr__(self, "depth", len(dilations))
        elif dilations:
            raise InputError(f"dilations are for arch='dilated', not {self.arch!r}")
        if self.residual and self.arch != "dilated":
            raise InputError(f"residual is for arch='dilated', not {self.arch!r}")
        object.__setattr__(self, "dilations", dilations)
        validate(self, {"depth": Integer(1, MAX_DEPTH)})
        if self.arch == "transformer":
            validate(self, {"heads": Integer(1, 1024), "context": Integer(2, 1 << 20), "positions": OneOf(*POSITIONS)})
            if self.width % self.heads:
                raise InputError(f"width ({self.width}) must be a multiple of heads ({self.heads})")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["dilations"] = list(self.dilations)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> ModelConfig:
        """A config from :meth:`to_dict` output; unknown or missing keys are one-line errors."""
        if not isinstance(data, dict):
            raise InputError(f"a model config must be a JSON object, got {type(data).__name__}")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown model config key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        for key in ("arch", "vocab_size"):
            if key not in data:
                raise InputError(f"model config lacks {key!r}")
        data = dict(data)
        if "dilations" in data:
            data["dilations"] = tuple(data["dilations"])
        return cls(**data)


#: How sequences are cut for training (``auto``: by the data and the architecture).
MODES = ("auto", "sequences", "stream", "windows")


#: What each training setting may be: the one declaration the CLI, TOML configs and grids share.
TRAIN_CONSTRAINTS = {
    "mode": OneOf(*MODES), "optimizer": OneOf("adam", "rmsprop"), "decay": OneOf("none", "cosine"),
    "epochs": Integer(1), "batch": Integer(1), "bptt": Integer(1), "warmup": Integer(0), "patience": Integer(1),
    "restarts": Integer(1), "steps_per_epoch": Integer(0), "seed": Integer(0, 2**63 - 1),
    "reset_prob": Real(0, 1), "lr": Real(0, low_open=True), "clip": Real(0, low_open=True), "time_budget": Real(0),
    "valid_fraction": Real(0, 1, low_open=True, high_open=True),
}


@dataclass(frozen=True)
class TrainConfig:
    """How to train. Validated on construction; round-trips through ``to_dict``/``from_dict``."""

    mode: str = "auto"
    epochs: int = 10
    batch: int = 50
    bptt: int = 100
    reset_prob: float = 0.01
    optimizer: str = "adam"
    lr: float = 1e-3
    warmup: int = 0
    #: ``cosine``: after the warm-up the rate falls along a half cosine to a tenth of ``lr`` at the
    #: last step of ``epochs`` (a fixed horizon in steps, so the same seed trains the same model).
    decay: str = "none"
    clip: float = 0.25
    patience: int = 5
    restarts: int = 1
    valid_fraction: float = 0.1
    steps_per_epoch: int = 0
    time_budget: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        validate(self, TRAIN_CONSTRAINTS)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise InputError(f"unknown training key(s) {', '.join(unknown)}; known: {', '.join(sorted(cls.__dataclass_fields__))}")
        return cls(**data)
