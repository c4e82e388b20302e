"""The bipartite mutual information of a corpus, estimated with a model of it (L²M's direct estimator).

For a document ``x`` and a split ``ℓ`` the two blocks are ``X = x_1 … x_ℓ`` and ``Y = x_{ℓ+1} … x_{2ℓ}``
(L²M's ``I^BP_{L/2; L}`` at ``L = 2ℓ``). With a model ``q``::

    I(X; Y) = H(Y) - H(Y | X)
           ~= E[-log q(Y)] - E[-log q(Y | X)]
           =  E[ sum_{t=ℓ+1}^{2ℓ} log q(x_t | x_1 … x_{t-1}) - log q(x_t | x_{ℓ+1} … x_{t-1}) ]

Each document gives one term per split: its log-probability of ``Y`` read after ``X`` (one pass over
the document gives every split's) less that of ``Y`` read alone (one pass per split). The
documents are the independent units: the mean over them is the estimate, and its errors come from
leaving out groups of whole documents (delete-a-group jackknife), whose replicates also give the
fitted exponent's error.

Both terms are cross-entropies (upper bounds), so the estimate is the model's reading of the
corpus, exact only with the exact model. The first ``head_tokens`` of ``Y`` read alone take the
corpus's h-gram entropy (Grassberger) instead of the model's guess at a document's start (L²M's
n-gram correction). The derivation of both, and what is not corrected, is in ``docs/methods.md``,
"Bipartite MI".
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_atomic
from .._progress import progress as progress_bar
from ..errors import InputError
from ..estimators import grassberger_g
from .result import BipartiteCurve
from .scorers import Scorer, check_rows

logger = logging.getLogger(__name__)

__all__ = ["bipartite_mi", "default_splits", "head_entropy", "HeadEntropy"]

#: Documents scored per call of the scorer (one batch of passes).
BATCH = 8


def default_splits(length: int) -> np.ndarray:
    """Powers of two from 1 to half of ``length`` (both blocks must fit in a document).

    >>> default_splits(256).tolist()
    [1, 2, 4, 8, 16, 32, 64, 128]
    """
    if length < 2:
        raise InputError(f"documents of {length} token(s) hold no two blocks; give documents of at least 2 tokens")
    return 2 ** np.arange(int(np.log2(length // 2)) + 1)


@dataclass(frozen=True)
class HeadEntropy:
    """The block entropy of a corpus's ``h``-grams away from document starts (:func:`head_entropy`)."""

    tokens: int
    value: float
    stderr: float
    #: Each h-gram's plug-in surprisal ``-ln(n_i / N)``, keyed by its ids' bytes.
    surprisal: dict[bytes, float]
    plugin: float

    def terms(self, heads: np.ndarray) -> np.ndarray:
        """Each row's h-gram surprisal, shifted so that its corpus mean is Grassberger's ``H_G``."""
        plug = np.array([self.surprisal.get(np.ascontiguousarray(g, dtype=np.int64).tobytes(), np.nan) for g in heads])
        return plug + (self.value - self.plugin)


def head_entropy(rows: np.ndarray, head: int) -> HeadEntropy:
    """The ``head``-grams of ``rows`` counted from the second token of each row on (a row's first token
    is a document start): Grassberger's ``H_G = ln N - (1/N) sum_i n_i G(n_i)`` (Grassberger 2003), its
    standard error (that of the mean of ``ln N - G(n_i)`` over the N h-grams), and the plug-in terms.

    >>> h = head_entropy(np.array([[0, 0, 1, 0, 1, 1, 0, 1]] * 50), 1)
    >>> round(h.value, 2), round(h.plugin, 2), len(h.surprisal)   # 4 zeros and 3 ones after the first token
    (0.68, 0.68, 2)
    """
    grams = np.lib.stride_tricks.sliding_window_view(rows[:, 1:], head, axis=1).reshape(-1, head)
    keys, counts = np.unique(grams, axis=0, return_counts=True)
    total = float(counts.sum())
    terms = np.log(total) - grassberger_g(counts.astype(np.float64))
    h_g = float((counts * terms).sum() / total)
    se = float(np.sqrt(max((counts * terms**2).sum() / total - h_g**2, 0.0) / total))
    p = counts / total
    return HeadEntropy(head, h_g, se, {k.tobytes(): float(-np.log(q)) for k, q in zip(keys.astype(np.int64), p)},
                       float(-(p * np.log(p)).sum()))


def bipartite_mi(
    documents: np.ndarray | Sequence[np.ndarray],
    scorer: Scorer,
    splits: Iterable[int] | None = None,
    *,
    head_tokens: int = 1,
    n_groups: int = 20,
    store: str | os.PathLike | None = None,
    progress: bool = False,
    source: str = "",
) -> BipartiteCurve:
    """Bipartite MI ``I(x_1 … x_ℓ; x_{ℓ+1} … x_{2ℓ})`` of a corpus at each split ``ℓ``, read by ``scorer``.

    Parameters
    ----------
    documents
        Token ids, one document a row (a 2-D array) or a list of 1-D arrays; each must hold at
        least ``2 * max(splits)`` tokens (longer ones are cut there).
    scorer
        A model of the corpus (:mod:`midecay.bipartite.scorers`): the exact one for a known process,
        an n-gram, or a pretrained LM (:class:`~midecay.models.pretrained.CausalLMScorer`).
    splits
        First-block lengths ``ℓ`` (default: powers of two up to half the documents' length).
    head_tokens
        How many first tokens of ``Y`` read alone take the corpus's h-gram entropy instead of the
        model's (the module's derivation); 0 for a scorer that starts from the stationary law.
    n_groups
        Groups of whole documents for the delete-a-group jackknife.
    store
        A file the per-document terms are written to as they are computed (atomically, after
        each batch); a run given the same file continues where the last one stopped.
    progress
        A progress bar over the documents.
    source
        What the documents are, for the summary and the JSON (a path, ``dataset:NAME``).

    Returns
    -------
    BipartiteCurve

    Examples
    --------
    >>> from midecay.bipartite import HiddenMarkovScorer
    >>> from midecay.synth import hmm
    >>> P = np.array([[0.95, 0.05], [0.05, 0.95]]); E = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> docs = np.stack([hmm(P, E, 16, seed=s).symbols.codes for s in range(300)])
    >>> c = bipartite_mi(docs, HiddenMarkovScorer(P, E), [1, 2, 4, 8], head_tokens=0)
    >>> bool(c.mi[0] < c.mi[-1])   # more of the past, more information on a longer future
    True
    """
    docs = [np.asarray(d) for d in documents] if not (isinstance(documents, np.ndarray) and documents.ndim == 2) else documents
    if not len(docs):
        raise InputError("no documents given")
    shortest = min(len(d) for d in docs)
    splits = default_splits(shortest) if splits is None else np.asarray(sorted({int(s) for s in splits}), dtype=np.int64)
    if not len(splits) or splits[0] < 1:
        raise InputError("splits must be positive integers, e.g. 1,2,4,8")
    need = 2 * int(splits[-1])
    if shortest < need:
        short = sum(len(d) < need for d in docs)
        raise InputError(f"{short} of {len(docs)} documents hold fewer than the {need} tokens splits up to {splits[-1]} need: "
                         f"drop them or give splits up to {shortest // 2}")
    rows = check_rows(np.stack([d[:need] for d in docs]) if isinstance(docs, list) else docs[:, :need])
    n_docs = len(rows)
    if not 0 <= head_tokens <= int(splits[0]):
        raise InputError(f"head_tokens must lie in 0 … {int(splits[0])} (the shortest block); got {head_tokens}")
    if n_groups < 2 or n_docs < n_groups:
        raise InputError(f"{n_docs} documents are too few for {n_groups} jackknife groups; give at least "
                         f"{max(n_groups, 2)} documents or fewer groups")
    settings = {"scorer": scorer.name, "splits": splits.tolist(), "head_tokens": int(head_tokens),
                "documents": n_docs, "fingerprint": hashlib.sha256(rows.tobytes()).hexdigest()[:16]}
    given, alone, raw = _resume(store, settings, n_docs, len(splits))
    head = head_entropy(rows, head_tokens) if head_tokens else None
    done = int(np.isfinite(given[:, 0]).sum())
    starts = range(done, n_docs, BATCH)
    for lo in progress_bar(starts, len(starts), "scoring documents", progress):
        hi = min(lo + BATCH, n_docs)
        given[lo:hi], alone[lo:hi], raw[lo:hi] = _score_batch(rows[lo:hi], scorer, splits, head)
        if store is not None:
            _save(store, settings, given, alone, raw)
    return BipartiteCurve(splits=splits, given=given, alone=alone, alone_model=raw, n_groups=int(n_groups),
                          head_tokens=int(head_tokens), head_entropy=head.value if head else np.nan,
                          head_entropy_se=head.stderr if head else 0.0,
                          scorer=scorer.name, source=source)


def _score_batch(rows: np.ndarray, scorer: Scorer, splits: np.ndarray,
                 head: HeadEntropy | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per document and split: cross-entropy (nats) of Y after X, of Y alone (its head from the
    corpus's h-grams), and of Y alone as the model reads it."""
    full = scorer.log_probs(rows)
    given = np.stack([-full[:, s:2 * s].sum(axis=1) for s in splits], axis=1)
    alone = np.empty_like(given)
    raw = np.empty_like(given)
    h = head.tokens if head else 0
    for j, s in enumerate(splits):
        block = rows[:, s:2 * s]
        lp = scorer.log_probs(block)
        raw[:, j] = -lp.sum(axis=1)
        alone[:, j] = -lp[:, h:].sum(axis=1) + head.terms(block[:, :h]) if head else raw[:, j]
    return given, alone, raw


def _resume(store, settings: dict[str, Any], n_docs: int, n_splits: int):
    empty = [np.full((n_docs, n_splits), np.nan) for _ in range(3)]
    if store is None or not Path(store).exists():
        return empty
    from .._parsing import parse_json

    data = parse_json(Path(store).read_text(), str(store), "delete it to start again")
    if data.get("settings") != settings:
        raise InputError(f"{store} holds a run with other settings ({data.get('settings')}); "
                         "give another store file or delete it to start again")
    try:
        saved = [np.array(data[key], dtype=np.float64).reshape(-1, n_splits) for key in ("given", "alone", "alone_model")]
        if len({len(v) for v in saved}) != 1 or len(saved[0]) > n_docs:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{store} is not a bipartite run's progress of these documents; delete it to start again") from None
    for arr, values in zip(empty, saved):
        arr[:len(values)] = values
    logger.info("continuing from %s: %d of %d documents scored", store, len(saved[0]), n_docs)
    return empty


def _save(store, settings: dict[str, Any], given: np.ndarray, alone: np.ndarray, raw: np.ndarray) -> None:
    done = int(np.isfinite(given[:, 0]).sum())
    payload = {"format": "midecay.BipartiteProgress/1", "settings": settings,
               **{key: arr[:done].tolist() for key, arr in (("given", given), ("alone", alone), ("alone_model", raw))}}
    write_atomic(Path(store), json.dumps(payload), overwrite=True)
