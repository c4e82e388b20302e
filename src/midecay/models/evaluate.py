"""Sample a model and measure what it remembers: curves, fits and comparison with its data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..comparison import compare
from ..curve import mi_curve
from ..errors import InputError
from ..evaluation import ModelEvaluation
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
