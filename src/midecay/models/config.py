"""Model configuration: a frozen dataclass that round-trips to JSON and is validated on construction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import InputError
from ..options import check_int, check_real

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
    midecay.errors.InputError: dilations must be positive integers, got (1, 0)
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
        if self.arch not in ARCHITECTURES:
            raise InputError(f"unknown arch {self.arch!r}; choose one of: {', '.join(ARCHITECTURES)}")
        check_int("vocab_size", self.vocab_size, 1, 10_000_000)
        check_int("width", self.width, 1, MAX_WIDTH)
        check_int("embedding", self.embedding, 1, 1 << 16)
        check_int("seed", self.seed, 0, 2**63 - 1)
        dilations = tuple(self.dilations)
        if self.arch == "dilated":
            if not dilations or not all(isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in dilations):
                raise InputError(f"dilations must be positive integers, got {dilations}")
            if max(dilations) > MAX_DILATION:
                raise InputError(f"dilations must be at most {MAX_DILATION:,}, got {max(dilations):,}")
            if self.cell not in CELLS:
                raise InputError(f"unknown cell {self.cell!r}; choose one of: {', '.join(CELLS)}")
            object.__setattr__(self, "depth", len(dilations))
        elif dilations:
            raise InputError(f"dilations are for arch='dilated', not {self.arch!r}")
        if not isinstance(self.residual, bool):
            raise InputError(f"residual must be true or false, got {self.residual!r}")
        if self.residual and self.arch != "dilated":
            raise InputError(f"residual is for arch='dilated', not {self.arch!r}")
        object.__setattr__(self, "dilations", dilations)
        check_int("depth", self.depth, 1, MAX_DEPTH)
        if self.arch == "transformer":
            check_int("heads", self.heads, 1, 1024)
            check_int("context", self.context, 2, 1 << 20)
            if self.width % self.heads:
                raise InputError(f"width ({self.width}) must be a multiple of heads ({self.heads})")
            if self.positions not in POSITIONS:
                raise InputError(f"unknown positions {self.positions!r}; choose one of: {', '.join(POSITIONS)}")

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
    clip: float = 0.25
    patience: int = 5
    restarts: int = 1
    valid_fraction: float = 0.1
    steps_per_epoch: int = 0
    time_budget: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"unknown training mode {self.mode!r}; choose one of: {', '.join(MODES)}")
        if self.optimizer not in ("adam", "rmsprop"):
            raise InputError(f"unknown optimizer {self.optimizer!r}; choose adam or rmsprop")
        for name, low in (("epochs", 1), ("batch", 1), ("bptt", 1), ("warmup", 0), ("patience", 1), ("restarts", 1),
                          ("steps_per_epoch", 0), ("seed", 0)):
            check_int(name, getattr(self, name), low)
        check_real("reset_prob", self.reset_prob, 0, 1)
        check_real("lr", self.lr, 0, low_open=True)
        check_real("clip", self.clip, 0, low_open=True)
        check_real("time_budget (seconds; 0: none)", self.time_budget, 0)
        check_real("valid_fraction", self.valid_fraction, 0, 1, low_open=True, high_open=True)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise InputError(f"unknown training key(s) {', '.join(unknown)}; known: {', '.join(sorted(cls.__dataclass_fields__))}")
        return cls(**data)
