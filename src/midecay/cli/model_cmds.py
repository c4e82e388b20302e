"""``midecay train``, ``midecay sample``, ``midecay evaluate``: sequence models (needs midecay[models])."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import InputError, InputNotFoundError
from ..models.config import ModelConfig, TrainConfig
from ._common import (
    ForceOpt,
    JsonOpt,
    LagsOpt,
    LevelOpt,
    OptionOpt,
    Output,
    QuietOpt,
    check_outputs,
    curve_file_or_source,
    load_source,
    parse_int_list,
    parse_lag_spec,
    resume_hint,
    typed_command,
    needs,
    user_errors,
)


# Options `evaluate` and `evaluate-seeds` share.
DataOpt = Annotated[str, typer.Option(help="Reference data (a file, dataset:NAME[/SPLIT]) or its curve .json.")]
LengthOpt = Annotated[int, typer.Option(help="Symbols per stream.")]
BurnInOpt = Annotated[int, typer.Option(help="Dropped symbols per stream.")]
TemperatureOpt = Annotated[float, typer.Option(help="Softmax temperature.")]
EvaluationOutOpt = Annotated[Optional[Path], typer.Option(help="Write the evaluation JSON here.")]
OverlayPlotOpt = Annotated[Optional[Path], typer.Option(help="Write the overlay PNG here.")]


def _keys(config_class, *, except_: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The keys a [model] or [train] table may hold: the dataclass's own fields, one source for both."""
    return tuple(name for name in config_class.__dataclass_fields__ if name not in except_)


def _default(config_class, name: str) -> str:
    """A config field's default as --help shows it (the dataclass is the one source; TOML and flags override it)."""
    value = "none: give one per layer" if name == "dilations" else config_class.__dataclass_fields__[name].default
    return f"  [default: {value}]"


def _models():
    """The models package, imported only when a model command runs (it loads torch)."""
    from .. import models

    return models


def _evaluation_start(as_json: bool, quiet: bool, force: bool, out: Path | None, plot: Path | None, lags: str):
    """What both evaluate commands start from: ``(io, lags, models)``, the outputs checked first (the
    checkpoints are loaded next, before the reference's curve is computed)."""
    io = Output(as_json, quiet)
    check_outputs(force, out, figure=plot)
    return io, parse_lag_spec(lags), _models()


def _read_toml(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    if not Path(path).is_file():
        raise InputNotFoundError(f"{path} not found; pass a TOML file with [model] and [train] tables")
    from .._parsing import parse_toml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; pass a TOML file with [model] and [train] tables") from None
    data = parse_toml(text, str(path), "pass a TOML file with [model] and [train] tables")
    unknown = sorted(set(data) - {"model", "train", "data"})
    if unknown:
        raise InputError(f"{path}: unknown table(s) {', '.join(unknown)}; use [model], [train] and [data]")
    return data


def _merge(table: dict[str, Any], given: dict[str, Any], keys: tuple[str, ...], where: str) -> dict[str, Any]:
    """TOML values, overridden by the options given on the command line."""
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise InputError(f"[{where}] has unknown key(s) {', '.join(unknown)}; known: {', '.join(keys)}")
    return {**table, **{k: v for k, v in given.items() if v is not None}}


@user_errors
@needs("train", "torch")
@resume_hint(lambda kw: (f"{kw['out']} holds the last finished epoch; continue with: {typed_command('--resume')}"
                         if kw.get("out") and Path(kw["out"]).exists() else "no epoch had finished, so nothing was saved"))
def train(
    source: Annotated[Optional[str], typer.Argument(help="Training data: a file or dataset:NAME[/SPLIT] (or [data] source in --config).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Checkpoint to write (after every epoch, atomically).")] = None,
    config: Annotated[Optional[Path], typer.Option(help="TOML with [model], [train] and [data] tables; options given here win.")] = None,
    arch: Annotated[Optional[str], typer.Option(help="rnn | lstm | gru | transformer | dilated")] = None,
    width: Annotated[Optional[int], typer.Option(help="Hidden units (d_model for a transformer)." + _default(ModelConfig, "width"))] = None,
    depth: Annotated[Optional[int], typer.Option(help="Layers." + _default(ModelConfig, "depth"))] = None,
    embedding: Annotated[Optional[int], typer.Option(help="Input embedding size (recurrent models)." + _default(ModelConfig, "embedding"))] = None,
    heads: Annotated[Optional[int], typer.Option(help="Attention heads (transformer)." + _default(ModelConfig, "heads"))] = None,
    context: Annotated[Optional[int], typer.Option(help="Context length (transformer)." + _default(ModelConfig, "context"))] = None,
    positions: Annotated[Optional[str], typer.Option(help="sinusoidal | learned (transformer)." + _default(ModelConfig, "positions"))] = None,
    dilations: Annotated[Optional[str], typer.Option(help="Comma-separated dilations, one layer each (dilated)." + _default(ModelConfig, "dilations"))] = None,
    cell: Annotated[Optional[str], typer.Option(help="rnn | lstm | gru (dilated)." + _default(ModelConfig, "cell"))] = None,
    residual: Annotated[Optional[bool], typer.Option("--residual/--no-residual", help="Add each layer's input to its output (dilated)." + _default(ModelConfig, "residual"))] = None,
    mode: Annotated[Optional[str], typer.Option(help="auto | sequences | stream | windows" + _default(TrainConfig, "mode"))] = None,
    epochs: Annotated[Optional[int], typer.Option(help="Most epochs (early stopping may end sooner)." + _default(TrainConfig, "epochs"))] = None,
    batch: Annotated[Optional[int], typer.Option(help="Batch size (streams in stream mode)." + _default(TrainConfig, "batch"))] = None,
    bptt: Annotated[Optional[int], typer.Option(help="Truncated BPTT length (stream mode; window length for dilated)." + _default(TrainConfig, "bptt"))] = None,
    lr: Annotated[Optional[float], typer.Option(help="Learning rate." + _default(TrainConfig, "lr"))] = None,
    optimizer: Annotated[Optional[str], typer.Option(help="adam | rmsprop" + _default(TrainConfig, "optimizer"))] = None,
    warmup: Annotated[Optional[int], typer.Option(help="Linear warm-up steps." + _default(TrainConfig, "warmup"))] = None,
    clip: Annotated[Optional[float], typer.Option(help="Gradient norm clip." + _default(TrainConfig, "clip"))] = None,
    patience: Annotated[Optional[int], typer.Option(help="Epochs without validation gain before stopping." + _default(TrainConfig, "patience"))] = None,
    restarts: Annotated[Optional[int], typer.Option(help="Independent runs; the best by validation loss is kept." + _default(TrainConfig, "restarts"))] = None,
    steps_per_epoch: Annotated[Optional[int], typer.Option(help="Cap on optimiser steps per epoch (0: all)." + _default(TrainConfig, "steps_per_epoch"))] = None,
    time_budget: Annotated[Optional[float], typer.Option(help="Seconds of training; stops after the epoch that passes it." + _default(TrainConfig, "time_budget"))] = None,
    decay: Annotated[Optional[str], typer.Option(help="none | cosine: the learning rate's fall after warm-up." + _default(TrainConfig, "decay"))] = None,
    reset_prob: Annotated[Optional[float], typer.Option(help="Chance a stream's state is reset at a BPTT chunk (stream mode)." + _default(TrainConfig, "reset_prob"))] = None,
    valid_fraction: Annotated[Optional[float], typer.Option(help="Share of SOURCE held out for validation when --valid is not given." + _default(TrainConfig, "valid_fraction"))] = None,
    valid: Annotated[Optional[str], typer.Option(help="Validation data (default: a held-out part of SOURCE).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed: the same seed gives the same weights on CPU." + _default(TrainConfig, "seed"))] = None,
    level: LevelOpt = None,
    option: OptionOpt = None,
    resume: Annotated[bool, typer.Option(help="Continue the run in --out.")] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Train a sequence model (RNN, LSTM, GRU, Transformer, DilatedRNN) on a source."""
    # The options named as config fields, read by those names: a new field needs no second list here
    # (test_train_has_an_option_for_every_config_field checks each field has its option).
    given = dict(locals())
    io = Output(as_json, quiet)
    settings = _read_toml(config)
    data_table = settings.get("data", {})
    source = source or data_table.get("source")
    out = out or (Path(data_table["out"]) if "out" in data_table else None)
    if source is None or out is None:
        raise InputError("give the training data (SOURCE) and --out (or [data] source and out in --config)")
    if not resume and Path(out).exists() and not force:  # a checkpoint may be a run to continue, not only a file to keep
        raise InputError(f"{out} exists; pass --resume to continue it, or --force to start again")
    check_outputs(force or resume, out)  # held from here: a second run into it refuses
    models = _models()
    given["dilations"] = list(parse_int_list(dilations, "dilations")) if dilations else None
    model_keys = _keys(ModelConfig, except_=("vocab_size", "seed"))
    model_table = _merge(settings.get("model", {}), {k: given[k] for k in model_keys}, model_keys, "model")
    train_keys = _keys(TrainConfig)
    train_table = _merge(settings.get("train", {}), {k: given[k] for k in train_keys}, train_keys, "train")
    train_cfg = models.TrainConfig.from_dict(train_table)
    symbols = load_source(source, level or data_table.get("level"), options=option)
    if "arch" not in model_table:
        raise InputError("give --arch (rnn, lstm, gru, transformer or dilated)")
    model_cfg = models.ModelConfig.from_dict({**model_table, "vocab_size": symbols.alphabet_size, "seed": train_cfg.seed})
    valid_symbols = None
    if valid or data_table.get("valid"):
        valid_symbols = load_source(valid or data_table["valid"], level or data_table.get("level"), options=option)
    io.info(f"{model_cfg.arch}: {models.build_model(model_cfg).n_parameters():,} parameters; "
            f"{symbols.n_symbols:,} symbols, alphabet {symbols.alphabet_size}")
    result = models.train(model_cfg, symbols, valid=valid_symbols, config=train_cfg, checkpoint=out, resume=resume,
                          overwrite=force, progress=io.progress)
    last = result.history[-1] if result.history else {}
    payload = {"out": out, "model": model_cfg.to_dict(), "parameters": result.model.n_parameters(),
               "best_valid_bps": result.extra["best_valid_bps"], "epochs_run": len(result.history), "history": result.history}
    text = (f"wrote {out}: {model_cfg.arch}, {result.model.n_parameters():,} parameters, best validation "
            f"{result.extra['best_valid_bps']:.4f} bits/symbol after {len(result.history)} epoch(s)"
            + (f" (last {last['valid_bps']:.4f})" if last else ""))
    io.result(payload, text)


@user_errors
@needs("sample", "torch")
def sample_cmd(
    checkpoint: Annotated[Path, typer.Argument(help="A checkpoint written by `midecay train`.")],
    out: Annotated[Path, typer.Option(help="Write the samples here (.npz; `midecay curve` reads it).")],
    streams: Annotated[int, typer.Option(help="Independent streams, sampled in one batch.")] = 256,
    length: Annotated[int, typer.Option(help="Symbols per stream.")] = 4096,
    burn_in: Annotated[int, typer.Option(help="Symbols generated and dropped at the start of each stream.")] = 0,
    temperature: Annotated[float, typer.Option(help="Softmax temperature.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same samples.")] = 0,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sample unconditional streams from a trained model."""
    io = Output(as_json, quiet)
    check_outputs(force, out)
    models = _models()
    ck = models.load_checkpoint(checkpoint)
    symbols = models.sample(ck.model, streams, length, seed=seed, temperature=temperature, burn_in=burn_in,
                            alphabet=ck.alphabet, progress=io.progress)
    symbols = type(symbols)(symbols.codes, symbols.alphabet, symbols.bounds, symbols.description,
                            {**symbols.provenance, "checkpoint": str(checkpoint)})
    symbols.save(out, overwrite=force)
    io.result({"out": out, "n_symbols": symbols.n_symbols, "n_segments": symbols.n_segments, **symbols.provenance},
              f"wrote {out}: {symbols.n_segments} streams x {length} symbols")


@user_errors
@needs("evaluate-seeds", "torch")
def evaluate_seeds_cmd(
    checkpoints: Annotated[list[Path], typer.Argument(help="Checkpoints of one configuration, one per training seed.")],
    data: DataOpt,
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    option: OptionOpt = None,
    streams: Annotated[int, typer.Option(help="Sampled streams per checkpoint.")] = 256,
    length: LengthOpt = 4096,
    burn_in: BurnInOpt = 0,
    temperature: TemperatureOpt = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for sampling and the floors (the same for every checkpoint).")] = 0,
    out: EvaluationOutOpt = None,
    plot: OverlayPlotOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Evaluate one configuration's training seeds against the same data: xi, alpha, fidelity with intervals over seeds."""
    io, lag_values, models = _evaluation_start(as_json, quiet, force, out, plot, lags)
    cks = [models.load_checkpoint(path) for path in checkpoints]
    reference = curve_file_or_source(data, level, option)
    stems = [p.stem for p in checkpoints]
    names = stems if len(set(stems)) == len(stems) else [str(p) for p in checkpoints]
    result = models.evaluate_seeds(cks, reference, lag_values, names=names, n_streams=streams,
                                   length=length, seed=seed, temperature=temperature, burn_in=burn_in,
                                   progress=io.progress)
    io.save(result, out, plot, force)
    io.result(result.to_dict(), result.summary(), result.table_rows())


@user_errors
@needs("evaluate", "torch")
def evaluate_cmd(
    checkpoint: Annotated[Path, typer.Argument(help="A checkpoint written by `midecay train`.")],
    data: DataOpt,
    lags: LagsOpt = "auto",
    level: LevelOpt = None,
    option: OptionOpt = None,
    streams: Annotated[int, typer.Option(help="Sampled streams.")] = 256,
    length: LengthOpt = 4096,
    burn_in: BurnInOpt = 0,
    temperature: TemperatureOpt = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for sampling and the floors.")] = 0,
    out: EvaluationOutOpt = None,
    plot: OverlayPlotOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sample a model and compare its samples' MI curve, fit and decay type with the data's."""
    io, lag_values, models = _evaluation_start(as_json, quiet, force, out, plot, lags)
    ck = models.load_checkpoint(checkpoint)
    reference = curve_file_or_source(data, level, option)
    result = models.evaluate(ck, reference, lag_values, n_streams=streams, length=length, seed=seed,
                             temperature=temperature, burn_in=burn_in, progress=io.progress)
    io.save(result, out, plot, force)
    io.result(result.to_dict(), result.summary(), result.table_rows())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.command()(train)
    app.command(name="sample")(sample_cmd)
    app.command(name="evaluate-seeds")(evaluate_seeds_cmd)
    app.command(name="evaluate")(evaluate_cmd)
