"""A grid of DilatedRNN trials, written in TOML and validated with one-line errors naming the key.

Example (``tiny``: ``midecay grid run example:tiny``; the specs ship in ``specs/``, which the
repository's ``examples/grids`` links to)::

    [grid]
    name = "tiny"
    task = "classify"            # classify (images, last-step read-out) | charlm (next character)
    data = "mnist-5k"            # classify: mnist-5k | fashion-mnist | mnist; charlm: a source, e.g. "dataset:ptb"
    cell = "gru"                 # rnn | lstm | gru
    widths = [20]
    seeds = [0, 1]
    dilations = [[1, 2, 4, 8], [1, 2, 4, 8, 16, 28]]   # and/or:
    # design = "from-curve"      # dilations designed from the data's decay curve ...
    # layers = [7, 8, 12]        # ... with these layer counts (default: as many as the standard pattern)
    # matched = true             # ... each with its standard twin of equal size (the paper's Table 3)
    # sweep = false              # ... and the standard max-dilation sweep (Tables 1-2)
    # residual = false           # add each layer's input to its output (deep stacks learn sooner)

    [train]                      # the training budget of every trial
    epochs = 2
    batch = 50
    n_train = 1500               # classify: images to train on / to test on
    n_test = 500

A trial is one (dilation set, width, seed); its key is the hash of everything that makes it,
so a results file knows which trials are finished.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, InputNotFoundError
from ...models.config import MAX_DEPTH, MAX_DILATION, MAX_WIDTH, TRAIN_CONSTRAINTS
from ...validation import Integer, check_int, validate

__all__ = ["GridSpec", "TrainBudget", "Trial", "TASKS", "ENGINES"]

TASKS = ("classify", "charlm")
ENGINES = ("local", "ray")
IMAGE_SETS = ("mnist-5k", "fashion-mnist", "mnist")
_GRID_KEYS = {"name", "task", "data", "cell", "widths", "seeds", "dilations", "design", "layers", "matched", "sweep",
              "permute_seed", "threads", "lags", "threshold", "residual"}


@dataclass(frozen=True)
class TrainBudget:
    """What every trial trains with.

    ``n_train``/``n_test`` (classify) are the images used; ``symbols``/``eval_symbols`` (charlm)
    the characters of the training slice and of the validation and test slices; ``bptt`` the
    window a language model trains on; ``time_budget`` seconds end training after the epoch
    that passes them (0: none). ``steps_per_epoch`` (charlm) caps the optimiser steps of an
    epoch (0: one pass over the slice).
    """

    epochs: int = 1
    batch: int = 50
    lr: float = 1e-3
    optimizer: str = "rmsprop"
    clip: float = 1.0
    n_train: int = 1000
    n_test: int = 500
    symbols: int = 200_000
    eval_symbols: int = 50_000
    bptt: int = 100
    embedding: int = 32
    steps_per_epoch: int = 0
    time_budget: float = 0.0

    def __post_init__(self) -> None:
        validate(self, BUDGET_CONSTRAINTS, prefix="train.")


#: What each budget setting may be (the training settings as :data:`~midecay.models.config.TRAIN_CONSTRAINTS` says).
BUDGET_CONSTRAINTS = {
    **{k: TRAIN_CONSTRAINTS[k] for k in ("epochs", "batch", "bptt", "steps_per_epoch", "optimizer", "lr", "clip",
                                          "time_budget")},
    "n_train": Integer(1), "n_test": Integer(1), "symbols": Integer(2), "eval_symbols": Integer(2), "embedding": Integer(1),
}


@dataclass(frozen=True)
class Trial:
    """One trial of the grid: everything :func:`~midecay.experiments.grid.run_trial` needs, JSON-ready."""

    task: str
    data: str
    cell: str
    width: int
    dilations: tuple[int, ...]
    seed: int
    set_name: str
    role: str
    train: TrainBudget
    permute_seed: int | None = None
    threads: int = 1
    residual: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["dilations"] = list(self.dilations)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trial:
        data = dict(data)
        data["dilations"] = tuple(data["dilations"])
        data["train"] = TrainBudget(**data["train"])
        return cls(**data)

    @property
    def key(self) -> str:
        """Hash of what the trial is (its name and role are labels, not part of it)."""
        what = {k: v for k, v in self.to_dict().items() if k not in ("set_name", "role")}
        return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


#: The specs that ship with midecay: ``tiny`` and the paper's Tables 1-3 (``tableN``, and ``tableN_cpu`` at CPU scale).
SPECS = Path(__file__).parent / "specs"


def example_specs() -> list[str]:
    """The names ``example:NAME`` takes.

    >>> example_specs()[-1]
    'tiny'
    """
    return sorted(p.stem for p in SPECS.glob("*.toml"))


def spec_path(spec: str | Path) -> Path:
    """``spec`` as a path: ``example:NAME`` is a spec that ships with midecay, anything else a file."""
    text = str(spec)
    if not text.startswith("example:"):
        return Path(spec)
    name = text.removeprefix("example:")
    if name not in example_specs():
        raise InputError(f"unknown example grid {name!r}; choose one of: {', '.join(example_specs())}")
    return SPECS / f"{name}.toml"


#: The most trials one spec may hold: a grid past it runs for months on any engine; split it.
MAX_TRIALS = 100_000
#: Seeds are integers below 2**63 (what torch and numpy both take).
MAX_SEED = 2**63 - 1


def _check_size(n_trials: int) -> None:
    if n_trials > MAX_TRIALS:
        raise InputError(f"the grid has {n_trials:,} trials, more than {MAX_TRIALS:,}; split it into several specs "
                         "or give fewer widths, seeds or dilation sets")


def _int_list(value: Any, key: str, low: int = 1, high: int | None = None) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise InputError(f"grid.{key} must be a non-empty list of integers, got {value!r}")
    for v in value:
        check_int(f"grid.{key}", v, low, high)
    return tuple(value)


@dataclass(frozen=True)
class GridSpec:
    """A grid: task, data, cell, widths x seeds x dilation sets, and the training budget.

    Build it from TOML (:meth:`from_toml`) or a dict (:meth:`from_dict`); every key is checked.
    ``design = "from-curve"`` adds dilation sets designed from the data's decay curve
    (:func:`~midecay.design.matched_grid`), resolved by :meth:`trials`.
    """

    name: str
    task: str
    data: str
    cell: str = "gru"
    widths: tuple[int, ...] = (20,)
    seeds: tuple[int, ...] = (0,)
    dilations: tuple[tuple[int, ...], ...] = ()
    design: str | None = None
    layers: tuple[int, ...] | None = None
    matched: bool = True
    sweep: bool = False
    permute_seed: int | None = None
    threads: int = 1
    lags: str | None = None
    threshold: str | float = "floor"
    residual: bool = False
    train: TrainBudget = field(default_factory=TrainBudget)

    def __post_init__(self) -> None:
        from ...models.config import CELLS  # torch-free module

        if not isinstance(self.name, str) or not self.name:
            raise InputError("grid.name must be a non-empty string")
        if self.task not in TASKS:
            raise InputError(f"grid.task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if not isinstance(self.data, str) or not self.data:
            raise InputError("grid.data must name the data (classify: mnist-5k | fashion-mnist | mnist; charlm: a source)")
        if self.task == "classify" and self.data not in IMAGE_SETS:
            raise InputError(f"grid.data for task classify must be one of {', '.join(IMAGE_SETS)}, got {self.data!r}")
        if self.cell not in CELLS:
            raise InputError(f"grid.cell must be one of {', '.join(CELLS)}, got {self.cell!r}")
        if self.design not in (None, "from-curve"):
            raise InputError(f"grid.design must be \"from-curve\" (or left out), got {self.design!r}")
        if not self.dilations and self.design is None:
            raise InputError("the grid has no dilation sets: give grid.dilations, or grid.design = \"from-curve\"")
        if self.permute_seed is not None:
            check_int("grid.permute_seed", self.permute_seed, 0)
        check_int("grid.threads", self.threads, 1, 1024)
        _check_size(len(self.dilations) * len(self.widths) * len(self.seeds))
        for key in ("matched", "sweep", "residual"):
            if not isinstance(getattr(self, key), bool):
                raise InputError(f"grid.{key} must be true or false")

    @classmethod
    def from_dict(cls, data: Any) -> GridSpec:
        if not isinstance(data, dict) or not isinstance(data.get("grid"), dict):
            raise InputError("a grid spec needs a [grid] table (task, data, cell, widths, seeds, dilations or design)")
        unknown_top = sorted(set(data) - {"grid", "train"})
        if unknown_top:
            raise InputError(f"unknown table(s) {', '.join(unknown_top)} in the grid spec; known: grid, train")
        grid, train = dict(data["grid"]), dict(data.get("train") or {})
        unknown = sorted(set(grid) - _GRID_KEYS)
        if unknown:
            raise InputError(f"unknown key grid.{unknown[0]}; known: {', '.join(sorted(_GRID_KEYS))}")
        known_train = set(TrainBudget.__dataclass_fields__)
        unknown = sorted(set(train) - known_train)
        if unknown:
            raise InputError(f"unknown key train.{unknown[0]}; known: {', '.join(sorted(known_train))}")
        for key in ("name", "task", "data"):
            if key not in grid:
                raise InputError(f"the grid spec lacks grid.{key}")
        if "widths" in grid:
            grid["widths"] = _int_list(grid["widths"], "widths", 1, MAX_WIDTH)
        if "seeds" in grid:
            grid["seeds"] = _int_list(grid["seeds"], "seeds", 0, MAX_SEED)
        if "layers" in grid:
            grid["layers"] = _int_list(grid["layers"], "layers", 1, MAX_DEPTH)
        if "dilations" in grid:
            sets = grid["dilations"]
            if not isinstance(sets, list) or not all(isinstance(s, list) for s in sets):
                raise InputError("grid.dilations must be a list of lists of positive integers, e.g. [[1, 2, 4, 8]]")
            if any(len(s) > MAX_DEPTH for s in sets):
                raise InputError(f"a set in grid.dilations has more than {MAX_DEPTH} layers; give each set at most {MAX_DEPTH}")
            grid["dilations"] = tuple(_int_list(s, "dilations", 1, MAX_DILATION) for s in sets)
        try:
            return cls(**grid, train=TrainBudget(**train))
        except TypeError as exc:  # a value of the wrong type deep in a dataclass
            raise InputError(f"grid spec: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | Path) -> GridSpec:
        """A spec from a TOML file, or ``example:NAME`` for one that ships with midecay (:func:`example_specs`)."""
        from ..._parsing import parse_toml

        path = spec_path(path)
        fix = "pass a grid spec in TOML (or example:tiny, a spec that ships with midecay)"
        if not path.is_file():
            raise InputNotFoundError(f"{path} not found; {fix}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text; {fix}") from None
        return cls.from_dict(parse_toml(text, str(path), fix))

    def to_dict(self) -> dict[str, Any]:
        from ...results import jsonable

        grid = {k: v for k, v in asdict(self).items() if k != "train" and v is not None}
        return jsonable({"grid": grid, "train": asdict(self.train)})

    def dilation_sets(self, design=None) -> list[tuple[str, tuple[int, ...], str]]:
        """``(name, dilations, role)`` of every set: the explicit ones, then the designed ones."""
        out = [(f"given-{len(s)}x{s[-1]}", tuple(s), "given") for s in self.dilations]
        if self.design == "from-curve":
            from ...design import matched_grid

            if design is None:
                design = self.design_from_curve()
            for entry in matched_grid(design, self.layers, sweep=self.sweep, threshold=self.threshold, cap=self.cap):
                if entry.role == "standard twin" and not self.matched:
                    continue
                out.append((entry.name, entry.dilations, entry.role))
        seen, unique = set(), []
        for name, dil, role in out:
            if dil not in seen:
                seen.add(dil)
                unique.append((name, dil, role))
        return unique

    def design_from_curve(self):
        """The data's curve (training split; seed 0) and the dilations designed from it."""
        import numpy as np

        from ...curve import mi_curve
        from ...design import design_dilations
        from ...lags import parse_lags

        symbols = self.curve_symbols()
        # Images: every lag, so a period (28 pixels) shows; text: a log grid to 1000.
        longest = int(np.max(symbols.lengths)) - 1
        default = f"1:{longest}" if self.task == "classify" and longest <= 4096 else f"1:{min(1000, longest)}:40log"
        curve = mi_curve(symbols, parse_lags(self.lags or default), seed=0)
        return design_dilations(curve, threshold=self.threshold, cap=self.cap)

    @property
    def cap(self) -> int | None:
        """A language model trains on windows of ``bptt`` symbols: no dilation beyond them is of use."""
        return self.train.bptt if self.task == "charlm" else None

    def curve_symbols(self):
        """What the design measures: the training images as pixel sequences, or the training text."""
        from ...opening import open_source
        from ...sources import image_symbols

        if self.task == "classify":
            from ...datasets import labelled_images

            images, _ = labelled_images(self.data, "train", permute_seed=self.permute_seed)
            return image_symbols(images, levels=2)
        return open_source(f"{self.data}/train" if self.data.startswith("dataset:") and "/" not in self.data else self.data)

    def trials(self, design=None) -> list[Trial]:
        """Every trial, in a fixed order: dilation set, then width, then seed."""
        sets = self.dilation_sets(design)
        _check_size(len(sets) * len(self.widths) * len(self.seeds))
        return [Trial(self.task, self.data, self.cell, w, dil, s, name, role, self.train, self.permute_seed, self.threads,
                      self.residual)
                for name, dil, role in self.dilation_sets(design) for w in self.widths for s in self.seeds]
