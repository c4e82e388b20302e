"""Sample a model and measure what it remembers: curves, fits and comparison with its data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..comparison import compare
from ..curve import mi_curve
from ..errors import InputError
from ..model_evaluation import ModelEvaluation, SeedsEvaluation
from ..fitting import classify
from ..lags import resolve_lags
from ..micurve import MICurve
from ..sequences import Symbols
from .checkpoint import Checkpoint
from .sampling import sample

__all__ = ["evaluate"]


def evaluate(
    checkpoint: Checkpoint,
    data: Symbols | MICurve,
    lags: Iterable[int] | str = "auto",
    *,
    n_streams: int = 256,
    length: int = 4096,
    seed: int = 0,
    temperature: float = 1.0,
    burn_in: int = 0,
    progress: bool = False,
    **curve_options: Any,
) -> ModelEvaluation:
    """Sample ``n_streams`` x ``length`` symbols and compare their curve with the data's.

    ``data`` is the reference: symbols (its curve is estimated on ``lags``; ``"auto"`` fits
    both the data's segments and the samples' ``length``, :func:`~midecay.lags.default_lags`) or
    a curve already estimated. Tails need data: comparing out to d ~ 1000 takes millions of sampled symbols.

    Examples
    --------
    >>> import midecay
    >>> from midecay.models import Checkpoint, ModelConfig, build_model
    >>> model = build_model(ModelConfig("gru", vocab_size=3, width=8))
    >>> ev = evaluate(Checkpoint(model, ("a", "b", "c")), midecay.encode("abcab" * 200), [1, 2, 3], n_streams=4, length=300)
    >>> ev.comparison.names
    ('data', 'samples')
    """
    model = checkpoint.model
    if isinstance(data, Symbols):
        if tuple(str(a) for a in data.alphabet) != tuple(str(a) for a in checkpoint.alphabet):
            raise InputError(
                f"the data's alphabet ({data.alphabet_size} symbols) is not the checkpoint's ({len(checkpoint.alphabet)}); "
                "evaluate on data encoded like the training data"
            )
        lags = resolve_lags(lags, min(int(data.lengths.max()), length))
        data_curve = mi_curve(data, lags, seed=seed, progress=progress, **curve_options)
    else:
        data_curve = data
    lags = data_curve.lags
    if length <= int(lags[-1]):
        raise InputError(f"sample length {length} must exceed the largest lag {int(lags[-1])}")
    samples = sample(model, n_streams, length, seed=seed, temperature=temperature, burn_in=burn_in,
                     alphabet=checkpoint.alphabet, progress=progress)
    sample_curve = mi_curve(samples, lags, seed=seed, progress=progress, **curve_options)
    comparison = compare([data_curve, sample_curve], ["data", "samples"])
    description = {**model.config.to_dict(), "parameters": model.n_parameters(), **samples.provenance}
    return ModelEvaluation(comparison, classify(data_curve), classify(sample_curve), description)


def evaluate_seeds(
    checkpoints: Sequence[Checkpoint],
    data: Symbols | MICurve,
    lags: Iterable[int] | str = "auto",
    *,
    names: Sequence[str] | None = None,
    level: float = 0.95,
    **kwargs: Any,
) -> SeedsEvaluation:
    """:func:`evaluate` each checkpoint of one configuration (its training seeds) against the same data.

    The data's curve is estimated once and shared; each checkpoint's samples are drawn with the
    same sampling ``seed`` (in ``kwargs``), so the spread left is the training seed's. Checkpoints
    of different configurations or alphabets are refused: that is a grid (``midecay grid``).

    Examples
    --------
    >>> import midecay
    >>> from midecay.models import Checkpoint, ModelConfig, build_model
    >>> runs = [Checkpoint(build_model(ModelConfig("gru", vocab_size=3, width=8, seed=s)), ("a", "b", "c")) for s in range(2)]
    >>> ev = evaluate_seeds(runs, midecay.encode("abcab" * 200), [1, 2, 3], n_streams=4, length=300)
    >>> ev.n_seeds, ev.names
    (2, ('run 0', 'run 1'))
    """
    checkpoints = list(checkpoints)
    if not checkpoints:
        raise InputError("no checkpoints to evaluate; give the runs of one configuration, one per training seed")
    # One configuration: everything but the seed its weights started from.
    configs = {json.dumps({k: v for k, v in ck.model.config.to_dict().items() if k != "seed"}, sort_keys=True)
               for ck in checkpoints}
    alphabets = {tuple(str(a) for a in ck.alphabet) for ck in checkpoints}
    if len(configs) > 1 or len(alphabets) > 1:
        raise InputError("the checkpoints differ in configuration or alphabet; evaluate_seeds compares the training "
                         "seeds of one configuration (compare configurations with `midecay grid`)")
    names = [f"run {i}" for i in range(len(checkpoints))] if names is None else list(names)
    first = evaluate(checkpoints[0], data, lags, **kwargs)
    rest = [evaluate(ck, first.data_curve, lags, **kwargs) for ck in checkpoints[1:]]
    return SeedsEvaluation((first, *rest), tuple(names), level)
