"""An LM's samples against a reference corpus, size-matched, at character or token level."""

from __future__ import annotations

import os

import numpy as np

from ...errors import InputError
from ...rng import named_stream
from .loading import load_tokenizer
from .samples import LMSamples


def segment_texts(symbols) -> list[str]:
    """A character-level source's segments as strings."""
    return ["".join(str(a) for a in symbols.decode(seg)) for seg in symbols.segments()]


def reference_offsets(n_available: int, lengths: np.ndarray, seed: int) -> np.ndarray:
    """Starts of disjoint stretches of the given ``lengths`` in a reference of ``n_available`` symbols, in a
    random order along it with uniformly random gaps between them (a composition of the slack), seeded.

    Examples
    --------
    >>> starts = reference_offsets(1000, np.array([100, 100, 50]), seed=0)
    >>> bool(all(0 <= a and a + n <= 1000 for a, n in zip(starts, [100, 100, 50])))
    True
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    slack = int(n_available - lengths.sum())
    if slack < 0:
        raise InputError(f"the reference has {n_available:,} symbols, fewer than the {int(lengths.sum()):,} to draw")
    rng = named_stream(seed, "lm-reference")
    order = rng.permutation(len(lengths))  # which stream comes where along the reference
    gaps = np.diff(np.concatenate([[0], np.sort(rng.integers(0, slack + 1, len(lengths)))]))
    starts = np.empty(len(lengths), dtype=np.int64)
    at = 0
    for gap, i in zip(gaps, order):
        at += int(gap)
        starts[i] = at
        at += int(lengths[i])
    return starts


def draw_reference(samples: LMSamples, reference, *, level: str = "char", tokenizer=None, seed: int = 0):
    """The reference corpus drawn as the samples were: as many streams, of the same lengths, from
    disjoint stretches at random offsets (seeded; :func:`reference_offsets`), as
    :class:`~midecay.Symbols` at ``level`` (``"char"``: the text; ``"token"``: its ids under
    ``tokenizer``, else the samples' model's). ``reference`` as for :func:`evaluate_lm`.

    Examples
    --------
    >>> import midecay
    >>> samples = LMSamples(np.zeros((2, 3), dtype=np.int64), ("ab", "cde"), {"vocab_size": 5, "model": "x"})
    >>> draw_reference(samples, midecay.encode("the quick brown fox"), seed=0).lengths.tolist()
    [2, 3]
    """
    from ...opening import open_source
    from ...sequences import Symbols, encode, smallest_code_dtype

    if level not in ("char", "token"):
        raise InputError(f"unknown level {level!r}; choose char or token")
    ref = open_source(reference) if isinstance(reference, (str, os.PathLike)) else reference
    if not all(isinstance(a, str) and len(a) == 1 for a in ref.alphabet):
        raise InputError("the reference must be text read character by character (e.g. dataset:wiki-xml, a .txt file); "
                         "pick a character level for it")
    mine = samples.symbols(level)
    if level == "char":
        ref_symbols_all = "".join(segment_texts(ref))
    else:
        tok = tokenizer if tokenizer is not None else load_tokenizer(samples.meta["model"])
        ref_symbols_all = np.concatenate([np.asarray(tok(t, add_special_tokens=False)["input_ids"], dtype=np.int64)
                                          for t in segment_texts(ref) if t])
    sample_lengths = mine.lengths
    total = int(sample_lengths.sum())
    if len(ref_symbols_all) < total:
        raise InputError(f"the reference has {len(ref_symbols_all):,} {level}s, fewer than the samples' {total:,}; "
                         "pass a larger reference or sample less")
    starts = reference_offsets(len(ref_symbols_all), sample_lengths, seed)
    if level == "char":
        return encode([ref_symbols_all[a:a + n] for a, n in zip(starts, sample_lengths)], segmented=True)
    v = int(samples.meta["vocab_size"])
    drawn = np.concatenate([ref_symbols_all[a:a + n] for a, n in zip(starts, sample_lengths)])
    if int(drawn.max()) >= v:
        raise InputError("the reference's token ids exceed the samples' vocabulary; use the samples' own model's tokenizer")
    return Symbols(drawn.astype(smallest_code_dtype(v)), mine.alphabet, np.concatenate([[0], np.cumsum(sample_lengths)]),
                   f"reference tokens ({total:,})")


def evaluate_lm(
    samples: LMSamples,
    reference,
    *,
    level: str = "char",
    lags=None,
    tokenizer=None,
    seed: int = 0,
    estimator: str = "grassberger",
    progress: bool = False,
):
    """The samples' curve against a reference corpus's, at equal size, in one :class:`~midecay.ModelEvaluation`.

    ``level="char"`` measures the decoded text; ``level="token"`` the model's own tokens, the
    reference tokenized with the model's tokenizer (``tokenizer``, else loaded from the
    samples' model). The reference is drawn as the samples were (:func:`draw_reference`): as many
    streams, of the same lengths, from disjoint stretches at random offsets (seeded), so
    it is neither the corpus's head (a file header, a title page) nor longer than the samples:
    at token level a 49k-type vocabulary on half a million tokens gives estimates dominated by
    bias, and only equal sizes compare fairly.

    ``reference`` is :class:`~midecay.Symbols` at character level, or a source for
    :func:`~midecay.open_source` (``dataset:wiki-xml``, a text file …). ``estimator``: any of
    :data:`~midecay.limits.ESTIMATOR_NAMES`, both curves alike (NSB or Chao-Shen for token level;
    see the README's estimator table).
    """
    from ...comparison import compare
    from ...curve import mi_curve
    from ...model_evaluation import ModelEvaluation
    from ...fitting import classify
    from ...lags import as_lags, log_lags

    ref_part = draw_reference(samples, reference, level=level, tokenizer=tokenizer, seed=seed)
    mine = samples.symbols(level)
    total = int(mine.lengths.sum())
    shortest = int(min(ref_part.lengths.min(), mine.lengths.min()))
    lags = as_lags(log_lags(1, min(1000, shortest - 1), 30) if lags is None else lags)
    if int(lags[-1]) >= shortest:
        raise InputError(f"lag {int(lags[-1])} is not shorter than the shortest stream ({shortest} {level}s); use smaller lags")
    ref_curve = mi_curve(ref_part, lags, seed=seed, estimator=estimator, progress=progress)
    sample_curve = mi_curve(mine, lags, seed=seed, estimator=estimator, progress=progress)
    comparison = compare([ref_curve, sample_curve], ["reference", "samples"])
    description = {"arch": samples.meta["model"], "level": level, **samples.meta,
                   "reference": os.fspath(reference) if isinstance(reference, (str, os.PathLike)) else reference.description,
                   "size_matched": f"reference drawn as the samples were: {len(mine.lengths)} streams of their lengths "
                                   f"({total:,} {level}s) at random offsets (seed {seed})"}
    types = int(np.count_nonzero(np.bincount(np.asarray(mine.codes, dtype=np.int64))))
    if level == "token" and types ** 2 > total:
        description["note"] = (f"{types:,} token types on {total:,} tokens: far fewer pairs than joint cells, so both curves are "
                               "dominated by estimator bias; only the equal-size comparison is fair")
    return ModelEvaluation(comparison, classify(ref_curve), classify(sample_curve), description)
