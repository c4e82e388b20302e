"""Models that score a block of tokens: ``log q(x_t | x_1 … x_{t-1})`` for every token of each row.

A scorer is anything with a ``name`` and a ``log_probs(rows)`` method taking an ``(n, L)`` array of
token ids and giving the ``(n, L)`` array of each token's log-probability (nats) given the tokens
before it in its row; the first token of a row is scored from the model's own start.

- :class:`HiddenMarkovScorer`: the exact conditional probabilities of a hidden Markov process
  (the forward algorithm), started from its stationary law. With it the bipartite estimator is
  exact up to sampling: the checks with a known answer use it.
- :class:`NGramScorer`: an order-``k`` Markov model fitted to tokens (add-``beta`` smoothing, the
  first tokens of a row from the lower orders). A deliberately weaker model, and a quick one.
- :class:`~midecay.models.pretrained.CausalLMScorer` (extra ``lm``): a pretrained causal LM such as
  SmolLM2, batched, on the CPU or a GPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import InputError

__all__ = ["Scorer", "HiddenMarkovScorer", "NGramScorer", "check_rows"]


@runtime_checkable
class Scorer(Protocol):
    """What :func:`~midecay.bipartite.bipartite_mi` needs of a model."""

    name: str

    def log_probs(self, rows: np.ndarray) -> np.ndarray:
        """``(n, L)`` token ids -> ``(n, L)`` log-probabilities in nats, each given its row's earlier tokens."""
        ...


def check_rows(rows: np.ndarray | Sequence[Sequence[int]], vocab_size: int | None = None) -> np.ndarray:
    """Rows of token ids as a 2-D int64 array, or a one-line error naming the problem."""
    arr = np.asarray(rows)
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise InputError(f"rows must be a 2-D array of token ids (documents x tokens), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"rows must hold integer token ids, got {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and (arr.min() < 0 or (vocab_size is not None and arr.max() >= vocab_size)):
        raise InputError(f"token ids must lie in 0 … {vocab_size - 1 if vocab_size else 'vocab-1'}; got {arr.min()} … {arr.max()}")
    return arr


class HiddenMarkovScorer:
    """Exact ``log p(x_t | x_<t)`` of a hidden Markov process (transition ``P``, emission ``E``).

    Started from the stationary law of ``P`` (or ``start``), so a row read from the middle of a
    stationary sequence is scored as what it is.

    Examples
    --------
    >>> P = np.array([[0.9, 0.1], [0.2, 0.8]]); E = np.array([[0.8, 0.2], [0.3, 0.7]])
    >>> s = HiddenMarkovScorer(P, E)
    >>> lp = s.log_probs(np.array([[0, 0, 1]]))
    >>> round(float(np.exp(lp[0, 0])), 4)   # stationary law (2/3, 1/3): 2/3 * 0.8 + 1/3 * 0.3
    0.6333
    """

    def __init__(self, transition: np.ndarray, emission: np.ndarray, start: np.ndarray | None = None,
                 name: str = "hidden Markov (exact)") -> None:
        P = np.asarray(transition, dtype=np.float64)
        E = np.asarray(emission, dtype=np.float64)
        if P.ndim != 2 or P.shape[0] != P.shape[1] or E.ndim != 2 or E.shape[0] != P.shape[0]:
            raise InputError("transition must be S x S and emission S x K for the same S states")
        if not (np.allclose(P.sum(1), 1) and np.allclose(E.sum(1), 1)) or (P < 0).any() or (E < 0).any():
            raise InputError("transition and emission rows must be probability distributions")
        if start is None:
            vals, vecs = np.linalg.eig(P.T)
            pi = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
            start = pi / pi.sum()
        self.transition, self.emission, self.start = P, E, np.asarray(start, dtype=np.float64)
        self.name = name
        self.vocab_size = E.shape[1]

    def log_probs(self, rows: np.ndarray) -> np.ndarray:
        rows = check_rows(rows, self.vocab_size)
        n, length = rows.shape
        belief = np.tile(self.start, (n, 1))  # P(state_t | x_<t) for each row
        out = np.empty((n, length))
        for t in range(length):
            joint = belief * self.emission[:, rows[:, t]].T
            p = joint.sum(axis=1)
            out[:, t] = np.log(p)
            belief = (joint / p[:, None]) @ self.transition
        return out


class NGramScorer:
    """An order-``k`` Markov model of tokens, fitted by counting, with add-``beta`` smoothing.

    ``log q(x_t | x_{t-k} … x_{t-1})``; the first ``k`` tokens of a row are scored with the lower
    orders (the first by the unigram frequencies), so a row is not taken for a document's start.

    Examples
    --------
    >>> s = NGramScorer(1, vocab_size=2).fit(np.array([[0, 1] * 50]))
    >>> np.exp(s.log_probs(np.array([[0, 1, 0]]))).round(2).tolist()   # alternation learned
    [[0.5, 0.99, 0.99]]
    """

    def __init__(self, order: int, vocab_size: int, beta: float = 0.5) -> None:
        if order < 0 or vocab_size < 1 or beta <= 0:
            raise InputError(f"an n-gram scorer needs order >= 0, vocab_size >= 1 and beta > 0; got {order}, {vocab_size}, {beta}")
        if float(vocab_size) ** (order + 1) >= 2.0**62:
            raise InputError(f"order {order} over {vocab_size:,} tokens is too many contexts to index; use a lower order")
        self.order, self.vocab_size, self.beta = int(order), int(vocab_size), float(beta)
        self.name = f"{order}-order n-gram (add-{beta:g})"
        self._tables: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def fit(self, rows: np.ndarray | Sequence[np.ndarray]) -> NGramScorer:
        """Count every order 0 … k in ``rows`` (a 2-D array or a list of 1-D token arrays)."""
        docs = [np.asarray(r, dtype=np.int64) for r in (rows if not isinstance(rows, np.ndarray) or rows.ndim == 2 else [rows])]
        for doc in docs:
            check_rows(doc[None, :], self.vocab_size)
        self._tables = []
        for j in range(self.order + 1):
            keys = np.concatenate([self._keys(doc[None, :], j)[0, j:] for doc in docs if len(doc) > j])
            ctx = keys // self.vocab_size
            uk, kc = np.unique(keys, return_counts=True)
            uc, cc = np.unique(ctx, return_counts=True)
            self._tables.append((uk, kc, uc, cc))
        return self

    def _keys(self, rows: np.ndarray, j: int) -> np.ndarray:
        """Each position's (j previous tokens, token) as one integer (undefined before position j)."""
        key = rows.copy()
        for back in range(1, j + 1):
            prev = np.zeros_like(rows)
            prev[:, back:] = rows[:, :-back]
            key = key + prev * self.vocab_size**back
        return key

    def log_probs(self, rows: np.ndarray) -> np.ndarray:
        if not self._tables:
            raise InputError("this n-gram scorer is not fitted; call fit(tokens) first")
        rows = check_rows(rows, self.vocab_size)
        out = np.empty(rows.shape)
        for t in range(rows.shape[1]):
            j = min(t, self.order)
            keys = self._keys(rows[:, t - j:t + 1], j)[:, -1]
            out[:, t] = np.log(self._prob(j, keys))
        return out

    def _prob(self, j: int, keys: np.ndarray) -> np.ndarray:
        uk, kc, uc, cc = self._tables[j]
        def look(table, counts, q):
            i = np.clip(np.searchsorted(table, q), 0, len(table) - 1)
            return np.where(table[i] == q, counts[i], 0)
        joint = look(uk, kc, keys)
        context = look(uc, cc, keys // self.vocab_size)
        return (joint + self.beta) / (context + self.beta * self.vocab_size)
